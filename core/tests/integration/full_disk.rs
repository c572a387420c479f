//! A full disk: the database runs on a simulated disk that refuses to grow past a limit with
//! the operating system's "no space left on device" error. A write that hits the limit must
//! fail with a clear `Io` error; everything acknowledged before must stay readable on the
//! same handle; once space returns, the same handle must write again (redb refuses every
//! call on a handle after an I/O error, so the backend reopens the file itself); and the
//! file must reopen whole and pass the integrity report.
#![cfg(feature = "fuzzing")]

use neotalk_storage::{DataPoint, Durability, NewEvent, StorageError, StorageManager, StorageOptions};
use parking_lot::Mutex;
use redb::StorageBackend;
use std::io::{Error as IoError, ErrorKind};
use std::sync::Arc;

#[derive(Default)]
struct Disk {
    bytes: Vec<u8>,
    /// The most bytes the disk holds (`None`: no limit).
    limit: Option<u64>,
    /// Writes refused for want of space.
    refused: u64,
}

/// The simulated disk, shared between the database and the test.
#[derive(Clone, Default)]
struct FullDisk(Arc<Mutex<Disk>>);

impl std::fmt::Debug for FullDisk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FullDisk")
    }
}

impl FullDisk {
    /// Lets the disk hold `extra` bytes beyond what it holds now (`None`: any amount).
    fn room_for(&self, extra: Option<u64>) {
        let mut disk = self.0.lock();
        disk.limit = extra.map(|extra| disk.bytes.len() as u64 + extra);
    }
}

/// Grows `disk` to `len` bytes, or refuses as a full file system does.
fn grow(disk: &mut Disk, len: u64) -> Result<(), IoError> {
    if disk.limit.is_some_and(|limit| len > limit) {
        disk.refused += 1;
        return Err(IoError::from(ErrorKind::StorageFull));
    }
    if disk.bytes.len() < len as usize {
        disk.bytes.resize(len as usize, 0);
    }
    Ok(())
}

impl StorageBackend for FullDisk {
    fn len(&self) -> Result<u64, IoError> {
        Ok(self.0.lock().bytes.len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), IoError> {
        let disk = self.0.lock();
        let start = offset as usize;
        out.copy_from_slice(disk.bytes.get(start..start + out.len()).ok_or_else(|| IoError::other("read past the end"))?);
        Ok(())
    }

    fn set_len(&self, len: u64) -> Result<(), IoError> {
        let mut disk = self.0.lock();
        grow(&mut disk, len)?;
        disk.bytes.truncate(len as usize);
        Ok(())
    }

    fn sync_data(&self) -> Result<(), IoError> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), IoError> {
        let mut disk = self.0.lock();
        let end = offset + data.len() as u64;
        grow(&mut disk, end)?;
        disk.bytes[offset as usize..end as usize].copy_from_slice(data);
        Ok(())
    }
}

fn options() -> StorageOptions {
    StorageOptions { durability: Durability::Immediate, ..Default::default() }
}

/// Batch `n`: 2,000 points of one series and one event.
fn write_batch(db: &StorageManager, n: i64) -> neotalk_storage::Result<()> {
    let points: Vec<DataPoint> = (0..2_000).map(|i| DataPoint::new(n * 10_000 + i, (n * 7 + i) as f64 * 0.5)).collect();
    db.timeseries().write_series("pump", &format!("metric-{n}"), &points)?;
    db.events().append(&NewEvent::new(&format!("event-{n}"), "batch", "test", n, serde_json::json!({"n": n})))?;
    Ok(())
}

/// Every batch in `batches` reads back whole.
fn assert_batches(db: &StorageManager, batches: std::ops::Range<i64>) {
    for n in batches {
        let points = db.timeseries().query_range("pump", &format!("metric-{n}"), ..).unwrap();
        assert_eq!(points.len(), 2_000, "batch {n}");
        assert_eq!(points[1_999], DataPoint::new(n * 10_000 + 1_999, (n * 7 + 1_999) as f64 * 0.5));
        assert!(db.events().get(&format!("event-{n}")).unwrap().is_some(), "event of batch {n}");
    }
}

#[test]
fn a_full_disk_fails_the_write_keeps_the_data_and_recovers_on_the_same_handle() {
    let disk = FullDisk::default();
    let db = StorageManager::on_redb_storage(disk.clone(), options()).unwrap();
    for n in 0..5 {
        write_batch(&db, n).unwrap();
    }

    // No more room: some write soon fails, with an error that says so.
    disk.room_for(Some(0));
    let mut acknowledged = 5;
    let error = loop {
        match write_batch(&db, acknowledged) {
            Ok(()) => acknowledged += 1,
            Err(e) => break e,
        }
        assert!(acknowledged < 1_000, "the disk never filled up");
    };
    assert!(disk.0.lock().refused > 0);
    assert!(matches!(error, StorageError::Io { .. }), "{error:?}");
    assert_eq!(error.code(), "IO");
    assert!(error.to_string().contains("no space left"), "{error}");
    assert!(error.to_string().contains("simulated disk"), "the message names the file: {error}");

    // Reads work on the same handle, and everything acknowledged is there.
    assert_batches(&db, 0..acknowledged);
    assert!(!db.table_sizes().unwrap().is_empty());
    assert!(db.integrity_report().unwrap().ok);

    // Space returns: the same handle writes again, without reopening by the caller.
    disk.room_for(None);
    write_batch(&db, acknowledged).unwrap();
    assert_batches(&db, 0..acknowledged + 1);
    db.close().unwrap();

    let reopened = StorageManager::on_redb_storage(disk.clone(), options()).unwrap();
    assert_batches(&reopened, 0..acknowledged + 1);
    let report = reopened.integrity_report().unwrap();
    assert!(report.ok, "{report:?}");
    reopened.close().unwrap();
}
