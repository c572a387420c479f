//! Replication into a real PostgreSQL server (a private cluster per test): a full copy
//! matches the source exactly; redelivery, late and overwritten points, a server outage
//! during a follow run, retention racing replication and two gateways in one database
//! leave every row exactly once.

#[path = "support/pg.rs"]
mod pg;
use neotalk_storage::feed::SinkOptions;
use neotalk_storage::*;
use neotalk_storage_replicate::{table, FollowOptions, PostgresSink, Replicator, Sink, Target};
use pg::PgCluster;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Per series: (count, sum of numbers, first ts, last ts).
type Summary = BTreeMap<(String, String), (i64, f64, i64, i64)>;

fn source_summary(db: &StorageManager) -> Summary {
    let mut out = Summary::new();
    for d in db.timeseries().list_devices_with_data().unwrap() {
        for m in db.timeseries().list_metrics(&d).unwrap() {
            let pts = db.timeseries().query_range(&d, &m, ..).unwrap();
            let sum = pts.iter().filter_map(|p| p.value.as_f64()).sum();
            out.insert((d.clone(), m), (pts.len() as i64, sum, pts[0].timestamp, pts[pts.len() - 1].timestamp));
        }
    }
    out
}

fn sink_summary(client: &mut postgres::Client, gateway: &str) -> Summary {
    let rows = client
        .query(
            "SELECT device_id, metric, count(*), coalesce(sum(coalesce(value_float, value_int::double precision)), 0), min(ts_ms), max(ts_ms)
             FROM nts_telemetry WHERE gateway_id = $1 GROUP BY 1, 2",
            &[&gateway],
        )
        .unwrap();
    rows.iter().map(|r| ((r.get(0), r.get(1)), (r.get(2), r.get(3), r.get(4), r.get(5)))).collect()
}

fn assert_same(a: &Summary, b: &Summary) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, (n, sum, first, last)) in a {
        let (n2, sum2, first2, last2) = b[k];
        assert_eq!((n, first, last), (&n2, &first2, &last2), "series {k:?}");
        assert!((sum - sum2).abs() <= 1e-9 * sum.abs().max(1.0), "sum of {k:?}: {sum} != {sum2}");
    }
}

fn count(client: &mut postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).unwrap().get(0)
}

fn populate(db: &StorageManager, from: i64, n: i64) {
    let mut points = Vec::new();
    for d in 0..4 {
        for i in from..from + n {
            points.push(TelemetryPoint::new(&format!("dev-{d}"), "temperature", i * 1_000, 20.0 + (i % 17) as f64 / 8.0));
            points.push(TelemetryPoint::new(&format!("dev-{d}"), "count", i * 1_000, i));
        }
    }
    db.timeseries().write_batch(&points).unwrap();
}

fn replicator(db: &StorageManager, pg: &PgCluster, gateway: &str) -> Replicator {
    let target: Target = pg.url().parse().unwrap();
    let mut r = Replicator::new(db.clone(), &target, gateway).unwrap();
    r.max_points = 3_000; // several batches per run
    r
}

