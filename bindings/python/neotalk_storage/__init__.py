"""neotalk-storage: embedded storage for NeoTalk edge gateways.

Telemetry, device state, an event log, rule/workflow history, alerts, decisions, chat
sessions, long-term memory and vector collections on a redb file (or in memory), through a Rust core.

    from neotalk_storage import StorageManager

    with StorageManager.open("data") as db:
        ts = db.timeseries()
        ts.write("thermo-1", "temperature", 1_000, 21.5)
        print(ts.query_latest("thermo-1", "temperature").value)

Errors are ``StorageError`` subclasses a caller catches by kind (``StorageError.NotFound``,
``StorageError.InvalidInput``, also a ``ValueError``, ``StorageError.Conflict``, ...); each
has a ``code`` equal to the core's ``StorageError::code()`` and a message naming what was
wrong. Records are the native record classes; in them telemetry values are plain Python
scalars and JSON fields (metadata, config, event data) are Python objects.
"""

import importlib.metadata as _metadata

from ._native import neotalk_storage_uniffi as _uniffi
from . import _packed_series
from .alerts import AlertStore
from .decisions import DecisionStore
from .device_state import DeviceStateStore
from .event_log import EventLogStore
from .maintenance import BackupManager, DataCleanupTask, RestoreManager
from .manager import StorageManager
from .memory import LongTermMemoryStore
from .replication import Replicator
from .rule_history import RuleHistoryStore
from .sessions import SessionStore
from .timeseries import TimeSeriesStore
from .vectors import VectorStore
from .workflow_history import WorkflowHistoryStore

__version__ = _metadata.version("neotalk-storage")

AggregateBucket = _uniffi.AggregateBucket
AlertRecord = _uniffi.AlertRecord
AlertSeverity = _uniffi.AlertSeverity
CollectionInfo = _uniffi.CollectionInfo
CompactionReport = _uniffi.CompactionReport
DamagedEntry = _uniffi.DamagedEntry
DecisionRecord = _uniffi.DecisionRecord
DecisionStatus = _uniffi.DecisionStatus
DistanceMetric = _uniffi.DistanceMetric
ExecutionStatus = _uniffi.ExecutionStatus
IntegrityReport = _uniffi.IntegrityReport
SalvageReport = _uniffi.SalvageReport
ReplicationReport = _uniffi.ReplicationReport
MemoryType = _uniffi.MemoryType
SeverityCounts = _uniffi.SeverityCounts
VectorDocument = _uniffi.VectorDocument
VectorFilter = _uniffi.VectorFilter
VectorMatch = _uniffi.VectorMatch
DataPoint = _uniffi.DataPoint
DeviceState = _uniffi.DeviceState
Durability = _uniffi.Durability
EventCleanup = _uniffi.EventCleanup
EventLogEntry = _uniffi.EventLogEntry
EventMetadata = _uniffi.EventMetadata
EventRetention = _uniffi.EventRetention
ExecutionResult = _uniffi.ExecutionResult
SequenceRange = _uniffi.SequenceRange
MdlCommand = _uniffi.MdlCommand
MdlDataType = _uniffi.MdlDataType
MdlDeviceType = _uniffi.MdlDeviceType
MdlMetric = _uniffi.MdlMetric
MdlParameter = _uniffi.MdlParameter
MetricSnapshot = _uniffi.MetricSnapshot
NewEvent = _uniffi.NewEvent
PackedSeries = _uniffi.PackedSeries
ProposedAction = _uniffi.ProposedAction
SeriesKey = _uniffi.SeriesKey
StorageError = _uniffi.StorageError
StorageOptions = _uniffi.StorageOptions
TableSize = _uniffi.TableSize
TelemetryPoint = _uniffi.TelemetryPoint
UserResponse = _uniffi.UserResponse
WriteBufferOptions = _uniffi.WriteBufferOptions
MemoryEntry = _uniffi.MemoryEntry
MemoryHit = _uniffi.MemoryHit
MemoryMetadata = _uniffi.MemoryMetadata
RuleActionRecord = _uniffi.RuleActionRecord
RuleExecutionRecord = _uniffi.RuleExecutionRecord
RuleStatistics = _uniffi.RuleStatistics
SequencedMessage = _uniffi.SequencedMessage
SessionInfo = _uniffi.SessionInfo
SessionMessage = _uniffi.SessionMessage
SessionSummary = _uniffi.SessionSummary
StepExecutionRecord = _uniffi.StepExecutionRecord
WorkflowExecutionRecord = _uniffi.WorkflowExecutionRecord

