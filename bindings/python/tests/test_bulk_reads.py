"""The bulk reads: a range of plain numbers crosses as packed columns and events as one JSON
text, and both must give the same records as the point-by-point path."""

import pytest

from neotalk_storage import AlertRecord, AlertSeverity, DataPoint, EventLogEntry, EventMetadata, NewEvent, StorageError


def test_a_float_range_reads_as_data_points(db):
    ts = db.timeseries()
    ts.write_series("d", "temp", [(1_000 + i, i * 0.25) for i in range(100)])
    points = ts.query_range("d", "temp", 0, None)
    assert len(points) == 100 and all(isinstance(p, DataPoint) for p in points)
    assert points[3] == DataPoint(timestamp=1_003, value=0.75)
    assert type(points[3].value) is float and points[3].quality is None and points[3].metadata is None
    assert repr(points[0]) == "DataPoint(timestamp=1000, value=0.0, quality=None, metadata=None)"
    assert [p.timestamp for p in ts.query_range("d", "temp", 0, None, limit=2, newest_first=True)] == [1_099, 1_098]


def test_an_integer_range_keeps_integers(db):
    ts = db.timeseries()
    ts.write_series("d", "count", [(1, 2**62), (2, -5)])
    points = ts.query_range("d", "count", 0, None)
    assert [(p.timestamp, p.value) for p in points] == [(1, 2**62), (2, -5)]
    assert all(type(p.value) is int for p in points)


@pytest.mark.parametrize(
    "points",
    [
        [(1, 1.5), (2, 7)],  # floats and integers mixed
        [(1, True), (2, False)],
        [(1, "on"), (2, "off")],
    ],
)
def test_other_ranges_read_point_by_point(db, points):
    ts = db.timeseries()
    ts.write_series("d", "m", points)
    assert [(p.timestamp, p.value) for p in ts.query_range("d", "m", 0, None)] == points


def test_quality_and_metadata_are_kept(db):
    ts = db.timeseries()
    ts.write("d", "temp", 1, 20.5)
    ts.write("d", "temp", 2, 21.0, quality=0.5, metadata={"unit": "C"})
    got = ts.query_range("d", "temp", 0, None)
    assert (got[0].quality, got[0].metadata) == (None, None)
    assert (got[1].quality, got[1].metadata) == (0.5, {"unit": "C"})


def test_events_read_in_bulk_equal_single_reads(db):
    ev = db.events()
    ev.append_batch(
        [
            NewEvent(event_id="a", event_type="t", event_data={"n": 1, "s": "é\"\\"}, metadata=EventMetadata(source="s", timestamp=10)),
            NewEvent(
                event_id="b",
                event_type="u",
                event_data=[1, 2.5, None, True],
                metadata=EventMetadata(source="s2", timestamp=20, correlation_id="c1", causation_id="a"),
            ),
        ]
    )
    for read in (ev.replay(0), ev.query_range(0, None), ev.query_by_type("u", 0, None)):
        for e in read:
            assert isinstance(e, EventLogEntry) and isinstance(e.metadata, EventMetadata)
            assert e == ev.get(e.event_id)
    b = ev.replay(1)[0]
    assert (b.sequence, b.event_data, b.metadata.correlation_id, b.metadata.causation_id) == (2, [1, 2.5, None, True], "c1", "a")
    assert repr(b.metadata) == "EventMetadata(source='s2', timestamp=20, correlation_id='c1', causation_id='a')"
    assert ev.replay(2) == [] and ev.replay(0, 0) == []


def test_latest_reads_through_series_handles_and_packed_batches(db):
    ts = db.timeseries()
    ts.write_series("d", "temp", [(1, 1.5), (2, 2.5)])
    ts.write_series("d", "count", [(3, 7)])
    ts.write("d", "state", 4, "on", quality=0.5)
    assert ts.query_latest("d", "temp") == DataPoint(timestamp=2, value=2.5)
    ts.write("d", "temp", 5, 3.5)  # a handle read after a write sees the write
    assert ts.query_latest("d", "temp").value == 3.5
    assert type(ts.query_latest("d", "count").value) is int
    assert (ts.query_latest("d", "state").value, ts.query_latest("d", "state").quality) == ("on", 0.5)
    got = ts.query_latest_batch([("d", "temp"), ("ghost", "temp"), ("d", "count"), ("d", "state")])
    assert [p and (p.timestamp, p.value) for p in got] == [(5, 3.5), None, (3, 7), (4, "on")]
    # Mixed types cross point by point; all-float batches as columns: both give the same records.
    assert ts.query_latest_batch([("d", "temp")]) == [ts.query_latest("d", "temp")]
    with pytest.raises(StorageError.InvalidInput, match="metric"):
        ts.query_latest("d", "")
    with pytest.raises(StorageError.InvalidInput, match="series"):
        ts._native.query_latest_batch_json('[["d"]]')
    with pytest.raises(StorageError.InvalidInput, match="device_id"):
        ts.query_latest_batch([("", "temp")])
    # The same list again reads through a cached series-set handle: it sees later writes.
    ts.write("d", "temp", 6, 4.5)
    ts.write("ghost", "temp", 1, 0.0)
    got = ts.query_latest_batch([("d", "temp"), ("ghost", "temp"), ("d", "count"), ("d", "state")])
    assert [p and (p.timestamp, p.value) for p in got] == [(6, 4.5), (1, 0.0), (3, 7), (4, "on")]
    with pytest.raises(StorageError.InvalidInput, match="series"):
        ts.query_latest_batch([(["not", "hashable"], "temp")])
    with pytest.raises(StorageError.InvalidInput, match="series"):
        ts._native.series_set("{}")


def test_alert_ranges_read_as_the_same_records_as_the_typed_calls(db):
    alerts = db.alerts()
    for i, severity in enumerate(["info", "warning", "error", "critical"]):
        alerts.create(AlertRecord(alert_id=f"a{i}", title="t", severity=severity, message="m", source="rules", created_at=i, entity_id="dev-1" if i else None))
    alerts.acknowledge("a1", "op", 10)
    alerts.resolve("a2", 11)
    bulk = alerts.query_range(0, None)
    assert bulk == [alerts.get(f"a{i}") for i in range(4)]
    assert [a.severity for a in bulk] == [AlertSeverity.INFO, AlertSeverity.WARNING, AlertSeverity.ERROR, AlertSeverity.CRITICAL]
    assert (bulk[1].acknowledged, bulk[1].acknowledged_by, bulk[2].resolved_at, bulk[0].entity_id) == (True, "op", 11, None)
    assert repr(bulk[0]).startswith("AlertRecord(alert_id='a0'")
    assert [a.alert_id for a in alerts.query_range(1, 3, limit=1)] == ["a1"]
