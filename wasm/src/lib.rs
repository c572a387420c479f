//! # neotalk-storage-wasm
//!
//! The WebAssembly binding of `neotalk-storage` on the in-memory backend, for browsers and
//! Node. It converts types and errors and holds no store logic:
//!
//! - JS classes `StorageManager`, `TimeSeriesStore`, `DeviceStateStore`, `EventLogStore`
//!   with camelCase methods mirroring the core stores;
//! - records are plain JS objects with the core's (seed's) snake_case field names, typed by
//!   the TypeScript declarations below;
//! - telemetry batches and range results travel as packed `Float64Array`s (timestamps in
//!   Unix ms, values);
//! - every failure is thrown as an `Error` whose `code` is `StorageError::code()`
//!   (`INVALID_INPUT` also carries `field`).
#![warn(missing_docs)]

mod convert;
mod devices;
mod error;
mod events;
mod manager;
mod timeseries;

pub use devices::JsDeviceStateStore;
pub use events::JsEventLogStore;
pub use manager::JsStorageManager;
pub use timeseries::JsTimeSeriesStore;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const RECORD_TYPES: &'static str = r#"
/** A telemetry value: a number (integer or float), a flag or text. */
export type MetricValue = number | boolean | string;

/** One telemetry sample. Timestamps are Unix milliseconds. */
export interface DataPoint {
  timestamp: number;
  value: MetricValue;
  /** Optional quality indicator (stored as f32). */
  quality?: number | null;
  metadata?: unknown;
}

/** A point addressed to a series, for `TimeSeriesStore.writeBatch`. */
export interface TelemetryPoint {
  device_id: string;
  metric: string;
  point: DataPoint;
}

/** Packed points: `timestamps[i]` (Unix ms) and `values[i]` form point `i`. */
export interface PackedSeries {
  timestamps: Float64Array;
  values: Float64Array;
}

/** Aggregates of one bucket `[bucket_start, bucket_start + bucketMs)`. */
export interface AggregateBucket {
  bucket_start: number;
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  avg: number | null;
  first: number | null;
  last: number | null;
}

/** The latest value of one metric of a device. */
export interface MetricSnapshot {
  value: MetricValue;
  timestamp: number;
  quality?: number | null;
}

export type MdlDataType = "Float" | "Integer" | "String" | "Boolean";

export interface MdlMetric {
  name: string;
  data_type: MdlDataType;
  unit?: string | null;
}

export interface MdlParameter {
  name: string;
  data_type: MdlDataType;
  required: boolean;
}

export interface MdlCommand {
  name: string;
  parameters: MdlParameter[];
}

/** Typed device-type description (MDL). */
export interface MdlDeviceType {
  type_id: string;
  name: string;
  metrics: MdlMetric[];
  commands: MdlCommand[];
}

/** The current state of a device. */
export interface DeviceState {
  device_id: string;
  device_type: string;
  name: string;
  online: boolean;
  last_seen: number;
  metrics: Record<string, MetricSnapshot>;
  config: unknown;
  mdl_definition: MdlDeviceType | null;
  adapter: string;
}

/** Argument of `DeviceStateStore.upsert`: fields left out take the defaults (name = id,
 *  online, last_seen 0, no metrics, config null, no MDL definition, adapter ""). */
export type DeviceInput = Pick<DeviceState, "device_id" | "device_type"> &
  Partial<Omit<DeviceState, "device_id" | "device_type">>;

export interface EventMetadata {
  correlation_id?: string | null;
  causation_id?: string | null;
  source: string;
  timestamp: number;
}

/** An event to append. */
export interface NewEvent {
  event_id: string;
  event_type: string;
  event_data: unknown;
  metadata: EventMetadata;
}

/** A stored event with its position in the log. */
export interface EventLogEntry extends NewEvent {
  sequence: number;
}

export interface EventRetention {
  days: number;
  max_size_mb: number;
  by_type: Record<string, number>;
}

export interface EventCleanup {
  expired: number;
  over_size: number;
}

export interface TableSize {
  name: string;
  entries: number;
  stored_bytes: number;
}

export interface WriteBufferOptions {
  max_points: number;
  max_delay_ms: number;
}

export interface StorageOptions {
  durability: "Immediate" | "Eventual";
  write_buffer: WriteBufferOptions;
  device_cache_entries: number;
  series_cache_entries: number;
  page_cache_bytes: number;
}

/** What every method throws: `code` is one of the `StorageError` codes. */
export interface StorageError extends Error {
  name: "StorageError";
  code: "NOT_FOUND" | "INVALID_INPUT" | "CONFLICT" | "CORRUPTED" | "VERSION_MISMATCH" | "LOCKED" | "IO" | "BACKEND" | "CLOSED";
  /** The rejected argument or field, for `INVALID_INPUT`. */
  field?: string;
}
"#;
