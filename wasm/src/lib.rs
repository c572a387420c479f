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
//! - records are plain JS objects whose fields are the core's (seed's) names in camelCase
//!   (`deviceId`, `bucketStart`; arguments take camelCase or snake_case, see `case.rs`), typed
//!   by the TypeScript declarations below; keys of maps (event data, metadata) are the caller's;
//! - telemetry batches and range results travel as packed `Float64Array`s (timestamps in
//!   Unix ms, values);
//! - every failure is thrown as an `Error` whose `code` is `StorageError::code()`
//!   (`INVALID_INPUT` also carries `field`).
#![warn(missing_docs)]

mod alerts;
mod case;
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
  deviceId: string;
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
  bucketStart: number;
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
  binaryBytes?: number;
}

export type MdlDataType = "Float" | "Integer" | "String" | "Boolean";

export interface MdlMetric {
  name: string;
  dataType: MdlDataType;
  unit?: string | null;
}

export interface MdlParameter {
  name: string;
  dataType: MdlDataType;
  required: boolean;
}

export interface MdlCommand {
  name: string;
  parameters: MdlParameter[];
}

/** Typed device-type description (MDL). */
export interface MdlDeviceType {
  typeId: string;
  name: string;
  metrics: MdlMetric[];
  commands: MdlCommand[];
}

/** The current state of a device. */
export interface DeviceState {
  deviceId: string;
  deviceType: string;
  name: string;
  online: boolean;
  lastSeen: number;
  metrics: Record<string, MetricSnapshot>;
  config: unknown;
  mdlDefinition: MdlDeviceType | null;
  adapter: string;
}

/** Argument of `DeviceStateStore.upsert`: fields left out take the defaults (name = id,
 *  online, last_seen 0, no metrics, config null, no MDL definition, adapter ""). */
export type DeviceInput = Pick<DeviceState, "deviceId" | "deviceType"> &
  Partial<Omit<DeviceState, "deviceId" | "deviceType">>;

export interface EventMetadata {
  correlationId?: string | null;
  causationId?: string | null;
  source: string;
  timestamp: number;
}

/** An event to append (`event_data` null when left out). */
export interface NewEvent {
  eventId: string;
  eventType: string;
  eventData?: unknown;
  metadata: EventMetadata;
}

/** A stored event with its position in the log. */
export interface EventLogEntry extends NewEvent {
  eventData: unknown;
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
  maxSizeMb: number;
  byType: Record<string, RetentionWindow>;
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
  overSize: number;
}

export interface TableSize {
  name: string;
  entries: number;
  storedBytes: number;
}

export interface WriteBufferOptions {
  maxPoints: number;
  maxDelayMs: number;
}

export interface StorageOptions {
  durability: "Immediate" | "Eventual";
  writeBuffer: WriteBufferOptions;
  deviceCacheEntries: number;
  seriesCacheEntries: number;
  pageCacheBytes: number;
  splitFiles: boolean;
  rollups: RollupConfig;
  /** Largest binary telemetry value accepted, in bytes (16 MiB by default). */
  maxBinaryValueBytes: number;
}

/** One rollup tier: buckets of `every` kept for `keep` (`"1m"`, `"90d"`, `"forever"`). */
export interface RollupTier {
  every: RetentionWindow;
  keep: RetentionWindow;
}

/** Which series get which tiers: by metric, else by device type, else `tiers`. */
export interface RollupConfig {
  tiers: RollupTier[];
  byMetric: Record<string, RollupTier[]>;
  byDeviceType: Record<string, RollupTier[]>;
}

/** Argument of the `StorageManager` constructor: fields left out (nested ones too) take the
 *  core's defaults (`StorageManager.defaultOptions()`); an unknown field is `INVALID_INPUT`. */
export type StorageOptionsInput = Partial<Omit<StorageOptions, "writeBuffer" | "rollups">> & {
  writeBuffer?: Partial<WriteBufferOptions>;
  rollups?: Partial<RollupConfig>;
};

export type AlertSeverity = "Info" | "Warning" | "Error" | "Critical";

