//! redb backend: one database file, every table `&[u8] -> &[u8]`, every value sealed with a
//! checksum (see `checksum`).

use super::checksum::{open as unseal, seal, seal_into};
use super::panic_guard::guarded as no_panic;
use super::{already_present, Backend, Direction, KeyRange, ReadView, Scan, TableSize, Visitor, WriteBatch, WriteOp};
use crate::error::{Result, StorageError};
use crate::storage::engine::{FORMAT_VERSION, FORMAT_VERSION_KEY, META, READABLE_FORMATS};
use parking_lot::RwLock;
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, TableHandle};
use std::ops::Bound;
use std::path::{Path, PathBuf};

fn def(name: &str) -> TableDefinition<'_, &'static [u8], &'static [u8]> {
    TableDefinition::new(name)
}

/// The file's own table, hidden from the stores: its presence says every value carries a
/// checksum. Files written before checksums have tables but not this one, and are upgraded
/// when opened (`seal_legacy_values`).
pub(crate) const CHECKSUMS_MARKER: &str = "nts_value_checksums";
/// Entries rewritten per step of an upgrade (bounds its memory, not its transaction).
const UPGRADE_STEP: usize = 4096;

fn engine_err(e: impl std::error::Error + Send + Sync + 'static) -> StorageError {
    StorageError::backend(e.to_string(), e)
}

fn table_err(e: redb::TableError) -> StorageError {
    match e {
        redb::TableError::Storage(s) => storage_err(s),
        other => StorageError::Corrupted(other.to_string()),
    }
}

fn storage_err(e: redb::StorageError) -> StorageError {
    match e {
        redb::StorageError::Corrupted(m) => StorageError::Corrupted(m),
        redb::StorageError::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => StorageError::io("no space left on the device", io),
        redb::StorageError::Io(io) => StorageError::io(io.to_string(), io),
        other => StorageError::backend(other.to_string(), other),
    }
}

fn commit_err(e: redb::CommitError) -> StorageError {
    match e {
        redb::CommitError::Storage(s) => storage_err(s),
        other => engine_err(other),
    }
}

fn begin_err(e: redb::TransactionError) -> StorageError {
    match e {
        redb::TransactionError::Storage(s) => storage_err(s),
        other => engine_err(other),
    }
}

/// A call on a handle whose file could not yet be opened again after an I/O error.
fn not_reopened() -> StorageError {
    StorageError::Io { message: "the database could not be opened again after an I/O error".into(), source: None }
}

/// Opens the file again after redb latched an I/O failure on the open handle.
type Reopen = Box<dyn Fn() -> Result<redb::Database> + Send + Sync>;

/// Backend on a redb file.
pub struct RedbBackend {
    /// The file; `None` on a custom redb storage (the power-cut tests' simulated disk).
    path: Option<PathBuf>,
    db: RwLock<Option<Handle>>,
    /// How to open the file again after an I/O error (writable handles only).
    reopen: Option<Reopen>,
}

/// The open database: writable, read-only (every write refused), or failed.
enum Handle {
    Writable(redb::Database),
    ReadOnly(redb::ReadOnlyDatabase),
    /// A write hit an I/O error (a full disk): redb then refuses every call on that handle
    /// until it is reopened, so the handle was dropped and the next call reopens the file.
    Failed,
}

impl Handle {
    fn begin_read(&self) -> Result<redb::ReadTransaction> {
        match self {
            Handle::Writable(db) => db.begin_read(),
            Handle::ReadOnly(db) => db.begin_read(),
            Handle::Failed => return Err(not_reopened()),
        }
        .map_err(begin_err)
    }

    /// The writable database, or `ReadOnly` naming what was refused.
    fn writable(&mut self, what: &str) -> Result<&mut redb::Database> {
        match self {
            Handle::Writable(db) => Ok(db),
            Handle::ReadOnly(_) => Err(StorageError::ReadOnly(format!("{what} needs a database opened for writing"))),
            Handle::Failed => Err(not_reopened()),
        }
    }
}

