//! # neotalk-storage-wasm
//!
//! The WebAssembly binding of `neotalk-storage` on the in-memory backend, for browsers and
//! Node. It converts types and errors and holds no store logic:
//!
//! - JS classes `StorageManager`, `TimeSeriesStore`, `DeviceStateStore`, `EventLogStore`,
//!   `AlertStore`, `RuleHistoryStore`, `WorkflowHistoryStore`, `DecisionStore`,
//!   `LongTermMemoryStore`, `VectorStore`, `SessionStore`, `ConfigStore` and
//!   `DataCleanupTask` with camelCase methods mirroring the core, and snapshot export /
//!   import in the backup format shared with the native build;
//! - enum arguments are names parsed by the core's `FromStr` (any case); enums inside
//!   records use the exact serialized names;
//! - records are plain JS objects with the core's (seed's) snake_case field names, typed by
//!   the TypeScript declarations below;
//! - telemetry batches and range results travel as packed `Float64Array`s (timestamps in
//!   Unix ms, values);
//! - every failure is thrown as an `Error` whose `code` is `StorageError::code()`
//!   (`INVALID_INPUT` also carries `field`).
#![warn(missing_docs)]

mod alerts;
mod cleanup;
#[cfg(feature = "config")]
mod config;
mod convert;
mod decisions;
mod devices;
mod error;
mod events;
mod manager;
#[cfg(feature = "memory")]
mod memory;
mod rules;
#[cfg(feature = "sessions")]
mod sessions;
mod snapshot;
mod timeseries;
#[cfg(feature = "vectors")]
mod vectors;
mod workflows;

pub use alerts::JsAlertStore;
pub use cleanup::JsDataCleanupTask;
#[cfg(feature = "config")]
pub use config::JsConfigStore;
pub use decisions::JsDecisionStore;
pub use devices::JsDeviceStateStore;
pub use events::JsEventLogStore;
pub use manager::JsStorageManager;
#[cfg(feature = "memory")]
pub use memory::JsLongTermMemoryStore;
pub use rules::JsRuleHistoryStore;
#[cfg(feature = "sessions")]
pub use sessions::JsSessionStore;
pub use timeseries::JsTimeSeriesStore;
#[cfg(feature = "vectors")]
pub use vectors::JsVectorStore;
pub use workflows::JsWorkflowHistoryStore;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const RECORD_TYPES: &'static str = r#"
/** A telemetry value: a number (integer or float), a flag, text or bytes (at most
 * `max_binary_value_bytes`, 16 MiB by default). */
export type MetricValue = number | boolean | string | Uint8Array;

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
  /** For a binary value, an empty `Uint8Array`: the snapshot keeps its size only. */
  value: MetricValue;
  timestamp: number;
  quality?: number | null;
  /** The size in bytes of a binary value (left out for other values). */
  binary_bytes?: number;
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

/** An event to append (`event_data` null when left out). */
export interface NewEvent {
  event_id: string;
  event_type: string;
  event_data?: unknown;
  metadata: EventMetadata;
}

/** A stored event with its position in the log. */
export interface EventLogEntry extends NewEvent {
  event_data: unknown;
  sequence: number;
}

/** The sequences `appendBatch` assigned: `first..=last`; an empty batch gives `last === first - 1`. */
export interface SequenceRange {
  first: number;
  last: number;
}

/** How long records are kept: `"90d"`, `"36h"`, `"15m"`, `"30s"`, `"2w"` or `"forever"`. */
export type RetentionWindow = string;
/** A window as an argument: also a number of whole days (`7` is `"7d"`). */
export type RetentionWindowInput = RetentionWindow | number;

export interface EventRetention {
  keep: RetentionWindow;
  max_size_mb: number;
  by_type: Record<string, RetentionWindow>;
}

/** A retention section as an argument: fields may be left out, windows may be numbers of
 * days, and the seed's `days` is accepted for `keep`. */
export type WindowsInput<T> = {
  [K in keyof T]?: T[K] extends RetentionWindow ? RetentionWindowInput
    : T[K] extends Record<string, RetentionWindow> ? Record<string, RetentionWindowInput> : T[K];
} & { days?: number };

export type EventRetentionInput = WindowsInput<EventRetention>;

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
  split_files: boolean;
  rollups: RollupConfig;
  /** Largest binary telemetry value accepted, in bytes (16 MiB by default). */
  max_binary_value_bytes: number;
}

/** One rollup tier: buckets of `every` kept for `keep` (`"1m"`, `"90d"`, `"forever"`). */
export interface RollupTier {
  every: RetentionWindow;
  keep: RetentionWindow;
}

