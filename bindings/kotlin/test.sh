#!/usr/bin/env bash
# Kotlin/JVM: builds the jar (generated sources + bundled native library), runs the
# kotlin-test/JUnit suite against it (mvn install), then builds and runs examples/kotlin
# against the installed jar. Needs cargo, a JDK (17+) and Maven (Debian: apt-get install
# default-jdk-headless maven); Kotlin and JNA come from Maven Central.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if ! command -v mvn >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q default-jdk-headless maven >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q default-jdk-headless maven >/dev/null; }
fi
"$here/build.sh" install
echo "== examples/kotlin"
(cd "$root/examples/kotlin" && mvn -B -q --no-transfer-progress compile exec:java)
