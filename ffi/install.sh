#!/usr/bin/env bash
# Builds the C library and installs it under PREFIX so C/C++ projects can consume it:
#   PREFIX/include/neotalk_storage.h
#   PREFIX/lib/libneotalk_storage_ffi.{a,so}
#   PREFIX/lib/pkgconfig/neotalk_storage.pc                  (pkg-config neotalk_storage: shared)
#   PREFIX/lib/pkgconfig/neotalk_storage_static.pc           (pkg-config neotalk_storage_static)
#   PREFIX/lib/cmake/neotalk_storage/neotalk_storageConfig*.cmake  (find_package(neotalk_storage))
#
# The static archive is rewritten so that it defines only the nts_* symbols (see
# localize_archive below); the shared library exports only them already (rustc's cdylib).
#
# Usage: ffi/install.sh PREFIX [--debug] [--no-build]
#   --debug     install the debug build (tests); default is the release build
#   --no-build  install what is already built
set -euo pipefail

usage() { echo "usage: $0 PREFIX [--debug] [--no-build]" >&2; exit 2; }
[ $# -ge 1 ] || usage
PREFIX=$1; shift
PROFILE=release
BUILD=1
for arg in "$@"; do
  case $arg in
    --debug) PROFILE=debug ;;
    --no-build) BUILD=0 ;;
    *) usage ;;
  esac
done

FFI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$FFI_DIR")
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
LIB_DIR=$TARGET_DIR/$PROFILE

if [ "$BUILD" = 1 ]; then
  flags=()
  [ "$PROFILE" = release ] && flags+=(--release)
  (cd "$ROOT" && cargo build -p neotalk-storage-ffi "${flags[@]}")
fi
for f in libneotalk_storage_ffi.a libneotalk_storage_ffi.so; do
  [ -f "$LIB_DIR/$f" ] || { echo "missing $LIB_DIR/$f (build first or drop --no-build)" >&2; exit 1; }
done

# The workspace version ([workspace.package] version = "X.Y.Z").
VERSION=$(sed -n 's/^version *= *"\([0-9][0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml" | head -n1)
[ -n "$VERSION" ] || { echo "cannot read the version from $ROOT/Cargo.toml" >&2; exit 1; }
VERSION_MAJOR=${VERSION%%.*}
rest=${VERSION#*.}
VERSION_MINOR=${rest%%.*}

# A Rust staticlib defines every symbol of std and of each dependency globally, so a C program
# linking it with another Rust library (or its own `memchr`, ...) could clash. Link the
# archive's members into one relocatable object (their references to each other resolved
# inside it), make every global but nts_* local, and archive that object alone. The LLVM
# bitcode sections are dropped: C linkers do not use them, and binutils' LLVM plugin
# misreads the merged object. LD, OBJCOPY and AR may name a cross toolchain's tools.
localize_archive() {
  local in=$1 out=$2 work
  work=$(mktemp -d "${TMPDIR:-/tmp}/nts-localize.XXXXXX")
  "${LD:-ld}" -r --whole-archive "$in" -o "$work/neotalk_storage.o"
  "${OBJCOPY:-objcopy}" --wildcard --keep-global-symbol='nts_*' \
    --remove-section=.llvmbc --remove-section=.llvmcmd --remove-section=.llvm_addrsig \
    "$work/neotalk_storage.o"
  rm -f "$out"
  "${AR:-ar}" rcs "$out" "$work/neotalk_storage.o"
  rm -rf "$work"
}

mkdir -p "$PREFIX/include" "$PREFIX/lib/pkgconfig" "$PREFIX/lib/cmake/neotalk_storage"
install -m 0644 "$FFI_DIR/include/neotalk_storage.h" "$PREFIX/include/"
localize_archive "$LIB_DIR/libneotalk_storage_ffi.a" "$PREFIX/lib/libneotalk_storage_ffi.a"
chmod 0644 "$PREFIX/lib/libneotalk_storage_ffi.a"
install -m 0755 "$LIB_DIR/libneotalk_storage_ffi.so" "$PREFIX/lib/"
for pc in neotalk_storage neotalk_storage_static; do
  sed "s/@VERSION@/$VERSION/g" "$FFI_DIR/pkgconfig/$pc.pc.in" > "$PREFIX/lib/pkgconfig/$pc.pc"
done
install -m 0644 "$FFI_DIR/cmake/neotalk_storageConfig.cmake" "$PREFIX/lib/cmake/neotalk_storage/"
sed -e "s/@VERSION@/$VERSION/g" -e "s/@VERSION_MAJOR@/$VERSION_MAJOR/g" -e "s/@VERSION_MINOR@/$VERSION_MINOR/g" \
  "$FFI_DIR/cmake/neotalk_storageConfigVersion.cmake.in" > "$PREFIX/lib/cmake/neotalk_storage/neotalk_storageConfigVersion.cmake"
echo "installed neotalk_storage $VERSION ($PROFILE) into $PREFIX"
