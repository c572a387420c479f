//! Backup and restore: portable, versioned, checksummed snapshot files.
//!
//! - [`Snapshot`] writes one consistent read snapshot of every table (or some tables, or
//!   what changed since a base) as bytes, and verifies and decodes such bytes. It works on
//!   bytes in / bytes out, so the wasm build can export and import;
//!   `StorageManager::export_snapshot` / `import_snapshot` wrap it.
//! - [`BackupManager`] (native) writes backup files into the configured directory and
//!   removes old ones beyond `retain_count`; [`RestoreManager`] lists, verifies and restores
//!   them. A restore verifies the whole chain before it touches live data, and replaces the
//!   live data in one atomic write batch.
//!
//! ```
//! use neotalk_storage::{StorageManager, DataPoint};
//! let a = StorageManager::in_memory().unwrap();
//! a.timeseries().write_series("pump-7", "power", &[DataPoint::new(0, 1.5)]).unwrap();
//! let bytes = a.export_snapshot().unwrap();
//! let b = StorageManager::in_memory().unwrap();
//! b.import_snapshot(&bytes).unwrap();
//! assert_eq!(b.timeseries().query_latest("pump-7", "power").unwrap().unwrap().timestamp, 0);
//! ```

mod chain;
mod config;
mod format;
mod id;
#[cfg(not(target_arch = "wasm32"))]
mod manager;

pub use chain::ChainState;
pub use config::{BackupConfig, BackupType};
pub use format::{
    BaseIndex, Entry, Manifest, Snapshot, SnapshotKind, SnapshotOptions, TableData, TableManifest, TableMode, MAGIC, SNAPSHOT_VERSION,
};
pub use id::check_backup_id;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use id::generate as generate_id;
#[cfg(not(target_arch = "wasm32"))]
pub use manager::{BackupInfo, BackupManager, RestoreManager, RestoreResult, VerifyReport, BACKUP_EXTENSION, SAFETY_LABEL};
