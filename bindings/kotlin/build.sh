#!/usr/bin/env bash
# Builds the native library, generates the Kotlin sources into target/generated-sources/uniffi
# and stages the library as a JNA resource; then runs Maven with the given goals
# (default: install, which runs the test suite and puts the jar in the local repository).
# Env: BUILD_PROFILE=release for an optimized library (default: debug); CARGO_TARGET_DIR is honoured.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
profile="${BUILD_PROFILE:-debug}"
flag=()
[ "$profile" = release ] && flag=(--release)

# The same two selections as maturin (the library alone, then the bindgen by --bin from the
# workspace root), so that after the Python suite nothing is rebuilt: cargo resolves
# dependency features over the packages selected together.
(cd "$root" && cargo build "${flag[@]}" -p neotalk-storage-uniffi && cargo build "${flag[@]}" --bin uniffi-bindgen)
# cargo's output directory: CARGO_TARGET_DIR if set (relative to the workspace root, as cargo takes it)
target="$(cd "$root" && cd "${CARGO_TARGET_DIR:-target}" && pwd)"
lib="$target/$profile/libneotalk_storage_uniffi.so"
rm -rf "$here/target/generated-sources/uniffi" "$here/target/native"
"$target/$profile/uniffi-bindgen" generate --library "$lib" --language kotlin --no-format \
    --config "$here/uniffi.toml" --out-dir "$here/target/generated-sources/uniffi"
mkdir -p "$here/target/native/linux-x86-64"
cp "$lib" "$here/target/native/linux-x86-64/"
(cd "$here" && mvn -B --no-transfer-progress "${@:-install}")
