#!/usr/bin/env bash
# Runs every fuzz target for N seconds each (default 10) and prints executions per target.
#
#   fuzz/run.sh            # 10 s per target (the short run of the test command)
#   fuzz/run.sh 3600       # the longer run: one hour per target
#   fuzz/run.sh 60 open_file   # one target
#   NTS_FUZZ_PARALLEL=1 fuzz/run.sh 3600   # every target at once (they share the cores)
#
# Installs cargo-fuzz when missing. Compiler: rustup's nightly with AddressSanitizer when it
# is installed (or can be); otherwise the stable compiler with RUSTC_BOOTSTRAP=1 and no
# sanitizer (coverage-guided libFuzzer still runs; the core crate has no unsafe code).
# New corpus entries go to fuzz/corpus/<target> (not committed); the committed seeds are in
# fuzz/seeds/<target>. A crash leaves its input in fuzz/artifacts/<target>/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-10}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(key_codec point_codec chunk_codec json_records open_file c_api_json)

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2
fi
# libFuzzer is built from C++ source by libfuzzer-sys.
if ! command -v c++ >/dev/null; then
    apt-get update && apt-get install -y --no-install-recommends g++
fi

toolchain=()
sanitizer=(--sanitizer none)
if rustup toolchain list 2>/dev/null | grep -q '^nightly' \
    || timeout 300 rustup toolchain install nightly --profile minimal >/dev/null 2>&1; then
    toolchain=(+nightly)
    sanitizer=()
    [ -n "${NTS_FUZZ_NO_ASAN:-}" ] && sanitizer=(--sanitizer none)
else
    export RUSTC_BOOTSTRAP=1
fi
echo "fuzz: ${toolchain[*]:-stable (RUSTC_BOOTSTRAP=1)} ${sanitizer[*]:-address sanitizer}, $secs s per target"

# Runs one target for $secs seconds; prints its line and returns non-zero on a crash.
fuzz_one() {
    local t=$1 log
    mkdir -p "corpus/$t" "seeds/$t"
    log=$(mktemp)
    # -rss_limit_mb: a bad input must not make the store use more than this.
    if cargo "${toolchain[@]}" fuzz run "${sanitizer[@]}" "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        echo "fuzz $t: ok, $execs executions in $secs s"
        rm -f "$log"
    else
        echo "fuzz $t: FAILED (last lines of the log below; input in fuzz/artifacts/$t/)"
        grep -v "^\s*\[" "$log" | tail -n 40 | cut -c1-300
        rm -f "$log"
        return 1
    fi
}

status=0
if [ -n "${NTS_FUZZ_PARALLEL:-}" ]; then
    # Build first, one target at a time (cargo locks the target directory anyway).
    for t in "${targets[@]}"; do
        cargo "${toolchain[@]}" fuzz build "${sanitizer[@]}" "$t" >/dev/null
    done
    pids=()
    for t in "${targets[@]}"; do
        fuzz_one "$t" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || status=1
    done
else
    for t in "${targets[@]}"; do
        fuzz_one "$t" || status=1
    done
fi
exit $status
