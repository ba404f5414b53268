#!/usr/bin/env bash
# Runtime benchmark: gc-ssf serving the simple example (Python, -ra 2) and its native twin, under
# wrk on loopback at 1, 8 and 64 connections, beside nginx answering a fixed body in the same run
# (the ceiling), and the native app again with --in-process (-ra 2 and -ra 1); the servers are
# measured in turns, round after round. The native app is also measured with --key (the key in the
# query) and with --enable-ssl (TLS 1.3, keep-alive, a self-signed certificate made here), beside
# its plain run in the same run: what authentication and TLS cost. Also: cold start to ready, memory (RSS) of the
# server and of each worker, and the batch sizes a batched app sees at 64 connections.
#
#   bench/runtime/run.sh            5 rounds of 4 s per point (the figures in bench/README.md)
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
for tool in wrk nginx curl openssl; do
  command -v "$tool" >/dev/null || { echo "bench/runtime: needs $tool (scripts/install-deps.sh)" >&2; exit 1; }
done

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSF_TESTS=OFF \
    -DSSF_BENCH=ON >/dev/null
fi
ninja -C "$build_dir" gc-ssf native_simple bench_auth_guard >/dev/null
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
# $scheme (default http) says how to reach it.
scheme=http
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
    curl -sfk "$scheme://127.0.0.1:$port/health/ready" >/dev/null && break
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

