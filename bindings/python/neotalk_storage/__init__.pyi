"""Type stubs of neotalk_storage (the public API; the native module is internal)."""

import enum
import os
import typing
from typing import Any, Iterable, Optional, Union

__version__: str
"""The installed distribution's version (``importlib.metadata.version("neotalk-storage")``)."""

_Value = Union[int, float, bool, str, bytes]
"""A telemetry value: int (i64), finite float, bool, str or bytes (read back as bytes)."""
_Json = Any
"""Any value JSON can hold: dict, list, str, int, float (finite), bool or None."""
_Buffer = Any
"""bytes, bytearray, array('q') / array('d'), a numpy array or any buffer of 8-byte items."""
_Timestamps = Any
"""Unix ms: a 1-D buffer of 8-byte signed integers (bytes, array('q'), numpy int64) or a numpy
datetime64 array of a fixed unit, converted exactly (NaT and sub-millisecond values refused)."""
_Values = Any
"""A 1-D column: float64 (array('d'), numpy float64, raw little-endian bytes), int64
(array('q'), numpy int64) or bool (numpy bool)."""

_F32 = Any
"""float32 vectors: a numpy float32 array (any shape, C order), array('f'), little-endian
bytes, or a sequence of numbers."""

# --- errors -------------------------------------------------------------------------------

class StorageError(Exception):
    """Base of every error; catch a kind, e.g. ``except StorageError.NotFound``."""

    code: typing.ClassVar[str]

    class NotFound(StorageError):
        """The record asked for does not exist (code ``NOT_FOUND``)."""
    class InvalidInput(StorageError):
        """An argument was rejected before anything was written (code ``INVALID_INPUT``)."""
    class Conflict(StorageError):
        """The operation contradicts stored state, e.g. a duplicate id (code ``CONFLICT``)."""
    class Corrupted(StorageError):
        """Stored bytes could not be decoded (code ``CORRUPTED``)."""
    class VersionMismatch(StorageError):
        """The file has a format version this build does not read (code ``VERSION_MISMATCH``)."""
    class Locked(StorageError):
        """Another handle holds the database (code ``LOCKED``)."""
    class Io(StorageError):
        """The operating system refused an I/O operation (code ``IO``)."""
    class Backend(StorageError):
        """The storage engine failed (code ``BACKEND``)."""
    class Closed(StorageError):
        """The storage was closed (code ``CLOSED``)."""
    class ReadOnly(StorageError):
        """The database was opened read-only (code ``READ_ONLY``)."""

# --- options ------------------------------------------------------------------------------

class Durability(enum.Enum):
    IMMEDIATE = 0
    EVENTUAL = 1

class WriteBufferOptions:
    """Unset fields keep the core's defaults."""
    max_points: Optional[int]
    max_delay_ms: Optional[int]
    def __init__(self, *, max_points: Optional[int] = None, max_delay_ms: Optional[int] = None) -> None: ...

class StorageOptions:
    durability: Optional[Durability]
    write_buffer: Optional[WriteBufferOptions]
    device_cache_entries: Optional[int]
    series_cache_entries: Optional[int]
    page_cache_bytes: Optional[int]
    split_files: Optional[bool]
    rollups: Optional[str]
    """JSON of a ``RollupConfig``: ``'{"tiers": [{"every": "1m", "keep": "90d"}]}'``."""
    max_binary_value_bytes: Optional[int]
    """Largest binary telemetry value accepted (16 MiB by default)."""
    def __init__(
        self,
        *,
        durability: Optional[Durability] = None,
        write_buffer: Optional[WriteBufferOptions] = None,
        device_cache_entries: Optional[int] = None,
        series_cache_entries: Optional[int] = None,
        page_cache_bytes: Optional[int] = None,
        split_files: Optional[bool] = None,
        rollups: Optional[str] = None,
        max_binary_value_bytes: Optional[int] = None,
    ) -> None: ...

class TableSize:
    name: str
    entries: int
    stored_bytes: int
    def __init__(self, *, name: str, entries: int, stored_bytes: int) -> None: ...

# --- telemetry records --------------------------------------------------------------------

class DataPoint:
    """One telemetry sample."""

    timestamp: int
    value: _Value
    quality: Optional[float]
    metadata: Optional[_Json]
    def __init__(self, *, timestamp: int, value: _Value, quality: Optional[float] = None, metadata: Optional[_Json] = None) -> None: ...

