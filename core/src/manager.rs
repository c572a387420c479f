//! `StorageManager`: the facade that opens a backend and hands out the stores.

use crate::alerts::AlertStore;
use crate::backend::{Backend, MemoryBackend, TableSize, WriteBatch};
use crate::decisions::DecisionStore;
use crate::device_state::DeviceStateStore;
use crate::engine::{Durability, Engine, FORMAT_VERSION, FORMAT_VERSION_KEY, META};
use crate::error::{Result, StorageError};
use crate::event_log::EventLogStore;
use crate::memory::LongTermMemoryStore;
use crate::rule_history::RuleHistoryStore;
use crate::sessions::SessionStore;
use crate::timeseries::{TimeSeriesStore, WriteBufferOptions};
use crate::vectors::VectorStore;
use crate::workflow_history::WorkflowHistoryStore;
use parking_lot::Mutex;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "storage.redb";

/// Settings for opening a [`StorageManager`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StorageOptions {
    /// When commits reach the disk.
    pub durability: Durability,
    /// Telemetry group-commit buffer.
    pub write_buffer: WriteBufferOptions,
    /// Device states held in the hot cache.
    pub device_cache_entries: usize,
    /// Latest points (one per series) held in the hot cache.
    pub series_cache_entries: usize,
    /// redb page cache, in bytes (redb's own default is 1 GiB; ours suits a gateway).
    pub page_cache_bytes: usize,
}

impl Default for StorageOptions {
    fn default() -> Self {
        StorageOptions {
            durability: Durability::Immediate,
            write_buffer: WriteBufferOptions::default(),
            device_cache_entries: 4096,
            series_cache_entries: 16_384,
            page_cache_bytes: 64 * 1024 * 1024,
        }
    }
}

struct Inner {
    engine: Arc<Engine>,
    path: Option<PathBuf>,
    timeseries: TimeSeriesStore,
    devices: DeviceStateStore,
    events: EventLogStore,
    rule_history: RuleHistoryStore,
    workflow_history: WorkflowHistoryStore,
    alerts: AlertStore,
    decisions: DecisionStore,
    sessions: SessionStore,
    vectors: VectorStore,
    memory: LongTermMemoryStore,
    flusher: Mutex<Option<flusher::Flusher>>,
    /// The redb file behind `engine`, for checks the `Backend` trait does not offer.
    #[cfg(not(target_arch = "wasm32"))]
    redb: Option<Arc<crate::backend::RedbBackend>>,
}

/// The storage of one NeoTalk gateway: every store over one backend.
///
/// `Send + Sync` and cheap to clone (clones share the database). `close()` (or dropping the
/// last clone) commits buffered telemetry and releases the file.
///
/// ```
/// use neotalk_storage::{StorageManager, DataPoint};
/// let dir = tempfile::tempdir().unwrap();
/// let db = StorageManager::open(dir.path()).unwrap();
/// db.timeseries().write_series("pump-7", "power", &[DataPoint::new(0, 1.5), DataPoint::new(1_000, 1.7)]).unwrap();
/// db.close().unwrap();
/// let db = StorageManager::open(dir.path()).unwrap();
/// assert_eq!(db.timeseries().query_range("pump-7", "power", 0, 2_000).unwrap().len(), 2);
/// ```
#[derive(Clone)]
pub struct StorageManager {
    inner: Arc<Inner>,
}

