#!/usr/bin/env bash
# C benchmark of the hot paths (release build). Prints ns per call / per point for the memory
# and redb backends. Usage: ffi/bench.sh [SCALE]   (SCALE multiplies the iteration counts)
set -euo pipefail
FFI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nts-ffi-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

command -v cc >/dev/null || { echo "a C compiler is needed (apt-get install gcc)" >&2; exit 1; }
"$FFI_DIR/install.sh" "$TMP/prefix" >/dev/null
cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -I"$TMP/prefix/include" "$FFI_DIR/bench/bench.c" \
  "$TMP/prefix/lib/libneotalk_storage_ffi.a" -lpthread -ldl -lm -o "$TMP/nts_bench"
mkdir -p "$TMP/data"
echo "neotalk-storage C API, release build, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
"$TMP/nts_bench" "$TMP/data" "${1:-1}"
