"""LLM decisions: :class:`DecisionStore` (records are ``DecisionRecord``)."""

import json

from ._native import neotalk_storage_uniffi as _native
from ._records import enum_arg, typed_in
from ._values import json_dumps
from ._store import NativeStore


def _decision_out(decision):
    """A native decision with its actions' ``parameters`` as Python objects (in place)."""
    if decision is not None:
        for action in decision.proposed_actions:
            action.parameters = json.loads(action.parameters)
    return decision


def _result_in(result):
    """An ``ExecutionResult``, or its core JSON form (``"Success"``,
    ``{"PartialSuccess": {"failed_actions": [...]}}``, ``{"Failed": {"error": ...}}``)."""
    if isinstance(result, _native.ExecutionResult):
        return result
    return _native.execution_result_from_json(json_dumps("result", result))


class DecisionStore(NativeStore):
    """Decisions proposed by the LLM; obtain it from ``StorageManager.decisions()``.

    A decision is a ``DecisionRecord`` (``decision_id``, ``title``, ``description``,
    ``reasoning``, ``proposed_actions`` of ``ProposedAction`` whose ``parameters`` are any JSON
    value, ``confidence``, ``created_at``, ``status``, ``user_response``, ``execution_result``,
    ``review_id``); a response a ``UserResponse`` (``user_id``, ``response``, ``responded_at``,
    ``comments``). Arguments may also be dicts of the core's JSON form, where omitted fields
    take the core's defaults. ``status`` arguments are ``DecisionStatus`` or its name.
    """

    __slots__ = ()

    def create(self, decision) -> None:
        """Stores a new decision; a duplicate id is ``StorageError.Conflict``."""
        self._native.create(typed_in("decision", decision, _native.DecisionRecord, _native.decision_record_from_json))

    def get(self, decision_id: str):
        """The ``DecisionRecord`` with this id, or ``None``."""
        return _decision_out(self._native.get(decision_id))

    def transition(self, decision_id: str, to) -> "_native.DecisionRecord":
        """Moves a decision to status ``to``; a forbidden move is ``StorageError.Conflict``."""
        return _decision_out(self._native.transition(decision_id, enum_arg("status", _native.DecisionStatus, to)))

    def approve(self, decision_id: str, response) -> "_native.DecisionRecord":
        """Approves a proposed decision with a ``UserResponse``; returns the decision."""
        return _decision_out(self._native.approve(decision_id, self._response(response)))

    def reject(self, decision_id: str, response) -> "_native.DecisionRecord":
        """Rejects a proposed decision with a ``UserResponse``; returns the decision."""
        return _decision_out(self._native.reject(decision_id, self._response(response)))

    def record_execution_result(self, decision_id: str, result) -> "_native.DecisionRecord":
        """Stores the outcome (an ``ExecutionResult``, or ``"Success"``,
        ``{"PartialSuccess": ...}``, ``{"Failed": ...}``) of an approved or auto-executed
        decision; returns the decision."""
        return _decision_out(self._native.record_execution_result(decision_id, _result_in(result)))

    def query_range(self, start: int, end: int, limit=None) -> list:
        """Decisions with ``start <= created_at < end``, oldest first."""
        return [_decision_out(d) for d in self._native.query_range(start, end, limit)]

    def query_by_status(self, status, start: int, end: int, limit=None) -> list:
        """Decisions with this status and ``start <= created_at < end``, oldest first."""
        status = enum_arg("status", _native.DecisionStatus, status)
        return [_decision_out(d) for d in self._native.query_by_status(status, start, end, limit)]

    def expire_proposals(self, now_ms: int, max_age_ms: int) -> int:
        """Marks proposals older than ``max_age_ms`` at ``now_ms`` expired; returns how many."""
        return self._native.expire_proposals(now_ms, max_age_ms)

    def cleanup(self, before_ms: int) -> int:
        """Removes decisions created before ``before_ms``; returns how many."""
        return self._native.cleanup(before_ms)

    @staticmethod
    def _response(response):
        return typed_in("response", response, _native.UserResponse, _native.user_response_from_json)
