#!/usr/bin/env bash
# Entry point of the wasm layer: installs what is missing (Debian packages, wasm-bindgen-cli
# at the locked version, npm dependencies), builds wasm/pkg with build.sh and the native
# snapshot tool and the CLI (debug), then runs the Node tests of the package (snapshots
# crossing between the native and wasm builds included, and tests/conformance.test.mjs: the
# shared conformance cases of tests/conformance/cases/*.json) and the browser tests of the
# simulator page (the second opens a backup the CLI takes in that test). Exits non-zero on
# any failure. Expects Debian 12 as root with node >= 20 and npm.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

log() { printf '==> %s\n' "$*" >&2; }

command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are required" >&2; exit 1; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || { echo "node >= 20 is required" >&2; exit 1; }

# Chromium for the browser test. (wasm-opt is binaryen from npm, installed by `npm ci` below
# and checked by build.sh; Debian 12's binaryen 108 is too old for wasm-bindgen's output.
# build.sh installs the Rust packages.)
missing=()
for p in chromium; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing apt packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

log "npm ci"
npm ci --no-audit --no-fund

log "building wasm/pkg"
bash "$HERE/build.sh"

# The native half of the cross-build snapshot test (tests/snapshot.test.mjs): a debug build
# of examples/native_snapshot.rs, run by the Node test for native -> wasm and wasm -> native.
log "native snapshot tool"
ROOT="$(dirname "$HERE")"
(cd "$ROOT" && PATH="$HOME/.cargo/bin:$PATH" cargo build -q -p neotalk-storage-wasm --example native_snapshot)
export NEOTALK_SNAPSHOT_TOOL="${CARGO_TARGET_DIR:-$ROOT/target}/debug/examples/native_snapshot"
# The gateway CLI, whose `backup` the second browser test opens in the page.
log "CLI (debug)"
(cd "$ROOT" && PATH="$HOME/.cargo/bin:$PATH" cargo build -q --bin neotalk-storage) # --bin: see tests/run-all.sh
export NEOTALK_CLI="${CARGO_TARGET_DIR:-$ROOT/target}/debug/neotalk-storage"

log "Node tests of the package"
node --test tests/*.test.mjs

log "browser tests of the simulator"
# One after the other: the first measures frame times, a second Chromium would skew them.
node --test tests/browser/simulator.browser.mjs
node --test tests/browser/persistence.browser.mjs
