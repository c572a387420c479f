//! The shared engine under every store: backend, durability, write serialisation, meta table.

use crate::error::{Result, StorageError};
use crate::storage::backend::{Backend, Direction, KeyRange, ReadView, Visitor, WriteBatch, WriteOp};
use crate::storage::record_log::RecordLog;
use crate::storage::stats::QueryHistogram;
use parking_lot::{Mutex, MutexGuard};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Table of engine-wide values (format version, counters).
pub(crate) const META: &str = "meta";
/// Meta key of the on-disk format version.
pub(crate) const FORMAT_VERSION_KEY: &[u8] = b"format_version";
/// Meta key prefix of a table's last commit time: `last_write.<table>` -> i64 Unix ms.
pub(crate) const LAST_WRITE_PREFIX: &str = "last_write.";
/// The format version this build writes. Version 4 stores the event log in blocks of events
/// with block-level time, type and correlation indexes (version 3: a binary row and four
/// index entries per event; version 2: JSON rows).
pub const FORMAT_VERSION: u32 = 4;
/// The format versions this build reads. A file of an older one is restamped with
/// [`FORMAT_VERSION`] when it is opened for writing (its old rows still read), so a build
/// that predates the new rows refuses the file instead of reading them as damage.
pub(crate) const READABLE_FORMATS: std::ops::RangeInclusive<u32> = 2..=FORMAT_VERSION;
/// Under `Durability::Eventual`, the bytes of non-durable commits after which a commit is
/// made durable.
const UNSYNCED_BYTES: usize = 16 * 1024 * 1024;

/// When a committed write is guaranteed to survive a crash or power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every commit is fsynced before it returns (the default).
    #[default]
    Immediate,
    /// Commits are visible at once but reach the disk at the next `flush()`, `close()`,
    /// background sync (every write-buffer delay), or commit after 16 MiB written since the
    /// last sync; a commit that writes a binary telemetry value is synced at once. A crash
    /// loses at most that; the file is never corrupted by it.
    Eventual,
}

crate::names::text_enum!(Durability, "durability", [Immediate, Eventual]);

pub(crate) struct Engine {
    backend: Box<dyn Backend>,
    durability: Durability,
    /// Serialises read-modify-write paths (sequence numbers, indexes, device snapshots).
    write_lock: Mutex<()>,
    /// A non-durable commit happened since the last durable one.
    unsynced: AtomicBool,
    /// Bytes (keys and values) committed since the last durable commit, about.
    unsynced_bytes: AtomicUsize,
    closed: AtomicBool,
    /// Latency of every store query (see [`Engine::read`]).
    pub(crate) queries: Arc<QueryHistogram>,
    /// Change log of fed record tables, while a sink is registered (see `record_log`).
    pub(crate) record_log: RecordLog,
}

thread_local! {
    /// Whether this thread is inside a query (a timed view is alive) or holds the write lock:
    /// only the outermost view of a query is timed, and reads inside writes are not queries.
    static IN_OPERATION: Cell<bool> = const { Cell::new(false) };
}

/// The writer lock; while held, reads on this thread are part of the write, not queries.
pub(crate) struct WriteGuard<'a> {
    _lock: MutexGuard<'a, ()>,
    outer: bool,
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        IN_OPERATION.with(|c| c.set(self.outer));
    }
}

/// A read snapshot that records its lifetime as one query's latency when dropped.
struct TimedView {
    view: Box<dyn ReadView>,
    queries: Arc<QueryHistogram>,
    started: crate::storage::clock::Stopwatch,
}

impl ReadView for TimedView {
    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.view.get(table, key)
    }
    fn scan(&self, table: &str, range: &KeyRange, dir: Direction, visit: &mut Visitor<'_>) -> Result<()> {
        self.view.scan(table, range, dir, visit)
    }
    fn table_names(&self) -> Result<Vec<String>> {
        self.view.table_names()
    }
    fn salvage(&self, table: &str, good: &mut dyn FnMut(&[u8], &[u8]), damaged: &mut dyn FnMut(&[u8], String)) -> Result<u64> {
        self.view.salvage(table, good, damaged)
    }
}

impl Drop for TimedView {
    fn drop(&mut self) {
        self.queries.record(self.started.elapsed_us());
        IN_OPERATION.with(|c| c.set(false));
    }
}

