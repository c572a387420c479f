//! Concurrency stress: 8 threads mix writes, queries, retention cleanup and stats on one
//! `StorageManager` for a bounded time; afterwards every count is exact.
//!
//! Each thread writes only its own series and ids, so it can check read-your-writes while the
//! others run. A watchdog aborts the process if the run deadlocks.
//! `NTS_STRESS_SECS` sets the run time per backend (default 3).

use crate::common;

use common::Fixture;

use neotalk_storage::{
    AlertRecord, AlertSeverity, DataPoint, Durability, EventRetention, NewEvent, RetentionWindow, SessionMessage, StorageManager,
    StorageOptions, TelemetryPoint, TimeSeriesRetention,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const THREADS: usize = 8;
/// Timestamps of data that retention must remove: far before "now" (0) minus any window.
const OLD: i64 = -10_000_000_000_000;

/// What one thread wrote.
#[derive(Default, Debug)]
struct Written {
    points: i64,
    buffered: i64,
    old_points: i64,
    events: u64,
    old_events: u64,
    alerts: u64,
    acknowledged: u64,
    sessions: u64,
    messages: u64,
    ops: u64,
}

fn run_secs() -> f64 {
    std::env::var("NTS_STRESS_SECS").ok().map(|v| v.parse().expect("NTS_STRESS_SECS is a number")).unwrap_or(3.0)
}

/// Aborts the process with a message unless `done` is signalled within `limit`.
fn watchdog(limit: Duration, what: &'static str) -> mpsc::Sender<()> {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
            eprintln!("stress test {what}: no progress after {limit:?}: deadlock; aborting");
            std::process::abort();
        }
    });
    tx
}

fn worker(db: &StorageManager, t: usize, deadline: Instant, failed: &AtomicBool) -> Written {
    let mut rng = fastrand::Rng::with_seed(t as u64 * 7919 + 1);
    let mut w = Written::default();
    let dev = format!("dev-{t}");
    let buf_dev = format!("buf-{t}");
    let old_dev = format!("old-{t}");
    let ts = db.timeseries();
    while Instant::now() < deadline && !failed.load(Ordering::Relaxed) {
        w.ops += 1;
        match rng.u8(..12) {
            0 | 1 => {
                let n = rng.i64(1..50);
                let batch: Vec<TelemetryPoint> =
                    (0..n).map(|i| TelemetryPoint::new(&dev, "m", w.points + i, (w.points + i) as f64)).collect();
                ts.write_batch(&batch).unwrap();
                w.points += n;
            }
            2 => {
                ts.write(&buf_dev, "m", DataPoint::new(w.buffered, w.buffered)).unwrap();
                w.buffered += 1;
            }
            3 => {
                ts.write_series(&old_dev, "m", &[DataPoint::new(OLD + w.old_points, 1.0)]).unwrap();
                w.old_points += 1;
                let old = OLD + w.old_points;
                let e = NewEvent::new(&format!("old-{t}-{}", w.old_events), "stress.old", "stress", old, serde_json::Value::Null);
                db.events().append(&e).unwrap();
                w.old_events += 1;
            }
            4 => {
                let n = rng.u64(1..4);
                let events: Vec<NewEvent> = (0..n)
                    .map(|k| {
                        NewEvent::new(
                            &format!("ev-{t}-{}", w.events + k),
                            "stress",
                            "stress",
                            (w.events + k) as i64,
                            serde_json::json!({"t": t}),
                        )
                    })
                    .collect();
                let range = db.events().append_batch(&events).unwrap();
                assert_eq!(range.len(), n, "a batch gets consecutive sequences");
                w.events += n;
            }
            5 => {
                let id = format!("al-{t}-{}", w.alerts);
                db.alerts()
                    .create(&AlertRecord::new(&id, "stress", AlertSeverity::Error, "m", &format!("src-{t}"), w.alerts as i64))
                    .unwrap();
                w.alerts += 1;
                if rng.bool() {
                    db.alerts().acknowledge(&id, "op", 1).unwrap();
                    w.acknowledged += 1;
                }
            }
            6 => {
                let id = format!("s-{t}-{}", w.sessions);
                db.sessions().create_session(&id, "stress", 0).unwrap();
                w.sessions += 1;
                let n = rng.u64(1..4);
                for k in 0..n {
                    db.sessions().append_message(&id, &SessionMessage::user(&format!("m{k}"), k as i64)).unwrap();
                }
                w.messages += n;
            }
            7 => {
                // Read-your-writes on this thread's series while others write theirs.
                assert_eq!(ts.query_range(&dev, "m", 0..i64::MAX).unwrap().len() as i64, w.points, "thread {t}: range query count");
                assert_eq!(ts.query_range(&buf_dev, "m", 0..i64::MAX).unwrap().len() as i64, w.buffered, "thread {t}: buffered count");
            }
            8 => {
                let latest = ts.query_latest(&dev, "m").unwrap().map(|p| p.timestamp);
                assert_eq!(latest, (w.points > 0).then_some(w.points - 1), "thread {t}: latest point");
                let src = db.alerts().query_by_source(&format!("src-{t}"), 0..(i64::MAX), None).unwrap();
                assert_eq!(src.len() as u64, w.alerts, "thread {t}: alerts by source");
            }
            9 => {
                ts.cleanup(0, &TimeSeriesRetention::default()).unwrap();
            }
            10 => {
                db.events()
                    .cleanup(0, &EventRetention { keep: RetentionWindow::days(7), max_size_mb: 1_000_000, ..Default::default() })
                    .unwrap();
            }
            _ => {
                assert!(!db.table_sizes().unwrap().is_empty());
                assert!(db.events().last_sequence().unwrap() >= w.events + w.old_events);
            }
        }
    }
    w
}

