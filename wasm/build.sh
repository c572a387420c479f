#!/usr/bin/env bash
# Builds neotalk-storage-wasm for wasm32-unknown-unknown (release, size-optimised) and runs
# wasm-bindgen for Node and the web into wasm/pkg/ (one npm package, see pkg/package.json).
#
# Route: plain `cargo build --target wasm32-unknown-unknown` when rustup has the target
# installed; otherwise Debian's rustc-web 1.96 building std from source (-Zbuild-std), the
# only route that works where rustup cannot download the target (see TOOLCHAIN.md).
# wasm-bindgen-cli is installed at the exact version of wasm-bindgen in Cargo.lock.
#
# Environment: WASM_TARGET_DIR (default <repo>/target/wasm32), WASM_OPT=0 to skip wasm-opt,
# WASM_OPT_LEVEL (rustc opt-level, default z) to trade size for speed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
TARGET=wasm32-unknown-unknown
CRATE=neotalk_storage_wasm
PKG="$HERE/pkg"
export CARGO_TARGET_DIR="${WASM_TARGET_DIR:-$ROOT/target/wasm32}"
export PATH="$HOME/.cargo/bin:$PATH"

# Size-optimised release profile for this build only (the workspace profile serves native).
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${WASM_OPT_LEVEL:-z}"
export CARGO_PROFILE_RELEASE_LTO=true
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_PANIC=abort

log() { printf '==> %s\n' "$*" >&2; }

apt_install_missing() {
    local missing=()
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if ((${#missing[@]})); then
        log "installing apt packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

cd "$ROOT"
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    log "building with rustup's $TARGET target"
    cargo build --release -p neotalk-storage-wasm --target "$TARGET"
else
    log "rustup lacks $TARGET: building with Debian's rustc-web and -Zbuild-std"
    # rust-web-llvm provides rust-lld but does not depend on lld-22: name both.
    apt_install_missing rustc-web cargo-web rust-web-src rust-web-llvm lld-22
    PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
        /usr/bin/cargo build -Zbuild-std=std,panic_abort --release -p neotalk-storage-wasm --target "$TARGET"
fi
WASM="$CARGO_TARGET_DIR/$TARGET/release/$CRATE.wasm"

# wasm-bindgen-cli must match the wasm-bindgen crate exactly (the schema is versioned).
BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$BINDGEN_VERSION" ]] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $BINDGEN_VERSION" ]]; then
    log "installing wasm-bindgen-cli $BINDGEN_VERSION (takes a few minutes)"
    cargo install wasm-bindgen-cli --version "=$BINDGEN_VERSION"
fi

# wasm-opt runs before wasm-bindgen: binaryen 108 (Debian 12) run on wasm-bindgen's output
# retypes its externref table, and the module then fails to instantiate.
INPUT="$WASM"
if [[ "${WASM_OPT:-1}" != 0 ]] && command -v wasm-opt >/dev/null 2>&1; then
    INPUT="${WASM%.wasm}.opt.wasm"
    log "wasm-opt -Oz ($(wasm-opt --version))"
    wasm-opt -Oz "$WASM" -o "$INPUT"
else
    log "wasm-opt not used (not installed or WASM_OPT=0)"
fi

rm -rf "$PKG/node" "$PKG/web"
mkdir -p "$PKG"
for target in nodejs web; do
    out="$PKG/$([[ $target == nodejs ]] && echo node || echo web)"
    wasm-bindgen --target "$target" --out-name "$CRATE" --remove-name-section --remove-producers-section --out-dir "$out" "$INPUT"
done

# The web build is ES modules; mark its folder so Node and bundlers read it as such.
echo '{ "type": "module" }' >"$PKG/web/package.json"

VERSION="$(awk -F'"' '/^\[workspace.package\]/ { s = 1 } s && /^version/ { print $2; exit }' Cargo.toml)"
cat >"$PKG/package.json" <<JSON
{
  "name": "neotalk-storage-wasm",
  "version": "$VERSION",
  "description": "neotalk-storage (in-memory) as WebAssembly: telemetry, device state, event log, alerts, rule and workflow history, LLM decisions, long-term memory, vectors, sessions, config and retention cleanup, portable snapshots.",
  "license": "Apache-2.0",
  "main": "./node/$CRATE.js",
  "types": "./node/$CRATE.d.ts",
  "exports": {
    ".": { "types": "./node/$CRATE.d.ts", "default": "./node/$CRATE.js" },
    "./web": { "types": "./web/$CRATE.d.ts", "default": "./web/$CRATE.js" }
  },
  "files": ["node/", "web/"],
  "sideEffects": false
}
JSON

size_line() {
    printf '%-44s %9d bytes raw %9d bytes gzip -9\n' "${1#$HERE/}" "$(stat -c %s "$1")" "$(gzip -9 -c "$1" | wc -c)"
}
echo "bundle sizes:"
for f in "$PKG/web/${CRATE}_bg.wasm" "$PKG/web/$CRATE.js" "$PKG/node/${CRATE}_bg.wasm" "$PKG/node/$CRATE.js"; do
    size_line "$f"
done
