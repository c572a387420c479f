#![allow(clippy::reversed_empty_ranges)] // reversed ranges are tested as bad input
use neotalk_storage::*;

on_both_backends! {
    fn unified_queries_answer_from_every_store(fx) {
        let db = &fx.db;
        db.timeseries().write_series("d", "t", &[DataPoint::new(1, 1.0), DataPoint::new(5, 5.0)]).unwrap();
        assert_eq!(db.query_device_data("d", "t", TimeRange::new(0..5).unwrap()).unwrap().len(), 1);

        for (id, rule, at) in [("x1", "r1", 10), ("x2", "r2", 20), ("x3", "r1", 30)] {
            db.rule_history().record(&RuleExecutionRecord::new(id, rule, "rule", at, ExecutionResult::Success)).unwrap();
        }
        let got: Vec<String> = db.query_rule_history("r1", TimeRange::new(0..100).unwrap()).unwrap().into_iter().map(|r| r.execution_id).collect();
        assert_eq!(got, vec!["x1", "x3"]);
        assert_eq!(db.query_rule_history("r1", TimeRange::new(11..30).unwrap()).unwrap().len(), 0);
        assert!(TimeRange::new(5..1).is_err(), "a reversed range is refused before any query");

        db.memory().add(&MemoryEntry::new("m1", MemoryType::UserPreference, "user prefers 22 degrees in the bedroom", 1)).unwrap();
        db.memory().add(&MemoryEntry::new("m2", MemoryType::DeviceKnowledge, "bedroom thermostat model and degrees range", 2)).unwrap();
        db.memory().add(&MemoryEntry::new("m3", MemoryType::SystemKnowledge, "卧室温度传感器", 3)).unwrap();
        assert_eq!(db.search_memory("bedroom degrees", None, 10).unwrap().len(), 2);
        let prefs = db.search_memory("bedroom degrees", Some(MemoryType::DeviceKnowledge), 10).unwrap();
        assert_eq!(prefs.iter().map(|m| m.memory_id.as_str()).collect::<Vec<_>>(), vec!["m2"]);
        assert_eq!(db.search_memory("温度", None, 10).unwrap()[0].memory_id, "m3");

        db.alerts().create(&AlertRecord::new("a1", "hot", AlertSeverity::Warning, "too hot", "rule", 5)).unwrap();
        db.alerts().create(&AlertRecord::new("a2", "fire", AlertSeverity::Critical, "fire", "rule", 6)).unwrap();
        assert_eq!(db.query_alerts(None, TimeRange::new(0..10).unwrap()).unwrap().len(), 2);
        assert_eq!(db.query_alerts(Some(AlertSeverity::Critical), TimeRange::new(0..10).unwrap()).unwrap()[0].alert_id, "a2");
    }
}
