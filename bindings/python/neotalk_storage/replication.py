"""Fleet replication: :class:`Replicator`."""

import os

from ._native import neotalk_storage_uniffi as _native
from ._records import loads
from ._store import NativeStore


class Replicator(NativeStore):
    """Delivers a database's telemetry, events, alerts, decisions and rule and workflow
    executions to PostgreSQL (``postgres://USER@HOST:PORT/DB``) or Parquet files
    (``parquet:DIR``), each row exactly once, keyed by ``gateway_id``::

        with StorageManager.open("data") as db:
            report = Replicator(db, "parquet:/mnt/fleet", "gateway-17").run_once()
            print(report.points)

    The cursors live in the database under ``sink_name()``: a new replicator of the same
    target resumes where the last one stopped. ``follow()`` blocks until ``stop()`` is
    called from another thread.
    """

    __slots__ = ()

    def __init__(self, storage, target, gateway_id: str):
        if isinstance(target, os.PathLike):
            target = f"parquet:{os.fspath(target)}"
        super().__init__(_native.Replicator(storage._native, target, gateway_id), storage._native)

    def sink_name(self) -> str:
        """The name the target's cursors are stored under."""
        return self._native.sink_name()

    def run_once(self):
        """Delivers everything not yet delivered; returns a ``ReplicationReport`` (points,
        events, alert_changes, record_changes, dropped, batches). A failing target raises
        ``StorageError.Io``; the batch in flight is delivered again next time."""
        return self._native.run_once()

    def follow(self, poll_ms: int = 1000):
        """Delivers new writes every ``poll_ms`` until ``stop()``; retries a failing target
        with growing pauses. Returns a ``ReplicationReport`` of everything delivered."""
        return self._native.follow(poll_ms)

    def stop(self) -> None:
        """Ends a running ``follow()`` after its current batch."""
        self._native.stop()

    def status(self) -> dict:
        """Options, last error, and per feed the cursor, delivered and dropped counts, pending
        rows and lag in ms."""
        return loads(self._native.status())