/** Which series get which tiers: by metric, else by device type, else `tiers`. */
export interface RollupConfig {
  tiers: RollupTier[];
  by_metric: Record<string, RollupTier[]>;
  by_device_type: Record<string, RollupTier[]>;
}

/** Argument of the `StorageManager` constructor: fields left out (nested ones too) take the
 *  core's defaults (`StorageManager.defaultOptions()`); an unknown field is `INVALID_INPUT`. */
export type StorageOptionsInput = Partial<Omit<StorageOptions, "write_buffer" | "rollups">> & {
  write_buffer?: Partial<WriteBufferOptions>;
  rollups?: Partial<RollupConfig>;
};

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

export type ExecutionStatus = "Running" | "Completed" | "Failed" | "Cancelled";

/** One step of a workflow run. */
export interface StepExecutionRecord {
  step_id: string;
  step_name: string;
  step_type: string;
  started_at: number;
  finished_at: number | null;
  status: ExecutionStatus;
  input: unknown;
  output: unknown;
  error: string | null;
}

/** Argument of `WorkflowHistoryStore.recordStep`: fields left out are null / `Running`. */
export type StepInput = Pick<StepExecutionRecord, "step_id" | "step_name" | "step_type" | "started_at"> &
  Partial<Omit<StepExecutionRecord, "step_id" | "step_name" | "step_type" | "started_at">>;

/** A stored workflow run. */
export interface WorkflowExecutionRecord {
  execution_id: string;
  workflow_id: string;
  workflow_name: string;
  /** What started it: "event", "cron", "manual", "llm_decision", ... */
  trigger_type: string;
  trigger_data: unknown;
  started_at: number;
  finished_at: number | null;
  status: ExecutionStatus;
  steps: StepExecutionRecord[];
  inputs: unknown;
  outputs: unknown;
  error: string | null;
}

/** Argument of `WorkflowHistoryStore.start` / `update`: fields left out take the defaults
 *  (`Running`, no steps, null data). */
export type WorkflowRunInput = Pick<WorkflowExecutionRecord, "execution_id" | "workflow_id" | "workflow_name" | "trigger_type" | "started_at"> &
  Partial<Omit<WorkflowExecutionRecord, "execution_id" | "workflow_id" | "workflow_name" | "trigger_type" | "started_at" | "steps">> &
  { steps?: StepInput[] | null };

export type DecisionStatus = "Proposed" | "Approved" | "Rejected" | "AutoExecuted" | "Expired";

export interface ProposedAction {
  /** "control_device", "create_rule", "notify_user", ... */
  action_type: string;
  description: string;
  parameters: unknown;
}

export interface UserResponse {
  user_id: string;
  /** "approved", "rejected", "modified", ... */
  response: string;
  responded_at: number;
  comments?: string | null;
}

/** A stored LLM decision. */
export interface DecisionRecord {
  decision_id: string;
  title: string;
  description: string;
  reasoning: string;
  proposed_actions: ProposedAction[];
  /** 0 to 1 (stored as f32). */
  confidence: number;
  created_at: number;
  status: DecisionStatus;
  user_response: UserResponse | null;
  execution_result: ExecutionResult | null;
  review_id: string | null;
}

/** Argument of `DecisionStore.create`: fields left out are "" / [] / null / `Proposed`. */
export type DecisionInput = Pick<DecisionRecord, "decision_id" | "title" | "confidence" | "created_at"> &
  Partial<Omit<DecisionRecord, "decision_id" | "title" | "confidence" | "created_at" | "proposed_actions">> &
  { proposed_actions?: (Pick<ProposedAction, "action_type"> & Partial<ProposedAction>)[] | null };

export interface RecordRetention {
  keep: RetentionWindow;
}

export interface TimeSeriesRetention {
  keep: RetentionWindow;
  by_metric: Record<string, RetentionWindow>;
  by_device_type: Record<string, RetentionWindow>;
}

/** `retention.yaml`: how long each store keeps its records. */
export interface RetentionConfig {
  timeseries: TimeSeriesRetention;
  events: EventRetention;
  rule_history: RecordRetention;
  workflow_history: RecordRetention;
  alerts: RecordRetention;
  decisions: RecordRetention;
  sessions: RecordRetention;
}

/** A `RetentionConfig` whose sections and fields may be left out (they take the defaults);
 * windows may be numbers of days, under the seed's names too (`days`, `default_days`). */
export type RetentionInput = {
  [K in keyof RetentionConfig]?: WindowsInput<RetentionConfig[K]> & (K extends "timeseries" ? { default_days?: number } : unknown);
};

