"""Maintenance over a whole database: :class:`DataCleanupTask`, :class:`BackupManager`,
:class:`RestoreManager`. Configurations and reports are dicts of the core's serde form."""

import os

from ._native import neotalk_storage_uniffi as _native
from ._records import dumps, loads, loads_all
from ._store import NativeStore


def _backup_kind(kind) -> str:
    """``"full"``, ``"incremental"``, or a dict such as
    ``{"type": "selective", "tables": ["alerts"]}``, as JSON text."""
    if isinstance(kind, str):
        kind = {"type": kind}
    return dumps("kind", kind)


class DataCleanupTask(NativeStore):
    """One retention run over every store (``retention.yaml`` semantics).

    ``retention`` is a dict of the core's ``RetentionConfig`` (e.g.
    ``{"events": {"keep": "36h"}, "alerts": {"keep": "30d"}, "decisions": {"keep": "forever"}}``;
    a bare number counts days); unknown keys and windows that are not durations are
    ``StorageError.InvalidInput``; ``None`` keeps the defaults.
    """

    __slots__ = ()

    def __init__(self, storage, retention=None):
        text = None if retention is None else dumps("retention", retention)
        super().__init__(_native.DataCleanupTask(storage._native, text), storage._native)

    def config(self) -> dict:
        """The retention this task applies, with every default filled in."""
        return loads(self._native.config())

    def run(self, now_ms: int) -> dict:
        """Cleans every store as of ``now_ms``; returns ``{"removed": {store: n}, "failed":
        {store: message}}`` (a failing store does not stop the others)."""
        return loads(self._native.run(now_ms))


class BackupManager(NativeStore):
    """Takes backups of a file database into its backup directory.

    ``config`` is a dict of the core's ``BackupConfig`` (``backup_dir``, relative to the data
    directory; ``interval_hours``; ``retain_count``; ``enabled_backups``).
    """

    __slots__ = ()

    def __init__(self, storage, config=None):
        text = None if config is None else dumps("config", config)
        super().__init__(_native.BackupManager(storage._native, text), storage._native)

    def dir(self) -> str:
        """The backup directory."""
        return self._native.dir()

    def config(self) -> dict:
        """The settings, with every default filled in."""
        return loads(self._native.config())

    def backup(self, kind="full") -> dict:
        """Takes one backup (``"full"``, ``"incremental"`` or ``{"type": "selective",
        "tables": [...]}``); returns its ``BackupInfo`` dict (``id``, ``path``, ``size_bytes``,
        ``manifest``)."""
        return loads(self._native.backup(_backup_kind(kind)))

    def run_enabled(self) -> list:
        """Takes every backup the configuration enables."""
        return loads_all(self._native.run_enabled())

    def prune(self) -> list:
        """Removes backups beyond ``retain_count``; returns the removed ids."""
        return self._native.prune()


class RestoreManager(NativeStore):
    """Lists, verifies and restores the backups in ``backup_dir`` into ``storage``."""

    __slots__ = ()

    def __init__(self, storage, backup_dir):
        super().__init__(_native.RestoreManager(storage._native, os.fspath(backup_dir)), storage._native)

    def list_backups(self) -> list:
        """Every backup file, oldest first; damaged ones carry a ``problem``."""
        return loads_all(self._native.list_backups())

    def newest(self):
        """The newest backup file (even when damaged), or ``None``."""
        return loads(self._native.newest())

    def verify(self, id: str) -> dict:
        """Verifies a backup and its chain (``{"ok": ..., "problem": ...}``). A hostile id
        (path separators, ``..``) is ``StorageError.InvalidInput``, an unknown one
        ``StorageError.NotFound``."""
        return loads(self._native.verify(id))

    def restore(self, id: str) -> dict:
        """Restores a backup with its chain atomically; any failure leaves the data as it was."""
        return loads(self._native.restore(id))