class TelemetryPoint:
    """A point addressed to a series."""

    device_id: str
    metric: str
    point: DataPoint
    def __init__(self, *, device_id: str, metric: str, point: DataPoint) -> None: ...

class SeriesKey:
    device_id: str
    metric: str
    def __init__(self, *, device_id: str, metric: str) -> None: ...

class AggregateBucket:
    """Aggregates of one bucket ``[bucket_start, bucket_start + bucket_ms)``."""

    bucket_start: int
    count: int
    sum: Optional[float]
    min: Optional[float]
    max: Optional[float]
    avg: Optional[float]
    first: Optional[float]
    last: Optional[float]
    def __init__(
        self,
        *,
        bucket_start: int,
        count: int,
        sum: Optional[float],
        min: Optional[float],
        max: Optional[float],
        avg: Optional[float],
        first: Optional[float],
        last: Optional[float],
    ) -> None: ...

class PackedSeries:
    """Packed points: little-endian i64 timestamps and f64 values, 8 bytes per item."""

    timestamps: bytes
    values: bytes
    def __init__(self, *, timestamps: bytes, values: bytes) -> None: ...
    def __len__(self) -> int: ...
    def timestamps_view(self) -> memoryview:
        """The timestamps as a zero-copy memoryview of int (format 'q')."""
    def values_view(self) -> memoryview:
        """The values as a zero-copy memoryview of float (format 'd')."""
    def to_numpy(self, datetime: bool = False) -> tuple[Any, Any]:
        """(timestamps, values) as read-only numpy arrays viewing the buffers, no copy: int64
        Unix ms (datetime64[ms] when datetime) and float64. Needs numpy."""
    def to_pandas(self) -> Any:
        """The values as a pandas.Series indexed by a naive DatetimeIndex named "timestamp"
        (UTC); pandas copies the data. Needs pandas."""

# --- device records -----------------------------------------------------------------------

class MdlDataType(enum.Enum):
    FLOAT = 0
    INTEGER = 1
    STRING = 2
    BOOLEAN = 3

class MdlMetric:
    name: str
    data_type: MdlDataType
    unit: Optional[str]
    def __init__(self, *, name: str, data_type: MdlDataType, unit: Optional[str] = None) -> None: ...

class MdlParameter:
    name: str
    data_type: MdlDataType
    required: bool
    def __init__(self, *, name: str, data_type: MdlDataType, required: bool) -> None: ...

class MdlCommand:
    name: str
    parameters: list[MdlParameter]
    def __init__(self, *, name: str, parameters: list[MdlParameter]) -> None: ...

class MdlDeviceType:
    type_id: str
    name: str
    metrics: list[MdlMetric]
    commands: list[MdlCommand]
    def __init__(self, *, type_id: str, name: str, metrics: list[MdlMetric], commands: list[MdlCommand]) -> None: ...

class MetricSnapshot:
    """The latest value of one metric of a device."""

    value: _Value
    timestamp: int
    quality: Optional[float]
    binary_bytes: Optional[int]
    """The size of a binary value, whose bytes the snapshot leaves out (``value`` is ``b""``)."""
    def __init__(
        self, *, value: _Value, timestamp: int, quality: Optional[float] = None, binary_bytes: Optional[int] = None
    ) -> None: ...

class DeviceState:
    """The current state of a device."""

    device_id: str
    device_type: str
    config: _Json
    name: str
    online: bool
    last_seen: int
    metrics: dict[str, MetricSnapshot]
    mdl_definition: Optional[MdlDeviceType]
    adapter: str
    def __init__(
        self,
        *,
        device_id: str,
        device_type: str,
        config: _Json,
        name: str = "",
        online: bool = True,
        last_seen: int = 0,
        metrics: dict[str, MetricSnapshot] = ...,
        mdl_definition: Optional[MdlDeviceType] = None,
        adapter: str = "",
    ) -> None: ...

# --- event records ------------------------------------------------------------------------

class EventMetadata:
    source: str
    timestamp: int
    correlation_id: Optional[str]
    causation_id: Optional[str]
    def __init__(self, *, source: str, timestamp: int, correlation_id: Optional[str] = None, causation_id: Optional[str] = None) -> None: ...

class NewEvent:
    """An event to append."""

    event_id: str
    event_type: str
    event_data: _Json
    metadata: EventMetadata
    def __init__(self, *, event_id: str, event_type: str, event_data: _Json, metadata: EventMetadata) -> None: ...