impl StorageManager {
    /// Opens (creating if needed) the database in directory `dir` (`dir/storage.redb`).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(dir, StorageOptions::default())
    }

    /// Opens the database in `dir` with explicit options.
    ///
    /// Fails with `Locked` when another process or handle has it open, `VersionMismatch` when
    /// the file has another format version, `Corrupted` when it is not a neotalk-storage file.
    /// In every failure the file is left as it was.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open_with(dir: impl AsRef<Path>, options: StorageOptions) -> Result<Self> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|e| StorageError::Io(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join(DATABASE_FILE);
        let backend = Arc::new(crate::backend::RedbBackend::open(&path, options.page_cache_bytes)?);
        let mut db = Self::start(Box::new(backend.clone()), Some(dir.to_path_buf()), options)?;
        if let Some(inner) = Arc::get_mut(&mut db.inner) {
            inner.redb = Some(backend);
        }
        Ok(db)
    }

    /// A fresh database in memory (tests, wasm); it is gone when closed.
    pub fn in_memory() -> Result<Self> {
        Self::in_memory_with(StorageOptions::default())
    }

    /// A fresh in-memory database with explicit options.
    pub fn in_memory_with(options: StorageOptions) -> Result<Self> {
        Self::start(Box::new(MemoryBackend::new()), None, options)
    }

    fn start(backend: Box<dyn Backend>, path: Option<PathBuf>, options: StorageOptions) -> Result<Self> {
        if let Err(e) = check_format(&*backend) {
            let _ = backend.close();
            return Err(e);
        }
        let engine = Arc::new(Engine::new(backend, options.durability));
        let devices = DeviceStateStore::new(engine.clone(), options.device_cache_entries);
        let timeseries = TimeSeriesStore::new(engine.clone(), devices.clone(), options.write_buffer, options.series_cache_entries)?;
        let events = EventLogStore::new(engine.clone());
        let rule_history = RuleHistoryStore::new(engine.clone());
        let workflow_history = WorkflowHistoryStore::new(engine.clone());
        let alerts = AlertStore::new(engine.clone());
        let decisions = DecisionStore::new(engine.clone());
        let sessions = SessionStore::new(engine.clone());
        let vectors = VectorStore::new(engine.clone());
        let memory = LongTermMemoryStore::new(engine.clone(), vectors.clone());
        let flusher = flusher::Flusher::start(engine.clone(), timeseries.clone(), &options);
        Ok(StorageManager {
            inner: Arc::new(Inner {
                engine,
                path,
                timeseries,
                devices,
                events,
                rule_history,
                workflow_history,
                alerts,
                decisions,
                sessions,
                vectors,
                memory,
                flusher: Mutex::new(flusher),
                #[cfg(not(target_arch = "wasm32"))]
                redb: None,
            }),
        })
    }

    /// Telemetry.
    pub fn timeseries(&self) -> &TimeSeriesStore {
        &self.inner.timeseries
    }

    /// Device states.
    pub fn devices(&self) -> &DeviceStateStore {
        &self.inner.devices
    }

    /// The event log.
    pub fn events(&self) -> &EventLogStore {
        &self.inner.events
    }

    /// Rule execution history.
    pub fn rule_history(&self) -> &RuleHistoryStore {
        &self.inner.rule_history
    }

    /// Workflow execution history.
    pub fn workflow_history(&self) -> &WorkflowHistoryStore {
        &self.inner.workflow_history
    }

    /// Alerts.
    pub fn alerts(&self) -> &AlertStore {
        &self.inner.alerts
    }

    /// LLM decisions.
    pub fn decisions(&self) -> &DecisionStore {
        &self.inner.decisions
    }

    /// Chat sessions and the short- and mid-term memory tiers.
    pub fn sessions(&self) -> &SessionStore {
        &self.inner.sessions
    }

    /// Vector collections and similarity search.
    pub fn vectors(&self) -> &VectorStore {
        &self.inner.vectors
    }

    /// The LLM's long-term memory.
    pub fn memory(&self) -> &LongTermMemoryStore {
        &self.inner.memory
    }

    /// The data directory (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// `"redb"` or `"memory"`.
    pub fn backend_kind(&self) -> &'static str {
        self.inner.engine.backend().kind()
    }

    /// Entry count and stored bytes of every table.
    pub fn table_sizes(&self) -> Result<Vec<TableSize>> {
        if self.inner.engine.is_closed() {
            return Err(StorageError::Closed);
        }
        self.inner.engine.backend().table_sizes()
    }

    /// Runs the backend's integrity check (redb: page checksums and allocator state);
    /// `Ok(true)` when the file is sound. Always `Ok(true)` in memory.
    pub fn check_integrity(&self) -> Result<bool> {
        self.inner.engine.ensure_open()?;
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(redb) = &self.inner.redb {
            return redb.check_integrity();
        }
        Ok(true)
    }

    /// Commits buffered telemetry and makes every commit durable.
    pub fn flush(&self) -> Result<()> {
        self.inner.timeseries.flush()?;
        self.inner.engine.sync()
    }

    /// Flushes, stops the background flusher and releases the database. Every clone is closed;
    /// later calls fail with `StorageError::Closed`. Closing twice is harmless.
    pub fn close(&self) -> Result<()> {
        if let Some(f) = self.inner.flusher.lock().take() {
            f.stop();
        }
        if self.inner.engine.is_closed() {
            return Ok(());
        }
        let flushed = self.flush();
        let closed = self.inner.engine.close();
        flushed.and(closed)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(f) = self.flusher.lock().take() {
            f.stop();
        }
        if !self.engine.is_closed() {
            let _ = self.timeseries.flush();
            let _ = self.engine.sync();
            let _ = self.engine.close();
        }
    }
}

