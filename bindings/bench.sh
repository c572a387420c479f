#!/usr/bin/env bash
# Builds a release wheel into a fresh venv and runs bench.py (neotalk-storage vs sqlite3).
# Arguments are passed to bench.py (e.g. --points 200000 --json results.json).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check "maturin>=1.9,<2"
(cd "$here" && "$work/venv/bin/maturin" build --release --out "$work/wheels")
"$py" -m pip install -q --disable-pip-version-check "$work"/wheels/neotalk_storage-*.whl
(cd "$work" && "$py" "$here/bench.py" "$@")
