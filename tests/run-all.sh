#!/usr/bin/env bash
# The one test command (README "Run all tests"): installs what a fresh Debian 12 build
# machine lacks, then runs every suite. Each binding folder brings its own test.sh, which
# installs its own tools; this script runs every one that exists.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$SECONDS

step() { printf '\n=== %s (%ss) ===\n' "$*" "$((SECONDS - started))"; }

step "toolchain"
if ! command -v cargo >/dev/null; then
    echo "cargo not found: install Rust with rustup (https://rustup.rs)" >&2
    exit 1
fi
cargo --version

step "Rust: core, CLI and examples (unit, integration, property and doc tests)"
cargo test --workspace --all-features
cargo run -q -p neotalk-storage --example quickstart >/dev/null

step "CLI demo"
demo_dir=$(mktemp -d)
trap 'rm -rf "$demo_dir"' EXIT
cargo run -q -p neotalk-storage-cli -- demo --dir "$demo_dir" --devices 6 --minutes 5 | tail -n 3

# Each suite script installs what it needs and exits non-zero on any failure.
for suite in ffi/test.sh bindings/test.sh bindings/kotlin/test.sh wasm/test.sh tests/reliability.sh; do
    if [ -f "$root/$suite" ]; then
        step "$suite"
        bash "$root/$suite"
    fi
done

step "all suites passed"
