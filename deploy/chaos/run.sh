#!/usr/bin/env bash
# The fault matrix: runs each failure scenario against real Riata processes on loopback (simulated
# providers in the runner's JVM, Riata nodes as child JVMs from the shaded jar) and writes the
# figures into docs/reliability.md, below its marker line. With --overload, the overload figures
# instead (docs/overload.md).
#
#   deploy/chaos/run.sh [--only id,id,...] [--quick] [--soak 1h] [--out FILE|-]
#   deploy/chaos/run.sh --overload [--only id,id,...] [--quick] [--out FILE|-]
#
#   --only    run these scenarios only: provider-killed, connection-reset, black-hole, http-500,
#             http-429, html-garbage, latency-2s, behind-50, rogue-head, all-down, node-sigkill,
#             sigstop-partition, rolling-restart, slow-subscriber
#   --quick   shorter faults and fewer clients (a few minutes instead of about ten)
#   --soak D  after the matrix, one node under reads for D (90s, 30m, 1h) while p2 cycles through
#             the provider faults; heap after GC, open files and threads sampled every 5 s. Off by default.
#   --overload  the overload figures: slow-provider, brown-out and overload against one node whose
#             providers answer in 20 ms, then saturated (every provider at max_concurrency) against
#             another; about 3 minutes, under 2 with --quick. The scenario ids for --only are those four.
#   --out     where to write (default docs/reliability.md, docs/overload.md with --overload); "-" prints only
#
# Builds the jar and the test classes first (mvn package, which compiles tests without running
# them) and asks Maven for the test classpath; set RIATA_MVN_OPTS=-o to stay offline. Every
# process it starts listens on 127.0.0.1 and is stopped when it ends, also on Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

echo "building the jar and the test classes..." >&2
# shellcheck disable=SC2086
mvn -B -q ${RIATA_MVN_OPTS:-} -DskipTests package \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/chaos.classpath -Dmdep.includeScope=test -pl router-http -am

classpath="router-http/target/test-classes:router-http/target/classes:$(cat router-http/target/chaos.classpath)"
java -cp "$classpath" io.riata.http.chaos.ChaosMatrix --command "deploy/chaos/run.sh${*:+ $*}" "$@" &
runner=$!
# The runner kills its child nodes from a shutdown hook; this makes sure it is told to stop.
trap 'kill "$runner" 2>/dev/null || true; wait "$runner" 2>/dev/null || true' INT TERM
trap 'kill "$runner" 2>/dev/null || true' EXIT
wait "$runner"
