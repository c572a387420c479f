#!/usr/bin/env python3
"""Vector search benchmark: neotalk-storage beside numpy, in the same process, on the same data.

``--n`` vectors (default 100k) of ``--dim`` (384) float32, cosine similarity, top-10, on two
data sets: gaussian, and clustered (1,000 gaussian centres with noise of half their scale
around them; queries near stored rows), which is closer to real embeddings. Rows are stored
unit-length, so numpy's ``X @ q`` ranks exactly as cosine does. Timed, per query:

- numpy matrix-vector ``X @ q`` + ``argpartition`` top-10, one thread
  (``OPENBLAS_NUM_THREADS=1``, set before numpy is imported): the memory-bandwidth bound;
- numpy batched ``Q @ X.T`` for all queries + ``argpartition`` per row;
- neotalk ``search`` (exact float32), ``search`` with int8 quantisation + float32 re-rank
  (recall@10 against the exact results), ``search_batch`` for all queries in one call.

Run through ``bindings/bench_vectors.sh`` (builds the release wheel into a fresh venv).
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy  # noqa: E402

from neotalk_storage import StorageManager  # noqa: E402

K = 10


def data(rng, n, dim, clustered):
    if clustered:
        centres = rng.standard_normal((1000, dim), dtype=numpy.float32)
        rows = centres[rng.integers(0, 1000, n)] + numpy.float32(0.5) * rng.standard_normal((n, dim), dtype=numpy.float32)
    else:
        rows = rng.standard_normal((n, dim), dtype=numpy.float32)
    rows /= numpy.linalg.norm(rows, axis=1, keepdims=True)
    return numpy.ascontiguousarray(rows)


def queries_for(rng, rows, count, clustered):
    if clustered:
        picked = rows[rng.integers(0, len(rows), count)]
        q = picked + numpy.float32(0.2 / numpy.sqrt(rows.shape[1])) * rng.standard_normal(picked.shape, dtype=numpy.float32)
    else:
        q = rng.standard_normal((count, rows.shape[1]), dtype=numpy.float32)
    return numpy.ascontiguousarray(q, dtype=numpy.float32)


def top_k(scores):
    idx = numpy.argpartition(-scores, K)[:K]
    return idx[numpy.argsort(-scores[idx], kind="stable")]


def interleaved(modes, count, rounds):
    """Runs every mode once per round, in turn, so a busy machine slows all of them alike;
    returns each mode's best time in ms per query and its last output."""
    best = {name: float("inf") for name in modes}
    out = {}
    for _ in range(rounds):
        for name, fn in modes.items():
            t = time.perf_counter()
            out[name] = fn()
            best[name] = min(best[name], (time.perf_counter() - t) * 1e3 / count)
    return best, out


def run(name, rng, args, clustered):
    rows = data(rng, args.n, args.dim, clustered)
    qs = queries_for(rng, rows, args.queries, clustered)
    db = StorageManager.in_memory()
    vs = db.vectors()
    # The same vectors twice: exact f32, and int8 + f32 re-rank.
    vs.create_collection("exact", args.dim, "cosine")
    vs.create_collection("int8", args.dim, "cosine", quantization="int8")
    for start in range(0, args.n, 10_000):
        chunk = rows[start:start + 10_000]
        ids = [str(i) for i in range(start, start + len(chunk))]
        vs.upsert_many("exact", ids, chunk)
        vs.upsert_many("int8", ids, chunk)
    vs.search("exact", qs[0], K)  # loads the in-memory copies
    vs.search("int8", qs[0], K)

    best, out = interleaved(
        {
            "numpy_mv": lambda: [top_k(rows @ q) for q in qs],
            "numpy_mm": lambda: [top_k(s) for s in qs @ rows.T],
            "exact": lambda: [vs.search("exact", q, K) for q in qs],
            "int8": lambda: [vs.search("int8", q, K) for q in qs],
            "batch": lambda: vs.search_batch("exact", qs, K),
        },
        len(qs),
        args.repeat,
    )
    np_mv, np_mm, ours, int8, batch = (best[m] for m in ("numpy_mv", "numpy_mm", "exact", "int8", "batch"))
    np_ids, exact, approx, batched = out["numpy_mv"], out["exact"], out["int8"], out["batch"]
    exact_ids = [[m.id for m in e] for e in exact]
    agree_numpy = sum(len(set(e) & {str(i) for i in n}) for e, n in zip(exact_ids, np_ids)) / (K * len(qs))
    recall = sum(len(set(e) & {m.id for m in a}) for e, a in zip(exact_ids, approx)) / (K * len(qs))
    batch_equal = [[m.id for m in b] for b in batched] == exact_ids
    print(f"\n{name}: {args.n} x {args.dim} float32, {len(qs)} queries, top-{K} (ms per query, best of {args.repeat} interleaved rounds)")
    print(f"  numpy X @ q + argpartition (1 thread) {np_mv:8.3f}")
    print(f"  numpy Q @ X.T batched                 {np_mm:8.3f}")
    print(f"  neotalk search, exact f32             {ours:8.3f}   {np_mv / ours:5.2f}x numpy's X @ q (top-10 equal to numpy's: {agree_numpy:.4f})")
    print(f"  neotalk search, int8 + f32 re-rank    {int8:8.3f}   {ours / int8:5.2f}x our exact, {np_mv / int8:5.2f}x numpy's X @ q, recall@10 {recall:.4f}")
    print(f"  neotalk search_batch                  {batch:8.3f}   {ours / batch:5.2f}x our exact, {np_mm / batch:5.2f}x numpy's Q @ X.T (results equal exact: {batch_equal})")
    db.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    print(f"numpy {numpy.__version__}; x1 = as fast as numpy; higher is faster")
    rng = numpy.random.default_rng(2024)
    for clustered in (False, True):
        run("clustered" if clustered else "gaussian", rng, args, clustered)


if __name__ == "__main__":
    main()
