"""Workflow run history: :class:`WorkflowHistoryStore` (runs are ``WorkflowExecutionRecord``)."""

from ._native import neotalk_storage_uniffi as _native
from ._records import enum_arg, json_out, typed_in
from ._values import json_dumps
from ._store import NativeStore


def _run_out(run):
    """A native run with its JSON fields (and its steps') as Python objects (in place)."""
    if run is not None:
        json_out(run, "trigger_data", "inputs", "outputs")
        for step in run.steps:
            json_out(step, "input", "output")
    return run


class WorkflowHistoryStore(NativeStore):
    """Workflow runs and their steps; obtain it from ``StorageManager.workflow_history()``.

    A run is a ``WorkflowExecutionRecord`` (``execution_id``, ``workflow_id``,
    ``workflow_name``, ``trigger_type``, ``trigger_data``, ``started_at``, ``finished_at``,
    ``status`` (an ``ExecutionStatus``), ``steps``, ``inputs``, ``outputs``, ``error``); a step
    a ``StepExecutionRecord``. ``trigger_data``, ``inputs``, ``outputs`` and a step's
    ``input``/``output`` are any JSON value. Arguments may also be dicts of the core's JSON
    form; ``status`` arguments are ``ExecutionStatus`` or its name.
    """

    __slots__ = ()

    def start(self, record) -> None:
        """Stores a new run; a duplicate ``execution_id`` is ``StorageError.Conflict``."""
        self._native.start(self._run_in(record))

    def update(self, record) -> "_native.WorkflowExecutionRecord":
        """Replaces a stored run; returns it as stored."""
        return _run_out(self._native.update(self._run_in(record)))

    def record_step(self, execution_id: str, step) -> "_native.WorkflowExecutionRecord":
        """Adds or replaces (by ``step_id``) a step of a run; returns the run."""
        step = typed_in("step", step, _native.StepExecutionRecord, _native.step_execution_record_from_json)
        return _run_out(self._native.record_step(execution_id, step))

    def finish(self, execution_id: str, status, finished_at: int, outputs=None, error=None):
        """Ends a running run with a finished ``status`` at ``finished_at``; returns it."""
        status = enum_arg("status", _native.ExecutionStatus, status)
        text = None if outputs is None else json_dumps("outputs", outputs)
        return _run_out(self._native.finish(execution_id, status, finished_at, text, error))

    def get(self, execution_id: str):
        """The run with this id, or ``None``."""
        return _run_out(self._native.get(execution_id))

    def query_by_workflow(self, workflow_id: str, offset: int = 0, limit=None) -> list:
        """One page of a workflow's runs, newest first: skips ``offset``, then at most
        ``limit`` (``None``: all the rest)."""
        return [_run_out(r) for r in self._native.query_by_workflow(workflow_id, offset, limit)]

    def query_range(self, start: int, end: int, limit=None) -> list:
        """Runs with ``start <= started_at < end``, oldest first."""
        return [_run_out(r) for r in self._native.query_range(start, end, limit)]

    def query_by_status(self, status, start: int, end: int, limit=None) -> list:
        """Runs with this status and ``start <= started_at < end``, oldest first."""
        status = enum_arg("status", _native.ExecutionStatus, status)
        return [_run_out(r) for r in self._native.query_by_status(status, start, end, limit)]

    def running(self) -> list:
        """Runs still running."""
        return [_run_out(r) for r in self._native.running()]

    def cleanup(self, before_ms: int) -> int:
        """Removes every run started before ``before_ms``; returns how many."""
        return self._native.cleanup(before_ms)

    @staticmethod
    def _run_in(record):
        return typed_in("record", record, _native.WorkflowExecutionRecord, _native.workflow_execution_record_from_json)
