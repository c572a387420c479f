"""Rule execution history: :class:`RuleHistoryStore` (records are dicts)."""

import typing

from ._records import dumps, loads, loads_all


class RuleHistoryStore:
    """Executions of automation rules; obtain it from ``StorageManager.rule_history()``.

    A record is a dict of the core's ``RuleExecutionRecord``: ``execution_id``, ``rule_id``,
    ``rule_name``, ``triggered_at`` (Unix ms), ``trigger_value`` (float or None),
    ``condition_met``, ``actions`` (dicts with ``action_type``, ``action_data``, ``success``,
    ``error``), ``result`` (``"Success"``, ``{"PartialSuccess": {"failed_actions": [...]}}``
    or ``{"Failed": {"error": "..."}}``) and ``duration_ms``. Time ranges are ``[start, end)``.
    """

    __slots__ = ("_native",)

    def __init__(self, native):
        self._native = native

    def record(self, record: dict) -> None:
        """Stores one execution; a duplicate ``execution_id`` is ``StorageError.Conflict``."""
        self._native.record(dumps("record", record))

    def record_batch(self, records: typing.Iterable[dict]) -> None:
        """Stores executions in one transaction; all or none."""
        self._native.record_batch([dumps("record", r) for r in records])

    def get(self, execution_id: str):
        """The execution with this id, or ``None``."""
        return loads(self._native.get(execution_id))

    def query_by_rule(self, rule_id: str, offset: int = 0, limit=None) -> list:
        """One page of a rule's executions, newest first: skips ``offset``, then at most
        ``limit`` (``None``: all the rest)."""
        return loads_all(self._native.query_by_rule(rule_id, offset, limit))

    def query_rule_range(self, rule_id: str, start: int, end: int, limit=None) -> list:
        """Executions of one rule with ``start <= triggered_at < end``, oldest first."""
        return loads_all(self._native.query_rule_range(rule_id, start, end, limit))

    def query_range(self, start: int, end: int, limit=None) -> list:
        """Executions with ``start <= triggered_at < end``, oldest first."""
        return loads_all(self._native.query_range(start, end, limit))

    def query_failed(self, start: int, end: int, limit=None) -> list:
        """Failed executions with ``start <= triggered_at < end``, oldest first."""
        return loads_all(self._native.query_failed(start, end, limit))

    def rule_statistics(self, rule_id: str, start: int, end: int) -> dict:
        """Counts and durations (``RuleStatistics``) of one rule over ``[start, end)``."""
        return loads(self._native.rule_statistics(rule_id, start, end))

    def statistics(self, start: int, end: int) -> list:
        """Statistics of every rule triggered in ``[start, end)``."""
        return loads_all(self._native.statistics(start, end))

    def cleanup(self, before_ms: int) -> int:
        """Removes executions triggered before ``before_ms``; returns how many."""
        return self._native.cleanup(before_ms)
