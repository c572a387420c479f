#!/usr/bin/env bash
# Cross-builds the installable artifacts for an ARM gateway from this x86_64 Debian 12 machine
# (issue #21):
#   DIST/neotalk_storage-VERSION-TARGET.tar.gz   the C library in the ffi/install.sh layout
#       (include/neotalk_storage.h, lib/libneotalk_storage_ffi.{a,so}, lib/pkgconfig/*.pc,
#       lib/cmake/neotalk_storage/*.cmake), stripped, under one top folder of the same name
#   DIST/neotalk-storage                         the CLI (package neotalk-storage-cli), stripped
#   DIST/neotalk_storage-VERSION-py3-none-manylinux_2_34_ARCH.whl   the Python wheel (uniffi)
# and checks that `file` names the target's CPU for each binary.
#
# Usage: tools/cross.sh TARGET [--out DIST] [--no-wheel] [--no-cli]
#   TARGET     aarch64-unknown-linux-gnu (arm64: Raspberry Pi 3/4/5 with a 64-bit OS, most
#              current gateways) or armv7-unknown-linux-gnueabihf (32-bit ARMv7 with hard float)
#   --out      where the artifacts go (default: target/cross/dist/TARGET)
#   --no-wheel skip the Python wheel (the slowest part: a second full build)
#   --no-cli   skip the CLI
# Env: NTS_CROSS_TARGET_DIR (cargo's target dir, default target/cross: apart from target/, as
# the Debian compiler below is not rustup's), CARGO_BUILD_JOBS, MATURIN (the maturin to run;
# default: the one on PATH).
#
# The recipe (rustup cannot download std for other targets on these machines):
#   apt-get install rustc-web cargo-web rust-web-src       Debian's Rust 1.96 with std sources
#   apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
#              (armv7: gcc-arm-linux-gnueabihf libc6-dev-armhf-cross binutils-arm-linux-gnueabihf)
#   pip install 'maturin>=1.9,<2'                         (in a venv; only for the wheel)
#   PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
#   CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
#   CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar \
#     /usr/bin/cargo build -Zbuild-std --release --target aarch64-unknown-linux-gnu \
#       -p neotalk-storage-ffi -p neotalk-storage-cli
#   ffi/install.sh with LD/OBJCOPY/AR set to the cross binutils (it localizes the archive)
#   maturin build --release --target aarch64-unknown-linux-gnu in bindings/, with the same
#     environment and CARGO_UNSTABLE_BUILD_STD=std (maturin has no -Z flag of its own)
# Where rustup already has the target (`rustup target list --installed`, a developer laptop),
# the plain rustup cargo is used instead and no std is built from source.
#
# glibc floor: the artifacts link against Debian 12's cross glibc and need glibc >= 2.34 on
# the gateway (Debian 12, Ubuntu 22.04, Raspberry Pi OS bookworm, RHEL 9 and later); the
# wheel is tagged manylinux_2_34. The script prints the highest GLIBC_x.y symbol version each
# binary needs. There is no musl build: Debian 12 has no musl cross sysroot for ARM, rustup
# cannot fetch the musl targets here, and the zig route dropped the uniffi metadata.
#
# Installs nothing: it lists each missing tool with the package that brings it and exits 1.
set -euo pipefail

usage() { echo "usage: $0 aarch64-unknown-linux-gnu|armv7-unknown-linux-gnueabihf [--out DIST] [--no-wheel] [--no-cli]" >&2; exit 2; }
[ $# -ge 1 ] || usage
TARGET=$1; shift
OUT=""
WHEEL=1
CLI=1
while [ $# -gt 0 ]; do
  case $1 in
    --out) [ $# -ge 2 ] || usage; OUT=$2; shift ;;
    --no-wheel) WHEEL=0 ;;
    --no-cli) CLI=0 ;;
    *) usage ;;
  esac
  shift
done

