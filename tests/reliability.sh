#!/usr/bin/env bash
# Reliability suite of issue #9 (core): crash test (SIGKILL rounds), concurrency stress
# test, model-based tests, and a short fuzz run of every target.
#
#   tests/reliability.sh                      # the default settings
#   NTS_CRASH_ROUNDS=10000 NTS_STRESS_SECS=600 PROPTEST_CASES=5000 NTS_FLIP_TRIALS=5000 NTS_POWER_CUTS=10000 NTS_FUZZ_SECS=3600 tests/reliability.sh
#                                             # the long run
#
# Knobs: NTS_CRASH_ROUNDS (default 100), NTS_STRESS_SECS per backend (default 3),
# NTS_FLIP_TRIALS for the byte-flip campaign (default 200), NTS_POWER_CUTS for the
# simulated power cuts (default 200),
# PROPTEST_CASES for the model tests (default 256), NTS_FUZZ_SECS per fuzz target
# (default 10; 0 skips fuzzing), NTS_CROSS_ARM=0 skips the aarch64 and armv7 legs under qemu
# with every core test (tests/cross-arm.sh: cross build, core and C tests, demo, files across
# CPUs; about 10-16 min each cold, under 3 min when nothing needs rebuilding).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
    echo "cargo not found: install Rust with rustup (https://rustup.rs)" >&2
    exit 1
fi

echo "=== crash test (${NTS_CRASH_ROUNDS:-100} rounds) ==="
cargo test -p neotalk-storage --test integration -- crash::crash_recovery --nocapture
echo "=== concurrency stress test (${NTS_STRESS_SECS:-3} s per backend) ==="
cargo test -p neotalk-storage --test integration -- stress:: --nocapture --test-threads=1
echo "=== power cuts (${NTS_POWER_CUTS:-200}) ==="
cargo test -p neotalk-storage --features fuzzing --test integration -- power_loss:: --nocapture
echo "=== byte flips (${NTS_FLIP_TRIALS:-200} trials) ==="
NTS_FLIP_SEED="${NTS_FLIP_SEED:-random}" cargo test -p neotalk-storage --test integration -- byte_flips:: --nocapture
echo "=== model-based tests (${PROPTEST_CASES:-256} cases) ==="
cargo test -p neotalk-storage --test integration -- model::

if [ "${NTS_CROSS_ARM:-1}" != 0 ]; then
    echo "=== aarch64 leg with every core test under qemu-aarch64: tests/cross-arm.sh aarch64-unknown-linux-gnu ==="
    bash tests/cross-arm.sh aarch64-unknown-linux-gnu
    echo "=== armv7 (32-bit) leg under qemu-arm: tests/cross-arm.sh armv7-unknown-linux-gnueabihf ==="
    bash tests/cross-arm.sh armv7-unknown-linux-gnueabihf
fi

if [ "${NTS_FUZZ_SECS:-10}" != 0 ]; then
    echo "=== fuzzing (${NTS_FUZZ_SECS:-10} s per target) ==="
    fuzz/run.sh "${NTS_FUZZ_SECS:-10}"
fi
echo "reliability: all passed"
