#![allow(clippy::reversed_empty_ranges)] // reversed ranges are tested as bad input
use crate::common;
use neotalk_storage::limits::CLEANUP_BATCH;
use neotalk_storage::*;

fn alert(id: &str, severity: AlertSeverity, source: &str, created_at: i64) -> AlertRecord {
    AlertRecord::new(id, &format!("title {id}"), severity, &format!("message {id}"), source, created_at)
}

fn ids(records: &[AlertRecord]) -> Vec<&str> {
    records.iter().map(|r| r.alert_id.as_str()).collect()
}

fn assert_invalid<T: std::fmt::Debug>(r: Result<T>, field: &str) {
    match r {
        Err(StorageError::InvalidInput { field: f, .. }) if f == field => {}
        other => panic!("expected InvalidInput on {field}, got {other:?}"),
    }
}

const ALL: (i64, i64) = (i64::MIN, i64::MAX);

on_both_backends! {
    fn create_get_acknowledge_resolve(fx) {
        let alerts = fx.db.alerts();
        let a = alert("a1", AlertSeverity::Critical, "rule", 1_000).for_entity("泵-7", "device");
        alerts.create(&a).unwrap();
        assert_eq!(alerts.get("a1").unwrap(), Some(a.clone()));
        assert_eq!(alerts.get("a2").unwrap(), None);
        assert_eq!(ids(&alerts.unacknowledged(None).unwrap()), vec!["a1"]);
        assert_eq!(ids(&alerts.unresolved(None).unwrap()), vec!["a1"]);

        let acked = alerts.acknowledge("a1", "operator-3", 1_200).unwrap();
        assert!(acked.acknowledged);
        assert_eq!((acked.acknowledged_by.as_deref(), acked.acknowledged_at), (Some("operator-3"), Some(1_200)));
        assert_eq!(alerts.get("a1").unwrap(), Some(acked.clone()));
        assert!(alerts.unacknowledged(None).unwrap().is_empty());
        assert_eq!(ids(&alerts.unresolved(None).unwrap()), vec!["a1"]);

        let resolved = alerts.resolve("a1", 1_500).unwrap();
        assert_eq!(resolved.resolved_at, Some(1_500));
        assert!(alerts.unresolved(None).unwrap().is_empty());
        // The other indexes still find it.
        assert_eq!(alerts.query_by_entity("泵-7", ALL.0..ALL.1, None).unwrap(), vec![resolved.clone()]);
        assert_eq!(alerts.query_by_severity(AlertSeverity::Critical, ALL.0..ALL.1, None).unwrap(), vec![resolved.clone()]);
        assert_eq!(alerts.query_by_source("rule", ALL.0..ALL.1, None).unwrap(), vec![resolved.clone()]);

        let fx = fx.reopen();
        let alerts = fx.db.alerts();
        assert_eq!(alerts.get("a1").unwrap(), Some(resolved));
        assert!(alerts.unacknowledged(None).unwrap().is_empty());
        assert!(alerts.unresolved(None).unwrap().is_empty());
        assert_eq!(alerts.count_by_severity().unwrap().critical, 1);
    }

    fn acknowledge_and_resolve_are_independent(fx) {
        let alerts = fx.db.alerts();
        alerts.create(&alert("x", AlertSeverity::Warning, "llm", 1)).unwrap();
        alerts.resolve("x", 5).unwrap();
        assert!(alerts.unresolved(None).unwrap().is_empty());
        assert_eq!(ids(&alerts.unacknowledged(None).unwrap()), vec!["x"]);
        let a = alerts.acknowledge("x", "bob", 6).unwrap();
        assert_eq!(a.resolved_at, Some(5));
        assert!(alerts.unacknowledged(None).unwrap().is_empty());
    }

    fn double_acknowledge_and_resolve_conflict(fx) {
        let alerts = fx.db.alerts();
        alerts.create(&alert("a", AlertSeverity::Error, "rule", 10)).unwrap();
        alerts.acknowledge("a", "first", 11).unwrap();
        let err = alerts.acknowledge("a", "second", 12).unwrap_err();
        assert!(matches!(err, StorageError::Conflict(_)), "{err}");
        assert!(err.to_string().contains("first"), "{err}");
        let stored = alerts.get("a").unwrap().unwrap();
        assert_eq!((stored.acknowledged_by.as_deref(), stored.acknowledged_at), (Some("first"), Some(11)));
        alerts.resolve("a", 20).unwrap();
        assert!(matches!(alerts.resolve("a", 30), Err(StorageError::Conflict(_))));
        assert_eq!(alerts.get("a").unwrap().unwrap().resolved_at, Some(20));
        assert!(matches!(alerts.create(&alert("a", AlertSeverity::Info, "rule", 99)), Err(StorageError::Conflict(_))));
        assert_eq!(alerts.get("a").unwrap().unwrap().severity, AlertSeverity::Error);
        assert_eq!(alerts.count_by_severity().unwrap(), SeverityCounts { error: 1, ..SeverityCounts::default() });
    }

    fn unknown_alerts_are_not_found(fx) {
        let alerts = fx.db.alerts();
        assert!(matches!(alerts.acknowledge("ghost", "bob", 1), Err(StorageError::NotFound { what: "alert", .. })));
        assert!(matches!(alerts.resolve("ghost", 1), Err(StorageError::NotFound { what: "alert", .. })));
    }

    fn queries_filter_and_order(fx) {
        let alerts = fx.db.alerts();
        alerts.create(&alert("i1", AlertSeverity::Info, "rule", 10).for_entity("dev-1", "device")).unwrap();
        alerts.create(&alert("w1", AlertSeverity::Warning, "llm", 20).for_entity("dev-2", "device")).unwrap();
        alerts.create(&alert("c1", AlertSeverity::Critical, "rule", 30).for_entity("dev-1", "device")).unwrap();
        alerts.create(&alert("c2", AlertSeverity::Critical, "workflow", 40)).unwrap();
        alerts.create(&alert("c3", AlertSeverity::Critical, "rule", -5).for_entity("dev-10", "device")).unwrap();
        assert_eq!(ids(&alerts.query_range(10..40, None).unwrap()), vec!["i1", "w1", "c1"]);
        assert_eq!(ids(&alerts.query_range(ALL.0..ALL.1, Some(2)).unwrap()), vec!["c3", "i1"]);
        assert_eq!(ids(&alerts.query_by_severity(AlertSeverity::Critical, ALL.0..ALL.1, None).unwrap()), vec!["c3", "c1", "c2"]);
        assert_eq!(ids(&alerts.query_by_severity(AlertSeverity::Critical, 0..40, None).unwrap()), vec!["c1"]);
        assert!(alerts.query_by_severity(AlertSeverity::Error, ALL.0..ALL.1, None).unwrap().is_empty());
        assert_eq!(ids(&alerts.query_by_entity("dev-1", ALL.0..ALL.1, None).unwrap()), vec!["i1", "c1"]);
        assert_eq!(ids(&alerts.query_by_entity("dev-1", 11..ALL.1, None).unwrap()), vec!["c1"]);
        assert!(alerts.query_by_entity("dev-3", ALL.0..ALL.1, None).unwrap().is_empty());
        assert_eq!(ids(&alerts.query_by_source("rule", ALL.0..ALL.1, None).unwrap()), vec!["c3", "i1", "c1"]);
        assert_eq!(ids(&alerts.query_by_source("rule", ALL.0..ALL.1, Some(1)).unwrap()), vec!["c3"]);
        assert_eq!(ids(&alerts.unacknowledged(None).unwrap()), vec!["c2", "c1", "w1", "i1", "c3"]);
        assert_eq!(ids(&alerts.unresolved(Some(2)).unwrap()), vec!["c2", "c1"]);
        assert!(alerts.unresolved(Some(0)).unwrap().is_empty());
        // The text form names the same alerts, each decoding to the stored record.
        alerts.acknowledge("w1", "operator", 25).unwrap();
        for (range, limit) in [((10, 40), None), ((ALL.0, ALL.1), Some(2)), ((ALL.0, ALL.1), Some(0))] {
            let mut texts = Vec::new();
            alerts.query_range_text(range.0..range.1, limit, |json| {
                texts.push(serde_json::from_str::<AlertRecord>(json).unwrap());
                Ok(())
            }).unwrap();
            assert_eq!(texts, alerts.query_range(range.0..range.1, limit).unwrap());
        }
    }

    fn counts_by_severity(fx) {
        let alerts = fx.db.alerts();
        assert_eq!(alerts.count_by_severity().unwrap().total(), 0);
        for (i, s) in [AlertSeverity::Info, AlertSeverity::Warning, AlertSeverity::Warning, AlertSeverity::Critical].iter().enumerate() {
            alerts.create(&alert(&format!("a{i}"), *s, "rule", i as i64)).unwrap();
        }
        let expect = SeverityCounts { info: 1, warning: 2, error: 0, critical: 1 };
        assert_eq!(alerts.count_by_severity().unwrap(), expect);
        assert_eq!(alerts.count_unresolved_by_severity().unwrap(), expect);
        assert_eq!(expect.get(AlertSeverity::Warning), 2);
        alerts.resolve("a1", 10).unwrap();
        assert_eq!(alerts.count_by_severity().unwrap(), expect);
        assert_eq!(alerts.count_unresolved_by_severity().unwrap(), SeverityCounts { warning: 1, ..expect });
        let fx = fx.reopen();
        assert_eq!(fx.db.alerts().count_by_severity().unwrap(), expect);
    }

    fn creating_an_imported_alert(fx) {
        let alerts = fx.db.alerts();
        let mut a = alert("old", AlertSeverity::Info, "manual", 1);
        a.acknowledged = true;
        a.acknowledged_by = Some("carol".into());
        a.acknowledged_at = Some(2);
        a.resolved_at = Some(3);
        alerts.create(&a).unwrap();
        assert!(alerts.unacknowledged(None).unwrap().is_empty());
        assert!(alerts.unresolved(None).unwrap().is_empty());
        assert!(matches!(alerts.acknowledge("old", "dave", 4), Err(StorageError::Conflict(_))));
    }

    fn bad_input_is_refused(fx) {
        let alerts = fx.db.alerts();
        let long = "x".repeat(257);
        assert_invalid(alerts.create(&alert("", AlertSeverity::Info, "rule", 1)), "alert_id");
        assert_invalid(alerts.create(&alert(&long, AlertSeverity::Info, "rule", 1)), "alert_id");
        assert_invalid(alerts.create(&alert("a", AlertSeverity::Info, "", 1)), "source");
        assert_invalid(alerts.create(&alert("a", AlertSeverity::Info, "rule", 1).for_entity("", "device")), "entity_id");
        assert_invalid(alerts.create(&alert("a", AlertSeverity::Info, "rule", 1).for_entity("d", &long)), "entity_type");
        let mut half_acked = alert("a", AlertSeverity::Info, "rule", 1);
        half_acked.acknowledged = true;
        assert_invalid(alerts.create(&half_acked), "acknowledged_at");
        let mut by_without_ack = alert("a", AlertSeverity::Info, "rule", 1);
        by_without_ack.acknowledged_by = Some("bob".into());
        assert_invalid(alerts.create(&by_without_ack), "acknowledged_by");
        let mut huge = alert("a", AlertSeverity::Info, "rule", 1);
        huge.message = "m".repeat(2 * 1024 * 1024);
        assert_invalid(alerts.create(&huge), "record");
        assert!(alerts.query_range(ALL.0..ALL.1, None).unwrap().is_empty());
        assert_eq!(alerts.count_by_severity().unwrap().total(), 0);

        alerts.create(&alert("a", AlertSeverity::Info, "rule", 1)).unwrap();
        assert_invalid(alerts.acknowledge("a", "", 2), "acknowledged_by");
        assert_invalid(alerts.acknowledge("a", &long, 2), "acknowledged_by");
        assert_invalid(alerts.acknowledge("", "bob", 2), "alert_id");
        assert_invalid(alerts.resolve(&long, 2), "alert_id");
        assert!(!alerts.get("a").unwrap().unwrap().acknowledged);
        assert_invalid(alerts.get(""), "alert_id");
        assert_invalid(alerts.get(&long), "alert_id");
        assert_invalid(alerts.query_range(2..1, None), "time range");
        assert_invalid(alerts.query_by_severity(AlertSeverity::Info, 2..1, None), "time range");
        assert_invalid(alerts.query_by_entity("", 1..2, None), "entity_id");
        assert_invalid(alerts.query_by_entity("d", 2..1, None), "time range");
        assert_invalid(alerts.query_by_source(&long, 1..2, None), "source");
        assert_invalid(alerts.query_by_source("rule", 2..1, None), "time range");
    }

    fn cleanup_removes_old_alerts_resolved_or_not(fx) {
        let alerts = fx.db.alerts();
        alerts.create(&alert("old-open", AlertSeverity::Critical, "rule", 10).for_entity("d", "device")).unwrap();
        alerts.create(&alert("old-done", AlertSeverity::Info, "rule", 20)).unwrap();
        alerts.acknowledge("old-done", "bob", 21).unwrap();
        alerts.resolve("old-done", 22).unwrap();
        alerts.create(&alert("edge", AlertSeverity::Critical, "rule", 30).for_entity("d", "device")).unwrap();
        alerts.create(&alert("new", AlertSeverity::Warning, "llm", 40)).unwrap();
        assert_eq!(alerts.cleanup(30).unwrap(), 2);
        assert_eq!(alerts.get("old-open").unwrap(), None);
        assert_eq!(alerts.get("old-done").unwrap(), None);
        assert_eq!(ids(&alerts.unresolved(None).unwrap()), vec!["new", "edge"]);
        assert_eq!(ids(&alerts.unacknowledged(None).unwrap()), vec!["new", "edge"]);
        assert_eq!(ids(&alerts.query_by_entity("d", ALL.0..ALL.1, None).unwrap()), vec!["edge"]);
        assert_eq!(ids(&alerts.query_by_source("rule", ALL.0..ALL.1, None).unwrap()), vec!["edge"]);
        assert_eq!(ids(&alerts.query_by_severity(AlertSeverity::Critical, ALL.0..ALL.1, None).unwrap()), vec!["edge"]);
        assert_eq!(alerts.count_by_severity().unwrap(), SeverityCounts { critical: 1, warning: 1, ..SeverityCounts::default() });
        assert_eq!(alerts.cleanup(30).unwrap(), 0);
        let fx = fx.reopen();
        assert_eq!(ids(&fx.db.alerts().query_range(ALL.0..ALL.1, None).unwrap()), vec!["edge", "new"]);
    }
}

