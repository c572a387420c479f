"""EventLogStore through the installed wheel."""

import pytest

from neotalk_storage import EventCleanup, EventMetadata, EventRetention, NewEvent, StorageError

DAY = 86_400_000


def ev(event_id, event_type="device.online", ts=1_000, data=None, correlation_id=None, causation_id=None):
    meta = EventMetadata(source="mqtt", timestamp=ts, correlation_id=correlation_id, causation_id=causation_id)
    return NewEvent(event_id=event_id, event_type=event_type, event_data=data if data is not None else {"device": "t1"}, metadata=meta)


def test_append_get_and_sequences(db):
    events = db.events()
    assert events.last_sequence() == 0
    e = events.append(ev("e1", data={"device": "t1", "values": [1, 2.5, None]}))
    assert e.sequence == 1 and e.event_data == {"device": "t1", "values": [1, 2.5, None]}
    got = events.get("e1")
    assert got == e and got.metadata.source == "mqtt"
    assert events.get("missing") is None
    batch = events.append_batch([ev("e2", ts=2_000), ev("e3", ts=3_000)])
    assert (batch.first, batch.last) == (2, 3)
    assert [e.event_id for e in events.replay(batch.first - 1, batch.last - batch.first + 1)] == ["e2", "e3"]
    assert events.last_sequence() == 3
    empty = events.append_batch([])
    assert (empty.first, empty.last) == (4, 3)
    assert events.total_bytes() > 0


def test_queries(db):
    events = db.events()
    events.append_batch([
        ev("a", "rule.triggered", 100, correlation_id="c1"),
        ev("b", "device.offline", 200, correlation_id="c1", causation_id="a"),
        ev("c", "rule.triggered", 300),
    ])
    assert [e.event_id for e in events.query_range(0, 1_000)] == ["a", "b", "c"]
    assert [e.event_id for e in events.query_range(100, 300, limit=1)] == ["a"]
    assert [e.event_id for e in events.query_range(100, 300)] == ["a", "b"]
    assert [e.event_id for e in events.query_by_type("rule.triggered", 0, 1_000)] == ["a", "c"]
    assert [e.event_id for e in events.query_by_correlation("c1")] == ["a", "b"]
    assert events.query_by_correlation("c1")[1].metadata.causation_id == "a"
    assert [e.event_id for e in events.replay(1, 10)] == ["b", "c"]
    assert [e.event_id for e in events.replay(0, 2)] == ["a", "b"]
    # The one paging rule: 0 returns nothing, None (the default) returns everything.
    assert events.replay(0, 0) == []
    assert [e.event_id for e in events.replay(0)] == ["a", "b", "c"]


def test_cleanup_by_age_and_type(db):
    events = db.events()
    now = 100 * DAY
    events.append_batch([ev("old", "x", now - 10 * DAY), ev("debug", "debug", now - 2 * DAY), ev("new", "x", now)])
    result = events.cleanup(now, EventRetention(keep="7d", by_type={"debug": "1d"}))
    assert result == EventCleanup(expired=2, over_size=0)
    assert [e.event_id for e in events.replay(0, 10)] == ["new"]
    assert events.cleanup(now) == EventCleanup(expired=0, over_size=0)
    assert events.last_sequence() == 3, "sequences are never reused"


def test_duplicate_ids_conflict(db):
    events = db.events()
    events.append(ev("e1"))
    with pytest.raises(StorageError.Conflict, match="e1"):
        events.append(ev("e1"))
    with pytest.raises(StorageError.Conflict, match="twice"):
        events.append_batch([ev("x"), ev("x")])
    assert events.last_sequence() == 1


def test_bad_event_inputs_are_refused(db):
    events = db.events()
    with pytest.raises(StorageError.InvalidInput, match="event_id"):
        events.append(ev(""))
    with pytest.raises(StorageError.InvalidInput, match="event_type"):
        events.append(ev("e", "t" * 257))
    with pytest.raises(StorageError.InvalidInput, match="event_data"):
        events.append(ev("e", data={"x": float("nan")}))
    with pytest.raises(StorageError.InvalidInput, match="time range"):
        events.query_range(10, 5)
    with pytest.raises(StorageError.InvalidInput, match="correlation_id"):
        events.query_by_correlation("")
    assert events.last_sequence() == 0


def test_cleanup_by_size_drops_the_oldest_first(db):
    events = db.events()
    events.append_batch([ev(f"e{i}", ts=i) for i in range(5)])
    result = events.cleanup(10, EventRetention(keep="365d", max_size_mb=0))
    assert result == EventCleanup(expired=0, over_size=5)
    assert events.total_bytes() == 0 and events.replay(0, 10) == []


def test_event_data_keeps_the_callers_key_order(db):
    events = db.events()
    data = {"device": "dev-00", "value": 20.01, "seq": 1, "nested": {"z": 1, "a": 2}}
    events.append(ev("k1", data=data))
    got = events.get("k1").event_data
    assert got == data
    assert list(got) == ["device", "value", "seq", "nested"] and list(got["nested"]) == ["z", "a"]
    assert list(events.replay(0, 1)[0].event_data) == ["device", "value", "seq", "nested"]
