//! Opening arbitrary bytes as a database file (`data/storage.redb`) with
//! `StorageManager::open`, then using it.
//!
//! Contract: a damaged or foreign file fails with an error, or opens and every call returns
//! a result; no panic escapes the API. (redb may panic inside `open` on some damage; the SDK
//! catches that and reports `Corrupted`, so this target counts only panics that escape.)
use neotalk_storage::{AlertRecord, AlertSeverity, DataPoint, NewEvent, StorageManager, TelemetryPoint};

/// Opens `data` as a database file and calls the API on it; a panic that escapes is a bug
/// (the fuzz target and the seed test catch it and fail).
pub fn check(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("data");
    std::fs::create_dir(&data_dir).expect("data dir");
    std::fs::write(data_dir.join(neotalk_storage::DATABASE_FILE), data).expect("write file");
    let Ok(db) = StorageManager::open(&data_dir) else { return };
    let _ = db.check_integrity();
    let _ = db.table_sizes();
    let _ = db.devices().list_devices();
    let _ = db.timeseries().list_devices_with_data();
    let _ = db.timeseries().query_range("d", "m", i64::MIN..i64::MAX);
    let _ = db.timeseries().query_latest("d", "m");
    let _ = db.events().replay(0, 100);
    let _ = db.events().query_range(.., Some(100));
    let _ = db.alerts().unresolved(Some(100));
    let _ = db.alerts().count_by_severity();
    let _ = db.sessions().list_sessions(Some(100));
    let _ = db.timeseries().write_batch(&[TelemetryPoint::new("d", "m", 1, 1.0)]);
    let _ = db.timeseries().write("d", "m", DataPoint::new(2, 2.0));
    let _ = db.events().append(&NewEvent::new("fuzz-e", "t", "s", 1, serde_json::Value::Null));
    let _ = db.alerts().create(&AlertRecord::new("fuzz-a", "t", AlertSeverity::Info, "m", "s", 1));
    let _ = db.timeseries().delete_range("d", "m", 0..10);
    let _ = db.close();
}
