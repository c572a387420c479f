// Reversed ranges are fed in on purpose.
#![allow(clippy::reversed_empty_ranges)]
use crate::common;
use neotalk_storage::*;

fn ts_of(points: &[DataPoint]) -> Vec<i64> {
    points.iter().map(|p| p.timestamp).collect()
}

on_both_backends! {
    fn range_bounds_are_half_open_and_ordered(fx) {
        let ts = fx.db.timeseries();
        let pts: Vec<DataPoint> = (-5..5).map(|i| DataPoint::new(i * 10, i as f64)).collect();
        ts.write_series("d", "m", &pts).unwrap();
        assert_eq!(ts_of(&ts.query_range("d", "m", -20..20).unwrap()), vec![-20, -10, 0, 10]);
        assert_eq!(ts_of(&ts.query_range("d", "m", -21..-19).unwrap()), vec![-20]);
        assert!(ts.query_range("d", "m", 5..5).unwrap().is_empty());
        let newest = ts.query_range_with("d", "m", i64::MIN..i64::MAX, RangeOptions { limit: Some(3), newest_first: true }).unwrap();
        assert_eq!(ts_of(&newest), vec![40, 30, 20]);
        let oldest = ts.query_range_with("d", "m", i64::MIN..i64::MAX, RangeOptions { limit: Some(2), newest_first: false }).unwrap();
        assert_eq!(ts_of(&oldest), vec![-50, -40]);
        assert!(ts.query_range_with("d", "m", 0..100, RangeOptions { limit: Some(0), newest_first: false }).unwrap().is_empty());
    }

    fn every_value_kind_round_trips(fx) {
        let ts = fx.db.timeseries();
        let p = DataPoint {
            timestamp: 7,
            value: MetricValue::String("开启 🔌".into()),
            quality: Some(0.75),
            metadata: Some(serde_json::json!({"unit": "°C", "n": [1, 2]})),
        };
        ts.write_batch(&[
            TelemetryPoint { device_id: "温度计-1".into(), metric: "状态".into(), point: p.clone() },
            TelemetryPoint::new("温度计-1", "count", 7, 42i64),
            TelemetryPoint::new("温度计-1", "on", 7, true),
            TelemetryPoint::new("温度计-1", "t", 7, -0.5),
        ]).unwrap();
        assert_eq!(ts.query_range("温度计-1", "状态", 0..10).unwrap(), vec![p]);
        assert_eq!(ts.query_latest("温度计-1", "count").unwrap().unwrap().value, MetricValue::Integer(42));
        assert_eq!(ts.query_latest("温度计-1", "on").unwrap().unwrap().value, MetricValue::Boolean(true));
        assert_eq!(ts.query_latest("温度计-1", "t").unwrap().unwrap().value, MetricValue::Float(-0.5));
    }

    fn duplicate_timestamps_replace(fx) {
        let ts = fx.db.timeseries();
        ts.write_series("d", "m", &[DataPoint::new(1, 1.0), DataPoint::new(1, 2.0)]).unwrap();
        ts.write_series("d", "m", &[DataPoint::new(1, 3.0)]).unwrap();
        let got = ts.query_range("d", "m", 0..10).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].value, MetricValue::Float(3.0));
    }

    fn latest_and_latest_batch(fx) {
        let ts = fx.db.timeseries();
        assert_eq!(ts.query_latest("nobody", "m").unwrap(), None);
        ts.write_series("a", "m", &[DataPoint::new(5, 5.0), DataPoint::new(3, 3.0)]).unwrap();
        assert_eq!(ts.query_latest("a", "m").unwrap().unwrap().timestamp, 5);
        // A late point does not replace the latest; a newer one does (cache stays right).
        ts.write_series("a", "m", &[DataPoint::new(4, 4.0)]).unwrap();
        assert_eq!(ts.query_latest("a", "m").unwrap().unwrap().timestamp, 5);
        ts.write_series("a", "m", &[DataPoint::new(i64::MAX, 9.0)]).unwrap();
        assert_eq!(ts.query_latest("a", "m").unwrap().unwrap().timestamp, i64::MAX);
        ts.write_series("b", "m", &[DataPoint::new(i64::MIN, 1.0)]).unwrap();
        let got = ts.query_latest_batch(&[("b", "m"), ("zz", "m"), ("a", "m")]).unwrap();
        assert_eq!(got.iter().map(|p| p.as_ref().map(|p| p.timestamp)).collect::<Vec<_>>(), vec![Some(i64::MIN), None, Some(i64::MAX)]);
    }

    fn aggregation_buckets(fx) {
        let ts = fx.db.timeseries();
        // Buckets of 10 ms: [-10,0) holds -7,-1; [0,10) holds 0,9; [10,20) holds 15.
        let pts = [(-7, 1.0), (-1, 3.0), (0, 10.0), (9, 20.0), (15, -4.0)];
        ts.write_series("d", "m", &pts.iter().map(|&(t, v)| DataPoint::new(t, v)).collect::<Vec<_>>()).unwrap();
        let b = ts.query_aggregated("d", "m", -100..100, 10).unwrap();
        assert_eq!(b.iter().map(|b| b.bucket_start).collect::<Vec<_>>(), vec![-10, 0, 10]);
        assert_eq!((b[0].count, b[0].sum, b[0].min, b[0].max, b[0].avg, b[0].first, b[0].last), (2, Some(4.0), Some(1.0), Some(3.0), Some(2.0), Some(1.0), Some(3.0)));
        assert_eq!((b[1].count, b[1].avg, b[1].first, b[1].last), (2, Some(15.0), Some(10.0), Some(20.0)));
        assert_eq!((b[2].count, b[2].min, b[2].max), (1, Some(-4.0), Some(-4.0)));
        // The range bounds cut inside buckets.
        let b = ts.query_aggregated("d", "m", -1..9, 10).unwrap();
        assert_eq!(b.iter().map(|b| b.count).collect::<Vec<_>>(), vec![1, 1]);
        // Non-numeric values are counted only.
        ts.write_series("d", "s", &[DataPoint::new(1, "a"), DataPoint::new(2, true)]).unwrap();
        let b = ts.query_aggregated("d", "s", 0..10, 10).unwrap();
        assert_eq!((b[0].count, b[0].sum, b[0].avg), (2, None, None));
    }

    fn devices_and_metrics_listing(fx) {
        let ts = fx.db.timeseries();
        ts.write_batch(&[TelemetryPoint::new("b", "x", 1, 1.0), TelemetryPoint::new("a", "y", 1, 1.0), TelemetryPoint::new("a", "x", 1, 1.0)]).unwrap();
        assert_eq!(ts.list_devices_with_data().unwrap(), vec!["a", "b"]);
        assert_eq!(ts.list_metrics("a").unwrap(), vec!["x", "y"]);
        assert!(matches!(ts.list_metrics("ghost"), Err(StorageError::NotFound { .. })));
        fx.db.devices().upsert(&DeviceState::new("registered", "thermo")).unwrap();
        assert_eq!(ts.list_metrics("registered").unwrap(), Vec::<String>::new());
        // A series emptied by delete_range no longer counts as data.
        ts.delete_range("b", "x", i64::MIN..i64::MAX).unwrap();
        assert_eq!(ts.list_devices_with_data().unwrap(), vec!["a"]);
    }

    fn delete_range_removes_exactly_the_range_and_repairs_the_snapshot(fx) {
        let ts = fx.db.timeseries();
        let pts: Vec<DataPoint> = (0..25_000).map(|i| DataPoint::new(i, i as f64)).collect();
        ts.write_series("d", "m", &pts).unwrap();
        assert_eq!(ts.delete_range("d", "m", 100..20_100).unwrap(), 20_000);
        assert_eq!(ts.query_range("d", "m", 0..i64::MAX).unwrap().len(), 5_000);
        assert_eq!(ts.query_range("d", "m", 99..20_101).unwrap().iter().map(|p| p.timestamp).collect::<Vec<_>>(), vec![99, 20_100]);
        // Deleting the newest points moves the latest value and the device snapshot back.
        ts.delete_range("d", "m", 24_000..i64::MAX).unwrap();
        assert_eq!(ts.query_latest("d", "m").unwrap().unwrap().timestamp, 23_999);
        assert_eq!(fx.db.devices().get_device("d").unwrap().unwrap().metrics["m"].timestamp, 23_999);
        ts.delete_range("d", "m", i64::MIN..i64::MAX).unwrap();
        assert_eq!(ts.query_latest("d", "m").unwrap(), None);
        assert!(!fx.db.devices().get_device("d").unwrap().unwrap().metrics.contains_key("m"));
        assert_eq!(ts.delete_range("ghost", "m", 0..1).unwrap(), 0);
    }

    fn buffered_writes_are_visible_to_reads_and_flushed_on_size(fx) {
        let ts = fx.db.timeseries();
        ts.write("d", "m", DataPoint::new(1, 1.0)).unwrap();
        assert_eq!(ts.buffered_points(), 1);
        assert_eq!(ts.query_range("d", "m", 0..10).unwrap().len(), 1);
        assert_eq!(ts.buffered_points(), 0);
        ts.write("d", "m", DataPoint::new(2, 2.0)).unwrap();
        assert_eq!(fx.db.devices().get_device("d").unwrap().unwrap().last_seen, 2);
        let max = WriteBufferOptions::default().max_points;
        for i in 0..max as i64 {
            ts.write("d", "n", DataPoint::new(i, 0.0)).unwrap();
        }
        assert_eq!(ts.buffered_points(), 0, "a full buffer commits");
        // write_batch keeps order with buffered writes: the later batch wins the same key.
        ts.write("d", "o", DataPoint::new(1, 1.0)).unwrap();
        ts.write_series("d", "o", &[DataPoint::new(1, 2.0)]).unwrap();
        assert_eq!(ts.query_latest("d", "o").unwrap().unwrap().value, MetricValue::Float(2.0));
    }

    fn bad_input_is_refused_and_changes_nothing(fx) {
        let ts = fx.db.timeseries();
        ts.write_series("d", "m", &[DataPoint::new(1, 1.0)]).unwrap();
        let long = "x".repeat(limits::MAX_ID_BYTES + 1);
        let invalid = |r: Result<()>| assert!(matches!(r, Err(StorageError::InvalidInput { .. })), "{r:?}");
        invalid(ts.write("", "m", DataPoint::new(1, 1.0)));
        invalid(ts.write("d", "", DataPoint::new(1, 1.0)));
        invalid(ts.write(&long, "m", DataPoint::new(1, 1.0)));
        invalid(ts.write("d", "m", DataPoint::new(1, f64::NAN)));
        invalid(ts.write("d", "m", DataPoint::new(1, f64::NEG_INFINITY)));
        // One bad point spoils the whole batch; the good ones are not written either.
        invalid(ts.write_batch(&[TelemetryPoint::new("d", "m", 2, 2.0), TelemetryPoint::new("d", "m", 3, f64::NAN)]));
        let e = ts.query_range("d", "m", 10..0).unwrap_err();
        assert!(e.to_string().contains("start 10 is after end 0"), "{e}");
        assert!(ts.query_aggregated("d", "m", 0..10, 0).unwrap_err().to_string().contains("bucket_ms"));
        assert!(ts.query_aggregated("d", "m", 0..10, -5).is_err());
        assert!(ts.delete_range("d", "m", 5..1).is_err());
        assert_eq!(ts.buffered_points(), 0);
        assert_eq!(ts.query_range("d", "m", i64::MIN..i64::MAX).unwrap(), vec![DataPoint::new(1, 1.0)]);
    }

    fn telemetry_survives_reopen_and_series_ids_continue(fx) {
        fx.db.timeseries().write("d", "m", DataPoint::new(1, 1.0)).unwrap();
        fx.db.timeseries().write_series("d", "n", &[DataPoint::new(2, 2.0)]).unwrap();
        let fx = fx.reopen();
        let ts = fx.db.timeseries();
        ts.write_series("e", "m", &[DataPoint::new(3, 3.0)]).unwrap();
        assert_eq!(ts.query_range("d", "m", 0..10).unwrap().len(), 1, "buffered write flushed on close");
        assert_eq!(ts.query_range("d", "n", 0..10).unwrap().len(), 1);
        assert_eq!(ts.query_range("e", "m", 0..10).unwrap().len(), 1);
        assert_eq!(ts.list_devices_with_data().unwrap(), vec!["d", "e"]);
        let d = fx.db.devices().get_device("d").unwrap().unwrap();
        assert_eq!((d.last_seen, d.metrics.len()), (2, 2));
    }
}

