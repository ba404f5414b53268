#!/usr/bin/env bash
# A newcomer's first run: installs what is needed, builds gc-ssf, and runs the main job on the
# simple example: build it, serve it, and send it a real request. The main job grows with each
# step of the roadmap (see README, "Status").
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$PWD
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DSSF_TESTS=OFF -DSSF_BENCH=OFF >/dev/null
ninja -C build gc-ssf
export PATH="$source_dir/build/bin:$PATH"

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill -INT "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "== gc-ssf --config examples/simple/ssf_config.yaml init build run (in $work, port $port)"
gc-ssf --config "$source_dir/examples/simple/ssf_config.yaml" --host 127.0.0.1 --port "$port" \
  init build run &
server=$!
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
  sleep 0.1
done
echo "== POST /v1/Test1 {\"x\": 7}"
curl -sS -X POST "http://127.0.0.1:$port/v1/Test1" -H 'content-type: application/json' -d '{"x": 7}'
echo
echo "== done: the simple example answered; package, publish and deploy come next"
