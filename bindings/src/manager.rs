//! [`StorageManager`]: opens the database and hands out the stores.

use crate::alerts::AlertStore;
use crate::decisions::DecisionStore;
use crate::device_state::DeviceStateStore;
use crate::error::Result;
use crate::event_log::EventLogStore;
use crate::json;
use crate::memory::LongTermMemoryStore;
use crate::mirror::{from_core_all, mirror_record};
use crate::rule_history::RuleHistoryStore;
use crate::sessions::SessionStore;
use crate::timeseries::TimeSeriesStore;
use crate::vectors::VectorStore;
use crate::workflow_history::WorkflowHistoryStore;
use neotalk_storage as core;
use std::sync::Arc;

/// When a committed write is guaranteed to survive a crash or power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Durability {
    /// Every commit is fsynced before it returns (the default).
    Immediate,
    /// Commits are visible at once but reach the disk at the next `flush()`, `close()` or
    /// background sync. A crash loses at most that window; the file is never corrupted by it.
    Eventual,
}

/// Settings of the telemetry write buffer (group commit of single-point writes); a field left
/// unset keeps the core's default (`neotalk_storage::WriteBufferOptions::default()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, uniffi::Record)]
pub struct WriteBufferOptions {
    /// Points held before a flush is forced; `0` makes every `write` commit at once.
    #[uniffi(default)]
    pub max_points: Option<i64>,
    /// Age of the oldest buffered point that triggers a flush, in ms.
    #[uniffi(default)]
    pub max_delay_ms: Option<i64>,
}

/// Settings for opening a [`StorageManager`]; a field left unset keeps the core's default
/// (`neotalk_storage::StorageOptions::default()`, the same defaults C and JS get).
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct StorageOptions {
    /// When commits reach the disk.
    #[uniffi(default)]
    pub durability: Option<Durability>,
    /// Telemetry group-commit buffer.
    #[uniffi(default)]
    pub write_buffer: Option<WriteBufferOptions>,
    /// Device states held in the hot cache.
    #[uniffi(default)]
    pub device_cache_entries: Option<i64>,
    /// Latest points (one per series) held in the hot cache.
    #[uniffi(default)]
    pub series_cache_entries: Option<i64>,
    /// redb page cache, in bytes.
    #[uniffi(default)]
    pub page_cache_bytes: Option<i64>,
    /// A new database in the split layout: time series, vectors, sessions and events in files
    /// of their own (an existing database keeps its layout).
    #[uniffi(default)]
    pub split_files: Option<bool>,
    /// Rollup tiers as JSON of the core's `RollupConfig`, e.g.
    /// `{"tiers": [{"every": "1m", "keep": "90d"}, {"every": "1h", "keep": "5y"}]}`.
    #[uniffi(default)]
    pub rollups: Option<String>,
    /// Largest binary telemetry value accepted, in bytes (16 MiB by default, at most 256 MiB).
    #[uniffi(default)]
    pub max_binary_value_bytes: Option<i64>,
}

/// Inserts `value` under `key` when it is set.
fn set<T: Into<serde_json::Value>>(map: &mut serde_json::Map<String, serde_json::Value>, key: &str, value: Option<T>) {
    if let Some(v) = value {
        map.insert(key.into(), v.into());
    }
}

impl StorageOptions {
    /// The core options: the fields set here, decoded by the core over its own defaults
    /// (`neotalk_storage::from_json_value`), as C's and JS's options are.
    pub(crate) fn into_core(self) -> Result<core::StorageOptions> {
        let mut map = serde_json::Map::new();
        set(&mut map, "durability", self.durability.map(|d| format!("{d:?}")));
        if let Some(w) = self.write_buffer {
            let mut buffer = serde_json::Map::new();
            set(&mut buffer, "max_points", w.max_points);
            set(&mut buffer, "max_delay_ms", w.max_delay_ms);
            map.insert("write_buffer".into(), buffer.into());
        }
        set(&mut map, "device_cache_entries", self.device_cache_entries);
        set(&mut map, "series_cache_entries", self.series_cache_entries);
        set(&mut map, "page_cache_bytes", self.page_cache_bytes);
        set(&mut map, "split_files", self.split_files);
        set(&mut map, "max_binary_value_bytes", self.max_binary_value_bytes);
        if let Some(text) = self.rollups {
            map.insert("rollups".into(), core::from_json::<serde_json::Value>("rollups", &text)?);
        }
        Ok(core::from_json_value("options", map.into())?)
    }
}