/** A stored alert. */
export interface AlertRecord {
  alertId: string;
  title: string;
  severity: AlertSeverity;
  message: string;
  entityId: string | null;
  entityType: string | null;
  createdAt: number;
  acknowledged: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  /** What raised it: "rule", "llm", "workflow", "manual", ... */
  source: string;
}

/** Argument of `AlertStore.create`: fields left out are null / false / "" (message). */
export type AlertInput = Pick<AlertRecord, "alertId" | "title" | "severity" | "createdAt" | "source"> &
  Partial<Omit<AlertRecord, "alertId" | "title" | "severity" | "createdAt" | "source">>;

export interface SeverityCounts {
  info: number;
  warning: number;
  error: number;
  critical: number;
}

/** One action a rule execution ran. */
export interface RuleActionRecord {
  actionType: string;
  actionData: unknown;
  success: boolean;
  error?: string | null;
}

/** Outcome of a rule execution. */
export type ExecutionResult =
  | "Success"
  | { PartialSuccess: { failedActions: string[] } }
  | { Failed: { error: string } };

/** A stored rule execution. */
export interface RuleExecutionRecord {
  executionId: string;
  ruleId: string;
  ruleName: string;
  triggeredAt: number;
  triggerValue: number | null;
  conditionMet: boolean;
  actions: RuleActionRecord[];
  result: ExecutionResult;
  durationMs: number;
}

/** Argument of `RuleHistoryStore.record`: fields left out take the defaults (no trigger
 *  value, condition met, no actions, duration 0). */
export type RuleExecutionInput = Pick<RuleExecutionRecord, "executionId" | "ruleId" | "ruleName" | "triggeredAt" | "result"> &
  Partial<Omit<RuleExecutionRecord, "executionId" | "ruleId" | "ruleName" | "triggeredAt" | "result">>;

export interface RuleStatistics {
  ruleId: string;
  triggers: number;
  conditionMet: number;
  success: number;
  partialSuccess: number;
  failed: number;
  meanDurationMs: number;
  maxDurationMs: number;
}

export type ExecutionStatus = "Running" | "Completed" | "Failed" | "Cancelled";

/** One step of a workflow run. */
export interface StepExecutionRecord {
  stepId: string;
  stepName: string;
  stepType: string;
  startedAt: number;
  finishedAt: number | null;
  status: ExecutionStatus;
  input: unknown;
  output: unknown;
  error: string | null;
}

/** Argument of `WorkflowHistoryStore.recordStep`: fields left out are null / `Running`. */
export type StepInput = Pick<StepExecutionRecord, "stepId" | "stepName" | "stepType" | "startedAt"> &
  Partial<Omit<StepExecutionRecord, "stepId" | "stepName" | "stepType" | "startedAt">>;

/** A stored workflow run. */
export interface WorkflowExecutionRecord {
  executionId: string;
  workflowId: string;
  workflowName: string;
  /** What started it: "event", "cron", "manual", "llm_decision", ... */
  triggerType: string;
  triggerData: unknown;
  startedAt: number;
  finishedAt: number | null;
  status: ExecutionStatus;
  steps: StepExecutionRecord[];
  inputs: unknown;
  outputs: unknown;
  error: string | null;
}

/** Argument of `WorkflowHistoryStore.start` / `update`: fields left out take the defaults
 *  (`Running`, no steps, null data). */
export type WorkflowRunInput = Pick<WorkflowExecutionRecord, "executionId" | "workflowId" | "workflowName" | "triggerType" | "startedAt"> &
  Partial<Omit<WorkflowExecutionRecord, "executionId" | "workflowId" | "workflowName" | "triggerType" | "startedAt" | "steps">> &
  { steps?: StepInput[] | null };

export type DecisionStatus = "Proposed" | "Approved" | "Rejected" | "AutoExecuted" | "Expired";

export interface ProposedAction {
  /** "control_device", "create_rule", "notify_user", ... */
  actionType: string;
  description: string;
  parameters: unknown;
}

export interface UserResponse {
  userId: string;
  /** "approved", "rejected", "modified", ... */
  response: string;
  respondedAt: number;
  comments?: string | null;
}