impl RedbBackend {
    /// Opens (or creates) the database file at `path` with a page cache of `cache_bytes`.
    ///
    /// A file held by another process or handle fails with `StorageError::Locked`; a damaged
    /// file fails with `StorageError::Corrupted` (redb may panic on some damage: that panic is
    /// caught here and reported, never propagated).
    pub fn open(path: &Path, cache_bytes: usize) -> Result<Self> {
        let open = {
            let path = path.to_path_buf();
            move || open_db(&path, || redb::Database::builder().set_cache_size(cache_bytes).create(&path))
        };
        let db = open()?;
        Self::writable(db, Some(path.to_path_buf()), Box::new(open))
    }

    /// Opens an existing database file without ever writing to it (read-only media, or a
    /// copy under inspection): every write fails with `StorageError::ReadOnly`. A file that
    /// needs recovery (not closed cleanly) or was written before value checksums cannot be
    /// opened this way: open it once for writing.
    pub fn open_read_only(path: &Path, cache_bytes: usize) -> Result<Self> {
        let db = open_db(path, || redb::Database::builder().set_cache_size(cache_bytes).open_read_only(path))?;
        let marked = no_panic("opening", || {
            let names = table_names(&db.begin_read().map_err(engine_err)?)?;
            Ok(names.is_empty() || names.iter().any(|t| t == CHECKSUMS_MARKER))
        })?;
        if !marked {
            return Err(StorageError::ReadOnly(format!(
                "{} was written before value checksums; open it once for writing to upgrade it",
                path.display()
            )));
        }
        Ok(RedbBackend { path: Some(path.to_path_buf()), db: RwLock::new(Some(Handle::ReadOnly(db))), reopen: None })
    }

    /// Opens (or creates) a database on a custom redb storage: the simulated disks of the
    /// power-cut and full-disk tests. A clone of `storage` must reach the same bytes (it is
    /// how the file is reopened after an I/O error). Not a stable API.
    #[cfg(feature = "fuzzing")]
    pub fn on_storage<S: redb::StorageBackend + Clone + Sync>(storage: S) -> Result<Self> {
        let open = move || open_db(Path::new("(simulated disk)"), || redb::Database::builder().create_with_backend(storage.clone()));
        let db = open()?;
        Self::writable(db, None, Box::new(open))
    }

    /// A writable backend on `db`, once its value checksums are prepared.
    fn writable(db: redb::Database, file: Option<PathBuf>, reopen: Reopen) -> Result<Self> {
        if let Err(e) = no_panic("preparing checksums", || prepare_checksums(&db)) {
            drop_quietly(Some(Handle::Writable(db)));
            return Err(e);
        }
        Ok(RedbBackend { path: file, db: RwLock::new(Some(Handle::Writable(db))), reopen: Some(reopen) })
    }

    /// The file, for messages.
    fn file_name(&self) -> String {
        self.path.as_ref().map_or_else(|| "(simulated disk)".into(), |p| p.display().to_string())
    }

    /// After an I/O error on a write: drops the handle redb has latched as failed and opens
    /// the file again, so reads and, once there is space, writes work without the caller
    /// reopening. When the file cannot be opened yet, the handle stays `Failed` and every
    /// call tries again.
    fn reopen_after_failure(&self) -> Result<()> {
        let Some(reopen) = &self.reopen else { return Ok(()) };
        let mut guard = self.db.write();
        match guard.as_ref() {
            Some(Handle::Writable(_)) | Some(Handle::Failed) => {}
            // Closed meanwhile, or never writable: nothing to reopen.
            _ => return Ok(()),
        }
        // The old handle must be gone before the file is opened again (it holds the file lock).
        drop_quietly(guard.replace(Handle::Failed));
        *guard = Some(Handle::Writable(reopen()?));
        Ok(())
    }

    /// Reopens a handle an earlier I/O error left `Failed`, before `what` uses it.
    fn reopen_if_failed(&self, what: &str) -> Result<()> {
        if matches!(*self.db.read(), Some(Handle::Failed)) {
            self.reopen_after_failure().map_err(|e| self.name_io(e, what))?;
        }
        Ok(())
    }

