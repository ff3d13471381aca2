#!/usr/bin/env bash
# Measures what Riata adds to a request, next to nginx doing the same proxying job, in one run.
#   deploy/bench/run.sh [duration-seconds]   (default 15)
# Installs nginx and wrk from Debian if missing (needs root or sudo), starts a fixed-answer
# "provider" and an nginx proxy on loopback, starts Riata (-Xmx256m) on port 18603 with its
# operator port on 18680, and runs wrk against all three at 1 and 64 connections, then a batch of
# 100 calls through nginx and Riata at 8 connections. Reads the bytes Riata's event loops allocated per request
# (/admin/diagnostics/threads) and splits a JFR profile of a 64-connection run into Riata's own
# code and the rest. Prints a markdown section (and writes it into docs/benchmarks.md between the
# bench markers); stops everything it started.
# With RIATA_BEFORE_JAR=/path/to/an/older/riata.jar the older build runs beside it (port 18604)
# under the same load, for a before/after comparison in one run (its rows say "riata before").
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
  [ -n "${before_pid:-}" ] && kill "$before_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null && sleep 0.5 || true
"$nginx_bin" -c "$here/nginx.conf" -p "$work"

jar="$root/router-http/target/riata.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
RIATA_PORT=18603 RIATA_CLUSTER_PORT=0 RIATA_ADMIN_PORT=18680 java -Xms256m -Xmx256m \
  -jar "$jar" "$here/chains.yml" >"$work/riata.log" 2>&1 &
riata_pid=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:18603/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:18603/ready" >/dev/null || { echo "Riata did not become ready; see $work/riata.log" >&2; exit 1; }
before_jar=${RIATA_BEFORE_JAR:-}
if [ -n "$before_jar" ]; then
  RIATA_PORT=18604 RIATA_CLUSTER_PORT=0 RIATA_ADMIN_PORT=18681 java -Xms256m -Xmx256m \
    -jar "$before_jar" "$here/chains.yml" >"$work/riata-before.log" 2>&1 &
  before_pid=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:18604/ready" >/dev/null 2>&1 && break
    sleep 0.2
  done
fi

declare -A url=(
  [direct]="http://127.0.0.1:18601/"
  [nginx]="http://127.0.0.1:18602/"
  [riata]="http://127.0.0.1:18603/rpc/bench"
  [before]="http://127.0.0.1:18604/rpc/bench"
)
targets="direct nginx riata"
[ -n "$before_jar" ] && targets="$targets before"
warm="nginx riata"
[ -n "$before_jar" ] && warm="$warm before"
# Warm-up: JIT for Riata, connection pools for both proxies.
for target in $warm; do
  wrk -t2 -c64 -d5s -s "$here/post.lua" "${url[$target]}" >/dev/null
  wrk -t1 -c1 -d2s -s "$here/post.lua" "${url[$target]}" >/dev/null
done

declare -A rps p50 p99 batch_calls
threads_allocated() {
  curl -fs "http://127.0.0.1:18680/admin/diagnostics/threads" | python3 -c 'import json,sys; print(json.load(sys.stdin)["allocatedBytes"])'
}
to_us() { # wrk's 17.00us / 1.23ms / 2.00s to microseconds
  python3 -c 'import sys,re; v=sys.argv[1]; m=re.match(r"([\d.]+)(us|ms|s)$", v); print(float(m.group(1))*{"us":1,"ms":1e3,"s":1e6}[m.group(2)])' "$1"
}
rows="| target | connections | requests/s | p50 | p90 | p99 |"$'\n'"|---|---|---|---|---|---|"
run() { # target connections script label
  local target=$1 connections=$2 script=$3 label=$4
  local threads=$(( connections < 2 ? 1 : 2 ))
  echo "wrk: $label, $connections connection(s), ${duration}s..." >&2
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$script" "${url[$target]}")
  local r=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  local a=$(awk '$1=="50%" {print $2}' <<<"$out")
  local b=$(awk '$1=="90%" {print $2}' <<<"$out")
  local c=$(awk '$1=="99%" {print $2}' <<<"$out")
  total_requests=$(awk '/requests in/ {print $1}' <<<"$out")
  local errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr -s ' ' | paste -sd ';' - || true)
  rows+=$'\n'"| $label | $connections | $r | $a | $b | $c${errors:+ ($errors)} |"
  rps[$label/$connections]=$r; p50[$label/$connections]=$(to_us "$a"); p99[$label/$connections]=$(to_us "$c")
}
for connections in 1 64; do
  for target in $targets; do
    if [ "$target" = riata ] && [ "$connections" = 64 ]; then
      before=$(threads_allocated)
      run riata 64 "$here/post.lua" riata
      after=$(threads_allocated)
      allocated_per_request=$(( (after - before) / total_requests ))
      measured_requests=$total_requests
    elif [ "$target" = before ]; then
      run before "$connections" "$here/post.lua" "riata before"
    else
      run "$target" "$connections" "$here/post.lua" "$target"
    fi
  done
