#!/usr/bin/env python3
"""Record-returning reads through the Python binding beside sqlite3 (issue #15, item 3).

One process, both databases in one temporary directory, the same rows on both sides, both
decoded to Python objects (sqlite3: the tuples of ``fetchall``, with ``json.loads`` of each
event payload; ours: ``DataPoint`` / ``EventLogEntry`` / ``AlertRecord`` records). Each
figure is the best of ``--rounds`` rounds, the two engines alternating.

- ``query_range``: ``--points`` points of one float series (sqlite3: ``WHERE device_id = ?
  AND metric = ? AND ts >= ? ORDER BY ts``);
- ``events.replay`` and ``events.query_range``: ``--events`` events with a small JSON payload
  (sqlite3: ``WHERE seq > ? ORDER BY seq LIMIT ?`` and ``WHERE ts >= ? ORDER BY ts``);
- ``alerts.query_range``: ``--alerts`` alerts (sqlite3: the same columns);
- ``query_latest``: one series' newest point, per call (sqlite3: ``ORDER BY ts DESC LIMIT 1``);
- ``query_latest_batch``: the newest point of each of 50 series in one call (sqlite3: 50
  single queries).

Run through ``bindings/bench.sh reads [--points N] [--events N]`` (a release wheel in a fresh venv).
"""

import argparse
import array
import json
import sqlite3
import tempfile
import time

from neotalk_storage import AlertRecord, EventMetadata, NewEvent, SeriesKey, StorageManager

SERIES = 50