class EventLogEntry:
    """A stored event."""

    event_id: str
    event_type: str
    event_data: _Json
    metadata: EventMetadata
    sequence: int
    def __init__(self, *, event_id: str, event_type: str, event_data: _Json, metadata: EventMetadata, sequence: int) -> None: ...

class EventRetention:
    """Windows are durations: ``"7d"``, ``"36h"``, ``"15m"``, ``"forever"`` (a bare number counts days)."""
    keep: str
    max_size_mb: int
    by_type: dict[str, str]
    def __init__(self, *, keep: str = "7d", max_size_mb: int = 1000, by_type: dict[str, str] = ...) -> None: ...

class SequenceRange:
    """Sequences ``append_batch`` assigned: ``first..=last``; empty when ``last == first - 1``."""
    first: int
    last: int
    def __init__(self, *, first: int, last: int) -> None: ...

class EventCleanup:
    expired: int
    over_size: int
    def __init__(self, *, expired: int, over_size: int) -> None: ...

# --- stores -------------------------------------------------------------------------------

class TimeSeriesStore:
    """Telemetry series; time ranges are half-open ``[start, end)`` in Unix ms (``end=None``: no upper bound)."""

    def write(self, device_id: str, metric: str, timestamp: int, value: _Value, *, quality: Optional[float] = None, metadata: Optional[_Json] = None) -> None: ...
    def write_batch(self, points: Iterable[Union[TelemetryPoint, tuple[str, str, int, _Value]]]) -> None: ...
    def write_series(self, device_id: str, metric: str, points: Iterable[Union[DataPoint, tuple[int, _Value]]]) -> None: ...
    def write_packed(self, device_id: str, metric: str, timestamps: _Timestamps, values: _Values) -> None: ...
    def flush(self) -> None: ...
    def buffered_points(self) -> int: ...
    def query_range(self, device_id: str, metric: str, start: int, end: Optional[int], *, limit: Optional[int] = None, newest_first: bool = False) -> list[DataPoint]: ...
    def query_range_packed(self, device_id: str, metric: str, start: int, end: Optional[int], *, limit: Optional[int] = None, newest_first: bool = False) -> PackedSeries: ...
    def query_latest(self, device_id: str, metric: str) -> Optional[DataPoint]: ...
    def query_latest_batch(self, series: Iterable[Union[SeriesKey, tuple[str, str]]]) -> list[Optional[DataPoint]]: ...
    def query_aggregated(self, device_id: str, metric: str, start: int, end: Optional[int], bucket_ms: int) -> list[AggregateBucket]: ...
    def list_devices_with_data(self) -> list[str]: ...
    def list_metrics(self, device_id: str) -> list[str]: ...
    def delete_range(self, device_id: str, metric: str, start: int, end: Optional[int]) -> int: ...
    def delete_device(self, device_id: str) -> int: ...
    def delete_metric(self, metric: str) -> int: ...
    def aggregation_tier(self, device_id: str, metric: str, start: int, end: Optional[int], bucket_ms: int) -> Optional[int]: ...
    def rebuild_rollups(self) -> int: ...

class DeviceStateStore:
    """Device states."""

    def upsert(self, state: DeviceState) -> None: ...
    def get_device(self, device_id: str) -> Optional[DeviceState]: ...
    def delete(self, device_id: str, cascade: bool = False) -> int: ...
    def list_devices(self) -> list[DeviceState]: ...
    def list_by_type(self, device_type: str) -> list[DeviceState]: ...
    def list_online(self) -> list[DeviceState]: ...
    def list_offline(self) -> list[DeviceState]: ...
    def set_online(self, device_id: str, online: bool) -> None: ...

class EventLogStore:
    """The event log."""

    def append(self, event: NewEvent) -> EventLogEntry: ...
    def append_batch(self, events: Iterable[NewEvent]) -> SequenceRange: ...
    def get(self, event_id: str) -> Optional[EventLogEntry]: ...
    def query_range(self, start: int, end: int, limit: Optional[int] = None) -> list[EventLogEntry]: ...
    def query_by_type(self, event_type: str, start: int, end: int, limit: Optional[int] = None) -> list[EventLogEntry]: ...
    def query_by_correlation(self, correlation_id: str) -> list[EventLogEntry]: ...
    def replay(self, after_sequence: int, limit: int) -> list[EventLogEntry]: ...
    def last_sequence(self) -> int: ...
    def total_bytes(self) -> int: ...
    def cleanup(self, now_ms: int, retention: Optional[EventRetention] = None) -> EventCleanup: ...

