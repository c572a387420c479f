"""SessionStore and LongTermMemoryStore (typed records, packed float32 query embeddings)."""

import array

import numpy
import pytest

from neotalk_storage import (
    MemoryEntry,
    MemoryHit,
    MemoryMetadata,
    MemoryType,
    SequencedMessage,
    SessionInfo,
    SessionMessage,
    StorageError,
)


def msg(role, content, at, **extra):
    return {"role": role, "content": content, "timestamp": at, **extra}


def test_session_messages_window_and_summaries(db):
    sessions = db.sessions()
    info = sessions.create_session("s1", "kitchen", 1_000)
    assert isinstance(info, SessionInfo) and (info.session_id, info.title, info.message_count) == ("s1", "kitchen", 0)
    sessions.create_session("s2", "garage", 1_500)
    assert sessions.append_message("s1", msg("user", "turn the fan on", 2_000)) == 1
    seqs = sessions.append_messages("s1", [
        msg("assistant", "", 2_100, tool_calls=[{"id": "c1", "name": "fan", "arguments": {"on": True}}]),
        msg("tool", "fan is on", 2_200, tool_call_id="c1"),
        msg("assistant", "done", 2_300),
    ])
    assert seqs == [2, 3, 4]
    loaded = sessions.load_messages("s1")
    assert [m.sequence for m in loaded] == [1, 2, 3, 4]
    assert isinstance(loaded[1], SequencedMessage) and loaded[1].message.tool_calls[0]["arguments"] == {"on": True}
    assert loaded[0].message == SessionMessage(role="user", content="turn the fan on", timestamp=2_000)
    # A typed message in, with its tool calls as Python objects.
    call = SessionMessage(role="assistant", content="", timestamp=2_050, tool_calls=[{"id": "c2", "name": "light"}])
    assert sessions.append_message("s2", call) == 1
    assert sessions.load_messages("s2")[0].message == call
    assert [m.message.content for m in sessions.last_messages("s1", 1)] == ["done"]
    assert [m.sequence for m in sessions.messages_range("s1", 2, 4)] == [2, 3]
    # A window of 10 chars holds "done" (4) and the tool unit (9 + 0) does not fit with it.
    assert [m.sequence for m in sessions.context_window("s1", 10)] == [4]
    assert sessions.get_session("s1").message_count == 4
    assert [s.session_id for s in sessions.list_sessions()][0] == "s1"
    assert sessions.set_summary("s1", "fan turned on", 3_000).summary == "fan turned on"
    assert sessions.get_summary("s1").updated_at == 3_000
    assert sessions.get_summary("s2") is None
    assert [s.session_id for s in sessions.recent_summaries(5)] == ["s1"]
    assert sessions.delete_session("s1") is True
    assert sessions.delete_session("s1") is False
    assert sessions.get_session("s1") is None
    assert sessions.cleanup(2_100) == 1
    assert sessions.list_sessions() == []


def test_session_errors(db):
    sessions = db.sessions()
    sessions.create_session("s1", "t", 1)
    with pytest.raises(StorageError.Conflict):
        sessions.create_session("s1", "t", 1)
    with pytest.raises(StorageError.NotFound):
        sessions.append_message("ghost", msg("user", "hi", 1))
    with pytest.raises(StorageError.InvalidInput):
        sessions.append_message("s1", {"role": "user"})  # no content / timestamp
    with pytest.raises(StorageError.InvalidInput):
        sessions.append_message("s1", msg("user", "x", 1, tool_calls=[float("nan")]))
    with pytest.raises(StorageError.InvalidInput):
        sessions.messages_range("s1", 5, 1)
    with pytest.raises(StorageError.InvalidInput):
        sessions.create_session("", "t", 1)


def memory(memory_id, kind, content, at, embedding=None, importance=0.5, expires_at=None):
    return {
        "memory_id": memory_id,
        "memory_type": kind,
        "content": content,
        "embedding": embedding,
        "metadata": {"keywords": ["hvac"], "importance": importance, "entities": ["thermo-1"], "expires_at": expires_at},
        "created_at": at,
        "last_accessed": None,
        "access_count": 0,
    }


