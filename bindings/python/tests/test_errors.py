"""Every error kind a caller can meet, caught by kind, with a message naming the culprit."""

import array

import pytest

from neotalk_storage._native import neotalk_storage_uniffi as native
from neotalk_storage import DataPoint, DeviceState, EventMetadata, NewEvent, StorageError, StorageManager, StorageOptions, WriteBufferOptions

LONG = "x" * 257

BAD_CALLS = [
    # (description, call, error kind, text the message must contain)
    ("empty device id", lambda db: db.timeseries().write_series("", "m", [(1, 1.0)]), StorageError.InvalidInput, "device_id"),
    ("too-long device id", lambda db: db.timeseries().write_series(LONG, "m", [(1, 1.0)]), StorageError.InvalidInput, "257 bytes"),
    ("empty metric", lambda db: db.timeseries().query_range("d", "", 0, 1), StorageError.InvalidInput, "metric"),
    ("too-long metric", lambda db: db.timeseries().query_latest("d", LONG), StorageError.InvalidInput, "metric"),
    ("NaN value", lambda db: db.timeseries().write("d", "m", 1, float("nan")), StorageError.InvalidInput, "not a finite number"),
    ("infinite value", lambda db: db.timeseries().write_batch([("d", "m", 1, float("inf"))]), StorageError.InvalidInput, "value"),
    ("NaN quality", lambda db: db.timeseries().write("d", "m", 1, 1.0, quality=float("nan")), StorageError.InvalidInput, "quality"),
    ("integer beyond i64", lambda db: db.timeseries().write("d", "m", 1, 2**63), StorageError.InvalidInput, "64-bit"),
    ("unsupported value type", lambda db: db.timeseries().write("d", "m", 1, [1]), StorageError.InvalidInput, "list"),
    ("metadata not JSON", lambda db: db.timeseries().write("d", "m", 1, 1.0, metadata={"f": object()}), StorageError.InvalidInput, "metadata"),
    ("start after end", lambda db: db.timeseries().query_range("d", "m", 10, 5), StorageError.InvalidInput, "start 10 is after end 5"),
    ("start after end (packed)", lambda db: db.timeseries().query_range_packed("d", "m", 10, 5), StorageError.InvalidInput, "time range"),
    ("start after end (delete)", lambda db: db.timeseries().delete_range("d", "m", 10, 5), StorageError.InvalidInput, "time range"),
    ("zero bucket", lambda db: db.timeseries().query_aggregated("d", "m", 0, 10, 0), StorageError.InvalidInput, "bucket_ms"),
    ("negative bucket", lambda db: db.timeseries().query_aggregated("d", "m", 0, 10, -5), StorageError.InvalidInput, "-5 must be positive"),
    ("bad tuple", lambda db: db.timeseries().write_series("d", "m", [(1, 2, 3)]), StorageError.InvalidInput, "(timestamp, value)"),
    ("unknown device (metrics)", lambda db: db.timeseries().list_metrics("ghost"), StorageError.NotFound, "ghost"),
    ("unknown device (delete)", lambda db: db.devices().delete("ghost"), StorageError.NotFound, "device"),
    ("unknown device (online)", lambda db: db.devices().set_online("ghost", False), StorageError.NotFound, "ghost"),
    ("empty device type", lambda db: db.devices().list_by_type(""), StorageError.InvalidInput, "device_type"),
    ("empty event id", lambda db: db.events().get(""), StorageError.InvalidInput, "event_id"),
    ("too-long event type", lambda db: db.events().query_by_type(LONG, 0, 1), StorageError.InvalidInput, "event_type"),
    ("event start after end", lambda db: db.events().query_by_type("t", 5, 1), StorageError.InvalidInput, "time range"),
    ("negative limit", lambda db: db.events().replay(0, -1), StorageError.InvalidInput, "limit: -1 is negative"),
    ("negative sequence", lambda db: db.events().replay(-5, None), StorageError.InvalidInput, "after_sequence: -5 is negative"),
    ("negative k", lambda db: db.vectors().search("c", [1.0], -1), StorageError.InvalidInput, "k: -1 is negative"),
    ("negative dimension", lambda db: db.vectors().create_collection("c", -3, "cosine"), StorageError.InvalidInput, "dimension: -3 is negative"),
]


