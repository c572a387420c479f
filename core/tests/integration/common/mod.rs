//! Test fixtures: every store test body runs once per backend.
#![allow(dead_code)]

use neotalk_storage::{StorageManager, StorageOptions};
use tempfile::TempDir;

/// A database under test, on one backend.
pub struct Fixture {
    pub db: StorageManager,
    dir: Option<TempDir>,
}

impl Fixture {
    pub fn memory() -> Self {
        Fixture { db: StorageManager::in_memory().unwrap(), dir: None }
    }

    pub fn redb() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Fixture { db: StorageManager::open(dir.path()).unwrap(), dir: Some(dir) }
    }

    /// redb in the split layout (time series, vectors, sessions and events in files of their own).
    pub fn split() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let options = StorageOptions { split_files: true, ..Default::default() };
        Fixture { db: StorageManager::open_with(dir.path(), options).unwrap(), dir: Some(dir) }
    }

    pub fn with_options(redb: bool, options: StorageOptions) -> Self {
        if redb {
            let dir = tempfile::tempdir().unwrap();
            Fixture { db: StorageManager::open_with(dir.path(), options).unwrap(), dir: Some(dir) }
        } else {
            Fixture { db: StorageManager::in_memory_with(options).unwrap(), dir: None }
        }
    }

    pub fn is_redb(&self) -> bool {
        self.dir.is_some()
    }

    /// Closes and reopens a redb database (a no-op in memory, which cannot outlive its handle).
    pub fn reopen(self) -> Self {
        match self.dir {
            Some(dir) => {
                self.db.close().unwrap();
                drop(self.db);
                let db = StorageManager::open(dir.path()).unwrap();
                Fixture { db, dir: Some(dir) }
            }
            None => self,
        }
    }

    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(|d| d.path())
    }
}

/// Declares tests whose body runs on the memory backend, on the redb backend, and on redb with
/// split files:
///
/// ```ignore
/// on_both_backends! {
///     fn writes_and_reads(fx) { fx.db.timeseries()...; }
/// }
/// ```
/// Each `fn name(fx)` becomes module `name` with tests `memory`, `redb` and `split`; `fx` is a
/// [`Fixture`].
#[macro_export]
macro_rules! on_both_backends {
    ($( fn $name:ident($fx:ident) $body:block )*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[allow(unused_mut)]
                fn run(mut $fx: $crate::common::Fixture) $body
                #[test]
                fn memory() { run($crate::common::Fixture::memory()) }
                #[test]
                fn redb() { run($crate::common::Fixture::redb()) }
                #[test]
                fn split() { run($crate::common::Fixture::split()) }
            }
        )*
    };
}

/// A numeric knob of the long-running tests (`NTS_CRASH_ROUNDS`, `NTS_FLIP_TRIALS`, ...).
pub fn env_num(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| v.parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
}

/// The seed of a randomized test: `name` from the environment to replay a run, else a new one.
pub fn seed(name: &str) -> u64 {
    env_num(name).unwrap_or_else(|| fastrand::u64(..))
}

/// Flips one byte in the middle of the first stored value of `table` (a damaged sector).
pub fn damage_first_value(path: &std::path::Path, table: &str) {
    use redb::ReadableTable;
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let mut t = txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new(table)).unwrap();
        let (key, mut value) = {
            let (k, v) = t.first().unwrap().unwrap();
            (k.value().to_vec(), v.value().to_vec())
        };
        let mid = value.len() / 2;
        value[mid] ^= 0x10;
        t.insert(key.as_slice(), value.as_slice()).unwrap();
    }
    txn.commit().unwrap();
}
