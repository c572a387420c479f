"""Deletes a user expects and retention windows as durations, from Python."""

import pytest

from neotalk_storage import (
    AlertRecord,
    AlertSeverity,
    DataCleanupTask,
    DataPoint,
    EventMetadata,
    EventRetention,
    NewEvent,
    StorageError,
    TelemetryPoint,
)

HOUR = 3_600_000
NOW = 1_000 * 24 * HOUR


def fill(db):
    db.timeseries().write_batch(
        [TelemetryPoint(device_id=d, metric=m, point=_point(t)) for d in ("a", "b") for m in ("temp", "rh") for t in range(3)]
    )


def _point(t):
    return DataPoint(timestamp=t, value=float(t))


def test_delete_device_telemetry_and_metric(db):
    fill(db)
    ts = db.timeseries()
    assert ts.delete_device("a") == 6
    assert ts.list_devices_with_data() == ["b"]
    assert db.devices().get_device("a").metrics == {}
    assert ts.delete_metric("rh") == 3
    assert ts.list_metrics("b") == ["temp"]
    assert ts.delete_device("nobody") == 0
    with pytest.raises(StorageError.InvalidInput, match="metric"):
        ts.delete_metric("")


def test_device_delete_with_and_without_cascade(db):
    fill(db)
    assert db.devices().delete("a", cascade=True) == 6
    assert db.devices().get_device("a") is None
    assert db.timeseries().list_devices_with_data() == ["b"]
    assert db.devices().delete("b") == 0
    assert db.timeseries().list_devices_with_data() == ["b"], "without cascade the telemetry stays"
    with pytest.raises(StorageError.NotFound, match="a"):
        db.devices().delete("a", cascade=True)


def test_alert_delete(db):
    alerts = db.alerts()
    alerts.create(AlertRecord(alert_id="a1", title="Hot", severity=AlertSeverity.CRITICAL, message="", source="rule", created_at=1))
    assert alerts.delete("a1") is True
    assert alerts.delete("a1") is False
    assert alerts.count_by_severity().critical == 0
    with pytest.raises(StorageError.InvalidInput, match="alert_id"):
        alerts.delete("")


def test_event_retention_in_hours_and_forever(db):
    events = db.events()
    meta = lambda ts: EventMetadata(source="s", timestamp=ts)  # noqa: E731
    events.append_batch(
        [
            NewEvent(event_id="old", event_type="t", event_data=None, metadata=meta(NOW - 36 * HOUR - 1)),
            NewEvent(event_id="edge", event_type="t", event_data=None, metadata=meta(NOW - 36 * HOUR)),
            NewEvent(event_id="audit", event_type="audit", event_data=None, metadata=meta(0)),
        ]
    )
    result = events.cleanup(NOW, EventRetention(keep="36h", by_type={"audit": "forever"}))
    assert result.expired == 1
    assert [e.event_id for e in events.replay(0)] == ["edge", "audit"]
    for bad in ["0d", "3 days", "1mo", "-1h"]:
        with pytest.raises(StorageError.InvalidInput, match="keep"):
            events.cleanup(NOW, EventRetention(keep=bad))
    with pytest.raises(StorageError.InvalidInput, match="by_type"):
        events.cleanup(NOW, EventRetention(by_type={"x": "soon"}))


def test_cleanup_task_takes_durations(db):
    task = DataCleanupTask(db, {"alerts": {"keep": "36h"}, "sessions": {"days": 2}, "decisions": {"keep": "forever"}})
    config = task.config()
    assert (config["alerts"]["keep"], config["sessions"]["keep"], config["decisions"]["keep"]) == ("36h", "2d", "forever")
    with pytest.raises(StorageError.InvalidInput):
        DataCleanupTask(db, {"alerts": {"keep": "0h"}})