done
# Batches at 8 connections: 800 calls in flight, under the provider's max_concurrency (1,024)
# in chains.yml, so the rows measure forwarding, not refusals.
batch_connections=8
for target in nginx riata; do
  run "$target" "$batch_connections" "$here/batch.lua" "$target, batch of 100"
  batch_calls[$target]=$(grep -o 'calls answered: .*' <<<"$out" | sed 's/calls answered: //')
done

# A CPU profile of Riata at 64 connections, apart from the measured runs (the recorder costs a little).
jcmd "$riata_pid" JFR.start name=bench settings=profile filename="$work/riata-64.jfr" >/dev/null
wrk -t2 -c64 -d"${duration}s" -s "$here/post.lua" "${url[riata]}" >/dev/null
jcmd "$riata_pid" JFR.stop name=bench >/dev/null
split=$(python3 "$here/profile_split.py" "$work/riata-64.jfr")
if [ -n "$before_jar" ]; then
  jcmd "$before_pid" JFR.start name=bench settings=profile filename="$work/before-64.jfr" >/dev/null
  wrk -t2 -c64 -d"${duration}s" -s "$here/post.lua" "${url[before]}" >/dev/null
  jcmd "$before_pid" JFR.stop name=bench >/dev/null
  # A build from before the Netty data plane ran requests on riata-pekko threads.
  split_before=$(python3 "$here/profile_split.py" "$work/before-64.jfr" riata-data)
  case "$split_before" in
    0\ samples*|"") split_before=$(python3 "$here/profile_split.py" "$work/before-64.jfr" riata-pekko) ;;
  esac
fi

ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
added() { python3 -c 'import sys; print("%.0f" % (float(sys.argv[1]) - float(sys.argv[2])))' "$1" "$2"; }
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$riata_pid/status")
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
machine="$(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r)"
versions="$(java -version 2>&1 | head -1), $("$nginx_bin" -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | awk '{print $1" "$2}' || true)"
section="Command: \`deploy/bench/run.sh $duration\` on $(date -u +%Y-%m-%d) at $(git -C "$root" rev-parse --short HEAD).
Machine: $machine. $versions.
wrk, the provider, nginx and Riata (JVM heap 256 MiB) share these cores.

$rows

- Throughput at 64 connections, Riata / nginx: **$(ratio "${rps[riata/64]}" "${rps[nginx/64]}")x**; p99 at 64 connections, Riata / nginx: $(ratio "${p99[riata/64]}" "${p99[nginx/64]}")x.
- Added to a lone request (p50 at 1 connection minus direct): Riata $(added "${p50[riata/1]}" "${p50[direct/1]}") us, nginx $(added "${p50[nginx/1]}" "${p50[direct/1]}") us.
- Heap allocated by Riata's event loops per forwarded request: $allocated_per_request bytes ($measured_requests requests, from \`/admin/diagnostics/threads\`).
- Resident memory of Riata after the run (-Xmx256m): $(( rss_kib / 1024 )) MiB.
- CPU profile at 64 connections: $split.${before_jar:+
- The build before ($(basename "$before_jar")), same load: $(ratio "${rps[riata before/64]:-0}" "${rps[nginx/64]}")x nginx at 64 connections; its CPU profile: ${split_before:-}.}
- The batch rows: Riata answers each of the 100 calls through its engine (100 upstream requests per batch, each with its own selection, attempt and failover: $(python3 -c 'import sys; print("%.0f" % (float(sys.argv[1]) * 100))' "${rps[riata, batch of 100/$batch_connections]}") calls/s); nginx passes the batch through as one request to a provider that answers one fixed reply. Calls through Riata: ${batch_calls[riata]}."
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
