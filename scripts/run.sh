#!/usr/bin/env bash
# The main job: installs what is missing, builds, then runs the whole pipeline
# locally on loopback with a local data directory:
#   emitters (sonde-agent, the example app, a few simulated hosts via sonde-emit)
#     -> sonde-broker (udp://127.0.0.1:7700, tcp://127.0.0.1:7701, PUB tcp://127.0.0.1:7702)
#     -> sonde-summarizer (LMDB in ./sonde-data, HTTP on 127.0.0.1:7780)
# and prints what `sonde` reports: hosts, by-minute rollups, latest state,
# health, and SQL over the latest state.
#
# SONDE_RUN_SECONDS (default 20) sets how long the feed runs; --follow keeps the
# services running until Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${SONDE_RUN_SECONDS:-20}
follow=0
[ "${1:-}" = "--follow" ] && follow=1

"$root/scripts/install-deps.sh"
echo "== building (first build takes a few minutes on 2 cores) =="
SONDE_BUILD_DIR="$root/build" "$root/scripts/build.sh" -DSONDE_BUILD_TESTS=OFF -DSONDE_BUILD_BENCH=OFF
bin="$root/build/bin"
data="$root/sonde-data"
logs="$data/logs"
mkdir -p "$logs"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

wait_http() {  # Waits until the summarizer answers /healthz.
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:7780/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "run: the summarizer did not come up; see $logs/summarizer.log" >&2
  return 1
}

echo "== starting sonde-broker and sonde-summarizer (logs in $logs) =="
"$bin/sonde-broker" --stats-interval 5s >"$logs/broker.log" 2>&1 &
pids+=($!)
"$bin/sonde-summarizer" --from tcp://127.0.0.1:7702 --data-dir "$data/db" \
  --http 127.0.0.1:7780 >"$logs/summarizer.log" 2>&1 &
pids+=($!)
wait_http

echo "== feeding the pipeline for ${seconds}s =="
if [ -x "$bin/sonde-agent" ]; then
  "$bin/sonde-agent" --to udp://127.0.0.1:7700 --tag service=demo >"$logs/agent.log" 2>&1 &
  pids+=($!)
fi
"$bin/cpp_example" udp://127.0.0.1:7700 "$seconds" >"$logs/example.log" 2>&1 &
pids+=($!)
# A few simulated servers, as a status poller or agent would report them.
hosts=(web-01:auth:1.4.0 web-02:auth:1.4.0 web-03:auth:1.3.2 db-01:storage:2.0.1 db-02:storage:2.0.1)
end=$((SECONDS + seconds))
while [ $SECONDS -lt $end ]; do
  for entry in "${hosts[@]}"; do
    IFS=: read -r host service version <<<"$entry"
    cpu=$(( (RANDOM % 60) + 10 )); mem=$(( (RANDOM % 50) + 30 ))
    [ "$host" = web-03 ] && cpu=$(( (RANDOM % 10) + 88 ))
    "$bin/sonde-emit" --to udp://127.0.0.1:7700 --host "$host" --tag "service=$service" \
      --tag "application=$service-app" --tag "version=$version" \
      cpu="$cpu" mem="$mem" "requests=$(( RANDOM % 100 + 100 )):counter" \
      "latency_ms=$(( RANDOM % 40 + 5 )):timing" || true
  done
  sleep 1
done
sleep 2  # One flush tick for the last samples.

echo
echo "== sonde hosts =="
"$bin/sonde" hosts --db "$data/db" || true
echo
echo "== sonde get web-01 cpu (by-minute rollups) =="
"$bin/sonde" get web-01 cpu --db "$data/db" || true
echo
echo "== sonde latest --where service=auth =="
"$bin/sonde" latest --where service=auth --db "$data/db" || true
if "$bin/sonde" health --help >/dev/null 2>&1; then
  echo
  echo "== sonde health =="
  "$bin/sonde" health --db "$data/db" || true
fi
echo
echo "== sonde sql: average cpu by service (SQL over the latest state, as Qasino) =="
"$bin/sonde" sql --db "$data/db" "SELECT service, count(*) AS hosts, round(avg(value), 1) AS avg_cpu
  FROM latest WHERE metric = 'cpu' AND service IS NOT NULL GROUP BY service ORDER BY avg_cpu DESC" || true
echo
echo "== liz-compatible API: curl http://127.0.0.1:7780/api/perf/web-01/by-minute:cpu =="
curl -fsS "http://127.0.0.1:7780/api/perf/web-01/by-minute:cpu" || true
echo

if [ $follow -eq 1 ]; then
  echo "services running; Ctrl-C stops them"
  wait
fi
