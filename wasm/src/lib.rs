//! # neotalk-storage-wasm
//!
//! The WebAssembly binding of `neotalk-storage` on the in-memory backend, for browsers and
//! Node. It converts types and errors and holds no store logic:
//!
//! - JS classes `StorageManager`, `TimeSeriesStore`, `DeviceStateStore`, `EventLogStore`,
//!   `AlertStore`, `RuleHistoryStore`, `VectorStore`, `SessionStore` with camelCase methods mirroring the core stores, and
//!   snapshot export / import in the backup format shared with the native build;
//! - records are plain JS objects with the core's (seed's) snake_case field names, typed by
//!   the TypeScript declarations below;
//! - telemetry batches and range results travel as packed `Float64Array`s (timestamps in
//!   Unix ms, values);
//! - every failure is thrown as an `Error` whose `code` is `StorageError::code()`
//!   (`INVALID_INPUT` also carries `field`).
#![warn(missing_docs)]

mod alerts;
mod convert;
mod devices;
mod error;
mod events;
mod manager;
mod rules;
mod sessions;
mod snapshot;
mod timeseries;
mod vectors;

pub use alerts::JsAlertStore;
pub use devices::JsDeviceStateStore;
pub use events::JsEventLogStore;
pub use manager::JsStorageManager;
pub use rules::JsRuleHistoryStore;
pub use sessions::JsSessionStore;
pub use timeseries::JsTimeSeriesStore;
pub use vectors::JsVectorStore;

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

export type AlertSeverity = "Info" | "Warning" | "Error" | "Critical";

/** A stored alert. */
export interface AlertRecord {
  alert_id: string;
  title: string;
  severity: AlertSeverity;
  message: string;
  entity_id: string | null;
  entity_type: string | null;
  created_at: number;
  acknowledged: boolean;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  resolved_at: number | null;
  /** What raised it: "rule", "llm", "workflow", "manual", ... */
  source: string;
}

/** Argument of `AlertStore.create`: fields left out are null / false / "" (message). */
export type AlertInput = Pick<AlertRecord, "alert_id" | "title" | "severity" | "created_at" | "source"> &
  Partial<Omit<AlertRecord, "alert_id" | "title" | "severity" | "created_at" | "source">>;

export interface SeverityCounts {
  info: number;
  warning: number;
  error: number;
  critical: number;
}

/** One action a rule execution ran. */
export interface RuleActionRecord {
  action_type: string;
  action_data: unknown;
  success: boolean;
  error?: string | null;
}

/** Outcome of a rule execution. */
export type ExecutionResult =
  | "Success"
  | { PartialSuccess: { failed_actions: string[] } }
  | { Failed: { error: string } };

/** A stored rule execution. */
export interface RuleExecutionRecord {
  execution_id: string;
  rule_id: string;
  rule_name: string;
  triggered_at: number;
  trigger_value: number | null;
  condition_met: boolean;
  actions: RuleActionRecord[];
  result: ExecutionResult;
  duration_ms: number;
}

/** Argument of `RuleHistoryStore.record`: fields left out take the defaults (no trigger
 *  value, condition met, no actions, duration 0). */
export type RuleExecutionInput = Pick<RuleExecutionRecord, "execution_id" | "rule_id" | "rule_name" | "triggered_at" | "result"> &
  Partial<Omit<RuleExecutionRecord, "execution_id" | "rule_id" | "rule_name" | "triggered_at" | "result">>;

export interface RuleStatistics {
  rule_id: string;
  triggers: number;
  condition_met: number;
  success: number;
  partial_success: number;
  failed: number;
  mean_duration_ms: number;
  max_duration_ms: number;
}

export type DistanceMetric = "Cosine" | "Euclidean" | "DotProduct";

export interface CollectionInfo {
  name: string;
  dimension: number;
  metric: DistanceMetric;
}

/** A stored vector document. */
export interface VectorDocument {
  id: string;
  embedding: Float32Array;
  metadata: unknown;
}

/** Keeps documents whose metadata has top-level `field` equal to `value`. */
export interface VectorFilter {
  field: string;
  value: unknown;
}

/** One search result; higher `score` is closer. */
export interface VectorMatch {
  id: string;
  score: number;
  metadata: unknown;
}

/** One chat message; `role` is "user", "assistant", "system" or "tool". */
export interface SessionMessage {
  role: "user" | "assistant" | "system" | "tool";
  content: string;
  tool_calls?: unknown[] | null;
  tool_call_id?: string | null;
  thinking?: string | null;
  timestamp: number;
}

export interface SequencedMessage {
  sequence: number;
  message: SessionMessage;
}

export interface SessionInfo {
  session_id: string;
  title: string;
  created_at: number;
  updated_at: number;
  message_count: number;
  last_sequence: number;
}

export interface SessionSummary {
  session_id: string;
  summary: string;
  updated_at: number;
}

/** What `StorageManager.importSnapshot` restored. */
export interface ImportedSnapshot {
  kind: "full" | "incremental" | "selective";
  created_at: number;
  source_format_version: number;
  total_entries: number;
  tables: { name: string; entries: number }[];
}

export interface TableStats {
  count: number;
  size_bytes: number;
  last_write: number;
}

export interface QueryPerformance {
  total_queries: number;
  avg_latency_ms: number;
  p95_latency_ms: number;
  p99_latency_ms: number;
  queries_per_second: number;
}

export interface StorageStats {
  database_size_bytes: number;
  table_stats: Record<string, TableStats>;
  query_performance: QueryPerformance;
}

/** What every method throws: `code` is one of the `StorageError` codes. */
export interface StorageError extends Error {
  name: "StorageError";
  code: "NOT_FOUND" | "INVALID_INPUT" | "CONFLICT" | "CORRUPTED" | "VERSION_MISMATCH" | "LOCKED" | "IO" | "BACKEND" | "CLOSED";
  /** The rejected argument or field, for `INVALID_INPUT`. */
  field?: string;
}
"#;
