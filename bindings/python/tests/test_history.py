"""RuleHistoryStore and WorkflowHistoryStore through the installed wheel (typed records; dicts of
the core's JSON form are accepted as arguments)."""

import pytest

from neotalk_storage import (
    ExecutionResult,
    ExecutionStatus,
    RuleActionRecord,
    RuleExecutionRecord,
    RuleStatistics,
    StepExecutionRecord,
    StorageError,
    WorkflowExecutionRecord,
)
from neotalk_storage._records import core_form


def rule_exec(execution_id, rule_id, at, result="Success", duration_ms=5):
    return {
        "execution_id": execution_id,
        "rule_id": rule_id,
        "rule_name": f"name of {rule_id}",
        "triggered_at": at,
        "trigger_value": 31.5,
        "condition_met": True,
        "actions": [{"action_type": "notify", "action_data": {"to": "ops"}, "success": result == "Success", "error": None}],
        "result": result,
        "duration_ms": duration_ms,
    }


def run(execution_id, workflow_id, at):
    return {
        "execution_id": execution_id,
        "workflow_id": workflow_id,
        "workflow_name": "cool down",
        "trigger_type": "event",
        "trigger_data": {"event": "e1"},
        "started_at": at,
        "finished_at": None,
        "status": "Running",
        "steps": [],
        "inputs": {"target": 20},
        "outputs": None,
        "error": None,
    }


def test_rule_history_round_trip_queries_and_statistics(db):
    rules = db.rule_history()
    rules.record(rule_exec("x1", "overheat", 1_000, duration_ms=10))
    rules.record_batch([rule_exec("x2", "overheat", 2_000, {"Failed": {"error": "relay offline"}}, 30), rule_exec("x3", "leak", 3_000)])
    got = rules.get("x1")
    assert isinstance(got, RuleExecutionRecord) and core_form(got) == rule_exec("x1", "overheat", 1_000, duration_ms=10)
    assert got.result == ExecutionResult.SUCCESS() and got.actions[0].action_data == {"to": "ops"}
    assert rules.get("x2").result == ExecutionResult.FAILED(error="relay offline")
    assert rules.get("nope") is None
    assert [r.execution_id for r in rules.query_by_rule("overheat", 0, 10)] == ["x2", "x1"]
    assert [r.execution_id for r in rules.query_by_rule("overheat", 1, 10)] == ["x1"]
    assert [r.execution_id for r in rules.query_rule_range("overheat", 0, 1_500)] == ["x1"]
    assert [r.execution_id for r in rules.query_range(0, 10_000, 2)] == ["x1", "x2"]
    assert [r.execution_id for r in rules.query_failed(0, 10_000)] == ["x2"]
    stats = rules.rule_statistics("overheat", 0, 10_000)
    assert isinstance(stats, RuleStatistics)
    assert (stats.triggers, stats.success, stats.failed, stats.max_duration_ms) == (2, 1, 1, 30)
    assert stats.mean_duration_ms == pytest.approx(20.0)
    assert sorted(s.rule_id for s in rules.statistics(0, 10_000)) == ["leak", "overheat"]
    assert rules.cleanup(2_500) == 2
    assert [r.execution_id for r in rules.query_range(0, 10_000)] == ["x3"]


def test_rule_history_errors(db):
    rules = db.rule_history()
    rules.record(rule_exec("x1", "r", 1_000))
    with pytest.raises(StorageError.Conflict):
        rules.record(rule_exec("x1", "r", 1_000))
    with pytest.raises(StorageError.InvalidInput, match="record"):
        rules.record(rule_exec("x2", "r", 1_000, result="Maybe"))  # unknown enum name
    with pytest.raises(StorageError.InvalidInput):
        rules.record({"execution_id": "x3"})  # missing fields
    with pytest.raises(StorageError.InvalidInput):
        rules.record(rule_exec("", "r", 1_000))
    with pytest.raises(StorageError.InvalidInput):
        rules.record("not a dict")
    with pytest.raises(StorageError.InvalidInput):
        rules.record_batch([rule_exec("ok", "r", 1), rule_exec("bad", "r", 1, result="Nope")])
    assert rules.get("ok") is None  # the batch stored nothing
    with pytest.raises(StorageError.InvalidInput):
        rules.query_range(10, 0)
    bad = rule_exec("x4", "r", 1)
    bad["trigger_value"] = float("nan")
    with pytest.raises(StorageError.InvalidInput):
        rules.record(bad)


