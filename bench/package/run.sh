#!/usr/bin/env bash
# Package benchmark: `gc-ssf package` of examples/simple on a Debian bookworm + python3 rootfs
# (tests/infra/base_images.py), cold (empty layer cache), warm (nothing changed) and with one
# application file changed, beside `docker build` of the equivalent Dockerfile (the same files
# COPYed onto the same base, already in the daemon) in the same run: cold (--no-cache), warm, and
# one file changed. Also: bytes written, and whether a warm package is byte-identical.
#
#   bench/package/run.sh            5 runs per row (the figures in bench/README.md)
#   bench/package/run.sh --smoke    1 run per row (CI: does it still work?)
# A Docker daemon is used if one is reachable, else started for the run (tests/infra/dockerd.py).
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${SSF_BUILD_DIR:-$source_dir/build-bench}
runs=5
[ "${1:-}" = "--smoke" ] && runs=1

if [ -z "${SSF_BENCH_IN_DAEMON:-}" ]; then
  export SSF_BENCH_IN_DAEMON=1
  exec python3 "$source_dir/tests/infra/dockerd.py" run -- "$0" "$@"
fi

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSF_TESTS=OFF \
    -DSSF_BENCH=ON >/dev/null
fi
ninja -C "$build_dir" gc-ssf >/dev/null
gc_ssf=$build_dir/bin/gc-ssf
rootfs=$(python3 "$source_dir/tests/infra/base_images.py" rootfs python)

work=$(mktemp -d)
tag=gcssf-bench-$$
cleanup() {
  docker rmi -f "$tag-base" "$tag-docker" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cp -r "$source_dir/examples/simple" "$work/simple"
cd "$work"

now() { date +%s.%N; }
# ms between two `now`s
ms() { python3 -c "print(f'{($2 - $1) * 1000:.0f}')"; }
# min / median / max of the numbers on stdin
stats() { python3 -c "
import statistics, sys
v = sorted(float(x) for x in sys.stdin.read().split())
print(f'{v[0]:.0f} | {statistics.median(v):.0f} | {v[-1]:.0f}')"; }

nodaemon=unix:///nonexistent/docker.sock
package() {  # gc-ssf package without loading into the daemon: files only
  DOCKER_HOST=$nodaemon "$gc_ssf" --config simple/ssf_config.yaml --stdout-log-level WARNING \
    --package-baseimage "rootfs:$rootfs" package >/dev/null
}
digest() { python3 -c "import json; print(json.load(open('.package/simple-test/image/index.json'))['manifests'][0]['digest'])"; }

# The base is converted once, as docker imports it once: neither side pays for it in the rows.
package
docker import "$rootfs" "$tag-base" >/dev/null

declare -A rows
measure() {  # name, command...
  local name=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    "${prep[@]}"
    local t0; t0=$(now)
    "$@"
    local t1; t1=$(now)
    times+=("$(ms "$t0" "$t1")")
  done
  rows[$name]=$(printf '%s\n' "${times[@]}" | stats)
}

# gc-ssf
prep=(rm -rf .package/.cache .package/simple-test)
measure "gc-ssf package, cold (no layer cache)" package
package
before=$(digest)
cold_bytes=$(du -sb --apparent-size .package/.cache | cut -f1)
prep=(true)
measure "gc-ssf package, warm (nothing changed)" package
identical=$([ "$(digest)" = "$before" ] && echo yes || echo no)
prep=(sh -c 'echo "# $(date +%s%N)" >> simple/my_application.py')
measure "gc-ssf package, one app file changed" package
prep=(true)
measure "gc-ssf package + load into docker" \
  "$gc_ssf" --config simple/ssf_config.yaml --stdout-log-level WARNING \
  --package-baseimage "rootfs:$rootfs" package

# docker build of the same files on the same base
mkdir -p ctx
tar -C ctx -xzf ".package/simple-test/image/blobs/sha256/$(python3 -c "
import json
m = json.load(open('.package/simple-test/image/blobs/sha256/' + '$(digest)'[7:]))
print(m['layers'][-2]['digest'][7:])")"
cp -r simple ctx/src-app
cat > ctx/Dockerfile <<EOF
FROM $tag-base
COPY opt /opt
COPY src-app /src/app
WORKDIR /src
ENTRYPOINT ["/opt/ssf/bin/gc-ssf", "--options-from-env", "SSF_OPTIONS"]
CMD ["--config", "/src/app/ssf_config.yaml", "run"]
EOF
dbuild() { DOCKER_BUILDKIT=0 docker build -q "$@" -t "$tag-docker" ctx >/dev/null; }
prep=(true)
measure "docker build, cold (--no-cache)" dbuild --no-cache
dbuild
measure "docker build, warm (nothing changed)" dbuild
prep=(sh -c 'echo "# $(date +%s%N)" >> ctx/src-app/my_application.py')
measure "docker build, one app file changed" dbuild

echo "package of examples/simple on bookworm+python3 ($runs runs per row; ms)"
echo "| what | min ms | median ms | max ms |"
echo "|---|---:|---:|---:|"
for name in "gc-ssf package, cold (no layer cache)" "gc-ssf package, warm (nothing changed)" \
  "gc-ssf package, one app file changed" "gc-ssf package + load into docker" \
  "docker build, cold (--no-cache)" "docker build, warm (nothing changed)" \
  "docker build, one app file changed"; do
  echo "| $name | ${rows[$name]} |"
done
echo
echo "bytes written by a cold package (layer cache): $cold_bytes"
echo "warm package byte-identical (same manifest digest): $identical"
cold_gc=$(echo "${rows["gc-ssf package, cold (no layer cache)"]}" | awk -F'|' '{print $2}')
cold_docker=$(echo "${rows["docker build, cold (--no-cache)"]}" | awk -F'|' '{print $2}')
one_gc=$(echo "${rows["gc-ssf package, one app file changed"]}" | awk -F'|' '{print $2}')
python3 -c "
r = $cold_docker / max($cold_gc, 1)
print(f'targets: cold >= 10x faster than docker build: {r:.1f}x', 'met' if r >= 10 else 'NOT met')
print(f'        one file changed < 1000 ms: {$one_gc:.0f} ms', 'met' if $one_gc < 1000 else 'NOT met')
print('        byte-identical when nothing changed:', '$identical')"