# --- alerts, history, decisions, sessions, memory, vectors -----------------------------------

class AlertSeverity(enum.Enum):
    INFO = 0
    WARNING = 1
    ERROR = 2
    CRITICAL = 3

class DecisionStatus(enum.Enum):
    PROPOSED = 0
    APPROVED = 1
    REJECTED = 2
    AUTO_EXECUTED = 3
    EXPIRED = 4

class ExecutionStatus(enum.Enum):
    RUNNING = 0
    COMPLETED = 1
    FAILED = 2
    CANCELLED = 3

class MemoryType(enum.Enum):
    DEVICE_KNOWLEDGE = 0
    USER_PREFERENCE = 1
    SYSTEM_KNOWLEDGE = 2
    HISTORICAL_EVENT = 3
    RULE_EXPLANATION = 4
    OTHER = 5

class DistanceMetric(enum.Enum):
    COSINE = 0
    EUCLIDEAN = 1
    DOT_PRODUCT = 2

class AlertRecord:
    """An alert; ``severity`` may be given as a name (``"warning"``)."""

    alert_id: str
    title: str
    severity: AlertSeverity
    message: str
    source: str
    created_at: int
    entity_id: Optional[str]
    entity_type: Optional[str]
    acknowledged: bool
    acknowledged_by: Optional[str]
    acknowledged_at: Optional[int]
    resolved_at: Optional[int]
    def __init__(
        self,
        *,
        alert_id: str,
        title: str,
        severity: Union[AlertSeverity, str],
        message: str,
        source: str,
        created_at: int,
        entity_id: Optional[str] = None,
        entity_type: Optional[str] = None,
        acknowledged: bool = False,
        acknowledged_by: Optional[str] = None,
        acknowledged_at: Optional[int] = None,
        resolved_at: Optional[int] = None,
    ) -> None: ...

class SeverityCounts:
    info: int
    warning: int
    error: int
    critical: int

class CollectionInfo:
    name: str
    dimension: int
    metric: DistanceMetric

class VectorDocument:
    id: str
    embedding: list[float]
    metadata: _Json

class VectorMatch:
    id: str
    score: float
    metadata: _Json

class VectorFilter:
    """Keeps documents whose metadata field ``field`` equals ``value`` (JSON text)."""

    field: str
    value: str
    def __init__(self, *, field: str, value: str) -> None: ...

class CompactionReport:
    before_bytes: int
    after_bytes: int

class DamagedEntry:
    table: str
    key: str
    what: str | None
    problem: str

class IntegrityReport:
    ok: bool
    entries_checked: int
    damaged_count: int
    damaged: list[DamagedEntry]
    engine_problem: str | None
    engine_checked: bool

class SalvageReport:
    entries_copied: int
    damaged_count: int
    damaged: list[DamagedEntry]
    read_from_copy: bool
    config_files_copied: int

class ReplicationReport:
    points: int
    events: int
    alert_changes: int
    record_changes: int
    dropped: int
    batches: int

class Replicator:
    """Delivers the change feeds to ``postgres://USER@HOST:PORT/DB`` or ``parquet:DIR``."""

    def __init__(self, storage: StorageManager, target: Union[str, os.PathLike[str]], gateway_id: str) -> None: ...
    def sink_name(self) -> str: ...
    def run_once(self) -> ReplicationReport: ...
    def follow(self, poll_ms: int = 1000) -> ReplicationReport: ...
    def stop(self) -> None: ...
    def status(self) -> dict[str, Any]: ...

class RuleActionRecord:
    """One action a rule execution ran; ``action_data`` is any JSON value."""

    action_type: str
    action_data: _Json
    success: bool
    error: Optional[str]
    def __init__(self, *, action_type: str, success: bool, action_data: _Json = None, error: Optional[str] = None) -> None: ...

class RuleExecutionRecord:
    """One execution of a rule."""

    execution_id: str
    rule_id: str
    rule_name: str
    triggered_at: int
    trigger_value: Optional[float]
    condition_met: bool
    actions: list[RuleActionRecord]
    result: ExecutionResult
    duration_ms: int
    def __init__(
        self,
        *,
        execution_id: str,
        rule_id: str,
        rule_name: str,
        triggered_at: int,
        result: ExecutionResult,
        trigger_value: Optional[float] = None,
        condition_met: bool = True,
        actions: list[RuleActionRecord] = ...,
        duration_ms: int = 0,
    ) -> None: ...

