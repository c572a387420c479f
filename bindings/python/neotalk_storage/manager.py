"""The entry point: :class:`StorageManager`."""

import os

from ._native import neotalk_storage_uniffi as _native
from .device_state import DeviceStateStore
from .event_log import EventLogStore
from .timeseries import TimeSeriesStore


class StorageManager:
    """The storage of one NeoTalk gateway: every store over one database.

    Use it as a context manager so the database is closed (buffered telemetry committed,
    file released) when the block ends::

        with StorageManager.open("data") as db:
            db.timeseries().write("thermo-1", "temperature", 1_000, 21.5)

    After ``close()`` every call on it or its stores raises ``StorageError.Closed``.
    """

    __slots__ = ("_native", "_timeseries", "_devices", "_events")

    def __init__(self, native: "_native.StorageManager"):
        self._native = native
        self._timeseries = TimeSeriesStore(native.timeseries())
        self._devices = DeviceStateStore(native.devices())
        self._events = EventLogStore(native.events())

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

    def path(self):
        """The data directory, or ``None`` in memory."""
        return self._native.path()

    def backend_kind(self) -> str:
        """``"redb"`` or ``"memory"``."""
        return self._native.backend_kind()

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
