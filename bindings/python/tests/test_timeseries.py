"""TimeSeriesStore through the installed wheel."""

import array
import sys

import pytest

from neotalk_storage import DataPoint, PackedSeries, SeriesKey, StorageError, TelemetryPoint


def test_write_is_buffered_until_flush_and_then_readable(db):
    ts = db.timeseries()
    ts.write("thermo-1", "temperature", 1_000, 21.5, quality=0.9, metadata={"unit": "°C"})
    assert ts.buffered_points() == 1
    ts.flush()
    assert ts.buffered_points() == 0
    p = ts.query_latest("thermo-1", "temperature")
    assert p == DataPoint(timestamp=1_000, value=21.5, quality=pytest.approx(0.9), metadata={"unit": "°C"})


def test_reads_see_buffered_points_of_a_new_series(db):
    ts = db.timeseries()
    ts.write("thermo-1", "temperature", 1_000, 21.5)
    assert ts.query_latest("thermo-1", "temperature") is not None


def test_every_value_kind_round_trips(db):
    ts = db.timeseries()
    ts.write_series("d", "m", [(1, 1.5), (2, -7), (3, True), (4, "on"), DataPoint(timestamp=5, value=2**63 - 1)])
    got = [(p.timestamp, p.value) for p in ts.query_range("d", "m", 0, 10)]
    assert got == [(1, 1.5), (2, -7), (3, True), (4, "on"), (5, 2**63 - 1)]
    assert type(got[1][1]) is int and type(got[2][1]) is bool


def test_binary_values_are_bytes(db):
    """The upstream NeoMind case: a 1 MB camera image as telemetry."""
    ts = db.timeseries()
    image = bytes((i * 31 + 1) % 256 for i in range(1_000_000))
    ts.write("cam-1", "snapshot", 1_000, image, metadata={"format": "jpeg"})
    ts.write_series("cam-1", "snapshot", [(2_000, bytearray(b"\x00\xff")), (3_000, memoryview(b""))])
    got = ts.query_range("cam-1", "snapshot", 0, None)
    assert [p.value for p in got] == [image, b"\x00\xff", b""]
    assert type(got[0].value) is bytes and got[0].metadata == {"format": "jpeg"}
    assert ts.query_latest("cam-1", "snapshot").value == b""
    # The device snapshot keeps the size, not the bytes.
    ts.write("cam-1", "snapshot", 4_000, image)
    snap = db.devices().get_device("cam-1").metrics["snapshot"]
    assert (snap.value, snap.binary_bytes, snap.timestamp) == (b"", 1_000_000, 4_000)
    with pytest.raises(StorageError.InvalidInput, match="int, float, bool, str or bytes, not list"):
        ts.write("cam-1", "snapshot", 5_000, [1, 2])


def test_binary_values_over_the_limit_are_refused(tmp_path):
    from neotalk_storage import StorageManager, StorageOptions

    with StorageManager.open(str(tmp_path), StorageOptions(max_binary_value_bytes=4)) as db:
        db.timeseries().write_series("cam", "m", [(1, b"1234")])
        with pytest.raises(StorageError.InvalidInput, match="binary value is 5 bytes; the limit is 4"):
            db.timeseries().write_series("cam", "m", [(2, b"12345")])
        assert [p.value for p in db.timeseries().query_range("cam", "m", 0, None)] == [b"1234"]


def test_write_batch_many_series_in_one_transaction(db):
    ts = db.timeseries()
    ts.write_batch([
        TelemetryPoint(device_id="a", metric="t", point=DataPoint(timestamp=1, value=1.0)),
        ("a", "h", 1, 40),
        ("b", "t", 2, 2.0),
    ])
    assert ts.list_devices_with_data() == ["a", "b"]
    assert ts.list_metrics("a") == ["h", "t"]
    with pytest.raises(StorageError.InvalidInput, match="metric"):
        ts.write_batch([("c", "t", 1, 1.0), ("c", "", 2, 2.0)])
    assert ts.list_devices_with_data() == ["a", "b"], "a refused batch stores nothing"


def test_query_range_is_half_open_with_limit_and_order(db):
    ts = db.timeseries()
    ts.write_series("d", "m", [(t, float(t)) for t in range(-5, 5)])
    assert [p.timestamp for p in ts.query_range("d", "m", -2, 2)] == [-2, -1, 0, 1]
    assert [p.timestamp for p in ts.query_range("d", "m", -5, 5, limit=3, newest_first=True)] == [4, 3, 2]
    assert ts.query_range("d", "m", 0, 0) == []
    assert ts.query_range("unknown", "m", 0, 10) == []


