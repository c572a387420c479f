"""Vector collections: :class:`VectorStore`, with packed float32 batch calls."""

import json
import typing

from ._native import neotalk_storage_uniffi as _native
from ._records import enum_arg, f32_buffer, f32_list
from ._values import invalid
from ._values import json_dumps
from ._store import NativeStore


def _filter(filter):
    """``None``, a ``VectorFilter``, or a one-item dict ``{field: value}``."""
    if filter is None or isinstance(filter, _native.VectorFilter):
        return filter
    if isinstance(filter, dict) and len(filter) == 1:
        (field, value), = filter.items()
        return _native.VectorFilter(field=field, value=json_dumps("filter", value))
    raise invalid("filter", "expected a VectorFilter or a one-item dict {field: value}")


def _quantization(kind, oversampling):
    """``"none"`` / ``None`` or ``"int8"`` (with ``oversampling``) as the native enum."""
    if kind is None or (isinstance(kind, str) and kind.lower() == "none"):
        return _native.Quantization.NONE()
    if isinstance(kind, str) and kind.lower() == "int8":
        if isinstance(oversampling, bool) or not isinstance(oversampling, int) or oversampling < 0:
            raise invalid("oversampling", f"expected a positive int, got {oversampling!r}")
        return _native.Quantization.INT8(oversampling=oversampling)
    raise invalid("quantization", f"{kind!r} is not one of none, int8")


def _check_matrix(native, collection: str, rows: int, vectors) -> None:
    """Refuses a matrix (anything with a ``shape`` of two or more dimensions) that is not
    ``(rows, n)``: a transposed matrix has the right number of floats, which is all the core
    can check. The core checks ``n`` against the dimension (the float count), so the
    collection is read only to word a refusal; flat buffers and unknown collections are left
    to the core."""
    shape = getattr(vectors, "shape", None)
    if shape is None or len(shape) < 2 or (len(shape) == 2 and shape[0] == rows):
        return
    info = native.collection(collection)
    if info is not None:
        expected = (rows, info.dimension)
        raise invalid("vectors", f"expected shape {expected} ({rows} ids, dimension {info.dimension}), got {tuple(shape)}")


def _query_rows(queries):
    """``(count, packed float32 bytes)`` of a ``(n, dim)`` array or a sequence of vectors."""
    shape = getattr(queries, "shape", None)
    if shape is not None:
        if len(shape) != 2:
            raise invalid("queries", f"expected a (n, dim) array, got shape {tuple(shape)}")
        return shape[0], f32_buffer("queries", queries)
    if isinstance(queries, (bytes, bytearray, memoryview, str)):
        raise invalid("queries", "expected a (n, dim) float32 array or a sequence of vectors")
    rows = [f32_buffer("queries", q) for q in queries]
    return len(rows), b"".join(rows)


class VectorStore(NativeStore):
    """Named collections of fixed-dimension float32 vectors with JSON metadata; obtain it
    from ``StorageManager.vectors()``.

    Vectors are float32: numpy ``float32`` arrays (any shape, C order), ``array('f')``,
    little-endian ``bytes``, or sequences of numbers. Wrong dimensions and NaN or infinite
    components are ``StorageError.InvalidInput``; metadata is any JSON value (returned as
    Python objects in ``VectorDocument.metadata`` / ``VectorMatch.metadata``).
    """

    __slots__ = ()

    def create_collection(self, name: str, dimension: int, metric="cosine", quantization=None, oversampling: int = 10):
        """Creates a collection (``metric``: ``DistanceMetric`` or its name); an existing name
        is ``StorageError.Conflict``.

        ``quantization="int8"`` keeps an int8 copy of the vectors beside the float32 ones
        (``dimension + 4`` bytes more per vector in memory, nothing more on disk): a search
        scans the int8 copy and re-ranks its best ``k * oversampling`` candidates in float32,
        so scores stay exact float32 scores."""
        return self._native.create_collection_with(
            name, dimension, enum_arg("metric", _native.DistanceMetric, metric), _quantization(quantization, oversampling)
        )

    def quantization(self, name: str) -> dict:
        """``{"kind": "none"}`` or ``{"kind": "int8", "oversampling": n}``."""
        q = self._native.quantization(name)
        if q.is_int8():
            return {"kind": "int8", "oversampling": q.oversampling}
        return {"kind": "none"}

    def set_quantization(self, name: str, quantization, oversampling: int = 10) -> None:
        """Switches a collection to ``"int8"`` or ``"none"`` (persisted)."""
        self._native.set_quantization(name, _quantization(quantization, oversampling))

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
        buffer of ``len(ids) x dim`` values (a numpy ``(n, dim)`` array, ...); a matrix of
        another shape (e.g. transposed) is ``StorageError.InvalidInput``. ``metadata``, when
        given, has one JSON value per id. All or none."""
        ids = list(ids)
        _check_matrix(self._native, collection, len(ids), vectors)
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

    def search_batch(self, collection: str, queries, k: int = 10, filter=None) -> list:
        """:meth:`search` for many queries at once (a numpy ``(n, dim)`` float32 array or a
        sequence of vectors), computed with a matrix product; ``result[i]`` answers query
        ``i`` with the same matches exact per-query search returns."""
        count, packed = _query_rows(queries)
        found = self._native.search_batch_packed(collection, packed, count, k, _filter(filter))
        for matches in found:
            for m in matches:
                m.metadata = json.loads(m.metadata)
        return found
