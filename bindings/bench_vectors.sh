#!/usr/bin/env bash
# Builds a release wheel into a fresh venv with numpy and runs bench_vectors.py (neotalk-storage
# vector search beside numpy, same process, same data). Arguments go to bench_vectors.py
# (e.g. --n 20000 --queries 20).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check "maturin>=1.9,<2" numpy
(cd "$here" && "$work/venv/bin/maturin" build --release --out "$work/wheels")
"$py" -m pip install -q --disable-pip-version-check "$work"/wheels/neotalk_storage-*.whl
(cd "$work" && OPENBLAS_NUM_THREADS=1 "$py" "$here/bench_vectors.py" "$@")
