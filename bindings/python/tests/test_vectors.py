"""VectorStore: per-record and packed float32 calls, numpy through the buffer protocol."""

import array
import struct

import numpy
import pytest

from neotalk_storage import CollectionInfo, DistanceMetric, StorageError, StorageManager, VectorFilter


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


def _exact_top(matrix, query, k):
    """Best ``k`` rows by cosine similarity, computed with numpy."""
    scores = (matrix @ query) / (numpy.linalg.norm(matrix, axis=1) * numpy.linalg.norm(query))
    return [f"d{i}" for i in numpy.argsort(-scores, kind="stable")[:k]]


def test_int8_quantization_setting_and_exact_rerank(db, tmp_path):
    vs = db.vectors()
    vs.create_collection("q", 32, "cosine", quantization="int8", oversampling=4)
    assert vs.quantization("q") == {"kind": "int8", "oversampling": 4}
    rng = numpy.random.default_rng(11)
    matrix = rng.standard_normal((400, 32)).astype(numpy.float32)
    vs.upsert_many("q", [f"d{i}" for i in range(400)], matrix, metadata=[{"odd": i % 2 == 1} for i in range(400)])
    query = matrix[5] + numpy.float32(0.1) * rng.standard_normal(32).astype(numpy.float32)
    found = vs.search("q", query, 5)
    assert [m.id for m in found] == _exact_top(matrix, query, 5)
    # Re-ranked in float32: the scores equal the exact scan's once quantisation is off.
    vs.set_quantization("q", "none")
    assert vs.quantization("q") == {"kind": "none"}
    assert [(m.id, m.score) for m in vs.search("q", query, 5)] == [(m.id, m.score) for m in found]
    vs.set_quantization("q", "INT8")
    assert vs.quantization("q") == {"kind": "int8", "oversampling": 10}
    odd = vs.search("q", query, 3, filter={"odd": True})
    assert len(odd) == 3 and all(m.metadata == {"odd": True} for m in odd)
    with pytest.raises(StorageError.InvalidInput, match="oversampling"):
        vs.set_quantization("q", "int8", oversampling=0)
    with pytest.raises(StorageError.InvalidInput, match="oversampling"):
        vs.create_collection("bad", 3, quantization="int8", oversampling=5000)
    with pytest.raises(StorageError.InvalidInput, match="oversampling"):
        vs.create_collection("bad", 3, quantization="int8", oversampling=2.5)
    with pytest.raises(StorageError.InvalidInput, match="quantization"):
        vs.create_collection("bad", 3, quantization="int4")
    with pytest.raises(StorageError.NotFound):
        vs.set_quantization("ghost", "int8")
    with pytest.raises(StorageError.NotFound):
        vs.quantization("ghost")
    assert vs.collection("bad") is None
    with pytest.raises(StorageError.InvalidInput):
        vs.search("q", [1.0, 0.0], 1)  # wrong dimension under int8 too


def test_quantization_survives_reopen(disk):
    with StorageManager.open(disk) as db:
        db.vectors().create_collection("q", 4, "euclidean", quantization="int8", oversampling=3)
        db.vectors().upsert("q", "a", [1.0, 2.0, 3.0, 4.0])
    with StorageManager.open(disk) as db:
        assert db.vectors().quantization("q") == {"kind": "int8", "oversampling": 3}
        assert db.vectors().search("q", [1.0, 2.0, 3.0, 4.0], 1)[0].score == 0.0


def test_search_batch_equals_per_query_search(db):
    vs = db.vectors()
    vs.create_collection("b", 24, "dot_product")
    rng = numpy.random.default_rng(3)
    matrix = rng.standard_normal((1500, 24)).astype(numpy.float32)
    vs.upsert_many("b", [f"d{i}" for i in range(1500)], matrix, metadata=[{"g": i % 3} for i in range(1500)])
    queries = rng.standard_normal((9, 24)).astype(numpy.float32)
    for k, flt in [(10, None), (4, {"g": 2})]:
        batch = vs.search_batch("b", queries, k, filter=flt)
        assert len(batch) == 9
        for q, got in zip(queries, batch):
            want = vs.search("b", q, k, filter=flt)
            assert [(m.id, m.score, m.metadata) for m in got] == [(m.id, m.score, m.metadata) for m in want]
    # numpy's answer for the first query.
    assert [m.id for m in vs.search_batch("b", queries, 3)[0]] == [f"d{i}" for i in numpy.argsort(-(matrix @ queries[0]), kind="stable")[:3]]
    # A list of vectors works as well; no queries, no answers.
    assert [m.id for m in vs.search_batch("b", [queries[1].tolist(), queries[2]], 2)[1]] == [m.id for m in vs.search("b", queries[2], 2)]
    assert vs.search_batch("b", numpy.zeros((0, 24), dtype=numpy.float32)) == []
    with pytest.raises(StorageError.InvalidInput, match="queries"):
        vs.search_batch("b", queries[0])  # one vector, not a (n, dim) array
    with pytest.raises(StorageError.InvalidInput, match="queries"):
        vs.search_batch("b", queries.tobytes())
    with pytest.raises(StorageError.InvalidInput, match="queries"):
        vs.search_batch("b", [queries[0], queries[1][:5]])  # ragged
    bad = queries.copy()
    bad[4, 0] = numpy.nan
    with pytest.raises(StorageError.InvalidInput, match="query 4"):
        vs.search_batch("b", bad)
    with pytest.raises(StorageError.InvalidInput, match="queries"):
        vs.search_batch("b", numpy.ones((2, 23), dtype=numpy.float32))
    with pytest.raises(StorageError.NotFound):
        vs.search_batch("ghost", queries)