class RuleStatistics:
    """Execution counts and durations of one rule over a time range."""

    rule_id: str
    triggers: int
    condition_met: int
    success: int
    partial_success: int
    failed: int
    mean_duration_ms: float
    max_duration_ms: int

class RuleHistoryStore:
    """Rule executions; arguments are typed records or dicts of the core's JSON form."""

    def record(self, record: Union[RuleExecutionRecord, dict[str, Any]]) -> None: ...
    def record_batch(self, records: Iterable[Union[RuleExecutionRecord, dict[str, Any]]]) -> None: ...
    def get(self, execution_id: str) -> Optional[RuleExecutionRecord]: ...
    def query_by_rule(self, rule_id: str, offset: int = 0, limit: Optional[int] = None) -> list[RuleExecutionRecord]: ...
    def query_rule_range(self, rule_id: str, start: int, end: int, limit: Optional[int] = None) -> list[RuleExecutionRecord]: ...
    def query_range(self, start: int, end: int, limit: Optional[int] = None) -> list[RuleExecutionRecord]: ...
    def query_failed(self, start: int, end: int, limit: Optional[int] = None) -> list[RuleExecutionRecord]: ...
    def rule_statistics(self, rule_id: str, start: int, end: int) -> RuleStatistics: ...
    def statistics(self, start: int, end: int) -> list[RuleStatistics]: ...
    def cleanup(self, before_ms: int) -> int: ...

class StepExecutionRecord:
    """One step of a workflow run; ``input`` and ``output`` are any JSON value."""

    step_id: str
    step_name: str
    step_type: str
    started_at: int
    finished_at: Optional[int]
    status: ExecutionStatus
    input: _Json
    output: _Json
    error: Optional[str]
    def __init__(
        self,
        *,
        step_id: str,
        step_name: str,
        step_type: str,
        started_at: int,
        status: ExecutionStatus,
        finished_at: Optional[int] = None,
        input: _Json = None,
        output: _Json = None,
        error: Optional[str] = None,
    ) -> None: ...

class WorkflowExecutionRecord:
    """One run of a workflow; ``trigger_data``, ``inputs`` and ``outputs`` are any JSON value."""

    execution_id: str
    workflow_id: str
    workflow_name: str
    trigger_type: str
    trigger_data: _Json
    started_at: int
    finished_at: Optional[int]
    status: ExecutionStatus
    steps: list[StepExecutionRecord]
    inputs: _Json
    outputs: _Json
    error: Optional[str]
    def __init__(
        self,
        *,
        execution_id: str,
        workflow_id: str,
        workflow_name: str,
        trigger_type: str,
        started_at: int,
        status: ExecutionStatus,
        trigger_data: _Json = None,
        finished_at: Optional[int] = None,
        steps: list[StepExecutionRecord] = ...,
        inputs: _Json = None,
        outputs: _Json = None,
        error: Optional[str] = None,
    ) -> None: ...

class WorkflowHistoryStore:
    """Workflow runs; arguments are typed records or dicts of the core's JSON form."""

    def start(self, record: Union[WorkflowExecutionRecord, dict[str, Any]]) -> None: ...
    def update(self, record: Union[WorkflowExecutionRecord, dict[str, Any]]) -> WorkflowExecutionRecord: ...
    def record_step(self, execution_id: str, step: Union[StepExecutionRecord, dict[str, Any]]) -> WorkflowExecutionRecord: ...
    def finish(
        self,
        execution_id: str,
        status: Union[ExecutionStatus, str],
        finished_at: int,
        outputs: _Json = None,
        error: Optional[str] = None,
    ) -> WorkflowExecutionRecord: ...
    def get(self, execution_id: str) -> Optional[WorkflowExecutionRecord]: ...
    def query_by_workflow(self, workflow_id: str, offset: int = 0, limit: Optional[int] = None) -> list[WorkflowExecutionRecord]: ...
    def query_range(self, start: int, end: int, limit: Optional[int] = None) -> list[WorkflowExecutionRecord]: ...
    def query_by_status(
        self, status: Union[ExecutionStatus, str], start: int, end: int, limit: Optional[int] = None
    ) -> list[WorkflowExecutionRecord]: ...
    def running(self) -> list[WorkflowExecutionRecord]: ...
    def cleanup(self, before_ms: int) -> int: ...