#[test]
fn age_flush_commits_without_a_read() {
    let opts = StorageOptions { write_buffer: WriteBufferOptions { max_points: 1_000_000, max_delay_ms: 20 }, ..Default::default() };
    let fx = common::Fixture::with_options(true, opts);
    fx.db.timeseries().write("d", "m", DataPoint::new(1, 1.0)).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while fx.db.timeseries().buffered_points() > 0 {
        assert!(std::time::Instant::now() < deadline, "background flush never ran");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn unbuffered_write_commits_at_once() {
    let opts = StorageOptions { write_buffer: WriteBufferOptions { max_points: 0, max_delay_ms: 1000 }, ..Default::default() };
    let fx = common::Fixture::with_options(false, opts);
    fx.db.timeseries().write("d", "m", DataPoint::new(1, 1.0)).unwrap();
    assert_eq!(fx.db.timeseries().buffered_points(), 0);
}

const DAY: i64 = 86_400_000;

on_both_backends! {
    fn retention_keeps_the_boundary_and_applies_overrides(fx) {
        let now = 100 * DAY;
        fx.db.devices().upsert(&DeviceState::new("meter", "power_meter")).unwrap();
        fx.db.devices().upsert(&DeviceState::new("thermo", "thermometer")).unwrap();
        let at = |days: i64, off: i64| DataPoint::new(now - days * DAY + off, 1.0);
        let ts = fx.db.timeseries();
        // default 30 days
        ts.write_series("thermo", "humidity", &[at(30, -1), at(30, 0), at(1, 0)]).unwrap();
        // by metric: temperature 7 days (wins over the device type)
        ts.write_series("thermo", "temperature", &[at(7, -1), at(7, 0)]).unwrap();
        // by device type: power meters 90 days
        ts.write_series("meter", "current", &[at(90, -1), at(90, 0), at(31, 0)]).unwrap();
        // unregistered-then-auto-registered device of type "unknown": default
        ts.write_series("ghost", "x", &[at(30, -1)]).unwrap();
        let mut r = TimeSeriesRetention::default();
        r.by_metric.insert("temperature".into(), RetentionWindow::days(7));
        r.by_device_type.insert("power_meter".into(), RetentionWindow::days(90));
        r.by_device_type.insert("thermometer".into(), RetentionWindow::days(365));
        let removed = ts.cleanup(now, &r).unwrap();
        // thermometer humidity uses the device type (365 days): nothing removed there.
        assert_eq!(ts.query_range("thermo", "humidity", i64::MIN..i64::MAX).unwrap().len(), 3);
        assert_eq!(ts.query_range("thermo", "temperature", i64::MIN..i64::MAX).unwrap(), vec![at(7, 0)]);
        assert_eq!(ts.query_range("meter", "current", i64::MIN..i64::MAX).unwrap(), vec![at(90, 0), at(31, 0)]);
        assert!(ts.query_range("ghost", "x", i64::MIN..i64::MAX).unwrap().is_empty());
        assert_eq!(removed, TimeSeriesCleanup { points: 3, series: 3, rollup_buckets: 0 });
        // Snapshots stay: the ghost device still shows its last value.
        assert!(fx.db.devices().get_device("ghost").unwrap().unwrap().metrics.contains_key("x"));
        // Default window applies without overrides.
        let removed = ts.cleanup(now, &TimeSeriesRetention::default()).unwrap();
        // thermo humidity at 30 days + 1 ms, and both meter points (90 and 31 days old).
        assert_eq!(removed.points, 3);
        assert_eq!(ts.query_range("thermo", "humidity", i64::MIN..i64::MAX).unwrap().len(), 2);
    }

    fn retention_runs_in_bounded_batches(fx) {
        let ts = fx.db.timeseries();
        let pts: Vec<DataPoint> = (0..25_000).map(|i| DataPoint::new(i, 0.0)).collect();
        ts.write_series("d", "m", &pts).unwrap();
        let r = TimeSeriesRetention { keep: RetentionWindow::days(0), ..Default::default() };
        assert_eq!(ts.cleanup(20_000, &r).unwrap().points, 20_000);
        assert_eq!(ts.query_range("d", "m", i64::MIN..i64::MAX).unwrap().len(), 5_000);
    }
}

fn part<'a>(c: &Column<'a>, r: std::ops::Range<usize>) -> Column<'a> {
    match *c {
        Column::Float(v) => Column::Float(&v[r]),
        Column::Integer(v) => Column::Integer(&v[r]),
        Column::Boolean(v) => Column::Boolean(&v[r]),
        Column::String(v) => Column::String(&v[r]),
    }
}

