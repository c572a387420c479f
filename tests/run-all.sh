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

# The replication tests start private PostgreSQL clusters (replicate/tests/support/pg.rs):
# they need the Debian server package, not only the client.
step "PostgreSQL server for the replication tests"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q postgresql >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
fi
ls /usr/lib/postgresql/*/bin/initdb

step "Rust hygiene: rustfmt"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all -- --check

# Clippy lints the workspace while the test build compiles it: clippy-driver as cargo's
# workspace wrapper is what `cargo clippy` runs, here with code generation, so one build
# serves both instead of a separate check build of every dependency (about 4 minutes cold).
# CLIPPY_ARGS carries clippy's arguments (`cargo clippy -- -D warnings`) the way cargo-clippy
# passes them; lint_gate proves they still take effect with this toolchain's clippy.
CLIPPY_DRIVER=$(rustup which clippy-driver)
CLIPPY_DENY=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
lint_gate() {
    local dir out status=0
    dir=$(mktemp -d)
    printf 'pub fn f(v: &[u8]) -> bool { v.len() == 0 }\n' >"$dir/lib.rs"
    out=$(CLIPPY_ARGS=$CLIPPY_DENY "$CLIPPY_DRIVER" "$(rustup which rustc)" --crate-type lib --edition 2021 \
        --out-dir "$dir" "$dir/lib.rs" 2>&1) || status=$?
    rm -rf "$dir"
    if [ "$status" = 0 ] || ! grep -q 'error: length comparison to zero' <<<"$out"; then
        printf 'clippy-driver did not refuse a known lint with CLIPPY_ARGS=%s: fix tests/run-all.sh\n%s\n' "$CLIPPY_DENY" "$out" >&2
        return 1
    fi
}
lint_gate
LINTED=(env "RUSTC_WORKSPACE_WRAPPER=$CLIPPY_DRIVER" "CLIPPY_ARGS=$CLIPPY_DENY")

step "Rust with clippy (warnings are errors): core, CLI, bindings crates, benches and examples (unit, integration, property, crash, stress, model and doc tests)"
# The criterion benches are built (debug, as tests) and linted here, not run (`cargo bench`).
"${LINTED[@]}" cargo test --workspace --all-features --benches --no-run
"${LINTED[@]}" cargo test --workspace --all-features
# cargo test built the examples: run the quickstart's binary, not `cargo run -p`, whose
# narrower selection would build the core once more.
"${CARGO_TARGET_DIR:-$root/target}/debug/examples/quickstart" >/dev/null

step "CLI demo"
# Debug builds of a binary for the suites select it with --bin from the workspace root, not
# with -p, as maturin does for uniffi-bindgen (`cargo run --bin uniffi-bindgen`): cargo
# resolves dependency features over the packages selected together, so builds that select
# alike share their dependency artifacts (the Kotlin suite reuses the Python suite's two
# builds this way, bindings/kotlin/build.sh) instead of rebuilding them.
demo_dir=$(mktemp -d)
trap 'rm -rf "$demo_dir"' EXIT
cargo run -q --bin neotalk-storage -- demo --dir "$demo_dir" --devices 6 --minutes 5 | tail -n 3

# The ARM leg (issue #21): cross-builds the C library and the CLI for aarch64 and runs under
# qemu-aarch64 the core's library tests, the C test and the conformance cases through the
# cross-built library (every store), the CLI demo and the database files across CPUs. The
# core's integration tests under qemu (a second release build of the core and its tests,
# about 10 minutes) run in tests/reliability.sh, with the armv7 (32-bit) leg.
step "tests/cross-arm.sh aarch64-unknown-linux-gnu --core-lib-only (qemu)"
bash "$root/tests/cross-arm.sh" aarch64-unknown-linux-gnu --core-lib-only

# Each suite script installs what it needs and exits non-zero on any failure.
for suite in ffi/test.sh bindings/test.sh bindings/kotlin/test.sh wasm/test.sh replicate/test.sh; do
    step "$suite"
    bash "$root/$suite"
done

# The crash (100 SIGKILL rounds), stress and model tests ran with the Rust tests above;
# tests/reliability.sh repeats them with longer settings and fuzzes every target
# (fuzz/run.sh). Here: every committed fuzz seed through its target's check, in an ordinary
# debug build that shares target/ (no libFuzzer, no nightly toolchain).
step "fuzz seeds (fuzz/seeds through every target)"
(cd "$root/fuzz" && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" cargo test -q --lib --no-default-features)

step "all suites passed"
