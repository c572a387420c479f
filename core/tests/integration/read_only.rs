//! `StorageManager::open_read_only`: reads everything, writes nothing, refuses every write
//! with `ReadOnly`, and leaves the file byte for byte as it was.

use neotalk_storage::*;

fn written(options: StorageOptions) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open_with(dir.path(), options).unwrap();
    db.timeseries().write_series("d", "m", &[DataPoint::new(1, 1.5), DataPoint::new(2, 2.5)]).unwrap();
    db.events().append(&NewEvent::new("e1", "t", "s", 1, serde_json::json!({"k": 1}))).unwrap();
    db.close().unwrap();
    dir
}

fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        out.push((entry.clone(), std::fs::read(&entry).unwrap()));
    }
    out.sort();
    out
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p)
            } else {
                vec![p]
            }
        })
        .collect()
}

fn is_read_only<T: std::fmt::Debug>(r: Result<T>) {
    assert!(matches!(&r, Err(StorageError::ReadOnly(_))), "{r:?}");
}

#[test]
fn reads_work_writes_are_refused_and_the_files_are_untouched() {
    for split in [false, true] {
        let dir = written(StorageOptions { split_files: split, ..Default::default() });
        let before = files(dir.path());
        let db = StorageManager::open_read_only(dir.path()).unwrap();
        assert_eq!(db.timeseries().query_range("d", "m", ..).unwrap().len(), 2);
        assert_eq!(db.events().get("e1").unwrap().unwrap().event_data, serde_json::json!({"k": 1}));
        assert!(!db.export_snapshot().unwrap().is_empty());
        db.stats().unwrap();
        is_read_only(db.timeseries().write_series("d", "m", &[DataPoint::new(3, 3.0)]));
        is_read_only(db.timeseries().write("d", "m", DataPoint::new(3, 3.0)));
        is_read_only(db.events().append(&NewEvent::new("e2", "t", "s", 2, serde_json::Value::Null)));
        is_read_only(db.compact());
        let err = db.devices().upsert(&DeviceState::new("x", "t")).unwrap_err();
        assert_eq!(err.code(), "READ_ONLY");
        let report = db.integrity_report().unwrap();
        assert!(report.ok && !report.engine_checked && report.entries_checked > 0, "{report:?}");
        db.close().unwrap();
        assert!(before == files(dir.path()), "split {split}: a read-only session changed a file");
    }
}

#[test]
fn what_cannot_be_opened_read_only_says_why() {
    let empty = tempfile::tempdir().unwrap();
    let err = StorageManager::open_read_only(empty.path().join("nothing")).err().unwrap();
    assert!(matches!(&err, StorageError::InvalidInput { field: "data_dir", .. }), "{err:?}");
    assert!(!empty.path().join("nothing").exists(), "nothing is created");

    let dir = written(StorageOptions::default());
    let writer = StorageManager::open(dir.path()).unwrap();
    assert!(matches!(StorageManager::open_read_only(dir.path()), Err(StorageError::Locked(_))));
    writer.close().unwrap();
    let reader = StorageManager::open_read_only(dir.path()).unwrap();
    assert_eq!(reader.timeseries().query_range("d", "m", ..).unwrap().len(), 2);
}