class AlertStore:
    """Alerts."""

    def create(self, alert: AlertRecord) -> None: ...
    def get(self, alert_id: str) -> Optional[AlertRecord]: ...
    def delete(self, alert_id: str) -> bool: ...
    def acknowledge(self, alert_id: str, by: str, at: int) -> AlertRecord: ...
    def resolve(self, alert_id: str, at: int) -> AlertRecord: ...
    def query_range(self, start: int, end: int, limit: Optional[int] = None) -> list[AlertRecord]: ...
    def query_by_severity(
        self, severity: Union[AlertSeverity, str], start: int, end: int, limit: Optional[int] = None
    ) -> list[AlertRecord]: ...
    def query_by_entity(self, entity_id: str, start: int, end: int, limit: Optional[int] = None) -> list[AlertRecord]: ...
    def query_by_source(self, source: str, start: int, end: int, limit: Optional[int] = None) -> list[AlertRecord]: ...
    def unacknowledged(self, limit: Optional[int] = None) -> list[AlertRecord]: ...
    def unresolved(self, limit: Optional[int] = None) -> list[AlertRecord]: ...
    def count_by_severity(self) -> SeverityCounts: ...
    def count_unresolved_by_severity(self) -> SeverityCounts: ...
    def cleanup(self, before_ms: int) -> int: ...

class ProposedAction:
    """An action a decision proposes; ``parameters`` is any JSON value."""

    action_type: str
    description: str
    parameters: _Json
    def __init__(self, *, action_type: str, description: str = "", parameters: _Json = None) -> None: ...

class UserResponse:
    """A user's answer to a decision."""

    user_id: str
    response: str
    responded_at: int
    comments: Optional[str]
    def __init__(self, *, user_id: str, response: str, responded_at: int, comments: Optional[str] = None) -> None: ...

class ExecutionResult:
    """Outcome of a rule execution or an executed decision: ``ExecutionResult.SUCCESS()``,
    ``ExecutionResult.PARTIAL_SUCCESS(failed_actions=[...])``, ``ExecutionResult.FAILED(error=...)``."""

    class SUCCESS(ExecutionResult):
        def __init__(self) -> None: ...
    class PARTIAL_SUCCESS(ExecutionResult):
        failed_actions: list[str]
        def __init__(self, failed_actions: list[str]) -> None: ...
    class FAILED(ExecutionResult):
        error: str
        def __init__(self, error: str) -> None: ...

class DecisionRecord:
    """A decision proposed by the LLM."""

    decision_id: str
    title: str
    description: str
    reasoning: str
    proposed_actions: list[ProposedAction]
    confidence: float
    created_at: int
    status: DecisionStatus
    user_response: Optional[UserResponse]
    execution_result: Optional[ExecutionResult]
    review_id: Optional[str]
    def __init__(
        self,
        *,
        decision_id: str,
        title: str,
        confidence: float,
        created_at: int,
        status: DecisionStatus,
        description: str = "",
        reasoning: str = "",
        proposed_actions: list[ProposedAction] = ...,
        user_response: Optional[UserResponse] = None,
        execution_result: Optional[ExecutionResult] = None,
        review_id: Optional[str] = None,
    ) -> None: ...

class DecisionStore:
    """LLM decisions; arguments are typed records or dicts of the core's JSON form."""

    def create(self, decision: Union[DecisionRecord, dict[str, Any]]) -> None: ...
    def get(self, decision_id: str) -> Optional[DecisionRecord]: ...
    def transition(self, decision_id: str, to: Union[DecisionStatus, str]) -> DecisionRecord: ...
    def approve(self, decision_id: str, response: Union[UserResponse, dict[str, Any]]) -> DecisionRecord: ...
    def reject(self, decision_id: str, response: Union[UserResponse, dict[str, Any]]) -> DecisionRecord: ...
    def record_execution_result(self, decision_id: str, result: Union[ExecutionResult, _Json]) -> DecisionRecord: ...
    def query_range(self, start: int, end: int, limit: Optional[int] = None) -> list[DecisionRecord]: ...
    def query_by_status(
        self, status: Union[DecisionStatus, str], start: int, end: int, limit: Optional[int] = None
    ) -> list[DecisionRecord]: ...
    def expire_proposals(self, now_ms: int, max_age_ms: int) -> int: ...
    def cleanup(self, before_ms: int) -> int: ...

class SessionMessage:
    """One chat message; ``tool_calls`` is a list of JSON values."""

    role: str
    content: str
    tool_calls: Optional[list[_Json]]
    tool_call_id: Optional[str]
    thinking: Optional[str]
    timestamp: int
    def __init__(
        self,
        *,
        role: str,
        content: str,
        timestamp: int,
        tool_calls: Optional[list[_Json]] = None,
        tool_call_id: Optional[str] = None,
        thinking: Optional[str] = None,
    ) -> None: ...

