use neotalk_storage::config::RetentionConfig;
use neotalk_storage::*;
use serde_json::json;

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_000 * DAY;

/// Writes into every store one record exactly at its retention boundary ("edge") and one a
/// millisecond older ("old"), with the retention `r` of each store.
fn fill_at_boundaries(db: &StorageManager, r: &RetentionConfig) {
    let edge = |w: RetentionWindow| w.cutoff(NOW).expect("a window with a boundary");
    let ts = edge(r.timeseries.keep);
    db.timeseries().write_series("d", "m", &[DataPoint::new(ts - 1, 1.0), DataPoint::new(ts, 2.0)]).unwrap();
    let ev = edge(r.events.keep);
    db.events()
        .append_batch(&[NewEvent::new("old", "t", "s", ev - 1, json!(null)), NewEvent::new("edge", "t", "s", ev, json!(null))])
        .unwrap();
    for (id, off) in [("old", -1), ("edge", 0)] {
        let at = edge(r.rule_history.keep) + off;
        db.rule_history().record(&RuleExecutionRecord::new(id, "rule", "rule", at, ExecutionResult::Success)).unwrap();
        let at = edge(r.workflow_history.keep) + off;
        db.workflow_history().start(&WorkflowExecutionRecord::new(id, "wf", "wf", "manual", at)).unwrap();
        let at = edge(r.alerts.keep) + off;
        db.alerts().create(&AlertRecord::new(id, "t", AlertSeverity::Info, "m", "rule", at)).unwrap();
        let at = edge(r.decisions.keep) + off;
        db.decisions().create(&DecisionRecord::new(id, "t", "d", "r", 0.5, at)).unwrap();
        let at = edge(r.sessions.keep) + off;
        db.sessions().create_session(id, "chat", at).unwrap();
    }
    let mut expiring = MemoryEntry::new("expired", MemoryType::Other, "old news", 0);
    expiring.metadata.expires_at = Some(NOW - 1);
    db.memory().add(&expiring).unwrap();
    let mut keeps = MemoryEntry::new("expires-now", MemoryType::Other, "still news", 0);
    keeps.metadata.expires_at = Some(NOW);
    db.memory().add(&keeps).unwrap();
}

on_both_backends! {
    fn every_store_drops_what_is_older_than_its_window_and_keeps_the_boundary(fx) {
        let db = &fx.db;
        fill_at_boundaries(db, &RetentionConfig::default());
        let report = DataCleanupTask::new(db, RetentionConfig::default()).run(NOW).unwrap();
        assert!(report.failed.is_empty(), "{report:?}");
        for store in ["timeseries", "events", "rule_history", "workflow_history", "alerts", "decisions", "sessions", "memory"] {
            assert_eq!(report.removed[store], 1, "{store}: {report:?}");
        }
        assert_eq!(report.total(), 8);
        assert_eq!(db.timeseries().query_range("d", "m", i64::MIN..i64::MAX).unwrap().len(), 1);
        assert!(db.events().get("edge").unwrap().is_some() && db.events().get("old").unwrap().is_none());
        assert!(db.rule_history().get("edge").unwrap().is_some() && db.rule_history().get("old").unwrap().is_none());
        assert!(db.workflow_history().get("edge").unwrap().is_some() && db.workflow_history().get("old").unwrap().is_none());
        assert!(db.alerts().get("edge").unwrap().is_some() && db.alerts().get("old").unwrap().is_none());
        assert!(db.decisions().get("edge").unwrap().is_some() && db.decisions().get("old").unwrap().is_none());
        assert!(db.sessions().get_session("edge").unwrap().is_some() && db.sessions().get_session("old").unwrap().is_none());
        assert!(db.memory().peek("expires-now").unwrap().is_some() && db.memory().peek("expired").unwrap().is_none());
        // A second run finds nothing more.
        assert_eq!(DataCleanupTask::new(db, RetentionConfig::default()).run(NOW).unwrap().total(), 0);
    }

    fn windows_shorter_than_a_day_keep_their_boundary_and_forever_keeps_everything(fx) {
        let db = &fx.db;
        let mut r = RetentionConfig::default();
        let hours: RetentionWindow = "36h".parse().unwrap();
        r.timeseries.keep = "15m".parse().unwrap();
        r.events.keep = "90s".parse().unwrap();
        for w in [&mut r.rule_history, &mut r.workflow_history, &mut r.alerts, &mut r.decisions, &mut r.sessions] {
            w.keep = hours;
        }
        fill_at_boundaries(db, &r);
        let report = DataCleanupTask::new(db, r.clone()).run(NOW).unwrap();
        assert_eq!(report.total(), 8, "{report:?}");
        assert!(db.alerts().get("edge").unwrap().is_some() && db.alerts().get("old").unwrap().is_none());
        assert_eq!(db.timeseries().query_range("d", "m", ..).unwrap(), [DataPoint::new(NOW - 900_000, 2.0)]);

        // Kept forever: a far later run removes nothing but expired memory.
        let forever = RetentionWindow::FOREVER;
        r.timeseries.keep = forever;
        r.events.keep = forever;
        for w in [&mut r.rule_history, &mut r.workflow_history, &mut r.alerts, &mut r.decisions, &mut r.sessions] {
            w.keep = forever;
        }
        let report = DataCleanupTask::new(db, r).run(i64::MAX).unwrap();
        assert_eq!(report.total(), report.removed["memory"], "{report:?}");
        assert!(db.alerts().get("edge").unwrap().is_some() && db.events().get("edge").unwrap().is_some());
        assert_eq!(db.timeseries().query_range("d", "m", ..).unwrap().len(), 1);
    }

    fn a_closed_database_is_not_cleaned(fx) {
        fill_at_boundaries(&fx.db, &RetentionConfig::default());
        let task = DataCleanupTask::new(&fx.db, RetentionConfig::default());
        fx.db.close().unwrap();
        assert_eq!(task.run(NOW).unwrap_err(), StorageError::Closed);
    }
}

#[test]
fn a_failing_store_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    fill_at_boundaries(&db, &RetentionConfig::default());
    db.close().unwrap();
    // Damage the row of the expired alert "old" (row key: the id, string-encoded).
    let file = RedbBackend::open(&dir.path().join(DATABASE_FILE), 1 << 20).unwrap();
    let mut batch = WriteBatch::new();
    batch.put("alerts", b"old\x00\x01".to_vec(), b"not json".to_vec());
    file.write(&[&batch], true).unwrap();
    file.close().unwrap();

    let db = StorageManager::open(dir.path()).unwrap();
    let report = DataCleanupTask::new(&db, RetentionConfig::default()).run(NOW).unwrap();
    assert_eq!(report.failed.keys().collect::<Vec<_>>(), vec!["alerts"], "{report:?}");
    assert!(report.failed["alerts"].contains("corrupted"), "{report:?}");
    assert_eq!(report.removed.len(), 8, "every other store ran (replication among them): {report:?}");
    assert!(db.events().get("old").unwrap().is_none());
}
