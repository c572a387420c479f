#!/usr/bin/env python3
"""Peak memory of one large ``write_packed`` call through the Python binding (issue #15).

Each case runs in a child process: it builds the numpy columns (int64 Unix ms, float64 values,
16 bytes a point), writes one point to warm the store up, resets the process' peak resident
set (``/proc/self/clear_refs``), writes every point in one call, and reports how far the peak
rose above the resident set just before the call, per point and as a multiple of the input.

- ``new series``: the points go to a series of their own (an append);
- ``overlap``: the series already holds the first 10 % of the points (a gateway that re-sends
  what it stored before a restart, then goes on);
- ``sqlite3``: the same columns through ``executemany`` from a generator, one transaction, for
  comparison (sqlite3's own way to stream rows without building a list).

Values are a random walk of one-decimal readings (what a sensor sends); ``--random`` uses
uniform random floats instead, which compress badly and add their stored size to the peak.

Run through ``bindings/bench.sh peak [--points 1000000 5000000]`` (a release wheel in a fresh venv).
Linux only (``/proc``).
"""

import argparse
import sqlite3
import subprocess
import sys
import tempfile

import numpy as np

from neotalk_storage import StorageManager

CASES = ("new series", "overlap", "sqlite3")


def status(field: str) -> int:
    """A ``/proc/self/status`` field in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def columns(n: int, random: bool):
    stamps = 1_700_000_000_000 + np.arange(n, dtype=np.int64) * 1_000
    rng = np.random.default_rng(1)
    values = rng.random(n) if random else np.round(20 + np.cumsum(rng.integers(-1, 2, n)) * 0.1, 1)
    return stamps, values


def child(case: str, n: int, random: bool) -> None:
    """Prints the peak growth in bytes of writing ``n`` points as ``case`` says."""
    stamps, values = columns(n, random)
    with tempfile.TemporaryDirectory() as d:
        if case == "sqlite3":
            conn = sqlite3.connect(f"{d}/t.db")
            conn.execute("CREATE TABLE t (device_id TEXT, metric TEXT, ts INTEGER, value REAL, PRIMARY KEY (device_id, metric, ts))")
            conn.execute("INSERT INTO t VALUES ('w', 'm', 0, 0.0)")
            conn.commit()
            write = lambda: (conn.executemany("INSERT INTO t VALUES ('d', 'm', ?, ?)", zip(map(int, stamps), map(float, values))), conn.commit())
        else:
            db = StorageManager.open(d)
            ts = db.timeseries()
            if case == "overlap":
                ts.write_packed("d", "m", stamps[: n // 10], values[: n // 10])
            else:
                ts.write_packed("w", "m", stamps[:1], values[:1])
            write = lambda: ts.write_packed("d", "m", stamps, values)
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current resident set
        before = status("VmRSS:")
        write()
        print(status("VmHWM:") - before)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--points", type=int, nargs="+", default=[1_000_000, 5_000_000])
    p.add_argument("--random", action="store_true", help="uniform random values instead of a random walk")
    p.add_argument("--child", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.random)
        return
    print(f"peak resident set growth of one write call ({'random' if args.random else 'random-walk'} values; input 16 B/point)")
    print(f"{'case':<12} {'points':>10} {'growth':>12} {'per point':>10} {'x input':>8}")
    for n in args.points:
        for case in CASES:
            cmd = [sys.executable, __file__, "--child", case, str(n)] + (["--random"] if args.random else [])
            growth = int(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            print(f"{case:<12} {n:>10,} {growth / 1e6:>10.1f} MB {growth / n:>8.1f} B {growth / (16 * n):>7.2f}x")


if __name__ == "__main__":
    main()
