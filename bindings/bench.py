#!/usr/bin/env python3
"""Telemetry ingest and range-query benchmark: neotalk-storage beside sqlite3.

Same process, same rows (one series of float points, one per second), both on files in
the same temporary directory, each committing durably:

- ingest ``--points`` points (default 1M): neotalk per-record ``write`` (measured on
  ``--per-record`` points and extrapolated), list batch ``write_series`` with
  ``(timestamp, value)`` tuples, packed batch ``write_packed`` with ``array`` buffers;
  sqlite3 ``execute`` per row and ``executemany``, each into a table indexed on
  ``(device_id, metric, ts)`` in one transaction;
- range query of ``--range`` points (default 100k) from the middle of the series:
  neotalk ``query_range`` (records) and ``query_range_packed`` (bytes), sqlite3
  ``SELECT ... fetchall()``.

Prints a table and, with ``--json FILE``, writes the numbers.
"""

import argparse
import array
import json
import os
import random
import sqlite3
import tempfile
import time

from neotalk_storage import StorageManager

DEVICE, METRIC = "bench-1", "temperature"
START = 1_700_000_000_000


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def sqlite_db(path):
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("CREATE TABLE telemetry (device_id TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL)")
    con.execute("CREATE INDEX telemetry_series_ts ON telemetry (device_id, metric, ts)")
    return con


def main():
    ap = argparse.ArgumentParser(description="neotalk-storage vs sqlite3 telemetry benchmark")
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--per-record", type=int, default=20_000, help="points measured for the per-record rows (extrapolated)")
    ap.add_argument("--range", type=int, default=100_000)
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    n, n_single, n_range = args.points, min(args.per_record, args.points), min(args.range, args.points)

    rng = random.Random(42)
    ts = array.array("q", (START + i * 1_000 for i in range(n)))
    vs = array.array("d", (20.0 + rng.random() * 10.0 for _ in range(n)))
    pairs = list(zip(ts, vs))
    rows = [(DEVICE, METRIC, t, v) for t, v in pairs]
    lo, hi = ts[(n - n_range) // 2], ts[(n - n_range) // 2] + n_range * 1_000

    results = []

    def report(name, seconds, points, extrapolated_from=None):
        per_s = points / seconds
        results.append({"name": name, "points": points, "seconds": round(seconds, 4), "points_per_s": round(per_s)})
        note = f"  (measured {extrapolated_from:,}, extrapolated)" if extrapolated_from else ""
        print(f"{name:<58} {seconds:9.3f} s {per_s:14,.0f} points/s{note}")

    with tempfile.TemporaryDirectory(prefix="neotalk-bench-") as tmp:
        print(f"ingest {n:,} points; range query of {n_range:,} points; files in {tmp}")

        # --- ingest ---------------------------------------------------------------------
        with StorageManager.open(os.path.join(tmp, "single")) as db:
            w = db.timeseries().write
            def single():
                for t, v in pairs[:n_single]:
                    w(DEVICE, METRIC, t, v)
                db.flush()
            s, _ = timed(single)
        report("neotalk write() per record (group commit)", s * n / n_single, n, n_single)

        with StorageManager.open(os.path.join(tmp, "list")) as db:
            s, _ = timed(lambda: db.timeseries().write_series(DEVICE, METRIC, pairs))
        report("neotalk write_series() list of tuples, 1 transaction", s, n)

        packed_db = StorageManager.open(os.path.join(tmp, "packed"))
        s, _ = timed(lambda: packed_db.timeseries().write_packed(DEVICE, METRIC, ts, vs))
        report("neotalk write_packed() array('q')+array('d'), 1 transaction", s, n)

        con = sqlite_db(os.path.join(tmp, "single.sqlite"))
        def sqlite_single():
            con.execute("BEGIN")
            for r in rows[:n_single]:
                con.execute("INSERT INTO telemetry VALUES (?, ?, ?, ?)", r)
            con.execute("COMMIT")
        s, _ = timed(sqlite_single)
        con.close()
        report("sqlite3 execute() per row, indexed, 1 transaction", s * n / n_single, n, n_single)

        con = sqlite_db(os.path.join(tmp, "many.sqlite"))
        def sqlite_many():
            con.execute("BEGIN")
            con.executemany("INSERT INTO telemetry VALUES (?, ?, ?, ?)", rows)
            con.execute("COMMIT")
        s, _ = timed(sqlite_many)
        report("sqlite3 executemany(), indexed, 1 transaction", s, n)

        # --- range query ----------------------------------------------------------------
        tss = packed_db.timeseries()
        s, got = timed(lambda: tss.query_range(DEVICE, METRIC, lo, hi))
        assert len(got) == n_range, len(got)
        report("neotalk query_range() -> DataPoint records", s, n_range)
        s, got = timed(lambda: tss.query_range_packed(DEVICE, METRIC, lo, hi))
        assert len(got) == n_range and got.values_view()[0] == vs[(n - n_range) // 2]
        report("neotalk query_range_packed() -> bytes", s, n_range)
        q = "SELECT ts, value FROM telemetry WHERE device_id = ? AND metric = ? AND ts >= ? AND ts < ? ORDER BY ts"
        s, got = timed(lambda: con.execute(q, (DEVICE, METRIC, lo, hi)).fetchall())
        assert len(got) == n_range
        report("sqlite3 SELECT ... fetchall()", s, n_range)
        con.close()
        packed_db.close()

    packed = next(r for r in results if r["name"].startswith("neotalk write_packed"))
    many = next(r for r in results if r["name"].startswith("sqlite3 executemany"))
    ratio = packed["points_per_s"] / many["points_per_s"]
    print(f"packed batch ingest vs sqlite3 executemany: {ratio:.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"points": n, "range": n_range, "results": results, "packed_vs_executemany": round(ratio, 2)}, f, indent=2)


if __name__ == "__main__":
    main()
