#!/usr/bin/env bash
# JMH microbenchmarks of the request engine (router-core, no wire): selection, admission, and one
# request through the engine with a transport that answers at once. Extra arguments go to JMH,
# e.g. `deploy/bench/engine.sh -f 2` or `deploy/bench/engine.sh 'EngineBench.selection'`.
#   deploy/bench/engine.sh
# Prints JMH's table with the gc profiler's bytes allocated per operation (gc.alloc.rate.norm).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -pl router-core test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
java -cp "router-core/target/test-classes:router-core/target/classes:$(cat "$cp_file")" \
  org.openjdk.jmh.Main -prof gc "${@:-EngineBench}"
