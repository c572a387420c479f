#!/usr/bin/env bash
# The ARM leg (issue #21): cross-builds for TARGET on this x86_64 machine and runs, under
# qemu-user:
#   1. tools/cross.sh TARGET: the C library tarball and the CLI (the wheel too with --wheel)
#   2. the core's tests (library, integration, property, model, power-cut, full-disk, byte-flip
#      and stress tests, --features tokio,fuzzing) in a release build with overflow checks;
#      with --core-lib-only the library's tests alone (codecs, keys, limits: what CPU width and
#      byte order change), the subset the README's test command runs
#   3. the C test (ffi/tests/c) and the C conformance runner (tests/conformance/cases), built
#      with the cross gcc against the tarball's static library through pkg-config, and a C89
#      program linked against the shared library through its rpath
#   4. the CLI demo under /usr/bin/time -v (peak RSS of qemu + the program), then `check`
#   5. files across CPUs: a database and a backup written on x86_64 open, pass `check` /
#      `verify` and export the same CSV on TARGET; and one written on TARGET does on x86_64
#
#   tests/cross-arm.sh aarch64-unknown-linux-gnu --core-lib-only   # in tests/run-all.sh
#   tests/cross-arm.sh aarch64-unknown-linux-gnu          # in tests/reliability.sh
#   tests/cross-arm.sh armv7-unknown-linux-gnueabihf      # in tests/reliability.sh (32-bit)
#   tests/cross-arm.sh TARGET --wheel                     # also build the wheel (maturin in a venv)
#
# Left out under emulation: the two tests that re-run the test binary as a child process,
# crash_recovery (crash.rs: 100 SIGKILL rounds) and a_second_process_is_locked_out
# (manager.rs): without qemu-user-binfmt the host kernel cannot exec an ARM binary (exit 127).
# Both run natively in tests/run-all.sh.
# The C++ GoogleTest suite is left out (no cross libgtest in Debian 12), and so is valgrind.
#
# Installs what is missing with apt-get (ffi/deps.sh), like the other suite scripts.
# Env: NTS_KEEP_TMP=1 keeps the temporary folder; NTS_CROSS_TARGET_DIR as in tools/cross.sh.
set -euo pipefail

usage() { echo "usage: $0 aarch64-unknown-linux-gnu|armv7-unknown-linux-gnueabihf [--wheel] [--core-lib-only]" >&2; exit 2; }
[ $# -ge 1 ] || usage
TARGET=$1; shift
WHEEL=0
CORE_TARGETS=(--lib --tests)
for arg in "$@"; do
  case $arg in
    --wheel) WHEEL=1 ;;
    --core-lib-only) CORE_TARGETS=(--lib) ;;
    *) usage ;;
  esac
done
case $TARGET in
  aarch64-unknown-linux-gnu) GNU=aarch64-linux-gnu; LIBC_PKG=libc6-dev-arm64-cross; QEMU=qemu-aarch64 ;;
  armv7-unknown-linux-gnueabihf) GNU=arm-linux-gnueabihf; LIBC_PKG=libc6-dev-armhf-cross; QEMU=qemu-arm ;;
  *) usage ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
started=$SECONDS
step() { printf '\n==> [%s] %s (%ss)\n' "$TARGET" "$*" "$((SECONDS - started))"; }

step "system packages"
# shellcheck source=ffi/deps.sh
. "$ROOT/ffi/deps.sh"
nts_require_packages rustc-web cargo-web rust-web-src "gcc-$GNU" "$LIBC_PKG" "binutils-$GNU" \
  qemu-user file time pkg-config