fn value_at(c: &ColumnValues, i: usize) -> MetricValue {
    match c {
        ColumnValues::Float(v) => MetricValue::Float(v[i]),
        ColumnValues::Integer(v) => MetricValue::Integer(v[i]),
        ColumnValues::Boolean(v) => MetricValue::Boolean(v[i]),
        ColumnValues::String(v) => MetricValue::String(v[i].clone()),
    }
}

fn chunk_count(db: &StorageManager) -> u64 {
    db.table_sizes().unwrap().into_iter().find(|t| t.name == "ts_chunks").map_or(0, |t| t.entries)
}

on_both_backends! {
    // One small transaction after another: the open head takes the points, is sealed at
    // 1,024 and a new head starts; reopening in between loses nothing.
    fn small_transactions_fill_and_seal_the_head(fx) {
        let mut expected = Vec::new();
        for i in 0..1_030i64 {
            let p = DataPoint::new(i * 10, i as f64 / 4.0);
            fx.db.timeseries().write_series("d", "m", std::slice::from_ref(&p)).unwrap();
            expected.push(p);
            if i == 1_022 {
                assert_eq!(chunk_count(&fx.db), 2, "1,023 points: 960 folded into a compressed chunk, 63 in the head");
                fx = fx.reopen();
            }
        }
        assert_eq!(chunk_count(&fx.db), 2, "a full chunk of 1,024 and a head of 6");
        let ts = fx.db.timeseries();
        assert_eq!(ts.query_range("d", "m", i64::MIN..i64::MAX).unwrap(), expected);
        assert_eq!(ts.query_range("d", "m", 10_230..10_250).unwrap(), expected[1_023..1_025].to_vec());
        assert_eq!(ts.query_latest("d", "m").unwrap(), expected.last().cloned());
        let buckets = ts.query_aggregated("d", "m", 0..10_300, 1 << 30).unwrap();
        assert_eq!((buckets.len(), buckets[0].count), (1, 1_030));
        assert_eq!(buckets[0].sum, Some((0..1_030).map(|i| i as f64 / 4.0).sum()));

        // A late point into the sealed chunk, a duplicate of the head's newest, a point
        // between the two chunks, then more appends after a reopen.
        ts.write_series("d", "m", &[DataPoint::new(5, "late"), DataPoint::new(10_290, 7i64), DataPoint::new(10_235, true)]).unwrap();
        expected.insert(1, DataPoint::new(5, "late"));
        *expected.last_mut().unwrap() = DataPoint::new(10_290, 7i64);
        let at = expected.iter().position(|p| p.timestamp > 10_235).unwrap();
        expected.insert(at, DataPoint::new(10_235, true));
        let fx = fx.reopen();
        let ts = fx.db.timeseries();
        let more: Vec<DataPoint> = (0..2_000).map(|i| DataPoint::new(20_000 + i, 1.5)).collect();
        ts.write_series("d", "m", &more).unwrap();
        expected.extend(more);
        assert_eq!(ts.query_range("d", "m", i64::MIN..i64::MAX).unwrap(), expected);
        assert_eq!(chunk_count(&fx.db), 4, "{} points: three sealed chunks and a head", expected.len());
        let newest = ts.query_range_with("d", "m", i64::MIN..i64::MAX, RangeOptions { limit: Some(3), newest_first: true }).unwrap();
        assert_eq!(ts_of(&newest), vec![21_999, 21_998, 21_997]);
    }

    // One point per commit: the raw head never grows past 64 points; full heads fold into
    // the compressed chunk before them until it holds 1,024.
    fn single_point_commits_fold_the_head_into_full_chunks(fx) {
        let mut expected = Vec::new();
        for i in 0..1_500i64 {
            let p = DataPoint::new(i, (i % 17) as f64);
            fx.db.timeseries().write_series("d", "m", std::slice::from_ref(&p)).unwrap();
            expected.push(p);
            if i == 1_100 {
                fx = fx.reopen();
            }
        }
        assert_eq!(chunk_count(&fx.db), 3, "1,024 full, 448 folded so far, a head of 28");
        assert_eq!(fx.db.timeseries().query_range("d", "m", i64::MIN..i64::MAX).unwrap(), expected);
    }

    // One batch that rewrites the chunk before the head (a late point) and fills the head:
    // the head must fold into the rewritten chunk, not into its stale stored bytes (found
    // by the model test).
    fn a_batch_with_a_late_point_and_a_full_head_keeps_both(fx) {
        let ts = fx.db.timeseries();
        ts.write_series("d", "m", &(0..900).map(|i| DataPoint::new(i, 1.0)).collect::<Vec<_>>()).unwrap();
        ts.write_series("d", "m", &(1_000..1_040).map(|i| DataPoint::new(i, 1.0)).collect::<Vec<_>>()).unwrap();
        let mut batch = vec![TelemetryPoint::new("d", "m", 899, 2.0)];
        batch.extend((2_000..2_030).map(|i| TelemetryPoint::new("d", "m", i, 3.0)));
        ts.write_batch(&batch).unwrap();
        assert_eq!(ts.query_range("d", "m", 899..900).unwrap(), vec![DataPoint::new(899, 2.0)]);
        assert_eq!(ts.query_range("d", "m", 0..3_000).unwrap().len(), 970);
        let fx = fx.reopen();
        assert_eq!(fx.db.timeseries().query_range("d", "m", 899..900).unwrap(), vec![DataPoint::new(899, 2.0)]);
    }

    // Deletes and retention in the head keep appends to it working.
    fn deletes_inside_the_head_then_appends(fx) {
        let ts = fx.db.timeseries();
        ts.write_series("d", "m", &(0..1_100).map(|i| DataPoint::new(i, i as f64)).collect::<Vec<_>>()).unwrap();
        // The head holds [1024, 1100): delete part of it, then all of it.
        assert_eq!(ts.delete_range("d", "m", 1_050..1_060).unwrap(), 10);
        ts.write_series("d", "m", &[DataPoint::new(1_100, -1.0)]).unwrap();
        assert_eq!(ts.query_range("d", "m", 1_045..1_065).unwrap().len(), 10);
        assert_eq!(ts.delete_range("d", "m", 1_024..i64::MAX).unwrap(), 67);
        assert_eq!(chunk_count(&fx.db), 1);
        // The sealed chunk is the newest again: appends start a new head beside it.
        for i in 0..3 {
            ts.write_series("d", "m", &[DataPoint::new(2_000 + i, 2.0)]).unwrap();
        }
        assert_eq!(chunk_count(&fx.db), 2);
        let fx = fx.reopen();
        let ts = fx.db.timeseries();
        let r = TimeSeriesRetention { keep: RetentionWindow::days(0), ..Default::default() };
        assert_eq!(ts.cleanup(2_001, &r).unwrap().points, 1_025);
        assert_eq!(ts_of(&ts.query_range("d", "m", i64::MIN..i64::MAX).unwrap()), vec![2_001, 2_002]);
        ts.write_series("d", "m", &[DataPoint::new(2_003, 3.0)]).unwrap();
        assert_eq!(ts.query_latest("d", "m").unwrap(), Some(DataPoint::new(2_003, 3.0)));
        assert_eq!(chunk_count(&fx.db), 1);
    }
}

