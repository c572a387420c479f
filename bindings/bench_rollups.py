#!/usr/bin/env python3
"""Rollup tiers and binary values through the Python binding, beside sqlite3 (issue #19).

Same process, files in one temporary directory, durable commits on both sides:

- ingest ``--days`` days (default 90) of one 1 Hz float series, one day per ``write_packed``
  call, into a database without tiers and into one with the tiers 1m (keep 90d) and 1h
  (keep 5y), two rounds alternating, the faster of each; sqlite3 ``executemany`` into a
  table keyed by timestamp, one day per transaction;
- a 1-hour aggregation over the whole span: from the 1h tier, from raw chunks (the database
  without tiers) and sqlite3 ``GROUP BY ts / 3600000``; all three must agree (count, min, max,
  first, last exactly, sums within 1e-9 relative);
- ``--images`` (default 200) 1 MB images at one per second next to the 1 Hz series, each
  committed on its own (``write`` + ``flush``; sqlite3: one ``INSERT`` per image in
  autocommit), then the latest image read back 100 times (``query_latest``; sqlite3
  ``ORDER BY ts DESC LIMIT 1``).

Run through ``bindings/bench.sh rollups [--days N] [--images N]`` (a release wheel in a fresh venv).
"""

import argparse
import array
import os
import random
import sqlite3
import tempfile
import time

from neotalk_storage import StorageManager, StorageOptions

DEVICE, METRIC = "sensor", "temperature"
START = 1_700_000_000_000 - 1_700_000_000_000 % 86_400_000  # a midnight (UTC)
DAY, HOUR = 86_400_000, 3_600_000
TIERS = '{"tiers": [{"every": "1m", "keep": "90d"}, {"every": "1h", "keep": "5y"}]}'


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def day_of(d, rng):
    """Timestamps and values of day ``d``: a daily cycle with two decimals of noise."""
    ts = array.array("q", range(START + d * DAY, START + (d + 1) * DAY, 1_000))
    vs = array.array("d", (round(20.0 + 5.0 * ((i % 86_400) / 43_200 - 1.0) ** 2 + rng.random(), 2) for i in range(len(ts))))
    return ts, vs


