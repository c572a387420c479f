//! The lifecycle rules every binding inherits: closing twice is harmless, every call after
//! close is `Closed` (on every clone, for every store), and an empty or unusable path is
//! refused before anything is created.
use neotalk_storage::*;

/// Collects every call that did not answer `Closed`, so one run names them all.
fn closed<T: std::fmt::Debug>(wrong: &mut Vec<String>, what: &str, r: Result<T>) {
    if !matches!(r, Err(StorageError::Closed)) {
        wrong.push(format!("{what}: {r:?}"));
    }
}

on_both_backends! {
    fn every_call_after_close_is_closed(fx) {
        let db = fx.db.clone();
        db.timeseries().write("d", "m", DataPoint::new(1, 1.0)).unwrap();
        db.vectors().create_collection("c", 2, DistanceMetric::Cosine).unwrap();
        fx.db.close().unwrap();
        fx.db.close().unwrap();
        db.close().unwrap();

        let mut wrong = Vec::new();
        closed(&mut wrong, "timeseries().write", db.timeseries().write("d", "m", DataPoint::new(2, 1.0)));
        closed(&mut wrong, "timeseries().query_latest", db.timeseries().query_latest("d", "m"));
        closed(&mut wrong, "timeseries().flush", db.timeseries().flush());
        closed(&mut wrong, "devices().list_devices", db.devices().list_devices());
        closed(&mut wrong, "devices().get_device", db.devices().get_device("d"));
        closed(&mut wrong, "events().append", db.events().append(&NewEvent::new("e", "t", "s", 1, serde_json::json!({}))));
        closed(&mut wrong, "events().last_sequence", db.events().last_sequence());
        closed(&mut wrong, "alerts().get", db.alerts().get("a"));
        closed(&mut wrong, "alerts().create", db.alerts().create(&AlertRecord::new("a", "t", AlertSeverity::Info, "m", "s", 1)));
        closed(&mut wrong, "decisions().get", db.decisions().get("x"));
        closed(&mut wrong, "rule_history().get", db.rule_history().get("x"));
        closed(&mut wrong, "workflow_history().get", db.workflow_history().get("x"));
        closed(&mut wrong, "sessions().get_session", db.sessions().get_session("s"));
        closed(&mut wrong, "sessions().create_session", db.sessions().create_session("s", "t", 1));
        closed(&mut wrong, "vectors().list_collections", db.vectors().list_collections());
        closed(&mut wrong, "vectors().upsert", db.vectors().upsert("c", &VectorDocument::new("v", vec![1.0, 0.0], serde_json::json!({}))));
        closed(&mut wrong, "memory().peek", db.memory().peek("x"));
        closed(&mut wrong, "stats", db.stats());
        closed(&mut wrong, "table_sizes", db.table_sizes());
        closed(&mut wrong, "compact", db.compact());
        closed(&mut wrong, "check_integrity", db.check_integrity());
        closed(&mut wrong, "export_snapshot", db.export_snapshot());
        closed(&mut wrong, "import_snapshot", db.import_snapshot(b"not read"));
        closed(&mut wrong, "flush", db.flush());
        closed(&mut wrong, "config().system", db.config().system());
        // Empty batches too: a closed handle refuses before looking at the input.
        closed(&mut wrong, "timeseries().write_batch([])", db.timeseries().write_batch(&[]));
        closed(&mut wrong, "timeseries().write_series([])", db.timeseries().write_series("d", "m", &[]));
        closed(&mut wrong, "events().append_batch([])", db.events().append_batch(&[]));
        closed(&mut wrong, "rule_history().record_batch([])", db.rule_history().record_batch(&[]));
        closed(&mut wrong, "memory().add_many([])", db.memory().add_many(&[]));
        closed(&mut wrong, "vectors().upsert_many([])", db.vectors().upsert_many("c", &[]));
        closed(&mut wrong, "sessions().append_messages([])", db.sessions().append_messages("s", &[]));
        closed(&mut wrong, "BackupManager::new", backup::BackupManager::new(&db, BackupConfig::default()).map(|_| ()));
        closed(&mut wrong, "RestoreManager::list_backups", backup::RestoreManager::new(&db, "/tmp").list_backups());
        closed(&mut wrong, "DataCleanupTask::run", DataCleanupTask::new(&db, RetentionConfig::default()).run(1));
        assert!(wrong.is_empty(), "calls after close that did not fail with Closed: {wrong:#?}");
    }
}

#[test]
fn an_empty_path_is_invalid_input_and_creates_nothing() {
    let cwd_file = std::path::Path::new(DATABASE_FILE);
    let existed = cwd_file.exists();
    for result in [StorageManager::open(""), StorageManager::open_with("", StorageOptions::default()), StorageManager::open("data\0dir")] {
        match result {
            Err(StorageError::InvalidInput { field, .. }) => assert_eq!(field, "data_dir"),
            other => panic!("expected InvalidInput naming data_dir, got {:?}", other.map(|_| ())),
        }
    }
    assert_eq!(cwd_file.exists(), existed, "no storage.redb may appear in the current directory");
}

#[test]
fn a_path_that_is_a_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let err = StorageManager::open(&file).err().expect("a file is not a data directory");
    assert!(matches!(err, StorageError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("plain-file"), "{err}");
}
