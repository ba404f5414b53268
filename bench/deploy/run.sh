#!/bin/sh
# deploy: time from `deploy` to ready and failed requests during a redeploy (a client polling
# every 10 ms), beside upstream's boot-script sequence (docker rm -f, docker run, sleep 2) run over
# the same SSH to the same edge host, in the same run. Needs root, dockerd, sshd, docker-registry.
#   bench/deploy/run.sh [--smoke] [--rounds N]
# Uses the gc-ssf of $SSF_BUILD_DIR (default: build/), which must have gc-ssf and native_simple.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${SSF_BUILD_DIR:-$root/build}"
if [ ! -x "$build/bin/gc-ssf" ] || [ ! -f "$build/examples/libnative_simple.so" ]; then
  ninja -C "$build" gc-ssf native_simple >/dev/null
fi
exec python3 "$here/deploy_bench.py" --gc-ssf "$build/bin/gc-ssf" \
  --module "$build/examples/libnative_simple.so" "$@"
