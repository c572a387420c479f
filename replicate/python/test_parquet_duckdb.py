"""The Parquet sink read back by DuckDB: after `neotalk-storage demo`,
`replicate --to parquet:DIR --once` writes files in which DuckDB finds every point, and
per series the same count, sum, first and last as the gateway's own export. Late and
overwritten points arrive in later files; the newest file's row is the current value."""

import csv
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

CLI = os.environ["NTS_CLI"]


def cli(data: Path, *args: str) -> str:
    done = subprocess.run([CLI, "--dir", str(data), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def source(data: Path) -> dict:
    """Per (device, metric): count, sum, first ts, last ts, from `export --as jsonl`."""
    out = {}
    for line in cli(data, "export", "--as", "jsonl").splitlines():
        p = json.loads(line)
        key = (p["device_id"], p["metric"])
        n, s, first, last = out.get(key, (0, 0.0, p["timestamp"], p["timestamp"]))
        v = p["value"]
        number = v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0
        out[key] = (n + 1, s + number, min(first, p["timestamp"]), max(last, p["timestamp"]))
    return out


# The current row of each key: the one from the newest file (files sort in delivery order).
CURRENT = """
    SELECT * FROM read_parquet('{dir}/feed=telemetry/**/*.parquet', hive_partitioning = true, filename = true)
    QUALIFY row_number() OVER (PARTITION BY gateway, device_id, metric, ts_ms ORDER BY filename DESC) = 1
"""


def replicated(out: Path, gateway: str) -> dict:
    rows = duckdb.sql(
        f"""SELECT device_id, metric, count(*), coalesce(sum(coalesce(value_float, value_int)), 0), min(ts_ms), max(ts_ms)
            FROM ({CURRENT.format(dir=out)}) WHERE gateway = '{gateway}' GROUP BY ALL"""
    ).fetchall()
    return {(d, m): (n, s, first, last) for d, m, n, s, first, last in rows}


def assert_same(a: dict, b: dict):
    assert a.keys() == b.keys()
    for k in a:
        assert a[k][0] == b[k][0] and a[k][2:] == b[k][2:], k
        assert a[k][1] == pytest.approx(b[k][1], rel=1e-9), k


@pytest.fixture
def demo(tmp_path):
    data = tmp_path / "data"
    cli(data, "demo")
    return data


def test_duckdb_counts_the_demo_points(demo, tmp_path):
    out = tmp_path / "parquet"
    report = json.loads(cli(demo, "--format", "json", "replicate", "--to", f"parquet:{out}", "--gateway-id", "gw-1", "--once"))
    assert report["points"] == 61_200
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/feed=telemetry/**/*.parquet')").fetchall()[0][0] == 61_200
    assert_same(source(demo), replicated(out, "gw-1"))
    events = duckdb.sql(f"SELECT count(*), count(DISTINCT sequence) FROM read_parquet('{out}/feed=events/**/*.parquet')").fetchall()[0]
    assert events[0] == events[1] == report["events"] > 0
    alerts = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/feed=alert_changes/**/*.parquet')").fetchall()[0][0]
    assert alerts == report["alert_changes"] > 0
    rules = duckdb.sql(f"SELECT count(*), count(DISTINCT execution_id) FROM read_parquet('{out}/feed=rule_executions/**/*.parquet')").fetchall()[0]
    assert rules[0] == rules[1] == report["record_changes"] > 0
    statuses = duckdb.sql(f"SELECT DISTINCT json_extract_string(record, '$.result') FROM read_parquet('{out}/feed=rule_executions/**/*.parquet')")
    assert statuses.fetchall(), "records are JSON documents"
    # Times are real timestamps, partitions real dates.
    kind = duckdb.sql(f"SELECT typeof(ts), typeof(date) FROM read_parquet('{out}/feed=telemetry/**/*.parquet', hive_partitioning = true) LIMIT 1")
    assert kind.fetchall()[0] == ("TIMESTAMP WITH TIME ZONE", "DATE")
    # Nothing new: a second run writes nothing and leaves no temporary files.
    again = json.loads(cli(demo, "--format", "json", "replicate", "--to", f"parquet:{out}", "--gateway-id", "gw-1"))
    assert again["points"] == again["events"] == 0
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_late_and_overwritten_points_arrive_in_later_files(demo, tmp_path):
    out = tmp_path / "parquet"
    cli(demo, "replicate", "--to", f"parquet:{out}", "--gateway-id", "gw-1")
    first = json.loads(cli(demo, "export", "--as", "jsonl").splitlines()[0])
    late = tmp_path / "late.csv"
    with late.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["device_id", "metric", "timestamp", "value"])
        w.writerow([first["device_id"], first["metric"], first["timestamp"], 12345.5])  # overwritten
        w.writerow([first["device_id"], first["metric"], first["timestamp"] - 3_600_000, 1.5])  # late
    cli(demo, "import", str(late))
    cli(demo, "replicate", "--to", f"parquet:{out}", "--gateway-id", "gw-1")
    assert_same(source(demo), replicated(out, "gw-1"))
    current = duckdb.sql(
        f"SELECT value_float FROM ({CURRENT.format(dir=out)}) WHERE device_id = '{first['device_id']}' "
        f"AND metric = '{first['metric']}' AND ts_ms = {first['timestamp']}"
    ).fetchall()
    assert current == [(12345.5,)]


def test_two_gateways_into_one_directory(demo, tmp_path):
    out = tmp_path / "parquet"
    other = tmp_path / "other"
    cli(other, "demo", "--devices", "2", "--minutes", "3")
    cli(demo, "replicate", "--to", f"parquet:{out}", "--gateway-id", "gw-a")
    cli(other, "replicate", "--to", f"parquet:{out}", "--gateway-id", "gw-b")
    assert_same(source(demo), replicated(out, "gw-a"))
    assert_same(source(other), replicated(out, "gw-b"))


def test_bad_targets_are_refused(demo, tmp_path):
    for target, needle in [("parquet:", "needs a directory"), ("mysql://x", "expected postgres://"), ("postgres://u@h:x/db", "postgres://u@h:x/db")]:
        done = subprocess.run([CLI, "--dir", str(demo), "replicate", "--to", target], capture_output=True, text=True)
        assert done.returncode == 1 and needle in done.stderr, done.stderr
    done = subprocess.run([CLI, "--dir", str(demo), "replicate", "--to", f"parquet:{tmp_path}/p", "--gateway-id", "../x"], capture_output=True, text=True)
    assert done.returncode == 1 and "gateway_id" in done.stderr, done.stderr
