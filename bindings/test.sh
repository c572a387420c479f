#!/usr/bin/env bash
# Builds the neotalk-storage wheel, installs it into a fresh venv, runs the pytest suite
# against the installed wheel (not the source tree) and the gateway example.
#
# Needs: python3 (3.9+) with pip, and a Rust toolchain (cargo). Runs as root on Debian 12:
# installs python3-venv with apt-get when venv creation fails.
# Env: BUILD_PROFILE=release for an optimized wheel (default: debug, faster to build).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v cargo >/dev/null || { echo "test.sh: cargo not found; install a Rust toolchain first" >&2; exit 1; }

# shellcheck source=../tools/venv.sh
source "$root/tools/venv.sh"
make_venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check "maturin>=1.9,<2" pytest numpy pandas

profile_flag=()
[ "${BUILD_PROFILE:-debug}" = release ] && profile_flag=(--release)
echo "== building the wheel (${BUILD_PROFILE:-debug})"
(cd "$here" && "$work/venv/bin/maturin" build "${profile_flag[@]}" --out "$work/wheels")
"$py" -m pip install -q --disable-pip-version-check "$work"/wheels/neotalk_storage-*.whl

echo "== pytest (installed wheel)"
# Run from the temp dir so the source tree is not importable; the suite checks this too.
(cd "$work" && "$py" -m pytest -p no:cacheprovider -q "$here/python/tests")

echo "== examples/python/gateway.py"
(cd "$work" && "$py" "$root/examples/python/gateway.py" --data "$work/gateway-data")
