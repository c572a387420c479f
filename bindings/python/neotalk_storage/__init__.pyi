"""Type stubs of neotalk_storage (the public API; the native module is internal)."""

import enum
import os
import typing
from typing import Any, Iterable, Optional, Union

_Value = Union[int, float, bool, str]
"""A telemetry value: int (i64), finite float, bool or str."""
_Json = Any
"""Any value JSON can hold: dict, list, str, int, float (finite), bool or None."""
_Buffer = Any
"""bytes, bytearray, array('q') / array('d'), a numpy array or any buffer of 8-byte items."""

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

# --- options ------------------------------------------------------------------------------

class Durability(enum.Enum):
    IMMEDIATE = 0
    EVENTUAL = 1

class WriteBufferOptions:
    max_points: int
    max_delay_ms: int
    def __init__(self, *, max_points: int, max_delay_ms: int) -> None: ...

class StorageOptions:
    durability: Optional[Durability]
    write_buffer: Optional[WriteBufferOptions]
    device_cache_entries: Optional[int]
    series_cache_entries: Optional[int]
    page_cache_bytes: Optional[int]
    def __init__(
        self,
        *,
        durability: Optional[Durability] = None,
        write_buffer: Optional[WriteBufferOptions] = None,
        device_cache_entries: Optional[int] = None,
        series_cache_entries: Optional[int] = None,
        page_cache_bytes: Optional[int] = None,
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
    def __init__(self, *, value: _Value, timestamp: int, quality: Optional[float] = None) -> None: ...

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
    days: int
    max_size_mb: int
    by_type: dict[str, int]
    def __init__(self, *, days: int = 7, max_size_mb: int = 1000, by_type: dict[str, int] = ...) -> None: ...

class EventCleanup:
    expired: int
    over_size: int
    def __init__(self, *, expired: int, over_size: int) -> None: ...

# --- stores -------------------------------------------------------------------------------

class TimeSeriesStore:
    """Telemetry series; time ranges are half-open ``[start, end)`` in Unix ms."""

    def write(self, device_id: str, metric: str, timestamp: int, value: _Value, *, quality: Optional[float] = None, metadata: Optional[_Json] = None) -> None: ...
    def write_batch(self, points: Iterable[Union[TelemetryPoint, tuple[str, str, int, _Value]]]) -> None: ...
    def write_series(self, device_id: str, metric: str, points: Iterable[Union[DataPoint, tuple[int, _Value]]]) -> None: ...
    def write_packed(self, device_id: str, metric: str, timestamps: _Buffer, values: _Buffer) -> None: ...
    def flush(self) -> None: ...
    def buffered_points(self) -> int: ...
    def query_range(self, device_id: str, metric: str, start: int, end: int, *, limit: Optional[int] = None, newest_first: bool = False) -> list[DataPoint]: ...
    def query_range_packed(self, device_id: str, metric: str, start: int, end: int, *, limit: Optional[int] = None, newest_first: bool = False) -> PackedSeries: ...
    def query_latest(self, device_id: str, metric: str) -> Optional[DataPoint]: ...
    def query_latest_batch(self, series: Iterable[Union[SeriesKey, tuple[str, str]]]) -> list[Optional[DataPoint]]: ...
    def query_aggregated(self, device_id: str, metric: str, start: int, end: int, bucket_ms: int) -> list[AggregateBucket]: ...
    def list_devices_with_data(self) -> list[str]: ...
    def list_metrics(self, device_id: str) -> list[str]: ...
    def delete_range(self, device_id: str, metric: str, start: int, end: int) -> int: ...

class DeviceStateStore:
    """Device states."""

    def upsert(self, state: DeviceState) -> None: ...
    def get_device(self, device_id: str) -> Optional[DeviceState]: ...
    def delete(self, device_id: str) -> None: ...
    def list_devices(self) -> list[DeviceState]: ...
    def list_by_type(self, device_type: str) -> list[DeviceState]: ...
    def list_online(self) -> list[DeviceState]: ...
    def list_offline(self) -> list[DeviceState]: ...
    def set_online(self, device_id: str, online: bool) -> None: ...

class EventLogStore:
    """The event log."""

    def append(self, event: NewEvent) -> EventLogEntry: ...
    def append_batch(self, events: Iterable[NewEvent]) -> list[EventLogEntry]: ...
    def get(self, event_id: str) -> Optional[EventLogEntry]: ...
    def query_range(self, start: int, end: int, limit: Optional[int] = None) -> list[EventLogEntry]: ...
    def query_by_type(self, event_type: str, start: int, end: int, limit: Optional[int] = None) -> list[EventLogEntry]: ...
    def query_by_correlation(self, correlation_id: str) -> list[EventLogEntry]: ...
    def replay(self, after_sequence: int, limit: int) -> list[EventLogEntry]: ...
    def last_sequence(self) -> int: ...
    def total_bytes(self) -> int: ...
    def cleanup(self, now_ms: int, retention: Optional[EventRetention] = None) -> EventCleanup: ...

class StorageManager:
    """The storage of one gateway; use it as a context manager."""

    @classmethod
    def open(cls, path: Union[str, os.PathLike[str]], options: Optional[StorageOptions] = None) -> StorageManager: ...
    @classmethod
    def in_memory(cls, options: Optional[StorageOptions] = None) -> StorageManager: ...
    def timeseries(self) -> TimeSeriesStore: ...
    def devices(self) -> DeviceStateStore: ...
    def events(self) -> EventLogStore: ...
    def path(self) -> Optional[str]: ...
    def backend_kind(self) -> str: ...
    def table_sizes(self) -> list[TableSize]: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> StorageManager: ...
    def __exit__(self, exc_type: object, exc: object, tb: object) -> None: ...

__all__: list[str]