#[test]
fn a_full_copy_matches_the_source_exactly() {
    let pg = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::open(dir.path()).unwrap();
    populate(&db, 0, 2_000);
    db.timeseries()
        .write_batch(&[
            TelemetryPoint::new("cam-1", "snapshot", 5, vec![0u8, 1, 2, 255]),
            TelemetryPoint::new("cam-1", "state", 5, "recording"),
            TelemetryPoint::new("cam-1", "armed", 5, true),
            TelemetryPoint::new("cam-1", "far", i64::MAX, 1.0),
        ])
        .unwrap();
    for i in 0..50 {
        db.events().append(&NewEvent::new(&format!("e{i}"), "device.online", "mqtt", i, serde_json::json!({"i": i}))).unwrap();
    }
    db.alerts().create(&AlertRecord::new("a1", "hot", AlertSeverity::Critical, "95 °C", "rule", 1).for_entity("dev-1", "device")).unwrap();
    db.alerts().acknowledge("a1", "op", 2).unwrap();

    db.decisions().create(&DecisionRecord::new("d1", "cool pump", "", "too hot", 0.9, 1)).unwrap();
    db.decisions().approve("d1", &UserResponse::new("op", "ok", 2)).unwrap();
    db.workflow_history().start(&WorkflowExecutionRecord::new("w1", "wf", "workflow", "manual", 4)).unwrap();
    db.rule_history().record(&RuleExecutionRecord::new("x1", "r1", "rule 1", 3, ExecutionResult::Success)).unwrap();

    let report = replicator(&db, &pg, "gw-1").run_once().unwrap();
    let r = (report.points, report.events, report.alert_changes, report.record_changes, report.dropped);
    assert_eq!(r, (16_004, 50, 1, 3, 0), "{report:?}");
    db.workflow_history().finish("w1", ExecutionStatus::Failed, 9, None, Some("valve stuck".into())).unwrap();
    db.alerts().resolve("a1", 3).unwrap();
    let again = replicator(&db, &pg, "gw-1").run_once().unwrap();
    assert_eq!((again.alert_changes, again.record_changes), (1, 1));

    let mut c = pg.client();
    assert_same(&source_summary(&db), &sink_summary(&mut c, "gw-1"));
    assert_eq!(count(&mut c, "SELECT count(*) FROM nts_events"), 50);
    assert_eq!(count(&mut c, "SELECT sum((event_data->>'i')::bigint)::bigint FROM nts_events"), (0..50).sum::<i64>());
    let states: Vec<(bool, bool)> = c
        .query("SELECT acknowledged, resolved_at IS NOT NULL FROM nts_alert_changes ORDER BY change", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(states, [(true, false), (true, true)]);
    let runs: Vec<String> =
        c.query("SELECT record->>'status' FROM nts_workflow_executions ORDER BY change", &[]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(runs, ["Running", "Failed"]);
    assert_eq!(count(&mut c, "SELECT count(*) FROM nts_decisions WHERE decision_id = 'd1'"), 1, "approved after the copy: one state");
    assert_eq!(count(&mut c, "SELECT count(*) FROM nts_rule_executions"), 1);
    let r = c.query_one("SELECT value_bytes, (SELECT value_text FROM nts_telemetry WHERE metric = 'state'), (SELECT value_bool FROM nts_telemetry WHERE metric = 'armed') FROM nts_telemetry WHERE metric = 'snapshot'", &[]).unwrap();
    assert_eq!((r.get::<_, Vec<u8>>(0), r.get::<_, String>(1), r.get::<_, bool>(2)), (vec![0, 1, 2, 255], "recording".into(), true));
    // A time past PostgreSQL's range keeps its exact ms; its timestamptz is null.
    assert_eq!(count(&mut c, "SELECT count(*) FROM nts_telemetry WHERE ts_ms = 9223372036854775807 AND ts IS NULL"), 1);
    let name = Target::Postgres(pg.url()).sink_name();
    assert!(db.feed().status(&name).unwrap().feeds.iter().all(|f| f.pending_rows == 0 && f.progress.dropped == 0));
}

#[test]
fn redelivery_late_and_overwritten_points_leave_each_row_once() {
    let pg = PgCluster::start();
    let db = StorageManager::in_memory().unwrap();
    populate(&db, 0, 500);
    db.feed().register("pg", SinkOptions::default()).unwrap();
    // A batch written but never acknowledged (the replicator died): delivered again.
    let mut sink = PostgresSink::connect(&pg.url()).unwrap();
    let b = db.feed().next_telemetry("pg", 1_000).unwrap();
    sink.write("gw-1", &b.delivery.start_name(), &table::telemetry_rows(&b)).unwrap();
    let mut r = Replicator::with_sink(db.clone(), "pg", "gw-1", Box::new(sink)).unwrap();
    r.run_once().unwrap();
    // Late points, an overwritten point.
    db.timeseries()
        .write_batch(&[
            TelemetryPoint::new("dev-0", "temperature", -60_000, 1.0),
            TelemetryPoint::new("dev-1", "count", 7_000, 7_000_000i64),
        ])
        .unwrap();
    r.run_once().unwrap();
    let mut c = pg.client();
    assert_same(&source_summary(&db), &sink_summary(&mut c, "gw-1"));
    assert_eq!(
        count(&mut c, "SELECT value_int FROM nts_telemetry WHERE device_id = 'dev-1' AND metric = 'count' AND ts_ms = 7000"),
        7_000_000
    );
}

#[test]
fn the_sink_server_stopped_during_a_follow_run() {
    let pg = PgCluster::start();
    let db = StorageManager::in_memory().unwrap();
    populate(&db, 0, 200);
    let mut r = replicator(&db, &pg, "gw-1");
    let name = r.sink_name().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let opts =
        FollowOptions { poll: Duration::from_millis(20), backoff_min: Duration::from_millis(20), backoff_max: Duration::from_millis(200) };
    let follower = {
        let stop = stop.clone();
        std::thread::spawn(move || r.follow(&opts, &stop).unwrap())
    };
    let caught_up = |db: &StorageManager| db.feed().status(&name).unwrap().feeds.iter().all(|f| f.pending_rows == 0);
    wait_for(|| caught_up(&db));
    pg.pg_ctl("stop");
    populate(&db, 200, 300);
    wait_for(|| db.feed().status(&name).unwrap().last_error.is_some());
    assert!(!caught_up(&db), "nothing is acknowledged while the server is down");
    pg.pg_ctl("start");
    populate(&db, 500, 100);
    wait_for(|| caught_up(&db) && db.feed().status(&name).unwrap().last_error.is_none());
    stop.store(true, Ordering::Release);
    let report = follower.join().unwrap();
    assert_eq!(report.points, 4 * 2 * 600);
    assert_same(&source_summary(&db), &sink_summary(&mut pg.client(), "gw-1"));
}

#[test]
fn retention_racing_replication_loses_nothing_undelivered() {
    let pg = PgCluster::start();
    let db = StorageManager::in_memory().unwrap();
    let mut r = replicator(&db, &pg, "gw-1");
    db.feed().register(r.sink_name(), SinkOptions { max_lag: RetentionWindow::FOREVER, max_backlog_bytes: 0 }).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let opts = FollowOptions { poll: Duration::from_millis(5), ..Default::default() };
    let follower = {
        let stop = stop.clone();
        std::thread::spawn(move || r.follow(&opts, &stop).unwrap())
    };
    // Retention that keeps 1 ms runs between writes: only the feed's hold keeps points.
    let keep = TimeSeriesRetention { keep: RetentionWindow::millis("keep", 1).unwrap(), ..Default::default() };
    let mut written = 0i64;
    for round in 0..40 {
        populate(&db, round * 50, 50);
        written += 4 * 2 * 50;
        db.timeseries().cleanup(unix_ms() + 86_400_000, &keep).unwrap();
    }
    let name = Target::Postgres(pg.url()).sink_name();
    wait_for(|| db.feed().status(&name).unwrap().feeds[0].pending_rows == 0);
    stop.store(true, Ordering::Release);
    follower.join().unwrap();
    let mut c = pg.client();
    assert_eq!(count(&mut c, "SELECT count(*) FROM nts_telemetry"), written, "every point reached the sink once");
    // Delivered, the points expire on the gateway.
    db.timeseries().cleanup(unix_ms() + 86_400_000, &keep).unwrap();
    assert!(db.timeseries().list_devices_with_data().unwrap().iter().all(|d| db
        .timeseries()
        .query_range(d, "count", ..)
        .unwrap()
        .is_empty()));
}

#[test]
fn two_gateways_into_one_database() {
    let pg = PgCluster::start();
    let (a, b) = (StorageManager::in_memory().unwrap(), StorageManager::in_memory().unwrap());
    populate(&a, 0, 300);
    populate(&b, 100, 300);
    replicator(&a, &pg, "gw-a").run_once().unwrap();
    replicator(&b, &pg, "gw-b").run_once().unwrap();
    let mut c = pg.client();
    assert_same(&source_summary(&a), &sink_summary(&mut c, "gw-a"));
    assert_same(&source_summary(&b), &sink_summary(&mut c, "gw-b"));
}

#[test]
fn bad_targets_and_gateway_ids_are_refused() {
    for bad in ["mysql://x", "parquet:", "postgres://u@h:notaport/db"] {
        let e = bad.parse::<Target>().unwrap_err().to_string();
        assert!(e.contains(bad), "{e}");
    }
    let db = StorageManager::in_memory().unwrap();
    let target: Target = "parquet:/tmp/x".parse().unwrap();
    for bad in ["", "../up", ".hidden", "a/b", "gw 1"] {
        let e = Replicator::new(db.clone(), &target, bad).err().unwrap().to_string();
        assert!(e.contains("gateway_id"), "{e}");
    }
    // A server that is not there: an error naming the sink, recorded in the status.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let target: Target = format!("postgres://postgres@127.0.0.1:{port}/postgres").parse().unwrap();
    db.timeseries().write("d", "m", DataPoint::new(1, 1.0)).unwrap();
    let mut r = Replicator::new(db.clone(), &target, "gw").unwrap();
    let e = r.run_once().unwrap_err().to_string();
    assert!(e.starts_with("postgres"), "{e}");
    assert!(r.status().unwrap().last_error.is_some());
}

fn wait_for(mut ok: impl FnMut() -> bool) {
    let until = std::time::Instant::now() + Duration::from_secs(60);
    while !ok() {
        assert!(std::time::Instant::now() < until, "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}
