"""Alerts: :class:`AlertStore` (records are ``AlertRecord``)."""

import copy

from ._native import neotalk_storage_uniffi as _native
from ._records import enum_arg
from ._values import alerts_from_rows, invalid
from ._store import NativeStore


def _to_native(alert):
    if not isinstance(alert, _native.AlertRecord):
        raise invalid("alert", f"expected an AlertRecord, got {type(alert).__name__}")
    if isinstance(alert.severity, _native.AlertSeverity):
        return alert
    out = copy.copy(alert)  # the caller's record is not changed
    out.severity = enum_arg("severity", _native.AlertSeverity, alert.severity)
    return out


class AlertStore(NativeStore):
    """Alerts raised for the operator; obtain it from ``StorageManager.alerts()``.

    ``severity`` (in ``AlertRecord`` and as an argument) is ``AlertSeverity`` or its name
    (``"warning"``); unknown names are ``StorageError.InvalidInput``.
    """

    __slots__ = ()

    def create(self, alert) -> None:
        """Stores a new ``AlertRecord``; a duplicate id is ``StorageError.Conflict``."""
        self._native.create(_to_native(alert))

    def get(self, alert_id: str):
        """The alert with this id, or ``None``."""
        return self._native.get(alert_id)

    def delete(self, alert_id: str) -> bool:
        """Removes the alert (and counts it out of the severity counts); returns whether it
        existed."""
        return self._native.delete(alert_id)

    def acknowledge(self, alert_id: str, by: str, at: int):
        """Marks an alert acknowledged by ``by`` at ``at``; returns it."""
        return self._native.acknowledge(alert_id, by, at)

    def resolve(self, alert_id: str, at: int):
        """Marks an alert resolved at ``at``; returns it."""
        return self._native.resolve(alert_id, at)

    def query_range(self, start: int, end: int, limit=None) -> list:
        """Alerts with ``start <= created_at < end``, oldest first."""
        return alerts_from_rows(self._native.query_range_json(start, end, limit))

    def query_by_severity(self, severity, start: int, end: int, limit=None) -> list:
        """Alerts of one severity with ``start <= created_at < end``, oldest first."""
        return self._native.query_by_severity(enum_arg("severity", _native.AlertSeverity, severity), start, end, limit)

    def query_by_entity(self, entity_id: str, start: int, end: int, limit=None) -> list:
        """Alerts of one entity with ``start <= created_at < end``, oldest first."""
        return self._native.query_by_entity(entity_id, start, end, limit)

    def query_by_source(self, source: str, start: int, end: int, limit=None) -> list:
        """Alerts of one source with ``start <= created_at < end``, oldest first."""
        return self._native.query_by_source(source, start, end, limit)

    def unacknowledged(self, limit=None) -> list:
        """Alerts nobody acknowledged."""
        return self._native.unacknowledged(limit)

    def unresolved(self, limit=None) -> list:
        """Alerts not resolved."""
        return self._native.unresolved(limit)

    def count_by_severity(self):
        """``SeverityCounts`` of stored alerts."""
        return self._native.count_by_severity()

    def count_unresolved_by_severity(self):
        """``SeverityCounts`` of unresolved alerts."""
        return self._native.count_unresolved_by_severity()

    def cleanup(self, before_ms: int) -> int:
        """Removes alerts created before ``before_ms``; returns how many."""
        return self._native.cleanup(before_ms)