#[test]
fn cleanup_runs_in_batches_past_the_batch_size() {
    for redb in [false, true] {
        let options = StorageOptions { durability: Durability::Eventual, ..StorageOptions::default() };
        let fx = common::Fixture::with_options(redb, options);
        let alerts = fx.db.alerts();
        let n = CLEANUP_BATCH * 2 + 5;
        for i in 0..n {
            let a = alert(&format!("a{i:05}"), AlertSeverity::ALL[i % 4], "rule", i as i64).for_entity(&format!("d{}", i % 7), "device");
            alerts.create(&a).unwrap();
        }
        alerts.create(&alert("keep", AlertSeverity::Error, "rule", n as i64)).unwrap();
        assert_eq!(alerts.count_by_severity().unwrap().total(), n as u64 + 1);
        assert_eq!(alerts.cleanup(n as i64).unwrap(), n as u64);
        assert_eq!(alerts.count_by_severity().unwrap(), SeverityCounts { error: 1, ..SeverityCounts::default() });
        assert_eq!(alerts.count_unresolved_by_severity().unwrap(), SeverityCounts { error: 1, ..SeverityCounts::default() });
        assert_eq!(ids(&alerts.unacknowledged(None).unwrap()), vec!["keep"]);
        assert!(alerts.query_by_entity("d0", ALL.0..ALL.1, None).unwrap().is_empty());
    }
}

