#!/usr/bin/env bash
# Benchmark: sonde-poller polling 10,000 targets at concurrency 500 against a
# local nginx, with wrk's rate on the same server as the ceiling.
# Never part of CTest. Everything binds 127.0.0.1 and is bounded in time.
#
#   bench/poller/run.sh [BUILD_DIR]      (default: build-poller next to this repo)
#   TARGETS=10000 CONCURRENCY=500 ROUNDS=3 WRK_SECONDS=5 bench/poller/run.sh
#   NGINX_CPUS=1 CLIENT_CPUS=0 bench/poller/run.sh   # pin nginx and wrk/poller (taskset)
#
# Two scenarios, each a server block of one nginx (one worker):
#   keepalive  nginx keeps connections: curl reuses them, as wrk does.
#   fresh      keepalive_timeout 0: one TCP connection per request, as when
#              every target is its own server (a real fleet).
# Targets are names t00001..t10000 and --url-pattern puts them in the path,
# so 10,000 distinct targets hit one server. Goals (issue 4): a round <= 2 s,
# >= 50 % of wrk's rate, peak RSS <= 100 MB.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build-poller}"
bin="$build/bin/sonde-poller"
floor="$build/bin/curl_floor_bench"
targets="${TARGETS:-10000}"
concurrency="${CONCURRENCY:-500}"
rounds="${ROUNDS:-3}"
wrk_seconds="${WRK_SECONDS:-5}"
# Optional CPU pinning, so that before/after runs on a shared box compare.
nginx_pin=(); client_pin=()
[ -n "${NGINX_CPUS:-}" ] && nginx_pin=(taskset -c "$NGINX_CPUS")
[ -n "${CLIENT_CPUS:-}" ] && client_pin=(taskset -c "$CLIENT_CPUS")

for tool in nginx wrk /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (scripts/install-deps.sh)" >&2; exit 1; }
done
for b in "$bin" "$floor"; do
  [ -x "$b" ] || { echo "run.sh: $b not built (ninja -C $build sonde-poller curl_floor_bench)" >&2; exit 1; }
done

tmp="$(mktemp -d /tmp/sonde-poller-bench.XXXXXX)"
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port_keep="$(free_port)"
port_fresh="$(free_port)"
# A status page like ClusterStats' (about 200 bytes).
body='{"Application":"Cache2","Version":"1.0.1","Hostname":"bench","Request_Count":1000,"Success_Count":990,"Error_Count":10,"CPU":"56%","Memory":"31%","Uptime":123456}'
# nginx workers may run as another user (nobody, when started as root).
chmod 755 "$tmp"
mkdir -p "$tmp/www" "$tmp/logs" "$tmp/temp"
printf '%s' "$body" > "$tmp/www/status.json"

cat > "$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/temp/body;
  proxy_temp_path $tmp/temp/proxy;
  fastcgi_temp_path $tmp/temp/fastcgi;
  uwsgi_temp_path $tmp/temp/uwsgi;
  scgi_temp_path $tmp/temp/scgi;
  default_type application/json;
  root $tmp/www;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port_keep backlog=4096;
    keepalive_timeout 60s;
    location / { try_files /status.json =404; }
  }
  server {
    listen 127.0.0.1:$port_fresh backlog=4096;
    keepalive_timeout 0;
    location / { try_files /status.json =404; }
  }
}
CONF

"${nginx_pin[@]}" nginx -p "$tmp" -c "$tmp/nginx.conf" -g 'daemon off;' 2>"$tmp/logs/stderr.log" &
nginx_pid=$!
for _ in $(seq 100); do
  if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port_keep), 0.1)" 2>/dev/null; then break; fi
  sleep 0.05
done

awk -v n="$targets" 'BEGIN { for (i = 1; i <= n; i++) printf "t%05d\n", i }' > "$tmp/targets.txt"

echo "# sonde-poller benchmark: $targets targets, concurrency $concurrency, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), pinned nginx=${NGINX_CPUS:-no} client=${CLIENT_CPUS:-no}"
echo "# nginx $(nginx -v 2>&1 | sed 's/.*\///') (1 worker); wrk -c$concurrency -d${wrk_seconds}s with -t2 and -t1; $(date -u +%FT%TZ)"
echo "# curl_floor: libcurl multi socket on libuv with the poller's options and no work per response (curl_floor_bench)"
echo "# round_ms: the poller's own round (event=round_done); cpu_s: its user+sys for the whole run"
printf '%-10s %9s %9s %10s %9s %10s %8s %10s %7s %12s %8s %6s\n' \
  scenario wrk_t2 wrk_t1 curl_floor round_ms poll_req_s pct_wrk pct_floor cpu_s req_per_cpu_s rss_mb up

wrk_rate() {  # threads url [header...]
  local threads="$1" url="$2"; shift 2
  "${client_pin[@]}" wrk -t"$threads" -c"$concurrency" -d"${wrk_seconds}s" "$@" "$url" | awk '/Requests\/sec/ { print $2 }'
}

for scenario in keepalive fresh; do
  if [ "$scenario" = keepalive ]; then port="$port_keep"; hdr=(); else port="$port_fresh"; hdr=(-H "Connection: close"); fi
  url="http://127.0.0.1:$port/status"
  wrk2="$(wrk_rate 2 "$url" "${hdr[@]}")"
  wrk1="$(wrk_rate 1 "$url" "${hdr[@]}")"
  floor_rate="$("${client_pin[@]}" "$floor" --url-prefix "http://127.0.0.1:$port/status/" \
    --requests "$targets" --concurrency "$concurrency" | sed -n 's/.*req_s=\([0-9]*\).*/\1/p')"
  for _ in $(seq "$rounds"); do
    /usr/bin/time -f '%U %S %M' -o "$tmp/time.txt" "${client_pin[@]}" "$bin" --once -i "$tmp/targets.txt" \
      --url-pattern "http://127.0.0.1:$port/status/{host}" -f "$concurrency" -r 0 \
      -q 0 --no-progress --log-level info -o "$tmp/out" >"$tmp/table.txt" 2>"$tmp/poller.log"
    round_ms="$(sed -n 's/.*event=round_done .*duration_ms=\([0-9]*\).*/\1/p' "$tmp/poller.log")"
    up="$(sed -n 's/.*event=round_done .*answered=\([0-9]*\).*/\1/p' "$tmp/poller.log")"
    read -r user sys rss_kb < "$tmp/time.txt"
    awk -v s="$scenario" -v w2="$wrk2" -v w1="$wrk1" -v fl="$floor_rate" -v ms="$round_ms" -v n="$targets" \
        -v u="$user" -v sy="$sys" -v rss="$rss_kb" -v up="$up" 'BEGIN {
      r = n / (ms / 1000.0); cpu = u + sy;
      printf "%-10s %9.0f %9.0f %10.0f %9d %10.0f %7.0f%% %9.0f%% %7.2f %12.0f %8.1f %6s\n",
             s, w2, w1, fl, ms, r, 100 * r / w2, 100 * r / fl, cpu, n / cpu, rss / 1024, up }'
  done
done