mirror_record! {
    /// Entry count and size of one table.
    TableSize => core::TableSize {
        /// Table name.
        name: String,
        /// Number of entries.
        entries: i64,
        /// Bytes of keys and values stored (excluding engine overhead).
        stored_bytes: i64,
    }
}

/// The storage of one NeoTalk gateway: every store over one database.
///
/// `close()` commits buffered telemetry and releases the file; later calls on it or on its
/// stores fail with `Closed`. Closing twice is harmless.
#[derive(uniffi::Object)]
pub struct StorageManager {
    inner: core::StorageManager,
    timeseries: Arc<TimeSeriesStore>,
    devices: Arc<DeviceStateStore>,
    events: Arc<EventLogStore>,
    rule_history: Arc<RuleHistoryStore>,
    workflow_history: Arc<WorkflowHistoryStore>,
    alerts: Arc<AlertStore>,
    decisions: Arc<DecisionStore>,
    sessions: Arc<SessionStore>,
    memory: Arc<LongTermMemoryStore>,
    vectors: Arc<VectorStore>,
}

mirror_record! {
    /// Bytes of the database file before and after `compact()`.
    CompactionReport => core::CompactionReport {
        /// Bytes before compaction.
        before_bytes: i64,
        /// Bytes after compaction.
        after_bytes: i64,
    }
}

mirror_record! {
    /// One damaged entry of an [`IntegrityReport`].
    DamagedEntry => core::DamagedEntry {
        /// Table name.
        table: String,
        /// The entry's key as hex.
        key: String,
        /// What the key holds, when the store can tell (telemetry: series and chunk start).
        what: Option<String>,
        /// What is wrong.
        problem: String,
    }
}

mirror_record! {
    /// Outcome of `integrity_report()`: what is damaged, reported rather than raised.
    IntegrityReport => core::IntegrityReport {
        /// No damaged entry and redb's own check passed.
        ok: bool,
        /// Entries read whose checksum held.
        entries_checked: i64,
        /// Damaged entries found.
        damaged_count: i64,
        /// The first 1,000 of them.
        damaged: Vec<DamagedEntry>,
        /// What redb's structural check said, when it did not pass.
        engine_problem: Option<String>,
        /// Whether redb's structural check ran (not on a database opened read-only).
        engine_checked: bool,
    }
}

mirror_record! {
    /// Outcome of [`salvage`]: what was copied and which damaged entries were skipped.
    SalvageReport => core::SalvageReport {
        /// Entries copied into the new database (their checksums held).
        entries_copied: i64,
        /// Damaged entries skipped.
        damaged_count: i64,
        /// The first 1,000 of them.
        damaged: Vec<DamagedEntry>,
        /// Whether the damaged files needed recovery, so a recovered copy of them was read.
        read_from_copy: bool,
        /// Configuration files copied from `config/`.
        config_files_copied: i64,
    }
}

/// The recovery path for a damaged database: copies every entry of the database in
/// `damaged_dir` whose checksum holds into a new database in `out_dir` (which must not hold
/// one), skipping and listing the damaged ones; the damaged files are never written.
#[uniffi::export]
pub fn salvage(damaged_dir: String, out_dir: String) -> Result<SalvageReport> {
    Ok(core::StorageManager::salvage(damaged_dir, out_dir)?.into())
}

impl StorageManager {
    fn wrap(inner: core::StorageManager) -> Arc<Self> {
        Arc::new(StorageManager {
            timeseries: TimeSeriesStore::new(inner.timeseries().clone()),
            devices: DeviceStateStore::new(inner.devices().clone()),
            events: EventLogStore::new(inner.events().clone()),
            rule_history: RuleHistoryStore::new(inner.rule_history().clone()),
            workflow_history: WorkflowHistoryStore::new(inner.workflow_history().clone()),
            alerts: AlertStore::new(inner.alerts().clone()),
            decisions: DecisionStore::new(inner.decisions().clone()),
            sessions: SessionStore::new(inner.sessions().clone()),
            memory: LongTermMemoryStore::new(inner.memory().clone()),
            vectors: VectorStore::new(inner.vectors().clone()),
            inner,
        })
    }