/** A stored LLM decision. */
export interface DecisionRecord {
  decisionId: string;
  title: string;
  description: string;
  reasoning: string;
  proposedActions: ProposedAction[];
  /** 0 to 1 (stored as f32). */
  confidence: number;
  createdAt: number;
  status: DecisionStatus;
  userResponse: UserResponse | null;
  executionResult: ExecutionResult | null;
  reviewId: string | null;
}

/** Argument of `DecisionStore.create`: fields left out are "" / [] / null / `Proposed`. */
export type DecisionInput = Pick<DecisionRecord, "decisionId" | "title" | "confidence" | "createdAt"> &
  Partial<Omit<DecisionRecord, "decisionId" | "title" | "confidence" | "createdAt" | "proposedActions">> &
  { proposedActions?: (Pick<ProposedAction, "actionType"> & Partial<ProposedAction>)[] | null };

export interface RecordRetention {
  keep: RetentionWindow;
}

export interface TimeSeriesRetention {
  keep: RetentionWindow;
  byMetric: Record<string, RetentionWindow>;
  byDeviceType: Record<string, RetentionWindow>;
}

/** `retention.yaml`: how long each store keeps its records. */
export interface RetentionConfig {
  timeseries: TimeSeriesRetention;
  events: EventRetention;
  ruleHistory: RecordRetention;
  workflowHistory: RecordRetention;
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
  entriesChecked: number;
  damagedCount: number;
  damaged: DamagedEntry[];
  engineProblem: string | null;
  engineChecked: boolean;
}

/** What `DataCleanupTask.run` removed, by store, and which stores failed. */
export interface CleanupReport {
  removed: Record<string, number>;
  failed: Record<string, string>;
}

export interface CompactionReport {
  beforeBytes: number;
  afterBytes: number;
}

/** What `StorageManager.importSnapshot` restored. */
export interface ImportedSnapshot {
  kind: "full" | "incremental" | "selective";
  createdAt: number;
  sourceFormatVersion: number;
  totalEntries: number;
  tables: { name: string; entries: number }[];
}

export interface TableStats {
  count: number;
  sizeBytes: number;
  lastWrite: number;
}

export interface QueryPerformance {
  totalQueries: number;
  avgLatencyMs: number;
  p95LatencyMs: number;
  p99LatencyMs: number;
  queriesPerSecond: number;
}

export interface StorageStats {
  databaseSizeBytes: number;
  tableStats: Record<string, TableStats>;
  queryPerformance: QueryPerformance;
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
  storage: { dataDir: string; timeseriesRetentionDays: number; eventLogRetentionDays: number; alertsRetentionDays: number; splitFiles: boolean };
  llm: { provider: string; model: string; endpoint: string | null; timeoutSecs: number };
  events: { persist: boolean; channelCapacity: number };
  backup: { backupDir: string; intervalHours: number; retainCount: number; enabledBackups: BackupType[] };
  maintenance: { flushIntervalSecs: number; cleanupIntervalMinutes: number; compactIntervalHours: number };
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
  toolCalls?: unknown[] | null;
  toolCallId?: string | null;
  thinking?: string | null;
  timestamp: number;
}

export interface SequencedMessage {
  sequence: number;
  message: SessionMessage;
}

export interface SessionInfo {
  sessionId: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  lastSequence: number;
}

export interface SessionSummary {
  sessionId: string;
  summary: string;
  updatedAt: number;
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
  expiresAt: number | null;
}

/** A stored long-term memory. */
export interface MemoryEntry {
  memoryId: string;
  memoryType: MemoryType;
  content: string;
  embedding: Float32Array | null;
  metadata: MemoryMetadata;
  createdAt: number;
  lastAccessed: number | null;
  accessCount: number;
}

/** Argument of `LongTermMemoryStore.add` / `update`: fields left out take the defaults (no
 *  embedding, importance 0.5, no keywords, entities or expiry, never accessed). */
export type MemoryInput = Pick<MemoryEntry, "memoryId" | "memoryType" | "content" | "createdAt"> & {
  embedding?: Float32Array | number[] | null;
  metadata?: Partial<MemoryMetadata> | null;
  lastAccessed?: number | null;
  accessCount?: number | null;
};

/** A memory search result; higher `score` is better (BM25, cosine or fused rank). */
export interface MemoryHit {
  entry: MemoryEntry;
  score: number;
}
"#;
