//! Binary telemetry values (camera snapshots): stored apart from the chunks, read back by
//! range and latest, kept by size in device snapshots, removed with their points by
//! overwrites, deletes and retention, carried by snapshots, and bounded by the configured
//! limit.
use crate::common;
use common::Fixture;
use neotalk_storage::*;

/// The upstream NeoMind test's image: 1 MB of bytes that are not text.
fn image(seed: u8) -> Vec<u8> {
    (0..1_000_000u32).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

fn blob_rows(db: &StorageManager) -> u64 {
    db.stats().unwrap().table_stats.get("ts_blobs").map_or(0, |t| t.count)
}

on_both_backends! {
    fn a_one_megabyte_image_round_trips_by_range_and_latest(fx) {
        let ts = fx.db.timeseries();
        ts.write("cam-1", "snapshot", DataPoint::new(1_000, image(1))).unwrap();
        ts.write_series("cam-1", "snapshot", &[DataPoint::new(2_000, image(2)), DataPoint::new(3_000, image(3))]).unwrap();
        let points = ts.query_range("cam-1", "snapshot", ..).unwrap();
        assert_eq!(points.iter().map(|p| p.timestamp).collect::<Vec<_>>(), [1_000, 2_000, 3_000]);
        for (p, seed) in points.iter().zip(1..) {
            assert_eq!(p.value, MetricValue::Binary(image(seed)), "at {}", p.timestamp);
        }
        assert_eq!(ts.query_latest("cam-1", "snapshot").unwrap().unwrap().value, MetricValue::Binary(image(3)));
        let newest = ts.query_range_with("cam-1", "snapshot", .., RangeOptions { limit: Some(1), newest_first: true }).unwrap();
        assert_eq!(newest[0].value, MetricValue::Binary(image(3)));
        assert_eq!(ts.query_latest_batch(&[("cam-1", "snapshot")]).unwrap()[0].as_ref().unwrap().value, MetricValue::Binary(image(3)));
        assert_eq!(blob_rows(&fx.db), 3);

        let fx = fx.reopen();
        let ts = fx.db.timeseries();
        assert_eq!(ts.query_range("cam-1", "snapshot", 2_000..=2_000).unwrap()[0].value, MetricValue::Binary(image(2)));
        assert_eq!(ts.query_latest("cam-1", "snapshot").unwrap().unwrap().value, MetricValue::Binary(image(3)));
    }

    fn empty_bytes_quality_and_metadata_are_kept(fx) {
        let ts = fx.db.timeseries();
        let mut p = DataPoint::new(5, Vec::<u8>::new());
        p.quality = Some(0.5);
        p.metadata = Some(serde_json::json!({"format": "jpeg"}));
        ts.write_series("cam", "frame", &[p.clone()]).unwrap();
        assert_eq!(ts.query_range("cam", "frame", ..).unwrap(), [p.clone()]);
        assert_eq!(ts.query_latest("cam", "frame").unwrap(), Some(p));
    }

    fn the_device_snapshot_keeps_the_size_not_the_bytes(fx) {
        fx.db.timeseries().write_series("cam-1", "snapshot", &[DataPoint::new(1_000, image(1))]).unwrap();
        let snap = fx.db.devices().get_device("cam-1").unwrap().unwrap().metrics["snapshot"].clone();
        assert_eq!((snap.value, snap.timestamp, snap.binary_bytes), (MetricValue::Binary(Vec::new()), 1_000, Some(1_000_000)));
        // Written back by a caller (read, changed, upserted), it keeps its size.
        let mut device = fx.db.devices().get_device("cam-1").unwrap().unwrap();
        device.name = "Door camera".into();
        fx.db.devices().upsert(&device).unwrap();
        let fx = fx.reopen();
        let again = fx.db.devices().get_device("cam-1").unwrap().unwrap();
        assert_eq!((again.name.as_str(), again.metrics["snapshot"].binary_bytes), ("Door camera", Some(1_000_000)));
        // Bytes given in an upserted snapshot are kept by size too.
        let mut given = DeviceState::new("cam-2", "camera");
        given.metrics.insert(
            "snapshot".into(),
            MetricSnapshot { value: MetricValue::Binary(vec![1, 2, 3]), timestamp: 7, quality: None, binary_bytes: None },
        );
        fx.db.devices().upsert(&given).unwrap();
        let got = fx.db.devices().get_device("cam-2").unwrap().unwrap().metrics["snapshot"].clone();
        assert_eq!((got.value, got.binary_bytes), (MetricValue::Binary(Vec::new()), Some(3)));
    }

    fn overwrites_deletes_and_retention_remove_the_bytes(fx) {
        let ts = fx.db.timeseries();
        let frames: Vec<DataPoint> = (0..10).map(|i| DataPoint::new(i * 1_000, vec![i as u8; 1_000])).collect();
        ts.write_series("cam", "frame", &frames).unwrap();
        assert_eq!(blob_rows(&fx.db), 10);
        // A binary point replaced by a number leaves no bytes behind; by bytes, the new ones.
        ts.write_series("cam", "frame", &[DataPoint::new(0, 1.5), DataPoint::new(1_000, vec![9u8; 3])]).unwrap();
        assert_eq!(blob_rows(&fx.db), 9);
        let points = ts.query_range("cam", "frame", 0..2_000).unwrap();
        assert_eq!((points[0].value.clone(), points[1].value.clone()), (MetricValue::Float(1.5), MetricValue::Binary(vec![9u8; 3])));
        assert_eq!(ts.delete_range("cam", "frame", 2_000..5_000).unwrap(), 3);
        assert_eq!(blob_rows(&fx.db), 6);
        // Deleting the newest moves the snapshot to the newest left, with its size.
        assert_eq!(ts.delete_range("cam", "frame", 9_000..).unwrap(), 1);
        let snap = fx.db.devices().get_device("cam").unwrap().unwrap().metrics["frame"].clone();
        assert_eq!((snap.timestamp, snap.binary_bytes), (8_000, Some(1_000)));
        // Retention drops old frames with their bytes.
        let keep = TimeSeriesRetention { keep: "3s".parse().unwrap(), ..Default::default() };
        let report = ts.cleanup(8_000, &keep).unwrap();
        assert_eq!(report.points, 2, "{report:?}");
        assert_eq!(ts.query_range("cam", "frame", ..).unwrap().iter().map(|p| p.timestamp).collect::<Vec<_>>(), [5_000, 6_000, 7_000, 8_000]);
        assert_eq!(blob_rows(&fx.db), 4);
        assert_eq!(ts.delete_device("cam").unwrap(), 4);
        assert_eq!(blob_rows(&fx.db), 0);
    }

    fn scans_and_aggregates_of_mixed_series_skip_the_bytes(fx) {
        let ts = fx.db.timeseries();
        let points: Vec<DataPoint> =
            (0..3_000).map(|i| if i % 100 == 0 { DataPoint::new(i, vec![1u8; 10_000]) } else { DataPoint::new(i, i as f64) }).collect();
        ts.write_series("cam", "mixed", &points).unwrap();
        let back = ts.query_range("cam", "mixed", ..).unwrap();
        assert_eq!(back, points);
        let buckets = ts.query_aggregated("cam", "mixed", 0..3_000, 1_000).unwrap();
        assert_eq!(buckets.iter().map(|b| b.count).sum::<u64>(), 3_000);
        let sum: f64 = points.iter().filter_map(|p| p.value.as_f64()).sum();
        assert_eq!(buckets.iter().map(|b| b.sum.unwrap()).sum::<f64>(), sum);
        // Columns carry no bytes: the refusal names the type and where it starts.
        let err = ts.query_range_columns("cam", "mixed", 100..).unwrap_err().to_string();
        assert!(err.contains("binary values (the first at timestamp 100)"), "{err}");
        assert_eq!(ts.query_range_columns("cam", "mixed", 101..200).unwrap().len(), 99);
    }

    fn snapshots_carry_the_bytes(fx) {
        fx.db.timeseries().write_series("cam", "snapshot", &[DataPoint::new(1, image(7))]).unwrap();
        let bytes = fx.db.export_snapshot().unwrap();
        let copy = StorageManager::in_memory().unwrap();
        copy.import_snapshot(&bytes).unwrap();
        assert_eq!(copy.timeseries().query_latest("cam", "snapshot").unwrap().unwrap().value, MetricValue::Binary(image(7)));
        // A series that gets its first bytes after the import is known as one with bytes.
        copy.timeseries().write_series("cam", "other", &[DataPoint::new(1, vec![1u8])]).unwrap();
        copy.timeseries().write_series("cam", "other", &[DataPoint::new(1, 2.0)]).unwrap();
        assert_eq!(blob_rows(&copy), 1, "the image only");
    }

    fn values_over_the_limit_are_refused_by_name(fx) {
        let err = fx.db.timeseries().write("cam", "big", DataPoint::new(1, vec![0u8; 16 * 1024 * 1024 + 1])).unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
        assert!(err.to_string().contains("binary value is 16777217 bytes; the limit is 16777216"), "{err}");
        assert!(fx.db.timeseries().query_range("cam", "big", ..).unwrap().is_empty());
    }
}

#[test]
fn the_limit_is_configurable_and_bounded() {
    for redb in [false, true] {
        let fx = Fixture::with_options(redb, StorageOptions { max_binary_value_bytes: 10, ..Default::default() });
        let ts = fx.db.timeseries();
        ts.write_series("cam", "f", &[DataPoint::new(1, vec![0u8; 10])]).unwrap();
        let err = ts.write_batch(&[TelemetryPoint::new("cam", "f", 2, vec![0u8; 11])]).unwrap_err().to_string();
        assert!(err.contains("the limit is 10 (StorageOptions.max_binary_value_bytes)"), "{err}");
    }
    let err = StorageManager::in_memory_with(StorageOptions { max_binary_value_bytes: 257 * 1024 * 1024, ..Default::default() })
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("max_binary_value_bytes"), "{err}");
}
