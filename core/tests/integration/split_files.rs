//! The split file layout (`StorageOptions::split_files`): which file holds what, the same
//! data as one file, snapshots moving between the layouts, and the refusals. Every store test
//! also runs on split files (the `split` case of `on_both_backends!`).

use neotalk_storage::*;
use neotalk_storage::{Backend, RedbBackend};
use std::collections::BTreeMap;
use std::path::Path;

type Dump = BTreeMap<String, BTreeMap<Vec<u8>, Vec<u8>>>;

const GROUP_FILES: [&str; 4] = ["timeseries.redb", "vectors.redb", "sessions/sessions.redb", "events/events.redb"];

fn split_options() -> StorageOptions {
    StorageOptions { split_files: true, ..Default::default() }
}

/// Every non-empty table, key by key; `last_write.*` stamps (wall-clock times) left out
/// when `with_stamps` is false.
fn dump(db: &StorageManager, with_stamps: bool) -> Dump {
    let bytes = db.export_snapshot().unwrap();
    let snap = Snapshot::read_from(&bytes).unwrap();
    let mut out = Dump::new();
    for t in snap.tables {
        let entries: BTreeMap<Vec<u8>, Vec<u8>> = t
            .entries
            .into_iter()
            .filter(|(k, _)| with_stamps || !k.starts_with(b"last_write."))
            .map(|(k, v)| (k.to_vec(), v.unwrap().to_vec()))
            .collect();
        if !entries.is_empty() {
            out.insert(t.name, entries);
        }
    }
    out
}

/// Writes into every store.
fn populate(db: &StorageManager) {
    let points: Vec<TelemetryPoint> =
        (0..300).map(|i| TelemetryPoint::new(&format!("pump-{}", i % 3), "power", i * 1_000, i as f64 / 4.0)).collect();
    db.timeseries().write_batch(&points).unwrap();
    db.devices().upsert(&DeviceState::new("pump-0", "pump")).unwrap();
    db.events().append(&NewEvent::new("ev-1", "device.online", "gateway", 1_000, serde_json::json!({"n": 1}))).unwrap();
    db.events().append(&NewEvent::new("ev-2", "device.offline", "gateway", 2_000, serde_json::json!({"n": 2}))).unwrap();
    db.alerts().create(&AlertRecord::new("al-1", "overheat", AlertSeverity::Critical, "too hot", "rule", 1_000)).unwrap();
    db.rule_history().record(&RuleExecutionRecord::new("ex-1", "rule-1", "overheat", 1_000, ExecutionResult::Success)).unwrap();
    db.workflow_history().start(&WorkflowExecutionRecord::new("wf-1", "cool-down", "Cool down", "alert", 1_000)).unwrap();
    db.decisions().create(&DecisionRecord::new("d-1", "Open valve", "", "", 0.9, 1_000)).unwrap();
    db.sessions().create_session("s-1", "chat", 1_000).unwrap();
    db.sessions().append_message("s-1", &SessionMessage::user("hello", 1_001)).unwrap();
    db.vectors().create_collection("docs", 3, DistanceMetric::Cosine).unwrap();
    db.vectors().upsert("docs", &VectorDocument::new("v-1", vec![1.0, 0.0, 0.0], serde_json::json!({}))).unwrap();
    db.memory().add(&MemoryEntry::new("m-1", MemoryType::DeviceKnowledge, "the pump overheats in summer", 1_000)).unwrap();
}

/// Table names stored in one file.
fn tables_in(file: &Path) -> Vec<String> {
    let backend = RedbBackend::open(file, 1 << 20).unwrap();
    let names = backend.read().unwrap().table_names().unwrap();
    backend.close().unwrap();
    names
}

#[test]
fn each_group_has_its_file_and_the_layout_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open_with(dir.path(), split_options()).unwrap();
    assert!(db.is_split());
    populate(&db);
    let before = dump(&db, true);
    db.close().unwrap();

    let has = |file: &str, table: &str| tables_in(&dir.path().join(file)).iter().any(|t| t == table);
    assert!(has("timeseries.redb", "ts_chunks") && has("timeseries.redb", "devices"));
    assert!(has("vectors.redb", "vectors") && has("vectors.redb", "long_term_memory"));
    assert!(has("sessions/sessions.redb", "session_messages"));
    assert!(has("events/events.redb", "events"));
    assert!(has(DATABASE_FILE, "alerts") && has(DATABASE_FILE, "rule_executions") && has(DATABASE_FILE, "llm_decisions"));
    assert!(!has(DATABASE_FILE, "ts_chunks") && !has(DATABASE_FILE, "events") && !has("timeseries.redb", "alerts"));

    // Default options open an existing split directory as split.
    let db = StorageManager::open(dir.path()).unwrap();
    assert!(db.is_split());
    assert_eq!(dump(&db, true), before);
    assert!(db.check_integrity().unwrap());
}

