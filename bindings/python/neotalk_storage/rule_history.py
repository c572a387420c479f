"""Rule execution history: :class:`RuleHistoryStore` (records are ``RuleExecutionRecord``)."""

import typing

from ._native import neotalk_storage_uniffi as _native
from ._records import json_out, typed_in
from ._store import NativeStore


def _record_in(record):
    return typed_in("record", record, _native.RuleExecutionRecord, _native.rule_execution_record_from_json)


def _record_out(record):
    """A native execution with its actions' ``action_data`` as Python objects (in place)."""
    if record is not None:
        for action in record.actions:
            json_out(action, "action_data")
    return record


class RuleHistoryStore(NativeStore):
    """Executions of automation rules; obtain it from ``StorageManager.rule_history()``.

    A record is a ``RuleExecutionRecord``: ``execution_id``, ``rule_id``, ``rule_name``,
    ``triggered_at`` (Unix ms), ``trigger_value`` (float or None), ``condition_met``,
    ``actions`` (``RuleActionRecord``: ``action_type``, ``action_data`` (any JSON value),
    ``success``, ``error``), ``result`` (an ``ExecutionResult``) and ``duration_ms``. Arguments
    may also be dicts of the core's JSON form (``"result": "Success"`` or
    ``{"Failed": {"error": "..."}}``). Time ranges are ``[start, end)``.
    """

    __slots__ = ()

    def record(self, record) -> None:
        """Stores one execution; a duplicate ``execution_id`` is ``StorageError.Conflict``."""
        self._native.record(_record_in(record))

    def record_batch(self, records: typing.Iterable) -> None:
        """Stores executions in one transaction; all or none."""
        self._native.record_batch([_record_in(r) for r in records])

    def get(self, execution_id: str):
        """The execution with this id, or ``None``."""
        return _record_out(self._native.get(execution_id))

    def query_by_rule(self, rule_id: str, offset: int = 0, limit=None) -> list:
        """One page of a rule's executions, newest first: skips ``offset``, then at most
        ``limit`` (``None``: all the rest)."""
        return [_record_out(r) for r in self._native.query_by_rule(rule_id, offset, limit)]

    def query_rule_range(self, rule_id: str, start: int, end: int, limit=None) -> list:
        """Executions of one rule with ``start <= triggered_at < end``, oldest first."""
        return [_record_out(r) for r in self._native.query_rule_range(rule_id, start, end, limit)]

    def query_range(self, start: int, end: int, limit=None) -> list:
        """Executions with ``start <= triggered_at < end``, oldest first."""
        return [_record_out(r) for r in self._native.query_range(start, end, limit)]

    def query_failed(self, start: int, end: int, limit=None) -> list:
        """Failed executions with ``start <= triggered_at < end``, oldest first."""
        return [_record_out(r) for r in self._native.query_failed(start, end, limit)]

    def rule_statistics(self, rule_id: str, start: int, end: int) -> "_native.RuleStatistics":
        """Counts and durations (``RuleStatistics``) of one rule over ``[start, end)``."""
        return self._native.rule_statistics(rule_id, start, end)

    def statistics(self, start: int, end: int) -> list:
        """``RuleStatistics`` of every rule triggered in ``[start, end)``."""
        return self._native.statistics(start, end)

    def cleanup(self, before_ms: int) -> int:
        """Removes executions triggered before ``before_ms``; returns how many."""
        return self._native.cleanup(before_ms)