def test_workflow_run_lifecycle(db):
    wf = db.workflow_history()
    wf.start(run("w1", "cool", 1_000))
    wf.start(run("w2", "cool", 2_000))
    assert [r.execution_id for r in wf.running()] == ["w1", "w2"]
    record = wf.get("w1")
    assert isinstance(record, WorkflowExecutionRecord)
    assert (record.trigger_data, record.inputs, record.outputs) == ({"event": "e1"}, {"target": 20}, None)
    record.workflow_name = "renamed"
    assert wf.update(record).workflow_name == "renamed"
    assert wf.get("w1").workflow_name == "renamed"
    step = {"step_id": "s1", "step_name": "fan on", "step_type": "command", "started_at": 1_100,
            "finished_at": 1_200, "status": "Completed", "input": {"speed": 3}, "output": None, "error": None}
    after = wf.record_step("w1", step)
    assert core_form(after.steps) == [step]
    typed_step = StepExecutionRecord(step_id="s2", step_name="wait", step_type="delay", started_at=1_300,
                                     status=ExecutionStatus.RUNNING, input={"ms": 100})
    assert wf.record_step("w1", typed_step).steps[1] == typed_step
    done = wf.finish("w1", "completed", 1_500, outputs={"ok": True})
    assert (done.status, done.finished_at, done.outputs) == (ExecutionStatus.COMPLETED, 1_500, {"ok": True})
    failed = wf.finish("w2", ExecutionStatus.FAILED, 2_500, error="timeout")
    assert failed.error == "timeout"
    assert wf.running() == []
    assert [r.execution_id for r in wf.query_by_status("Failed", 0, 10_000)] == ["w2"]
    assert [r.execution_id for r in wf.query_by_workflow("cool", 0, 1)] == ["w2"]
    assert [r.execution_id for r in wf.query_range(0, 1_500)] == ["w1"]
    with pytest.raises(StorageError.Conflict):
        wf.update(wf.get("w1"))  # a finished run is final
    assert wf.get("none") is None
    assert wf.cleanup(1_500) == 1
    assert wf.get("w1") is None


def test_workflow_errors(db):
    wf = db.workflow_history()
    wf.start(run("w1", "cool", 1_000))
    with pytest.raises(StorageError.Conflict):
        wf.start(run("w1", "cool", 1_000))
    with pytest.raises(StorageError.InvalidInput, match="status"):
        wf.finish("w1", "done", 2_000)  # not a status name
    with pytest.raises(StorageError.InvalidInput):
        wf.finish("w1", "running", 2_000)  # not a finished status
    with pytest.raises(StorageError.InvalidInput):
        wf.query_by_status("paused", 0, 10)
    bad = run("w2", "cool", 1_000)
    bad["status"] = "Paused"
    with pytest.raises(StorageError.InvalidInput):
        wf.start(bad)
    with pytest.raises(StorageError.NotFound):
        wf.finish("ghost", "completed", 2_000)
    with pytest.raises(StorageError.NotFound):
        wf.record_step("ghost", {"step_id": "s", "step_name": "n", "step_type": "t", "started_at": 1,
                                 "finished_at": None, "status": "Running", "input": None, "output": None, "error": None})
    with pytest.raises(StorageError.InvalidInput):
        wf.finish("w1", "completed", 2_000, outputs=float("inf"))