#[test]
fn the_same_operations_store_the_same_tables_in_both_layouts() {
    let one = tempfile::tempdir().unwrap();
    let split = tempfile::tempdir().unwrap();
    let a = StorageManager::open(one.path()).unwrap();
    let b = StorageManager::open_with(split.path(), split_options()).unwrap();
    populate(&a);
    populate(&b);
    assert!(!a.is_split());
    assert_eq!(dump(&a, false), dump(&b, false));

    // Every file has its own format stamp in `meta`; the data tables count the same.
    let counts = |db: &StorageManager| {
        db.stats().unwrap().table_stats.into_iter().filter(|(n, _)| n != "meta").map(|(n, t)| (n, t.count)).collect::<BTreeMap<_, _>>()
    };
    assert_eq!(counts(&a), counts(&b));
    let files: u64 =
        std::iter::once(DATABASE_FILE).chain(GROUP_FILES).map(|f| std::fs::metadata(split.path().join(f)).unwrap().len()).sum();
    assert_eq!(b.stats().unwrap().database_size_bytes, files);
    let report = b.compact().unwrap();
    assert!(report.after_bytes <= report.before_bytes);
}

#[test]
fn snapshots_move_between_the_layouts_and_the_stores_carry_on() {
    let source_dir = tempfile::tempdir().unwrap();
    let source = StorageManager::open_with(source_dir.path(), split_options()).unwrap();
    populate(&source);
    let expected = dump(&source, true);

    // split -> one file -> split
    let one_dir = tempfile::tempdir().unwrap();
    let one = StorageManager::open(one_dir.path()).unwrap();
    one.import_snapshot(&source.export_snapshot().unwrap()).unwrap();
    assert_eq!(dump(&one, true), expected);
    let back_dir = tempfile::tempdir().unwrap();
    let back = StorageManager::open_with(back_dir.path(), split_options()).unwrap();
    back.timeseries().write_series("stale", "x", &[DataPoint::new(5, 1.0)]).unwrap();
    back.import_snapshot(&one.export_snapshot().unwrap()).unwrap();
    assert_eq!(dump(&back, true), expected);
    back.close().unwrap();

    // Each counter went back to the file of its store: the stores continue where the source was.
    let back = StorageManager::open(back_dir.path()).unwrap();
    assert_eq!(dump(&back, true), expected);
    let next = back.events().append(&NewEvent::new("ev-3", "device.online", "gateway", 3_000, serde_json::json!({}))).unwrap();
    let last = source.events().append(&NewEvent::new("ev-3", "device.online", "gateway", 3_000, serde_json::json!({}))).unwrap();
    assert_eq!(next.sequence, last.sequence);
    assert_eq!(back.alerts().count_by_severity().unwrap(), source.alerts().count_by_severity().unwrap());
    assert_eq!(back.memory().count().unwrap(), 1);
    assert_eq!(back.memory().search_keywords("pump", 5).unwrap().len(), 1);
    assert_eq!(back.timeseries().query_range("stale", "x", 0..10).unwrap().len(), 0);
    assert_eq!(back.timeseries().query_range("pump-1", "power", 0..1_000_000).unwrap().len(), 100);
}

#[test]
fn splitting_an_existing_one_file_database_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    populate(&db);
    let before = dump(&db, true);
    db.close().unwrap();

    let err = StorageManager::open_with(dir.path(), split_options()).err().unwrap();
    assert_eq!(err.code(), "INVALID_INPUT");
    assert!(err.to_string().contains("split_files") && err.to_string().contains("one-file"), "{err}");
    for f in GROUP_FILES {
        assert!(!dir.path().join(f).exists(), "{f} was created");
    }
    let db = StorageManager::open(dir.path()).unwrap();
    assert!(!db.is_split());
    assert_eq!(dump(&db, true), before);
}

#[test]
fn a_new_database_takes_its_layout_from_system_yaml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("config/system.yaml"), "storage:\n  split_files: true\n").unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    assert!(db.is_split());
    db.close().unwrap();
    for f in GROUP_FILES {
        assert!(dir.path().join(f).is_file(), "{f}");
    }

    // A bad system.yaml stops the creation of a new database, naming the file and the field.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("config/system.yaml"), "storage:\n  split_files: maybe\n").unwrap();
    let err = StorageManager::open(dir.path()).err().unwrap();
    assert!(err.to_string().contains("system.yaml") && err.to_string().contains("split_files"), "{err}");
    assert!(!dir.path().join(DATABASE_FILE).exists());
}

#[test]
fn a_damaged_group_file_is_refused_at_open_and_the_others_are_released() {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open_with(dir.path(), split_options()).unwrap();
    populate(&db);
    db.close().unwrap();
    std::fs::write(dir.path().join("events/events.redb"), b"not a database at all, just some bytes that are long enough").unwrap();
    let err = StorageManager::open(dir.path()).err().unwrap();
    assert_eq!(err.code(), "CORRUPTED", "{err}");
    // The files that did open were closed again: they open (and lock) without complaint.
    for f in [DATABASE_FILE, "timeseries.redb", "vectors.redb", "sessions/sessions.redb"] {
        assert!(!tables_in(&dir.path().join(f)).is_empty(), "{f}");
    }
}
