"""Telemetry: :class:`TimeSeriesStore`."""

import struct
import typing

from ._native import neotalk_storage_uniffi as _native
from ._buffers import packed_timestamps, packed_values
from ._values import json_dumps, json_dumps_opt, point_from_native, point_to_native, points_from_batch, telemetry_to_native, value_to_native
from ._store import NativeStore

# A bucket of ``query_aggregated_packed``: start, count, numeric flag, sum, min, max, avg,
# first, last.
_AGGREGATE_ROW = struct.Struct("<qQB6d")
# Series handles a store keeps for query_latest before it starts over (a few hundred bytes each).
_SERIES_HANDLES = 4096
_SERIES_SET_HANDLES = 64


class TimeSeriesStore(NativeStore):
    """Store of telemetry series; obtain it from ``StorageManager.timeseries()``.

    Time ranges are half-open: ``start`` is included, ``end`` excluded; ``end=None`` means no
    upper bound (every point from ``start`` on, ``2**63 - 1`` included). Timestamps are Unix
    milliseconds. Writing telemetry also updates the device's latest metric values and
    ``last_seen`` (registering unknown devices).
    """

    __slots__ = ("_series", "_series_sets")

    def __init__(self, native, owner):
        super().__init__(native, owner)
        # Native Series handles by (device_id, metric) for query_latest, and SeriesSet handles
        # by key tuple for query_latest_batch: a call on a handle carries no strings, which
        # cost uniffi two allocation calls each.
        self._series = {}
        self._series_sets = {}

    def write(self, device_id: str, metric: str, timestamp: int, value, *, quality=None, metadata=None) -> None:
        """Queues one point in the write buffer; it is committed with the next group commit,
        on ``flush()``, before any read, or on close. Invalid points are refused here."""
        point = _native.DataPoint(
            timestamp=timestamp, value=value_to_native(value), quality=quality, metadata=json_dumps_opt("metadata", metadata)
        )
        self._native.write(device_id, metric, point)

    def write_batch(self, points: typing.Iterable) -> None:
        """Commits points of many series in one transaction; all are stored or none.

        Items are ``TelemetryPoint`` records or ``(device_id, metric, timestamp, value)`` tuples.
        """
        self._native.write_batch([telemetry_to_native(p) for p in points])

    def write_series(self, device_id: str, metric: str, points: typing.Iterable) -> None:
        """Commits points of one series in one transaction.

        Items are ``DataPoint`` records or ``(timestamp, value)`` pairs.
        """
        self._native.write_series(device_id, metric, [point_to_native(p) for p in points])

    def write_packed(self, device_id: str, metric: str, timestamps, values) -> None:
        """Commits points of one series in one transaction from packed columns; both must be
        1-D with the same number of items, and each crosses as one copy.

        ``timestamps``: Unix ms as little-endian ``i64`` (``bytes``, ``bytearray``,
        ``array('q')``, numpy ``int64``), or a numpy ``datetime64`` array converted exactly:
        ``ms`` as is, ``us``/``ns`` divided (each value must be a whole millisecond), ``s``,
        ``m``, ``h``, ``D``, ``W`` multiplied (units other than ``ms`` cost one more copy);
        ``NaT``, sub-millisecond values, overflows and the variable units ``Y``/``M`` are
        refused.

        ``values``: the item format gives the column type: floats (``array('d')``, numpy
        ``float64``, and raw ``bytes``/``bytearray`` as little-endian ``f64``), integers
        (``array('q')``, numpy ``int64``) or booleans (numpy ``bool``).

        Anything else is ``StorageError.InvalidInput`` naming the argument.
        """
        stamps = packed_timestamps(timestamps)
        raw, value_type = packed_values(values)
        self._native.write_packed_column(device_id, metric, stamps, raw, value_type)

    def flush(self) -> None:
        """Commits everything in the write buffer now."""
        self._native.flush()

    def buffered_points(self) -> int:
        """Points waiting in the write buffer."""
        return self._native.buffered_points()

    def query_range(self, device_id: str, metric: str, start: int, end: typing.Optional[int], *, limit=None, newest_first=False) -> list:
        """Points of one series with ``start <= timestamp < end`` (oldest first unless
        ``newest_first``), at most ``limit``. An unknown series gives an empty list."""
        options = _native.RangeOptions(limit=limit, newest_first=newest_first)
        return points_from_batch(self._native.query_range_batch(device_id, metric, start, end, options))

    def query_range_packed(self, device_id: str, metric: str, start: int, end: typing.Optional[int], *, limit=None, newest_first=False):
        """Like :meth:`query_range`, as a ``PackedSeries`` of two ``bytes`` buffers
        (little-endian ``i64`` timestamps, ``f64`` values); ``PackedSeries.to_numpy()`` views
        them as numpy arrays without a copy. The series must hold floats: integer, boolean or
        string values are refused with ``StorageError.InvalidInput`` naming the type found
        (nothing is converted; :meth:`query_range` reads every type)."""
        options = _native.RangeOptions(limit=limit, newest_first=newest_first)
        return self._native.query_range_packed(device_id, metric, start, end, options)

    def query_latest(self, device_id: str, metric: str):
        """The newest point of a series, or ``None``."""
        series = self._series.get((device_id, metric))
        if series is None:
            if len(self._series) >= _SERIES_HANDLES:
                self._series.clear()
            series = self._series[(device_id, metric)] = self._native.series(device_id, metric)
        points = points_from_batch(series.latest())
        return points[0] if points else None

    def query_latest_batch(self, series: typing.Iterable) -> list:
        """The newest point (or ``None``) of each series, in the order asked, from one
        snapshot. Items are ``(device_id, metric)`` pairs or ``SeriesKey`` records."""
        keys = tuple((s.device_id, s.metric) if isinstance(s, _native.SeriesKey) else (s[0], s[1]) for s in series)
        try:
            handle = self._series_sets.get(keys)
        except TypeError:  # an unhashable id: not cached, and the core refuses it naming `series`
            handle = self._native.series_set(json_dumps("series", keys))
        if handle is None:
            if len(self._series_sets) >= _SERIES_SET_HANDLES:
                self._series_sets.clear()
            handle = self._series_sets[keys] = self._native.series_set(json_dumps("series", keys))
        latest = handle.latest()
        points = iter(points_from_batch(latest.points))
        return [next(points) if has_point else None for has_point in latest.present]

    def query_aggregated(self, device_id: str, metric: str, start: int, end: typing.Optional[int], bucket_ms: int) -> list:
        """``AggregateBucket`` records of ``start <= timestamp < end`` in epoch-aligned
        buckets of ``bucket_ms`` (positive); buckets without points are omitted."""
        # One buffer unpacked in C, not a uniffi record per bucket (about 27 us each).
        raw = self._native.query_aggregated_packed(device_id, metric, start, end, bucket_ms)
        return [
            _native.AggregateBucket(bucket_start=b, count=c, sum=s, min=lo, max=hi, avg=avg, first=first, last=last)
            if numeric
            else _native.AggregateBucket(bucket_start=b, count=c, sum=None, min=None, max=None, avg=None, first=None, last=None)
            for b, c, numeric, s, lo, hi, avg, first, last in _AGGREGATE_ROW.iter_unpack(raw)
        ]

    def list_devices_with_data(self) -> list:
        """Devices with at least one stored point, ordered by id."""
        return self._native.list_devices_with_data()

    def list_metrics(self, device_id: str) -> list:
        """Metrics with stored points for ``device_id``, ordered by name; a device neither
        registered nor with telemetry raises ``StorageError.NotFound``."""
        return self._native.list_metrics(device_id)

    def delete_range(self, device_id: str, metric: str, start: int, end: typing.Optional[int]) -> int:
        """Deletes the points of one series with ``start <= timestamp < end``; returns how
        many were removed."""
        return self._native.delete_range(device_id, metric, start, end)

    def delete_device(self, device_id: str) -> int:
        """Deletes every point of every metric of the device (it stays registered); returns
        how many were removed."""
        return self._native.delete_device(device_id)

    def delete_metric(self, metric: str) -> int:
        """Deletes every point of ``metric`` on every device; returns how many were removed."""
        return self._native.delete_metric(metric)

    def aggregation_tier(self, device_id: str, metric: str, start: int, end: typing.Optional[int], bucket_ms: int):
        """The rollup tier width (ms) ``query_aggregated`` with these arguments reads, or
        ``None`` when it reads raw points."""
        return self._native.aggregation_tier(device_id, metric, start, end, bucket_ms)

    def rebuild_rollups(self) -> int:
        """Recomputes every rollup tier from the raw points; returns the buckets written."""
        return self._native.rebuild_rollups()