#[test]
fn severity_names_parse_ignoring_case_and_bad_names_are_named() {
    use std::str::FromStr;
    for s in AlertSeverity::ALL {
        assert_eq!(AlertSeverity::from_str(&s.to_string().to_lowercase()).unwrap(), s);
    }
    let err = AlertSeverity::from_str("fatal").unwrap_err();
    assert!(err.to_string().contains("\"fatal\" is not one of"), "{err}");
}

#[test]
fn every_enum_parses_its_names_ignoring_case_and_underscores() {
    use std::str::FromStr;
    assert_eq!(DecisionStatus::from_str("auto_executed").unwrap(), DecisionStatus::AutoExecuted);
    assert_eq!(ExecutionStatus::from_str("RUNNING").unwrap(), ExecutionStatus::Running);
    assert_eq!(MemoryType::from_str("device_knowledge").unwrap(), MemoryType::DeviceKnowledge);
    assert_eq!(DistanceMetric::from_str("dot_product").unwrap(), DistanceMetric::DotProduct);
    for (name, v) in DecisionStatus::NAMES {
        assert_eq!(v.to_string(), *name);
        assert_eq!(DecisionStatus::from_str(name).unwrap(), *v);
    }
    let err = DistanceMetric::from_str("manhattan").unwrap_err();
    assert_eq!(err.to_string(), "invalid metric: \"manhattan\" is not one of Cosine, Euclidean, DotProduct");
}
