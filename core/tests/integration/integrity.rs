//! Value checksums and the integrity report: a damaged stored value is `Corrupted` naming
//! its table, key and series, never a wrong value; the report lists it without raising; the
//! rest of the database still reads.

use crate::common;
use common::damage_first_value;
use neotalk_storage::*;

fn populate(db: &StorageManager) {
    for s in 0..3 {
        let points: Vec<DataPoint> = (0..2_000).map(|i| DataPoint::new(i * 1_000, 20.0 + (i % 50) as f64 / 10.0)).collect();
        db.timeseries().write_series(&format!("dev-{s}"), "temperature", &points).unwrap();
    }
    db.events().append(&NewEvent::new("e1", "device.online", "gateway", 5, serde_json::json!({"d": 1}))).unwrap();
}

#[test]
fn a_damaged_chunk_is_reported_by_name_and_the_rest_still_reads() {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    populate(&db);
    let expected_other = db.timeseries().query_range("dev-1", "temperature", ..).unwrap();
    db.close().unwrap();
    damage_first_value(&dir.path().join(DATABASE_FILE), "ts_chunks");

    let db = StorageManager::open(dir.path()).unwrap();
    let err = db.timeseries().query_range("dev-0", "temperature", ..).unwrap_err();
    let message = err.to_string();
    assert_eq!(err.code(), "CORRUPTED");
    assert!(message.contains("telemetry dev-0/temperature") && message.contains("table ts_chunks, key "), "{message}");
    assert!(db.timeseries().query_aggregated("dev-0", "temperature", .., 60_000).is_err());
    assert_eq!(db.timeseries().query_range("dev-1", "temperature", ..).unwrap(), expected_other, "other series are intact");
    assert_eq!(db.events().get("e1").unwrap().unwrap().event_data, serde_json::json!({"d": 1}));

    let report = db.integrity_report().unwrap();
    assert!(!report.ok);
    assert_eq!((report.damaged_count, report.damaged.len()), (1, 1), "{report:?}");
    let damage = &report.damaged[0];
    assert_eq!(damage.table, "ts_chunks");
    assert!(damage.what.as_deref().unwrap().starts_with("telemetry dev-0/temperature, the chunk of points from 0"), "{damage:?}");
    assert!(damage.problem.contains("checksum mismatch"), "{damage:?}");
    assert_eq!(report.engine_problem, None, "redb's own pages are fine: only the value is damaged");
    assert!(report.entries_checked > 10);
    assert!(!db.check_integrity().unwrap());
    db.close().expect("close after a failed check succeeds");
}

#[test]
fn a_damaged_binary_value_is_reported_by_name_and_its_series_still_aggregates() {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    db.timeseries().write_series("cam-1", "snapshot", &[DataPoint::new(7, vec![5u8; 4096]), DataPoint::new(8, 1.5)]).unwrap();
    db.close().unwrap();
    damage_first_value(&dir.path().join(DATABASE_FILE), "ts_blobs");

    let db = StorageManager::open(dir.path()).unwrap();
    let err = db.timeseries().query_range("cam-1", "snapshot", ..).unwrap_err();
    assert_eq!(err.code(), "CORRUPTED");
    assert!(err.to_string().contains("telemetry cam-1/snapshot") && err.to_string().contains("table ts_blobs, key "), "{err}");
    // The bytes are not read by aggregations: they still answer.
    assert_eq!(db.timeseries().query_aggregated("cam-1", "snapshot", .., 60_000).unwrap()[0].count, 2);
    let report = db.integrity_report().unwrap();
    assert_eq!(report.damaged_count, 1, "{report:?}");
    assert_eq!(report.damaged[0].what.as_deref(), Some("telemetry cam-1/snapshot, the bytes of the binary value at 7"));
    db.close().unwrap();
}

#[test]
fn a_damaged_record_is_corrupted_not_a_different_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    populate(&db);
    db.close().unwrap();
    damage_first_value(&dir.path().join(DATABASE_FILE), "events");
    let db = StorageManager::open(dir.path()).unwrap();
    let err = db.events().replay(0, None).unwrap_err();
    assert!(err.to_string().contains("table events, key "), "{err}");
    let report = db.integrity_report().unwrap();
    assert_eq!(report.damaged.iter().map(|d| d.table.as_str()).collect::<Vec<_>>(), ["events"]);
    assert_eq!(report.damaged[0].what, None);
}

on_both_backends! {
    fn a_sound_database_reports_ok(fx) {
        populate(&fx.db);
        let report = fx.db.integrity_report().unwrap();
        assert!(report.ok && report.damaged.is_empty() && report.engine_problem.is_none(), "{report:?}");
        assert!(report.entries_checked >= 5, "{report:?}");
        assert!(fx.db.check_integrity().unwrap());
        fx.db.close().unwrap();
        assert_eq!(fx.db.integrity_report().unwrap_err(), StorageError::Closed);
    }
}

#[test]
fn a_chunk_key_moved_past_its_series_ends_the_scan_with_an_error_not_a_short_read() {
    // Found by the byte-flip campaign: one flipped byte in a chunk key's series id moves the
    // chunk past its series while it stays in the same leaf page; redb's bounded scan then
    // stopped there and returned the series' first chunk only (1,024 of 3,000 points).
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    let points: Vec<DataPoint> = (0..3_000).map(|i| DataPoint::new(1_700_000_000_000 + i * 1_000, (i % 97) as f64)).collect();
    for batch in points.chunks(500) {
        db.timeseries().write_series("dev-0", "m", batch).unwrap();
    }
    // A neighbour series after it, so the moved key lands between real entries.
    db.timeseries().write_series("dev-1", "m", &points[..10]).unwrap();
    db.close().unwrap();

    // The key of every chunk after the first: a series id (u32, big-endian) then the start
    // time (i64 with its sign bit flipped, big-endian). Raise the id's high byte in place.
    let path = dir.path().join(DATABASE_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let mut moved = 0;
    for chunk_start in (1..3).map(|c| 1_700_000_000_000i64 + c * 1_024_000) {
        let ts = ((chunk_start as u64) ^ (1 << 63)).to_be_bytes();
        let mut at = 4;
        while let Some(found) = bytes[at..].windows(8).position(|w| w == ts) {
            let key = at + found - 4;
            if bytes[key..key + 2] == [0, 0] && bytes[key + 2] == 0 {
                bytes[key + 2] = 0x15;
                moved += 1;
            }
            at += found + 8;
        }
    }
    assert!(moved > 0, "no chunk key found to damage: the chunk layout changed, update the test");
    std::fs::write(&path, &bytes).unwrap();

    let db = StorageManager::open(dir.path()).unwrap();
    match db.timeseries().query_range("dev-0", "m", ..) {
        Ok(got) => assert!(got == points, "a read that succeeds must return every point: {} of {}", got.len(), points.len()),
        Err(e) => assert_eq!(e.code(), "CORRUPTED", "{e}"),
    }
    assert!(!db.integrity_report().unwrap().ok);
    db.close().unwrap();
}
