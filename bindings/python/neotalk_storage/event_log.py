"""The event log: :class:`EventLogStore`."""

import typing

from ._native import neotalk_storage_uniffi as _native
from ._values import event_from_native, event_to_native, events_from_rows
from ._store import NativeStore


class EventLogStore(NativeStore):
    """Store of events; obtain it from ``StorageManager.events()``.

    ``event_data`` is any JSON value. Sequences increase strictly and are never reused.
    """

    __slots__ = ()

    def append(self, event) -> "_native.EventLogEntry":
        """Appends one ``NewEvent``; returns it as an ``EventLogEntry`` with its sequence. A
        duplicate ``event_id`` raises ``StorageError.Conflict``."""
        return event_from_native(self._native.append(event_to_native(event)))

    def append_batch(self, events: typing.Iterable) -> "_native.SequenceRange":
        """Appends events in one transaction, in order; all are stored or none. Returns the
        ``SequenceRange`` assigned (``first..=last``; an empty batch gives ``last == first - 1``);
        read the entries back with ``replay(first - 1, last - first + 1)``."""
        return self._native.append_batch([event_to_native(e) for e in events])

    def get(self, event_id: str):
        """The event with this id, or ``None``."""
        return event_from_native(self._native.get(event_id))

    def query_range(self, start: int, end: int, limit=None) -> list:
        """Events with ``start <= timestamp < end``, in time order, at most ``limit``."""
        return events_from_rows(self._native.query_range_json(start, end, limit))

    def query_by_type(self, event_type: str, start: int, end: int, limit=None) -> list:
        """Events of one type with ``start <= timestamp < end``, in time order."""
        return events_from_rows(self._native.query_by_type_json(event_type, start, end, limit))

    def query_by_correlation(self, correlation_id: str) -> list:
        """Every event of a correlation chain, in sequence order."""
        return [event_from_native(e) for e in self._native.query_by_correlation(correlation_id)]

    def replay(self, after_sequence: int, limit=None) -> list:
        """Up to ``limit`` events (``None``: all; 0: none) with a sequence greater than
        ``after_sequence``, in order; pass the last sequence seen to follow the log (0 starts
        at the beginning)."""
        return events_from_rows(self._native.replay_json(after_sequence, limit))

    def last_sequence(self) -> int:
        """The highest sequence ever assigned (0 before the first append)."""
        return self._native.last_sequence()

    def total_bytes(self) -> int:
        """Total bytes of stored events (the quantity ``max_size_mb`` limits)."""
        return self._native.total_bytes()

    def cleanup(self, now_ms: int, retention=None) -> "_native.EventCleanup":
        """Removes events past their retention window (``EventRetention``, default 7 days),
        then the oldest while the log is larger than ``max_size_mb``."""
        return self._native.cleanup(now_ms, retention if retention is not None else _native.EventRetention())