    /// Runs `op` on a healthy handle: reopens a failed one first.
    fn on_handle<T>(&self, what: &str, op: impl FnOnce(&Handle) -> Result<T>) -> Result<T> {
        self.reopen_if_failed(what)?;
        let guard = self.db.read();
        op(guard.as_ref().ok_or(StorageError::Closed)?)
    }

    /// An I/O error with the file named in its message.
    fn name_io(&self, e: StorageError, what: &str) -> StorageError {
        match e {
            StorageError::Io { message, source } => {
                StorageError::Io { message: format!("{what} on {}: {message}", self.file_name()), source }
            }
            other => other,
        }
    }
}

/// Runs one of redb's open calls on `path`: a panic (a damaged file) is `Corrupted`, redb's
/// refusals are mapped by [`open_error`].
fn open_db<T>(path: &Path, open: impl FnOnce() -> std::result::Result<T, redb::DatabaseError>) -> Result<T> {
    no_panic("opening", || Ok(open()))
        .map_err(|_| StorageError::Corrupted(format!("{} could not be opened (damaged file)", path.display())))?
        .map_err(|e| open_error(e, path))
}

/// Every table of the file, the checksum marker included.
fn table_names(txn: &redb::ReadTransaction) -> Result<Vec<String>> {
    Ok(txn.list_tables().map_err(storage_err)?.map(|t| t.name().to_string()).collect())
}

/// redb's refusal to open `path`, as the error a caller can act on.
fn open_error(e: redb::DatabaseError, path: &Path) -> StorageError {
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen => {
            StorageError::Locked(format!("{} is already open in this or another process", path.display()))
        }
        redb::DatabaseError::RepairAborted => StorageError::ReadOnly(format!(
            "{} was not closed cleanly and needs a repair, which a read-only open cannot do",
            path.display()
        )),
        // A file redb cannot read as a database (wrong magic, truncated header) is damaged
        // or foreign, not an engine failure.
        redb::DatabaseError::Storage(redb::StorageError::Io(io)) if io.kind() == std::io::ErrorKind::InvalidData => {
            StorageError::Corrupted(format!("{} is not a readable redb database: {io}", path.display()))
        }
        redb::DatabaseError::Storage(s) => storage_err(s),
        other => StorageError::Corrupted(format!("{}: {other}", path.display())),
    }
}

/// Marks a new file as checksummed, or seals every value of a neotalk-storage file written
/// before checksums (one transaction: the upgrade happens whole or not at all). Any other
/// file is left untouched for the format check to refuse: a foreign redb file, or one of
/// another format version.
fn prepare_checksums(db: &redb::Database) -> Result<()> {
    let read = db.begin_read().map_err(engine_err)?;
    let tables = table_names(&read)?;
    if tables.iter().any(|t| t == CHECKSUMS_MARKER) {
        return Ok(());
    }
    if !tables.is_empty() {
        let stamp = match read.open_table(def(META)) {
            Ok(meta) => meta.get(FORMAT_VERSION_KEY).map_err(storage_err)?.map(|v| v.value().to_vec()),
            Err(_) => None,
        };
        match stamp.as_deref().map(<[u8; 4]>::try_from) {
            Some(Ok(v)) if READABLE_FORMATS.contains(&u32::from_le_bytes(v)) => {}
            Some(Ok(v)) => return Err(StorageError::VersionMismatch { found: u32::from_le_bytes(v), supported: FORMAT_VERSION }),
            _ => return Ok(()),
        }
    }
    drop(read);
    let txn = db.begin_write().map_err(engine_err)?;
    for name in &tables {
        seal_legacy_values(&txn, name)?;
    }
    txn.open_table(def(CHECKSUMS_MARKER)).map_err(table_err)?.insert(&b"xxh3-32"[..], &b""[..]).map_err(storage_err)?;
    txn.commit().map_err(engine_err)
}

