//! The backend seam: an ordered byte key/value store with named tables.
//!
//! Stores never talk to redb directly; they read through a [`ReadView`] (one consistent
//! snapshot) and write through atomic [`WriteBatch`]es. Two implementations exist:
//! [`MemoryBackend`] (wasm, tests) and, natively, `RedbBackend`. Every store test runs on both.

#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod checksum;
mod memory;
#[cfg(not(target_arch = "wasm32"))]
mod panic_guard;
#[cfg(not(target_arch = "wasm32"))]
mod redb_file;

pub use memory::MemoryBackend;
#[cfg(not(target_arch = "wasm32"))]
pub use redb_file::RedbBackend;
// Only the fuzzing feature's tests build files by hand.
#[cfg(all(test, feature = "fuzzing", not(target_arch = "wasm32")))]
pub(crate) use redb_file::CHECKSUMS_MARKER;

use crate::error::Result;
use std::ops::Bound;

/// The error of a [`WriteOp::Insert`] whose key `table` already holds.
pub(crate) fn already_present(table: &str, key: &[u8]) -> crate::error::StorageError {
    crate::error::StorageError::Conflict(format!("{table}: key {} is already present", crate::storage::key::hex(key)))
}

/// One change in a [`WriteBatch`].
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    /// Insert or replace `key` in `table`.
    Put {
        /// Table name.
        table: &'static str,
        /// Encoded key.
        key: Vec<u8>,
        /// Value bytes.
        value: Vec<u8>,
    },
    /// Insert `key`, which must be absent: when `table` holds it (stored, or put earlier in
    /// the same write), the whole write fails with [`StorageError::Conflict`](crate::StorageError::Conflict)
    /// and changes nothing. A unique index checks and writes in one B-tree descent this way.
    Insert {
        /// Table name.
        table: &'static str,
        /// Encoded key.
        key: Vec<u8>,
        /// Value bytes.
        value: Vec<u8>,
    },
    /// Remove `key` from `table` (no error if absent).
    Delete {
        /// Table name.
        table: &'static str,
        /// Encoded key.
        key: Vec<u8>,
    },
}

impl WriteOp {
    /// Bytes of key and value.
    pub fn bytes(&self) -> usize {
        match self {
            WriteOp::Put { key, value, .. } | WriteOp::Insert { key, value, .. } => key.len() + value.len(),
            WriteOp::Delete { key, .. } => key.len(),
        }
    }
}

/// Changes to several tables that commit together or not at all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteBatch {
    ops: Vec<WriteOp>,
    durable: bool,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> Self {
        WriteBatch::default()
    }

    /// Queues an insert-or-replace.
    pub fn put(&mut self, table: &'static str, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push(WriteOp::Put { table, key, value });
    }

    /// Queues an insert of a key that must be absent (see [`WriteOp::Insert`]).
    pub fn insert(&mut self, table: &'static str, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push(WriteOp::Insert { table, key, value });
    }

    /// Asks for this batch's commit to be durable even under `Durability::Eventual`.
    pub fn make_durable(&mut self) {
        self.durable = true;
    }

    /// Whether [`make_durable`](Self::make_durable) was asked for.
    pub fn wants_durable(&self) -> bool {
        self.durable
    }

    /// Queues a delete.
    pub fn delete(&mut self, table: &'static str, key: Vec<u8>) {
        self.ops.push(WriteOp::Delete { table, key });
    }

    /// Number of queued changes.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The queued changes, in order. Later changes to the same key win.
    pub fn ops(&self) -> &[WriteOp] {
        &self.ops
    }
}

/// Scan direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Ascending key order.
    Forward,
    /// Descending key order.
    Reverse,
}

/// A key range for [`ReadView::scan`].
#[derive(Debug, Clone)]
pub struct KeyRange {
    /// Lower bound.
    pub start: Bound<Vec<u8>>,
    /// Upper bound.
    pub end: Bound<Vec<u8>>,
}

impl KeyRange {
    /// Every key of the table.
    pub fn all() -> Self {
        KeyRange { start: Bound::Unbounded, end: Bound::Unbounded }
    }

    /// Keys in `[start, end)`.
    pub fn half_open(start: Vec<u8>, end: Vec<u8>) -> Self {
        KeyRange { start: Bound::Included(start), end: Bound::Excluded(end) }
    }

    /// Every key that starts with `prefix`.
    pub fn prefix(prefix: Vec<u8>) -> Self {
        let end = match crate::storage::key::prefix_end(&prefix) {
            Some(e) => Bound::Excluded(e),
            None => Bound::Unbounded,
        };
        KeyRange { start: Bound::Included(prefix), end }
    }

    /// Whether the range can hold no key at all (so scanning it is skipped).
    pub(crate) fn is_empty(&self) -> bool {
        match (&self.start, &self.end) {
            (Bound::Included(s), Bound::Included(e)) => s > e,
            (Bound::Included(s), Bound::Excluded(e))
            | (Bound::Excluded(s), Bound::Included(e))
            | (Bound::Excluded(s), Bound::Excluded(e)) => s >= e,
            _ => false,
        }
    }
}

/// What a scan visitor wants next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// Deliver the next entry.
    Continue,
    /// End the scan.
    Stop,
}

/// Visitor called once per entry of a scan, in scan order.
pub type Visitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<Scan> + 'a;