class SequencedMessage:
    """A stored message with its position in the session (from 1)."""

    sequence: int
    message: SessionMessage

class SessionInfo:
    """A session as listed."""

    session_id: str
    title: str
    created_at: int
    updated_at: int
    message_count: int
    last_sequence: int

class SessionSummary:
    """The summary of one session."""

    session_id: str
    summary: str
    updated_at: int

class SessionStore:
    """Chat sessions, messages and summaries; messages may be dicts of the core's JSON form."""

    def create_session(self, session_id: str, title: str, created_at: int) -> SessionInfo: ...
    def get_session(self, session_id: str) -> Optional[SessionInfo]: ...
    def list_sessions(self, limit: Optional[int] = None) -> list[SessionInfo]: ...
    def append_message(self, session_id: str, message: Union[SessionMessage, dict[str, Any]]) -> int: ...
    def append_messages(self, session_id: str, messages: Iterable[Union[SessionMessage, dict[str, Any]]]) -> list[int]: ...
    def load_messages(self, session_id: str) -> list[SequencedMessage]: ...
    def last_messages(self, session_id: str, n: int) -> list[SequencedMessage]: ...
    def messages_range(self, session_id: str, start: int, end: int) -> list[SequencedMessage]: ...
    def context_window(self, session_id: str, max_chars: int) -> list[SequencedMessage]: ...
    def set_summary(self, session_id: str, summary: str, updated_at: int) -> SessionSummary: ...
    def get_summary(self, session_id: str) -> Optional[SessionSummary]: ...
    def recent_summaries(self, n: int) -> list[SessionSummary]: ...
    def delete_session(self, session_id: str) -> bool: ...
    def cleanup(self, before_ms: int) -> int: ...

class MemoryMetadata:
    """Keywords, importance (0 to 1), related entities and expiry of a memory."""

    keywords: list[str]
    importance: float
    entities: list[str]
    expires_at: Optional[int]
    def __init__(
        self,
        *,
        keywords: list[str] = ...,
        importance: float = 0.5,
        entities: list[str] = ...,
        expires_at: Optional[int] = None,
    ) -> None: ...

class MemoryEntry:
    """One long-term memory."""

    memory_id: str
    memory_type: MemoryType
    content: str
    embedding: Optional[list[float]]
    metadata: MemoryMetadata
    created_at: int
    last_accessed: Optional[int]
    access_count: int
    def __init__(
        self,
        *,
        memory_id: str,
        memory_type: MemoryType,
        content: str,
        metadata: MemoryMetadata,
        created_at: int,
        embedding: Optional[_F32] = None,
        last_accessed: Optional[int] = None,
        access_count: int = 0,
    ) -> None: ...

class MemoryHit:
    """A search result: the entry and its score (higher is better)."""

    entry: MemoryEntry
    score: float

class LongTermMemoryStore:
    """Long-term memories; entries may be dicts of the core's JSON form."""

    def add(self, entry: Union[MemoryEntry, dict[str, Any]]) -> None: ...
    def add_many(self, entries: Iterable[Union[MemoryEntry, dict[str, Any]]]) -> None: ...
    def update(self, entry: Union[MemoryEntry, dict[str, Any]]) -> None: ...
    def delete(self, memory_id: str) -> bool: ...
    def get(self, memory_id: str, now_ms: int) -> Optional[MemoryEntry]: ...
    def peek(self, memory_id: str) -> Optional[MemoryEntry]: ...
    def count(self) -> int: ...
    def by_type(self, memory_type: Union[MemoryType, str], limit: int = 100) -> list[MemoryEntry]: ...
    def by_importance(self, n: int) -> list[MemoryEntry]: ...
    def search_keywords(self, query: str, limit: int = 10) -> list[MemoryHit]: ...
    def search_semantic(self, embedding: _F32, limit: int = 10) -> list[MemoryHit]: ...
    def search_hybrid(self, query: str, embedding: _F32, limit: int = 10) -> list[MemoryHit]: ...
    def purge_expired(self, now_ms: int) -> int: ...

