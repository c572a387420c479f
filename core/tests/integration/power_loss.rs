//! Power-cut simulation: the database runs on a simulated disk that keeps every write since
//! the last `sync_data` in a volatile layer. At a random write the power goes: the disk fails
//! every call from then on, and what survives is the synced image plus a random subset of
//! the volatile writes, each kept whole, dropped, or torn (a prefix of its 4 KiB pages kept).
//! The surviving image is reopened on a fresh simulated disk and must: open, pass the
//! integrity report, hold every `Durability::Immediate` commit acknowledged before the cut
//! whole, and hold no part of a batch that was not (each batch is all there or not at all).
//!
//! The technique is redb's own (`fuzz/fuzz_targets/fuzz_redb.rs` in cberner/redb). Cuts:
//! 200 by default, `NTS_POWER_CUTS=10000` for a long run; `NTS_POWER_SEED` replays a run.
#![cfg(feature = "fuzzing")]

use crate::common;
use common::{env_num, seed};
use neotalk_storage::{AlertRecord, AlertSeverity, DataPoint, Durability, NewEvent, StorageManager, StorageOptions};
use parking_lot::Mutex;
use redb::StorageBackend;
use std::io::Error as IoError;
use std::sync::Arc;

const PAGE: usize = 4096;

/// A change not yet synced.
#[derive(Clone)]
enum Pending {
    Write { offset: u64, data: Vec<u8> },
    SetLen(u64),
}

#[derive(Default)]
struct Disk {
    /// What reads see.
    current: Vec<u8>,
    /// What survives a power cut for certain.
    synced: Vec<u8>,
    pending: Vec<Pending>,
    /// Write calls left before the power goes (`None`: never).
    writes_left: Option<u64>,
    dead: bool,
}

/// The simulated disk, shared between the database and the test.
#[derive(Clone, Default)]
struct PowerCutDisk(Arc<Mutex<Disk>>);

impl std::fmt::Debug for PowerCutDisk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PowerCutDisk")
    }
}

fn power_lost() -> IoError {
    IoError::other("simulated power loss")
}

impl PowerCutDisk {
    fn with_image(image: Vec<u8>) -> Self {
        PowerCutDisk(Arc::new(Mutex::new(Disk { current: image.clone(), synced: image, ..Default::default() })))
    }

    /// The power goes after `n` more write calls.
    fn cut_after(&self, n: u64) {
        self.0.lock().writes_left = Some(n);
    }

    /// What survived: the synced image, then each pending change kept, dropped or torn.
    fn surviving_image(&self, rng: &mut fastrand::Rng) -> Vec<u8> {
        let disk = self.0.lock();
        let mut image = disk.synced.clone();
        for change in &disk.pending {
            match change {
                Pending::SetLen(len) => {
                    if rng.bool() {
                        image.resize(*len as usize, 0);
                    }
                }
                Pending::Write { offset, data } => {
                    let kept = match rng.u8(..3) {
                        0 => 0,
                        1 => data.len(),
                        // Torn: whole pages from the front, like a device that lost the rest.
                        _ => (rng.usize(..=data.len() / PAGE) * PAGE).min(data.len()),
                    };
                    let end = *offset as usize + kept;
                    if image.len() < end {
                        image.resize(end, 0);
                    }
                    image[*offset as usize..end].copy_from_slice(&data[..kept]);
                }
            }
        }
        image
    }
}

