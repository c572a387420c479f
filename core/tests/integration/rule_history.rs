#![allow(clippy::reversed_empty_ranges)] // reversed ranges are tested as bad input
use neotalk_storage::limits::CLEANUP_BATCH;
use neotalk_storage::*;
use serde_json::json;

fn rec(id: &str, rule: &str, ts: i64, result: ExecutionResult) -> RuleExecutionRecord {
    RuleExecutionRecord::new(id, rule, &format!("rule {rule}"), ts, result)
}

fn failed(why: &str) -> ExecutionResult {
    ExecutionResult::Failed { error: why.into() }
}

fn partial() -> ExecutionResult {
    ExecutionResult::PartialSuccess { failed_actions: vec!["notify".into()] }
}

fn ids(records: &[RuleExecutionRecord]) -> Vec<&str> {
    records.iter().map(|r| r.execution_id.as_str()).collect()
}

fn assert_invalid<T: std::fmt::Debug>(r: Result<T>, field: &str) {
    match r {
        Err(StorageError::InvalidInput { field: f, .. }) if f == field => {}
        other => panic!("expected InvalidInput on {field}, got {other:?}"),
    }
}

fn full_record() -> RuleExecutionRecord {
    RuleExecutionRecord {
        execution_id: "exec-温度-1".into(),
        rule_id: "rule-温度".into(),
        rule_name: "温度过高".into(),
        triggered_at: -5,
        trigger_value: Some(38.5),
        condition_met: true,
        actions: vec![
            RuleActionRecord { action_type: "NOTIFY".into(), action_data: json!({"to": "ops"}), success: true, error: None },
            RuleActionRecord {
                action_type: "EXECUTE".into(),
                action_data: json!({"cmd": "fan_on"}),
                success: false,
                error: Some("timeout".into()),
            },
        ],
        result: ExecutionResult::PartialSuccess { failed_actions: vec!["EXECUTE".into()] },
        duration_ms: 42,
    }
}

