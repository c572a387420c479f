#![allow(clippy::reversed_empty_ranges)] // reversed ranges are tested as bad input
use crate::common;
use neotalk_storage::limits::CLEANUP_BATCH;
use neotalk_storage::*;
use serde_json::json;

fn decision(id: &str, created_at: i64) -> DecisionRecord {
    DecisionRecord::new(id, &format!("title {id}"), "description", "reasoning", 0.75, created_at)
}

fn ids(records: &[DecisionRecord]) -> Vec<&str> {
    records.iter().map(|r| r.decision_id.as_str()).collect()
}

fn assert_invalid<T: std::fmt::Debug>(r: Result<T>, field: &str) {
    match r {
        Err(StorageError::InvalidInput { field: f, .. }) if f == field => {}
        other => panic!("expected InvalidInput on {field}, got {other:?}"),
    }
}

fn with_status(fx: &common::Fixture, status: DecisionStatus) -> Vec<String> {
    let got = fx.db.decisions().query_by_status(status, (i64::MIN)..(i64::MAX), None).unwrap();
    got.into_iter().map(|d| d.decision_id).collect()
}

const STATUSES: [DecisionStatus; 5] =
    [DecisionStatus::Proposed, DecisionStatus::Approved, DecisionStatus::Rejected, DecisionStatus::AutoExecuted, DecisionStatus::Expired];