/** One damaged entry of an `IntegrityReport`. */
export interface DamagedEntry {
  table: string;
  key: string;
  what: string | null;
  problem: string;
}

/** What `integrityReport()` found: damage is reported here, not thrown. */
export interface IntegrityReport {
  ok: boolean;
  entries_checked: number;
  damaged_count: number;
  damaged: DamagedEntry[];
  engine_problem: string | null;
  engine_checked: boolean;
}

/** What `DataCleanupTask.run` removed, by store, and which stores failed. */
export interface CleanupReport {
  removed: Record<string, number>;
  failed: Record<string, string>;
}

export interface CompactionReport {
  before_bytes: number;
  after_bytes: number;
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
  code: "NOT_FOUND" | "INVALID_INPUT" | "CONFLICT" | "CORRUPTED" | "VERSION_MISMATCH" | "LOCKED" | "IO" | "BACKEND" | "CLOSED" | "READ_ONLY";
  /** The rejected argument or field, for `INVALID_INPUT`. */
  field?: string;
}
"#;

/// Declarations of the `config` feature's `ConfigStore` (the `full` entry point).
#[cfg(feature = "config")]
#[wasm_bindgen(typescript_custom_section)]
const CONFIG_TYPES: &'static str = r#"
/** The YAML files of a config tree. */
export type ConfigFile = "system.yaml" | "retention.yaml" | "adapters.yaml";

export type BackupType = { type: "full" } | { type: "incremental" } | { type: "selective"; tables: string[] };

/** `system.yaml`. */
export interface SystemConfig {
  api: { host: string; port: number };
  storage: { data_dir: string; timeseries_retention_days: number; event_log_retention_days: number; alerts_retention_days: number; split_files: boolean };
  llm: { provider: string; model: string; endpoint: string | null; timeout_secs: number };
  events: { persist: boolean; channel_capacity: number };
  backup: { backup_dir: string; interval_hours: number; retain_count: number; enabled_backups: BackupType[] };
  maintenance: { flush_interval_secs: number; cleanup_interval_minutes: number; compact_interval_hours: number };
}

/** Argument of `ConfigStore.setSystem`: sections and fields left out take the defaults. */
export type SystemInput = { [K in keyof SystemConfig]?: Partial<SystemConfig[K]> };

/** A problem in a config file. */
export interface ConfigError {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field ("api.port"; "." for the document). */
  field: string;
  message: string;
}

export type DefinitionKind = "Rule" | "Workflow";

/** A rule or workflow definition file. */
export interface Definition {
  name: string;
  kind: DefinitionKind;
  text: string;
}
"#;

/// Declarations of the `vectors` feature's store (the `full` entry point).
#[cfg(feature = "vectors")]
#[wasm_bindgen(typescript_custom_section)]
const VECTOR_TYPES: &'static str = r#"
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
"#;

/// Declarations of the `sessions` feature's store (the `full` entry point).
#[cfg(feature = "sessions")]
#[wasm_bindgen(typescript_custom_section)]
const SESSION_TYPES: &'static str = r#"
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
"#;

/// Declarations of the `memory` feature's store (the `full` entry point).
#[cfg(feature = "memory")]
#[wasm_bindgen(typescript_custom_section)]
const MEMORY_TYPES: &'static str = r#"
export type MemoryType = "DeviceKnowledge" | "UserPreference" | "SystemKnowledge" | "HistoricalEvent" | "RuleExplanation" | "Other";

export interface MemoryMetadata {
  keywords: string[];
  /** 0 to 1 (stored as f32). */
  importance: number;
  entities: string[];
  expires_at: number | null;
}

/** A stored long-term memory. */
export interface MemoryEntry {
  memory_id: string;
  memory_type: MemoryType;
  content: string;
  embedding: Float32Array | null;
  metadata: MemoryMetadata;
  created_at: number;
  last_accessed: number | null;
  access_count: number;
}

/** Argument of `LongTermMemoryStore.add` / `update`: fields left out take the defaults (no
 *  embedding, importance 0.5, no keywords, entities or expiry, never accessed). */
export type MemoryInput = Pick<MemoryEntry, "memory_id" | "memory_type" | "content" | "created_at"> & {
  embedding?: Float32Array | number[] | null;
  metadata?: Partial<MemoryMetadata> | null;
  last_accessed?: number | null;
  access_count?: number | null;
};

/** A memory search result; higher `score` is better (BM25, cosine or fused rank). */
export interface MemoryHit {
  entry: MemoryEntry;
  score: number;
}
"#;
