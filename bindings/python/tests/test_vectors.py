"""VectorStore: per-record and packed float32 calls, numpy through the buffer protocol."""

import array
import struct

import numpy
import pytest

from neotalk_storage import CollectionInfo, DistanceMetric, StorageError, VectorFilter


def test_collections(db):
    vs = db.vectors()
    info = vs.create_collection("docs", 3, "cosine")
    assert info == CollectionInfo(name="docs", dimension=3, metric=DistanceMetric.COSINE)
    vs.create_collection("raw", 2, DistanceMetric.DOT_PRODUCT)
    assert [c.name for c in vs.list_collections()] == ["docs", "raw"]
    assert vs.collection("raw").metric == DistanceMetric.DOT_PRODUCT
    assert vs.collection("none") is None
    vs.drop_collection("raw")
    assert vs.collection("raw") is None
    with pytest.raises(StorageError.Conflict):
        vs.create_collection("docs", 3)
    with pytest.raises(StorageError.NotFound):
        vs.drop_collection("raw")
    with pytest.raises(StorageError.InvalidInput, match="metric"):
        vs.create_collection("x", 3, "manhattan")


def test_packed_upsert_and_search_with_numpy(db):
    vs = db.vectors()
    vs.create_collection("docs", 4, "euclidean")
    rng = numpy.random.default_rng(7)
    matrix = rng.standard_normal((50, 4)).astype(numpy.float32)
    ids = [f"d{i}" for i in range(50)]
    vs.upsert_many("docs", ids, matrix, metadata=[{"room": "kitchen" if i % 2 else "garage", "i": i} for i in range(50)])
    assert vs.count("docs") == 50
    doc = vs.get("docs", "d17")
    assert doc.embedding == pytest.approx(matrix[17].tolist())
    assert doc.metadata == {"room": "kitchen", "i": 17}
    found = vs.search("docs", matrix[17], 3)
    assert found[0].id == "d17" and found[0].score == pytest.approx(0.0, abs=1e-5)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    # Exact: the best 3 by Euclidean distance computed here.
    expected = numpy.argsort(((matrix - matrix[17]) ** 2).sum(axis=1), kind="stable")[:3]
    assert [m.id for m in found] == [f"d{i}" for i in expected]
    only_garage = vs.search("docs", matrix[17], 5, filter={"room": "garage"})
    assert only_garage and all(m.metadata["room"] == "garage" for m in only_garage)
    same = vs.search("docs", matrix[17].tobytes(), 5, filter=VectorFilter(field="room", value='"garage"'))
    assert [m.id for m in same] == [m.id for m in only_garage]
    # Big-endian float32 is converted; a (1, 4) array is one query.
    assert vs.search("docs", matrix[17:18].astype(">f4"), 1)[0].id == "d17"


def test_per_record_upsert_get_delete(db):
    vs = db.vectors()
    vs.create_collection("c", 2, "dot_product")
    vs.upsert("c", "a", [1.0, 2.0], {"tag": "x"})
    vs.upsert("c", "b", array.array("f", [3.0, -1.0]))
    vs.upsert("c", "a", (2.0, 2.0), {"tag": "y"})  # replaces
    assert vs.count("c") == 2
    assert vs.get("c", "a").metadata == {"tag": "y"} and vs.get("c", "b").metadata is None
    assert [m.id for m in vs.search("c", [1.0, 0.0], 2)] == ["b", "a"]
    assert vs.delete("c", "a") is True and vs.delete("c", "a") is False
    assert vs.get("c", "a") is None


def test_vector_errors_write_nothing(db):
    vs = db.vectors()
    vs.create_collection("c", 3)
    with pytest.raises(StorageError.InvalidInput):
        vs.upsert("c", "a", [1.0, 2.0])  # wrong dimension
    with pytest.raises(StorageError.InvalidInput):
        vs.upsert("c", "a", [1.0, float("nan"), 0.0])
    with pytest.raises(StorageError.InvalidInput):
        vs.upsert_many("c", ["a", "b"], numpy.ones((2, 4), dtype=numpy.float32))  # 2 x 4, not 2 x 3
    with pytest.raises(StorageError.InvalidInput):
        vs.upsert_many("c", ["a", "b"], numpy.ones(7, dtype=numpy.float32))  # 7 floats for 2 ids
    with pytest.raises(StorageError.InvalidInput):
        vs.upsert_many("c", ["a"], numpy.ones((1, 3), dtype=numpy.float64))  # not float32
    with pytest.raises(StorageError.InvalidInput):
        vs.upsert_many("c", ["a"], b"\x00" * 13)
    nan_row = numpy.ones((2, 3), dtype=numpy.float32)
    nan_row[1, 2] = numpy.nan
    with pytest.raises(StorageError.InvalidInput):
        vs.upsert_many("c", ["a", "b"], nan_row)
    with pytest.raises(StorageError.InvalidInput):
        vs.upsert_many("c", ["a"], numpy.ones((1, 3), dtype=numpy.float32), metadata=[{}, {}])
    assert vs.count("c") == 0  # nothing of any refused batch was stored
    with pytest.raises(StorageError.InvalidInput):
        vs.search("c", [1.0, 0.0], 1)
    with pytest.raises(StorageError.InvalidInput):
        vs.search("c", struct.pack("<3f", 1.0, float("inf"), 0.0), 1)
    with pytest.raises(StorageError.InvalidInput):
        vs.search("c", [0.0, 0.0, 0.0], 1)  # zero-length query under cosine
    with pytest.raises(StorageError.InvalidInput):
        vs.search("c", [1.0, 0.0, 0.0], 1, filter="room")
    with pytest.raises(StorageError.NotFound):
        vs.upsert("ghost", "a", [1.0, 0.0, 0.0])
    with pytest.raises(StorageError.NotFound):
        vs.search("ghost", [1.0, 0.0, 0.0], 1)