@pytest.mark.parametrize("description,call,kind,text", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_input_raises_its_kind(db, description, call, kind, text):
    with pytest.raises(kind) as info:
        call(db)
    assert text in str(info.value), f"{description}: {info.value}"
    assert isinstance(info.value, StorageError)


def test_negative_options_are_refused():
    with pytest.raises(StorageError.InvalidInput, match="integer `-1`"):
        StorageManager.in_memory(StorageOptions(page_cache_bytes=-1))
    with pytest.raises(StorageError.InvalidInput, match="integer `-5`"):
        StorageManager.in_memory(StorageOptions(write_buffer=WriteBufferOptions(max_points=-5)))


def test_duplicate_event_id_is_a_conflict(db):
    meta = EventMetadata(source="s", timestamp=1)
    db.events().append(NewEvent(event_id="e", event_type="t", event_data={}, metadata=meta))
    with pytest.raises(StorageError.Conflict) as info:
        db.events().append(NewEvent(event_id="e", event_type="t", event_data={}, metadata=meta))
    assert info.value.code == "CONFLICT" and '"e"' in str(info.value)


def test_malformed_json_text_is_refused_by_the_native_layer():
    """The native layer takes JSON as text; text that does not parse is InvalidInput."""
    db = native.StorageManager.in_memory()
    meta = native.EventMetadata(source="s", timestamp=1)
    with pytest.raises(StorageError.InvalidInput, match="event_data: malformed JSON"):
        db.events().append(native.NewEvent(event_id="e", event_type="t", event_data="{not json", metadata=meta))
    with pytest.raises(StorageError.InvalidInput, match="config: malformed JSON"):
        db.devices().upsert(native.DeviceState(device_id="d", device_type="t", config="[1,"))
    point = native.DataPoint(timestamp=1, value=native.MetricValue.FLOAT(1.0), metadata="nope")
    with pytest.raises(StorageError.InvalidInput, match="metadata: malformed JSON"):
        db.timeseries().write("d", "m", point)
    assert db.events().last_sequence() == 0 and db.devices().list_devices() == []
    db.close_storage()


USE_AFTER_CLOSE = [
    lambda db: db.timeseries().write("d", "m", 1, 1.0),
    lambda db: db.timeseries().write_packed("d", "m", array.array("q", [1]), array.array("d", [1.0])),
    lambda db: db.timeseries().query_range("d", "m", 0, 10),
    lambda db: db.timeseries().list_devices_with_data(),
    lambda db: db.devices().upsert(DeviceState(device_id="x", device_type="t", config={})),
    lambda db: db.devices().get_device("d"),
    lambda db: db.devices().list_devices(),
    lambda db: db.events().append(NewEvent(event_id="e2", event_type="t", event_data=1, metadata=EventMetadata(source="s", timestamp=1))),
    lambda db: db.events().replay(0, 10),
    lambda db: db.events().last_sequence(),
    lambda db: db.table_sizes(),
    lambda db: db.alerts().unresolved(10),
    lambda db: db.stats(),
    lambda db: db.export_snapshot(),
]


@pytest.mark.parametrize("call", USE_AFTER_CLOSE)
def test_use_after_close_raises_closed(db, call):
    db.timeseries().write_series("d", "m", [(1, 1.0)])
    db.close()
    with pytest.raises(StorageError.Closed, match="closed"):
        call(db)
    db.close()  # closing twice is harmless


def test_second_handle_on_the_same_directory_is_locked(disk):
    with StorageManager.open(disk):
        with pytest.raises(StorageError.Locked) as info:
            StorageManager.open(disk)
        assert info.value.code == "LOCKED"
    StorageManager.open(disk).close()  # released on close


@pytest.mark.parametrize("path", ["", "data\0dir"])
def test_an_empty_or_nul_path_is_invalid_input_and_creates_nothing(tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StorageError.InvalidInput, match="data_dir"):
        StorageManager.open(path)
    assert list(tmp_path.iterdir()) == []


def test_directory_that_cannot_be_created_is_an_io_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError.Io, match="cannot create"):
        StorageManager.open(blocker / "data")


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(disk):
    disk.mkdir()
    garbage = b"this is not a redb file" * 100
    (disk / "storage.redb").write_bytes(garbage)
    with pytest.raises(StorageError) as info:
        StorageManager.open(disk)
    assert type(info.value) in (StorageError.Corrupted, StorageError.Backend, StorageError.Io), repr(info.value)
    assert (disk / "storage.redb").read_bytes() == garbage
