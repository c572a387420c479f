//! redb backend: one database file, every table `&[u8] -> &[u8]`.

use super::{Backend, Direction, KeyRange, ReadView, Scan, TableSize, Visitor, WriteBatch, WriteOp};
use crate::error::{Result, StorageError};
use parking_lot::RwLock;
use redb::{ReadableDatabase, ReadableTableMetadata, TableDefinition, TableHandle};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn def(name: &str) -> TableDefinition<'_, &'static [u8], &'static [u8]> {
    TableDefinition::new(name)
}

fn engine_err(e: impl std::error::Error + Send + Sync + 'static) -> StorageError {
    StorageError::backend(e.to_string(), e)
}

fn table_err(e: redb::TableError) -> StorageError {
    match e {
        redb::TableError::Storage(s) => storage_err(s),
        other => StorageError::Corrupted(other.to_string()),
    }
}

/// Runs a redb call, turning a panic into `Corrupted`: redb panics on some damaged pages
/// (e.g. in `Table::stats`, found by fuzz/open_file), and no panic may escape the SDK.
fn no_panic<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(StorageError::Corrupted(format!("the database file is damaged (redb failed during {what})"))))
}

fn storage_err(e: redb::StorageError) -> StorageError {
    match e {
        redb::StorageError::Corrupted(m) => StorageError::Corrupted(m),
        other => StorageError::backend(other.to_string(), other),
    }
}

/// Backend on a redb file.
pub struct RedbBackend {
    path: PathBuf,
    db: RwLock<Option<redb::Database>>,
}

impl RedbBackend {
    /// Opens (or creates) the database file at `path` with a page cache of `cache_bytes`.
    ///
    /// A file held by another process or handle fails with `StorageError::Locked`; a damaged
    /// file fails with `StorageError::Corrupted` (redb may panic on some damage: that panic is
    /// caught here and reported, never propagated).
    pub fn open(path: &Path, cache_bytes: usize) -> Result<Self> {
        let owned = path.to_path_buf();
        let opened = std::panic::catch_unwind(move || redb::Database::builder().set_cache_size(cache_bytes).create(&owned))
            .map_err(|_| StorageError::Corrupted(format!("{} could not be opened (damaged file)", path.display())))?;
        let db = opened.map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => {
                StorageError::Locked(format!("{} is already open in this or another process", path.display()))
            }
            // A file redb cannot read as a database (wrong magic, truncated header) is damaged
            // or foreign, not an engine failure.
            redb::DatabaseError::Storage(redb::StorageError::Io(io)) if io.kind() == std::io::ErrorKind::InvalidData => {
                StorageError::Corrupted(format!("{} is not a readable redb database: {io}", path.display()))
            }
            redb::DatabaseError::Storage(s) => storage_err(s),
            other => StorageError::Corrupted(format!("{}: {other}", path.display())),
        })?;
        Ok(RedbBackend { path: path.to_path_buf(), db: RwLock::new(Some(db)) })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
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
            Ok(t.get(key).map_err(storage_err)?.map(|v| v.value().to_vec()))
        })
    }

    fn scan(&self, table: &str, range: &KeyRange, dir: Direction, visit: &mut Visitor<'_>) -> Result<()> {
        // Only redb's own calls run under `no_panic`: a panic in the visitor is a bug in
        // store code and must surface as one, not as a damaged file.
        let Some(t) = no_panic("a scan", || self.table(table))? else { return Ok(()) };
        if range.is_empty() {
            return Ok(());
        }
        let bounds = (range.start.as_ref().map(|k| k.as_slice()), range.end.as_ref().map(|k| k.as_slice()));
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
            if visit(k.value(), v.value())? == Scan::Stop {
                return Ok(());
            }
        }
    }

    fn table_names(&self) -> Result<Vec<String>> {
        no_panic("listing tables", || {
            let tables = self.txn.list_tables().map_err(storage_err)?;
            Ok(tables.map(|t| t.name().to_string()).collect())
        })
    }
}

impl Backend for RedbBackend {
    fn read(&self) -> Result<Box<dyn ReadView>> {
        no_panic("starting a read", || {
            let guard = self.db.read();
            let db = guard.as_ref().ok_or(StorageError::Closed)?;
            let txn = db.begin_read().map_err(engine_err)?;
            Ok(Box::new(RedbView { txn }) as Box<dyn ReadView>)
        })
    }

    fn write(&self, batches: &[&WriteBatch], durable: bool) -> Result<()> {
        no_panic("a write", || {
            let guard = self.db.read();
            let db = guard.as_ref().ok_or(StorageError::Closed)?;
            let mut txn = db.begin_write().map_err(engine_err)?;
            let durability = if durable { redb::Durability::Immediate } else { redb::Durability::None };
            txn.set_durability(durability).map_err(engine_err)?;
            {
                let mut open: HashMap<&'static str, redb::Table<&'static [u8], &'static [u8]>> = HashMap::new();
                for op in batches.iter().flat_map(|b| b.ops()) {
                    let name = match op {
                        WriteOp::Put { table, .. } | WriteOp::Delete { table, .. } => *table,
                    };
                    if !open.contains_key(name) {
                        open.insert(name, txn.open_table(def(name)).map_err(table_err)?);
                    }
                    let t = open.get_mut(name).expect("opened above");
                    match op {
                        WriteOp::Put { key, value, .. } => {
                            t.insert(key.as_slice(), value.as_slice()).map_err(storage_err)?;
                        }
                        WriteOp::Delete { key, .. } => {
                            t.remove(key.as_slice()).map_err(storage_err)?;
                        }
                    }
                }
            }
            txn.commit().map_err(engine_err)
        })
    }

    fn table_sizes(&self) -> Result<Vec<TableSize>> {
        no_panic("table statistics", || {
            let guard = self.db.read();
            let db = guard.as_ref().ok_or(StorageError::Closed)?;
            let txn = db.begin_read().map_err(engine_err)?;
            let mut out = Vec::new();
            for handle in txn.list_tables().map_err(storage_err)? {
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
        Ok(std::fs::metadata(&self.path)?.len())
    }

    fn close(&self) -> Result<()> {
        no_panic("close", || {
            if let Some(db) = self.db.write().take() {
                db.close().map_err(engine_err)?;
            }
            Ok(())
        })
    }

    fn kind(&self) -> &'static str {
        "redb"
    }

    fn compact(&self) -> Result<bool> {
        no_panic("compaction", || {
            let mut guard = self.db.write();
            let db = guard.as_mut().ok_or(StorageError::Closed)?;
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
            let mut guard = self.db.write();
            let db = guard.as_mut().ok_or(StorageError::Closed)?;
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
