"""The bulk reads: a range of plain numbers crosses as packed columns and events as one JSON
text, and both must give the same records as the point-by-point path."""

import pytest

from neotalk_storage import DataPoint, EventLogEntry, EventMetadata, NewEvent


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