impl Engine {
    /// An engine over `backend`; engines of one database share `queries`.
    pub(crate) fn new(backend: Box<dyn Backend>, durability: Durability, queries: Arc<QueryHistogram>) -> Self {
        Engine {
            backend,
            durability,
            write_lock: Mutex::new(()),
            unsynced: AtomicBool::new(false),
            unsynced_bytes: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            queries,
            record_log: RecordLog::default(),
        }
    }

    pub(crate) fn backend(&self) -> &dyn Backend {
        &*self.backend
    }

    /// `Err(Closed)` after `close()`; cached reads call it since they skip `read()`.
    pub(crate) fn ensure_open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            Err(StorageError::Closed)
        } else {
            Ok(())
        }
    }

    /// `Err(Closed)` after `close()`, `Err(ReadOnly)` on a database opened read-only: for
    /// writes that are accepted before they commit (buffered telemetry).
    pub(crate) fn ensure_writable(&self) -> Result<()> {
        self.ensure_open()?;
        if self.backend.is_read_only() {
            return Err(StorageError::ReadOnly("writes need a database opened for writing".into()));
        }
        Ok(())
    }

    /// Takes the writer lock; hold it across a read-modify-write and its commit.
    pub(crate) fn lock_writes(&self) -> WriteGuard<'_> {
        let lock = self.write_lock.lock();
        let outer = IN_OPERATION.with(|c| c.replace(true));
        WriteGuard { _lock: lock, outer }
    }

    /// A consistent snapshot. Outside a write, the outermost snapshot a thread takes is one
    /// store query: its lifetime is recorded in the query-latency histogram.
    pub(crate) fn read(&self) -> Result<Box<dyn ReadView>> {
        self.ensure_open()?;
        let view = self.backend.read()?;
        if IN_OPERATION.with(|c| c.replace(true)) {
            return Ok(view);
        }
        Ok(Box::new(TimedView { view, queries: self.queries.clone(), started: crate::storage::clock::Stopwatch::start() }))
    }

    /// Commits `batch` atomically, stamping the last write time of every table it touches
    /// and logging its fed rows for registered sinks.
    pub(crate) fn commit(&self, batch: &WriteBatch) -> Result<()> {
        let stamps = last_write_stamps(batch);
        match crate::feed::ENABLED.then(|| self.record_log.stage(batch)).flatten() {
            None => self.commit_with(&[batch, &stamps]),
            Some(logged) => {
                self.commit_with(&[batch, &stamps, &logged.batch])?;
                logged.landed();
                Ok(())
            }
        }
    }

    /// Commits `batch` exactly as given, without last-write stamps: a restore writes back the
    /// source's own stamps, so the restored state equals the source byte for byte.
    pub(crate) fn commit_exact(&self, batch: &WriteBatch) -> Result<()> {
        self.commit_with(&[batch])
    }

    fn commit_with(&self, batches: &[&WriteBatch]) -> Result<()> {
        self.ensure_open()?;
        if batches.iter().all(|b| b.is_empty()) {
            return Ok(());
        }
        // Under Eventual, a commit that takes the unsynced bytes past UNSYNCED_BYTES is made
        // durable: redb's non-durable commits grow slower with the data written since the
        // last durable one (measured: 1 Hz numeric commits at 0.54x beside 1 MB images never
        // synced, 0.93x with a sync every 16 MB), and it bounds what a crash can lose.
        let bytes: usize = batches.iter().flat_map(|b| b.ops()).map(WriteOp::bytes).sum();
        let durable = self.durability == Durability::Immediate
            || batches.iter().any(|b| b.wants_durable())
            || self.unsynced_bytes.fetch_add(bytes, Ordering::AcqRel) + bytes >= UNSYNCED_BYTES;
        self.backend.write(batches, durable)?;
        if durable {
            // The flag stays: another thread's commit may have landed after this one, and a
            // spare sync costs nothing.
            self.unsynced_bytes.store(0, Ordering::Release);
        } else {
            self.unsynced.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// Makes every earlier commit durable (a no-op under `Durability::Immediate`).
    pub(crate) fn sync(&self) -> Result<()> {
        self.ensure_open()?;
        if self.durability == Durability::Immediate {
            return Ok(());
        }
        // Check under the writer lock: if the background flusher has already taken the flag
        // and is mid-sync, this waits for its sync instead of returning before the data is
        // durable (a flush() that returned early lost commits in the crash test).
        let _g = self.lock_writes();
        if self.unsynced.swap(false, Ordering::AcqRel) {
            if let Err(e) = self.backend.write(&[&WriteBatch::new()], true) {
                self.unsynced.store(true, Ordering::Release);
                return Err(e);
            }
        }
        Ok(())
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    pub(crate) fn close(&self) -> Result<()> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let _g = self.lock_writes();
        self.backend.close()
    }

    /// Reads a `u64` counter from the meta table (0 when absent).
    pub(crate) fn meta_u64(view: &dyn ReadView, key: &[u8]) -> Result<u64> {
        match view.get(META, key)? {
            None => Ok(0),
            Some(v) => {
                Ok(u64::from_le_bytes(v.as_slice().try_into().map_err(|_| StorageError::Corrupted("meta counter is not 8 bytes".into()))?))
            }
        }
    }
}

/// Meta entries recording now as the last write time of every table `batch` touches
/// (none on wasm, which has no wall clock in the core).
fn last_write_stamps(batch: &WriteBatch) -> WriteBatch {
    let mut stamps = WriteBatch::new();
    if cfg!(target_arch = "wasm32") {
        return stamps;
    }
    let now = crate::storage::clock::unix_ms().to_le_bytes();
    // A batch touches a handful of tables: a short list, not a set built from every op
    // (sorting 10,000 names was a tenth of an append).
    let mut tables: Vec<&str> = Vec::new();
    for op in batch.ops() {
        let (WriteOp::Put { table, .. } | WriteOp::Insert { table, .. } | WriteOp::Delete { table, .. }) = op;
        if *table != META && !tables.contains(table) {
            tables.push(table);
        }
    }
    tables.sort_unstable();
    for t in tables {
        stamps.put(META, format!("{LAST_WRITE_PREFIX}{t}").into_bytes(), now.to_vec());
    }
    stamps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::backend::{MemoryBackend, TableSize};
    use parking_lot::Mutex as PlMutex;

    /// A memory backend that records the `durable` flag of every write.
    struct Recording(MemoryBackend, Arc<PlMutex<Vec<bool>>>);

    impl Backend for Recording {
        fn read(&self) -> Result<Box<dyn ReadView>> {
            self.0.read()
        }
        fn write(&self, batches: &[&WriteBatch], durable: bool) -> Result<()> {
            self.1.lock().push(durable);
            self.0.write(batches, durable)
        }
        fn table_sizes(&self) -> Result<Vec<TableSize>> {
            self.0.table_sizes()
        }
        fn total_bytes(&self) -> Result<u64> {
            self.0.total_bytes()
        }
        fn close(&self) -> Result<()> {
            self.0.close()
        }
        fn kind(&self) -> &'static str {
            "recording"
        }
    }

    /// An `Eventual` engine on the memory backend, and the durability of each of its writes.
    fn recording_engine() -> (Engine, Arc<PlMutex<Vec<bool>>>) {
        let writes = Arc::new(PlMutex::new(Vec::new()));
        let engine =
            Engine::new(Box::new(Recording(MemoryBackend::new(), writes.clone())), Durability::Eventual, Arc::new(QueryHistogram::new()));
        (engine, writes)
    }

    #[test]
    fn eventual_commits_turn_durable_every_16_mib() {
        let (engine, writes) = recording_engine();
        let mut batch = WriteBatch::new();
        batch.put("t", b"k".to_vec(), vec![0; 4 * 1024 * 1024]);
        for _ in 0..9 {
            engine.commit_exact(&batch).unwrap();
        }
        // 4 MiB each: the 4th and the 8th reach 16 MiB since the last durable commit.
        assert_eq!(*writes.lock(), [false, false, false, true, false, false, false, true, false]);
        // A sync still writes: the flag is kept after a size-triggered durable commit.
        engine.sync().unwrap();
        assert_eq!(writes.lock().last(), Some(&true));
    }

    #[test]
    fn an_eventual_batch_asked_to_be_durable_is_synced_and_restarts_the_count() {
        let (engine, writes) = recording_engine();
        let mut small = WriteBatch::new();
        small.put("t", b"k".to_vec(), vec![0; 8 * 1024 * 1024]);
        let mut durable = small.clone();
        durable.make_durable();
        engine.commit_exact(&small).unwrap();
        engine.commit(&durable).unwrap();
        engine.commit_exact(&small).unwrap();
        assert_eq!(*writes.lock(), [false, true, false], "8 + 8 MiB after the durable commit stays under 16 MiB");
    }
}
