#!/usr/bin/env bash
# One Riata node versus a cluster of three, at the same total load, on this machine.
#   deploy/bench/cluster.sh [duration-seconds]   (default 15)
# The fixed-answer provider of nginx.conf stands behind both. One node: 64 wrk connections to it.
# Three nodes (deploy/local-cluster, HTTP 8545-8547): 3 wrk processes of 21 connections, one per
# node. Writes the table between the cluster markers of docs/benchmarks.md; stops what it started.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${1:-15}
work=/tmp/riata-bench
mkdir -p "$work"
command -v wrk >/dev/null && [ -x /usr/sbin/nginx ] || { echo "run deploy/bench/run.sh first (installs nginx and wrk)" >&2; exit 1; }

cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -n "${single:-}" ] && kill "$single" 2>/dev/null || true
  "$root/deploy/local-cluster" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
/usr/sbin/nginx -c "$here/nginx.conf" -p "$work"
jar="$root/router-http/target/riata.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package)

# The largest of wrk's latency percentiles q over several outputs, in ms (wrk mixes us, ms and s).
worst='$1==q { v=$2; f=1; if (v ~ /us$/) f=0.001; else if (v ~ /ms$/) f=1; else if (v ~ /s$/) f=1000;
  sub(/[a-z]+$/, "", v); v=v*f; if (v>m) m=v } END { printf "%.2fms", m }'

wrk_row() { # label, then "port connections" pairs
  local label=$1; shift
  local pids=() outs=()
  while [ $# -gt 0 ]; do
    local out="$work/wrk-$1.out"
    wrk -t1 -c"$2" -d"${duration}s" --latency -s "$here/post.lua" "http://127.0.0.1:$1/rpc/bench" >"$out" &
    pids+=($!); outs+=("$out"); shift 2
  done
  wait "${pids[@]}"
  local rps p50 p99
  rps=$(cat "${outs[@]}" | awk '/Requests\/sec/ {s += $2} END {printf "%.0f", s}')
  p50=$(cat "${outs[@]}" | awk -v q="50%" "$worst")
  p99=$(cat "${outs[@]}" | awk -v q="99%" "$worst")
  echo "| $label | $rps | $p50 | $p99 |"
}

rows="| setup (64 connections in all) | requests/s | p50 (worst node) | p99 (worst node) |"$'\n'"|---|---|---|---|"
RIATA_PORT=18603 RIATA_CLUSTER_PORT=0 RIATA_ADMIN_PORT=0 java -Xmx512m -jar "$jar" "$here/chains.yml" >"$work/single.log" 2>&1 &
single=$!
for _ in $(seq 1 150); do curl -fs http://127.0.0.1:18603/ready >/dev/null 2>&1 && break; sleep 0.2; done
wrk -t2 -c64 -d"${duration}s" -s "$here/post.lua" http://127.0.0.1:18603/rpc/bench >/dev/null # JIT warm-up
echo "one node..." >&2
rows+=$'\n'"$(wrk_row "one node" 18603 64)"
kill "$single"; wait "$single" 2>/dev/null || true; single=""

RIATA_JAVA_OPTS="-Xmx512m" "$root/deploy/local-cluster" start "$here/chains.yml" >&2
for port in 8545 8546 8547; do
  wrk -t1 -c21 -d"${duration}s" -s "$here/post.lua" "http://127.0.0.1:$port/rpc/bench" >/dev/null
done
echo "three nodes..." >&2
rows+=$'\n'"$(wrk_row "three nodes" 8545 21 8546 21 8547 22)"

section="Command: \`deploy/bench/cluster.sh $duration\` on $(date -u +%Y-%m-%d), $(nproc) cores.

$rows"
echo "$section"
doc="$root/docs/benchmarks.md"
python3 - "$doc" "$section" <<'PY'
import sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
if "<!-- cluster:begin -->" not in text:
    print("no <!-- cluster:begin --> marker in " + path, file=sys.stderr)
    sys.exit(0)
head, rest = text.split("<!-- cluster:begin -->", 1)
_, tail = rest.split("<!-- cluster:end -->", 1)
open(path, "w").write(head + "<!-- cluster:begin -->\n" + section + "\n<!-- cluster:end -->" + tail)
PY
