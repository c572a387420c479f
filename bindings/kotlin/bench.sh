#!/usr/bin/env bash
# Kotlin benchmark: release native library into the jar (tests skipped), then
# examples/kotlin/src/main/kotlin/Bench.kt. Arguments: [points] [per-record points] [range].
# With `reads` first: ReadsBench.kt instead (record-returning reads beside sqlite-jdbc, the
# workloads of bench/python/reads.py); its arguments: [--points N] [--events N] [--alerts N]
# [--calls N] [--rounds N] [--warmup-ms N]. JVM flags go in MAVEN_OPTS (exec:java runs in Maven's JVM).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
BUILD_PROFILE=release "$here/build.sh" install -q -DskipTests
main=io.neotalk.examples.BenchKt
if [ "${1:-}" = reads ]; then main=io.neotalk.examples.ReadsBenchKt; shift; fi
cd "$root/examples/kotlin"
mvn -B -q --no-transfer-progress compile exec:java -Dmain="$main" -Dexec.args="$*"
