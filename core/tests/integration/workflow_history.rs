#![allow(clippy::reversed_empty_ranges)] // reversed ranges are tested as bad input
use crate::common;
use neotalk_storage::limits::CLEANUP_BATCH;
use neotalk_storage::*;
use serde_json::json;

fn new_run(id: &str, workflow: &str, started_at: i64) -> WorkflowExecutionRecord {
    WorkflowExecutionRecord::new(id, workflow, &format!("workflow {workflow}"), "manual", started_at)
}

fn ids(records: &[WorkflowExecutionRecord]) -> Vec<&str> {
    records.iter().map(|r| r.execution_id.as_str()).collect()
}

fn assert_invalid<T: std::fmt::Debug>(r: Result<T>, field: &str) {
    match r {
        Err(StorageError::InvalidInput { field: f, .. }) if f == field => {}
        other => panic!("expected InvalidInput on {field}, got {other:?}"),
    }
}

fn all(fx: &common::Fixture, status: ExecutionStatus) -> Vec<WorkflowExecutionRecord> {
    fx.db.workflow_history().query_by_status(status, (i64::MIN)..(i64::MAX), None).unwrap()
}

on_both_backends! {
    fn start_steps_and_finish(fx) {
        let wf = fx.db.workflow_history();
        let mut r = new_run("run-1", "morning", 1_000);
        r.trigger_type = "cron".into();
        r.trigger_data = Some(json!({"cron": "0 7 * * *"}));
        r.inputs = json!({"room": "客厅"});
        wf.start(&r).unwrap();
        assert_eq!(wf.get("run-1").unwrap(), Some(r.clone()));
        assert_eq!(ids(&wf.running().unwrap()), vec!["run-1"]);

        let mut lights = StepExecutionRecord::new("lights", "Lights on", "device_command", 1_010);
        lights.input = Some(json!({"level": 80}));
        let after = wf.record_step("run-1", &lights).unwrap();
        assert_eq!(after.steps, vec![lights.clone()]);
        let coffee = StepExecutionRecord::new("coffee", "Coffee", "device_command", 1_020);
        wf.record_step("run-1", &coffee).unwrap();
        // The same step id replaces the step in place.
        lights.status = ExecutionStatus::Completed;
        lights.finished_at = Some(1_030);
        lights.output = Some(json!({"ok": true}));
        let after = wf.record_step("run-1", &lights).unwrap();
        assert_eq!(after.steps, vec![lights.clone(), coffee.clone()]);
        assert_eq!(wf.get("run-1").unwrap().unwrap().steps, vec![lights.clone(), coffee.clone()]);

        let done = wf.finish("run-1", ExecutionStatus::Completed, 1_500, Some(json!({"done": 2})), None).unwrap();
        assert_eq!(done.status, ExecutionStatus::Completed);
        assert_eq!(done.finished_at, Some(1_500));
        assert_eq!(done.outputs, Some(json!({"done": 2})));
        assert_eq!(wf.get("run-1").unwrap(), Some(done.clone()));
        // Index consistency: no longer running, now completed.
        assert!(wf.running().unwrap().is_empty());
        assert!(all(&fx, ExecutionStatus::Running).is_empty());
        assert_eq!(ids(&all(&fx, ExecutionStatus::Completed)), vec!["run-1"]);

        let fx = fx.reopen();
        let wf = fx.db.workflow_history();
        assert_eq!(wf.get("run-1").unwrap(), Some(done));
        assert!(wf.running().unwrap().is_empty());
        assert_eq!(ids(&wf.query_by_workflow("morning", 5).unwrap()), vec!["run-1"]);
    }

    fn finished_runs_are_history(fx) {
        let wf = fx.db.workflow_history();
        wf.start(&new_run("r", "w", 10)).unwrap();
        wf.finish("r", ExecutionStatus::Failed, 20, None, Some("valve stuck".into())).unwrap();
        let step = StepExecutionRecord::new("s", "S", "delay", 15);
        assert!(matches!(wf.record_step("r", &step), Err(StorageError::Conflict(_))));
        assert!(matches!(wf.finish("r", ExecutionStatus::Completed, 30, None, None), Err(StorageError::Conflict(_))));
        let mut again = new_run("r", "w", 10);
        again.status = ExecutionStatus::Completed;
        again.finished_at = Some(40);
        assert!(matches!(wf.update(&again), Err(StorageError::Conflict(_))));
        let stored = wf.get("r").unwrap().unwrap();
        assert_eq!((stored.status, stored.error.as_deref(), stored.finished_at), (ExecutionStatus::Failed, Some("valve stuck"), Some(20)));
        assert_eq!(ids(&all(&fx, ExecutionStatus::Failed)), vec!["r"]);
    }

    fn update_moves_every_index(fx) {
        let wf = fx.db.workflow_history();
        wf.start(&new_run("r1", "w", 100)).unwrap();
        wf.start(&new_run("r2", "w", 200)).unwrap();
        // Correct the start time and workflow of r1, and cancel it, in one update.
        let mut r1 = new_run("r1", "other", 300);
        r1.status = ExecutionStatus::Cancelled;
        r1.finished_at = Some(310);
        assert_eq!(wf.update(&r1).unwrap(), r1);
        assert_eq!(ids(&wf.query_range(0..250, None).unwrap()), vec!["r2"]);
        assert_eq!(ids(&wf.query_range(250..400, None).unwrap()), vec!["r1"]);
        assert_eq!(ids(&wf.query_by_workflow("w", 10).unwrap()), vec!["r2"]);
        assert_eq!(ids(&wf.query_by_workflow("other", 10).unwrap()), vec!["r1"]);
        assert_eq!(ids(&wf.running().unwrap()), vec!["r2"]);
        assert_eq!(ids(&wf.query_by_status(ExecutionStatus::Cancelled, 0..400, None).unwrap()), vec!["r1"]);
        assert!(wf.query_by_status(ExecutionStatus::Cancelled, 0..300, None).unwrap().is_empty());
        // An update keeping the run Running keeps it in running().
        let mut r2 = new_run("r2", "w", 200);
        r2.outputs = Some(json!({"partial": 1}));
        wf.update(&r2).unwrap();
        assert_eq!(wf.running().unwrap(), vec![r2]);
        assert!(matches!(wf.update(&new_run("ghost", "w", 1)), Err(StorageError::NotFound { .. })));
    }

    fn queries_order_and_page(fx) {
        let wf = fx.db.workflow_history();
        for i in 0..6 {
            wf.start(&new_run(&format!("a{i}"), "A", 10 * i)).unwrap();
        }
        wf.start(&new_run("b0", "B", 25)).unwrap();
        wf.start(&new_run("ab", "AB", 26)).unwrap();
        wf.finish("a1", ExecutionStatus::Completed, 100, None, None).unwrap();
        wf.finish("a3", ExecutionStatus::Completed, 100, None, None).unwrap();
        assert_eq!(ids(&wf.query_by_workflow("A", 4).unwrap()), vec!["a5", "a4", "a3", "a2"]);
        assert_eq!(ids(&wf.query_by_workflow("A", Page { offset: 4, limit: Some(4) }).unwrap()), vec!["a1", "a0"]);
        assert!(wf.query_by_workflow("A", 0).unwrap().is_empty());
        assert_eq!(ids(&wf.query_range(10..30, None).unwrap()), vec!["a1", "a2", "b0", "ab"]);
        assert_eq!(ids(&wf.query_range(10..30, Some(2)).unwrap()), vec!["a1", "a2"]);
        assert_eq!(ids(&wf.query_by_status(ExecutionStatus::Completed, 0..100, None).unwrap()), vec!["a1", "a3"]);
        assert_eq!(ids(&wf.query_by_status(ExecutionStatus::Running, 20..41, Some(3)).unwrap()), vec!["a2", "b0", "ab"]);
        assert_eq!(ids(&wf.running().unwrap()), vec!["a0", "a2", "b0", "ab", "a4", "a5"]);
    }

    fn bad_input_is_refused(fx) {
        let wf = fx.db.workflow_history();
        let long = "x".repeat(257);
        assert_invalid(wf.start(&new_run("", "w", 1)), "execution_id");
        assert_invalid(wf.start(&new_run(&long, "w", 1)), "execution_id");
        assert_invalid(wf.start(&new_run("r", "", 1)), "workflow_id");
        let mut no_trigger = new_run("r", "w", 1);
        no_trigger.trigger_type.clear();
        assert_invalid(wf.start(&no_trigger), "trigger_type");
        let mut finished = new_run("r", "w", 1);
        finished.status = ExecutionStatus::Completed;
        finished.finished_at = Some(2);
        assert_invalid(wf.start(&finished), "status");
        let mut early_end = new_run("r", "w", 1);
        early_end.finished_at = Some(2);
        assert_invalid(wf.start(&early_end), "finished_at");
        let mut deep = json!(0);
        for _ in 0..100 {
            deep = json!({"a": deep});
        }
        let mut deep_inputs = new_run("r", "w", 1);
        deep_inputs.inputs = deep.clone();
        assert_invalid(wf.start(&deep_inputs), "inputs");
        assert!(wf.query_range((i64::MIN)..(i64::MAX), None).unwrap().is_empty());

        wf.start(&new_run("r", "w", 100)).unwrap();
        assert!(matches!(wf.start(&new_run("r", "w", 5)), Err(StorageError::Conflict(_))));
        assert_eq!(wf.get("r").unwrap().unwrap().started_at, 100);
        let mut bad_step = StepExecutionRecord::new("", "S", "delay", 100);
        assert_invalid(wf.record_step("r", &bad_step), "step_id");
        bad_step.step_id = "s".into();
        bad_step.step_type = long.clone();
        assert_invalid(wf.record_step("r", &bad_step), "step_type");
        bad_step.step_type = "delay".into();
        bad_step.output = Some(deep);
        assert_invalid(wf.record_step("r", &bad_step), "step output");
        let mut done_step = StepExecutionRecord::new("s", "S", "delay", 100);
        done_step.status = ExecutionStatus::Completed;
        assert_invalid(wf.record_step("r", &done_step), "step finished_at");
        assert!(matches!(wf.record_step("ghost", &done_step), Err(StorageError::InvalidInput { .. })));
        let ok_step = StepExecutionRecord::new("s", "S", "delay", 100);
        assert!(matches!(wf.record_step("ghost", &ok_step), Err(StorageError::NotFound { .. })));
        assert_invalid(wf.record_step("", &ok_step), "execution_id");
        assert_invalid(wf.finish("r", ExecutionStatus::Running, 200, None, None), "status");
        assert_invalid(wf.finish("r", ExecutionStatus::Completed, 99, None, None), "finished_at");
        assert!(matches!(wf.finish("ghost", ExecutionStatus::Completed, 200, None, None), Err(StorageError::NotFound { .. })));
        let mut running_with_end = new_run("r", "w", 100);
        running_with_end.finished_at = Some(150);
        assert_invalid(wf.update(&running_with_end), "finished_at");
        let stored = wf.get("r").unwrap().unwrap();
        assert_eq!((stored.status, stored.steps.len(), stored.finished_at), (ExecutionStatus::Running, 0, None));

        assert_invalid(wf.get(""), "execution_id");
        assert_invalid(wf.get(&long), "execution_id");
        assert_invalid(wf.query_by_workflow("", 1), "workflow_id");
        assert_invalid(wf.query_by_workflow(&long, 1), "workflow_id");
        assert_invalid(wf.query_range(1..0, None), "time range");
        assert_invalid(wf.query_by_status(ExecutionStatus::Running, 1..0, None), "time range");
    }

    fn cleanup_removes_old_runs_running_or_not(fx) {
        let wf = fx.db.workflow_history();
        wf.start(&new_run("old-running", "w", 10)).unwrap();
        wf.start(&new_run("old-done", "w", 20)).unwrap();
        wf.finish("old-done", ExecutionStatus::Completed, 30, None, None).unwrap();
        wf.start(&new_run("edge", "w", 50)).unwrap();
        wf.start(&new_run("new", "w", 60)).unwrap();
        assert_eq!(wf.cleanup(50).unwrap(), 2);
        assert_eq!(wf.get("old-running").unwrap(), None);
        assert_eq!(wf.get("old-done").unwrap(), None);
        assert_eq!(ids(&wf.running().unwrap()), vec!["edge", "new"]);
        assert!(all(&fx, ExecutionStatus::Completed).is_empty());
        assert_eq!(ids(&wf.query_by_workflow("w", 10).unwrap()), vec!["new", "edge"]);
        assert_eq!(wf.cleanup(50).unwrap(), 0);
        let fx = fx.reopen();
        assert_eq!(ids(&fx.db.workflow_history().query_range((i64::MIN)..(i64::MAX), None).unwrap()), vec!["edge", "new"]);
    }
}

#[test]
fn cleanup_runs_in_batches_past_the_batch_size() {
    for redb in [false, true] {
        let options = StorageOptions { durability: Durability::Eventual, ..StorageOptions::default() };
        let fx = common::Fixture::with_options(redb, options);
        let wf = fx.db.workflow_history();
        let n = CLEANUP_BATCH * 2 + 3;
        for i in 0..n {
            wf.start(&new_run(&format!("r{i:05}"), &format!("w{}", i % 4), i as i64)).unwrap();
        }
        wf.start(&new_run("keep", "w0", n as i64)).unwrap();
        assert_eq!(wf.cleanup(n as i64).unwrap(), n as u64);
        assert_eq!(ids(&wf.running().unwrap()), vec!["keep"]);
        assert!(wf.query_by_workflow("w1", 10).unwrap().is_empty());
        assert_eq!(ids(&wf.query_by_workflow("w0", 10).unwrap()), vec!["keep"]);
    }
}
