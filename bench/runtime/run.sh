#!/usr/bin/env bash
# Runtime benchmark: gc-ssf serving the simple example (Python, -ra 2) and its native twin, under
# wrk on loopback at 1, 8 and 64 connections, beside nginx answering a fixed body in the same run
# (the ceiling). Also: cold start to ready, memory (RSS) of the server and of each worker, and the
# batch sizes a batched app sees at 64 connections.
#
#   bench/runtime/run.sh            10 s per point (the figures in bench/README.md)
#   bench/runtime/run.sh --smoke    1 s per point, 1 and 8 connections (CI: does it still work?)
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${SSF_BUILD_DIR:-$source_dir/build-bench}
duration=10
connections=(1 8 64)
if [ "${1:-}" = "--smoke" ]; then
  duration=1
  connections=(1 8)
fi
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench/runtime: needs $tool (scripts/install-deps.sh)" >&2; exit 1; }
done

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSF_TESTS=OFF \
    -DSSF_BENCH=ON >/dev/null
fi
ninja -C "$build_dir" gc-ssf native_simple >/dev/null
gc_ssf=$build_dir/bin/gc-ssf
# Debian's interpreter, named outright: no PATH search, no pyenv shim in the measured start.
export SSF_PYTHON=${SSF_PYTHON:-/usr/bin/python3}

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

# Starts `gc-ssf ... run` in $work/<name>; sets port, pid, ready_ms (launch to /health/ready 200).
start_gc_ssf() {
  local name=$1; shift
  mkdir -p "$work/$name"
  port=$(free_port)
  local t0; t0=$(now_ms)
  (cd "$work/$name" && exec "$gc_ssf" "$@" --host 127.0.0.1 --port "$port" \
      --stdout-log-level WARNING --file-log-level WARNING run >"$work/$name/out" 2>&1) &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 3000); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
    sleep 0.005
  done
  ready_ms=$(( $(now_ms) - t0 ))
}

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
children_rss() {
  local out=""
  for child in $(pgrep -P "$1"); do out="$out $(rss_mb "$child")"; done
  echo "${out# }"
}

# wrk at each connection count: "rps p50 p99" per point.
measure() {
  local url=$1 c threads
  for c in "${connections[@]}"; do
    threads=$(( c < 2 ? 1 : 2 ))
    wrk -t "$threads" -c "$c" -d "${duration}s" --latency -s "$source_dir/bench/runtime/post.lua" "$url" \
      | awk -v c="$c" '
          /Requests\/sec/ {rps=$2}
          /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
          END {printf "%s %s %s %s\n", c, rps, p50, p99}'
  done
}

# nginx: the ceiling, a fixed answer from a static server.
nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { default_type application/json; return 200 '{"requests":1,"x_times_1000":7000}'; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
pids+=("$!")
for _ in $(seq 1 200); do curl -sf -X POST "http://127.0.0.1:$nginx_port/" >/dev/null && break; sleep 0.01; done

declare -A results
results[nginx]=$(measure "http://127.0.0.1:$nginx_port/v1/Test1")

start_gc_ssf python --config "$source_dir/examples/simple/ssf_config.yaml" -ra 2
python_ready=$ready_ms python_pid=$pid
results[python]=$(measure "http://127.0.0.1:$port/v1/Test1")
python_rss="server $(rss_mb "$python_pid") MB, workers $(children_rss "$python_pid") MB"
kill -INT "$python_pid"; wait "$python_pid" 2>/dev/null || true

start_gc_ssf native --config "$source_dir/examples/native/ssf_config.yaml" -ra 2 \
  --modify-config "application.module=$build_dir/examples/libnative_simple.so"
native_ready=$ready_ms native_pid=$pid
results[native]=$(measure "http://127.0.0.1:$port/v1/Test1")
native_rss="server $(rss_mb "$native_pid") MB, workers $(children_rss "$native_pid") MB"
kill -INT "$native_pid"; wait "$native_pid" 2>/dev/null || true

start_gc_ssf batched --config "$source_dir/tests/fixtures/run/batched/ssf_config.yaml" -ra 2 \
  --batching-timeout 0.05
total=$(( duration == 1 ? 256 : 2560 ))
batches=$(/usr/bin/python3 "$source_dir/bench/runtime/batches.py" "http://127.0.0.1:$port/v1/Test1" 64 "$total")
kill -INT "$pid"; wait "$pid" 2>/dev/null || true

echo "gc-ssf runtime benchmark: wrk on loopback, ${duration} s per point, $(nproc) cores"
printf '%-34s %6s %12s %10s %10s %8s\n' what conns "req/s" p50 p99 "% nginx"
for what in nginx python native; do
  label=$what
  [ "$what" = nginx ] && label="nginx (fixed answer, the ceiling)"
  [ "$what" = python ] && label="gc-ssf, Python simple app, -ra 2"
  [ "$what" = native ] && label="gc-ssf, native simple app, -ra 2"
  while read -r c rps p50 p99; do
    ceiling=$(echo "${results[nginx]}" | awk -v c="$c" '$1==c {print $2}')
    pct=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN {printf "%.1f", 100*a/b}')
    printf '%-34s %6s %12s %10s %10s %8s\n' "$label" "$c" "$rps" "$p50" "$p99" "$pct"
  done <<<"${results[$what]}"
done
echo
echo "cold start to ready: Python -ra 2 ${python_ready} ms, native -ra 2 ${native_ready} ms"
echo "memory (RSS under load): Python: $python_rss; native: $native_rss"
echo "batched app (max_batch_size 4, -ra 2) at 64 connections, batch size:count: $batches"
