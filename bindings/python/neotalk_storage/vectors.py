"""Vector collections: :class:`VectorStore`, with packed float32 batch calls."""

import json
import typing

from ._native import neotalk_storage_uniffi as _native
from ._records import enum_arg, f32_buffer, f32_list
from ._values import invalid
from ._values import json_dumps


def _filter(filter):
    """``None``, a ``VectorFilter``, or a one-item dict ``{field: value}``."""
    if filter is None or isinstance(filter, _native.VectorFilter):
        return filter
    if isinstance(filter, dict) and len(filter) == 1:
        (field, value), = filter.items()
        return _native.VectorFilter(field=field, value=json_dumps("filter", value))
    raise invalid("filter", "expected a VectorFilter or a one-item dict {field: value}")


class VectorStore:
    """Named collections of fixed-dimension float32 vectors with JSON metadata; obtain it
    from ``StorageManager.vectors()``.

    Vectors are float32: numpy ``float32`` arrays (any shape, C order), ``array('f')``,
    little-endian ``bytes``, or sequences of numbers. Wrong dimensions and NaN or infinite
    components are ``StorageError.InvalidInput``; metadata is any JSON value (returned as
    Python objects in ``VectorDocument.metadata`` / ``VectorMatch.metadata``).
    """

    __slots__ = ("_native",)

    def __init__(self, native):
        self._native = native

    def create_collection(self, name: str, dimension: int, metric="cosine"):
        """Creates a collection (``metric``: ``DistanceMetric`` or its name); an existing name
        is ``StorageError.Conflict``."""
        return self._native.create_collection(name, dimension, enum_arg("metric", _native.DistanceMetric, metric))

    def collection(self, name: str):
        """The ``CollectionInfo``, or ``None``."""
        return self._native.collection(name)

    def list_collections(self) -> list:
        """Every collection, by name."""
        return self._native.list_collections()

    def drop_collection(self, name: str) -> None:
        """Drops a collection and its documents; an unknown name is ``StorageError.NotFound``."""
        self._native.drop_collection(name)

    def upsert(self, collection: str, id: str, embedding, metadata=None) -> None:
        """Inserts or replaces one document."""
        self._native.upsert(collection, id, f32_list("embedding", embedding), json_dumps("metadata", metadata))

    def upsert_many(self, collection: str, ids: typing.Sequence[str], vectors, metadata=None) -> None:
        """Inserts or replaces ``len(ids)`` documents in one transaction from one float32
        buffer of ``len(ids) x dim`` values (a numpy ``(n, dim)`` array, ...). ``metadata``,
        when given, has one JSON value per id. All or none."""
        ids = list(ids)
        texts = None if metadata is None else [json_dumps("metadata", m) for m in metadata]
        self._native.upsert_packed(collection, ids, f32_buffer("vectors", vectors), texts)

    def delete(self, collection: str, id: str) -> bool:
        """Deletes a document; ``False`` when there was none."""
        return self._native.delete(collection, id)

    def get(self, collection: str, id: str):
        """The ``VectorDocument`` (metadata as a Python object), or ``None``."""
        doc = self._native.get(collection, id)
        if doc is not None:
            doc.metadata = json.loads(doc.metadata)
        return doc

    def count(self, collection: str) -> int:
        """Number of documents in a collection."""
        return self._native.count(collection)

    def search(self, collection: str, query, k: int = 10, filter=None) -> list:
        """The ``k`` documents closest to ``query`` (a float32 buffer or a sequence), best
        first, optionally only those whose metadata matches ``filter``."""
        found = self._native.search_packed(collection, f32_buffer("query", query), k, _filter(filter))
        for m in found:
            m.metadata = json.loads(m.metadata)
        return found