/// Rewrites every value of `name` with its checksum, a bounded step at a time.
fn seal_legacy_values(txn: &redb::WriteTransaction, name: &str) -> Result<()> {
    let mut table = txn.open_table(def(name)).map_err(table_err)?;
    let mut after: Option<Vec<u8>> = None;
    loop {
        let step: Vec<(Vec<u8>, Vec<u8>)> = {
            let start = after.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
            let range = table.range::<&[u8]>((start, Bound::Unbounded)).map_err(storage_err)?;
            range
                .take(UPGRADE_STEP)
                .map(|e| e.map(|(k, v)| (k.value().to_vec(), v.value().to_vec())).map_err(storage_err))
                .collect::<Result<_>>()?
        };
        let Some((last, _)) = step.last() else { return Ok(()) };
        after = Some(last.clone());
        for (k, v) in &step {
            table.insert(k.as_slice(), seal(name, k, v).as_slice()).map_err(storage_err)?;
        }
    }
}

struct RedbView {
    txn: redb::ReadTransaction,
}

impl RedbView {
    fn table(&self, name: &str) -> Result<Option<redb::ReadOnlyTable<&'static [u8], &'static [u8]>>> {
        match self.txn.open_table(def(name)) {
            Ok(t) => Ok(Some(t)),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
            Err(e) => Err(table_err(e)),
        }
    }
}

impl ReadView for RedbView {
    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        no_panic("a read", || {
            let Some(t) = self.table(table)? else { return Ok(None) };
            match t.get(key).map_err(storage_err)? {
                Some(v) => Ok(Some(unseal(table, key, v.value())?.to_vec())),
                None => Ok(None),
            }
        })
    }

    fn scan(&self, table: &str, range: &KeyRange, dir: Direction, visit: &mut Visitor<'_>) -> Result<()> {
        // Only redb's own calls run under `no_panic`: a panic in the visitor is a bug in
        // store code and must surface as one, not as a damaged file.
        let Some(t) = no_panic("a scan", || self.table(table))? else { return Ok(()) };
        if range.is_empty() {
            return Ok(());
        }
        // The far bound is checked here, not by redb: the first entry past it is read and
        // its checksum checked before the scan ends. A flipped byte in a key can move an
        // entry past the far bound while it still sits inside the range's pages, and redb's
        // bounded scan then stops there, silently skipping the range's later entries; read
        // this way, the damaged key ends the scan with `Corrupted` instead.
        let (start, end) = (range.start.as_ref().map(Vec::as_slice), range.end.as_ref().map(Vec::as_slice));
        let (bounds, far) = match dir {
            Direction::Forward => ((start, Bound::Unbounded), &range.end),
            Direction::Reverse => ((Bound::Unbounded, end), &range.start),
        };
        let past_far = |key: &[u8]| match (dir, far) {
            (_, Bound::Unbounded) => false,
            (Direction::Forward, Bound::Included(e)) => key > e.as_slice(),
            (Direction::Forward, Bound::Excluded(e)) => key >= e.as_slice(),
            (Direction::Reverse, Bound::Included(s)) => key < s.as_slice(),
            (Direction::Reverse, Bound::Excluded(s)) => key <= s.as_slice(),
        };
        let mut iter = no_panic("a scan", || t.range::<&[u8]>(bounds).map_err(storage_err))?;
        loop {
            let next = no_panic("a scan", || {
                Ok(match dir {
                    Direction::Forward => iter.next(),
                    Direction::Reverse => iter.next_back(),
                })
            })?;
            let Some(entry) = next else { return Ok(()) };
            let (k, v) = entry.map_err(storage_err)?;
            // Reading a damaged entry's bytes can panic too; the visitor runs unguarded.
            let (key, value) = no_panic("a scan", || Ok((k.value(), unseal(table, k.value(), v.value())?)))?;
            if past_far(key) || visit(key, value)? == Scan::Stop {
                return Ok(());
            }
        }
    }

    fn salvage(&self, table: &str, good: &mut dyn FnMut(&[u8], &[u8]), damaged: &mut dyn FnMut(&[u8], String)) -> Result<u64> {
        let t = match no_panic("a check", || self.table(table)) {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(0),
            Err(e) => {
                damaged(&[], format!("the table cannot be opened: {e}"));
                return Ok(0);
            }
        };
        let mut iter = match no_panic("a check", || t.range::<&[u8]>(..).map_err(storage_err)) {
            Ok(iter) => iter,
            Err(e) => {
                damaged(&[], format!("the table cannot be read: {e}"));
                return Ok(0);
            }
        };
        let (mut n_good, mut last_key) = (0u64, Vec::new());
        loop {
            let entry = no_panic("a check", || {
                let Some(entry) = iter.next() else { return Ok(None) };
                let (k, v) = entry.map_err(storage_err)?;
                Ok(Some((k.value().to_vec(), unseal(table, k.value(), v.value()).map(<[u8]>::to_vec))))
            });
            match entry {
                Ok(None) => return Ok(n_good),
                Ok(Some((key, Ok(value)))) => {
                    good(&key, &value);
                    n_good += 1;
                    last_key = key;
                }
                Ok(Some((key, Err(e)))) => {
                    damaged(&key, e.to_string());
                    last_key = key;
                }
                Err(e) => {
                    damaged(&last_key, format!("the table cannot be read past this key: {e}"));
                    return Ok(n_good);
                }
            }
        }
    }

    fn table_names(&self) -> Result<Vec<String>> {
        no_panic("listing tables", || Ok(table_names(&self.txn)?.into_iter().filter(|t| t != CHECKSUMS_MARKER).collect()))
    }
}

