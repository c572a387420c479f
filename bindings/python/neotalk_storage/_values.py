"""Conversions between Python values and the records the native module exchanges.

Telemetry values are plain ``int``/``float``/``bool``/``str``/``bytes`` in Python and ``MetricValue``
in the native layer; JSON fields (metadata, config, event data) are Python objects here and
JSON text there. Records handed out are the native record classes with these fields
converted in place; records passed in are copied, never changed.
"""

import array
import itertools
import json
import numbers
import sys

from ._native import neotalk_storage_uniffi as _native

_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
_INTEGER, _FLOAT, _STRING = _native.MetricValue.INTEGER, _native.MetricValue.FLOAT, _native.MetricValue.STRING
_VARIANTS = (
    _native.MetricValue.INTEGER,
    _native.MetricValue.FLOAT,
    _native.MetricValue.BOOLEAN,
    _native.MetricValue.STRING,
    _native.MetricValue.BINARY,
)


def invalid(field: str, reason: str) -> Exception:
    """A ``StorageError.InvalidInput`` worded like the core's."""
    return _native.StorageError.InvalidInput(f"invalid {field}: {reason}")


def value_to_native(value, field: str = "value"):
    """A Python scalar (or a ``MetricValue``) as a ``MetricValue``."""
    # Exact-type checks first: the hot path, and much cheaper than the numbers ABCs.
    kind = type(value)
    if kind is float:
        return _FLOAT(value)
    if kind is int and _I64_MIN <= value <= _I64_MAX:
        return _INTEGER(value)
    if kind is str:
        return _STRING(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _native.MetricValue.BINARY(bytes(value))
    if isinstance(value, _VARIANTS):
        return value
    if isinstance(value, bool):
        return _native.MetricValue.BOOLEAN(value)
    if isinstance(value, numbers.Integral):
        value = int(value)
        if not _I64_MIN <= value <= _I64_MAX:
            raise invalid(field, f"{value} does not fit in a signed 64-bit integer")
        return _native.MetricValue.INTEGER(value)
    if isinstance(value, numbers.Real):
        return _native.MetricValue.FLOAT(float(value))
    if isinstance(value, str):
        return _native.MetricValue.STRING(value)
    raise invalid(field, f"values are int, float, bool, str or bytes, not {type(value).__name__}")


def value_from_native(value):
    """The Python scalar held by a ``MetricValue``."""
    return value.value


def json_dumps(field: str, obj) -> str:
    """JSON text of ``obj``; objects JSON cannot hold (and NaN) are ``InvalidInput``."""
    try:
        return json.dumps(obj, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as e:
        raise invalid(field, f"not representable as JSON: {e}") from None


def json_dumps_opt(field: str, obj):
    return None if obj is None else json_dumps(field, obj)


def json_loads(text):
    return None if text is None else json.loads(text)


# --- telemetry -------------------------------------------------------------------------


_DataPoint = _native.DataPoint


def point_to_native(p) -> "_native.DataPoint":
    """A ``DataPoint`` (Python values) or a ``(timestamp, value)`` pair, as a native record."""
    if isinstance(p, tuple):
        if len(p) != 2:
            raise invalid("point", f"expected (timestamp, value), got a tuple of {len(p)}")
        return _DataPoint(timestamp=p[0], value=value_to_native(p[1]))
    return _native.DataPoint(
        timestamp=p.timestamp,
        value=value_to_native(p.value),
        quality=p.quality,
        metadata=json_dumps_opt("metadata", p.metadata),
    )


class _BulkPoint(_DataPoint):
    """A ``DataPoint`` without quality or metadata, made positionally from packed columns for
    the bulk reads: building the record is most of a range read's time, and the native
    record's keyword-only constructor costs several times more. ``quality`` and ``metadata``
    are ``None`` as class attributes (two stores per point instead of four)."""

    quality = None
    metadata = None

    def __init__(self, timestamp, value):
        self.timestamp = timestamp
        self.value = value

    def __repr__(self):
        return f"DataPoint(timestamp={self.timestamp!r}, value={self.value!r}, quality=None, metadata=None)"


_BulkPoint.__name__ = _BulkPoint.__qualname__ = "DataPoint"
_BATCH_FLOATS, _BATCH_INTEGERS = _native.PointBatch.FLOATS, _native.PointBatch.INTEGERS


def _le_list(code: str, data: bytes) -> list:
    """The numbers of a little-endian packed buffer of ``code`` items (``q`` or ``d``)."""
    if sys.byteorder == "little":
        return memoryview(data).cast(code).tolist()
    items = array.array(code, data)
    items.byteswap()
    return items.tolist()


def points_from_batch(batch) -> list:
    """The ``DataPoint`` list of a native ``PointBatch``: packed float or integer columns, or
    native records."""
    if isinstance(batch, (_BATCH_FLOATS, _BATCH_INTEGERS)):
        return list(map(_BulkPoint, _le_list("q", batch.timestamps), _le_list("d" if isinstance(batch, _BATCH_FLOATS) else "q", batch.values)))
    return [point_from_native(p) for p in batch.points]


def point_from_native(p):
    """Converts a native ``DataPoint`` in place to Python values and returns it."""
    if p is not None:
        p.value = p.value.value
        p.metadata = json_loads(p.metadata)
    return p


def telemetry_to_native(t) -> "_native.TelemetryPoint":
    """A ``TelemetryPoint`` or a ``(device_id, metric, timestamp, value)`` tuple, as a native record."""
    if isinstance(t, tuple):
        if len(t) != 4:
            raise invalid("point", f"expected (device_id, metric, timestamp, value), got a tuple of {len(t)}")
        return _native.TelemetryPoint(
            device_id=t[0], metric=t[1], point=_native.DataPoint(timestamp=t[2], value=value_to_native(t[3]))
        )
    return _native.TelemetryPoint(device_id=t.device_id, metric=t.metric, point=point_to_native(t.point))


# --- devices ---------------------------------------------------------------------------


def device_to_native(d) -> "_native.DeviceState":
    return _native.DeviceState(
        device_id=d.device_id,
        device_type=d.device_type,
        config=json_dumps("config", d.config),
        name=d.name,
        online=d.online,
        last_seen=d.last_seen,
        metrics={
            m: _native.MetricSnapshot(value=value_to_native(s.value), timestamp=s.timestamp, quality=s.quality)
            for m, s in (d.metrics or {}).items()
        },
        mdl_definition=d.mdl_definition,
        adapter=d.adapter,
    )


def device_from_native(d):
    if d is not None:
        d.config = json.loads(d.config)
        for s in d.metrics.values():
            s.value = s.value.value
    return d


# --- events ----------------------------------------------------------------------------


def event_to_native(e) -> "_native.NewEvent":
    return _native.NewEvent(
        event_id=e.event_id,
        event_type=e.event_type,
        event_data=json_dumps("event_data", e.event_data),
        metadata=e.metadata,
    )


def event_from_native(e):
    if e is not None:
        e.event_data = json.loads(e.event_data)
    return e


class _BulkMetadata(_native.EventMetadata):
    """An ``EventMetadata`` made positionally, for the bulk reads (see ``_BulkPoint``)."""

    def __init__(self, source, timestamp, correlation_id, causation_id):
        self.source = source
        self.timestamp = timestamp
        self.correlation_id = correlation_id
        self.causation_id = causation_id


class _BulkEvent(_native.EventLogEntry):
    """An ``EventLogEntry`` made from one row of the native ``*_json`` event reads:
    ``[sequence, event_id, event_type, data, source, timestamp, correlation_id, causation_id]``."""

    def __init__(self, sequence, event_id, event_type, event_data, source, timestamp, correlation_id, causation_id):
        self.event_id = event_id
        self.event_type = event_type
        self.event_data = event_data
        self.metadata = _BulkMetadata(source, timestamp, correlation_id, causation_id)
        self.sequence = sequence


_BulkMetadata.__name__ = _BulkMetadata.__qualname__ = "EventMetadata"
_BulkEvent.__name__ = _BulkEvent.__qualname__ = "EventLogEntry"


class _BulkAlert(_native.AlertRecord):
    """An ``AlertRecord`` made from one row of the native ``query_range_json``:
    ``[alert_id, title, severity name, message, source, created_at, entity_id, entity_type,
    acknowledged, acknowledged_by, acknowledged_at, resolved_at]``."""

    def __init__(self, alert_id, title, severity, message, source, created_at, entity_id, entity_type, acknowledged, acknowledged_by, acknowledged_at, resolved_at):
        self.alert_id = alert_id
        self.title = title
        self.severity = _SEVERITIES[severity]
        self.message = message
        self.source = source
        self.created_at = created_at
        self.entity_id = entity_id
        self.entity_type = entity_type
        self.acknowledged = acknowledged
        self.acknowledged_by = acknowledged_by
        self.acknowledged_at = acknowledged_at
        self.resolved_at = resolved_at


# The core's spelling of each severity ("Warning") to the native enum (WARNING).
_SEVERITIES = {s.name.capitalize(): s for s in _native.AlertSeverity}
_BulkAlert.__name__ = _BulkAlert.__qualname__ = "AlertRecord"


def alerts_from_rows(text: str) -> list:
    """The ``AlertRecord`` list of the JSON rows of the native ``query_range_json``."""
    return list(itertools.starmap(_BulkAlert, json.loads(text)))


def events_from_rows(text: str) -> list:
    """The ``EventLogEntry`` list of the JSON rows a native ``*_json`` event read returns."""
    return list(itertools.starmap(_BulkEvent, json.loads(text)))