case $TARGET in
  aarch64-unknown-linux-gnu)
    GNU=aarch64-linux-gnu; LIBC_PKG=libc6-dev-arm64-cross; FILE_ARCH='ARM aarch64'; WHEEL_ARCH=aarch64 ;;
  armv7-unknown-linux-gnueabihf)
    GNU=arm-linux-gnueabihf; LIBC_PKG=libc6-dev-armhf-cross; FILE_ARCH='32-bit LSB.*ARM, EABI5'; WHEEL_ARCH=armv7l ;;
  *) usage ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${NTS_CROSS_TARGET_DIR:-$ROOT/target/cross}
OUT=${OUT:-$CARGO_TARGET_DIR/dist/$TARGET}
VERSION=$(sed -n 's/^version *= *"\([0-9][0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml" | head -n1)
MATURIN=${MATURIN:-maturin}

# --- what is missing, and which package brings it -------------------------------------------
missing=()
apt_pkgs=()
need() { # need COMMAND-OR-PATH DEBIAN-PACKAGE
  if [[ $1 == /* ]] && [ -e "$1" ]; then return; fi
  if [[ $1 != /* ]] && command -v "$1" >/dev/null 2>&1; then return; fi
  missing+=("$1 (Debian package $2)")
  [[ " ${apt_pkgs[*]} " == *" $2 "* ]] || apt_pkgs+=("$2")
}
RUSTUP_ROUTE=0
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  RUSTUP_ROUTE=1
else
  need /usr/bin/rustc rustc-web
  need /usr/bin/cargo cargo-web
  need /usr/lib/rustlib/src/rust/library/Cargo.lock rust-web-src
  if [ -x /usr/bin/rustc ] && ! /usr/bin/rustc --version | grep -qE '^rustc 1\.(8[5-9]|9[0-9])'; then
    missing+=("rustc-web (/usr/bin/rustc is $(/usr/bin/rustc --version); Rust >= 1.85 from bookworm-security is needed)")
  fi
fi
need "$GNU-gcc" "gcc-$GNU"
need "/usr/$GNU/lib/crt1.o" "$LIBC_PKG"
for tool in ld objcopy ar strip readelf; do need "$GNU-$tool" "binutils-$GNU"; done
need file file
if [ "$WHEEL" = 1 ]; then
  command -v "$MATURIN" >/dev/null 2>&1 ||
    missing+=("maturin: python3 -m venv V && V/bin/pip install 'maturin>=1.9,<2', then MATURIN=V/bin/maturin (or --no-wheel)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "tools/cross.sh: missing for $TARGET:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  [ ${#apt_pkgs[@]} -eq 0 ] || echo "install them with: apt-get install --no-install-recommends ${apt_pkgs[*]}" >&2
  exit 1
fi

# --- the cross environment -------------------------------------------------------------------
ENV_TARGET=$(echo "$TARGET" | tr 'a-z-' 'A-Z_')
ENV_CC=$(echo "$TARGET" | tr '-' '_')
export "CARGO_TARGET_${ENV_TARGET}_LINKER=$GNU-gcc" "CC_${ENV_CC}=$GNU-gcc" "AR_${ENV_CC}=$GNU-ar"
BUILD_STD=()
if [ "$RUSTUP_ROUTE" = 0 ]; then
  export PATH=/usr/bin:$PATH RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
  BUILD_STD=(-Zbuild-std)
  CARGO=/usr/bin/cargo
else
  CARGO=cargo
fi
echo "cross.sh: $TARGET with $($CARGO --version) ($([ "$RUSTUP_ROUTE" = 1 ] && echo rustup || echo "Debian, std built from source")), into $OUT"
mkdir -p "$OUT"
started=$SECONDS

# --- C library + CLI ---------------------------------------------------------------------------
packages=(-p neotalk-storage-ffi)
[ "$CLI" = 1 ] && packages+=(-p neotalk-storage-cli)
(cd "$ROOT" && $CARGO build "${BUILD_STD[@]}" --release --target "$TARGET" "${packages[@]}")
echo "cargo build: $((SECONDS - started)) s"

NAME=neotalk_storage-$VERSION-$TARGET
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/nts-cross.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
LD=$GNU-ld OBJCOPY=$GNU-objcopy AR=$GNU-ar CARGO_TARGET_DIR=$CARGO_TARGET_DIR/$TARGET \
  "$ROOT/ffi/install.sh" "$STAGE/$NAME" --no-build
"$GNU-strip" --strip-unneeded "$STAGE/$NAME/lib/libneotalk_storage_ffi.so"
"$GNU-strip" --strip-debug "$STAGE/$NAME/lib/libneotalk_storage_ffi.a"
tar -C "$STAGE" -czf "$OUT/$NAME.tar.gz" "$NAME"
ARTIFACTS=("$STAGE/$NAME/lib/libneotalk_storage_ffi.so" "$STAGE/$NAME/lib/libneotalk_storage_ffi.a")
if [ "$CLI" = 1 ]; then
  "$GNU-strip" -o "$OUT/neotalk-storage" "$CARGO_TARGET_DIR/$TARGET/release/neotalk-storage"
  ARTIFACTS+=("$OUT/neotalk-storage")
fi

# --- Python wheel --------------------------------------------------------------------------
if [ "$WHEEL" = 1 ]; then
  wheel_started=$SECONDS
  rm -f "$OUT"/neotalk_storage-*.whl
  # maturin runs cargo for the target; -Zbuild-std reaches it through cargo's env config.
  if [ "$RUSTUP_ROUTE" = 0 ]; then export CARGO_UNSTABLE_BUILD_STD=std; fi
  (cd "$ROOT/bindings" && "$MATURIN" build --release --target "$TARGET" --out "$OUT")
  unset CARGO_UNSTABLE_BUILD_STD
  echo "maturin build: $((SECONDS - wheel_started)) s"
  wheel=$(ls "$OUT"/neotalk_storage-*.whl)
  case $wheel in
    *"_$WHEEL_ARCH.whl") ;;
    *) echo "cross.sh: $wheel is not tagged for $WHEEL_ARCH" >&2; exit 1 ;;
  esac
  # maturin --strip strips the symbols uniffi-bindgen reads its metadata from ("No UniFFI
  # metadata found"): strip the library inside the built wheel instead, and rewrite RECORD.
  mkdir -p "$STAGE/wheel"
  python3 -m zipfile -e "$wheel" "$STAGE/wheel"
  so=$(cd "$STAGE/wheel" && find . -name '*.so' | head -n1)
  "$GNU-strip" --strip-unneeded "$STAGE/wheel/$so"
  python3 - "$wheel" "$STAGE/wheel" "${so#./}" <<'PY'
import base64, hashlib, pathlib, sys, zipfile
wheel, root, so = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
data = (root / so).read_bytes()
digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
with zipfile.ZipFile(wheel) as z:
    items = [(i, z.read(i)) for i in z.infolist()]
with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
    for info, content in items:
        if info.filename == so:
            content = data
        elif info.filename.endswith(".dist-info/RECORD"):
            rows = [f"{so},sha256={digest},{len(data)}" if r.startswith(so + ",") else r
                    for r in content.decode().splitlines()]
            content = ("\n".join(rows) + "\n").encode()
        z.writestr(info, content, zipfile.ZIP_DEFLATED)
PY
  ARTIFACTS+=("$STAGE/wheel/$so")
fi

# --- the CPU of each binary, and the glibc each needs ---------------------------------------
echo
for f in "${ARTIFACTS[@]}"; do
  desc=$(file -b "$f")
  if [[ $f == *.a ]]; then
    desc=$(cd "$STAGE" && "$GNU-ar" x "$f" && file -b ./*.o && rm -f ./*.o)
  fi
  if ! echo "$desc" | grep -qE "$FILE_ARCH"; then
    echo "cross.sh: $f is not a $TARGET binary: $desc" >&2
    exit 1
  fi
  glibc=-
  if [[ $f != *.a ]]; then
    glibc=$("$GNU-readelf" -V --wide "$f" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n1 || true)
  fi
  printf '%-36s %9s bytes  glibc %-11s %s\n' "$(basename "$f")" "$(stat -c %s "$f")" "${glibc#GLIBC_}" "$desc"
done
echo
ls -l "$OUT"
echo "cross.sh: $TARGET done in $((SECONDS - started)) s"
