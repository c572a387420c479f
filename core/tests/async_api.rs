#![cfg(feature = "tokio")]
use neotalk_storage::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_run_off_the_async_threads_and_errors_pass_through() {
    let dir = tempfile::tempdir().unwrap();
    let db = AsyncStorage::new(StorageManager::open(dir.path()).unwrap());
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let db = db.clone();
            tokio::spawn(async move {
                db.call(move |s| s.timeseries().write_series(&format!("d{t}"), "m", &[DataPoint::new(t, 1.0)])).await
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap().unwrap();
    }
    assert_eq!(db.call(|s| s.timeseries().list_devices_with_data()).await.unwrap().len(), 8);
    let err = db.call(|s| s.timeseries().query_range("d1", "m", 5, 1)).await.unwrap_err();
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
    m.every("broken", Duration::from_millis(5), |s| s.timeseries().query_range("d", "m", 1, 0).map(|_| ()));
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
