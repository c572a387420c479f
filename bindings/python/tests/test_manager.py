"""StorageManager: opening, options, persistence, context manager, housekeeping calls."""

import pytest

from neotalk_storage import Durability, EventMetadata, NewEvent, StorageError, StorageManager, StorageOptions, WriteBufferOptions


def test_context_manager_closes_and_data_persists(disk):
    with StorageManager.open(disk) as db:
        assert db.backend_kind() == "redb"
        assert db.path() == str(disk)
        db.timeseries().write("thermo-1", "temperature", 1_000, 21.5)  # buffered; close commits it
        db.events().append(NewEvent(event_id="e1", event_type="t", event_data={"k": [1]}, metadata=EventMetadata(source="s", timestamp=1)))
    with StorageManager.open(str(disk)) as db:
        assert db.timeseries().query_latest("thermo-1", "temperature").value == 21.5
        assert db.events().get("e1").event_data == {"k": [1]}
        assert db.devices().get_device("thermo-1").last_seen == 1_000


def test_context_manager_closes_on_exception(disk):
    with pytest.raises(RuntimeError):
        with StorageManager.open(disk) as db:
            db.timeseries().write_series("d", "m", [(1, 1.0)])
            raise RuntimeError("boom")
    with StorageManager.open(disk) as db:  # not locked: the failed block closed it
        assert len(db.timeseries().query_range("d", "m", 0, 10)) == 1


def test_a_store_keeps_its_database_open_and_the_last_reference_closes_it(disk):
    events = StorageManager.open(disk).events()  # the manager itself is dropped at once
    events.append(NewEvent(event_id="e1", event_type="t", event_data=1, metadata=EventMetadata(source="s", timestamp=1)))
    with pytest.raises(StorageError.Locked):
        StorageManager.open(disk)
    del events  # the last reference: the database flushes and releases its file
    with StorageManager.open(disk) as db:
        assert db.events().get("e1").event_data == 1


def test_invalid_input_is_a_value_error(db):
    with pytest.raises(ValueError, match="limit: -1 is negative"):
        db.events().replay(0, -1)


def test_in_memory(db):
    if db.path() is None:
        assert db.backend_kind() == "memory"
    else:
        assert db.backend_kind() == "redb"


def test_options(disk):
    options = StorageOptions(durability=Durability.EVENTUAL, write_buffer=WriteBufferOptions(max_points=2, max_delay_ms=60_000), page_cache_bytes=1 << 20)
    with StorageManager.open(disk, options) as db:
        ts = db.timeseries()
        ts.write("d", "m", 1, 1.0)
        assert ts.buffered_points() == 1
        ts.write("d", "m", 2, 2.0)  # reaches max_points: committed
        assert ts.buffered_points() == 0
        db.flush()
    with StorageManager.in_memory(StorageOptions(write_buffer=WriteBufferOptions(max_points=0, max_delay_ms=0))) as db:
        db.timeseries().write("d", "m", 1, 1.0)
        assert db.timeseries().buffered_points() == 0
    # An unset nested field keeps the core's default (max_delay_ms); the set one applies.
    with StorageManager.in_memory(StorageOptions(write_buffer=WriteBufferOptions(max_points=1))) as db:
        db.timeseries().write("d", "m", 1, 1.0)
        assert db.timeseries().buffered_points() == 0


def test_flush_commits_the_buffer(db):
    db.timeseries().write("d", "m", 1, 1.0)
    db.flush()
    assert db.timeseries().buffered_points() == 0


def test_table_sizes(db):
    db.timeseries().write_series("d", "m", [(t, 1.0) for t in range(5)])
    sizes = {t.name: t for t in db.table_sizes()}
    assert sizes["ts_chunks"].entries == 1  # five points of one series share one chunk
    assert sizes["ts_chunks"].stored_bytes > 0


def test_split_files_layout(tmp_path):
    with StorageManager.open(tmp_path, StorageOptions(split_files=True)) as db:
        assert db.is_split()
        db.timeseries().write_series("pump", "power", [(1, 1.5), (2, 1.6)])
        db.events().append(NewEvent(event_id="e1", event_type="t", event_data={}, metadata=EventMetadata(source="s", timestamp=1)))
    for name in ["storage.redb", "timeseries.redb", "vectors.redb", "sessions/sessions.redb", "events/events.redb"]:
        assert (tmp_path / name).is_file(), name
    with StorageManager.open(tmp_path) as db:  # the layout is the directory's, not the options'
        assert db.is_split()
        assert len(db.timeseries().query_range("pump", "power", 0, 10)) == 2
        assert db.events().get("e1").event_id == "e1"


def test_split_files_refused_on_a_one_file_database(tmp_path):
    from neotalk_storage import StorageError

    with StorageManager.open(tmp_path) as db:
        assert not db.is_split()
        db.timeseries().write_series("pump", "power", [(1, 1.5)])
    with pytest.raises(StorageError.InvalidInput, match="split_files"):
        StorageManager.open(tmp_path, StorageOptions(split_files=True))
    assert not (tmp_path / "timeseries.redb").exists()
    with StorageManager.open(tmp_path) as db:
        assert len(db.timeseries().query_range("pump", "power", 0, 10)) == 1
