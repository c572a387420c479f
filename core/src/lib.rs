//! # neotalk-storage
//!
//! Embedded storage for the NeoTalk edge IoT + LLM platform: device telemetry, device state
//! the event log, rule and workflow history, alerts, LLM decisions, chat sessions,
//! long-term memory, vectors and the YAML configuration, on a redb file natively or in memory (tests, wasm).
//!
//! ```
//! use neotalk_storage::{StorageManager, DataPoint, TelemetryPoint};
//! let db = StorageManager::in_memory().unwrap();
//! db.timeseries().write_batch(&[
//!     TelemetryPoint::new("thermo-1", "temperature", 1_000, 21.5),
//!     TelemetryPoint::new("thermo-1", "humidity", 1_000, 40i64),
//! ]).unwrap();
//! let dev = db.devices().get_device("thermo-1").unwrap().unwrap();
//! assert_eq!(dev.metrics["temperature"].timestamp, 1_000);
//! ```
#![warn(missing_docs)]

// The house has three floors; every module is private and the public API is the list of
// re-exports below.
mod error;
pub mod feed;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod json;
pub mod limits;
mod manager;
mod names;
mod ops;
mod page;
mod range;
mod retention_window;
mod storage;
mod stores;

pub use error::{Cause, Result, StorageError};
pub use feed::ChangeFeed;
pub use json::{from_json, from_json_value, invalid_json};
pub use manager::{CompactionReport, StorageManager, StorageOptions, DATABASE_FILE};
pub use page::Page;
pub use range::TimeRange;
pub use retention_window::RetentionWindow;
#[cfg(not(target_arch = "wasm32"))]
pub use storage::backend::RedbBackend;
pub use storage::backend::{Backend, Direction, KeyRange, MemoryBackend, ReadView, Scan, TableSize, Visitor, WriteBatch, WriteOp};
pub use storage::clock::unix_ms;
pub use storage::engine::{Durability, FORMAT_VERSION};
pub use storage::stats::{QueryPerformance, StorageStats, TableStats};

pub use stores::alerts::{AlertRecord, AlertSeverity, AlertStore, SeverityCounts};
pub use stores::decisions::{DecisionRecord, DecisionStatus, DecisionStore, ProposedAction, UserResponse};
pub use stores::device_state::{
    DeviceState, DeviceStateStore, MdlCommand, MdlDataType, MdlDeviceType, MdlMetric, MdlParameter, MetricSnapshot,
};
pub use stores::event_log::{
    EventCleanup, EventLogEntry, EventLogStore, EventMetadata, EventRetention, EventText, NewEvent, SequenceRange,
};
pub use stores::knowledge::{
    tokenize, LongTermMemoryStore, MemoryEntry, MemoryHit, MemoryMetadata, MemoryType, BM25_B, BM25_K1, MEMORY_COLLECTION, RRF_K,
};
pub use stores::rule_history::{ExecutionResult, RuleActionRecord, RuleExecutionRecord, RuleHistoryStore, RuleStatistics};
pub use stores::sessions::{SequencedMessage, SessionInfo, SessionMessage, SessionStore, SessionSummary, ROLES};
pub use stores::timeseries::{
    with_binary_as_bytes, AggregateBucket, Column, ColumnValues, Columns, DataPoint, MetricValue, RangeOptions, RollupConfig, RollupTier,
    TelemetryPoint, TimeSeriesCleanup, TimeSeriesRetention, TimeSeriesStore, ValueType, WriteBufferOptions,
};
pub use stores::vectors::{
    CollectionInfo, DistanceMetric, Quantization, VectorDocument, VectorFilter, VectorMatch, VectorStore, RESERVED_PREFIX,
};
pub use stores::workflow_history::{ExecutionStatus, StepExecutionRecord, WorkflowExecutionRecord, WorkflowHistoryStore};

#[cfg(feature = "tokio")]
pub use ops::async_api::{AsyncStorage, JobStatus, Maintenance, RunningMaintenance};
pub use ops::cleanup::{Cleanable, CleanupReport, DataCleanupTask};
pub use ops::config::{ConfigStore, RetentionConfig, SystemConfig};
pub use ops::integrity::{DamagedEntry, IntegrityReport, MAX_LISTED_DAMAGE};
pub use ops::query::StorageQuery;
#[cfg(not(target_arch = "wasm32"))]
pub use ops::salvage::SalvageReport;

/// Backup and restore: full, incremental and selective snapshot files, verified before
/// anything is replaced.
pub mod backup {
    pub use crate::ops::backup::{
        check_backup_id, BackupConfig, BackupType, BaseIndex, ChainState, Entry, Manifest, Snapshot, SnapshotKind, SnapshotOptions,
        TableData, TableManifest, TableMode, MAGIC, SNAPSHOT_VERSION,
    };
    // Backup files live on a file system; the in-memory (wasm) build has snapshots only.
    #[cfg(not(target_arch = "wasm32"))]
    pub use crate::ops::backup::{BackupInfo, BackupManager, RestoreManager, RestoreResult, VerifyReport, BACKUP_EXTENSION, SAFETY_LABEL};
}

/// The YAML configuration tree (`config/system.yaml`, `retention.yaml`, `adapters.yaml`,
/// `rules/`, `workflows/`), validated with file, line and field.
pub mod config {
    pub use crate::ops::config::{
        AdaptersConfig, ApiConfig, Config, ConfigError, ConfigStore, Definition, DefinitionKind, EventsConfig, EventsRetention, LlmConfig,
        MaintenanceConfig, RecordRetention, ReplicationConfig, ReplicationSink, RetentionConfig, StorageConfig, SystemConfig,
        TimeSeriesRetention, ADAPTERS_FILE, CONFIG_DIR, RETENTION_FILE, SYSTEM_FILE,
    };
}

pub use backup::{BackupConfig, BackupType, Snapshot, SnapshotKind};
