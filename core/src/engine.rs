//! The shared engine under every store: backend, durability, write serialisation, meta table.

use crate::backend::{Backend, ReadView, WriteBatch};
use crate::error::{Result, StorageError};
use parking_lot::{Mutex, MutexGuard};
use std::sync::atomic::{AtomicBool, Ordering};

/// Table of engine-wide values (format version, counters).
pub(crate) const META: &str = "meta";
/// Meta key of the on-disk format version.
pub(crate) const FORMAT_VERSION_KEY: &[u8] = b"format_version";
/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// When a committed write is guaranteed to survive a crash or power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Durability {
    /// Every commit is fsynced before it returns (the default).
    #[default]
    Immediate,
    /// Commits are visible at once but reach the disk at the next `flush()`, `close()` or
    /// background sync (every write-buffer delay). A crash loses at most that window; the file
    /// is never corrupted by it.
    Eventual,
}

pub(crate) struct Engine {
    backend: Box<dyn Backend>,
    durability: Durability,
    /// Serialises read-modify-write paths (sequence numbers, indexes, device snapshots).
    write_lock: Mutex<()>,
    /// A non-durable commit happened since the last durable one.
    unsynced: AtomicBool,
    closed: AtomicBool,
}

impl Engine {
    pub(crate) fn new(backend: Box<dyn Backend>, durability: Durability) -> Self {
        Engine {
            backend,
            durability,
            write_lock: Mutex::new(()),
            unsynced: AtomicBool::new(false),
            closed: AtomicBool::new(false),
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

    /// Takes the writer lock; hold it across a read-modify-write and its commit.
    pub(crate) fn lock_writes(&self) -> MutexGuard<'_, ()> {
        self.write_lock.lock()
    }

    pub(crate) fn read(&self) -> Result<Box<dyn ReadView>> {
        self.ensure_open()?;
        self.backend.read()
    }

    pub(crate) fn commit(&self, batch: &WriteBatch) -> Result<()> {
        self.ensure_open()?;
        if batch.is_empty() {
            return Ok(());
        }
        let durable = self.durability == Durability::Immediate;
        self.backend.write(batch, durable)?;
        if !durable {
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
            if let Err(e) = self.backend.write(&WriteBatch::new(), true) {
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
            Some(v) => Ok(u64::from_le_bytes(
                v.as_slice().try_into().map_err(|_| StorageError::Corrupted("meta counter is not 8 bytes".into()))?,
            )),
        }
    }
}