command -v cargo >/dev/null || { echo "cargo (rustup) not found: the x86_64 side of the file test needs it" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nts-cross-arm.XXXXXX")
if [ "${NTS_KEEP_TMP:-0}" = 1 ]; then echo "temporary files kept in $TMP"; else trap 'rm -rf "$TMP"' EXIT; fi
DIST=$TMP/dist

cross_args=(--out "$DIST")
if [ "$WHEEL" = 1 ]; then
  step "maturin (venv)"
  nts_require_packages python3-venv
  python3 -m venv "$TMP/venv"
  "$TMP/venv/bin/pip" install -q --disable-pip-version-check "maturin>=1.9,<2"
  export MATURIN=$TMP/venv/bin/maturin
else
  cross_args+=(--no-wheel)
fi

step "tools/cross.sh (C library tarball, CLI)"
t=$SECONDS
bash "$ROOT/tools/cross.sh" "$TARGET" "${cross_args[@]}"
echo "cross build: $((SECONDS - t)) s"

# The same environment as tools/cross.sh, plus qemu as the runner of cargo test.
ENV_TARGET=$(echo "$TARGET" | tr 'a-z-' 'A-Z_')
ENV_CC=$(echo "$TARGET" | tr '-' '_')
export "CARGO_TARGET_${ENV_TARGET}_LINKER=$GNU-gcc" "CC_${ENV_CC}=$GNU-gcc" "AR_${ENV_CC}=$GNU-ar"
export "CARGO_TARGET_${ENV_TARGET}_RUNNER=$QEMU -L /usr/$GNU"
BUILD_STD=(-Zbuild-std)
CROSS_DIR=${NTS_CROSS_TARGET_DIR:-$ROOT/target/cross}
CROSS_CARGO=(env CARGO_TARGET_DIR="$CROSS_DIR" PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo)
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  BUILD_STD=(); CROSS_CARGO=(env CARGO_TARGET_DIR="$CROSS_DIR" cargo)
fi
RUN=("$QEMU" -L "/usr/$GNU")

step "core: ${CORE_TARGETS[*]} (every test but the two that re-exec themselves), under $QEMU"
# Release code runs far faster under qemu than debug code, and shares the dependencies built
# above; overflow checks and debug assertions stay on for the core itself, so arithmetic that
# was implicitly 64-bit panics on armv7 instead of wrapping silently. The core itself builds
# at opt-level 1: 213 s instead of 281 s at 3 on aarch64, and its tests ran as fast under qemu
# (118 s against 122 s).
CORE_TEST=("${CROSS_CARGO[@]}" test "${BUILD_STD[@]}" --release --target "$TARGET" -p neotalk-storage
  --config 'profile.release.package.neotalk-storage.opt-level=1'
  --config 'profile.release.package.neotalk-storage.overflow-checks=true'
  --config 'profile.release.package.neotalk-storage.debug-assertions=true'
  --features 'tokio fuzzing' "${CORE_TARGETS[@]}")
t=$SECONDS
(cd "$ROOT" && "${CORE_TEST[@]}" --no-run)
echo "core test build: $((SECONDS - t)) s"
t=$SECONDS
(cd "$ROOT" && "${CORE_TEST[@]}" -- --skip crash_recovery --skip a_second_process_is_locked_out)
echo "core tests under $QEMU: $((SECONDS - t)) s"

step "C tests against the cross-built library (static through pkg-config, shared through its rpath)"
mkdir -p "$TMP/prefix" "$TMP/c" "$TMP/c/scratch"
tar -C "$TMP/prefix" --strip-components=1 -xzf "$DIST"/neotalk_storage-*-"$TARGET".tar.gz
# Only the tarball's .pc files: PKG_CONFIG_LIBDIR replaces the host's search path.
PC=(env PKG_CONFIG_LIBDIR="$TMP/prefix/lib/pkgconfig" PKG_CONFIG_PATH= pkg-config)
# _FILE_OFFSET_BITS=64: 64-bit off_t, ino_t and readdir cookies on armv7 (a no-op on aarch64).
# Without it the conformance runner's readdir() stops at once under qemu-arm (EOVERFLOW: the
# 64-bit host kernel hands out 64-bit ext4 directory cookies) and stat() fails on a 32-bit
# board for files over 2 GiB; 32-bit C programs should always build with it.
WARN=(-Wall -Wextra -Werror -pedantic -D_FILE_OFFSET_BITS=64)
# shellcheck disable=SC2046 # pkg-config prints a list of flags
"$GNU-gcc" -std=c99 "${WARN[@]}" $("${PC[@]}" --cflags neotalk_storage_static) \
  "$ROOT"/ffi/tests/c/*.c $("${PC[@]}" --libs neotalk_storage_static) -lm -o "$TMP/c/nts_c_test"
# shellcheck disable=SC2046
"$GNU-gcc" -std=c99 "${WARN[@]}" $("${PC[@]}" --cflags neotalk_storage_static) \
  "$ROOT"/ffi/tests/conformance/*.c $("${PC[@]}" --libs neotalk_storage_static) -lm -o "$TMP/c/nts_conformance"
# shellcheck disable=SC2046
"$GNU-gcc" -std=c89 "${WARN[@]}" $("${PC[@]}" --cflags neotalk_storage) "$ROOT/ffi/tests/link/version_check.c" \
  $("${PC[@]}" --libs neotalk_storage) -Wl,-rpath,"$TMP/prefix/lib" -o "$TMP/c/shared"
file -b "$TMP/c/nts_c_test"
"${RUN[@]}" "$TMP/c/nts_c_test" "$TMP/c/scratch"
"${RUN[@]}" "$TMP/c/nts_conformance" "$ROOT/tests/conformance/cases"
env -u LD_LIBRARY_PATH "${RUN[@]}" "$TMP/c/shared"

step "CLI demo under $QEMU (/usr/bin/time -v)"
CLI=("${RUN[@]}" "$DIST/neotalk-storage")
/usr/bin/time -v -o "$TMP/time.txt" "${CLI[@]}" demo --dir "$TMP/arm-db" --devices 6 --minutes 30 | tail -n 3
grep -E 'Maximum resident|Elapsed' "$TMP/time.txt"
/usr/bin/time -v -o "$TMP/time-version.txt" "${CLI[@]}" --version >/dev/null
echo "peak RSS of the demo under $QEMU: $(awk '/Maximum resident/ {print $NF}' "$TMP/time.txt") KiB" \
  "(qemu included; \`neotalk-storage --version\` alone: $(awk '/Maximum resident/ {print $NF}' "$TMP/time-version.txt") KiB)"
"${CLI[@]}" check --dir "$TMP/arm-db"

step "files across CPUs: x86_64 <-> $TARGET"
(cd "$ROOT" && cargo build -q --bin neotalk-storage) # --bin: see tests/run-all.sh
HOST=("${CARGO_TARGET_DIR:-$ROOT/target}/debug/neotalk-storage")
"${HOST[@]}" demo --dir "$TMP/x86-db" --devices 6 --minutes 30 >/dev/null
# A backup on each side, so the snapshot format crosses too.
"${HOST[@]}" backup --dir "$TMP/x86-db" >/dev/null
"${CLI[@]}" backup --dir "$TMP/arm-db" >/dev/null
cross_check() { # cross_check WRITER-NAME DIR READER... : check, verify and export on the reader
  local name=$1 dir=$2; shift 2
  "$@" check --dir "$dir"
  "$@" verify --dir "$dir"
  "$@" export --dir "$dir" --out "$TMP/$name-read.csv" >/dev/null
}
x86_export() { "${HOST[@]}" export --dir "$1" --out "$2" >/dev/null; }
arm_export() { "${CLI[@]}" export --dir "$1" --out "$2" >/dev/null; }
echo "written on x86_64, read on $TARGET:"
cross_check x86 "$TMP/x86-db" "${CLI[@]}"
x86_export "$TMP/x86-db" "$TMP/x86-native.csv"
cmp "$TMP/x86-native.csv" "$TMP/x86-read.csv"
echo "  same export on both CPUs: $(($(wc -l < "$TMP/x86-native.csv") - 1)) points"
echo "written on $TARGET, read on x86_64:"
cross_check arm "$TMP/arm-db" "${HOST[@]}"
arm_export "$TMP/arm-db" "$TMP/arm-native.csv"
cmp "$TMP/arm-native.csv" "$TMP/arm-read.csv"
echo "  same export on both CPUs: $(($(wc -l < "$TMP/arm-native.csv") - 1)) points"

step "cross leg passed"
