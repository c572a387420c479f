#![cfg(feature = "tokio")]
// A reversed range is fed in on purpose.
#![allow(clippy::reversed_empty_ranges)]
use neotalk_storage::backup::RestoreManager;
use neotalk_storage::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_run_off_the_async_threads_and_errors_pass_through() {
    let dir = tempfile::tempdir().unwrap();
    let db = AsyncStorage::new(StorageManager::open(dir.path()).unwrap());
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let db = db.clone();
            tokio::spawn(
                async move { db.call(move |s| s.timeseries().write_series(&format!("d{t}"), "m", &[DataPoint::new(t, 1.0)])).await },
            )
        })
        .collect();
    for h in handles {
        h.await.unwrap().unwrap();
    }
    assert_eq!(db.call(|s| s.timeseries().list_devices_with_data()).await.unwrap().len(), 8);
    let err = db.call(|s| s.timeseries().query_range("d1", "m", 5..1)).await.unwrap_err();
    assert!(matches!(err, StorageError::InvalidInput { .. }));
    db.close().await.unwrap();
    assert_eq!(db.call(|s| s.events().last_sequence()).await.unwrap_err(), StorageError::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_runs_jobs_reports_failures_and_stops() {
    let db = AsyncStorage::new(StorageManager::in_memory().unwrap());
    db.storage().timeseries().write("d", "m", DataPoint::new(1, 1.0)).unwrap();
    let mut m = Maintenance::new(db.clone());
    m.every("flush", Duration::from_millis(5), |s| s.flush());
    m.every("broken", Duration::from_millis(5), |s| s.timeseries().query_range("d", "m", 1..0).map(|_| ()));
    let running = m.start();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while running.runs("flush") < 3 || running.runs("broken") < 3 {
        assert!(tokio::time::Instant::now() < deadline, "jobs did not run: {:?}", running.status());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(db.storage().timeseries().buffered_points(), 0);
    let status = running.status();
    assert_eq!(status["broken"].failures, status["broken"].runs);
    assert!(status["broken"].last_error.as_deref().unwrap().contains("start 1 is after end 0"));
    assert_eq!(status["flush"].failures, 0);
    running.stop().await;
    let runs = db.storage().stats().unwrap().query_performance.total_queries;
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(db.storage().stats().unwrap().query_performance.total_queries, runs, "no job runs after stop");
}

/// The jobs and intervals of `system.yaml`; with tokio's clock paused, a simulated day runs
/// each of them: old telemetry is cleaned up, a backup is taken, the file is compacted.
#[tokio::test(start_paused = true)]
async fn maintenance_from_config_runs_the_configured_jobs_on_their_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let db = AsyncStorage::new(StorageManager::open(dir.path()).unwrap());
    let config = ConfigStore::from_strings([
        ("system.yaml", "maintenance:\n  flush_interval_secs: 2\n  cleanup_interval_minutes: 5\n  compact_interval_hours: 12\nbackup:\n  interval_hours: 6\n  retain_count: 2\n"),
        ("retention.yaml", "retention:\n  timeseries:\n    default_days: 1\n"),
    ])
    .unwrap()
    .load()
    .unwrap();
    let m = Maintenance::from_config(db.clone(), &config).unwrap();
    let jobs: Vec<(String, u64)> = m.jobs().into_iter().map(|(n, d)| (n, d.as_secs())).collect();
    assert_eq!(jobs, [("flush".into(), 2), ("cleanup".into(), 300), ("compact".into(), 12 * 3600), ("backup".into(), 6 * 3600)]);

    let now = neotalk_storage::unix_ms();
    let ts = db.storage().timeseries();
    ts.write_series("pump", "power", &[DataPoint::new(now - 3 * 86_400_000, 1.0), DataPoint::new(now, 2.0)]).unwrap();
    let running = m.start();
    tokio::time::sleep(Duration::from_secs(13 * 3600)).await;
    // A job whose tick came last may still be running on the blocking pool.
    for _ in 0..1000 {
        if running.status().values().all(|s| s.runs > 0) {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let status = running.status();
    running.stop().await;
    for (name, s) in &status {
        assert!(s.runs > 0 && s.failures == 0, "{name}: {s:?}");
    }
    assert!(status["flush"].runs > status["cleanup"].runs && status["cleanup"].runs > status["backup"].runs);
    assert_eq!(ts.query_range("pump", "power", 0..now + 1).unwrap().len(), 1, "the 3-day-old point was cleaned up");
    let backups = RestoreManager::new(db.storage(), dir.path().join("backups")).list_backups().unwrap();
    assert!(!backups.is_empty() && backups.len() <= 2, "{backups:?}");
}

#[test]
fn maintenance_from_config_leaves_out_what_is_switched_off() {
    let db = AsyncStorage::new(StorageManager::in_memory().unwrap());
    let config =
        ConfigStore::from_strings([("system.yaml", "maintenance:\n  compact_interval_hours: 0\nbackup:\n  enabled_backups: []\n")])
            .unwrap()
            .load()
            .unwrap();
    let names: Vec<String> = Maintenance::from_config(db, &config).unwrap().jobs().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["flush", "cleanup"]);
    let bad = ConfigStore::from_strings([("system.yaml", "maintenance:\n  flush_interval_secs: 0\n")]).unwrap().load().unwrap_err();
    assert!(bad.to_string().contains("flush_interval_secs"), "{bad}");
}