def test_query_latest_and_latest_batch(db):
    ts = db.timeseries()
    ts.write_series("d", "m", [(1, 1.0), (9, 9.0), (5, 5.0)])
    assert ts.query_latest("d", "m").timestamp == 9
    assert ts.query_latest("d", "other") is None
    got = ts.query_latest_batch([("d", "m"), SeriesKey(device_id="x", metric="y")])
    assert got[0].value == 9.0 and got[1] is None


def test_query_aggregated(db):
    ts = db.timeseries()
    ts.write_series("d", "m", [(0, 1.0), (500, 3.0), (1_000, 10.0), (1_500, "text")])
    b = ts.query_aggregated("d", "m", 0, 2_000, 1_000)
    assert [(x.bucket_start, x.count, x.sum, x.min, x.max, x.avg, x.first, x.last) for x in b] == [
        (0, 2, 4.0, 1.0, 3.0, 2.0, 1.0, 3.0),
        (1_000, 2, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0),
    ]
    # A bucket of text alone has a count and no numeric fields; negative bucket starts and the
    # extremes of i64 survive the packed path the wrapper reads.
    ts.write_series("d", "m", [(-1_500, "a"), (2**63 - 1, -2.5)])
    b = ts.query_aggregated("d", "m", -2**63, None, 1_000)
    assert [(x.bucket_start, x.count, x.sum, x.first) for x in (b[0], b[-1])] == [(-2_000, 1, None, None), ((2**63 - 1) // 1_000 * 1_000, 1, -2.5, -2.5)]
    assert b == ts._native.query_aggregated("d", "m", -2**63, None, 1_000), "the same records as the record path"


def test_delete_range_and_list_metrics_of_unknown_device(db):
    ts = db.timeseries()
    ts.write_series("d", "m", [(t, 1.0) for t in range(10)])
    assert ts.delete_range("d", "m", 2, 8) == 6
    assert [p.timestamp for p in ts.query_range("d", "m", 0, 10)] == [0, 1, 8, 9]
    assert ts.delete_range("nobody", "m", 0, 10) == 0
    with pytest.raises(StorageError.NotFound, match="nobody"):
        ts.list_metrics("nobody")


def test_writes_update_the_device_snapshot(db):
    db.timeseries().write_series("pump", "power", [(1_000, 1.5), (2_000, 1.7)])
    dev = db.devices().get_device("pump")
    assert dev.device_type == "unknown" and dev.last_seen == 2_000
    assert dev.metrics["power"].value == 1.7 and dev.metrics["power"].timestamp == 2_000


# --- packed buffers ---------------------------------------------------------------------


def _packed(ts_list, vs_list):
    return array.array("q", ts_list).tobytes(), array.array("d", vs_list).tobytes()


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "array", "memoryview"])
def test_write_packed_accepts_buffers(db, kind):
    t, v = _packed([3, 1, 2], [30.0, 10.0, 20.0])
    if kind == "bytearray":
        t, v = bytearray(t), bytearray(v)
    elif kind == "array":
        t, v = array.array("q", [3, 1, 2]), array.array("d", [30.0, 10.0, 20.0])
    elif kind == "memoryview":
        t, v = memoryview(array.array("q", [3, 1, 2])), memoryview(array.array("d", [30.0, 10.0, 20.0]))
    db.timeseries().write_packed("d", "m", t, v)
    assert [(p.timestamp, p.value) for p in db.timeseries().query_range("d", "m", 0, 10)] == [(1, 10.0), (2, 20.0), (3, 30.0)]


def test_write_packed_accepts_numpy_arrays(db):
    np = pytest.importorskip("numpy")
    t = np.arange(0, 1_000, dtype=np.int64)
    v = np.linspace(0.0, 1.0, 1_000)
    db.timeseries().write_packed("d", "m", t, v)
    got = db.timeseries().query_range_packed("d", "m", 0, 1_000)
    assert np.array_equal(np.frombuffer(got.timestamps, dtype="<i8"), t)
    assert np.array_equal(np.frombuffer(got.values, dtype="<f8"), v)
    # Big-endian input is converted, not misread.
    db.timeseries().write_packed("d", "be", t.astype(">i8"), v.astype(">f8"))
    assert np.array_equal(np.frombuffer(db.timeseries().query_range_packed("d", "be", 0, 1_000).values, "<f8"), v)