    /// The core manager (for the cleanup and backup objects built over it).
    pub(crate) fn core(&self) -> &core::StorageManager {
        &self.inner
    }
}

#[uniffi::export]
impl StorageManager {
    /// Opens (creating if needed) the database in directory `path` (`path/storage.redb`).
    /// Fails with `Locked` when another handle has it open, `VersionMismatch` or `Corrupted`
    /// when the file is not one this build reads; the file is then left as it was.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>> {
        Ok(Self::wrap(core::StorageManager::open(path)?))
    }

    /// Opens the database in directory `path` with explicit options.
    #[uniffi::constructor]
    pub fn open_with(path: String, options: StorageOptions) -> Result<Arc<Self>> {
        Ok(Self::wrap(core::StorageManager::open_with(path, options.into_core()?)?))
    }

    /// Opens the existing database in directory `path` without ever writing to it
    /// (read-only media, or a copy under inspection); every write raises `ReadOnly`.
    #[uniffi::constructor]
    pub fn open_read_only(path: String) -> Result<Arc<Self>> {
        Ok(Self::wrap(core::StorageManager::open_read_only(path)?))
    }

    /// A fresh database in memory; it is gone when closed.
    #[uniffi::constructor]
    pub fn in_memory() -> Result<Arc<Self>> {
        Ok(Self::wrap(core::StorageManager::in_memory()?))
    }

    /// A fresh in-memory database with explicit options.
    #[uniffi::constructor]
    pub fn in_memory_with(options: StorageOptions) -> Result<Arc<Self>> {
        Ok(Self::wrap(core::StorageManager::in_memory_with(options.into_core()?)?))
    }

    /// Telemetry.
    pub fn timeseries(&self) -> Arc<TimeSeriesStore> {
        self.timeseries.clone()
    }

    /// Device states.
    pub fn devices(&self) -> Arc<DeviceStateStore> {
        self.devices.clone()
    }

    /// The event log.
    pub fn events(&self) -> Arc<EventLogStore> {
        self.events.clone()
    }

    /// Rule execution history.
    pub fn rule_history(&self) -> Arc<RuleHistoryStore> {
        self.rule_history.clone()
    }

    /// Workflow run history.
    pub fn workflow_history(&self) -> Arc<WorkflowHistoryStore> {
        self.workflow_history.clone()
    }

    /// Alerts.
    pub fn alerts(&self) -> Arc<AlertStore> {
        self.alerts.clone()
    }

    /// LLM decisions.
    pub fn decisions(&self) -> Arc<DecisionStore> {
        self.decisions.clone()
    }

    /// Chat sessions.
    pub fn sessions(&self) -> Arc<SessionStore> {
        self.sessions.clone()
    }

    /// Long-term memory.
    pub fn memory(&self) -> Arc<LongTermMemoryStore> {
        self.memory.clone()
    }

    /// Vector collections.
    pub fn vectors(&self) -> Arc<VectorStore> {
        self.vectors.clone()
    }

    /// Sizes and counts per table, last write times and query latency since open, as JSON
    /// of the core's `StorageStats`.
    pub fn stats(&self) -> Result<String> {
        json::text(&self.inner.stats()?)
    }

    /// Commits buffered telemetry, then rewrites the file to release freed space (a no-op
    /// in memory). `Conflict` while another thread holds a read snapshot.
    pub fn compact(&self) -> Result<CompactionReport> {
        Ok(self.inner.compact()?.into())
    }

    /// Checks every value's checksum and the file's structure; true when sound (always in
    /// memory). `integrity_report()` says what is damaged.
    pub fn check_integrity(&self) -> Result<bool> {
        Ok(self.inner.check_integrity()?)
    }

    /// Reads every entry, checking its checksum, and runs redb's structural check; lists
    /// what is damaged instead of raising (raises only when the database cannot be read).
    pub fn integrity_report(&self) -> Result<IntegrityReport> {
        Ok(self.inner.integrity_report()?.into())
    }

    /// A full snapshot of every table, as bytes (the backup file format).
    pub fn export_snapshot(&self) -> Result<Vec<u8>> {
        Ok(self.inner.export_snapshot()?)
    }

    /// Replaces the live data with a full (or selective) snapshot; returns its manifest as
    /// JSON. The snapshot is verified first, so a damaged one (`Corrupted`) leaves the data
    /// as it was.
    pub fn import_snapshot(&self, snapshot: Vec<u8>) -> Result<String> {
        json::text(&self.inner.import_snapshot(&snapshot)?)
    }

    /// The data directory, or none in memory.
    pub fn path(&self) -> Option<String> {
        self.inner.path().map(|p| p.to_string_lossy().into_owned())
    }

    /// `"redb"` or `"memory"`.
    pub fn backend_kind(&self) -> String {
        self.inner.backend_kind().to_string()
    }

    /// Whether the database uses the split file layout.
    pub fn is_split(&self) -> bool {
        self.inner.is_split()
    }

    /// Entry count and stored bytes of every table.
    pub fn table_sizes(&self) -> Result<Vec<TableSize>> {
        Ok(from_core_all(self.inner.table_sizes()?))
    }

    /// Commits buffered telemetry and makes every commit durable.
    pub fn flush(&self) -> Result<()> {
        Ok(self.inner.flush()?)
    }

    /// Flushes and releases the database; later calls on it and on its stores fail with
    /// `Closed`, and closing twice is harmless. Exported as `close_storage` because Kotlin's
    /// `AutoCloseable.close()` (which `use { }` calls) is uniffi's: it releases this handle,
    /// which closes the database the same way (see `Drop`) but cannot report an error.
    #[uniffi::method(name = "close_storage")]
    pub fn close(&self) -> Result<()> {
        Ok(self.inner.close()?)
    }
}

