"""LLM decisions: :class:`DecisionStore` (records are dicts)."""

from ._native import neotalk_storage_uniffi as _native
from ._records import dumps, enum_arg, loads, loads_all
from ._values import json_dumps


class DecisionStore:
    """Decisions proposed by the LLM; obtain it from ``StorageManager.decisions()``.

    A decision is a dict of the core's ``DecisionRecord`` (``decision_id``, ``title``,
    ``description``, ``reasoning``, ``proposed_actions``, ``confidence``, ``created_at``,
    ``status``, ``user_response``, ``execution_result``, ``review_id``); a response a dict of
    ``UserResponse`` (``user_id``, ``response``, ``responded_at``, ``comments``). ``status``
    arguments are ``DecisionStatus`` or its name.
    """

    __slots__ = ("_native",)

    def __init__(self, native):
        self._native = native

    def create(self, decision: dict) -> None:
        """Stores a new decision; a duplicate id is ``StorageError.Conflict``."""
        self._native.create(dumps("decision", decision))

    def get(self, decision_id: str):
        """The decision with this id, or ``None``."""
        return loads(self._native.get(decision_id))

    def transition(self, decision_id: str, to) -> dict:
        """Moves a decision to status ``to``; a forbidden move is ``StorageError.Conflict``."""
        return loads(self._native.transition(decision_id, enum_arg("status", _native.DecisionStatus, to)))

    def approve(self, decision_id: str, response: dict) -> dict:
        """Approves a proposed decision with a user's response; returns it."""
        return loads(self._native.approve(decision_id, dumps("response", response)))

    def reject(self, decision_id: str, response: dict) -> dict:
        """Rejects a proposed decision with a user's response; returns it."""
        return loads(self._native.reject(decision_id, dumps("response", response)))

    def record_execution_result(self, decision_id: str, result) -> dict:
        """Stores the outcome (``"Success"``, ``{"PartialSuccess": ...}``, ``{"Failed": ...}``)
        of an approved or auto-executed decision; returns it."""
        return loads(self._native.record_execution_result(decision_id, json_dumps("result", result)))

    def query_range(self, start: int, end: int, limit=None) -> list:
        """Decisions with ``start <= created_at < end``, oldest first."""
        return loads_all(self._native.query_range(start, end, limit))

    def query_by_status(self, status, start: int, end: int, limit=None) -> list:
        """Decisions with this status and ``start <= created_at < end``, oldest first."""
        status = enum_arg("status", _native.DecisionStatus, status)
        return loads_all(self._native.query_by_status(status, start, end, limit))

    def expire_proposals(self, now_ms: int, max_age_ms: int) -> int:
        """Marks proposals older than ``max_age_ms`` at ``now_ms`` expired; returns how many."""
        return self._native.expire_proposals(now_ms, max_age_ms)

    def cleanup(self, before_ms: int) -> int:
        """Removes decisions created before ``before_ms``; returns how many."""
        return self._native.cleanup(before_ms)
