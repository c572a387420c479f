"""The anchors of the replication benchmark (replicate/bench.sh): the same telemetry rows
as the Rust sink's run (100 series, 1 s apart), loaded into an identical empty table by
psycopg `executemany` (what a gateway script would write) and by psycopg `COPY` (the
physical anchor: the server's bulk path, from a client). Prints points per second as JSON."""

import json
import sys
import time

import psycopg

SERIES = 100
COLUMNS = "gateway_id, device_id, metric, ts_ms, value_float"


def rows(n):
    for i in range(n):
        s = i % SERIES
        yield ("bench", f"dev-{s:03}", "temperature", (i // SERIES) * 1000, 20.0 + (i % 1000) / 100.0)


def fresh(conn):
    conn.execute("DROP TABLE IF EXISTS nts_anchor")
    conn.execute(
        "CREATE TABLE nts_anchor (gateway_id text NOT NULL, device_id text NOT NULL, metric text NOT NULL, ts_ms bigint NOT NULL,"
        " ts timestamptz, value_float double precision, value_int bigint, value_bool boolean, value_text text, value_bytes bytea,"
        " PRIMARY KEY (gateway_id, device_id, metric, ts_ms))"
    )
    conn.commit()


def timed(conn, n, load):
    fresh(conn)
    data = list(rows(n))
    started = time.perf_counter()
    with conn.cursor() as cur:
        load(cur, data)
    conn.commit()
    secs = time.perf_counter() - started
    got = conn.execute("SELECT count(*) FROM nts_anchor").fetchone()[0]
    assert got == n, (got, n)
    return n / secs


def executemany(cur, data):
    cur.executemany(f"INSERT INTO nts_anchor ({COLUMNS}) VALUES (%s, %s, %s, %s, %s)", data)


def copy(cur, data):
    with cur.copy(f"COPY nts_anchor ({COLUMNS}) FROM STDIN") as c:
        for r in data:
            c.write_row(r)


def main():
    url, points = sys.argv[1], int(sys.argv[2])
    with psycopg.connect(url) as conn:
        # executemany is slow: a tenth of the rows gives its rate.
        many = timed(conn, max(points // 10, 1000), executemany)
        copied = timed(conn, points, copy)
        conn.execute("DROP TABLE nts_anchor")
    print(json.dumps({"executemany_points_per_second": many, "copy_points_per_second": copied, "psycopg": psycopg.__version__}))


if __name__ == "__main__":
    main()