def test_memory_add_get_search(db):
    mem = db.memory()
    mem.add(memory("m1", "DeviceKnowledge", "thermostat in the kitchen runs hot", 1_000, [1.0, 0.0, 0.0], 0.9))
    mem.add_many([
        memory("m2", "UserPreference", "user likes the kitchen at 21 degrees", 2_000, [0.0, 1.0, 0.0], 0.4),
        memory("m3", "Other", "garage door sensor", 3_000, None, 0.1, expires_at=5_000),
    ])
    assert mem.count() == 3
    assert mem.peek("m1").access_count == 0
    assert mem.get("m1", 9_000).access_count == 1
    assert mem.peek("m1").last_accessed == 9_000
    assert mem.get("none", 1) is None
    assert [m.memory_id for m in mem.by_type(MemoryType.USER_PREFERENCE)] == ["m2"]
    assert [m.memory_id for m in mem.by_type("device_knowledge", 10)] == ["m1"]
    assert [m.memory_id for m in mem.by_importance(2)] == ["m1", "m2"]
    hits = mem.search_keywords("kitchen", 10)
    assert {h.entry.memory_id for h in hits} == {"m1", "m2"} and all(h.score > 0 for h in hits)
    for query in ([0.1, 0.9, 0.0], numpy.array([0.1, 0.9, 0.0], dtype=numpy.float32), array.array("f", [0.1, 0.9, 0.0])):
        assert [h.entry.memory_id for h in mem.search_semantic(query, 1)] == ["m2"]
    assert mem.search_hybrid("thermostat", numpy.array([1, 0, 0], dtype=numpy.float32), 1)[0].entry.memory_id == "m1"
    updated = mem.peek("m2")
    assert isinstance(updated, MemoryEntry) and updated.metadata.importance == 0.4
    updated.content = "user likes 22 degrees"
    mem.update(updated)
    assert mem.peek("m2").content == "user likes 22 degrees"
    typed = MemoryEntry(memory_id="m4", memory_type=MemoryType.OTHER, content="typed", created_at=4_000,
                        metadata=MemoryMetadata(keywords=["x"]), embedding=numpy.array([0, 0, 1], dtype=numpy.float32))
    mem.add(typed)
    got = mem.peek("m4")
    assert (got.embedding, got.metadata.importance, got.metadata.keywords) == ([0.0, 0.0, 1.0], 0.5, ["x"])
    assert isinstance(mem.search_keywords("typed", 1)[0], MemoryHit)
    assert mem.delete("m4") is True
    assert mem.purge_expired(6_000) == 1
    assert mem.delete("m2") is True and mem.delete("m2") is False
    assert mem.count() == 1


def test_memory_errors(db):
    mem = db.memory()
    mem.add(memory("m1", "Other", "x", 1, [1.0, 0.0]))
    with pytest.raises(StorageError.Conflict):
        mem.add(memory("m1", "Other", "x", 1))
    with pytest.raises(StorageError.InvalidInput):
        mem.add(memory("m2", "Gossip", "x", 1))  # unknown memory type
    with pytest.raises(StorageError.InvalidInput, match="memory_type"):
        mem.by_type("gossip")
    with pytest.raises(StorageError.NotFound):
        mem.update(memory("ghost", "Other", "x", 1))
    with pytest.raises(StorageError.InvalidInput):
        mem.search_semantic(numpy.array([1.0, 0.0], dtype=numpy.float64))  # not float32
    with pytest.raises(StorageError.InvalidInput):
        mem.search_semantic(b"\x00\x00\x80")  # not whole floats
    with pytest.raises(StorageError.InvalidInput):
        mem.search_semantic([float("nan"), 1.0])
    with pytest.raises(StorageError.InvalidInput):
        mem.add(memory("m3", "Other", "x", 1, [float("nan"), 1.0]))
    assert mem.count() == 1
