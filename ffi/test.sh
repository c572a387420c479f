#!/usr/bin/env bash
# Tests of the C ABI (issue #5), from a fresh Debian 12 machine:
#   1. installs missing system packages (cmake, g++, make, valgrind, pkg-config, libgtest-dev;
#      Debian's Rust when there is no cargo) -- see ffi/deps.sh
#   2. builds neotalk-storage-ffi (debug) and runs its Rust tests, including the check that
#      ffi/include/neotalk_storage.h equals what cbindgen generates (NTS_HEADER_CHECK=1)
#   3. installs the library into a temporary prefix (ffi/install.sh)
#   4. builds ffi/tests against that prefix with -Wall -Wextra -Werror -pedantic (the header
#      alone as C99, C++11 and C++17; the C test; the conformance runner; the GoogleTest suite)
#   5. runs the C and C++ tests and the C conformance runner (tests/conformance/cases, see
#      ffi/tests/conformance/conformance.c) under valgrind (leaks or invalid access fail the run)
#   6. checks the installed libraries: the static archive and the shared library define only
#      nts_* symbols (nm); a C89 program links the shared library through pkg-config with an
#      rpath and runs without LD_LIBRARY_PATH; neotalk_storage_static.pc links the archive
#      (the binary needs no libneotalk_storage_ffi.so)
#   7. builds examples/c (pkg-config) and examples/cpp (CMake find_package) and runs them
# Exits non-zero on any failure. Keeps the temporary directory when NTS_KEEP_TMP=1.
set -euo pipefail

FFI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$FFI_DIR")
step() { printf '\n==> %s\n' "$*"; }

step "system packages"
# shellcheck source=ffi/deps.sh
. "$FFI_DIR/deps.sh"
nts_require_packages cmake g++ make valgrind pkg-config libgtest-dev binutils
nts_require_cargo

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nts-ffi-test.XXXXXX")
if [ "${NTS_KEEP_TMP:-0}" = 1 ]; then
  echo "temporary files kept in $TMP"
else
  trap 'rm -rf "$TMP"' EXIT
fi
export NTS_HEADER_CHECK=1

step "cargo build + Rust tests (header up to date, status mapping, panic containment)"
# --all-targets: the library is built with the dependency features of its tests, so that
# `cargo test` reuses it instead of building the shared dependencies a second time.
(cd "$ROOT" && cargo build --all-targets -p neotalk-storage-ffi && cargo test -p neotalk-storage-ffi)

step "install into $TMP/prefix"
"$FFI_DIR/install.sh" "$TMP/prefix" --debug --no-build

step "build C and C++ tests against the installed package"
cmake -S "$FFI_DIR/tests" -B "$TMP/tests" -DCMAKE_PREFIX_PATH="$TMP/prefix" -DCMAKE_BUILD_TYPE=Debug
cmake --build "$TMP/tests" -j 2

VALGRIND=(valgrind -q --leak-check=full --suppressions="$FFI_DIR/tests/valgrind.supp" --errors-for-leak-kinds=definite,indirect,possible
  --show-leak-kinds=definite,indirect,possible --error-exitcode=1)

step "C test under valgrind"
mkdir -p "$TMP/scratch"
"${VALGRIND[@]}" "$TMP/tests/nts_c_test" "$TMP/scratch"

step "conformance cases (tests/conformance/cases) under valgrind"
"${VALGRIND[@]}" "$TMP/tests/nts_conformance" "$ROOT/tests/conformance/cases"

step "C++ GoogleTest suite under valgrind"
"${VALGRIND[@]}" "$TMP/tests/nts_cpp_test" --gtest_brief=1

step "installed libraries export only nts_* symbols"
# nm prints "ADDRESS TYPE NAME" for each defined global symbol (and "FILE:" headers).
exports_only_nts() {
  local others
  others=$(nm "$@" | awk 'NF == 3 && $3 !~ /^nts_/')
  if [ -n "$others" ]; then
    echo "$* exports symbols other than nts_*:" >&2
    echo "$others" | head -n 20 >&2
    return 1
  fi
  nm "$@" | awk 'NF == 3' | grep -q ' nts_version$' || { echo "$*: nts_version missing" >&2; return 1; }
}
exports_only_nts -g --defined-only "$TMP/prefix/lib/libneotalk_storage_ffi.a"
exports_only_nts -D --defined-only "$TMP/prefix/lib/libneotalk_storage_ffi.so"
echo "static archive: $(nm -g --defined-only "$TMP/prefix/lib/libneotalk_storage_ffi.a" | awk 'NF == 3' | wc -l) global symbols, all nts_*"

export PKG_CONFIG_PATH="$TMP/prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
step "C89 program: shared library found through its rpath; static library through pkg-config"
mkdir -p "$TMP/link"
C89=(cc -std=c89 -Wall -Wextra -Werror -pedantic)
# shellcheck disable=SC2046 # pkg-config output is a list of flags
"${C89[@]}" $(pkg-config --cflags neotalk_storage) "$FFI_DIR/tests/link/version_check.c" \
  $(pkg-config --libs neotalk_storage) -Wl,-rpath,"$(pkg-config --variable=libdir neotalk_storage)" -o "$TMP/link/shared"
env -u LD_LIBRARY_PATH "$TMP/link/shared"
readelf -d "$TMP/link/shared" | grep -q 'NEEDED.*libneotalk_storage_ffi.so' || { echo "shared link does not use the .so" >&2; exit 1; }
for static_flag in "" --static; do
  # shellcheck disable=SC2046,SC2086
  "${C89[@]}" $(pkg-config --cflags neotalk_storage_static) "$FFI_DIR/tests/link/version_check.c" \
    $(pkg-config $static_flag --libs neotalk_storage_static) -o "$TMP/link/static"
  if readelf -d "$TMP/link/static" | grep -q 'libneotalk_storage_ffi'; then
    echo "pkg-config $static_flag neotalk_storage_static linked the shared library" >&2
    exit 1
  fi
  "$TMP/link/static"
done

step "examples/c via pkg-config"
mkdir -p "$TMP/example-c"
make -C "$TMP/example-c" -f "$ROOT/examples/c/Makefile"
LD_LIBRARY_PATH="$TMP/prefix/lib" "${VALGRIND[@]}" "$TMP/example-c/example"
LD_LIBRARY_PATH="$TMP/prefix/lib" "$TMP/example-c/example" "$TMP/example-c/data"
test -f "$TMP/example-c/data/storage.redb"

step "examples/cpp via find_package(neotalk_storage)"
cmake -S "$ROOT/examples/cpp" -B "$TMP/example-cpp" -DCMAKE_PREFIX_PATH="$TMP/prefix"
cmake --build "$TMP/example-cpp"
"${VALGRIND[@]}" "$TMP/example-cpp/example"
"$TMP/example-cpp/example" "$TMP/example-cpp/data"

step "all C ABI tests passed"