impl StorageBackend for PowerCutDisk {
    fn len(&self) -> Result<u64, IoError> {
        let disk = self.0.lock();
        if disk.dead {
            return Err(power_lost());
        }
        Ok(disk.current.len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), IoError> {
        let disk = self.0.lock();
        if disk.dead {
            return Err(power_lost());
        }
        let start = offset as usize;
        let src = disk.current.get(start..start + out.len()).ok_or_else(|| IoError::other("read past the end"))?;
        out.copy_from_slice(src);
        Ok(())
    }

    fn set_len(&self, len: u64) -> Result<(), IoError> {
        let mut disk = self.0.lock();
        if disk.dead {
            return Err(power_lost());
        }
        disk.current.resize(len as usize, 0);
        disk.pending.push(Pending::SetLen(len));
        Ok(())
    }

    fn sync_data(&self) -> Result<(), IoError> {
        let mut disk = self.0.lock();
        if disk.dead {
            return Err(power_lost());
        }
        disk.synced = disk.current.clone();
        disk.pending.clear();
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), IoError> {
        let mut disk = self.0.lock();
        if let Some(left) = disk.writes_left {
            if left == 0 {
                disk.dead = true;
            }
            disk.writes_left = Some(left.saturating_sub(1));
        }
        if disk.dead {
            return Err(power_lost());
        }
        let end = offset as usize + data.len();
        if disk.current.len() < end {
            disk.current.resize(end, 0);
        }
        disk.current[offset as usize..end].copy_from_slice(data);
        disk.pending.push(Pending::Write { offset, data: data.to_vec() });
        Ok(())
    }
}

fn durable() -> StorageOptions {
    StorageOptions { durability: Durability::Immediate, ..Default::default() }
}

/// Commit `n` of `store`: 50 telemetry points (0), 3 events (1) or 1 alert (2), one call.
fn commit(db: &StorageManager, store: usize, n: i64) -> neotalk_storage::Result<()> {
    match store {
        0 => db.timeseries().write_series(
            "dev",
            "m",
            &(0..50).map(|i| DataPoint::new(n * 50 + i, (n * 50 + i) as f64 / 4.0)).collect::<Vec<_>>(),
        ),
        1 => {
            let events: Vec<NewEvent> =
                (0..3).map(|i| NewEvent::new(&format!("e{n}-{i}"), "t", "s", n, serde_json::json!({"n": n, "i": i}))).collect();
            db.events().append_batch(&events).map(|_| ())
        }
        _ => db.alerts().create(&AlertRecord::new(&format!("a{n}"), "t", AlertSeverity::Info, "m", "s", n)),
    }
}

/// Checks the reopened database: the `acked` commits of each store are all there; anything
/// beyond is whole or absent.
fn check(db: &StorageManager, acked: [i64; 3], context: &str) {
    let report = db.integrity_report().unwrap_or_else(|e| panic!("{context}: report failed: {e}"));
    assert!(report.ok, "{context}: {report:?}");
    let points = db.timeseries().query_range("dev", "m", ..).unwrap();
    assert_eq!(points.len() % 50, 0, "{context}: a torn telemetry batch ({} points)", points.len());
    assert!(points.len() as i64 >= acked[0] * 50, "{context}: acknowledged points lost ({} < {})", points.len(), acked[0] * 50);
    for (i, p) in points.iter().enumerate() {
        assert_eq!((p.timestamp, p.value.as_f64()), (i as i64, Some(i as f64 / 4.0)), "{context}");
    }
    let events = db.events().replay(0, None).unwrap();
    assert_eq!(events.len() % 3, 0, "{context}: a torn event batch ({} events)", events.len());
    assert!(events.len() as i64 >= acked[1] * 3, "{context}: acknowledged events lost");
    for (i, e) in events.iter().enumerate() {
        assert_eq!((e.sequence, &e.event_id[..]), (i as u64 + 1, &format!("e{}-{}", i / 3, i % 3)[..]), "{context}");
    }
    let alerts = db.alerts().query_range(.., None).unwrap().len() as i64;
    assert!(alerts >= acked[2], "{context}: acknowledged alerts lost");
}

#[test]
fn every_acknowledged_commit_survives_a_power_cut() {
    let cuts = env_num("NTS_POWER_CUTS").unwrap_or(200);
    let seed = seed("NTS_POWER_SEED");
    println!("power cuts: {cuts}, NTS_POWER_SEED={seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut interrupted = 0u64;
    for cut in 0..cuts {
        let disk = PowerCutDisk::default();
        let db = StorageManager::on_redb_storage(disk.clone(), durable()).unwrap();
        // A few batches on a healthy disk, then the power goes at a random write.
        let healthy = rng.i64(0..4);
        for n in 0..healthy {
            (0..3).for_each(|store| commit(&db, store, n).unwrap());
        }
        disk.cut_after(rng.u64(..40));
        let mut acked = [healthy; 3];
        'writing: for n in healthy..healthy + 20 {
            for (store, count) in acked.iter_mut().enumerate() {
                if commit(&db, store, n).is_err() {
                    interrupted += 1;
                    break 'writing;
                }
                *count += 1;
            }
        }
        drop(db); // the process dies: nothing more reaches the disk
        let image = disk.surviving_image(&mut rng);
        let context = format!("cut {cut} (NTS_POWER_SEED={seed})");
        let reopened = StorageManager::on_redb_storage(PowerCutDisk::with_image(image), durable())
            .unwrap_or_else(|e| panic!("{context}: the surviving image does not open: {e}"));
        check(&reopened, acked, &context);
        reopened.close().unwrap();
    }
    println!("power cuts: {cuts} survived, {interrupted} of them during a commit");
}

/// The simulated disk itself: synced data survives, unsynced data may not.
#[test]
fn the_simulated_disk_keeps_synced_writes_and_may_drop_the_rest() {
    let disk = PowerCutDisk::default();
    disk.write(0, &[1; 8]).unwrap();
    disk.sync_data().unwrap();
    disk.write(0, &[2; 8]).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..50 {
        seen.insert(disk.surviving_image(&mut rng));
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![vec![1; 8], vec![2; 8]]);
    disk.cut_after(0);
    assert!(disk.write(0, &[3; 8]).is_err() && disk.len().is_err(), "after the cut every call fails");
}
