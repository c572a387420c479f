#!/usr/bin/env bash
# The Parquet sink read back by DuckDB (from PyPI), through the CLI: builds the CLI (debug,
# the shared target dir), installs duckdb and pytest into a fresh venv and runs
# replicate/python. The PostgreSQL tests are Rust tests (replicate/tests), run by
# `cargo test`; they start their own clusters.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v cargo >/dev/null || { echo "test.sh: cargo not found; install a Rust toolchain first" >&2; exit 1; }
# shellcheck source=../tools/venv.sh
source "$root/tools/venv.sh"
make_venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "duckdb>=1.1" pytest

(cd "$root" && cargo build -q --bin neotalk-storage) # --bin: see tests/run-all.sh
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
export NTS_CLI="$target_dir/debug/neotalk-storage"
(cd "$work" && "$work/venv/bin/python" -m pytest -p no:cacheprovider -q "$here/python")
