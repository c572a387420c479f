use crate::common;
use neotalk_storage::*;
use redb::{ReadableDatabase, ReadableTable, TableHandle};

/// The file's table of value checksums (redb backend); see `legacy_file`.
const CHECKSUMS_MARKER: &str = "nts_value_checksums";

fn def(name: &str) -> redb::TableDefinition<'_, &'static [u8], &'static [u8]> {
    redb::TableDefinition::new(name)
}

/// Turns a file written by this build into one written before value checksums, stamped
/// `version`: every value loses its 4 checksum bytes and the marker table goes.
fn legacy_file(path: &std::path::Path, version: u32) {
    let db = redb::Database::open(path).unwrap();
    let names: Vec<String> = db.begin_read().unwrap().list_tables().unwrap().map(|t| t.name().to_string()).collect();
    let txn = db.begin_write().unwrap();
    for name in names.iter().filter(|n| *n != CHECKSUMS_MARKER) {
        let mut table = txn.open_table(def(name)).unwrap();
        let entries: Vec<(Vec<u8>, Vec<u8>)> =
            table.range::<&[u8]>(..).unwrap().map(|e| e.map(|(k, v)| (k.value().to_vec(), v.value().to_vec())).unwrap()).collect();
        for (k, v) in entries {
            let raw = if name == "meta" && k == b"format_version" { version.to_le_bytes().to_vec() } else { v[..v.len() - 4].to_vec() };
            table.insert(k.as_slice(), raw.as_slice()).unwrap();
        }
    }
    txn.delete_table(def(CHECKSUMS_MARKER)).unwrap();
    txn.commit().unwrap();
}

fn written_database() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    db.timeseries().write_series("d", "m", &[DataPoint::new(1, 1.0), DataPoint::new(2, 2.5)]).unwrap();
    db.events().append(&NewEvent::new("e1", "t", "s", 1, serde_json::json!({"k": 1}))).unwrap();
    db.close().unwrap();
    dir
}

#[test]
fn unknown_format_version_is_refused_and_data_is_kept() {
    let dir = written_database();
    let file = dir.path().join(DATABASE_FILE);
    legacy_file(&file, FORMAT_VERSION + 1);
    let err = StorageManager::open(dir.path()).err().unwrap();
    assert_eq!(err, StorageError::VersionMismatch { found: FORMAT_VERSION + 1, supported: FORMAT_VERSION });
    assert!(err.to_string().contains("no data was changed"));
    // Nothing was sealed: stamped back, the legacy file upgrades and reads whole.
    set_legacy_stamp(&file, FORMAT_VERSION);
    let db = StorageManager::open(dir.path()).unwrap();
    assert_eq!(db.timeseries().query_range("d", "m", ..).unwrap().len(), 2);
}

#[test]
fn a_file_of_the_previous_format_reads_and_is_restamped_when_opened_for_writing() {
    // Version 2 stored event rows as JSON: the row of `e1` written here as that version wrote it.
    let dir = written_database();
    let file = dir.path().join(DATABASE_FILE);
    let json_row = br#"{"event_id":"e1","event_type":"t","event_data":{"k":1},"metadata":{"correlation_id":null,"causation_id":null,"source":"s","timestamp":1},"sequence":1}"#;
    legacy_file(&file, 2);
    {
        let db = redb::Database::open(&file).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(def("events")).unwrap().insert(&[0u8, 0, 0, 0, 0, 0, 0, 1][..], &json_row[..]).unwrap();
        txn.commit().unwrap();
    }
    let stamp = || {
        let db = redb::Database::open(&file).unwrap();
        let read = db.begin_read().unwrap();
        let v = read.open_table(def("meta")).unwrap().get(b"format_version".as_slice()).unwrap().unwrap().value().to_vec();
        u32::from_le_bytes(v[..4].try_into().unwrap())
    };
    let db = StorageManager::open(dir.path()).unwrap();
    assert_eq!(db.events().get("e1").unwrap().unwrap().event_data, serde_json::json!({"k": 1}));
    db.events().append(&NewEvent::new("new", "t", "s", 6, serde_json::json!([1]))).unwrap();
    db.close().unwrap();
    assert_eq!(stamp(), FORMAT_VERSION);
    // Opened read-only, a file of version 2 keeps its stamp.
    set_sealed_stamp(&file, 2);
    let db = StorageManager::open_read_only(dir.path()).unwrap();
    let replayed: Vec<String> = db.events().replay(0, None).unwrap().into_iter().map(|e| e.event_id).collect();
    assert_eq!(replayed, ["e1", "new"], "a JSON row and a block");
    db.close().unwrap();
    assert_eq!(stamp(), 2);
    // Version 1 (before this format line) is refused.
    set_sealed_stamp(&file, 1);
    assert_eq!(StorageManager::open(dir.path()).err().unwrap(), StorageError::VersionMismatch { found: 1, supported: FORMAT_VERSION });
}

