//! Change feeds: a new sink gets a full copy, then every later write (late and overwritten
//! points included); nothing moves until a batch is acknowledged; retention holds what a
//! sink has not received unless its options say to drop it, and drops are counted.

use neotalk_storage::feed::{Feed, SinkOptions};
use neotalk_storage::*;
use std::collections::BTreeMap;

type Rows = BTreeMap<(String, String, i64), MetricValue>;

/// Reads and acknowledges telemetry until the feed is empty; every row, last value wins.
fn drain(db: &StorageManager, sink: &str, max: usize) -> Rows {
    let mut rows = Rows::new();
    loop {
        let b = db.feed().next_telemetry(sink, max).unwrap();
        for s in &b.series {
            assert!(s.points.windows(2).all(|w| w[0].timestamp < w[1].timestamp), "a series comes sorted, each timestamp once");
            for p in &s.points {
                rows.insert((s.device_id.clone(), s.metric.clone(), p.timestamp), p.value.clone());
            }
        }
        if b.delivery.is_empty() {
            return rows;
        }
        db.feed().ack(&b.delivery).unwrap();
    }
}

fn stored(db: &StorageManager) -> Rows {
    let mut rows = Rows::new();
    for d in db.timeseries().list_devices_with_data().unwrap() {
        for m in db.timeseries().list_metrics(&d).unwrap() {
            for p in db.timeseries().query_range(&d, &m, ..).unwrap() {
                rows.insert((d.clone(), m.clone(), p.timestamp), p.value);
            }
        }
    }
    rows
}

fn write(db: &StorageManager, device: &str, from: i64, n: i64) {
    let points: Vec<DataPoint> = (from..from + n).map(|i| DataPoint::new(i * 1_000, i as f64 / 4.0)).collect();
    db.timeseries().write_series(device, "temperature", &points).unwrap();
}

fn forever() -> SinkOptions {
    SinkOptions { max_lag: RetentionWindow::FOREVER, max_backlog_bytes: 0 }
}