/// Releasing the handle closes the database: Kotlin's `close()` / `use { }` is then the one
/// close a Kotlin caller needs (flush, release the file, stores fail with `Closed`), and a
/// manager that the JVM's garbage collector frees does not keep the file locked while its
/// stores wait to be collected. So a caller keeps the manager while it uses the stores (the
/// Python layer's stores hold it for the caller). A failure here has no caller to go to; an
/// explicit `flush()` or `close_storage()` reports it.
impl Drop for StorageManager {
    fn drop(&mut self) {
        let _ = self.inner.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StorageError;
    use crate::timeseries::DataPoint;

    #[test]
    fn unset_options_keep_core_defaults() {
        assert_eq!(StorageOptions::default().into_core().unwrap(), core::StorageOptions::default());
        let o = StorageOptions {
            durability: Some(Durability::Eventual),
            page_cache_bytes: Some(1 << 20),
            write_buffer: Some(WriteBufferOptions { max_points: Some(0), max_delay_ms: None }),
            ..Default::default()
        }
        .into_core()
        .unwrap();
        assert_eq!(o.durability, core::Durability::Eventual);
        assert_eq!(o.page_cache_bytes, 1 << 20);
        assert_eq!(o.write_buffer.max_points, 0);
        assert_eq!(o.write_buffer.max_delay_ms, core::WriteBufferOptions::default().max_delay_ms);
        assert_eq!(o.device_cache_entries, core::StorageOptions::default().device_cache_entries);
    }

    #[test]
    fn releasing_the_manager_closes_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap().to_string();
        let db = StorageManager::open(path.clone()).unwrap();
        let events = db.events();
        let series = db.timeseries();
        series.write("d".into(), "m".into(), DataPoint::from(core::DataPoint::new(1, core::MetricValue::Float(2.5)))).unwrap();
        drop(db);
        assert!(matches!(events.last_sequence(), Err(StorageError::Closed(_))));
        // Flushed and released: the file opens again at once and holds the buffered point.
        let again = StorageManager::open(path).unwrap();
        assert_eq!(again.timeseries().query_latest("d".into(), "m".into()).unwrap().map(|p| p.timestamp), Some(1));
    }
}