/// Drops a redb handle inside the panic guard: redb's `Drop` closes the file, which writes
/// (the allocator state) and can panic on a damaged file (found by the `open_file` fuzz
/// target: an index out of bounds in redb's page bitmap while dropping a handle whose file
/// failed to open). A handle is dropped unclosed only after an error, so the panic adds
/// nothing to report.
fn drop_quietly(handle: Option<Handle>) {
    let _ = no_panic("closing a damaged file", move || {
        drop(handle);
        Ok(())
    });
}

impl Drop for RedbBackend {
    fn drop(&mut self) {
        drop_quietly(self.db.get_mut().take());
    }
}

/// One write transaction of `batches` on `handle`, each value sealed with its checksum.
fn write_to(handle: &Handle, batches: &[&WriteBatch], durable: bool) -> Result<()> {
    let db = match handle {
        Handle::Writable(db) => db,
        Handle::ReadOnly(_) => return Err(StorageError::ReadOnly("writes need a database opened for writing".into())),
        Handle::Failed => return Err(not_reopened()),
    };
    let mut txn = db.begin_write().map_err(begin_err)?;
    let durability = if durable { redb::Durability::Immediate } else { redb::Durability::None };
    txn.set_durability(durability).map_err(engine_err)?;
    match apply(&txn, batches) {
        Ok(()) => txn.commit().map_err(commit_err),
        Err(e) => {
            // An insert that found its key: nothing of the batch lands.
            let _ = txn.abort();
            Err(e)
        }
    }
}