def best(rounds, ours, theirs):
    """Best seconds of each of two functions over ``rounds`` alternating rounds, and the
    results of their last rounds."""
    b_ours = b_theirs = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        r_ours = ours()
        t1 = time.perf_counter()
        r_theirs = theirs()
        t2 = time.perf_counter()
        b_ours, b_theirs = min(b_ours, t1 - t0), min(b_theirs, t2 - t1)
    return b_ours, b_theirs, r_ours, r_theirs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--alerts", type=int, default=1_000)
    ap.add_argument("--calls", type=int, default=2_000)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="nts-reads-")
    db = StorageManager.open(f"{tmp}/neotalk")
    con = sqlite3.connect(f"{tmp}/sqlite.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE telemetry (device_id TEXT, metric TEXT, ts INTEGER, value REAL, PRIMARY KEY (device_id, metric, ts)) WITHOUT ROWID")
    con.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT UNIQUE, event_type TEXT, source TEXT, ts INTEGER, correlation_id TEXT, causation_id TEXT, data TEXT)")
    con.execute("CREATE INDEX events_ts ON events (ts)")
    con.execute("CREATE TABLE alerts (alert_id TEXT PRIMARY KEY, title TEXT, severity TEXT, message TEXT, source TEXT, created_at INTEGER, entity_id TEXT, entity_type TEXT, acknowledged INTEGER, acknowledged_by TEXT, acknowledged_at INTEGER, resolved_at INTEGER)")
    con.execute("CREATE INDEX alerts_time ON alerts (created_at)")

    ts_store = db.timeseries()
    start = 1_700_000_000_000
    stamps = array.array("q", range(start, start + args.points * 1_000, 1_000))
    values = array.array("d", (20.0 + (i % 100) / 10 for i in range(args.points)))
    for s in range(SERIES):
        ts_store.write_packed(f"dev-{s}", "temp", stamps, values)
        con.execute("BEGIN")
        con.executemany("INSERT INTO telemetry VALUES (?, 'temp', ?, ?)", ((f"dev-{s}", t, v) for t, v in zip(stamps, values)))
        con.execute("COMMIT")
    ts_store.flush()

    events = [
        NewEvent(event_id=f"e{i}", event_type="device.reading", event_data={"device": f"dev-{i % 50}", "value": i / 4, "ok": True},
                 metadata=EventMetadata(source="mqtt", timestamp=start + i, correlation_id=f"c{i // 10}"))
        for i in range(args.events)
    ]
    db.events().append_batch(events)
    con.execute("BEGIN")
    con.executemany("INSERT INTO events (event_id, event_type, source, ts, correlation_id, causation_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ((e.event_id, e.event_type, e.metadata.source, e.metadata.timestamp, e.metadata.correlation_id, None,
                      json.dumps(e.event_data)) for e in events))
    con.execute("COMMIT")

    for i in range(args.alerts):
        a = AlertRecord(alert_id=f"a{i}", title="too hot", severity="warning", message="31.5 C", source="rules",
                        created_at=start + i, entity_id=f"dev-{i % 50}", entity_type="device")
        db.alerts().create(a)
        con.execute("INSERT INTO alerts VALUES (?, ?, 'Warning', ?, ?, ?, ?, ?, 0, NULL, NULL, NULL)",
                    (a.alert_id, a.title, a.message, a.source, a.created_at, a.entity_id, a.entity_type))

    rows = []

    def row(name, n, ours, theirs, unit="records"):
        o, t, r_ours, r_theirs = best(args.rounds, ours, theirs)
        rows.append((name, n / o, n / t, t / o, unit))
        return r_ours, r_theirs

    got, want = row("query_range (10k points)" if args.points == 10_000 else "query_range", args.points,
                    lambda: ts_store.query_range("dev-0", "temp", start, None),
                    lambda: con.execute("SELECT ts, value FROM telemetry WHERE device_id = ? AND metric = ? AND ts >= ? ORDER BY ts",
                                        ("dev-0", "temp", start)).fetchall())
    assert [(p.timestamp, p.value) for p in got] == want

    def sqlite_events(sql, params):
        return [(seq, eid, etype, source, t, corr, caus, json.loads(data))
                for seq, eid, etype, source, t, corr, caus, data in con.execute(sql, params).fetchall()]

    got, want = row("events.replay", args.events, lambda: db.events().replay(0, args.events),
                    lambda: sqlite_events("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (0, args.events)))
    assert [(e.sequence, e.event_id, e.event_data) for e in got] == [(w[0], w[1], w[7]) for w in want]
    got, want = row("events.query_range", args.events, lambda: db.events().query_range(start, None),
                    lambda: sqlite_events("SELECT * FROM events WHERE ts >= ? ORDER BY ts", (start,)))
    assert len(got) == len(want) == args.events
    got, want = row("alerts.query_range", args.alerts, lambda: db.alerts().query_range(start, None),
                    lambda: con.execute("SELECT * FROM alerts WHERE created_at >= ? ORDER BY created_at", (start,)).fetchall())
    assert len(got) == len(want) == args.alerts

    def ours_latest():
        return [ts_store.query_latest("dev-7", "temp") for _ in range(args.calls)]

    def sqlite_latest():
        q = "SELECT ts, value FROM telemetry WHERE device_id = ? AND metric = ? ORDER BY ts DESC LIMIT 1"
        return [con.execute(q, ("dev-7", "temp")).fetchone() for _ in range(args.calls)]

    got, want = row("query_latest", args.calls, ours_latest, sqlite_latest, unit="calls")
    assert (got[0].timestamp, got[0].value) == want[0]

    keys = [SeriesKey(device_id=f"dev-{s}", metric="temp") for s in range(SERIES)]

    def sqlite_batch():
        q = "SELECT ts, value FROM telemetry WHERE device_id = ? AND metric = ? ORDER BY ts DESC LIMIT 1"
        return [con.execute(q, (k.device_id, k.metric)).fetchone() for k in keys]

    got, want = row(f"query_latest_batch ({SERIES} series)", 1, lambda: ts_store.query_latest_batch(keys), sqlite_batch, unit="batches")
    assert [(p.timestamp, p.value) for p in got] == want

    print(f"{'read':34} {'neotalk':>14} {'sqlite3':>14} {'ratio':>7}")
    for name, ours, theirs, ratio, unit in rows:
        print(f"{name:34} {ours:>10,.0f}/s {theirs:>10,.0f}/s {ratio:>6.2f}x  ({unit})")
    db.close()
    con.close()


if __name__ == "__main__":
    main()
