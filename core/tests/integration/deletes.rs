//! Deletes a user expects: all telemetry of a device or of a metric, a device with its
//! telemetry (cascade), and one alert; each reflected in counts, stats and snapshots.
use neotalk_storage::*;

/// Points per series: enough to span several sealed chunks and more than one delete batch.
const POINTS: i64 = 25_000;

fn fill(db: &StorageManager) {
    let mut batch = Vec::new();
    for device in ["a", "b"] {
        for metric in ["temp", "rh"] {
            batch.extend((0..POINTS).map(|t| TelemetryPoint::new(device, metric, t * 1_000, t as f64)));
        }
    }
    db.timeseries().write_batch(&batch).unwrap();
    db.devices().upsert(&DeviceState::new("a", "sensor")).unwrap();
    db.devices().upsert(&DeviceState::new("b", "sensor")).unwrap();
}

fn chunk_rows(db: &StorageManager) -> u64 {
    db.stats().unwrap().table_stats.get("ts_chunks").map_or(0, |t| t.count)
}

on_both_backends! {
    fn deleting_a_device_removes_every_metric_and_its_snapshots(fx) {
        let db = &fx.db;
        fill(db);
        let chunks_before = chunk_rows(db);
        assert_eq!(db.timeseries().delete_device("a").unwrap(), 2 * POINTS as u64);
        assert_eq!(db.timeseries().list_devices_with_data().unwrap(), ["b"]);
        assert!(db.timeseries().query_range("a", "temp", ..).unwrap().is_empty());
        assert_eq!(db.timeseries().query_latest("a", "rh").unwrap(), None);
        assert_eq!(db.timeseries().query_range("b", "temp", ..).unwrap().len(), POINTS as usize);
        // The device stays registered, without snapshots of deleted metrics.
        let a = db.devices().get_device("a").unwrap().unwrap();
        assert!(a.metrics.is_empty(), "{:?}", a.metrics);
        assert_eq!(db.devices().get_device("b").unwrap().unwrap().metrics.len(), 2);
        assert!(chunk_rows(db) * 2 <= chunks_before + 1, "stats: {} chunk rows left of {chunks_before}", chunk_rows(db));
        // Again: nothing more; an unknown device: nothing at all.
        assert_eq!(db.timeseries().delete_device("a").unwrap(), 0);
        assert_eq!(db.timeseries().delete_device("nobody").unwrap(), 0);
        // New points after the delete are stored as usual.
        db.timeseries().write("a", "temp", DataPoint::new(5, 1.5)).unwrap();
        assert_eq!(db.timeseries().query_range("a", "temp", ..).unwrap(), [DataPoint::new(5, 1.5)]);
    }

    fn deleting_a_metric_removes_it_on_every_device(fx) {
        let db = &fx.db;
        fill(db);
        assert_eq!(db.timeseries().delete_metric("rh").unwrap(), 2 * POINTS as u64);
        for device in ["a", "b"] {
            assert_eq!(db.timeseries().list_metrics(device).unwrap(), ["temp"]);
            assert!(!db.devices().get_device(device).unwrap().unwrap().metrics.contains_key("rh"));
        }
        assert_eq!(db.timeseries().delete_metric("rh").unwrap(), 0);
    }

    fn cascade_deletes_the_device_and_its_telemetry(fx) {
        let db = &fx.db;
        fill(db);
        assert_eq!(db.devices().delete_with_telemetry("a").unwrap(), 2 * POINTS as u64);
        assert!(db.devices().get_device("a").unwrap().is_none());
        assert_eq!(db.timeseries().list_devices_with_data().unwrap(), ["b"]);
        assert!(matches!(db.devices().delete_with_telemetry("a"), Err(StorageError::NotFound { what: "device", .. })));
        // Without cascade the telemetry stays.
        db.devices().delete("b").unwrap();
        assert_eq!(db.timeseries().list_devices_with_data().unwrap(), ["b"]);
    }

    fn an_alert_is_deleted_by_id_and_counted_out(fx) {
        let alerts = fx.db.alerts();
        alerts.create(&AlertRecord::new("a1", "Hot", AlertSeverity::Critical, "", "rule", 10).for_entity("pump", "device")).unwrap();
        alerts.create(&AlertRecord::new("a2", "Warm", AlertSeverity::Warning, "", "rule", 20)).unwrap();
        assert!(alerts.delete("a1").unwrap());
        assert!(!alerts.delete("a1").unwrap());
        assert_eq!(alerts.get("a1").unwrap(), None);
        let counts = alerts.count_by_severity().unwrap();
        assert_eq!((counts.critical, counts.warning), (0, 1));
        assert_eq!(alerts.count_unresolved_by_severity().unwrap().total(), 1);
        // No index still names it.
        assert_eq!(alerts.query_range(.., None).unwrap().len(), 1);
        assert!(alerts.query_by_entity("pump", .., None).unwrap().is_empty());
        assert_eq!(alerts.unacknowledged(None).unwrap().len(), 1);
        assert!(fx.db.integrity_report().unwrap().ok);
        // The id may be used again.
        alerts.create(&AlertRecord::new("a1", "Hot again", AlertSeverity::Info, "", "rule", 30)).unwrap();
    }

    fn deletes_refuse_bad_ids_and_a_closed_database(fx) {
        let db = &fx.db;
        assert!(matches!(db.timeseries().delete_device(""), Err(StorageError::InvalidInput { field: "device_id", .. })));
        assert!(matches!(db.timeseries().delete_metric(""), Err(StorageError::InvalidInput { field: "metric", .. })));
        assert!(matches!(db.devices().delete_with_telemetry(""), Err(StorageError::InvalidInput { field: "device_id", .. })));
        assert!(matches!(db.alerts().delete(""), Err(StorageError::InvalidInput { field: "alert_id", .. })));
        db.close().unwrap();
        assert_eq!(db.timeseries().delete_device("a").unwrap_err(), StorageError::Closed);
        assert_eq!(db.timeseries().delete_metric("m").unwrap_err(), StorageError::Closed);
        assert_eq!(db.devices().delete_with_telemetry("a").unwrap_err(), StorageError::Closed);
        assert_eq!(db.alerts().delete("a1").unwrap_err(), StorageError::Closed);
    }
}
