"""The entry point: :class:`StorageManager`."""

import os

from ._native import neotalk_storage_uniffi as _native
from ._records import loads
from .alerts import AlertStore
from .decisions import DecisionStore
from .device_state import DeviceStateStore
from .event_log import EventLogStore
from .memory import LongTermMemoryStore
from .rule_history import RuleHistoryStore
from .sessions import SessionStore
from .timeseries import TimeSeriesStore
from .vectors import VectorStore
from .workflow_history import WorkflowHistoryStore

# Store accessor name -> wrapper class; each wraps the native store of the same name.
_STORES = {
    "rule_history": RuleHistoryStore,
    "workflow_history": WorkflowHistoryStore,
    "alerts": AlertStore,
    "decisions": DecisionStore,
    "sessions": SessionStore,
    "memory": LongTermMemoryStore,
    "vectors": VectorStore,
}


class StorageManager:
    """The storage of one NeoTalk gateway: every store over one database.

    Use it as a context manager so the database is closed (buffered telemetry committed,
    file released) when the block ends::

        with StorageManager.open("data") as db:
            db.timeseries().write("thermo-1", "temperature", 1_000, 21.5)

    After ``close()`` every call on it or its stores raises ``StorageError.Closed``.
    """

    __slots__ = ("_native", "_timeseries", "_devices", "_events", "_stores")

    def __init__(self, native: "_native.StorageManager"):
        self._native = native
        self._timeseries = TimeSeriesStore(native.timeseries(), native)
        self._devices = DeviceStateStore(native.devices(), native)
        self._events = EventLogStore(native.events(), native)
        self._stores = {name: cls(getattr(native, name)(), native) for name, cls in _STORES.items()}

    @classmethod
    def open(cls, path, options=None) -> "StorageManager":
        """Opens (creating if needed) the database in directory ``path`` (``path/storage.redb``).

        ``options`` is a ``StorageOptions``; unset fields keep their defaults. Raises
        ``StorageError.Locked`` when another handle has it open, ``VersionMismatch`` or
        ``Corrupted`` when the file is not one this build reads (the file is left as it was).
        """
        path = os.fspath(path)
        native = _native.StorageManager.open(path) if options is None else _native.StorageManager.open_with(path, options)
        return cls(native)

    @classmethod
    def open_read_only(cls, path) -> "StorageManager":
        """Opens the existing database in directory ``path`` without ever writing to it
        (read-only media, or a copy under inspection). Reads work; every write raises
        ``StorageError.ReadOnly``. A directory without a database raises ``InvalidInput``."""
        return cls(_native.StorageManager.open_read_only(os.fspath(path)))

    @staticmethod
    def salvage(damaged_dir, out_dir):
        """The recovery path for a damaged database: copies every entry of the database in
        ``damaged_dir`` whose checksum holds into a new database in ``out_dir`` (which must
        not hold one), skipping the damaged ones, and returns a ``SalvageReport``
        (``entries_copied``, ``damaged_count``, ``damaged``: ``DamagedEntry`` list,
        ``read_from_copy``, ``config_files_copied``). The damaged files are never written."""
        return _native.salvage(os.fspath(damaged_dir), os.fspath(out_dir))

    @classmethod
    def in_memory(cls, options=None) -> "StorageManager":
        """A fresh database in memory; it is gone when closed."""
        native = _native.StorageManager.in_memory() if options is None else _native.StorageManager.in_memory_with(options)
        return cls(native)

    def timeseries(self) -> TimeSeriesStore:
        """Telemetry."""
        return self._timeseries

    def devices(self) -> DeviceStateStore:
        """Device states."""
        return self._devices

    def events(self) -> EventLogStore:
        """The event log."""
        return self._events

    def rule_history(self) -> RuleHistoryStore:
        """Rule execution history."""
        return self._stores["rule_history"]

    def workflow_history(self) -> WorkflowHistoryStore:
        """Workflow run history."""
        return self._stores["workflow_history"]

    def alerts(self) -> AlertStore:
        """Alerts."""
        return self._stores["alerts"]

    def decisions(self) -> DecisionStore:
        """LLM decisions."""
        return self._stores["decisions"]

    def sessions(self) -> SessionStore:
        """Chat sessions."""
        return self._stores["sessions"]

    def memory(self) -> LongTermMemoryStore:
        """Long-term memory."""
        return self._stores["memory"]

    def vectors(self) -> VectorStore:
        """Vector collections."""
        return self._stores["vectors"]

    def replication_status(self, target) -> dict:
        """The replication status of ``target`` (``postgres://...`` or ``parquet:DIR``):
        options, last error, and per feed the cursor, delivered and dropped counts, pending
        rows and lag. ``StorageError.NotFound`` before the first run to that target."""
        if isinstance(target, os.PathLike):
            target = f"parquet:{os.fspath(target)}"
        return loads(_native.replication_status(self._native, target))

    def stats(self) -> dict:
        """Sizes and counts per table, last write times and query latency since open (the
        core's ``StorageStats`` as a dict)."""
        return loads(self._native.stats())

    def compact(self):
        """Rewrites the file to release freed space; returns a ``CompactionReport``
        (``before_bytes``, ``after_bytes``). A no-op in memory."""
        return self._native.compact()

    def check_integrity(self) -> bool:
        """Checks every value's checksum and the file's structure; ``True`` when sound.
        ``integrity_report()`` says what is damaged."""
        return self._native.check_integrity()

    def integrity_report(self):
        """Reads every entry, checking its checksum, and runs redb's structural check.
        Returns an ``IntegrityReport`` (``ok``, ``entries_checked``, ``damaged_count``,
        ``damaged``: ``DamagedEntry`` with ``table``, ``key``, ``what``, ``problem``;
        ``engine_problem``) instead of raising; raises only when the database cannot be read."""
        return self._native.integrity_report()

    def export_snapshot(self) -> bytes:
        """A full snapshot of every table, as bytes (the backup file format)."""
        return self._native.export_snapshot()

    def import_snapshot(self, snapshot) -> dict:
        """Replaces the live data with a full (or selective) snapshot (bytes or any buffer);
        returns its manifest. The snapshot is verified first: a damaged one raises
        ``StorageError.Corrupted`` and leaves the data as it was."""
        return loads(self._native.import_snapshot(bytes(memoryview(snapshot))))

    def path(self):
        """The data directory, or ``None`` in memory."""
        return self._native.path()

    def backend_kind(self) -> str:
        """``"redb"`` or ``"memory"``."""
        return self._native.backend_kind()

    def is_split(self) -> bool:
        """Whether time series, vectors, sessions and events are in files of their own
        (``StorageOptions(split_files=True)`` when the database was created)."""
        return self._native.is_split()

    def table_sizes(self) -> list:
        """``TableSize`` (name, entries, stored bytes) of every table."""
        return self._native.table_sizes()

    def flush(self) -> None:
        """Commits buffered telemetry and makes every commit durable."""
        self._native.flush()

    def close(self) -> None:
        """Flushes and releases the database; closing twice is harmless."""
        self._native.close_storage()

    def __enter__(self) -> "StorageManager":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()
