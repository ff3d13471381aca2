#!/usr/bin/env bash
# Measures what Riata adds to a request, next to nginx doing the same proxying job.
#   deploy/bench/run.sh [duration-seconds]   (default 15)
# Installs nginx and wrk from Debian if missing (needs root or sudo), starts a fixed-answer
# "provider" and an nginx proxy on loopback, starts Riata on port 18603, and runs wrk against
# all three at 1 and 64 connections. Prints a markdown table; stops everything it started.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${1:-15}
work=/tmp/riata-bench
mkdir -p "$work"

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
if ! need nginx || ! need wrk; then
  echo "installing nginx and wrk from Debian..." >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq nginx wrk >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -n "${riata_pid:-}" ] && kill "$riata_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

"$nginx_bin" -c "$here/nginx.conf" -p "$work"

jar="$root/router-http/target/riata.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
RIATA_PORT=18603 RIATA_CLUSTER_PORT=0 RIATA_ADMIN_PORT=0 java -Xms512m -Xmx512m \
  -jar "$jar" "$here/chains.yml" >"$work/riata.log" 2>&1 &
riata_pid=$!
for _ in $(seq 1 150); do
  curl -fs "http://127.0.0.1:18603/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:18603/ready" >/dev/null || { echo "Riata did not become ready; see $work/riata.log" >&2; exit 1; }

declare -A url=(
  [direct]="http://127.0.0.1:18601/"
  [nginx]="http://127.0.0.1:18602/"
  [riata]="http://127.0.0.1:18603/rpc/bench"
)
# Warm-up: JIT for Riata, connection pools for both proxies.
for target in nginx riata; do
  wrk -t2 -c64 -d5s -s "$here/post.lua" "${url[$target]}" >/dev/null
done

rows="| target | connections | requests/s | p50 | p90 | p99 |"$'\n'"|---|---|---|---|---|---|"
for connections in 1 64; do
  threads=$(( connections < 2 ? 1 : 2 ))
  for target in direct nginx riata; do
    echo "wrk: $target, $connections connection(s), ${duration}s..." >&2
    out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$here/post.lua" "${url[$target]}")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p90=$(awk '$1=="90%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr -s ' ' | paste -sd ';' - || true)
    rows+=$'\n'"| $target | $connections | $rps | $p50 | $p90 | $p99${errors:+ ($errors)} |"
  done
done
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$riata_pid/status")
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
machine="$(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r)"
versions="$(java -version 2>&1 | head -1), $("$nginx_bin" -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | awk '{print $1" "$2}' || true)"
section="Command: \`deploy/bench/run.sh $duration\` on $(date -u +%Y-%m-%d).
Machine: $machine. $versions.
wrk, the provider, nginx and Riata (JVM heap 512 MiB) share these cores.

$rows

Riata's resident memory after the run: $(( rss_kib / 1024 )) MiB."
echo "$section"

doc="$root/docs/benchmarks.md"
if [ -f "$doc" ] && grep -q '<!-- bench:begin -->' "$doc"; then
  python3 - "$doc" "$section" <<'PY'
import sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
head, rest = text.split("<!-- bench:begin -->", 1)
_, tail = rest.split("<!-- bench:end -->", 1)
open(path, "w").write(head + "<!-- bench:begin -->\n" + section + "\n<!-- bench:end -->" + tail)
PY
  echo "written to $doc" >&2
else
  echo "no <!-- bench:begin --> marker in $doc; table printed above only" >&2
fi
