"""The numpy data path: datetime64 timestamps, typed value columns, 1-D and matrix shape
checks, and zero-copy numpy / pandas reads of a PackedSeries."""

import array
import sys

import numpy as np
import pytest

from neotalk_storage import StorageError

MS = np.array([1_000, 2_000, 3_000], dtype=np.int64)  # Unix ms


def _read(ts, metric="m"):
    return [(p.timestamp, p.value) for p in ts.query_range("d", metric, -(2**63), None)]


# --- datetime64 timestamps ---------------------------------------------------------------


@pytest.mark.parametrize(
    "stamps",
    [
        MS.astype("datetime64[ms]"),
        (MS * 1_000).astype("datetime64[us]"),
        (MS * 1_000_000).astype("datetime64[ns]"),
        (MS // 1_000).astype("datetime64[s]"),
        MS.astype("datetime64[ms]").astype(">M8[ms]"),  # big-endian
        (MS // 10).astype("datetime64[10ms]"),  # a multiple of a unit
        np.repeat(MS, 2).astype("datetime64[ms]")[::2],  # not contiguous
    ],
    ids=["ms", "us", "ns", "s", "big-endian", "10ms", "strided"],
)
def test_datetime64_timestamps_convert_exactly_to_ms(db, stamps):
    ts = db.timeseries()
    ts.write_packed("d", "m", stamps, np.array([1.5, 2.5, 3.5]))
    assert _read(ts) == [(1_000, 1.5), (2_000, 2.5), (3_000, 3.5)]


def test_coarse_datetime64_units_are_multiplied(db):
    ts = db.timeseries()
    days = np.array(["1970-01-02", "2024-02-29"], dtype="datetime64[D]")
    ts.write_packed("d", "m", days, np.array([1.0, 2.0]))
    assert [t for t, _ in _read(ts)] == [86_400_000, 1_709_164_800_000]
    ts.write_packed("d", "w", np.array([-1], dtype="datetime64[W]"), np.array([1.0]))  # before 1970
    assert [t for t, _ in _read(ts, "w")] == [-604_800_000]


@pytest.mark.parametrize(
    "stamps, message",
    [
        (np.array([1_000, 1_500], dtype="datetime64[us]"), r"invalid timestamps: index 1 \(.*\) is not a whole millisecond"),
        (np.array([0, 1_000_000, 2_000_001], dtype="datetime64[ns]"), r"invalid timestamps: index 2 .* is not a whole millisecond"),
        (np.array(["2024-01-01", "NaT", "NaT"], dtype="datetime64[ms]"), r"invalid timestamps: index 1 \(NaT\) is NaT"),
        (np.array([0, "NaT"], dtype="datetime64[ns]"), r"invalid timestamps: index 1 \(NaT\) is NaT"),
        (np.array([0, 10**14], dtype="datetime64[D]"), r"invalid timestamps: index 1 .* overflows i64 Unix milliseconds"),
        (np.array([-(10**14)], dtype="datetime64[D]"), r"invalid timestamps: index 0 .* overflows"),
        (np.array(["2024-01", "2024-02"], dtype="datetime64[M]"), r"invalid timestamps: datetime64\[M\] has no fixed length"),
        (np.array(["2024", "2025"], dtype="datetime64[Y]"), r"invalid timestamps: datetime64\[Y\] has no fixed length"),
        (MS[:2].astype("datetime64[ms]").reshape(1, 2), r"invalid timestamps: expected a 1-D array, got shape \(1, 2\)"),
        (np.array([1, 2], dtype="timedelta64[ms]"), r"invalid timestamps: expected bytes or a buffer of 8-byte signed integers, got ndarray of timedelta64\[ms\]"),
    ],
    ids=["sub-ms us", "sub-ms ns", "NaT", "NaT ns", "overflow", "underflow", "months", "years", "2-D", "timedelta"],
)
def test_datetime64_timestamps_that_lose_data_are_refused(db, stamps, message):
    ts = db.timeseries()
    with pytest.raises(StorageError.InvalidInput, match=message):
        ts.write_packed("d", "m", stamps, np.ones(stamps.size))
    assert _read(ts) == []


# --- typed value columns -----------------------------------------------------------------


def test_int64_values_are_written_as_integers(db):
    ts = db.timeseries()
    ts.write_packed("d", "m", MS, np.array([-(2**63), 0, 2**63 - 1], dtype=np.int64))
    assert _read(ts) == [(1_000, -(2**63)), (2_000, 0), (3_000, 2**63 - 1)]
    assert all(type(v) is int for _, v in _read(ts))
    ts.write_packed("d", "be", MS, np.array([7, 8, 9], dtype=">i8"))  # big-endian is converted
    ts.write_packed("d", "arr", MS, array.array("q", [7, 8, 9]))
    assert [v for _, v in _read(ts, "be")] == [v for _, v in _read(ts, "arr")] == [7, 8, 9]
    with pytest.raises(StorageError.InvalidInput, match="the series holds integer values"):
        ts.query_range_packed("d", "m", 0, None)  # packed reads take float series only


def test_bool_values_are_written_as_booleans(db):
    ts = db.timeseries()
    ts.write_packed("d", "m", MS, np.array([True, False, True]))
    assert _read(ts) == [(1_000, True), (2_000, False), (3_000, True)]
    assert all(type(v) is bool for _, v in _read(ts))


def test_float64_values_and_raw_bytes_stay_floats(db):
    ts = db.timeseries()
    ts.write_packed("d", "m", MS, np.array([1.0, 2.0, 3.0]))
    ts.write_packed("d", "raw", MS.tobytes(), array.array("d", [1.0, 2.0, 3.0]).tobytes())
    assert _read(ts) == _read(ts, "raw") == [(1_000, 1.0), (2_000, 2.0), (3_000, 3.0)]
    assert all(type(v) is float for _, v in _read(ts, "raw"))


@pytest.mark.parametrize(
    "timestamps, values, message",
    [
        (MS, np.ones((3, 1)), r"invalid values: expected a 1-D buffer, got shape \(3, 1\)"),
        (MS.reshape(3, 1), np.ones(3), r"invalid timestamps: expected a 1-D buffer, got shape \(3, 1\)"),
        (MS, np.float64(1.0), r"invalid values: expected a 1-D buffer, got shape \(\)"),
        (MS, np.ones(3, dtype=np.int32), r"invalid values: buffer items have format 'i'; expected 8-byte floats or 8-byte signed integers or booleans"),
        (MS, np.ones(3, dtype=np.uint64), r"invalid values: buffer items have format '[LQ]'"),
        (MS, np.ones(3, dtype=np.float32), r"invalid values: buffer items have format 'f'"),
        (MS, np.array(["a", "b", "c"]), r"invalid values: buffer items have format '1w'"),
        (MS, MS.astype("datetime64[ms]"), r"invalid values: expected bytes .*, got ndarray of datetime64\[ms\]"),
        (MS.astype(np.float64), np.ones(3), r"invalid timestamps: buffer items have format 'd'; expected 8-byte signed integers"),
        (MS, np.ones(2), "invalid values: 3 timestamps but 2 values"),
        (MS, np.array([True, False]), "invalid values: 3 timestamps but 2 values"),
        (MS[:2], np.ones(3, dtype=np.int64), "invalid values: 2 timestamps but 3 values"),
    ],
    ids=["2-D values", "2-D timestamps", "0-D values", "int32", "uint64", "float32", "str", "datetime values", "float timestamps", "short floats", "short bools", "long ints"],
)
def test_packed_columns_of_another_shape_or_type_are_refused(db, timestamps, values, message):
    ts = db.timeseries()
    with pytest.raises(StorageError.InvalidInput, match=message):
        ts.write_packed("d", "m", timestamps, values)
    assert _read(ts) == []


# --- PackedSeries.to_numpy / to_pandas ---------------------------------------------------


def _series(db):
    ts = db.timeseries()
    ts.write_packed("d", "m", MS.astype("datetime64[ms]"), np.array([1.5, 2.5, 3.5]))
    return ts.query_range_packed("d", "m", 0, None)


def test_to_numpy_views_the_buffers_without_a_copy(db):
    series = _series(db)
    timestamps, values = series.to_numpy()
    assert timestamps.dtype == np.dtype("<i8") and values.dtype == np.dtype("<f8")
    assert timestamps.tolist() == [1_000, 2_000, 3_000] and values.tolist() == [1.5, 2.5, 3.5]
    assert np.shares_memory(timestamps, np.frombuffer(series.timestamps, np.uint8))
    assert np.shares_memory(values, np.frombuffer(series.values, np.uint8))
    assert timestamps.base is series.timestamps and values.base is series.values
    assert not timestamps.flags.writeable and not timestamps.flags.owndata


def test_to_numpy_datetime_is_a_datetime64_ms_view(db):
    series = _series(db)
    timestamps, values = series.to_numpy(datetime=True)
    assert timestamps.dtype == np.dtype("datetime64[ms]")
    assert np.array_equal(timestamps, MS.astype("datetime64[ms]"))
    assert np.shares_memory(timestamps, np.frombuffer(series.timestamps, np.uint8))
    # What to_numpy(datetime=True) gives writes back unchanged.
    db.timeseries().write_packed("d", "copy", timestamps, values)
    assert _read(db.timeseries(), "copy") == _read(db.timeseries())


def test_to_numpy_of_an_empty_series(db):
    timestamps, values = db.timeseries().query_range_packed("d", "none", 0, None).to_numpy(datetime=True)
    assert timestamps.shape == values.shape == (0,) and timestamps.dtype == np.dtype("datetime64[ms]")


def test_to_pandas_is_a_series_on_a_datetime_index(db):
    pandas = pytest.importorskip("pandas")
    got = _series(db).to_pandas()
    assert isinstance(got, pandas.Series) and isinstance(got.index, pandas.DatetimeIndex)
    assert got.index.name == "timestamp" and got.dtype == np.float64
    assert got.tolist() == [1.5, 2.5, 3.5]
    assert list(got.index) == list(pandas.to_datetime([1_000, 2_000, 3_000], unit="ms"))
    got.iloc[0] = 9.0  # pandas copied the data: the Series is writable
    # A pandas DatetimeIndex (naive) writes back as datetime64.
    db.timeseries().write_packed("d", "back", got.index, got.to_numpy())
    assert _read(db.timeseries(), "back") == [(1_000, 9.0), (2_000, 2.5), (3_000, 3.5)]


@pytest.mark.parametrize("module, call", [("numpy", lambda s: s.to_numpy()), ("pandas", lambda s: s.to_pandas())])
def test_a_missing_optional_module_is_named(db, monkeypatch, module, call):
    series = _series(db)
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(ImportError, match=f"PackedSeries.to_{module}\\(\\) needs {module}.*pip install {module}"):
        call(series)


# --- VectorStore.upsert_many matrix shape ------------------------------------------------


def test_upsert_many_refuses_a_matrix_of_another_shape(db):
    vs = db.vectors()
    vs.create_collection("c", 3)
    matrix = np.arange(6, dtype=np.float32).reshape(2, 3)
    with pytest.raises(StorageError.InvalidInput, match=r"invalid vectors: expected shape \(2, 3\) \(2 ids, dimension 3\), got \(3, 2\)"):
        vs.upsert_many("c", ["a", "b"], np.ascontiguousarray(matrix.T))  # 6 floats, as the core wants, but transposed
    with pytest.raises(StorageError.InvalidInput, match=r"invalid vectors: expected shape \(2, 3\) .*, got \(2, 3, 1\)"):
        vs.upsert_many("c", ["a", "b"], matrix.reshape(2, 3, 1))
    with pytest.raises(StorageError.InvalidInput, match="dimension 3"):
        vs.upsert_many("c", ["a", "b"], np.ones((2, 4), dtype=np.float32))  # columns: the core's check
    assert vs.count("c") == 0
    with pytest.raises(StorageError.NotFound):
        vs.upsert_many("none", ["a", "b"], matrix.T)
    vs.upsert_many("c", ["a", "b"], matrix)
    vs.upsert_many("c", ["x", "y"], matrix.reshape(6))  # a flat buffer of len(ids) x dim floats
    assert vs.get("c", "b").embedding == [3.0, 4.0, 5.0] and vs.get("c", "y").embedding == [3.0, 4.0, 5.0]