on_both_backends! {
    fn create_approve_execute(fx) {
        let d = fx.db.decisions();
        let mut rec = decision("d1", 1_000);
        rec.proposed_actions.push(ProposedAction {
            action_type: "control_device".into(),
            description: "空调调到 24 度".into(),
            parameters: json!({"device": "ac-1", "setpoint": 24}),
        });
        rec.review_id = Some("review-9".into());
        d.create(&rec).unwrap();
        assert_eq!(d.get("d1").unwrap(), Some(rec.clone()));
        assert_eq!(d.get("d2").unwrap(), None);
        assert_eq!(with_status(&fx, DecisionStatus::Proposed), vec!["d1"]);

        let mut response = UserResponse::new("alice", "modified", 1_500);
        response.comments = Some("use 25".into());
        let approved = d.approve("d1", &response).unwrap();
        assert_eq!((approved.status, approved.user_response.as_ref()), (DecisionStatus::Approved, Some(&response)));
        assert!(with_status(&fx, DecisionStatus::Proposed).is_empty());
        assert_eq!(with_status(&fx, DecisionStatus::Approved), vec!["d1"]);

        let result = ExecutionResult::PartialSuccess { failed_actions: vec!["control_device".into()] };
        let executed = d.record_execution_result("d1", &result).unwrap();
        assert_eq!(executed.execution_result, Some(result.clone()));
        assert!(matches!(d.record_execution_result("d1", &ExecutionResult::Success), Err(StorageError::Conflict(_))));

        let fx = fx.reopen();
        let d = fx.db.decisions();
        assert_eq!(d.get("d1").unwrap(), Some(executed));
        assert_eq!(with_status(&fx, DecisionStatus::Approved), vec!["d1"]);
        assert!(with_status(&fx, DecisionStatus::Proposed).is_empty());
    }

    fn transition_table_is_enforced(fx) {
        let d = fx.db.decisions();
        for to in STATUSES {
            assert_eq!(DecisionStatus::Proposed.can_become(to), to != DecisionStatus::Proposed);
        }
        // Every pair: only Proposed -> another status is allowed; the rest conflict and change nothing.
        for (i, from) in STATUSES.iter().enumerate() {
            for (j, to) in STATUSES.iter().enumerate() {
                let id = format!("d{i}{j}");
                d.create(&decision(&id, (i * 10 + j) as i64)).unwrap();
                if *from != DecisionStatus::Proposed {
                    d.transition(&id, *from).unwrap();
                }
                let outcome = d.transition(&id, *to);
                if from.can_become(*to) {
                    assert_eq!(outcome.unwrap().status, *to);
                } else {
                    assert!(matches!(outcome, Err(StorageError::Conflict(_))), "{from:?} -> {to:?}: {outcome:?}");
                }
                let expect = if from.can_become(*to) { *to } else { *from };
                assert_eq!(d.get(&id).unwrap().unwrap().status, expect);
                assert!(with_status(&fx, expect).contains(&id));
            }
        }
        // Index consistency: each decision is listed under exactly its status.
        let listed: usize = STATUSES.iter().map(|s| with_status(&fx, *s).len()).sum();
        assert_eq!(listed, 25);
        assert_eq!(with_status(&fx, DecisionStatus::Proposed), vec!["d00"]);
    }

    fn responses_and_results_follow_the_status(fx) {
        let d = fx.db.decisions();
        d.create(&decision("r", 1)).unwrap();
        let rejected = d.reject("r", &UserResponse::new("bob", "rejected", 2)).unwrap();
        assert_eq!(rejected.status, DecisionStatus::Rejected);
        assert_eq!(rejected.user_response.unwrap().user_id, "bob");
        assert!(matches!(d.approve("r", &UserResponse::new("eve", "approved", 3)), Err(StorageError::Conflict(_))));
        assert_eq!(d.get("r").unwrap().unwrap().user_response.unwrap().user_id, "bob");
        assert!(matches!(d.record_execution_result("r", &ExecutionResult::Success), Err(StorageError::Conflict(_))));

        d.create(&decision("p", 1)).unwrap();
        assert!(matches!(d.record_execution_result("p", &ExecutionResult::Success), Err(StorageError::Conflict(_))));
        d.transition("p", DecisionStatus::AutoExecuted).unwrap();
        let failed = ExecutionResult::Failed { error: "device offline".into() };
        assert_eq!(d.record_execution_result("p", &failed).unwrap().execution_result, Some(failed));

        for ghost in [
            d.transition("ghost", DecisionStatus::Approved),
            d.approve("ghost", &UserResponse::new("a", "approved", 1)),
            d.reject("ghost", &UserResponse::new("a", "rejected", 1)),
            d.record_execution_result("ghost", &ExecutionResult::Success),
        ] {
            assert!(matches!(ghost, Err(StorageError::NotFound { what: "decision", .. })), "{ghost:?}");
        }
    }

    fn queries_by_time_and_status(fx) {
        let d = fx.db.decisions();
        for (id, ts) in [("a", -10), ("b", 0), ("c", 10), ("d", 20), ("e", 30)] {
            d.create(&decision(id, ts)).unwrap();
        }
        d.transition("b", DecisionStatus::Approved).unwrap();
        d.transition("d", DecisionStatus::Approved).unwrap();
        assert_eq!(ids(&d.query_range(0..30, None).unwrap()), vec!["b", "c", "d"]);
        assert_eq!(ids(&d.query_range(0..30, Some(1)).unwrap()), vec!["b"]);
        assert_eq!(ids(&d.query_by_status(DecisionStatus::Approved, (i64::MIN)..(i64::MAX), None).unwrap()), vec!["b", "d"]);
        assert_eq!(ids(&d.query_by_status(DecisionStatus::Approved, 1..21, None).unwrap()), vec!["d"]);
        assert_eq!(ids(&d.query_by_status(DecisionStatus::Proposed, (-10)..30, None).unwrap()), vec!["a", "c"]);
        assert!(d.query_by_status(DecisionStatus::Expired, (i64::MIN)..(i64::MAX), None).unwrap().is_empty());
    }

    fn expire_proposals_older_than_an_age(fx) {
        let d = fx.db.decisions();
        for (id, ts) in [("old1", 100), ("old2", 200), ("approved-old", 150), ("edge", 500), ("fresh", 900)] {
            d.create(&decision(id, ts)).unwrap();
        }
        d.transition("approved-old", DecisionStatus::Approved).unwrap();
        // now 1000, max age 500: proposals created before 500 expire; one at 500 stays.
        assert_eq!(d.expire_proposals(1_000, 500).unwrap(), 2);
        assert_eq!(with_status(&fx, DecisionStatus::Expired), vec!["old1", "old2"]);
        assert_eq!(with_status(&fx, DecisionStatus::Proposed), vec!["edge", "fresh"]);
        assert_eq!(with_status(&fx, DecisionStatus::Approved), vec!["approved-old"]);
        assert_eq!(d.get("old1").unwrap().unwrap().status, DecisionStatus::Expired);
        assert!(matches!(d.approve("old1", &UserResponse::new("a", "approved", 1_001)), Err(StorageError::Conflict(_))));
        assert_eq!(d.expire_proposals(1_000, 500).unwrap(), 0);
        assert_invalid(d.expire_proposals(1_000, -1), "max_age_ms");
        assert_eq!(d.expire_proposals(i64::MIN, 0).unwrap(), 0);
        let fx = fx.reopen();
        assert_eq!(with_status(&fx, DecisionStatus::Expired), vec!["old1", "old2"]);
        assert_eq!(fx.db.decisions().expire_proposals(i64::MAX, 0).unwrap(), 2);
        assert!(with_status(&fx, DecisionStatus::Proposed).is_empty());
    }

    fn bad_input_is_refused(fx) {
        let d = fx.db.decisions();
        let long = "x".repeat(257);
        assert_invalid(d.create(&decision("", 1)), "decision_id");
        assert_invalid(d.create(&decision(&long, 1)), "decision_id");
        for c in [f32::NAN, -0.1, 1.01, f32::INFINITY] {
            let mut bad = decision("d", 1);
            bad.confidence = c;
            assert_invalid(d.create(&bad), "confidence");
        }
        let mut approved = decision("d", 1);
        approved.status = DecisionStatus::Approved;
        assert_invalid(d.create(&approved), "status");
        let mut answered = decision("d", 1);
        answered.user_response = Some(UserResponse::new("a", "approved", 1));
        assert_invalid(d.create(&answered), "user_response");
        let mut executed = decision("d", 1);
        executed.execution_result = Some(ExecutionResult::Success);
        assert_invalid(d.create(&executed), "execution_result");
        let mut bad_action = decision("d", 1);
        bad_action.proposed_actions.push(ProposedAction { action_type: String::new(), description: "x".into(), parameters: json!({}) });
        assert_invalid(d.create(&bad_action), "action_type");
        let mut bad_review = decision("d", 1);
        bad_review.review_id = Some(long.clone());
        assert_invalid(d.create(&bad_review), "review_id");
        let mut huge = decision("d", 1);
        huge.reasoning = "r".repeat(2 * 1024 * 1024);
        assert_invalid(d.create(&huge), "record");
        assert!(d.query_range((i64::MIN)..(i64::MAX), None).unwrap().is_empty());

        d.create(&decision("d", 1)).unwrap();
        assert!(matches!(d.create(&decision("d", 2)), Err(StorageError::Conflict(_))));
        assert_eq!(d.get("d").unwrap().unwrap().created_at, 1);
        assert_invalid(d.approve("d", &UserResponse::new("", "approved", 2)), "user_id");
        assert_invalid(d.reject("d", &UserResponse::new("bob", "", 2)), "response");
        assert_invalid(d.transition("", DecisionStatus::Approved), "decision_id");
        assert_invalid(d.record_execution_result(&long, &ExecutionResult::Success), "decision_id");
        assert_eq!(d.get("d").unwrap().unwrap().status, DecisionStatus::Proposed);
        assert_invalid(d.get(""), "decision_id");
        assert_invalid(d.get(&long), "decision_id");
        assert_invalid(d.query_range(2..1, None), "time range");
        assert_invalid(d.query_by_status(DecisionStatus::Proposed, 2..1, None), "time range");
    }

    fn cleanup_removes_old_decisions_whatever_the_status(fx) {
        let d = fx.db.decisions();
        for (id, ts) in [("old-p", 10), ("old-a", 20), ("edge", 30), ("new", 40)] {
            d.create(&decision(id, ts)).unwrap();
        }
        d.transition("old-a", DecisionStatus::Approved).unwrap();
        assert_eq!(d.cleanup(30).unwrap(), 2);
        assert_eq!(d.get("old-p").unwrap(), None);
        assert_eq!(d.get("old-a").unwrap(), None);
        assert!(with_status(&fx, DecisionStatus::Approved).is_empty());
        assert_eq!(with_status(&fx, DecisionStatus::Proposed), vec!["edge", "new"]);
        assert_eq!(d.cleanup(30).unwrap(), 0);
        let fx = fx.reopen();
        assert_eq!(ids(&fx.db.decisions().query_range((i64::MIN)..(i64::MAX), None).unwrap()), vec!["edge", "new"]);
    }
}

#[test]
fn expiry_and_cleanup_run_in_batches_past_the_batch_size() {
    for redb in [false, true] {
        let options = StorageOptions { durability: Durability::Eventual, ..StorageOptions::default() };
        let fx = common::Fixture::with_options(redb, options);
        let d = fx.db.decisions();
        let n = CLEANUP_BATCH * 2 + 9;
        for i in 0..n {
            d.create(&decision(&format!("d{i:05}"), i as i64)).unwrap();
        }
        d.create(&decision("keep", n as i64)).unwrap();
        assert_eq!(d.expire_proposals(n as i64, 0).unwrap(), n as u64);
        assert_eq!(with_status(&fx, DecisionStatus::Expired).len(), n);
        assert_eq!(with_status(&fx, DecisionStatus::Proposed), vec!["keep"]);
        assert_eq!(d.cleanup(n as i64).unwrap(), n as u64);
        assert!(with_status(&fx, DecisionStatus::Expired).is_empty());
        assert_eq!(ids(&d.query_range((i64::MIN)..(i64::MAX), None).unwrap()), vec!["keep"]);
    }
}