on_both_backends! {
    fn record_and_get_round_trip(fx) {
        let h = fx.db.rule_history();
        let r = full_record();
        h.record(&r).unwrap();
        assert_eq!(h.get(&r.execution_id).unwrap(), Some(r.clone()));
        assert_eq!(h.get("nope").unwrap(), None);
        let fx = fx.reopen();
        let h = fx.db.rule_history();
        assert_eq!(h.get(&r.execution_id).unwrap(), Some(r.clone()));
        assert_eq!(ids(&h.query_by_rule("rule-温度", 10).unwrap()), vec![r.execution_id.as_str()]);
        assert_eq!(h.rule_statistics("rule-温度", (-10)..0).unwrap().partial_success, 1);
    }

    fn duplicate_ids_conflict_and_batches_are_atomic(fx) {
        let h = fx.db.rule_history();
        h.record(&rec("x1", "r", 1, ExecutionResult::Success)).unwrap();
        assert!(matches!(h.record(&rec("x1", "r", 2, ExecutionResult::Success)), Err(StorageError::Conflict(_))));
        // A batch with a stored id stores nothing.
        let batch = [rec("x2", "r", 3, ExecutionResult::Success), rec("x1", "r", 4, ExecutionResult::Success)];
        assert!(matches!(h.record_batch(&batch), Err(StorageError::Conflict(_))));
        assert_eq!(h.get("x2").unwrap(), None);
        // A batch repeating an id stores nothing.
        let batch = [rec("x3", "r", 3, ExecutionResult::Success), rec("x3", "r", 4, ExecutionResult::Success)];
        assert!(matches!(h.record_batch(&batch), Err(StorageError::Conflict(_))));
        assert_eq!(h.get("x3").unwrap(), None);
        assert_eq!(ids(&h.query_by_rule("r", 10).unwrap()), vec!["x1"]);
        assert_eq!(h.get("x1").unwrap().unwrap().triggered_at, 1);
    }

    fn query_by_rule_is_newest_first_and_paged(fx) {
        let h = fx.db.rule_history();
        let mut batch = Vec::new();
        for i in 0..5 {
            batch.push(rec(&format!("a{i}"), "A", 100 + i, ExecutionResult::Success));
        }
        batch.push(rec("b0", "B", 102, ExecutionResult::Success));
        // Same timestamp as a2: ties order by execution id.
        batch.push(rec("a2z", "A", 102, ExecutionResult::Success));
        // A rule id that is a prefix of another must not see its records.
        batch.push(rec("ab0", "AB", 105, ExecutionResult::Success));
        h.record_batch(&batch).unwrap();
        assert_eq!(ids(&h.query_by_rule("A", 3).unwrap()), vec!["a4", "a3", "a2z"]);
        assert_eq!(ids(&h.query_by_rule("A", Page { offset: 3, limit: Some(3) }).unwrap()), vec!["a2", "a1", "a0"]);
        assert!(h.query_by_rule("A", Page { offset: 6, limit: Some(3) }).unwrap().is_empty());
        assert!(h.query_by_rule("A", 0).unwrap().is_empty());
        assert_eq!(ids(&h.query_by_rule("B", 10).unwrap()), vec!["b0"]);
        assert!(h.query_by_rule("unknown", 10).unwrap().is_empty());
    }

    fn query_range_is_half_open_and_oldest_first(fx) {
        let h = fx.db.rule_history();
        for (i, ts) in [-20i64, -10, 0, 10, 20].iter().enumerate() {
            h.record(&rec(&format!("x{i}"), if i % 2 == 0 { "even" } else { "odd" }, *ts, ExecutionResult::Success)).unwrap();
        }
        assert_eq!(ids(&h.query_range((-10)..20, None).unwrap()), vec!["x1", "x2", "x3"]);
        assert_eq!(ids(&h.query_range((-10)..20, Some(2)).unwrap()), vec!["x1", "x2"]);
        assert!(h.query_range(5..5, None).unwrap().is_empty());
        assert_eq!(h.query_range((i64::MIN)..(i64::MAX), None).unwrap().len(), 5);
    }

    fn query_failed_returns_failed_only(fx) {
        let h = fx.db.rule_history();
        h.record_batch(&[
            rec("ok", "r", 1, ExecutionResult::Success),
            rec("part", "r", 2, partial()),
            rec("bad1", "r", 3, failed("x")),
            rec("bad2", "s", 4, failed("y")),
            rec("bad3", "s", 50, failed("z")),
        ])
        .unwrap();
        assert_eq!(ids(&h.query_failed(0..10, None).unwrap()), vec!["bad1", "bad2"]);
        assert_eq!(ids(&h.query_failed(0..100, Some(1)).unwrap()), vec!["bad1"]);
        assert_eq!(h.query_failed(0..100, None).unwrap()[2].result, failed("z"));
    }

    fn statistics_per_rule(fx) {
        let h = fx.db.rule_history();
        let mut r1 = rec("1", "A", 10, ExecutionResult::Success);
        r1.duration_ms = 10;
        let mut r2 = rec("2", "A", 20, partial());
        r2.duration_ms = 30;
        let mut r3 = rec("3", "A", 30, failed("e"));
        r3.duration_ms = 50;
        r3.condition_met = false;
        let mut r4 = rec("4", "A", 40, ExecutionResult::Success);
        r4.duration_ms = 1_000; // outside the range below
        let mut r5 = rec("5", "B", 15, ExecutionResult::Success);
        r5.duration_ms = 7;
        h.record_batch(&[r1, r2, r3, r4, r5]).unwrap();

        let a = h.rule_statistics("A", 0..40).unwrap();
        assert_eq!(
            a,
            RuleStatistics {
                rule_id: "A".into(),
                triggers: 3,
                condition_met: 2,
                success: 1,
                partial_success: 1,
                failed: 1,
                mean_duration_ms: 30.0,
                max_duration_ms: 50,
            }
        );
        let none = h.rule_statistics("A", 100..200).unwrap();
        assert_eq!(none.triggers, 0);
        assert_eq!(none.mean_duration_ms, 0.0);
        assert_eq!(none.max_duration_ms, 0);

        let all = h.statistics(0..40).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0], a);
        assert_eq!((all[1].rule_id.as_str(), all[1].triggers, all[1].success, all[1].max_duration_ms), ("B", 1, 1, 7));
        assert_eq!(h.statistics(0..41).unwrap()[0].max_duration_ms, 1_000);
    }

    fn bad_input_is_refused_and_changes_nothing(fx) {
        let h = fx.db.rule_history();
        let long = "x".repeat(257);
        assert_invalid(h.record(&rec("", "r", 1, ExecutionResult::Success)), "execution_id");
        assert_invalid(h.record(&rec(&long, "r", 1, ExecutionResult::Success)), "execution_id");
        assert_invalid(h.record(&rec("x", "", 1, ExecutionResult::Success)), "rule_id");
        assert_invalid(h.record(&rec("x", &long, 1, ExecutionResult::Success)), "rule_id");
        let mut nan = rec("x", "r", 1, ExecutionResult::Success);
        nan.trigger_value = Some(f64::NAN);
        assert_invalid(h.record(&nan), "trigger_value");
        nan.trigger_value = Some(f64::INFINITY);
        assert_invalid(h.record(&nan), "trigger_value");
        let mut bad_action = full_record();
        bad_action.actions[0].action_type.clear();
        assert_invalid(h.record(&bad_action), "action_type");
        let mut deep = json!(1);
        for _ in 0..100 {
            deep = json!([deep]);
        }
        let mut deep_action = full_record();
        deep_action.actions[1].action_data = deep;
        assert_invalid(h.record(&deep_action), "action_data");
        let mut huge = full_record();
        huge.rule_name = "n".repeat(2 * 1024 * 1024);
        assert_invalid(h.record(&huge), "record");
        // A bad record anywhere in a batch stores nothing.
        assert_invalid(h.record_batch(&[rec("ok", "r", 1, ExecutionResult::Success), rec("", "r", 2, ExecutionResult::Success)]), "execution_id");
        assert_eq!(h.query_range((i64::MIN)..(i64::MAX), None).unwrap().len(), 0);

        assert_invalid(h.get(""), "execution_id");
        assert_invalid(h.get(&long), "execution_id");
        assert_invalid(h.query_by_rule("", 1), "rule_id");
        assert_invalid(h.query_by_rule(&long, 1), "rule_id");
        assert_invalid(h.query_range(2..1, None), "time range");
        assert_invalid(h.query_failed(2..1, None), "time range");
        assert_invalid(h.rule_statistics("r", 2..1), "time range");
        assert_invalid(h.rule_statistics("", 1..2), "rule_id");
        assert_invalid(h.statistics(2..1), "time range");
    }

    fn cleanup_keeps_records_at_or_after_the_cutoff(fx) {
        let h = fx.db.rule_history();
        h.record_batch(&[
            rec("old-ok", "r", 99, ExecutionResult::Success),
            rec("old-bad", "r", -1, failed("x")),
            rec("edge", "r", 100, failed("y")),
            rec("new", "r", 101, ExecutionResult::Success),
        ])
        .unwrap();
        assert_eq!(h.cleanup(100).unwrap(), 2);
        assert_eq!(h.get("old-ok").unwrap(), None);
        assert_eq!(h.get("old-bad").unwrap(), None);
        assert_eq!(ids(&h.query_by_rule("r", 10).unwrap()), vec!["new", "edge"]);
        assert_eq!(ids(&h.query_failed((i64::MIN)..(i64::MAX), None).unwrap()), vec!["edge"]);
        assert_eq!(ids(&h.query_range((i64::MIN)..(i64::MAX), None).unwrap()), vec!["edge", "new"]);
        assert_eq!(h.rule_statistics("r", (i64::MIN)..(i64::MAX)).unwrap().triggers, 2);
        assert_eq!(h.cleanup(100).unwrap(), 0);
        let fx = fx.reopen();
        assert_eq!(fx.db.rule_history().query_range((i64::MIN)..(i64::MAX), None).unwrap().len(), 2);
    }

    fn cleanup_runs_in_batches_past_the_batch_size(fx) {
        let h = fx.db.rule_history();
        let n = CLEANUP_BATCH * 2 + 17;
        let old: Vec<_> = (0..n)
            .map(|i| rec(&format!("o{i:05}"), &format!("r{}", i % 3), i as i64, if i % 2 == 0 { failed("e") } else { ExecutionResult::Success }))
            .collect();
        h.record_batch(&old).unwrap();
        h.record(&rec("keep", "r0", n as i64, failed("e"))).unwrap();
        assert_eq!(h.cleanup(n as i64).unwrap(), n as u64);
        assert_eq!(ids(&h.query_range((i64::MIN)..(i64::MAX), None).unwrap()), vec!["keep"]);
        assert_eq!(ids(&h.query_failed((i64::MIN)..(i64::MAX), None).unwrap()), vec!["keep"]);
        assert_eq!(ids(&h.query_by_rule("r0", 10).unwrap()), vec!["keep"]);
        assert!(h.query_by_rule("r1", 10).unwrap().is_empty());
        assert_eq!(h.statistics((i64::MIN)..(i64::MAX)).unwrap().len(), 1);
    }
}
