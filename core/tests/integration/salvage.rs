//! `StorageManager::salvage`: every entry whose checksum holds is copied into a new
//! database, damaged ones are skipped and listed, the damaged files are never written, and
//! the copy passes the integrity report.

use crate::common;
use common::damage_first_value;
use neotalk_storage::*;
use std::path::Path;

fn populate(db: &StorageManager) {
    for s in 0..3 {
        let points: Vec<DataPoint> = (0..2_000).map(|i| DataPoint::new(i * 1_000, 20.0 + (i % 50) as f64 / 10.0)).collect();
        // In batches, as a gateway writes: several chunks per series.
        for batch in points.chunks(500) {
            db.timeseries().write_series(&format!("dev-{s}"), "temperature", batch).unwrap();
        }
    }
    for i in 0..20 {
        db.events().append(&NewEvent::new(&format!("e{i}"), "device.online", "gateway", i, serde_json::json!({"i": i}))).unwrap();
    }
    db.alerts().create(&AlertRecord::new("a1", "hot", AlertSeverity::Warning, "too hot", "rule", 5)).unwrap();
}

/// Every file under `dir` with its bytes, to show the damaged files are left alone.
fn files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

fn series(db: &StorageManager, device: &str) -> Vec<DataPoint> {
    db.timeseries().query_range(device, "temperature", ..).unwrap()
}

#[test]
fn a_damaged_chunk_is_skipped_and_listed_and_everything_else_is_copied() {
    let (damaged, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let db = StorageManager::open(damaged.path()).unwrap();
    populate(&db);
    let expected: Vec<Vec<DataPoint>> = (0..3).map(|s| series(&db, &format!("dev-{s}"))).collect();
    db.close().unwrap();
    damage_first_value(&damaged.path().join(DATABASE_FILE), "ts_chunks");
    let before = files(damaged.path());

    let report = StorageManager::salvage(damaged.path(), out.path().join("new")).unwrap();
    assert!(!report.is_complete() && !report.read_from_copy, "{report:?}");
    assert_eq!((report.damaged_count, report.damaged.len()), (1, 1), "{report:?}");
    assert_eq!(report.damaged[0].table, "ts_chunks");
    assert!(report.damaged[0].what.as_deref().unwrap().starts_with("telemetry dev-0/temperature"), "{report:?}");
    assert!(report.entries_copied > 20, "{report:?}");
    assert_eq!(files(damaged.path()), before, "the damaged files are never written");

    let db = StorageManager::open(out.path().join("new")).unwrap();
    let report = db.integrity_report().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(series(&db, "dev-1"), expected[1]);
    assert_eq!(series(&db, "dev-2"), expected[2]);
    // The damaged chunk's points are gone; every point left is one that was written.
    let left = series(&db, "dev-0");
    assert!(!left.is_empty() && left.len() < expected[0].len(), "{} of {}", left.len(), expected[0].len());
    assert!(left.iter().all(|p| expected[0].contains(p)));
    assert_eq!(db.events().replay(0, None).unwrap().len(), 20);
    assert_eq!(db.alerts().get("a1").unwrap().unwrap().message, "too hot");
    db.close().unwrap();
}

#[test]
fn a_sound_split_database_is_copied_whole_with_its_layout_and_config() {
    let (source, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let db = StorageManager::open_with(source.path(), StorageOptions { split_files: true, ..Default::default() }).unwrap();
    populate(&db);
    let mut retention = db.config().retention().unwrap();
    retention.rule_history = retention.alerts.clone();
    db.config().save_retention(&retention).unwrap();
    let snapshot_before = (0..3).map(|s| series(&db, &format!("dev-{s}"))).collect::<Vec<_>>();
    db.close().unwrap();

    let report = StorageManager::salvage(source.path(), out.path()).unwrap();
    assert!(report.is_complete() && report.damaged.is_empty(), "{report:?}");
    assert!(report.config_files_copied >= 1, "{report:?}");
    let db = StorageManager::open(out.path()).unwrap();
    assert!(db.is_split(), "the layout is kept");
    assert_eq!((0..3).map(|s| series(&db, &format!("dev-{s}"))).collect::<Vec<_>>(), snapshot_before);
    let events = db.events().replay(0, None).unwrap();
    assert_eq!(events.len(), 20);
    // Counters come along: the next event continues the sequence.
    let next = db.events().append(&NewEvent::new("e20", "t", "s", 21, serde_json::Value::Null)).unwrap();
    assert_eq!(next.sequence, events.last().unwrap().sequence + 1);
    assert_eq!(db.config().retention().unwrap(), retention);
    assert!(db.integrity_report().unwrap().ok);
    db.close().unwrap();
}

#[test]
fn a_file_that_needs_recovery_is_read_from_a_recovered_copy() {
    let (live, damaged, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let db = StorageManager::open(live.path()).unwrap();
    populate(&db);
    db.flush().unwrap();
    // A copy taken while the database is open: not closed cleanly, so it needs recovery.
    std::fs::copy(live.path().join(DATABASE_FILE), damaged.path().join(DATABASE_FILE)).unwrap();
    let expected = series(&db, "dev-2");
    db.close().unwrap();
    let before = files(damaged.path());

    let report = StorageManager::salvage(damaged.path(), out.path()).unwrap();
    assert!(report.read_from_copy && report.is_complete(), "{report:?}");
    assert_eq!(files(damaged.path()), before, "recovery ran on a copy");
    assert!(!out.path().join(".salvage-source").exists(), "the scratch copy is removed");
    let db = StorageManager::open(out.path()).unwrap();
    assert_eq!(series(&db, "dev-2"), expected);
    db.close().unwrap();
}

#[test]
fn bad_directories_are_refused_by_name() {
    let (source, other) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let db = StorageManager::open(source.path()).unwrap();
    populate(&db);

    let err = StorageManager::salvage(source.path(), other.path()).unwrap_err();
    assert_eq!(err.code(), "LOCKED", "{err}");

    db.close().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let err = StorageManager::salvage(empty.path(), other.path().join("x")).unwrap_err();
    assert!(matches!(&err, StorageError::InvalidInput { field: "data_dir", .. }), "{err}");
    let err = StorageManager::salvage(source.path(), source.path()).unwrap_err();
    assert!(matches!(&err, StorageError::InvalidInput { field: "out_dir", .. }), "{err}");
    StorageManager::open(other.path()).unwrap().close().unwrap();
    let err = StorageManager::salvage(source.path(), other.path()).unwrap_err();
    assert!(err.to_string().contains("already holds a database"), "{err}");
}