def test_write_packed_reads_writable_buffers_in_place_and_lets_them_go(db):
    # Writable contiguous buffers cross without a copy of their own; read-only and strided
    # ones are copied. Either way the caller's buffer is unchanged and free again afterwards.
    np = pytest.importorskip("numpy")
    t, v = bytearray(array.array("q", [1, 2])), bytearray(array.array("d", [1.5, 2.5]))
    db.timeseries().write_packed("d", "raw", t, v)
    t.extend(bytes(8))  # would raise BufferError while a view still held it
    stamps = np.arange(10, dtype=np.int64)
    values = np.arange(10, dtype=np.float64) / 4
    stamps.flags.writeable = False
    db.timeseries().write_packed("d", "ro", stamps, values)
    db.timeseries().write_packed("d", "strided", stamps[::2], values[::2])
    got = lambda m: [(p.timestamp, p.value) for p in db.timeseries().query_range("d", m, 0, 100)]
    assert got("raw") == [(1, 1.5), (2, 2.5)]
    assert got("ro") == [(i, i / 4) for i in range(10)]
    assert got("strided") == [(i, i / 4) for i in range(0, 10, 2)]
    assert values.tolist() == [i / 4 for i in range(10)]


def test_query_range_packed_is_viewable_without_copy(db):
    ts = db.timeseries()
    ts.write_series("d", "m", [(1, 1.5), (2, 7.0), (3, 2.5)])
    got = ts.query_range_packed("d", "m", 0, 10)
    assert isinstance(got, PackedSeries) and isinstance(got.timestamps, bytes)
    assert len(got) == 3
    if sys.byteorder == "little":
        assert got.timestamps_view().tolist() == [1, 2, 3]
        assert got.values_view().tolist() == [1.5, 7.0, 2.5]
        assert got.timestamps_view().obj is got.timestamps, "the view shares the bytes"
    newest = ts.query_range_packed("d", "m", 0, 10, limit=1, newest_first=True)
    assert array.array("q", newest.timestamps).tolist() == [3]
    ts.write("d", "m", 4, "text")
    with pytest.raises(StorageError.InvalidInput, match="float values and string values"):
        ts.query_range_packed("d", "m", 0, 10)


def test_packed_reads_take_float_series_only(db):
    """The core's rule: a float column holds floats; nothing is converted on the way out."""
    ts = db.timeseries()
    ts.write_series("d", "count", [(1, 7), (2, 8)])
    ts.write_series("d", "on", [(1, True)])
    ts.write_series("d", "mode", [(1, "eco")])
    for metric, found in [("count", "integer"), ("on", "boolean"), ("mode", "string")]:
        with pytest.raises(StorageError.InvalidInput, match=f"value type: the series holds {found} values"):
            ts.query_range_packed("d", metric, 0, 10)
    assert [p.value for p in ts.query_range("d", "count", 0, 10)] == [7, 8]
    # A packed write stores floats, never integers, even for whole numbers.
    ts.write_packed("d", "whole", array.array("q", [1]), array.array("d", [3.0]))
    assert isinstance(ts.query_latest("d", "whole").value, float)


def test_open_end_reaches_the_largest_timestamp(db):
    ts = db.timeseries()
    top = 2**63 - 1
    ts.write_packed("d", "m", array.array("q", [-(2**63), 0, top]), array.array("d", [1.0, 2.0, 3.0]))
    assert [p.timestamp for p in ts.query_range("d", "m", 1, None)] == [top]
    assert ts.query_range("d", "m", 1, top) == []  # half-open: end excluded
    assert array.array("q", ts.query_range_packed("d", "m", -(2**63), None).timestamps).tolist() == [-(2**63), 0, top]
    assert [b.count for b in ts.query_aggregated("d", "m", 1, None, 1_000)] == [1]
    assert ts.delete_range("d", "m", 1, None) == 1
    assert ts.query_latest("d", "m").timestamp == 0
    with pytest.raises(StorageError.InvalidInput, match="time range"):
        ts.query_range("d", "m", 5, 4)


def test_packed_size_errors(db):
    ts = db.timeseries()
    t, v = _packed([1, 2], [1.0, 2.0])
    with pytest.raises(StorageError.InvalidInput, match="2 timestamps but 1 values"):
        ts.write_packed("d", "m", t, v[:8])
    with pytest.raises(StorageError.InvalidInput, match="timestamps.*not a whole number"):
        ts.write_packed("d", "m", t[:7], v)
    with pytest.raises(StorageError.InvalidInput, match="values.*not a whole number"):
        ts.write_packed("d", "m", t, v + b"\x00")
    with pytest.raises(StorageError.InvalidInput, match="timestamps.*format 'd'"):
        ts.write_packed("d", "m", array.array("d", [1.0, 2.0]), v)
    with pytest.raises(StorageError.InvalidInput, match="values.*format 'i'"):
        ts.write_packed("d", "m", t, array.array("i", [1, 2, 3, 4]))
    with pytest.raises(StorageError.InvalidInput, match="timestamps.*list"):
        ts.write_packed("d", "m", [1, 2], v)
    with pytest.raises(StorageError.InvalidInput, match="not a finite number"):
        ts.write_packed("d", "m", t, array.array("d", [1.0, float("nan")]))
    assert ts.query_range("d", "m", 0, 10) == []