def sqlite_table(path):
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE telemetry (device_id TEXT, metric TEXT, ts INTEGER, value REAL, PRIMARY KEY (device_id, metric, ts)) WITHOUT ROWID")
    return con


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--images", type=int, default=200)
    args = ap.parse_args()
    rng = random.Random(7)
    days = [day_of(d, rng) for d in range(args.days)]
    points = sum(len(ts) for ts, _ in days)
    end = START + args.days * DAY

    def row(name, seconds, unit_count, unit, note=""):
        print(f"{name:<64} {seconds:9.3f} s {unit_count / seconds:14,.0f} {unit}{note}")

    with tempfile.TemporaryDirectory(prefix="neotalk-rollups-") as tmp:
        print(f"{args.days} days of 1 Hz ({points:,} points), tiers 1m + 1h; {args.images} images of 1 MB; files in {tmp}")

        # --- ingest ---------------------------------------------------------------------------
        # Two rounds on fresh databases, alternating, the faster round of each kept (the first
        # database written in a process pays for warming up).
        timings = {"raw": float("inf"), "tiered": float("inf")}
        for round_ in range(2):
            raw = StorageManager.open(os.path.join(tmp, f"raw-{round_}"))
            tiered = StorageManager.open(os.path.join(tmp, f"tiered-{round_}"), StorageOptions(rollups=TIERS))
            for name, db in (("raw", raw), ("tiered", tiered)):
                w = db.timeseries().write_packed
                seconds, _ = timed(lambda: [w(DEVICE, METRIC, ts, vs) for ts, vs in days])
                timings[name] = min(timings[name], seconds)
            if round_ == 0:
                raw.close()
                tiered.close()
        con = sqlite_table(os.path.join(tmp, "telemetry.sqlite"))

        def sqlite_ingest():
            for ts, vs in days:
                con.execute("BEGIN")
                con.executemany("INSERT INTO telemetry VALUES (?, ?, ?, ?)", ((DEVICE, METRIC, t, v) for t, v in zip(ts, vs)))
                con.execute("COMMIT")

        timings["sqlite"], _ = timed(sqlite_ingest)
        row("ingest: neotalk write_packed, no tiers", timings["raw"], points, "points/s")
        row("ingest: neotalk write_packed, tiers 1m + 1h", timings["tiered"], points, "points/s",
            f"  ({timings['raw'] / timings['tiered']:.2f}x of without)")
        row("ingest: sqlite3 executemany, one day per transaction", timings["sqlite"], points, "points/s")

        # --- 1-hour aggregation of the whole span ---------------------------------------------
        assert tiered.timeseries().aggregation_tier(DEVICE, METRIC, START, end, HOUR) == HOUR
        assert raw.timeseries().aggregation_tier(DEVICE, METRIC, START, end, HOUR) is None
        query = "SELECT ts / 3600000, count(*), sum(value), min(value), max(value) FROM telemetry WHERE device_id = ? AND metric = ? AND ts >= ? AND ts < ? GROUP BY ts / 3600000 ORDER BY 1"
        repeat = 20
        t_tier, from_tier = timed(lambda: [tiered.timeseries().query_aggregated(DEVICE, METRIC, START, end, HOUR) for _ in range(repeat)])
        t_raw, from_raw = timed(lambda: raw.timeseries().query_aggregated(DEVICE, METRIC, START, end, HOUR))
        t_sql, from_sql = timed(lambda: con.execute(query, (DEVICE, METRIC, START, end)).fetchall())
        t_tier /= repeat
        buckets = len(from_raw)
        for a, b, s in zip(from_tier[-1], from_raw, from_sql):
            assert (a.bucket_start, a.count, a.min, a.max, a.first, a.last) == (b.bucket_start, b.count, b.min, b.max, b.first, b.last)
            assert (a.count, a.min, a.max) == (s[1], s[3], s[4]) and a.bucket_start == s[0] * HOUR
            assert abs(a.sum - s[2]) <= 1e-9 * abs(s[2]) and abs(a.sum - b.sum) <= 1e-9 * abs(b.sum)
        assert buckets == len(from_sql) == args.days * 24
        print(f"1-hour aggregation of {args.days} days ({buckets:,} buckets; the three answers agree):")
        print(f"  from the 1h tier   {t_tier * 1e3:10.2f} ms")
        print(f"  from raw chunks    {t_raw * 1e3:10.2f} ms  (tier {t_raw / t_tier:,.0f}x faster)")
        print(f"  sqlite3 GROUP BY   {t_sql * 1e3:10.2f} ms  (tier {t_sql / t_tier:,.0f}x faster)")

        # --- 1 MB images next to the series ---------------------------------------------------
        image = bytes(rng.getrandbits(8) for _ in range(1 << 20))
        con.execute("CREATE TABLE images (device_id TEXT, metric TEXT, ts INTEGER, value BLOB, PRIMARY KEY (device_id, metric, ts)) WITHOUT ROWID")
        ts0 = end

        def neotalk_images():
            for i in range(args.images):
                raw.timeseries().write("camera", "snapshot", ts0 + i * 1_000, image)
                raw.flush()

        def sqlite_images():
            for i in range(args.images):
                con.execute("INSERT INTO images VALUES (?, ?, ?, ?)", ("camera", "snapshot", ts0 + i * 1_000, image))

        t_nw, _ = timed(neotalk_images)
        t_sw, _ = timed(sqlite_images)
        mb = args.images * len(image) / 1e6
        row("images: neotalk write(bytes) + flush, one commit each", t_nw, mb, "MB/s")
        row("images: sqlite3 INSERT blob, autocommit", t_sw, mb, "MB/s", f"  (neotalk {t_sw / t_nw:.2f}x)")
        reads = 100
        t_nr, latest = timed(lambda: [raw.timeseries().query_latest("camera", "snapshot") for _ in range(reads)])
        assert latest[-1].value == image and latest[-1].timestamp == ts0 + (args.images - 1) * 1_000
        t_sr, blob = timed(lambda: [con.execute("SELECT value FROM images WHERE device_id = ? AND metric = ? ORDER BY ts DESC LIMIT 1", ("camera", "snapshot")).fetchone() for _ in range(reads)])
        assert blob[-1][0] == image
        print(f"latest image read: neotalk {t_nr / reads * 1e3:.3f} ms, sqlite3 {t_sr / reads * 1e3:.3f} ms (neotalk {t_sr / t_nr:.2f}x)")
        con.close()
        raw.close()
        tiered.close()


if __name__ == "__main__":
    main()
