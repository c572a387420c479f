//! `StorageManager`: the facade that opens a backend and hands out the stores.

use crate::error::{Result, StorageError};
use crate::feed::ChangeFeed;
use crate::ops::backup::{ChainState, Manifest, Snapshot, SnapshotKind, SnapshotOptions};
use crate::ops::config::ConfigStore;
use crate::storage::backend::{Backend, Direction, KeyRange, MemoryBackend, Scan, TableSize, WriteBatch};
use crate::storage::engine::{Durability, Engine, FORMAT_VERSION, FORMAT_VERSION_KEY, LAST_WRITE_PREFIX, META, READABLE_FORMATS};
use crate::storage::layout::{Engines, FileGroup};
use crate::storage::stats::QueryHistogram;
use crate::storage::stats::StorageStats;
use crate::stores::alerts::AlertStore;
use crate::stores::decisions::DecisionStore;
use crate::stores::device_state::DeviceStateStore;
use crate::stores::event_log::EventLogStore;
use crate::stores::knowledge::LongTermMemoryStore;
use crate::stores::rule_history::RuleHistoryStore;
use crate::stores::sessions::SessionStore;
use crate::stores::timeseries::{RollupConfig, TimeSeriesStore, WriteBufferOptions};
use crate::stores::vectors::VectorStore;
use crate::stores::workflow_history::WorkflowHistoryStore;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File sizes before and after [`StorageManager::compact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompactionReport {
    /// Bytes before compaction.
    pub before_bytes: u64,
    /// Bytes after compaction.
    pub after_bytes: u64,
}

/// Name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "storage.redb";

/// Settings for opening a [`StorageManager`]. As JSON (C, wasm, [`crate::from_json`]), every
/// field is optional and takes its [`Default`] when omitted (nested `write_buffer` fields
/// too); an unknown field is refused.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageOptions {
    /// When commits reach the disk.
    pub durability: Durability,
    /// Telemetry group-commit buffer.
    pub write_buffer: WriteBufferOptions,
    /// Device states held in the hot cache.
    pub device_cache_entries: usize,
    /// Latest points (one per series) held in the hot cache.
    pub series_cache_entries: usize,
    /// redb page cache, in bytes (redb's own default is 1 GiB; ours suits a gateway). With
    /// split files it is shared out: half to the time-series file, the rest evenly.
    pub page_cache_bytes: usize,
    /// Creates a new database in the seed's split layout: time series (with device states),
    /// vectors (with the long-term memory), sessions and events each in a file and an engine
    /// of their own (`timeseries.redb`, `vectors.redb`, `sessions/sessions.redb`,
    /// `events/events.redb`, the rest in `storage.redb`), so a writer in one file never waits
    /// for another's. An existing database keeps the layout it was created with; asking to
    /// split an existing one-file database is refused (export a snapshot and import it into a
    /// new directory instead). Each commit is atomic within its file, and no store commits
    /// across files; a restore or import writes the files one after another. Ignored in
    /// memory.
    #[serde(default)]
    pub split_files: bool,
    /// Rollup tiers of telemetry (none by default): per-bucket statistics kept beside the raw
    /// points, each tier with its own retention, answering `query_aggregated` for long ranges.
    /// When empty, the tiers of `config/retention.yaml` (`retention.rollups`) apply. After a
    /// change, `timeseries().rebuild_rollups()` recomputes them from raw data.
    pub rollups: RollupConfig,
    /// Largest binary telemetry value accepted, in bytes (16 MiB by default, at most
    /// 256 MiB; 0 refuses binary values). A larger one is `InvalidInput` on `value`.
    pub max_binary_value_bytes: usize,
}

impl Default for StorageOptions {
    fn default() -> Self {
        StorageOptions {
            durability: Durability::Immediate,
            write_buffer: WriteBufferOptions::default(),
            device_cache_entries: 4096,
            series_cache_entries: 16_384,
            page_cache_bytes: 64 * 1024 * 1024,
            split_files: false,
            rollups: RollupConfig::default(),
            max_binary_value_bytes: crate::limits::DEFAULT_MAX_BINARY_VALUE_BYTES,
        }
    }
}

struct Inner {
    engines: Engines,
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
    config: Arc<ConfigStore>,
    feed: ChangeFeed,
    flusher: Mutex<Option<flusher::Flusher>>,
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
/// assert_eq!(db.timeseries().query_range("pump-7", "power", 0..2_000).unwrap().len(), 2);
/// ```
#[derive(Clone)]
pub struct StorageManager {
    inner: Arc<Inner>,
}

impl StorageManager {
    /// Opens (creating if needed) the database in directory `dir` (`dir/storage.redb`) with
    /// default options. A new database takes its file layout from `dir/config/system.yaml`
    /// (`storage.split_files`, see [`StorageOptions::split_files`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        create_dir(dir)?;
        let mut options = StorageOptions::default();
        if !database_exists(dir) {
            options.split_files = ConfigStore::for_data_dir(dir).system()?.storage.split_files;
        }
        Self::open_with(dir, options)
    }

    /// Opens the database in `dir` with explicit options.
    ///
    /// Fails with `Locked` when another process or handle has it open, `VersionMismatch` when
    /// the file has another format version, `Corrupted` when it is not a neotalk-storage file.
    /// In every failure the file is left as it was.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open_with(dir: impl AsRef<Path>, options: StorageOptions) -> Result<Self> {
        let dir = dir.as_ref();
        create_dir(dir)?;
        let queries = Arc::new(QueryHistogram::new());
        let open_file = |group: FileGroup, cache_bytes: usize| -> Result<Arc<Engine>> {
            let path = dir.join(group.file());
            if let Some(parent) = path.parent() {
                create_dir(parent)?;
            }
            let backend = crate::storage::backend::RedbBackend::open(&path, cache_bytes)?;
            start_engine(Box::new(backend), options.durability, queries.clone())
        };
        let engines = if open_split(dir, options.split_files)? {
            // The main file last: a crash while creating leaves the other files, which mark
            // the directory as split for the next open.
            let mut opened: Vec<Arc<Engine>> = Vec::new();
            for group in FileGroup::ALL.into_iter().rev() {
                let cache = if group == FileGroup::TimeSeries { options.page_cache_bytes / 2 } else { options.page_cache_bytes / 8 };
                match open_file(group, cache) {
                    Ok(engine) => opened.push(engine),
                    Err(e) => {
                        opened.iter().for_each(|e| drop(e.close()));
                        return Err(e);
                    }
                }
            }
            opened.reverse();
            Engines::split(opened.try_into().map_err(|_| StorageError::Corrupted("file groups".into()))?)
        } else {
            Engines::single(open_file(FileGroup::Main, options.page_cache_bytes)?)
        };
        Self::start(engines, Some(dir.to_path_buf()), options, ConfigStore::for_data_dir(dir))
    }

    /// Opens the existing database in `dir` without ever writing to it: for read-only media
    /// (a mounted SD card, a snapshot of a volume) or to inspect a copy. Reads, stats,
    /// snapshots and `integrity_report` work; every write, `compact` and redb's structural
    /// check fail with `StorageError::ReadOnly`, and so does opening a file that needs
    /// recovery (not closed cleanly) or that was written before value checksums (open it
    /// once for writing). Nothing is created: a directory without a database is
    /// `InvalidInput`. Another handle writing the database is `Locked`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open_read_only(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        if !database_exists(dir) {
            return Err(StorageError::invalid("data_dir", format!("no database in {}", dir.display())));
        }
        let options = StorageOptions::default();
        let queries = Arc::new(QueryHistogram::new());
        let open_file = |group: FileGroup| -> Result<Arc<Engine>> {
            let backend = crate::storage::backend::RedbBackend::open_read_only(&dir.join(group.file()), options.page_cache_bytes)?;
            start_engine(Box::new(backend), options.durability, queries.clone())
        };
        let engines = if open_split(dir, false)? {
            let mut opened = Vec::new();
            for group in FileGroup::ALL {
                match open_file(group) {
                    Ok(engine) => opened.push(engine),
                    Err(e) => {
                        opened.iter().for_each(|e: &Arc<Engine>| drop(e.close()));
                        return Err(e);
                    }
                }
            }
            Engines::split(opened.try_into().map_err(|_| StorageError::Corrupted("file groups".into()))?)
        } else {
            Engines::single(open_file(FileGroup::Main)?)
        };
        Self::start(engines, Some(dir.to_path_buf()), options, ConfigStore::for_data_dir(dir))
    }

    /// A database on a custom redb storage, in one file layout with an in-memory config
    /// tree: the simulated disks of the power-cut and full-disk tests
    /// (`core/tests/integration/power_loss.rs`, `core/tests/integration/full_disk.rs`); a clone of `storage` must
    /// reach the same bytes. Not a stable API.
    #[cfg(all(feature = "fuzzing", not(target_arch = "wasm32")))]
    pub fn on_redb_storage<S: redb::StorageBackend + Clone + Sync>(storage: S, options: StorageOptions) -> Result<Self> {
        let backend = crate::storage::backend::RedbBackend::on_storage(storage)?;
        let engine = start_engine(Box::new(backend), options.durability, Arc::new(QueryHistogram::new()))?;
        Self::start(Engines::single(engine), None, options, ConfigStore::in_memory())
    }

    /// A fresh database in memory (tests, wasm); it is gone when closed.
    pub fn in_memory() -> Result<Self> {
        Self::in_memory_with(StorageOptions::default())
    }

    /// A fresh in-memory database with explicit options.
    pub fn in_memory_with(options: StorageOptions) -> Result<Self> {
        let engine = start_engine(Box::new(MemoryBackend::new()), options.durability, Arc::new(QueryHistogram::new()))?;
        Self::start(Engines::single(engine), None, options, ConfigStore::in_memory())
    }

    fn start(engines: Engines, path: Option<PathBuf>, options: StorageOptions, config: ConfigStore) -> Result<Self> {
        let rollups = match rollups_to_maintain(&options, path.as_deref(), &config) {
            Ok(r) => r,
            Err(e) => {
                engines.distinct().iter().for_each(|e| drop(e.close()));
                return Err(e);
            }
        };
        let engine = |group| engines.get(group).clone();
        let devices = DeviceStateStore::new(engine(FileGroup::TimeSeries), options.device_cache_entries);
        let timeseries = match TimeSeriesStore::new(
            engine(FileGroup::TimeSeries),
            devices.clone(),
            options.write_buffer,
            options.series_cache_entries,
            rollups,
            options.max_binary_value_bytes,
        ) {
            Ok(ts) => ts,
            Err(e) => {
                engines.distinct().iter().for_each(|e| drop(e.close()));
                return Err(e);
            }
        };
        let events = EventLogStore::new(engine(FileGroup::Events));
        let rule_history = RuleHistoryStore::new(engine(FileGroup::Main));
        let workflow_history = WorkflowHistoryStore::new(engine(FileGroup::Main));
        let alerts = AlertStore::new(engine(FileGroup::Main));
        let decisions = DecisionStore::new(engine(FileGroup::Main));
        let sessions = SessionStore::new(engine(FileGroup::Sessions));
        let vectors = VectorStore::new(engine(FileGroup::Vectors));
        let memory = LongTermMemoryStore::new(engine(FileGroup::Vectors), vectors.clone());
        let config = config.owned_by(engine(FileGroup::Main));
        let feed = ChangeFeed::new(engines.clone(), timeseries.clone(), events.clone());
        if let Err(e) = feed.attach() {
            engines.distinct().iter().for_each(|e| drop(e.close()));
            return Err(e);
        }
        let flusher = flusher::Flusher::start(engines.distinct().to_vec(), timeseries.clone(), &options);
        Ok(StorageManager {
            inner: Arc::new(Inner {
                engines,
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
                config: Arc::new(config),
                feed,
                flusher: Mutex::new(flusher),
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

    /// The change feeds that replication sinks read (see [`crate::feed`]).
    pub fn feed(&self) -> &ChangeFeed {
        &self.inner.feed
    }

    /// The config tree: `<data dir>/config` for a file database, an empty in-memory tree
    /// (defaults) for an in-memory one.
    pub fn config(&self) -> &ConfigStore {
        &self.inner.config
    }

    /// The data directory (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// `"redb"` or `"memory"`.
    pub fn backend_kind(&self) -> &'static str {
        self.main_engine().backend().kind()
    }

    /// Whether the database uses the split file layout (see [`StorageOptions::split_files`]).
    pub fn is_split(&self) -> bool {
        self.inner.engines.is_split()
    }

    /// `Err(Closed)` once the database is closed: for the operations that work on files
    /// beside it (backups, cleanup) and would otherwise not notice.
    pub(crate) fn ensure_open(&self) -> Result<()> {
        self.main_engine().ensure_open()
    }

    fn main_engine(&self) -> &Engine {
        self.inner.engines.get(FileGroup::Main)
    }

    /// Entry count and stored bytes of every table.
    /// With split files, the meta table's figures are the sum over the files.
    pub fn table_sizes(&self) -> Result<Vec<TableSize>> {
        let mut merged: BTreeMap<String, TableSize> = BTreeMap::new();
        for engine in self.inner.engines.distinct() {
            engine.ensure_open()?;
            for size in engine.backend().table_sizes()? {
                let entry = merged.entry(size.name.clone()).or_insert(TableSize { name: size.name, entries: 0, stored_bytes: 0 });
                entry.entries += size.entries;
                entry.stored_bytes += size.stored_bytes;
            }
        }
        Ok(merged.into_values().collect())
    }

    /// Sizes and counts per table, last write times, and query latency since open.
    pub fn stats(&self) -> Result<StorageStats> {
        let sizes = self.table_sizes()?;
        let mut last_writes = BTreeMap::new();
        let mut total_bytes = 0;
        for engine in self.inner.engines.distinct() {
            total_bytes += engine.backend().total_bytes()?;
            let view = engine.backend().read()?;
            view.scan(META, &KeyRange::prefix(LAST_WRITE_PREFIX.as_bytes().to_vec()), Direction::Forward, &mut |k, v| {
                let table = String::from_utf8_lossy(&k[LAST_WRITE_PREFIX.len()..]).into_owned();
                let at =
                    v.try_into().map(i64::from_le_bytes).map_err(|_| StorageError::Corrupted(format!("last write time of {table}")))?;
                last_writes.insert(table, at);
                Ok(Scan::Continue)
            })?;
        }
        Ok(StorageStats::build(total_bytes, sizes, &last_writes, self.main_engine().queries.snapshot()))
    }

    /// Commits buffered telemetry, then rewrites the database file to release the space freed
    /// by deletes and cleanup (redb files do not shrink by themselves). A no-op in memory.
    /// Fails with `Conflict` while another thread holds a read snapshot.
    pub fn compact(&self) -> Result<CompactionReport> {
        self.flush()?;
        let mut report = CompactionReport { before_bytes: 0, after_bytes: 0 };
        for engine in self.inner.engines.distinct() {
            let _w = engine.lock_writes();
            engine.ensure_open()?;
            report.before_bytes += engine.backend().total_bytes()?;
            // redb may need more than one pass to move every page to the front of the file.
            while engine.backend().compact()? {}
            report.after_bytes += engine.backend().total_bytes()?;
        }
        Ok(report)
    }

    /// Checks every value's checksum and redb's structure: `Ok(true)` when sound, `Ok(false)`
    /// when something is damaged ([`StorageManager::integrity_report`] says what). An error
    /// means the database cannot be read at all. Always `Ok(true)` in memory.
    pub fn check_integrity(&self) -> Result<bool> {
        Ok(self.integrity_report()?.ok)
    }

    /// The engines of the database (one per file).
    pub(crate) fn engines(&self) -> &crate::storage::layout::Engines {
        &self.inner.engines
    }

    /// A full snapshot of every table (see [`crate::ops::backup`]), taken from one consistent read
    /// snapshot (one per file with split files) after committing buffered telemetry; writes
    /// may go on meanwhile.
    pub fn export_snapshot(&self) -> Result<Vec<u8>> {
        let view = self.snapshot_view()?;
        Ok(Snapshot::to_bytes(&*view, &SnapshotOptions::full(snapshot_time()))?.1)
    }

    /// Replaces the live data with a full snapshot (every table), or the tables of a
    /// selective one, from [`Self::export_snapshot`] or a backup file.
    ///
    /// The whole snapshot is verified first (checksums, counts, versions); then the data is
    /// replaced in one atomic write batch, so a failure leaves the live data as it was. An
    /// incremental snapshot needs its chain: restore it with `RestoreManager`. Reads running
    /// concurrently with an import may see the old or the new data.
    pub fn import_snapshot(&self, bytes: &[u8]) -> Result<Manifest> {
        self.main_engine().ensure_open()?;
        let snap = Snapshot::read_from(bytes)?;
        if snap.manifest.kind == SnapshotKind::Incremental {
            return Err(StorageError::invalid("snapshot", "an incremental snapshot needs its base chain; restore it with RestoreManager"));
        }
        let state = ChainState::from_chain(std::slice::from_ref(&snap))?;
        self.replace_tables(&state)?;
        Ok(snap.manifest)
    }

    /// A read snapshot that includes every accepted write (buffered telemetry is committed).
    pub(crate) fn snapshot_view(&self) -> Result<Box<dyn crate::storage::backend::ReadView>> {
        self.inner.timeseries.flush()?;
        self.inner.engines.read_all()
    }

    /// Replaces the live tables with `state` in one write batch per file (all tables, or only
    /// the listed ones when `state.selective`), then reloads the stores' in-memory caches.
    pub(crate) fn replace_tables(&self, state: &ChainState<'_>) -> Result<()> {
        if !state.selective {
            // A whole-database restore must carry our format stamp, or the next open fails.
            let stamp = state.tables.get(META).and_then(|t| t.get(FORMAT_VERSION_KEY));
            let version = stamp.and_then(|v| <[u8; 4]>::try_from(*v).ok()).map(u32::from_le_bytes);
            if !version.is_some_and(|v| READABLE_FORMATS.contains(&v)) {
                return Err(StorageError::Corrupted("the snapshot has no format version stamp this build reads".into()));
            }
        }
        self.inner.timeseries.flush()?;
        let engines = &self.inner.engines;
        let _w = engines.lock_all();
        let view = engines.read_all()?;
        let targets: Vec<String> = if state.selective {
            state.tables.keys().cloned().collect()
        } else {
            let mut t = view.table_names()?;
            t.extend(state.tables.keys().cloned());
            t.sort();
            t.dedup();
            t
        };
        let mut batches: Vec<WriteBatch> = engines.distinct().iter().map(|_| WriteBatch::new()).collect();
        // The batch of the file holding `key` of `table` (`None`: the format stamp, which
        // every file has already).
        let file_of = |table: &str, key: &[u8]| -> Option<usize> {
            if !engines.is_split() {
                Some(0)
            } else if table == META {
                FileGroup::of_meta_key(key).map(|g| g as usize)
            } else {
                Some(FileGroup::of_table(table) as usize)
            }
        };
        for name in &targets {
            let table = intern_table_name(name);
            let incoming = state.tables.get(name);
            // Keys the snapshot puts again need no delete first.
            view.scan(table, &KeyRange::all(), Direction::Forward, &mut |k, _| {
                if !incoming.is_some_and(|t| t.contains_key(k)) {
                    if let Some(file) = file_of(table, k) {
                        batches[file].delete(table, k.to_vec());
                    }
                }
                Ok(Scan::Continue)
            })?;
            for (k, v) in incoming.into_iter().flatten() {
                if let Some(file) = file_of(table, k) {
                    batches[file].put(table, k.to_vec(), v.to_vec());
                }
            }
        }
        drop(view);
        if !state.selective && !engines.is_split() {
            // A snapshot of an older format version is restored as this build's (see check_format).
            batches[0].put(META, FORMAT_VERSION_KEY.to_vec(), FORMAT_VERSION.to_le_bytes().to_vec());
        }
        for (engine, batch) in engines.distinct().iter().zip(&batches) {
            engine.commit_exact(batch)?;
        }
        self.reload_stores()
    }

    /// Re-reads what the stores keep in memory after their tables were replaced.
    /// Call with the engine's write lock held. A store with an in-memory cache or map adds
    /// its crate-private `reload()` here.
    fn reload_stores(&self) -> Result<()> {
        self.inner.devices.reload();
        self.inner.vectors.reload();
        self.inner.timeseries.reload()?;
        // The restored meta tables carry their own sinks and log sequences.
        self.inner.feed.attach()
    }

    /// Commits buffered telemetry and makes every commit durable.
    pub fn flush(&self) -> Result<()> {
        self.inner.timeseries.flush()?;
        self.inner.engines.distinct().iter().try_for_each(|e| e.sync())
    }

    /// Flushes, stops the background flusher and releases the database. Every clone is closed;
    /// later calls fail with `StorageError::Closed`. Closing twice is harmless.
    pub fn close(&self) -> Result<()> {
        if let Some(f) = self.inner.flusher.lock().take() {
            f.stop();
        }
        if self.main_engine().is_closed() {
            return Ok(());
        }
        let flushed = self.flush();
        let closed = self.inner.engines.distinct().iter().map(|e| e.close()).fold(Ok(()), Result::and);
        flushed.and(closed)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(f) = self.flusher.lock().take() {
            f.stop();
        }
        if !self.engines.get(FileGroup::Main).is_closed() {
            let _ = self.timeseries.flush();
            for engine in self.engines.distinct() {
                let _ = engine.sync();
                let _ = engine.close();
            }
        }
    }
}

/// Creation time recorded in a snapshot (0 on wasm, which has no clock without the host).
fn snapshot_time() -> i64 {
    crate::storage::clock::unix_ms()
}

/// `WriteBatch` names tables with `&'static str`; tables restored from a snapshot are named
/// at run time. Each distinct name is leaked once per process and reused (snapshots hold at
/// most `MAX_SNAPSHOT_TABLES` names of at most `MAX_ID_BYTES` each).
pub(crate) fn intern_table_name(name: &str) -> &'static str {
    use std::collections::BTreeSet;
    use std::sync::OnceLock;
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES.get_or_init(Default::default).lock();
    if let Some(n) = names.get(name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

#[cfg(not(target_arch = "wasm32"))]
fn create_dir(dir: &Path) -> Result<()> {
    check_data_dir(dir)?;
    std::fs::create_dir_all(dir).map_err(|e| StorageError::io(format!("cannot create {}: {e}", dir.display()), e))
}

/// Refuses a data directory that names no place: an empty path would put `storage.redb` in the
/// process's current directory, and a NUL byte cannot reach the operating system.
#[cfg(not(target_arch = "wasm32"))]
fn check_data_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() {
        return Err(StorageError::invalid("data_dir", "is empty; name a directory (\".\" for the current one)"));
    }
    if dir.as_os_str().as_encoded_bytes().contains(&0) {
        return Err(StorageError::invalid("data_dir", "contains a NUL byte"));
    }
    Ok(())
}

/// Whether `dir` holds a database, in either layout.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn database_exists(dir: &Path) -> bool {
    FileGroup::ALL.iter().any(|g| dir.join(g.file()).exists())
}

/// Whether to open `dir` in the split layout: the layout it already has, or the one asked
/// for when it is new.
#[cfg(not(target_arch = "wasm32"))]
fn open_split(dir: &Path, want_split: bool) -> Result<bool> {
    if FileGroup::ALL[1..].iter().any(|g| dir.join(g.file()).exists()) {
        return Ok(true);
    }
    if want_split && dir.join(DATABASE_FILE).exists() {
        return Err(StorageError::invalid(
            "split_files",
            format!(
                "{} holds a one-file database; to split it, export a snapshot and import it into a new directory opened with split files",
                dir.display()
            ),
        ));
    }
    Ok(want_split)
}

/// The rollup tiers a database maintains: the options' when given, else those of the
/// directory's `retention.yaml`, so every program that opens the directory (the CLI, a
/// binding) maintains the same tiers. An in-memory database's config tree starts empty, and
/// wasm has no other: not reading it there keeps the YAML parser out of the default wasm
/// package (53 KB of its gzipped size), whose users configure tiers through the options.
fn rollups_to_maintain(options: &StorageOptions, dir: Option<&Path>, config: &ConfigStore) -> Result<RollupConfig> {
    #[cfg(not(target_arch = "wasm32"))]
    if options.rollups.is_empty() && dir.is_some() {
        return config.retention().map(|r| r.rollups);
    }
    let _ = (dir, config);
    Ok(options.rollups.clone())
}

/// An engine over `backend` after checking (or stamping) its format version; the backend is
/// closed again when the check fails.
fn start_engine(backend: Box<dyn Backend>, durability: Durability, queries: Arc<QueryHistogram>) -> Result<Arc<Engine>> {
    if let Err(e) = check_format(&*backend) {
        let _ = backend.close();
        return Err(e);
    }
    Ok(Arc::new(Engine::new(backend, durability, queries)))
}

/// The write that stamps a file with this build's format version.
fn format_stamp() -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.put(META, FORMAT_VERSION_KEY.to_vec(), FORMAT_VERSION.to_le_bytes().to_vec());
    batch
}

/// Refuses files of a format version this build does not read, or of another program;
/// stamps new files and restamps those of an older version it reads.
fn check_format(backend: &dyn Backend) -> Result<()> {
    let view = backend.read()?;
    match view.get(META, FORMAT_VERSION_KEY)? {
        Some(v) => {
            let found =
                u32::from_le_bytes(v.as_slice().try_into().map_err(|_| StorageError::Corrupted("format version is not 4 bytes".into()))?);
            if !READABLE_FORMATS.contains(&found) {
                return Err(StorageError::VersionMismatch { found, supported: FORMAT_VERSION });
            }
            if found == FORMAT_VERSION {
                return Ok(());
            }
            // An older version this build reads: restamped, unless opened read-only.
            match backend.write(&[&format_stamp()], true) {
                Err(StorageError::ReadOnly(_)) => Ok(()),
                written => written,
            }
        }
        None if view.table_names()?.is_empty() => backend.write(&[&format_stamp()], true),
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
        pub(super) fn start(engines: Vec<Arc<Engine>>, ts: TimeSeriesStore, options: &StorageOptions) -> Option<Flusher> {
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
                    engines.iter().for_each(|e| drop(e.sync()));
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
        pub(super) fn start(_: Vec<Arc<Engine>>, _: TimeSeriesStore, _: &StorageOptions) -> Option<Flusher> {
            None
        }
        pub(super) fn stop(self) {}
    }
}
