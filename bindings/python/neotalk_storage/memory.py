"""Long-term memory: :class:`LongTermMemoryStore` (entries are ``MemoryEntry``)."""

import typing

from ._native import neotalk_storage_uniffi as _native
from ._records import enum_arg, f32_buffer, typed_in
from ._store import NativeStore


def _entry_in(entry):
    return typed_in("entry", entry, _native.MemoryEntry, _native.memory_entry_from_json)


class LongTermMemoryStore(NativeStore):
    """Memories the assistant keeps; obtain it from ``StorageManager.memory()``.

    An entry is a ``MemoryEntry`` (``memory_id``, ``memory_type`` (a ``MemoryType``),
    ``content``, ``embedding`` (list of floats or None), ``metadata`` (``MemoryMetadata``:
    ``keywords``, ``importance``, ``entities``, ``expires_at``), ``created_at``,
    ``last_accessed``, ``access_count``), or a dict of the core's JSON form (where omitted
    metadata takes its defaults); a hit is a ``MemoryHit`` (``entry``, ``score``). Query embeddings are float32 buffers (numpy arrays,
    ``array('f')``, little-endian bytes) or sequences of numbers.
    """

    __slots__ = ()

    def add(self, entry) -> None:
        """Stores a new memory; a duplicate id is ``StorageError.Conflict``."""
        self._native.add(_entry_in(entry))

    def add_many(self, entries: typing.Iterable) -> None:
        """Stores new memories in one transaction; all or none."""
        self._native.add_many([_entry_in(e) for e in entries])

    def update(self, entry) -> None:
        """Replaces a stored memory; an unknown id is ``StorageError.NotFound``."""
        self._native.update(_entry_in(entry))

    def delete(self, memory_id: str) -> bool:
        """Deletes a memory; ``False`` when there was none."""
        return self._native.delete(memory_id)

    def get(self, memory_id: str, now_ms: int):
        """Reads a memory and records the access; ``None`` when there is none."""
        return self._native.get(memory_id, now_ms)

    def peek(self, memory_id: str):
        """Reads a memory without recording an access."""
        return self._native.peek(memory_id)

    def count(self) -> int:
        """Number of stored memories."""
        return self._native.count()

    def by_type(self, memory_type, limit: int = 100) -> list:
        """Memories of one type (``MemoryType`` or its name), newest first."""
        return self._native.by_type(enum_arg("memory_type", _native.MemoryType, memory_type), limit)

    def by_importance(self, n: int) -> list:
        """The ``n`` most important memories, most important first."""
        return self._native.by_importance(n)

    def search_keywords(self, query: str, limit: int = 10) -> list:
        """Keyword (BM25) search, best first."""
        return self._native.search_keywords(query, limit)

    def search_semantic(self, embedding, limit: int = 10) -> list:
        """Memories whose embeddings are closest (cosine) to ``embedding``, best first."""
        return self._native.search_semantic(f32_buffer("embedding", embedding), limit)

    def search_hybrid(self, query: str, embedding, limit: int = 10) -> list:
        """Keyword and semantic rankings fused (reciprocal rank fusion), best first."""
        return self._native.search_hybrid(query, f32_buffer("embedding", embedding), limit)

    def purge_expired(self, now_ms: int) -> int:
        """Deletes memories with ``metadata.expires_at < now_ms``; returns how many."""
        return self._native.purge_expired(now_ms)
