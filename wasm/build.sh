#!/usr/bin/env bash
# Builds neotalk-storage-wasm for wasm32-unknown-unknown (release, size-optimised) in two
# variants and runs wasm-bindgen for Node and the web into wasm/pkg/ (one npm package, see
# pkg/package.json): the default package (node/, web/: the stores the simulator uses) and
# `neotalk-storage-wasm/full` (full/node, full/web: cargo feature `full`, adding ConfigStore,
# VectorStore, LongTermMemoryStore and SessionStore). Then packs pkg/ with `npm pack`
# (pkg/neotalk-storage-wasm-<version>.tgz, the build's artifact) and prints the sizes.
#
# Route: plain `cargo build --target wasm32-unknown-unknown` when rustup has the target
# installed; otherwise Debian's rustc-web 1.96 building std from source (-Zbuild-std), the
# only route that works where rustup cannot download the target (see TOOLCHAIN.md). That
# route also builds with `-Cpanic=immediate-abort -Zlocation-detail=none` (no panic
# formatting or file names: about 14 KB gzipped less; a panic traps either way in wasm).
# wasm-bindgen-cli is installed at the exact version of wasm-bindgen in Cargo.lock.
#
# Environment: WASM_TARGET_DIR (default <repo>/target/wasm32); WASM_OPT (a wasm-opt >= 116;
# default binaryen from npm in wasm/node_modules, `npm ci` when missing; 0 skips it, with a
# warning); WASM_OPT_PASSES (default -O1 --dae-optimizing --converge); WASM_OPT_LEVEL (rustc opt-level, default z).
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

# wasm-opt: binaryen from npm (devDependency of wasm/package.json, installed by `npm ci`);
# Debian 12's binaryen 108 is too old to run on wasm-bindgen's output (it retypes the
# externref table and the module no longer loads). WASM_OPT names another wasm-opt (>= 116);
# WASM_OPT=0 skips it, loudly: the package is then about a third larger.
WASM_OPT_BIN="${WASM_OPT:-$HERE/node_modules/.bin/wasm-opt}"
if [[ "$WASM_OPT_BIN" != 0 ]]; then
    if [[ ! -x "$WASM_OPT_BIN" && "$WASM_OPT_BIN" == "$HERE/node_modules/.bin/wasm-opt" ]]; then
        log "installing binaryen (wasm-opt) with npm ci"
        (cd "$HERE" && npm ci --no-audit --no-fund)
    fi
    opt_version="$("$WASM_OPT_BIN" --version 2>/dev/null | grep -o 'version [0-9]*' | grep -o '[0-9]*' || true)"
    if [[ -z "$opt_version" || "$opt_version" -lt 116 ]]; then
        echo "wasm-opt >= 116 is required ($WASM_OPT_BIN: ${opt_version:-not found}); run npm ci in wasm/, set WASM_OPT to one, or WASM_OPT=0 to skip it" >&2
        exit 1
    fi
else
    log "WARNING: WASM_OPT=0: wasm-opt skipped, the package is not size-optimised"
fi

# wasm-bindgen-cli must match the wasm-bindgen crate exactly (the schema is versioned).
cd "$ROOT"
BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$BINDGEN_VERSION" ]] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $BINDGEN_VERSION" ]]; then
    log "installing wasm-bindgen-cli $BINDGEN_VERSION (takes a few minutes)"
    cargo install wasm-bindgen-cli --version "=$BINDGEN_VERSION"
fi

