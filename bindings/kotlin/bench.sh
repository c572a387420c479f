#!/usr/bin/env bash
# Kotlin benchmark: release native library into the jar (tests skipped), then
# examples/kotlin/src/main/kotlin/Bench.kt. Arguments: [points] [per-record points] [range].
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
BUILD_PROFILE=release "$here/build.sh" install -q -DskipTests
cd "$root/examples/kotlin"
mvn -B -q --no-transfer-progress compile exec:java -Dmain=io.neotalk.examples.BenchKt -Dexec.args="$*"