/// Stamps `version` with its value checksum, as the file format stores it (`table`, `key` and
/// value under 32 bits of xxh3; see `storage/backend/checksum.rs`).
fn set_sealed_stamp(path: &std::path::Path, version: u32) {
    let (table, key, value) = (b"meta".as_slice(), b"format_version".as_slice(), version.to_le_bytes());
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in [table, key] {
        h.update(&(part.len() as u32).to_le_bytes());
        h.update(part);
    }
    h.update(&value);
    let sealed = [value, (h.digest() as u32).to_le_bytes()].concat();
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_write().unwrap();
    txn.open_table(def("meta")).unwrap().insert(key, sealed.as_slice()).unwrap();
    txn.commit().unwrap();
}

fn set_legacy_stamp(path: &std::path::Path, version: u32) {
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_write().unwrap();
    txn.open_table(def("meta")).unwrap().insert(b"format_version".as_slice(), version.to_le_bytes().as_slice()).unwrap();
    txn.commit().unwrap();
}

#[test]
fn a_file_written_before_checksums_is_upgraded_when_opened() {
    let dir = written_database();
    let file = dir.path().join(DATABASE_FILE);
    legacy_file(&file, FORMAT_VERSION);
    let db = StorageManager::open(dir.path()).unwrap();
    assert_eq!(db.timeseries().query_range("d", "m", ..).unwrap().len(), 2);
    assert_eq!(db.events().get("e1").unwrap().unwrap().event_data, serde_json::json!({"k": 1}));
    db.timeseries().write_series("d", "m", &[DataPoint::new(3, 3.0)]).unwrap();
    db.close().unwrap();
    // Opened again: already upgraded, every value checks.
    let db = StorageManager::open(dir.path()).unwrap();
    assert_eq!(db.timeseries().query_range("d", "m", ..).unwrap().len(), 3);
    assert!(db.check_integrity().unwrap());
}

#[test]
fn a_foreign_redb_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = redb::Database::create(dir.path().join(DATABASE_FILE)).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(redb::TableDefinition::<&str, u64>::new("other")).unwrap().insert("k", &1).unwrap();
        txn.commit().unwrap();
    }
    assert!(matches!(StorageManager::open(dir.path()), Err(StorageError::Corrupted(_))));
    // Its values were not sealed with checksums.
    let db = redb::Database::open(dir.path().join(DATABASE_FILE)).unwrap();
    let txn = db.begin_read().unwrap();
    assert_eq!(txn.open_table(redb::TableDefinition::<&str, u64>::new("other")).unwrap().get("k").unwrap().unwrap().value(), 1);
}

#[test]
fn garbage_file_is_refused_without_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(DATABASE_FILE), vec![0xAB; 10_000]).unwrap();
    let err = StorageManager::open(dir.path()).err().unwrap();
    assert!(matches!(err, StorageError::Corrupted(_)), "{err:?}");
}

#[test]
fn a_second_handle_on_the_same_directory_is_locked_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    let err = StorageManager::open(dir.path()).err().unwrap();
    assert!(matches!(err, StorageError::Locked(_)), "{err:?}");
    db.close().unwrap();
    StorageManager::open(dir.path()).unwrap();
}

#[test]
fn a_second_process_is_locked_out() {
    // Re-run this test binary as a child that tries to open the directory we hold.
    if let Ok(dir) = std::env::var("NTS_LOCK_CHILD_DIR") {
        match StorageManager::open(&dir) {
            Err(StorageError::Locked(_)) => std::process::exit(42),
            other => panic!("child expected Locked, got {:?}", other.map(|_| ())),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let _db = StorageManager::open(dir.path()).unwrap();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "manager::a_second_process_is_locked_out", "--nocapture"])
        .env("NTS_LOCK_CHILD_DIR", dir.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(42));
}

