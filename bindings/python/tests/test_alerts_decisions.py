"""AlertStore and DecisionStore: typed records, enum arguments, the core's JSON form."""

import pytest

from neotalk_storage import (
    AlertRecord,
    AlertSeverity,
    DecisionRecord,
    DecisionStatus,
    ExecutionResult,
    ProposedAction,
    SeverityCounts,
    StorageError,
    UserResponse,
)
from neotalk_storage._records import core_form


def alert(alert_id, severity, at, entity="thermo-1", source="rules"):
    return AlertRecord(alert_id=alert_id, title="too hot", severity=severity, message="31.5 C",
                       source=source, created_at=at, entity_id=entity, entity_type="device")


def test_alert_lifecycle_queries_and_counts(db):
    alerts = db.alerts()
    alerts.create(alert("a1", AlertSeverity.WARNING, 1_000))
    alerts.create(alert("a2", "critical", 2_000, entity="pump-1"))
    alerts.create(alert("a3", "Info", 3_000, source="mqtt"))
    got = alerts.get("a1")
    assert got.severity == AlertSeverity.WARNING and got.entity_id == "thermo-1" and not got.acknowledged
    assert alerts.get("nope") is None
    assert [a.alert_id for a in alerts.query_range(0, 10_000)] == ["a1", "a2", "a3"]
    assert [a.alert_id for a in alerts.query_by_severity("critical", 0, 10_000)] == ["a2"]
    assert [a.alert_id for a in alerts.query_by_entity("pump-1", 0, 10_000)] == ["a2"]
    assert [a.alert_id for a in alerts.query_by_source("mqtt", 0, 10_000)] == ["a3"]
    acked = alerts.acknowledge("a1", "operator", 1_500)
    assert (acked.acknowledged, acked.acknowledged_by, acked.acknowledged_at) == (True, "operator", 1_500)
    assert alerts.resolve("a2", 2_500).resolved_at == 2_500
    assert sorted(a.alert_id for a in alerts.unacknowledged()) == ["a2", "a3"]
    assert sorted(a.alert_id for a in alerts.unresolved()) == ["a1", "a3"]
    assert alerts.count_by_severity() == SeverityCounts(info=1, warning=1, error=0, critical=1)
    assert alerts.count_unresolved_by_severity() == SeverityCounts(info=1, warning=1, error=0, critical=0)
    assert alerts.cleanup(2_500) == 2
    assert [a.alert_id for a in alerts.query_range(0, 10_000)] == ["a3"]


def test_alert_errors(db):
    alerts = db.alerts()
    alerts.create(alert("a1", "warning", 1_000))
    with pytest.raises(StorageError.Conflict):
        alerts.create(alert("a1", "warning", 1_000))
    with pytest.raises(StorageError.InvalidInput, match="severity"):
        alerts.create(alert("a2", "apocalyptic", 1_000))
    with pytest.raises(StorageError.InvalidInput, match="severity"):
        alerts.query_by_severity("loud", 0, 10)
    with pytest.raises(StorageError.InvalidInput):
        alerts.create(alert("", "info", 1_000))
    with pytest.raises(StorageError.InvalidInput):
        alerts.create({"alert_id": "a3"})
    with pytest.raises(StorageError.NotFound):
        alerts.acknowledge("ghost", "op", 1)
    with pytest.raises(StorageError.NotFound):
        alerts.resolve("ghost", 1)
    with pytest.raises(StorageError.InvalidInput):
        alerts.query_range(5, 1)
    assert alerts.count_by_severity().warning == 1


def decision(decision_id, at, confidence=0.8):
    return {
        "decision_id": decision_id,
        "title": "lower setpoint",
        "description": "room is too warm",
        "reasoning": "31.5 C for 10 minutes",
        "proposed_actions": [{"action_type": "command", "description": "set 22", "parameters": {"setpoint": 22}}],
        "confidence": confidence,
        "created_at": at,
        "status": "Proposed",
        "user_response": None,
        "execution_result": None,
        "review_id": None,
    }