/// Lets the manager keep a handle on the redb backend it gives the engine.
#[cfg(not(target_arch = "wasm32"))]
impl Backend for Arc<crate::backend::RedbBackend> {
    fn read(&self) -> Result<Box<dyn crate::backend::ReadView>> {
        (**self).read()
    }
    fn write(&self, batch: &WriteBatch, durable: bool) -> Result<()> {
        (**self).write(batch, durable)
    }
    fn table_sizes(&self) -> Result<Vec<TableSize>> {
        (**self).table_sizes()
    }
    fn total_bytes(&self) -> Result<u64> {
        (**self).total_bytes()
    }
    fn close(&self) -> Result<()> {
        (**self).close()
    }
    fn kind(&self) -> &'static str {
        (**self).kind()
    }
}

/// Refuses files of another format version or another program; stamps new files.
fn check_format(backend: &dyn Backend) -> Result<()> {
    let view = backend.read()?;
    match view.get(META, FORMAT_VERSION_KEY)? {
        Some(v) => {
            let found = u32::from_le_bytes(
                v.as_slice().try_into().map_err(|_| StorageError::Corrupted("format version is not 4 bytes".into()))?,
            );
            if found != FORMAT_VERSION {
                return Err(StorageError::VersionMismatch { found, supported: FORMAT_VERSION });
            }
            Ok(())
        }
        None if view.table_names()?.is_empty() => {
            let mut batch = WriteBatch::new();
            batch.put(META, FORMAT_VERSION_KEY.to_vec(), FORMAT_VERSION.to_le_bytes().to_vec());
            backend.write(&batch, true)
        }
        None => Err(StorageError::Corrupted("the file has tables but no format version: not a neotalk-storage database".into())),
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod flusher {
    //! Background thread that flushes the telemetry buffer by age and syncs eventual commits.
    use super::*;
    use parking_lot::Condvar;
    use std::time::Duration;

    pub(super) struct Flusher {
        stop: Arc<(Mutex<bool>, Condvar)>,
        handle: std::thread::JoinHandle<()>,
    }

    impl Flusher {
        pub(super) fn start(engine: Arc<Engine>, ts: TimeSeriesStore, options: &StorageOptions) -> Option<Flusher> {
            let tick = Duration::from_millis((options.write_buffer.max_delay_ms / 4).clamp(5, 1000));
            let stop = Arc::new((Mutex::new(false), Condvar::new()));
            let stop2 = stop.clone();
            let handle = std::thread::Builder::new()
                .name("neotalk-storage-flusher".into())
                .spawn(move || loop {
                    {
                        let (lock, cv) = &*stop2;
                        let mut stopped = lock.lock();
                        if !*stopped {
                            cv.wait_for(&mut stopped, tick);
                        }
                        if *stopped {
                            return;
                        }
                    }
                    // Errors surface to the next caller of flush(); points stay buffered.
                    let _ = ts.flush_if_due();
                    let _ = engine.sync();
                })
                .ok()?;
            Some(Flusher { stop, handle })
        }

        pub(super) fn stop(self) {
            *self.stop.0.lock() = true;
            self.stop.1.notify_all();
            let _ = self.handle.join();
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod flusher {
    //! No threads on wasm: the buffer flushes by size, on reads, `flush()` and close.
    use super::*;

    pub(super) struct Flusher;

    impl Flusher {
        pub(super) fn start(_: Arc<Engine>, _: TimeSeriesStore, _: &StorageOptions) -> Option<Flusher> {
            None
        }
        pub(super) fn stop(self) {}
    }
}
