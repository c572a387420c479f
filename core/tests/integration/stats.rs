use neotalk_storage::*;

on_both_backends! {
    fn table_counts_and_last_writes_are_exact(fx) {
        let before = unix_ms();
        fx.db.timeseries().write_series("d", "m", &(0..1_000).map(|i| DataPoint::new(i, i as f64)).collect::<Vec<_>>()).unwrap();
        for i in 0..5 {
            fx.db.events().append(&NewEvent::new(&format!("e{i}"), "t", "s", i, serde_json::json!(null))).unwrap();
        }
        let stats = fx.db.stats().unwrap();
        let points = &stats.table_stats["ts_chunks"];
        assert_eq!(points.count, 1, "1,000 points of one series fit one chunk");
        assert!(points.size_bytes > 0, "{points:?}");
        assert!(points.last_write >= before && points.last_write <= unix_ms(), "{points:?}");
        assert_eq!(stats.table_stats["events"].count, 5);
        assert_eq!(stats.table_stats["devices"].count, 1);
        assert!(stats.database_size_bytes > 0);
        let fx = fx.reopen();
        if fx.is_redb() {
            assert!(fx.db.stats().unwrap().table_stats["ts_chunks"].last_write >= before, "persisted across reopen");
        }
    }

    fn every_query_is_counted_once_and_writes_are_not(fx) {
        fx.db.timeseries().write_series("d", "m", &[DataPoint::new(1, 1.0)]).unwrap();
        fx.db.events().append(&NewEvent::new("e", "t", "s", 1, serde_json::json!(null))).unwrap();
        fx.db.timeseries().write("d", "m", DataPoint::new(2, 1.0)).unwrap();
        let base = fx.db.stats().unwrap().query_performance.total_queries;
        for _ in 0..10 {
            fx.db.timeseries().query_range("d", "m", 0..10).unwrap();
        }
        for _ in 0..5 {
            fx.db.devices().get_device("d").unwrap();
        }
        fx.db.events().replay(0, 10).unwrap();
        fx.db.events().append(&NewEvent::new("e2", "t", "s", 1, serde_json::json!(null))).unwrap();
        let perf = fx.db.stats().unwrap().query_performance;
        assert_eq!(perf.total_queries - base, 16, "{perf:?}");
        assert!(perf.avg_latency_ms > 0.0 && perf.avg_latency_ms < 1_000.0, "{perf:?}");
        assert!(perf.p95_latency_ms <= perf.p99_latency_ms && perf.p99_latency_ms < 1_000.0, "{perf:?}");
        assert!(perf.queries_per_second > 0.0);
    }

    fn compaction_reclaims_space_after_deletes(fx) {
        let pts: Vec<DataPoint> = (0..50_000).map(|i| DataPoint::new(i, i as f64)).collect();
        fx.db.timeseries().write_series("d", "m", &pts).unwrap();
        fx.db.timeseries().delete_range("d", "m", 0..50_000).unwrap();
        let report = fx.db.compact().unwrap();
        if fx.is_redb() {
            assert!(report.after_bytes < report.before_bytes, "{report:?}");
        } else {
            assert_eq!(report.after_bytes, report.before_bytes);
        }
        assert!(fx.db.check_integrity().unwrap());
        fx.db.timeseries().write_series("d", "m", &[DataPoint::new(1, 1.0)]).unwrap();
        assert_eq!(fx.db.timeseries().query_range("d", "m", 0..10).unwrap().len(), 1);
    }
}