def test_decision_lifecycle(db):
    decisions = db.decisions()
    decisions.create(decision("d1", 1_000))
    decisions.create(decision("d2", 2_000))
    decisions.create(decision("d3", 3_000))
    got = decisions.get("d1")
    assert isinstance(got, DecisionRecord) and core_form(got) == decision("d1", 1_000)
    assert got.confidence == 0.8 and got.proposed_actions[0].parameters == {"setpoint": 22}
    assert "decision_id='d1'" in repr(got)
    assert decisions.get("nope") is None
    approved = decisions.approve("d1", UserResponse(user_id="u1", response="yes", responded_at=1_100))
    assert approved.status == DecisionStatus.APPROVED and approved.user_response.user_id == "u1"
    done = decisions.record_execution_result("d1", ExecutionResult.PARTIAL_SUCCESS(failed_actions=["set 22"]))
    assert done.execution_result == ExecutionResult.PARTIAL_SUCCESS(failed_actions=["set 22"])
    assert decisions.reject("d2", {"user_id": "u1", "response": "no", "responded_at": 2_100}).status == DecisionStatus.REJECTED
    assert decisions.transition("d3", "auto_executed").status == DecisionStatus.AUTO_EXECUTED
    assert [d.decision_id for d in decisions.query_by_status(DecisionStatus.REJECTED, 0, 10_000)] == ["d2"]
    assert [d.decision_id for d in decisions.query_range(0, 2_500)] == ["d1", "d2"]
    decisions.create(decision("d4", 4_000))
    assert decisions.expire_proposals(100_000, 10_000) == 1
    assert decisions.get("d4").status == DecisionStatus.EXPIRED
    assert decisions.cleanup(2_500) == 2
    assert decisions.get("d1") is None


def test_decision_typed_records_round_trip(db):
    decisions = db.decisions()
    typed = DecisionRecord(
        decision_id="t1",
        title="fan",
        proposed_actions=[ProposedAction(action_type="set", parameters={"rpm": [100, 200], "why": None})],
        confidence=0.25,
        created_at=5,
        status=DecisionStatus.PROPOSED,
    )
    decisions.create(typed)
    got = decisions.get("t1")
    assert got == typed
    assert (got.description, got.reasoning, got.user_response, got.execution_result) == ("", "", None, None)
    # The record passed in is not changed by the call.
    assert typed.proposed_actions[0].parameters == {"rpm": [100, 200], "why": None}


def test_decision_defaults_and_enum_spellings(db):
    decisions = db.decisions()
    # Omitted fields take the core's defaults; enum names in a record read in any spelling.
    decisions.create({"decision_id": "m1", "title": "minimal", "confidence": 0.5, "created_at": 1, "status": "proposed",
                      "proposed_actions": [{"action_type": "notify", "parameters": {"z": 1, "a": 2}}]})
    got = decisions.get("m1")
    assert (got.description, got.reasoning, got.status, got.user_response) == ("", "", DecisionStatus.PROPOSED, None)
    assert got.proposed_actions[0].description == ""
    assert list(got.proposed_actions[0].parameters) == ["z", "a"]


def test_decision_errors(db):
    decisions = db.decisions()
    decisions.create(decision("d1", 1_000))
    with pytest.raises(StorageError.Conflict):
        decisions.create(decision("d1", 1_000))
    with pytest.raises(StorageError.InvalidInput, match="status"):
        decisions.transition("d1", "pending")
    bad = decision("d2", 1_000)
    bad["status"] = "Pending"
    with pytest.raises(StorageError.InvalidInput):
        decisions.create(bad)
    with pytest.raises(StorageError.InvalidInput):
        decisions.create(decision("d3", 1_000, confidence=float("nan")))
    with pytest.raises(StorageError.Conflict):
        decisions.record_execution_result("d1", "Success")  # still proposed
    with pytest.raises(StorageError.InvalidInput):
        decisions.record_execution_result("d1", {"Exploded": {}})
    with pytest.raises(StorageError.NotFound):
        decisions.transition("ghost", "approved")
    typo = decision("d5", 1_000)
    typo["reason"] = "typo of reasoning"
    with pytest.raises(StorageError.InvalidInput, match="unknown field `reason`"):
        decisions.create(typo)
    decisions.transition("d1", "rejected")
    with pytest.raises(StorageError.Conflict):
        decisions.transition("d1", "approved")
