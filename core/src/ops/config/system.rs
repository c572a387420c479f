//! `system.yaml`: the seed's `SystemConfig` (api, storage, llm, events) plus backups.

use super::yaml::{at_least_one, port};
use crate::ops::backup::BackupConfig;
use crate::retention_window::RetentionWindow;
use serde::{Deserialize, Serialize};

/// Contents of `config/system.yaml`. Every section and field is optional in the file;
/// what is missing takes its default. Unknown fields are reported as errors (typos).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SystemConfig {
    /// HTTP API of the gateway.
    pub api: ApiConfig,
    /// Storage settings.
    pub storage: StorageConfig,
    /// LLM backend.
    pub llm: LlmConfig,
    /// Event bus.
    pub events: EventsConfig,
    /// Backups (the seed's `BackupConfig`; kept in `system.yaml` under `backup`).
    pub backup: BackupConfig,
    /// Intervals of the background maintenance jobs (`Maintenance::from_config`, feature
    /// `tokio`); the backup interval is `backup.interval_hours`.
    pub maintenance: MaintenanceConfig,
    /// Replication sinks, run on their intervals by the maintenance scheduler
    /// (`neotalk_storage_replicate::schedule`).
    pub replication: ReplicationConfig,
}

/// The `replication` section: where the gateway's data goes.
///
/// ```yaml
/// replication:
///   gateway_id: gateway-17
///   sinks:
///     - target: postgres://neotalk@fleet-db:5432/fleet
///       interval_secs: 10
///     - target: parquet:/mnt/archive
///       interval_secs: 3600
///       max_lag: forever
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplicationConfig {
    /// The id every row is keyed by (default: the host name).
    pub gateway_id: Option<String>,
    /// The sinks, each replicated on its own interval.
    pub sinks: Vec<ReplicationSink>,
}

/// One sink of [`ReplicationConfig`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicationSink {
    /// `postgres://USER[:PASSWORD]@HOST:PORT/DB` or `parquet:DIR`.
    pub target: String,
    /// Seconds between runs (default 10).
    #[serde(default = "ten", deserialize_with = "at_least_one")]
    pub interval_secs: u32,
    /// Undelivered changes older than this are dropped rather than held (default `7d`).
    #[serde(default = "seven_days")]
    pub max_lag: RetentionWindow,
    /// Undelivered bytes beyond which the oldest are dropped (default 1 GiB; 0: no limit).
    #[serde(default = "one_gib")]
    pub max_backlog_bytes: u64,
}

fn ten() -> u32 {
    10
}

fn seven_days() -> RetentionWindow {
    crate::feed::SinkOptions::default().max_lag
}

fn one_gib() -> u64 {
    crate::feed::SinkOptions::default().max_backlog_bytes
}

impl ReplicationSink {
    /// The sink's feed options.
    pub fn options(&self) -> crate::feed::SinkOptions {
        crate::feed::SinkOptions { max_lag: self.max_lag, max_backlog_bytes: self.max_backlog_bytes }
    }
}

/// How often the maintenance scheduler runs each job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MaintenanceConfig {
    /// Seconds between write-buffer flushes with a sync to disk (default 1).
    #[serde(deserialize_with = "at_least_one")]
    pub flush_interval_secs: u32,
    /// Minutes between retention cleanups with `retention.yaml` (default 60).
    #[serde(deserialize_with = "at_least_one")]
    pub cleanup_interval_minutes: u32,
    /// Hours between compactions (default 24; 0 turns compaction off).
    pub compact_interval_hours: u32,
}

impl Default for MaintenanceConfig {
    fn default() -> Self {
        MaintenanceConfig { flush_interval_secs: 1, cleanup_interval_minutes: 60, compact_interval_hours: 24 }
    }
}

/// API settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// Address to listen on (default `127.0.0.1`).
    pub host: String,
    /// Port to listen on (default 8080; 0 is refused).
    #[serde(deserialize_with = "port")]
    pub port: u16,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig { host: "127.0.0.1".into(), port: 8080 }
    }
}

/// Storage settings (the seed's `StorageConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Data directory (default `data`).
    pub data_dir: String,
    /// Days telemetry is kept (default 30; `retention.yaml` refines it per metric).
    #[serde(deserialize_with = "at_least_one")]
    pub timeseries_retention_days: u32,
    /// Days events are kept (default 7).
    #[serde(deserialize_with = "at_least_one")]
    pub event_log_retention_days: u32,
    /// Days alerts are kept (default 365).
    #[serde(deserialize_with = "at_least_one")]
    pub alerts_retention_days: u32,
    /// The seed's optional split: time series, vectors, sessions and events each in a file of
    /// their own (`timeseries.redb`, `vectors.redb`, `sessions/sessions.redb`,
    /// `events/events.redb`) so their writers do not queue behind each other. Default `false`:
    /// everything in `storage.redb`.
    pub split_files: bool,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            data_dir: "data".into(),
            timeseries_retention_days: 30,
            event_log_retention_days: 7,
            alerts_retention_days: 365,
            split_files: false,
        }
    }
}

/// LLM backend settings (opaque to storage; kept so the file round-trips).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// Provider name (default `ollama`).
    pub provider: String,
    /// Model name (default `qwen2.5:3b`).
    pub model: String,
    /// Endpoint URL (default none: the provider's default).
    pub endpoint: Option<String>,
    /// Request timeout in seconds (default 60).
    #[serde(deserialize_with = "at_least_one")]
    pub timeout_secs: u32,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig { provider: "ollama".into(), model: "qwen2.5:3b".into(), endpoint: None, timeout_secs: 60 }
    }
}

/// Event bus settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventsConfig {
    /// Whether events are written to the event log (default `true`).
    pub persist: bool,
    /// Events the in-process bus buffers per subscriber (default 1024).
    #[serde(deserialize_with = "at_least_one")]
    pub channel_capacity: u32,
}

impl Default for EventsConfig {
    fn default() -> Self {
        EventsConfig { persist: true, channel_capacity: 1024 }
    }
}