/// Applies the ops of `batches` in `txn`, in order.
fn apply(txn: &redb::WriteTransaction, batches: &[&WriteBatch]) -> Result<()> {
    // The tables this batch opened, found by a linear search: a batch touches a handful,
    // and hashing each op's table name (twice) cost about 2 % of an event append.
    type Bytes = &'static [u8];
    let mut open: Vec<(&'static str, redb::Table<Bytes, Bytes>)> = Vec::new();
    let mut sealed = Vec::new();
    for op in batches.iter().flat_map(|b| b.ops()) {
        let name = match op {
            WriteOp::Put { table, .. } | WriteOp::Insert { table, .. } | WriteOp::Delete { table, .. } => *table,
        };
        let at = match open.iter().position(|(n, _)| *n == name) {
            Some(at) => at,
            None => {
                open.push((name, txn.open_table(def(name)).map_err(table_err)?));
                open.len() - 1
            }
        };
        let t = &mut open[at].1;
        match op {
            WriteOp::Put { key, value, .. } => {
                seal_into(name, key, value, &mut sealed);
                t.insert(key.as_slice(), sealed.as_slice()).map_err(storage_err)?;
            }
            WriteOp::Insert { key, value, .. } => {
                seal_into(name, key, value, &mut sealed);
                if t.insert(key.as_slice(), sealed.as_slice()).map_err(storage_err)?.is_some() {
                    return Err(already_present(name, key));
                }
            }
            WriteOp::Delete { key, .. } => {
                t.remove(key.as_slice()).map_err(storage_err)?;
            }
        }
    }
    Ok(())
}

impl Backend for RedbBackend {
    fn read(&self) -> Result<Box<dyn ReadView>> {
        no_panic("starting a read", || {
            let txn = self.on_handle("a read", Handle::begin_read)?;
            Ok(Box::new(RedbView { txn }) as Box<dyn ReadView>)
        })
    }

    fn write(&self, batches: &[&WriteBatch], durable: bool) -> Result<()> {
        let written = no_panic("a write", || self.on_handle("a write", |handle| write_to(handle, batches, durable)));
        if let Err(e @ StorageError::Io { .. }) = written {
            // redb refuses every later call on this handle: reopen now (or on the next call).
            let _ = self.reopen_after_failure();
            return Err(self.name_io(e, "a write"));
        }
        written
    }

    fn table_sizes(&self) -> Result<Vec<TableSize>> {
        no_panic("table statistics", || {
            let txn = self.on_handle("table statistics", Handle::begin_read)?;
            let mut out = Vec::new();
            for handle in txn.list_tables().map_err(storage_err)?.filter(|t| t.name() != CHECKSUMS_MARKER) {
                let t = txn.open_table(def(handle.name())).map_err(table_err)?;
                let stats = t.stats().map_err(storage_err)?;
                out.push(TableSize {
                    name: handle.name().to_string(),
                    entries: t.len().map_err(storage_err)?,
                    stored_bytes: stats.stored_bytes(),
                });
            }
            Ok(out)
        })
    }

    fn total_bytes(&self) -> Result<u64> {
        match &self.path {
            Some(path) => Ok(std::fs::metadata(path)?.len()),
            // A simulated disk's size is the test's to measure.
            None => Ok(0),
        }
    }

    fn close(&self) -> Result<()> {
        no_panic("close", || {
            match self.db.write().take() {
                // After redb's check found damage it discards its allocator state and cannot
                // write it on close; the file is released all the same, every commit is already
                // in it (the manager flushes first), and the next open rebuilds the state. The
                // damage was reported by the check: closing succeeds.
                Some(Handle::Writable(db)) => match db.close() {
                    Err(redb::DatabaseError::Storage(redb::StorageError::Corrupted(_))) => {}
                    other => other.map_err(engine_err)?,
                },
                Some(Handle::ReadOnly(db)) => db.close().map_err(engine_err)?,
                // The failed handle was dropped when its write failed: nothing is left open.
                Some(Handle::Failed) | None => {}
            }
            Ok(())
        })
    }

    fn kind(&self) -> &'static str {
        "redb"
    }

    fn is_read_only(&self) -> bool {
        matches!(*self.db.read(), Some(Handle::ReadOnly(_)))
    }

    fn compact(&self) -> Result<bool> {
        no_panic("compaction", || {
            self.reopen_if_failed("compaction")?;
            let mut guard = self.db.write();
            let db = guard.as_mut().ok_or(StorageError::Closed)?.writable("compaction")?;
            db.compact().map_err(|e| match e {
                redb::CompactionError::TransactionInProgress => {
                    StorageError::Conflict("cannot compact while a read or write is in progress; retry".into())
                }
                other => engine_err(other),
            })
        })
    }

    fn check_integrity(&self) -> Result<bool> {
        no_panic("the integrity check", || {
            self.reopen_if_failed("the integrity check")?;
            let mut guard = self.db.write();
            // redb's check may repair, so it needs write access.
            let db = guard.as_mut().ok_or(StorageError::Closed)?.writable("redb's structural check")?;
            db.check_integrity().map_err(engine_err)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "bug in a visitor")]
    fn a_panic_in_store_code_is_not_reported_as_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        let backend = RedbBackend::open(&dir.path().join("t.redb"), 1 << 20).unwrap();
        let mut batch = WriteBatch::new();
        batch.put("t", b"k".to_vec(), b"v".to_vec());
        backend.write(&[&batch], false).unwrap();
        let view = backend.read().unwrap();
        let _ = view.scan("t", &KeyRange::all(), Direction::Forward, &mut |_, _| panic!("bug in a visitor"));
    }
}