class VectorStore:
    """Collections of float32 vectors with JSON metadata."""

    def create_collection(
        self,
        name: str,
        dimension: int,
        metric: Union[DistanceMetric, str] = "cosine",
        quantization: Optional[str] = None,
        oversampling: int = 10,
    ) -> CollectionInfo: ...
    def quantization(self, name: str) -> dict[str, Any]: ...
    def set_quantization(self, name: str, quantization: Optional[str], oversampling: int = 10) -> None: ...
    def collection(self, name: str) -> Optional[CollectionInfo]: ...
    def list_collections(self) -> list[CollectionInfo]: ...
    def drop_collection(self, name: str) -> None: ...
    def upsert(self, collection: str, id: str, embedding: _F32, metadata: _Json = None) -> None: ...
    def upsert_many(self, collection: str, ids: typing.Sequence[str], vectors: _F32, metadata: Optional[Iterable[_Json]] = None) -> None: ...
    def delete(self, collection: str, id: str) -> bool: ...
    def get(self, collection: str, id: str) -> Optional[VectorDocument]: ...
    def count(self, collection: str) -> int: ...
    def search(
        self, collection: str, query: _F32, k: int = 10, filter: Union[VectorFilter, dict[str, _Json], None] = None
    ) -> list[VectorMatch]: ...
    def search_batch(
        self,
        collection: str,
        queries: Union[_F32, typing.Sequence[_F32]],
        k: int = 10,
        filter: Union[VectorFilter, dict[str, _Json], None] = None,
    ) -> list[list[VectorMatch]]: ...

# --- maintenance --------------------------------------------------------------------------

class DataCleanupTask:
    """One retention run over every store."""

    def __init__(self, storage: StorageManager, retention: Optional[dict[str, Any]] = None) -> None: ...
    def config(self) -> dict[str, Any]: ...
    def run(self, now_ms: int) -> dict[str, Any]: ...

class BackupManager:
    """Takes backups into the backup directory."""

    def __init__(self, storage: StorageManager, config: Optional[dict[str, Any]] = None) -> None: ...
    def dir(self) -> str: ...
    def config(self) -> dict[str, Any]: ...
    def backup(self, kind: Union[str, dict[str, Any]] = "full") -> dict[str, Any]: ...
    def run_enabled(self) -> list[dict[str, Any]]: ...
    def prune(self) -> list[str]: ...

class RestoreManager:
    """Lists, verifies and restores backups."""

    def __init__(self, storage: StorageManager, backup_dir: Union[str, os.PathLike[str]]) -> None: ...
    def list_backups(self) -> list[dict[str, Any]]: ...
    def newest(self) -> Optional[dict[str, Any]]: ...
    def verify(self, id: str) -> dict[str, Any]: ...
    def restore(self, id: str) -> dict[str, Any]: ...

class StorageManager:
    """The storage of one gateway; use it as a context manager."""

    @classmethod
    def open(cls, path: Union[str, os.PathLike[str]], options: Optional[StorageOptions] = None) -> StorageManager: ...
    @classmethod
    def open_read_only(cls, path: Union[str, os.PathLike[str]]) -> StorageManager: ...
    @staticmethod
    def salvage(damaged_dir: Union[str, os.PathLike[str]], out_dir: Union[str, os.PathLike[str]]) -> SalvageReport: ...
    @classmethod
    def in_memory(cls, options: Optional[StorageOptions] = None) -> StorageManager: ...
    def timeseries(self) -> TimeSeriesStore: ...
    def devices(self) -> DeviceStateStore: ...
    def events(self) -> EventLogStore: ...
    def rule_history(self) -> RuleHistoryStore: ...
    def workflow_history(self) -> WorkflowHistoryStore: ...
    def alerts(self) -> AlertStore: ...
    def decisions(self) -> DecisionStore: ...
    def sessions(self) -> SessionStore: ...
    def memory(self) -> LongTermMemoryStore: ...
    def vectors(self) -> VectorStore: ...
    def replication_status(self, target: Union[str, os.PathLike[str]]) -> dict[str, Any]: ...
    def stats(self) -> dict[str, Any]: ...
    def compact(self) -> CompactionReport: ...
    def check_integrity(self) -> bool: ...
    def integrity_report(self) -> IntegrityReport: ...
    def export_snapshot(self) -> bytes: ...
    def import_snapshot(self, snapshot: _Buffer) -> dict[str, Any]: ...
    def path(self) -> Optional[str]: ...
    def backend_kind(self) -> str: ...
    def is_split(self) -> bool: ...
    def table_sizes(self) -> list[TableSize]: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> StorageManager: ...
    def __exit__(self, exc_type: object, exc: object, tb: object) -> None: ...

__all__: list[str]