# The core's machine-readable code of each kind of error.
_CODES = {
    "NotFound": "NOT_FOUND",
    "InvalidInput": "INVALID_INPUT",
    "Conflict": "CONFLICT",
    "Corrupted": "CORRUPTED",
    "VersionMismatch": "VERSION_MISMATCH",
    "Locked": "LOCKED",
    "Io": "IO",
    "Backend": "BACKEND",
    "Closed": "CLOSED",
    "ReadOnly": "READ_ONLY",
}
for _name, _code in _CODES.items():
    getattr(StorageError, _name).code = _code
del _name, _code
# A refused argument is also what Python code catches as ValueError (int("x"), math.sqrt(-1)).
StorageError.InvalidInput.__bases__ = (StorageError, ValueError)


def _record_repr(self) -> str:
    fields = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
    return f"{type(self).__name__}({fields})"


def _patch_record_reprs():
    """uniffi decorates records with ``@dataclass`` but sets their fields in ``__init__``, so the
    dataclass ``repr`` shows none (``DataPoint()``): give them one that lists every field."""
    import dataclasses

    def patch(cls):
        if dataclasses.is_dataclass(cls) and "__str__" in vars(cls):
            cls.__repr__ = _record_repr

    for value in list(globals().values()):
        if isinstance(value, type):
            patch(value)
            # The variants of an enum with fields (``ExecutionResult.FAILED``) are nested classes.
            for nested in list(vars(value).values()):
                if isinstance(nested, type):
                    patch(nested)


_patch_record_reprs()
del _patch_record_reprs

_packed_series.install()

__all__ = [
    "AggregateBucket",
    "AlertRecord",
    "AlertSeverity",
    "AlertStore",
    "BackupManager",
    "CollectionInfo",
    "CompactionReport",
    "DamagedEntry",
    "DataCleanupTask",
    "DataPoint",
    "DecisionRecord",
    "DecisionStatus",
    "DecisionStore",
    "DeviceState",
    "DeviceStateStore",
    "DistanceMetric",
    "Durability",
    "EventCleanup",
    "EventLogEntry",
    "EventLogStore",
    "EventMetadata",
    "EventRetention",
    "ExecutionResult",
    "ExecutionStatus",
    "IntegrityReport",
    "LongTermMemoryStore",
    "MdlCommand",
    "MdlDataType",
    "MdlDeviceType",
    "MdlMetric",
    "MdlParameter",
    "MemoryEntry",
    "MemoryHit",
    "MemoryMetadata",
    "MemoryType",
    "MetricSnapshot",
    "NewEvent",
    "PackedSeries",
    "ProposedAction",
    "ReplicationReport",
    "Replicator",
    "RestoreManager",
    "RuleActionRecord",
    "RuleExecutionRecord",
    "RuleHistoryStore",
    "RuleStatistics",
    "SalvageReport",
    "SequenceRange",
    "SequencedMessage",
    "SeriesKey",
    "SessionInfo",
    "SessionMessage",
    "SessionStore",
    "SessionSummary",
    "SeverityCounts",
    "StepExecutionRecord",
    "StorageError",
    "StorageManager",
    "StorageOptions",
    "TableSize",
    "TelemetryPoint",
    "TimeSeriesStore",
    "UserResponse",
    "VectorDocument",
    "VectorFilter",
    "VectorMatch",
    "VectorStore",
    "WorkflowExecutionRecord",
    "WorkflowHistoryStore",
    "WriteBufferOptions",
]