on_both_backends! {
    // Every i64 is reachable: a point at i64::MAX (and i64::MIN) is read by range, aggregated,
    // deleted and expired.
    fn extreme_timestamps_are_read_aggregated_deleted_and_expired(fx) {
        let ts = fx.db.timeseries();
        ts.write_batch(&[
            TelemetryPoint::new("d", "m", i64::MIN, 1.0),
            TelemetryPoint::new("d", "m", 0, 2.0),
            TelemetryPoint::new("d", "m", i64::MAX, 3.0),
        ]).unwrap();
        assert_eq!(ts_of(&ts.query_range("d", "m", ..).unwrap()), vec![i64::MIN, 0, i64::MAX]);
        assert_eq!(ts_of(&ts.query_range("d", "m", 1..).unwrap()), vec![i64::MAX]);
        assert_eq!(ts_of(&ts.query_range("d", "m", i64::MAX..=i64::MAX).unwrap()), vec![i64::MAX]);
        // The half-open form cannot name i64::MAX as included: it stays out.
        assert_eq!(ts_of(&ts.query_range("d", "m", 1..i64::MAX).unwrap()), Vec::<i64>::new());
        assert_eq!(ts_of(&ts.query_range("d", "m", ..=i64::MIN).unwrap()), vec![i64::MIN]);
        let newest = ts.query_range_with("d", "m", .., RangeOptions { limit: Some(1), newest_first: true }).unwrap();
        assert_eq!(ts_of(&newest), vec![i64::MAX]);
        let cols = ts.query_range_columns("d", "m", 0..).unwrap();
        assert_eq!((cols.timestamps, cols.values), (vec![0, i64::MAX], ColumnValues::Float(vec![2.0, 3.0])));
        let buckets = ts.query_aggregated("d", "m", 1.., 1_000).unwrap();
        assert_eq!(buckets.len(), 1);
        assert_eq!((buckets[0].bucket_start, buckets[0].count, buckets[0].sum), (i64::MAX - 807, 1, Some(3.0)));
        assert_eq!(ts.query_aggregated("d", "m", .., 1_000).unwrap().iter().map(|b| b.count).sum::<u64>(), 3);
        assert_eq!(ts.query_latest("d", "m").unwrap(), Some(DataPoint::new(i64::MAX, 3.0)));
        // Delete the newest: the device snapshot falls back to the point before it.
        assert_eq!(ts.delete_range("d", "m", i64::MAX..=i64::MAX).unwrap(), 1);
        assert_eq!(ts.query_latest("d", "m").unwrap(), Some(DataPoint::new(0, 2.0)));
        assert_eq!(fx.db.devices().get_device("d").unwrap().unwrap().metrics["m"].timestamp, 0);
        // Retention expires i64::MIN.
        let r = TimeSeriesRetention { keep: RetentionWindow::days(1), ..Default::default() };
        assert_eq!(ts.cleanup(0, &r).unwrap().points, 1);
        assert_eq!(ts_of(&ts.query_range("d", "m", ..).unwrap()), vec![0]);
        assert_eq!(ts.delete_range("d", "m", ..).unwrap(), 1);
        assert!(ts.query_range("d", "m", ..).unwrap().is_empty());
    }

    fn range_forms_and_reversed_ranges(fx) {
        let ts = fx.db.timeseries();
        ts.write_series("d", "m", &(0..10).map(|i| DataPoint::new(i, i as f64)).collect::<Vec<_>>()).unwrap();
        assert_eq!(ts.query_range("d", "m", 2..5).unwrap().len(), 3);
        assert_eq!(ts.query_range("d", "m", 2..=5).unwrap().len(), 4);
        assert_eq!(ts.query_range("d", "m", ..5).unwrap().len(), 5);
        assert_eq!(ts.query_range("d", "m", TimeRange::half_open(7, None).unwrap()).unwrap().len(), 3);
        assert!(ts.query_range("d", "m", 5..5).unwrap().is_empty());
        for err in [
            ts.query_range("d", "m", 5..3).unwrap_err(),
            ts.query_range_columns("d", "m", 5..=4).unwrap_err(),
            ts.query_aggregated("d", "m", 5..3, 10).unwrap_err(),
            ts.delete_range("d", "m", 5..3).unwrap_err(),
        ] {
            assert!(matches!(err, StorageError::InvalidInput { field: "time range", .. }), "{err:?}");
        }
        assert_eq!(ts.delete_range("d", "m", 8..).unwrap(), 2);
        assert_eq!(ts.delete_range("d", "m", ..=1).unwrap(), 2);
        assert_eq!(ts_of(&ts.query_range("d", "m", ..).unwrap()), vec![2, 3, 4, 5, 6, 7]);
    }

    fn columns_round_trip_every_type(fx) {
        let ts = fx.db.timeseries();
        let times: Vec<i64> = (0..3_000).map(|i| i * 1_000 - 1_000_000).collect();
        let floats: Vec<f64> = times.iter().map(|&t| (t / 1_000) as f64 / 8.0).collect();
        let ints: Vec<i64> = times.iter().map(|&t| t * 7).collect();
        let bools: Vec<bool> = times.iter().map(|&t| t % 3_000 == 0).collect();
        let strings: Vec<String> = times.iter().map(|t| format!("状态-{t}")).collect();
        let cases = [
            ("f", Column::Float(&floats), ColumnValues::Float(floats.clone())),
            ("i", Column::Integer(&ints), ColumnValues::Integer(ints.clone())),
            ("b", Column::Boolean(&bools), ColumnValues::Boolean(bools.clone())),
            ("s", Column::String(&strings), ColumnValues::String(strings.clone())),
        ];
        for (metric, col, want) in &cases {
            // A small write (raw head), then a large one that fills and seals it.
            ts.write_columns("d", metric, &times[..10], part(col, 0..10)).unwrap();
            ts.write_columns("d", metric, &times[10..], part(col, 10..times.len())).unwrap();
            let got = ts.query_range_columns("d", metric, ..).unwrap();
            assert_eq!(got.timestamps, times);
            assert_eq!(&got.values, want);
            // The point path sees the same points.
            let points = ts.query_range("d", metric, ..).unwrap();
            assert_eq!(points.len(), times.len());
            assert_eq!(points[1_234].value, value_at(want, 1_234));
            // Newest first with a limit, and a sub-range.
            let newest = ts.query_range_columns_with("d", metric, -5_000..0, RangeOptions { limit: Some(3), newest_first: true }).unwrap();
            assert_eq!(newest.timestamps, vec![-1_000, -2_000, -3_000]);
            assert_eq!(ts.query_latest("d", metric).unwrap().unwrap().timestamp, *times.last().unwrap());
        }
        let fx = fx.reopen();
        let ts = fx.db.timeseries();
        assert_eq!(ts.query_range_columns("d", "i", ..).unwrap().values, ColumnValues::Integer(ints));
        assert_eq!(fx.db.devices().get_device("d").unwrap().unwrap().metrics["s"].timestamp, *times.last().unwrap());
        // Unknown series and empty ranges: an empty float column.
        let empty = ts.query_range_columns("nobody", "m", ..).unwrap();
        assert!(empty.is_empty() && empty.value_type() == ValueType::Float);
    }

    fn columns_refuse_bad_input_and_mixed_types(fx) {
        let ts = fx.db.timeseries();
        let field = |e: StorageError| match e {
            StorageError::InvalidInput { field, reason } => format!("{field}: {reason}"),
            other => panic!("{other:?}"),
        };
        assert!(field(ts.write_columns("d", "m", &[1, 2], Column::Float(&[1.0])).unwrap_err()).starts_with("values: 1 values for 2 timestamps"));
        assert!(field(ts.write_columns("d", "m", &[1, 2], Column::Float(&[1.0, f64::NAN])).unwrap_err()).contains("value 1 (NaN)"));
        assert!(field(ts.write_columns("", "m", &[1], Column::Float(&[1.0])).unwrap_err()).starts_with("device_id"));
        assert!(field(ts.write_columns("d", "", &[1], Column::Float(&[1.0])).unwrap_err()).starts_with("metric"));
        assert!(ts.query_range("d", "m", ..).unwrap().is_empty(), "nothing was written");
        // A series holding two types: columns name both, the point path reads it.
        ts.write_columns("d", "m", &[1, 2], Column::Float(&[1.0, 2.0])).unwrap();
        ts.write_columns("d", "m", &[3], Column::Integer(&[3])).unwrap();
        let err = field(ts.query_range_columns("d", "m", ..).unwrap_err());
        assert!(err.starts_with("value type:") && err.contains("float values and integer values (the first at timestamp 3)"), "{err}");
        assert_eq!(ts.query_range_columns("d", "m", ..3).unwrap().values, ColumnValues::Float(vec![1.0, 2.0]));
        assert_eq!(ts.query_range("d", "m", ..).unwrap().len(), 3);
        let err = field(ts.query_range_columns("d", "m", 3..).unwrap().into_floats().unwrap_err());
        assert!(err.contains("holds integer values"), "{err}");
        ts.write_columns("d", "m", &[], Column::Boolean(&[])).unwrap();
    }

    fn columns_unsorted_duplicate_and_late_writes(fx) {
        let ts = fx.db.timeseries();
        // Unsorted with duplicates: later values win.
        ts.write_columns("d", "m", &[5, 1, 3, 1, 5], Column::Integer(&[50, 10, 30, 11, 51])).unwrap();
        let c = ts.query_range_columns("d", "m", ..).unwrap();
        assert_eq!((c.timestamps, c.values), (vec![1, 3, 5], ColumnValues::Integer(vec![11, 30, 51])));
        // A large append, then late points into its middle, then a buffered point first.
        let times: Vec<i64> = (10..5_000).collect();
        let values: Vec<i64> = times.iter().map(|t| t * 2).collect();
        ts.write_columns("d", "m", &times, Column::Integer(&values)).unwrap();
        ts.write_columns("d", "m", &[2, 2_000, 4], Column::Integer(&[-2, -2_000, -4])).unwrap();
        ts.write("d", "m", DataPoint::new(6_000, 7i64)).unwrap();
        ts.write_columns("d", "m", &[6_000], Column::Integer(&[8])).unwrap();
        let c = ts.query_range_columns("d", "m", ..).unwrap();
        assert_eq!(c.len(), 3 + times.len() + 3);
        let ColumnValues::Integer(v) = &c.values else { panic!() };
        let at = |t: i64| v[c.timestamps.iter().position(|&x| x == t).unwrap()];
        assert_eq!((at(2), at(2_000), at(4_999), at(6_000)), (-2, -2_000, 9_998, 8));
        assert!(c.timestamps.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ts.query_latest("d", "m").unwrap(), Some(DataPoint::new(6_000, 8i64)));
    }

    fn large_column_write_over_the_newest_points(fx) {
        // A restart re-sends what was stored last, then goes on: the overlap is merged, the
        // rest appended from the columns; the same again reaching into older chunks, and a
        // small write after it (a raw head behind the sealed chunks).
        let ts = fx.db.timeseries();
        let all = |ts: &TimeSeriesStore| {
            let c = ts.query_range_columns("d", "m", ..).unwrap();
            let ColumnValues::Integer(v) = c.values else { panic!("{:?}", c.values) };
            c.timestamps.into_iter().zip(v).collect::<Vec<_>>()
        };
        let times: Vec<i64> = (0..3_000).collect();
        ts.write_columns("d", "m", &times, Column::Integer(&times)).unwrap();
        ts.write_columns("d", "m", &[3_000, 3_001], Column::Integer(&[3_000, 3_001])).unwrap();
        let second: Vec<i64> = (2_990..8_000).collect();
        let negated: Vec<i64> = second.iter().map(|t| -t).collect();
        ts.write_columns("d", "m", &second, Column::Integer(&negated)).unwrap();
        let third: Vec<i64> = (100..9_000).step_by(2).collect();
        ts.write_columns("d", "m", &third, Column::Integer(&vec![7; third.len()])).unwrap();
        ts.write_columns("d", "m", &[9_500], Column::Integer(&[1])).unwrap();
        let want = |t: i64| match t {
            9_500 => 1,
            100..9_000 if t % 2 == 0 => 7,
            2_990.. => -t,
            _ => t,
        };
        let expected: Vec<(i64, i64)> = (0..8_000).chain(8_000..9_000).filter(|&t| t < 8_000 || t % 2 == 0).chain([9_500]).map(|t| (t, want(t))).collect();
        assert_eq!(all(ts), expected);
        assert_eq!(ts.query_latest("d", "m").unwrap(), Some(DataPoint::new(9_500, 1i64)));
        let fx = fx.reopen();
        assert_eq!(all(fx.db.timeseries()), expected);
        assert!(fx.db.check_integrity().unwrap());
    }

    fn latest_batch_reads_one_point_per_series(fx) {
        let ts = fx.db.timeseries();
        for s in 0..20 {
            let times: Vec<i64> = (0..(s * 100 + 1)).collect();
            let values: Vec<f64> = times.iter().map(|&t| t as f64).collect();
            ts.write_columns(&format!("d{s}"), "m", &times, Column::Float(&values)).unwrap();
        }
        ts.write("d3", "m", DataPoint::new(10_000, -1.0)).unwrap();
        let check = |ts: &TimeSeriesStore| {
            let names: Vec<String> = (0..20).map(|s| format!("d{s}")).collect();
            let mut keys: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "m")).collect();
            keys.push(("nobody", "m"));
            let got = ts.query_latest_batch(&keys).unwrap();
            for s in 0..20 {
                let want = if s == 3 { DataPoint::new(10_000, -1.0) } else { DataPoint::new(s * 100, (s * 100) as f64) };
                assert_eq!(got[s as usize], Some(want));
            }
            assert_eq!(got[20], None);
        };
        check(ts);
        check(ts);
        let fx = fx.reopen();
        check(fx.db.timeseries());
    }
}