on_both_backends! {
    fn a_new_sink_gets_everything_then_each_change(fx) {
        let db = &fx.db;
        write(db, "pump-1", 0, 3_000);
        write(db, "pump-2", 0, 10);
        db.timeseries().write("pump-3", "state", DataPoint::new(5, "on")).unwrap();
        db.feed().register("fleet", SinkOptions::default()).unwrap();
        assert_eq!(db.feed().sinks().unwrap(), vec!["fleet"]);
        assert_eq!(drain(db, "fleet", 1_000), stored(db));
        // Appends, a late point, an overwritten point: each arrives, with its new value.
        write(db, "pump-1", 3_000, 5);
        db.timeseries().write_batch(&[
            TelemetryPoint::new("pump-2", "temperature", -7_000, 1.0),
            TelemetryPoint::new("pump-2", "temperature", 3_000, 99.5),
        ]).unwrap();
        db.timeseries().write("pump-3", "state", DataPoint::new(5, "off")).unwrap();
        db.timeseries().flush().unwrap();
        let got = drain(db, "fleet", 1_000);
        // A commit delivers the stored points of the span it wrote: -7 s to 3 s on pump-2.
        assert_eq!(got.len(), 5 + 5 + 1, "{got:?}");
        assert_eq!(got[&("pump-2".into(), "temperature".into(), 3_000)], MetricValue::Float(99.5));
        assert_eq!(got[&("pump-3".into(), "state".into(), 5)], MetricValue::String("off".into()));
        assert!(got.contains_key(&("pump-2".into(), "temperature".into(), -7_000)));
        let status = db.feed().status("fleet").unwrap();
        let t = &status.feeds[0];
        assert_eq!((t.feed, t.pending_rows, t.lag_ms, t.progress.dropped), (Feed::Telemetry, 0, None, 0));
        assert!(t.progress.delivered >= 3_011 + 9);
    }

    fn a_late_point_beside_fresh_ones_sends_what_was_written_not_what_lies_between(fx) {
        let db = &fx.db;
        write(db, "pump-1", 0, 7_200); // two hours at 1 Hz
        db.feed().register("fleet", forever()).unwrap();
        assert_eq!(drain(db, "fleet", 10_000).len(), 7_200);
        // One commit: a point 90 minutes late and five fresh ones. Its two spans are sent, not
        // the 5,400 stored points between them.
        let mut batch = vec![TelemetryPoint::new("pump-1", "temperature", 1_800_000, -1.0)];
        batch.extend((7_200..7_205).map(|i| TelemetryPoint::new("pump-1", "temperature", i * 1_000, 2.0)));
        db.timeseries().write_batch(&batch).unwrap();
        let got = drain(db, "fleet", 10_000);
        assert_eq!(got.len(), 6, "{:?}", got.keys().map(|k| k.2).collect::<Vec<_>>());
        assert_eq!(got[&("pump-1".into(), "temperature".into(), 1_800_000)], MetricValue::Float(-1.0));
        // The column path logs the same spans; a budget used up right at the end of the first
        // span resumes at the second, which is not skipped.
        let times: Vec<i64> = [3_600_000].into_iter().chain((7_205..7_210).map(|i| i * 1_000)).collect();
        db.timeseries().write_columns("pump-1", "temperature", &times, Column::Float(&[5.0; 6])).unwrap();
        let first = db.feed().next_telemetry("fleet", 1).unwrap();
        assert_eq!(first.series.len(), 1);
        assert_eq!(first.series[0].points, vec![DataPoint::new(3_600_000, 5.0)]);
        db.feed().ack(&first.delivery).unwrap();
        let rest = drain(db, "fleet", 10_000);
        assert_eq!(rest.keys().map(|k| k.2).collect::<Vec<_>>(), (7_205..7_210).map(|i| i * 1_000).collect::<Vec<_>>());
    }

    fn a_second_sink_gets_its_own_copy_and_the_first_nothing_again(fx) {
        let db = &fx.db;
        write(db, "pump-1", 0, 100);
        db.alerts().create(&AlertRecord::new("a1", "hot", AlertSeverity::Warning, "", "rule", 1)).unwrap();
        db.feed().register("a", forever()).unwrap();
        assert_eq!(drain(db, "a", 1_000).len(), 100);
        let alerts = db.feed().next_alerts("a", 100).unwrap();
        assert_eq!(alerts.changes.len(), 1);
        db.feed().ack(&alerts.delivery).unwrap();

        // The longest sink name an id allows: 256 bytes.
        let b = &"b".repeat(limits::MAX_ID_BYTES);
        db.feed().register(b, forever()).unwrap();
        assert_eq!(drain(db, b, 1_000), stored(db));
        assert_eq!(db.feed().next_alerts(b, 100).unwrap().changes.len(), 1);
        // The copy was for b alone: a has nothing new, and its cursor moves past the copy.
        assert!(drain(db, "a", 1_000).is_empty());
        let again = db.feed().next_alerts("a", 100).unwrap();
        assert!(again.changes.is_empty() && !again.delivery.is_empty(), "passes over b's copy");
        db.feed().ack(&again.delivery).unwrap();
        assert!(db.feed().status("a").unwrap().feeds.iter().all(|f| f.pending_rows == 0));
        // Registering again keeps the cursor: no second copy.
        db.feed().register(b, SinkOptions::default()).unwrap();
        assert_eq!(drain(db, b, 1_000).len(), 0);
    }

    fn nothing_moves_until_acknowledged(fx) {
        let db = &fx.db;
        write(db, "pump-1", 0, 50);
        db.feed().register("fleet", forever()).unwrap();
        let first = db.feed().next_telemetry("fleet", 1_000).unwrap();
        let again = db.feed().next_telemetry("fleet", 1_000).unwrap();
        assert_eq!(first, again, "a batch read again is the same batch");
        assert_eq!(first.delivery.start_name(), again.delivery.start_name());
        db.feed().ack(&first.delivery).unwrap();
        // The second reader of the same position lost the race: refused, not applied twice.
        assert!(matches!(db.feed().ack(&again.delivery), Err(StorageError::Conflict(_))));
        assert!(db.feed().next_telemetry("fleet", 1_000).unwrap().series.is_empty());
    }

    fn a_large_write_comes_in_slices(fx) {
        let db = &fx.db;
        write(db, "a", 0, 2_500);
        write(db, "b", 0, 2_500);
        db.feed().register("fleet", forever()).unwrap();
        let mut sizes = Vec::new();
        let mut rows = 0;
        let mut names = Vec::new();
        loop {
            let b = db.feed().next_telemetry("fleet", 700).unwrap();
            names.push(b.delivery.start_name());
            let n: usize = b.series.iter().map(|s| s.points.len()).sum();
            if b.delivery.is_empty() {
                break;
            }
            assert!(n <= 700, "a slice holds at most the budget");
            sizes.push(n);
            rows += n;
            db.feed().ack(&b.delivery).unwrap();
        }
        assert_eq!(rows, 5_000, "each point once: {sizes:?}");
        assert!(names.windows(2).all(|w| w[0] < w[1]), "batch names sort in delivery order: {names:?}");
    }

    fn events_and_alert_changes(fx) {
        let db = &fx.db;
        db.events().append(&NewEvent::new("e1", "device.online", "mqtt", 1, serde_json::json!({}))).unwrap();
        db.alerts().create(&AlertRecord::new("a1", "hot", AlertSeverity::Warning, "", "rule", 1)).unwrap();
        db.feed().register("fleet", SinkOptions::default()).unwrap();
        db.events().append(&NewEvent::new("e2", "device.offline", "mqtt", 2, serde_json::json!({"x": 1}))).unwrap();
        db.alerts().acknowledge("a1", "op", 5).unwrap();
        db.alerts().resolve("a1", 6).unwrap();
        db.alerts().create(&AlertRecord::new("a2", "cold", AlertSeverity::Info, "", "rule", 7)).unwrap();

        let e = db.feed().next_events("fleet", 100).unwrap();
        assert_eq!(e.events.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(), ["e1", "e2"]);
        db.feed().ack(&e.delivery).unwrap();
        assert!(db.feed().next_events("fleet", 100).unwrap().events.is_empty());

        let a = db.feed().next_alerts("fleet", 2).unwrap();
        assert_eq!(a.changes.len(), 2, "at most the budget");
        db.feed().ack(&a.delivery).unwrap();
        let rest = db.feed().next_alerts("fleet", 100).unwrap();
        db.feed().ack(&rest.delivery).unwrap();
        let all: Vec<_> = a.changes.iter().chain(&rest.changes).collect();
        // The copy at registration, then every state change, in order.
        let states: Vec<(&str, bool, bool)> =
            all.iter().map(|c| (c.alert.alert_id.as_str(), c.alert.acknowledged, c.alert.resolved_at.is_some())).collect();
        assert_eq!(states, [("a1", false, false), ("a1", true, false), ("a1", true, true), ("a2", false, false)]);
        assert!(all.windows(2).all(|w| w[0].change < w[1].change));
        let status = db.feed().status("fleet").unwrap();
        assert!(status.feeds.iter().all(|f| f.pending_rows == 0), "{status:?}");
    }

    fn decisions_and_executions_are_fed_with_each_state(fx) {
        let db = &fx.db;
        db.decisions().create(&DecisionRecord::new("d1", "cool", "", "hot", 0.9, 1)).unwrap();
        db.feed().register("fleet", SinkOptions::default()).unwrap();
        db.decisions().approve("d1", &UserResponse::new("op", "ok", 2)).unwrap();
        db.rule_history().record(&RuleExecutionRecord::new("x1", "r1", "rule 1", 3, ExecutionResult::Success)).unwrap();
        db.workflow_history().start(&WorkflowExecutionRecord::new("w1", "wf", "workflow", "manual", 4)).unwrap();
        db.workflow_history().finish("w1", ExecutionStatus::Completed, 5, None, None).unwrap();
        let ids = |feed: Feed| {
            let b = db.feed().next_records("fleet", feed, 100).unwrap();
            db.feed().ack(&b.delivery).unwrap();
            b.changes.iter().map(|c| (c.id.clone(), c.record["status"].as_str().unwrap_or("-").to_string())).collect::<Vec<_>>()
        };
        assert_eq!(ids(Feed::Decisions), [("d1".to_string(), "Proposed".to_string()), ("d1".into(), "Approved".into())]);
        assert_eq!(ids(Feed::RuleExecutions).len(), 1);
        assert_eq!(ids(Feed::WorkflowExecutions), [("w1".to_string(), "Running".to_string()), ("w1".into(), "Completed".into())]);
        // The alerts feed skips the other tables' rows; once every feed is read the log is empty.
        assert!(db.feed().next_alerts("fleet", 100).unwrap().changes.is_empty());
        let empty = db.feed().next_alerts("fleet", 100).unwrap();
        db.feed().ack(&empty.delivery).unwrap();
        assert!(matches!(db.feed().next_records("fleet", Feed::Events, 1), Err(StorageError::InvalidInput { field: "feed", .. })));
        let status = db.feed().status("fleet").unwrap();
        assert_eq!(status.feeds.len(), 6);
        assert!(status.feeds.iter().all(|f| f.pending_rows == 0), "{status:?}");
    }

    fn retention_holds_what_a_sink_has_not_received(fx) {
        let db = &fx.db;
        write(db, "pump-1", 0, 100);
        db.events().append(&NewEvent::new("e1", "device.online", "mqtt", 0, serde_json::json!({}))).unwrap();
        db.feed().register("fleet", forever()).unwrap();
        let later = 400 * 86_400_000;
        let keep = TimeSeriesRetention::default();
        assert_eq!(db.timeseries().cleanup(later, &keep).unwrap().points, 0, "undelivered points are held");
        assert_eq!(db.events().cleanup(later, &EventRetention::default()).unwrap().expired, 0);
        assert_eq!(drain(db, "fleet", 10_000).len(), 100);
        let e = db.feed().next_events("fleet", 100).unwrap();
        db.feed().ack(&e.delivery).unwrap();
        assert_eq!(db.timeseries().cleanup(later, &keep).unwrap().points, 100, "delivered points expire");
        assert_eq!(db.events().cleanup(later, &EventRetention::default()).unwrap().expired, 1);
    }

    fn past_max_lag_data_is_dropped_and_counted(fx) {
        let db = &fx.db;
        write(db, "pump-1", 0, 100);
        db.events().append(&NewEvent::new("e1", "device.online", "mqtt", 0, serde_json::json!({}))).unwrap();
        let lag = SinkOptions { max_lag: RetentionWindow::millis("max_lag", 1).unwrap(), max_backlog_bytes: 0 };
        db.feed().register("fleet", lag).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
        // Retention no longer waits for the sink, and the feed skips what is gone.
        assert_eq!(db.events().cleanup(400 * 86_400_000, &EventRetention::default()).unwrap().expired, 1);
        let t = db.feed().next_telemetry("fleet", 1_000).unwrap();
        assert!(t.series.is_empty());
        assert_eq!(t.delivery.to.dropped, 100);
        db.feed().ack(&t.delivery).unwrap();
        let e = db.feed().next_events("fleet", 100).unwrap();
        assert_eq!((e.events.len(), e.delivery.to.dropped), (0, 1));
        db.feed().ack(&e.delivery).unwrap();
        let status = db.feed().status("fleet").unwrap();
        assert_eq!(status.feeds.iter().map(|f| f.progress.dropped).collect::<Vec<_>>(), [100, 1, 0, 0, 0, 0]);
    }

    fn cleanup_applies_a_silent_sinks_options_and_prunes_the_logs(fx) {
        let db = &fx.db;
        let lag = SinkOptions { max_lag: RetentionWindow::millis("max_lag", 1).unwrap(), max_backlog_bytes: 0 };
        db.feed().register("gone", lag).unwrap();
        db.feed().register("kept", forever()).unwrap();
        write(db, "pump-1", 0, 50);
        db.alerts().create(&AlertRecord::new("a1", "hot", AlertSeverity::Warning, "", "rule", 1)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let report = DataCleanupTask::new(db, RetentionConfig::default()).run(unix_ms()).unwrap();
        assert_eq!(report.removed["replication"], 50 + 1, "{report:?}");
        let gone = db.feed().status("gone").unwrap();
        assert_eq!(gone.feeds.iter().map(|f| (f.progress.dropped, f.pending_rows)).collect::<Vec<_>>()[..3], [(50, 0), (0, 0), (1, 0)]);
        assert_eq!(gone.feeds[0].progress.last_delivery_ms, None, "a drop is not a delivery");
        // The other sink still gets everything; once it has, the logs are empty.
        assert_eq!(drain(db, "kept", 1_000).len(), 50);
        let alerts = db.feed().next_alerts("kept", 10).unwrap();
        assert_eq!(alerts.changes.len(), 1);
        db.feed().ack(&alerts.delivery).unwrap();
        let logged = db.table_sizes().unwrap().iter().filter(|t| t.name == "ts_feed" || t.name == "feed_records").map(|t| t.entries).sum::<u64>();
        assert_eq!(logged, 0);
    }

    fn a_backlog_over_its_limit_drops_the_oldest(fx) {
        let db = &fx.db;
        db.feed().register("fleet", SinkOptions { max_lag: RetentionWindow::FOREVER, max_backlog_bytes: 1_000 }).unwrap();
        for i in 0..10 {
            write(db, "pump-1", i * 10, 10); // 160 bytes a commit
        }
        let b = db.feed().next_telemetry("fleet", 10_000).unwrap();
        let kept: usize = b.series.iter().map(|s| s.points.len()).sum();
        assert_eq!((kept, b.delivery.to.dropped), (60, 40), "the newest 960 bytes stay");
    }

    fn an_event_backlog_over_its_limit_drops_the_oldest_on_read_and_at_cleanup(fx) {
        let db = &fx.db;
        let append = |i: usize| {
            db.events().append(&NewEvent::new(&format!("e{i}"), "device.online", "mqtt", 0, serde_json::json!({}))).unwrap();
        };
        append(0);
        let row = db.events().total_bytes().unwrap(); // every event below stores as many bytes
        let limit = row * 7 / 2; // room for the newest three
        db.feed().register("reader", SinkOptions { max_lag: RetentionWindow::FOREVER, max_backlog_bytes: limit }).unwrap();
        db.feed().register("silent", SinkOptions { max_lag: RetentionWindow::FOREVER, max_backlog_bytes: limit }).unwrap();
        (1..10).for_each(append);
        let b = db.feed().next_events("reader", 100).unwrap();
        let ids: Vec<&str> = b.events.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!((ids, b.delivery.to.dropped), (vec!["e7", "e8", "e9"], 7));
        db.feed().ack(&b.delivery).unwrap();
        // A sink that does not read: cleanup applies its limit, and retention may take the rest.
        let report = DataCleanupTask::new(db, RetentionConfig::default()).run(unix_ms()).unwrap();
        assert_eq!(report.removed["replication"], 7, "{report:?}");
        assert_eq!(report.removed["events"], 7, "the events (of 1970) expire but the three the silent sink still holds");
        let events = &db.feed().status("silent").unwrap().feeds[1];
        assert_eq!((events.progress.dropped, events.pending_rows), (7, 3));
    }

    fn unregistering_the_last_sink_stops_the_logs(fx) {
        let db = &fx.db;
        db.feed().register("fleet", SinkOptions::default()).unwrap();
        write(db, "pump-1", 0, 10);
        db.alerts().create(&AlertRecord::new("a1", "hot", AlertSeverity::Warning, "", "rule", 1)).unwrap();
        let logged = |db: &StorageManager| {
            db.table_sizes().unwrap().iter().filter(|t| t.name == "ts_feed" || t.name == "feed_records").map(|t| t.entries).sum::<u64>()
        };
        assert_eq!(logged(db), 2);
        assert!(db.feed().unregister("fleet").unwrap());
        assert!(!db.feed().unregister("fleet").unwrap());
        write(db, "pump-1", 10, 10);
        assert_eq!(logged(db), 0);
        assert!(matches!(db.feed().next_telemetry("fleet", 10), Err(StorageError::NotFound { .. })));
    }

    fn bad_input_is_refused(fx) {
        let db = &fx.db;
        assert!(matches!(db.feed().register("", SinkOptions::default()), Err(StorageError::InvalidInput { .. })));
        assert!(matches!(db.feed().next_events("nobody", 10), Err(StorageError::NotFound { .. })));
        assert!(matches!(db.feed().status("nobody"), Err(StorageError::NotFound { .. })));
        assert!(matches!(db.feed().record_error("nobody", Some("x")), Err(StorageError::NotFound { .. })));
        db.feed().register("fleet", SinkOptions::default()).unwrap();
        db.feed().record_error("fleet", Some("connection refused")).unwrap();
        assert_eq!(db.feed().status("fleet").unwrap().last_error.as_deref(), Some("connection refused"));
        db.feed().record_error("fleet", None).unwrap();
        assert_eq!(db.feed().status("fleet").unwrap().last_error, None);
    }

    fn cursors_survive_reopen(fx) {
        write(&fx.db, "pump-1", 0, 100);
        fx.db.feed().register("fleet", forever()).unwrap();
        assert_eq!(drain(&fx.db, "fleet", 30).len(), 100);
        let fx = fx.reopen();
        write(&fx.db, "pump-1", 100, 5);
        let rows = drain(&fx.db, "fleet", 1_000);
        if fx.is_redb() {
            assert_eq!(rows.len(), 5, "only the new points after a reopen");
        }
    }
}
