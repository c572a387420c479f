"""Replicator from Python: a Parquet target receives every point once and the status tells
what was delivered; bad targets and gateway ids are InvalidInput; follow() stops on stop()."""

import threading
import time

import pytest

from neotalk_storage import EventMetadata, NewEvent, Replicator, StorageError


def write(db, start, n):
    for i in range(start, start + n):
        db.timeseries().write("pump-1", "power", i * 1000, i / 4)
    db.timeseries().flush()


def parquet_files(root):
    return sorted(p for p in root.rglob("*.parquet"))


def test_run_once_delivers_each_point_once(db, tmp_path):
    write(db, 0, 100)
    db.events().append(NewEvent(event_id="e1", event_type="device.online", event_data={}, metadata=EventMetadata(source="mqtt", timestamp=1, correlation_id=None, causation_id=None)))
    r = Replicator(db, tmp_path / "fleet", "gw-1")
    assert r.sink_name() == f"parquet:{tmp_path / 'fleet'}"
    with pytest.raises(StorageError.NotFound):
        db.replication_status(tmp_path / "elsewhere")
    report = r.run_once()
    assert (report.points, report.events, report.dropped) == (100, 1, 0)
    files = parquet_files(tmp_path / "fleet")
    assert any("feed=telemetry" in str(p) and "gateway=gw-1" in str(p) for p in files)
    assert all(p.read_bytes()[:4] == b"PAR1" for p in files)
    assert r.run_once().points == 0, "nothing twice"
    write(db, 100, 5)
    assert r.run_once().points == 5
    status = r.status()
    assert status == db.replication_status(tmp_path / "fleet")
    telemetry = next(f for f in status["feeds"] if f["feed"] == "telemetry")
    assert (telemetry["progress"]["delivered"], telemetry["pending_rows"]) == (105, 0)
    # A second replicator of the same target resumes from the stored cursor.
    assert Replicator(db, f"parquet:{tmp_path / 'fleet'}", "gw-1").run_once().points == 0


def test_bad_targets_and_gateway_ids(db, tmp_path):
    for target in ["mysql://x", "parquet:", "postgres://u@h:notaport/db"]:
        with pytest.raises(StorageError.InvalidInput) as e:
            Replicator(db, target, "gw")
        assert target in str(e.value)
    for gateway in ["", "../x", "a b"]:
        with pytest.raises(StorageError.InvalidInput, match="gateway_id"):
            Replicator(db, f"parquet:{tmp_path}", gateway)


def test_an_unreachable_server_is_io_and_recorded(db):
    write(db, 0, 3)
    r = Replicator(db, "postgres://nobody@127.0.0.1:9/nothing", "gw")
    with pytest.raises(StorageError.Io):
        r.run_once()
    assert r.status()["last_error"]


def test_follow_until_stop(db, tmp_path):
    r = Replicator(db, tmp_path / "fleet", "gw-1")
    result = {}
    t = threading.Thread(target=lambda: result.update(report=r.follow(10)))
    t.start()
    write(db, 0, 20)
    deadline = time.monotonic() + 30
    while next(f for f in r.status()["feeds"] if f["feed"] == "telemetry")["progress"]["delivered"] < 20:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    r.stop()
    t.join(30)
    assert not t.is_alive() and result["report"].points == 20