on_both_backends! {
    fn closed_handles_fail_with_closed(fx) {
        let clone = fx.db.clone();
        fx.db.timeseries().write("d", "m", DataPoint::new(1, 1.0)).unwrap();
        fx.db.close().unwrap();
        fx.db.close().unwrap();
        assert_eq!(clone.timeseries().query_range("d", "m", 0..10).unwrap_err(), StorageError::Closed);
        assert_eq!(clone.timeseries().write("d", "m", DataPoint::new(2, 1.0)).unwrap_err(), StorageError::Closed);
        assert_eq!(clone.devices().list_devices().unwrap_err(), StorageError::Closed);
        assert_eq!(clone.events().last_sequence().unwrap_err(), StorageError::Closed);
        assert_eq!(clone.table_sizes().unwrap_err(), StorageError::Closed);
    }

    fn table_sizes_count_entries(fx) {
        fx.db.timeseries().write_series("d", "m", &(0..100).map(|i| DataPoint::new(i, 1.0)).collect::<Vec<_>>()).unwrap();
        let sizes = fx.db.table_sizes().unwrap();
        let chunks = sizes.iter().find(|t| t.name == "ts_chunks").unwrap();
        assert_eq!(chunks.entries, 1, "100 points of one series share one chunk");
        assert!(chunks.stored_bytes > 0 && chunks.stored_bytes < 100 * (12 + 9), "compressed: {chunks:?}");
        assert_eq!(sizes.iter().find(|t| t.name == "devices").unwrap().entries, 1);
    }

    fn concurrent_writers_and_readers_lose_nothing(fx) {
        let db = fx.db.clone();
        std::thread::scope(|s| {
            for t in 0..4 {
                let db = db.clone();
                s.spawn(move || {
                    for i in 0..500 {
                        db.timeseries().write(&format!("dev{t}"), "m", DataPoint::new(i, i as f64)).unwrap();
                        if i % 50 == 0 {
                            db.events().append(&NewEvent::new(&format!("{t}-{i}"), "tick", "test", i, serde_json::json!(null))).unwrap();
                            db.timeseries().query_latest(&format!("dev{t}"), "m").unwrap();
                        }
                    }
                });
            }
        });
        for t in 0..4 {
            assert_eq!(db.timeseries().query_range(&format!("dev{t}"), "m", 0..1_000).unwrap().len(), 500);
            assert_eq!(db.devices().get_device(&format!("dev{t}")).unwrap().unwrap().last_seen, 499);
        }
        assert_eq!(db.events().last_sequence().unwrap(), 40);
    }
}

#[test]
fn eventual_durability_syncs_on_close() {
    let opts = StorageOptions { durability: Durability::Eventual, ..Default::default() };
    let fx = common::Fixture::with_options(true, opts);
    fx.db.events().append(&NewEvent::new("a", "t", "s", 1, serde_json::json!(1))).unwrap();
    let fx = fx.reopen();
    assert!(fx.db.events().get("a").unwrap().is_some());
}

#[test]
fn cached_reads_after_close_fail_with_closed() {
    let db = StorageManager::in_memory().unwrap();
    db.timeseries().write_series("d", "m", &[DataPoint::new(1, 1.0)]).unwrap();
    db.devices().get_device("d").unwrap();
    db.timeseries().query_latest("d", "m").unwrap();
    db.close().unwrap();
    assert_eq!(db.timeseries().query_latest("d", "m").unwrap_err(), StorageError::Closed);
    assert_eq!(db.devices().get_device("d").unwrap_err(), StorageError::Closed);
}

#[test]
fn json_records_may_omit_optional_fields() {
    let d: DeviceState = serde_json::from_str(r#"{"device_id": "t1", "device_type": "thermo", "name": "T1"}"#).unwrap();
    assert!(d.online);
    assert_eq!((d.last_seen, d.metrics.len(), d.adapter.as_str()), (0, 0, ""));
    let e: NewEvent = serde_json::from_str(r#"{"event_id": "e", "event_type": "t", "metadata": {"source": "s", "timestamp": 1}}"#).unwrap();
    assert_eq!(e.event_data, serde_json::Value::Null);
}

#[test]
fn unknown_series_after_close_fail_with_closed() {
    let db = StorageManager::in_memory().unwrap();
    db.close().unwrap();
    assert_eq!(db.timeseries().query_range("never", "seen", 0..1).unwrap_err(), StorageError::Closed);
    assert_eq!(db.timeseries().query_latest("never", "seen").unwrap_err(), StorageError::Closed);
    assert_eq!(db.timeseries().delete_range("never", "seen", 0..1).unwrap_err(), StorageError::Closed);
}

#[test]
fn a_data_dir_that_cannot_be_created_is_an_io_error() {
    let file = tempfile::NamedTempFile::new().unwrap();
    for split in [false, true] {
        let err =
            StorageManager::open_with(file.path().join("data"), StorageOptions { split_files: split, ..Default::default() }).err().unwrap();
        assert!(matches!(err, StorageError::Io { .. }) && err.to_string().contains("cannot create"), "{err}");
    }
    // `open` reads the config of a new database only once its directory exists.
    let err = StorageManager::open(file.path().join("data")).err().unwrap();
    assert!(matches!(err, StorageError::Io { .. }) && err.to_string().contains("cannot create"), "{err}");
}
