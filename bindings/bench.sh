#!/usr/bin/env bash
# Builds a release wheel into a fresh venv and runs bench.py (telemetry ingest and range reads,
# neotalk-storage vs sqlite3), with `rollups` first bench_rollups.py (rollup tiers and 1 MB
# binary values vs sqlite3), with `reads` first bench/python/reads.py (record-returning
# reads, events and latest values vs sqlite3), or with `peak` first bench/python/write_peak.py
# (peak memory of one large write_packed call). The other arguments go to the script (e.g. --points 200000
# --json results.json; rollups --days 30 --images 100).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check "maturin>=1.9,<2"
(cd "$here" && "$work/venv/bin/maturin" build --release --out "$work/wheels")
"$py" -m pip install -q --disable-pip-version-check "$work"/wheels/neotalk_storage-*.whl
script=$here/bench.py
case "${1:-}" in
    rollups) script=$here/bench_rollups.py; shift ;;
    reads) script=$(dirname "$here")/bench/python/reads.py; shift ;;
    peak) script=$(dirname "$here")/bench/python/write_peak.py; shift ;;
esac
(cd "$work" && "$py" "$script" "$@")
