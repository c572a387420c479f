#!/usr/bin/env bash
# Replication benchmark (README "Fleet replication"): starts a private PostgreSQL cluster,
# then in one run: points per second through the PostgreSQL sink (release build), psycopg
# executemany and psycopg COPY on the same rows, and the lag under a steady ingest.
# Usage: replicate/bench.sh [POINTS (1000000)] [RATE (10000)] [SECONDS (30)]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
points="${1:-1000000}" rate="${2:-10000}" seconds="${3:-30}"
work="$(mktemp -d)"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg "$bin/initdb" -D "$work/data" -A trust -U postgres --no-sync -E UTF8 >/dev/null
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$work'" -w start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null; rm -rf "$work"' EXIT
url="postgres://postgres@127.0.0.1:$port/postgres"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check "psycopg[binary]>=3.2"
(cd "$root" && cargo build -q --release -p neotalk-storage-replicate --example bench)
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
bench="$target_dir/release/examples/bench"

echo "== $points points, 100 series: the sink, then the psycopg anchors (PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), fsync on)"
sink="$("$bench" throughput "$url" "$points")"
anchors="$("$work/venv/bin/python" "$here/bench.py" "$url" "$points")"
python3 - "$sink" "$anchors" <<'PY'
import json, sys
sink, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
s = sink["points_per_second"]
print(f"sink (binary COPY; staging + upsert on a conflict): {s:,.0f} points/s (the gateway's side alone, feed read and rows: {sink['feed_points_per_second']:,.0f} points/s)")
print(f"sink, every row delivered again (staging + upsert):   {sink['redelivery_points_per_second']:,.0f} points/s")
print(f"psycopg {a['psycopg']} executemany:                 {a['executemany_points_per_second']:,.0f} points/s  (sink: {s / a['executemany_points_per_second']:.1f}x)")
print(f"psycopg COPY (text, from the client):          {a['copy_points_per_second']:,.0f} points/s  (sink: {s / a['copy_points_per_second']:.2f}x)")
PY
echo "== lag under a steady $rate points/s for $seconds s (follow, poll 100 ms)"
"$bench" lag "$url" "$rate" "$seconds"
