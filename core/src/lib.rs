//! # neotalk-storage
//!
//! Embedded storage for the NeoTalk edge IoT + LLM platform: device telemetry, device state
//! and an event log (more stores follow), on a redb file natively or in memory (tests, wasm).
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

pub mod alerts;
#[cfg(feature = "tokio")]
mod async_api;
pub mod backend;
mod cleanup;
pub mod backup;
mod cache;
pub mod clock;
pub mod config;
pub mod decisions;
pub mod device_state;
mod engine;
pub mod error;
pub mod event_log;
#[doc(hidden)]
pub mod fuzzing;
pub mod key;
pub mod limits;
mod indexed_records;
mod layout;
mod manager;
mod names;
pub mod rule_history;
pub mod timeseries;
pub mod workflow_history;
pub mod memory;
mod query;
pub mod sessions;
pub mod stats;
pub mod vectors;

pub use backup::{BackupConfig, BackupType, Snapshot, SnapshotKind};
pub use config::{ConfigStore, RetentionConfig, SystemConfig};
pub use alerts::{AlertRecord, AlertSeverity, AlertStore, SeverityCounts};
pub use decisions::{DecisionRecord, DecisionStatus, DecisionStore, ProposedAction, UserResponse};
#[cfg(feature = "tokio")]
pub use async_api::{AsyncStorage, JobStatus, Maintenance, RunningMaintenance};
pub use cleanup::{Cleanable, CleanupReport, DataCleanupTask};
pub use device_state::{DeviceState, DeviceStateStore, MdlCommand, MdlDataType, MdlDeviceType, MdlMetric, MdlParameter, MetricSnapshot};
pub use engine::{Durability, FORMAT_VERSION};
pub use error::{Result, StorageError};
pub use event_log::{EventCleanup, EventLogEntry, EventLogStore, EventMetadata, EventRetention, NewEvent};
pub use query::StorageQuery;
pub use manager::{CompactionReport, StorageManager, StorageOptions, DATABASE_FILE};
pub use stats::{QueryPerformance, StorageStats, TableStats};
pub use rule_history::{ExecutionResult, RuleActionRecord, RuleExecutionRecord, RuleHistoryStore, RuleStatistics};
pub use timeseries::{AggregateBucket, DataPoint, MetricValue, RangeOptions, TelemetryPoint, TimeSeriesCleanup, TimeSeriesRetention, TimeSeriesStore, WriteBufferOptions};
pub use workflow_history::{ExecutionStatus, StepExecutionRecord, WorkflowExecutionRecord, WorkflowHistoryStore};
pub use memory::{tokenize, LongTermMemoryStore, MemoryEntry, MemoryHit, MemoryMetadata, MemoryType};
pub use sessions::{SequencedMessage, SessionInfo, SessionMessage, SessionStore, SessionSummary};
pub use vectors::{CollectionInfo, DistanceMetric, Quantization, VectorDocument, VectorFilter, VectorMatch, VectorStore};