/// Runs the load and checks exact counts; returns (live events, alerts).
fn stress(db: &StorageManager, what: &'static str) -> (u64, u64) {
    let secs = run_secs();
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let done = watchdog(Duration::from_secs_f64(secs + 120.0), what);
    let failed = AtomicBool::new(false);
    let written: Vec<Written> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let failed = &failed;
                s.spawn(move || {
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| worker(db, t, deadline, failed)));
                    if r.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    r
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap().unwrap_or_else(|_| panic!("a {what} worker failed (see above)"))).collect()
    });

    // A last cleanup, then exact counts.
    db.timeseries().cleanup(0, &TimeSeriesRetention::default()).unwrap();
    db.events().cleanup(0, &EventRetention { keep: RetentionWindow::days(7), max_size_mb: 1_000_000, ..Default::default() }).unwrap();
    let ts = db.timeseries();
    let (mut events, mut old_events, mut alerts, mut acked, mut ops) = (0, 0, 0, 0, 0);
    for (t, w) in written.iter().enumerate() {
        let pts = ts.query_range(&format!("dev-{t}"), "m", 0..i64::MAX).unwrap();
        assert_eq!(pts.len() as i64, w.points, "thread {t}: points");
        assert!(pts.iter().enumerate().all(|(i, p)| p.timestamp == i as i64), "thread {t}: points 0..n exactly once");
        let buf = ts.query_range(&format!("buf-{t}"), "m", 0..i64::MAX).unwrap();
        assert_eq!(buf.len() as i64, w.buffered, "thread {t}: buffered points");
        assert!(ts.query_range(&format!("old-{t}"), "m", i64::MIN..0).unwrap().is_empty(), "thread {t}: expired points left");
        for k in 0..w.events {
            assert!(db.events().get(&format!("ev-{t}-{k}")).unwrap().is_some(), "thread {t}: event {k} lost");
        }
        assert_eq!(db.events().get(&format!("ev-{t}-{}", w.events)).unwrap(), None);
        let sessions = (0..w.sessions).map(|k| db.sessions().load_messages(&format!("s-{t}-{k}")).unwrap().len() as u64).sum::<u64>();
        assert_eq!(sessions, w.messages, "thread {t}: session messages");
        events += w.events;
        old_events += w.old_events;
        alerts += w.alerts;
        acked += w.acknowledged;
        ops += w.ops;
    }
    let log = db.events().replay(0, usize::MAX).unwrap();
    assert_eq!(log.len() as u64, events, "live events (every old one removed by cleanup)");
    assert!(log.windows(2).all(|p| p[0].sequence < p[1].sequence), "sequences strictly increase");
    assert_eq!(db.events().last_sequence().unwrap(), events + old_events, "every append got its own sequence");
    let mut ids: Vec<&str> = log.iter().map(|e| e.event_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as u64, events, "no duplicated event");
    assert_eq!(db.alerts().count_by_severity().unwrap().error, alerts);
    assert_eq!(db.alerts().query_range(0..(i64::MAX), None).unwrap().len() as u64, alerts);
    assert_eq!(db.alerts().unacknowledged(None).unwrap().len() as u64, alerts - acked);
    assert_eq!(db.sessions().list_sessions(None).unwrap().len() as u64, written.iter().map(|w| w.sessions).sum::<u64>());
    let sizes = db.table_sizes().unwrap();
    let entries = |name: &str| sizes.iter().find(|s| s.name == name).map_or(0, |s| s.entries);
    assert_eq!(entries("events_by_id"), events, "one id entry per live event (the table `events` holds blocks)");
    assert_eq!(entries("alerts"), alerts);
    assert_eq!(db.check_integrity(), Ok(true));
    done.send(()).unwrap();
    println!("stress {what}: {secs} s, {THREADS} threads, {ops} operations, {events} events, {alerts} alerts");
    assert!(ops >= THREADS as u64 * 5, "the run did too little to mean anything ({ops} operations)");
    (events, alerts)
}

/// Runs the load on `fx`, then checks the counts again after a reopen (redb).
fn stress_and_reopen(fx: Fixture, what: &'static str) {
    let (events, alerts) = stress(&fx.db, what);
    let fx = fx.reopen();
    assert_eq!(fx.db.check_integrity(), Ok(true));
    assert_eq!(fx.db.events().replay(0, usize::MAX).unwrap().len() as u64, events, "events after reopen");
    assert_eq!(fx.db.alerts().count_by_severity().unwrap().error, alerts, "alerts after reopen");
}

#[test]
fn eight_threads_memory() {
    stress_and_reopen(Fixture::memory(), "memory");
}

/// Every commit fsynced: few operations on a slow disk, but the default setting.
#[test]
fn eight_threads_redb_immediate() {
    stress_and_reopen(Fixture::redb(), "redb (immediate)");
}

/// Commits without fsync: many more operations, so more interleavings.
#[test]
fn eight_threads_redb_eventual() {
    let options = StorageOptions { durability: Durability::Eventual, ..Default::default() };
    stress_and_reopen(Fixture::with_options(true, options), "redb (eventual)");
}
