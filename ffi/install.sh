#!/usr/bin/env bash
# Builds the C library and installs it under PREFIX so C/C++ projects can consume it:
#   PREFIX/include/neotalk_storage.h
#   PREFIX/lib/libneotalk_storage_ffi.{a,so}
#   PREFIX/lib/pkgconfig/neotalk_storage.pc                  (pkg-config neotalk_storage)
#   PREFIX/lib/cmake/neotalk_storage/neotalk_storageConfig*.cmake  (find_package(neotalk_storage))
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

mkdir -p "$PREFIX/include" "$PREFIX/lib/pkgconfig" "$PREFIX/lib/cmake/neotalk_storage"
install -m 0644 "$FFI_DIR/include/neotalk_storage.h" "$PREFIX/include/"
install -m 0644 "$LIB_DIR/libneotalk_storage_ffi.a" "$PREFIX/lib/"
install -m 0755 "$LIB_DIR/libneotalk_storage_ffi.so" "$PREFIX/lib/"
sed "s/@VERSION@/$VERSION/g" "$FFI_DIR/pkgconfig/neotalk_storage.pc.in" > "$PREFIX/lib/pkgconfig/neotalk_storage.pc"
install -m 0644 "$FFI_DIR/cmake/neotalk_storageConfig.cmake" "$PREFIX/lib/cmake/neotalk_storage/"
sed -e "s/@VERSION@/$VERSION/g" -e "s/@VERSION_MAJOR@/$VERSION_MAJOR/g" -e "s/@VERSION_MINOR@/$VERSION_MINOR/g" \
  "$FFI_DIR/cmake/neotalk_storageConfigVersion.cmake.in" > "$PREFIX/lib/cmake/neotalk_storage/neotalk_storageConfigVersion.cmake"
echo "installed neotalk_storage $VERSION ($PROFILE) into $PREFIX"