# Builds the crate with cargo features "$1" and writes its Node and web glue under "$2".
build_variant() {
    local features="$1" out="$2"
    if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
        log "building [$features] with rustup's $TARGET target"
        cargo build --release -p neotalk-storage-wasm --target "$TARGET" --features "$features"
    else
        log "building [$features] with Debian's rustc-web and -Zbuild-std (rustup lacks $TARGET)"
        # rust-web-llvm provides rust-lld but does not depend on lld-22: name both.
        apt_install_missing rustc-web cargo-web rust-web-src rust-web-llvm lld-22
        PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
            CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
            /usr/bin/cargo build -Zbuild-std=std,panic_abort --release -p neotalk-storage-wasm --target "$TARGET" --features "$features"
    fi
    local wasm="$CARGO_TARGET_DIR/$TARGET/release/$CRATE.wasm"
    rm -rf "$out/node" "$out/web"
    mkdir -p "$out"
    for target in nodejs web; do
        wasm-bindgen --target "$target" --out-name "$CRATE" --remove-name-section --remove-producers-section \
            --out-dir "$out/$([[ $target == nodejs ]] && echo node || echo web)" "$wasm"
    done
    # The two targets get the same .wasm (only the glue differs): optimise it once. After
    # wasm-bindgen, so the code it rewrote is optimised too. -O1 because it pays: on this
    # code -Oz and -Os shrink the raw file but grow it gzipped (default package, measured:
    # 345,025 bytes gzipped without wasm-opt, 342,170 with -O1, 382,807 with -Oz). Dead
    # argument elimination run to a fixed point takes 3.4 KB more off the gzipped .wasm
    # (335,673 -> 332,274 bytes at -O1, measured on the camelCase build; -O2 gives 392,486).
    if [[ "$WASM_OPT_BIN" != 0 ]]; then
        # shellcheck disable=SC2086 # WASM_OPT_PASSES is a list of flags
        "$WASM_OPT_BIN" ${WASM_OPT_PASSES:--O1 --dae-optimizing --converge} --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
            --enable-sign-ext --enable-reference-types --enable-multivalue --strip-debug --strip-producers \
            "$out/node/${CRATE}_bg.wasm" -o "$out/node/${CRATE}_bg.wasm"
        cp "$out/node/${CRATE}_bg.wasm" "$out/web/${CRATE}_bg.wasm"
    fi
    # The web build is ES modules; mark its folder so Node and bundlers read it as such.
    echo '{ "type": "module" }' >"$out/web/package.json"
}

rm -rf "$PKG"
# The default package: the stores the simulator uses (see the features in Cargo.toml).
build_variant "" "$PKG"
# `neotalk-storage-wasm/full`: every store, ConfigStore included.
build_variant "full" "$PKG/full"

VERSION="$(awk -F'"' '/^\[workspace.package\]/ { s = 1 } s && /^version/ { print $2; exit }' Cargo.toml)"
cat >"$PKG/package.json" <<JSON
{
  "name": "neotalk-storage-wasm",
  "version": "$VERSION",
  "description": "neotalk-storage (in-memory) as WebAssembly: telemetry, device state, event log, alerts, rule and workflow history, LLM decisions, retention cleanup, portable snapshots; neotalk-storage-wasm/full adds long-term memory, vectors, chat sessions and the YAML config store.",
  "license": "Apache-2.0",
  "main": "./node/$CRATE.js",
  "types": "./node/$CRATE.d.ts",
  "exports": {
    ".": { "types": "./node/$CRATE.d.ts", "default": "./node/$CRATE.js" },
    "./web": { "types": "./web/$CRATE.d.ts", "default": "./web/$CRATE.js" },
    "./full": { "types": "./full/node/$CRATE.d.ts", "default": "./full/node/$CRATE.js" },
    "./full/web": { "types": "./full/web/$CRATE.d.ts", "default": "./full/web/$CRATE.js" }
  },
  "files": ["node/", "web/", "full/"],
  "sideEffects": false
}
JSON

# The build's artifact: the npm tarball (pkg/neotalk-storage-wasm-<version>.tgz).
(cd "$PKG" && npm pack --silent --pack-destination "$PKG" >/dev/null)
TARBALL="$PKG/neotalk-storage-wasm-$VERSION.tgz"
[[ -f "$TARBALL" ]] || { echo "npm pack wrote no $TARBALL" >&2; exit 1; }

gz() { gzip -9 -c "$@" | wc -c; }
echo "bundle sizes (what a browser loads: .wasm + JS glue of the web build):"
for variant in "" full/; do
    w="$PKG/${variant}web/${CRATE}_bg.wasm" j="$PKG/${variant}web/$CRATE.js"
    printf '  %-8s .wasm %9d raw %8d gzip -9 | JS %7d raw %6d gzip -9 | total gzip -9 %8d\n' "${variant:-default}" \
        "$(stat -c %s "$w")" "$(gz "$w")" "$(stat -c %s "$j")" "$(gz "$j")" "$(( $(gz "$w") + $(gz "$j") ))"
done
printf '  tarball  %s %d bytes\n' "${TARBALL#"$HERE"/}" "$(stat -c %s "$TARBALL")"
