"""Workflow run history: :class:`WorkflowHistoryStore` (records are dicts)."""

from ._native import neotalk_storage_uniffi as _native
from ._records import dumps, enum_arg, loads, loads_all
from ._values import json_dumps


class WorkflowHistoryStore:
    """Workflow runs and their steps; obtain it from ``StorageManager.workflow_history()``.

    A run is a dict of the core's ``WorkflowExecutionRecord`` (``execution_id``,
    ``workflow_id``, ``workflow_name``, ``trigger_type``, ``trigger_data``, ``started_at``,
    ``finished_at``, ``status`` (``"Running"``, ``"Completed"``, ``"Failed"``,
    ``"Cancelled"``), ``steps``, ``inputs``, ``outputs``, ``error``); a step a dict of
    ``StepExecutionRecord``. ``status`` arguments are ``ExecutionStatus`` or its name.
    """

    __slots__ = ("_native",)

    def __init__(self, native):
        self._native = native

    def start(self, record: dict) -> None:
        """Stores a new run; a duplicate ``execution_id`` is ``StorageError.Conflict``."""
        self._native.start(dumps("record", record))

    def update(self, record: dict) -> dict:
        """Replaces a stored run; returns it as stored."""
        return loads(self._native.update(dumps("record", record)))

    def record_step(self, execution_id: str, step: dict) -> dict:
        """Adds or replaces (by ``step_id``) a step of a run; returns the run."""
        return loads(self._native.record_step(execution_id, dumps("step", step)))

    def finish(self, execution_id: str, status, finished_at: int, outputs=None, error=None) -> dict:
        """Ends a running run with a finished ``status`` at ``finished_at``; returns it."""
        status = enum_arg("status", _native.ExecutionStatus, status)
        text = None if outputs is None else json_dumps("outputs", outputs)
        return loads(self._native.finish(execution_id, status, finished_at, text, error))

    def get(self, execution_id: str):
        """The run with this id, or ``None``."""
        return loads(self._native.get(execution_id))

    def query_by_workflow(self, workflow_id: str, offset: int = 0, limit=None) -> list:
        """One page of a workflow's runs, newest first: skips ``offset``, then at most
        ``limit`` (``None``: all the rest)."""
        return loads_all(self._native.query_by_workflow(workflow_id, offset, limit))

    def query_range(self, start: int, end: int, limit=None) -> list:
        """Runs with ``start <= started_at < end``, oldest first."""
        return loads_all(self._native.query_range(start, end, limit))

    def query_by_status(self, status, start: int, end: int, limit=None) -> list:
        """Runs with this status and ``start <= started_at < end``, oldest first."""
        status = enum_arg("status", _native.ExecutionStatus, status)
        return loads_all(self._native.query_by_status(status, start, end, limit))

    def running(self) -> list:
        """Runs still running."""
        return loads_all(self._native.running())

    def cleanup(self, before_ms: int) -> int:
        """Removes every run started before ``before_ms``; returns how many."""
        return self._native.cleanup(before_ms)
