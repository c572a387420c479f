//! The `replication` section of system.yaml on the maintenance scheduler: a sink delivers
//! on its interval with the configured options; bad settings fail before anything runs.
#![cfg(feature = "tokio")]

use neotalk_storage::config::ReplicationConfig;
use neotalk_storage::{AsyncStorage, Maintenance, RetentionWindow, StorageManager, TelemetryPoint};
use std::time::Duration;

fn config(yaml: &str) -> ReplicationConfig {
    serde_yaml_ng::from_str(yaml).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_sink_delivers_on_its_interval() {
    let dir = tempfile::tempdir().unwrap();
    let db = StorageManager::in_memory().unwrap();
    db.timeseries().write_batch(&[TelemetryPoint::new("d", "m", 1, 1.0)]).unwrap();
    let yaml =
        format!("gateway_id: gw-1\nsinks:\n  - target: parquet:{}\n    interval_secs: 1\n    max_lag: forever\n", dir.path().display());
    let mut m = Maintenance::new(AsyncStorage::new(db.clone()));
    neotalk_storage_replicate::schedule(&mut m, &db, &config(&yaml)).unwrap();
    let running = m.start();
    let sink = format!("parquet:{}", dir.path().display());
    let until = std::time::Instant::now() + Duration::from_secs(30);
    while db.feed().status(&sink).unwrap().feeds[0].progress.delivered < 1 {
        assert!(std::time::Instant::now() < until, "the job never ran");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    running.stop().await;
    assert_eq!(db.feed().status(&sink).unwrap().options.max_lag, RetentionWindow::FOREVER);
}

#[test]
fn bad_settings_fail_before_anything_runs() {
    let db = StorageManager::in_memory().unwrap();
    let mut m = Maintenance::new(AsyncStorage::new(db.clone()));
    let e = neotalk_storage_replicate::schedule(&mut m, &db, &config("gateway_id: gw\nsinks:\n  - target: mysql://x\n")).unwrap_err();
    assert!(e.to_string().contains("mysql://x"), "{e}");
    let e = neotalk_storage_replicate::schedule(&mut m, &db, &config("gateway_id: a/b\nsinks:\n  - target: parquet:/tmp/x\n")).unwrap_err();
    assert!(e.to_string().contains("gateway_id"), "{e}");
    assert!(m.jobs().is_empty() && db.feed().sinks().unwrap().is_empty());
    // Unknown fields and zero intervals are refused by the YAML itself.
    assert!(serde_yaml_ng::from_str::<ReplicationConfig>("sinks:\n  - target: parquet:/x\n    every: 5\n").is_err());
    assert!(serde_yaml_ng::from_str::<ReplicationConfig>("sinks:\n  - target: parquet:/x\n    interval_secs: 0\n").is_err());
}
