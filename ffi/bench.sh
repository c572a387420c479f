#!/usr/bin/env bash
# C benchmark of the hot paths (release build). Prints ns per call / per point for the memory
# and redb backends, RUNS times (default 3; the build machine is shared, so take the best).
# Usage: ffi/bench.sh [SCALE] [RUNS]   (SCALE multiplies the iteration counts)
set -euo pipefail
FFI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nts-ffi-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=ffi/deps.sh
. "$FFI_DIR/deps.sh"
nts_require_packages gcc libc6-dev libsqlite3-dev
nts_require_cargo
"$FFI_DIR/install.sh" "$TMP/prefix" >/dev/null
cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -I"$TMP/prefix/include" "$FFI_DIR/bench/bench.c" \
  "$TMP/prefix/lib/libneotalk_storage_ffi.a" -lpthread -ldl -lm -o "$TMP/nts_bench"
# The event log against SQLite's C API, both in one program.
cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -I"$TMP/prefix/include" "$FFI_DIR/bench/events.c" \
  "$TMP/prefix/lib/libneotalk_storage_ffi.a" -lsqlite3 -lpthread -ldl -lm -o "$TMP/nts_bench_events"
echo "neotalk-storage C API, release build, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
for run in $(seq 1 "${2:-3}"); do
  echo "-- run $run"
  rm -rf "$TMP/data" && mkdir -p "$TMP/data"
  "$TMP/nts_bench" "$TMP/data" "${1:-1}"
  rm -rf "$TMP/data" && mkdir -p "$TMP/data"
  "$TMP/nts_bench_events" "$TMP/data" "${1:-1}"
done