/// A consistent read snapshot: it sees every batch committed before it was taken and nothing after.
pub trait ReadView: Send {
    /// The value under `key`, if any. A table that was never written reads as empty.
    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Streams the entries of `range` to `visit` without collecting them.
    fn scan(&self, table: &str, range: &KeyRange, dir: Direction, visit: &mut Visitor<'_>) -> Result<()>;

    /// Names of the tables that hold at least one entry, or existed once.
    fn table_names(&self) -> Result<Vec<String>>;

    /// Reads every entry of `table`, checking what the backend can check (the redb file: each
    /// value's checksum): each entry that checks out goes to `good` as (key, value), each
    /// damaged one to `damaged` as (key, problem), instead of stopping; a table that cannot
    /// be read past some key is reported once, at the last good key. Returns the good
    /// entries. Salvage copies what `good` receives; the integrity report only counts it.
    fn salvage(&self, table: &str, good: &mut dyn FnMut(&[u8], &[u8]), damaged: &mut dyn FnMut(&[u8], String)) -> Result<u64> {
        let _ = damaged; // nothing in memory can be damaged
        let mut n = 0;
        self.scan(table, &KeyRange::all(), Direction::Forward, &mut |k, v| {
            good(k, v);
            n += 1;
            Ok(Scan::Continue)
        })?;
        Ok(n)
    }

    /// [`ReadView::salvage`] without the good entries: the integrity report's scan.
    fn verify(&self, table: &str, damaged: &mut dyn FnMut(&[u8], String)) -> Result<u64> {
        self.salvage(table, &mut |_, _| {}, damaged)
    }
}

/// Entry count and size of one table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableSize {
    /// Table name.
    pub name: String,
    /// Number of entries.
    pub entries: u64,
    /// Bytes of keys and values stored (excluding engine overhead).
    pub stored_bytes: u64,
}

/// An ordered key/value store with named tables and atomic multi-table batches.
pub trait Backend: Send + Sync {
    /// A consistent snapshot for reading.
    fn read(&self) -> Result<Box<dyn ReadView>>;

    /// Applies `batches`, in order, as one atomic transaction. `durable` asks that it survive
    /// a crash once this returns.
    fn write(&self, batches: &[&WriteBatch], durable: bool) -> Result<()>;

    /// Entry count and size of every table.
    fn table_sizes(&self) -> Result<Vec<TableSize>>;

    /// Bytes the backend occupies (file size for redb, stored bytes in memory).
    fn total_bytes(&self) -> Result<u64>;

    /// Rewrites storage to release free space; returns whether anything was reclaimed.
    /// Fails with `Conflict` while a read snapshot is alive.
    fn compact(&self) -> Result<bool> {
        Ok(false)
    }

    /// Verifies checksums and structure; `Ok(true)` when sound.
    fn check_integrity(&self) -> Result<bool> {
        Ok(true)
    }

    /// Flushes and releases the backend; later calls fail with `StorageError::Closed`.
    fn close(&self) -> Result<()>;

    /// Whether every write is refused (a redb file opened read-only).
    fn is_read_only(&self) -> bool {
        false
    }

    /// Short name of the implementation (`"redb"`, `"memory"`).
    fn kind(&self) -> &'static str;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StorageError;

    fn backends() -> Vec<(Box<dyn Backend>, Option<tempfile::TempDir>)> {
        let mut out: Vec<(Box<dyn Backend>, Option<tempfile::TempDir>)> = vec![(Box::new(MemoryBackend::new()), None)];
        #[cfg(not(target_arch = "wasm32"))]
        {
            let dir = tempfile::tempdir().unwrap();
            out.push((Box::new(RedbBackend::open(&dir.path().join("t.redb"), 1 << 20).unwrap()), Some(dir)));
        }
        out
    }

    #[test]
    fn an_insert_that_finds_its_key_fails_the_whole_write() {
        for (backend, _dir) in backends() {
            let mut first = WriteBatch::new();
            first.insert("t", b"a".to_vec(), b"1".to_vec());
            backend.write(&[&first], false).unwrap();
            // Stored already, and twice in one batch: neither batch changes anything.
            let mut stored = WriteBatch::new();
            stored.put("u", b"x".to_vec(), b"2".to_vec());
            stored.insert("t", b"a".to_vec(), b"3".to_vec());
            let mut twice = WriteBatch::new();
            twice.insert("t", b"b".to_vec(), b"4".to_vec());
            twice.insert("t", b"b".to_vec(), b"5".to_vec());
            for batch in [stored, twice] {
                match backend.write(&[&batch], false) {
                    Err(StorageError::Conflict(m)) => assert!(m.contains("already present"), "{m}"),
                    other => panic!("{other:?}"),
                }
            }
            let view = backend.read().unwrap();
            assert_eq!(view.get("t", b"a").unwrap().as_deref(), Some(&b"1"[..]));
            assert_eq!((view.get("t", b"b").unwrap(), view.get("u", b"x").unwrap()), (None, None));
            // The backend takes writes after a refused one.
            let mut next = WriteBatch::new();
            next.insert("t", b"b".to_vec(), b"6".to_vec());
            backend.write(&[&next], false).unwrap();
            assert_eq!(backend.read().unwrap().get("t", b"b").unwrap().as_deref(), Some(&b"6"[..]));
        }
    }
}