# One wrk run: "rps p50 p99".
wrk_point() {
  local url=$1 c=$2 seconds=$3
  wrk -t $(( c < 2 ? 1 : 2 )) -c "$c" -d "${seconds}s" --latency -s "$source_dir/bench/runtime/post.lua" "$url" \
    | awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%s %s %s\n", rps, p50, p99}'
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

# Every server is started first (each alone, for its launch-to-ready time), then all are measured
# in turns, round after round, and each point reports the median round: a machine whose load
# drifts (a shared VM) weighs on every row alike, which one server after another would not.
targets=(nginx)
declare -A url
url[nginx]="http://127.0.0.1:$nginx_port/v1/Test1"

start_gc_ssf python --config "$source_dir/examples/simple/ssf_config.yaml" -ra 2
python_ready=$ready_ms python_pid=$pid url[python]="http://127.0.0.1:$port/v1/Test1"
start_gc_ssf native --config "$source_dir/examples/native/ssf_config.yaml" -ra 2 \
  --modify-config "application.module=$build_dir/examples/libnative_simple.so"
native_ready=$ready_ms native_pid=$pid url[native]="http://127.0.0.1:$port/v1/Test1"
# The same native app with its replicas on threads of the server (--in-process): no worker
# processes, no socket between server and replica.
start_gc_ssf inproc --config "$source_dir/examples/native/ssf_config.yaml" -ra 2 --in-process \
  --modify-config "application.module=$build_dir/examples/libnative_simple.so"
inproc_ready=$ready_ms inproc_pid=$pid url[inproc]="http://127.0.0.1:$port/v1/Test1"
# And with one replica: for an app whose request takes microseconds, a second replica thread on
# two cores adds wake-ups (each replica sleeps between its requests), not throughput.
start_gc_ssf inproc1 --config "$source_dir/examples/native/ssf_config.yaml" -ra 1 --in-process \
  --modify-config "application.module=$build_dir/examples/libnative_simple.so"
inproc1_pid=$pid url[inproc1]="http://127.0.0.1:$port/v1/Test1"
targets+=(python native inproc inproc1)

main_rounds=$(( duration == 1 ? 1 : 5 ))
main_seconds=$(( duration == 1 ? 1 : 4 ))
declare -A points
for c in "${connections[@]}"; do
  for round in $(seq 1 "$main_rounds"); do
    for what in "${targets[@]}"; do
      points[$what,$c]="${points[$what,$c]:-}$(wrk_point "${url[$what]}" "$c" "$main_seconds")"$'\n'
    done
  done
done
# The round with the median rate: "c rps p50 p99" per connection count.
declare -A results
for what in "${targets[@]}"; do
  for c in "${connections[@]}"; do
    results[$what]+="$c $(printf '%s' "${points[$what,$c]}" | grep . | sort -g | awk '{r[NR]=$0} END {print r[int((NR+1)/2)]}')"$'\n'
  done
done
python_rss="server $(rss_mb "$python_pid") MB, workers $(children_rss "$python_pid") MB"
native_rss="server $(rss_mb "$native_pid") MB, workers $(children_rss "$native_pid") MB"
inproc_rss="server $(rss_mb "$inproc_pid") MB"
for pid in "$python_pid" "$native_pid" "$inproc_pid" "$inproc1_pid"; do
  kill -INT "$pid"; wait "$pid" 2>/dev/null || true
done

# What --key and TLS cost: the native app (where the server's own work shows most) three times,
# plain, with --key (the key in the query: wrk's script sets the body only) and with TLS (TLS 1.3,
# keep-alive: the handshake is paid once per connection), all running at once and measured in
# turns, round after round, so that a machine whose load drifts (a shared CI host) weighs on the
# three alike; the median of the rounds is reported.
bench_key=bench-key-$RANDOM$RANDOM
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null
native_args=(--config "$source_dir/examples/native/ssf_config.yaml" -ra 2
  --modify-config "application.module=$build_dir/examples/libnative_simple.so")
start_gc_ssf ab_plain "${native_args[@]}"
ab_url[0]="http://127.0.0.1:$port/v1/Test1"; ab_pid[0]=$pid
start_gc_ssf ab_key "${native_args[@]}" --key "$bench_key"
ab_url[1]="http://127.0.0.1:$port/v1/Test1?api_key=$bench_key"; ab_pid[1]=$pid
scheme=https
start_gc_ssf ab_tls "${native_args[@]}" --enable-ssl --ssl-certificate-file "$work/tls.pem" \
  --ssl-key-file "$work/tls.key"
ab_url[2]="https://127.0.0.1:$port/v1/Test1"; ab_pid[2]=$pid
scheme=http
rounds=$(( duration == 1 ? 2 : 7 ))
ab_seconds=$(( duration == 1 ? 1 : 3 ))
ab_conns=(1 8 64)
[ "$duration" = 1 ] && ab_conns=(8)
declare -A ab
for c in "${ab_conns[@]}"; do
  for round in $(seq 1 "$rounds"); do
    for i in 0 1 2; do
      rps=$(wrk -t $(( c < 2 ? 1 : 2 )) -c "$c" -d "${ab_seconds}s" -s "$source_dir/bench/runtime/post.lua" \
        "${ab_url[$i]}" | awk '/Requests\/sec/ {print $2}')
      ab[$i,$c]="${ab[$i,$c]:-} $rps"
    done
  done
done
for i in 0 1 2; do kill -INT "${ab_pid[$i]}"; wait "${ab_pid[$i]}" 2>/dev/null || true; done
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

start_gc_ssf batched --config "$source_dir/tests/fixtures/run/batched/ssf_config.yaml" -ra 2 \
  --batching-timeout 0.05
total=$(( duration == 1 ? 256 : 2560 ))
batches=$(/usr/bin/python3 "$source_dir/bench/runtime/batches.py" "http://127.0.0.1:$port/v1/Test1" 64 "$total")
kill -INT "$pid"; wait "$pid" 2>/dev/null || true

echo "gc-ssf runtime benchmark: wrk on loopback, the median of $main_rounds interleaved ${main_seconds} s rounds per point, $(nproc) cores"
printf '%-34s %6s %12s %10s %10s %8s\n' what conns "req/s" p50 p99 "% nginx"
for what in nginx python native inproc inproc1; do
  label=$what
  [ "$what" = nginx ] && label="nginx (fixed answer, the ceiling)"
  [ "$what" = python ] && label="gc-ssf, Python simple app, -ra 2"
  [ "$what" = native ] && label="gc-ssf, native simple app, -ra 2"
  [ "$what" = inproc ] && label="  the same, --in-process"
  [ "$what" = inproc1 ] && label="  the same, --in-process, -ra 1"
  while read -r c rps p50 p99; do
    ceiling=$(echo "${results[nginx]}" | awk -v c="$c" '$1==c {print $2}')
    pct=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN {printf "%.1f", 100*a/b}')
    printf '%-34s %6s %12s %10s %10s %8s\n' "$label" "$c" "$rps" "$p50" "$p99" "$pct"
  done < <(printf '%s' "${results[$what]}" | grep .)
done
echo
echo "what --key and TLS cost (native app, -ra 2; median req/s of $rounds interleaved ${ab_seconds} s rounds):"
printf '%-34s %6s %12s %12s\n' what conns "req/s" "% of plain"
for c in "${ab_conns[@]}"; do
  plain=$(echo "${ab[0,$c]}" | median)
  for i in 0 1 2; do
    label=("plain" "--key (query api_key)" "--enable-ssl (TLS 1.3)")
    rps=$(echo "${ab[$i,$c]}" | median)
    printf '%-34s %6s %12s %12s\n' "${label[$i]}" "$c" "$rps" \
      "$(awk -v a="$rps" -v b="$plain" 'BEGIN {printf "%.1f", 100*a/b}')"
  done
done
echo
# The same cost without the network's noise: CPU time of the guard per request, beside the time
# one request takes at the plain run's throughput (8 connections).
plain8=$(echo "${ab[0,8]}" | median)
echo "CPU time authentication adds per request (bench_auth_guard), against 1/$plain8 s per request:"
"$build_dir/bench/bench_auth_guard" $([ "$duration" = 1 ] && echo --smoke) |
  while read -r what ns; do
    printf '  %-16s %8s ns  %6s %%\n' "$what" "$ns" \
      "$(awk -v ns="$ns" -v rps="$plain8" 'BEGIN {printf "%.2f", 100 * ns * rps / 1e9}')"
  done
echo
echo "cold start to ready: Python -ra 2 ${python_ready} ms, native -ra 2 ${native_ready} ms, native --in-process ${inproc_ready} ms"
echo "memory (RSS under load): Python: $python_rss; native: $native_rss; native --in-process: $inproc_rss"
echo "batched app (max_batch_size 4, -ra 2) at 64 connections, batch size:count: $batches"
