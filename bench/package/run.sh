#!/usr/bin/env bash
# Package benchmark: `gc-ssf package` of examples/simple on a Debian bookworm + python3 base
# (tests/infra/base_images.py), cold (empty layer cache), warm (nothing changed) and with one
# application file changed, beside `docker build` of the equivalent Dockerfile (the same files
# COPYed onto the same base) in the same run: cold (--no-cache), warm, and one file changed.
# Also: bytes written, and whether a warm package is byte-identical. "Cold" is an empty layer cache
# with the runtime layer the gc-ssf build made (share/gc-ssf/layers); one more row runs a copy of
# the binary that has no such store beside it, so that the runtime layer is made in the run too.
#
# The base is there before any row, for both sides: imported into the daemon once, and copied
# from it into an OCI layout (skopeo) that gc-ssf reads in place. Times are wall-clock ms, plus
# the CPU ms (user+sys) of the timed process tree: on a shared machine the CPU figure says what
# the wall time cannot. docker's work happens in the daemon, so its CPU column is the client's.
#
#   bench/package/run.sh            5 runs per row (the figures in bench/README.md)
#   bench/package/run.sh --smoke    1 run per row (CI: does it still work?)
#   SSF_GC_SSF=<binary> bench/package/run.sh    measures that binary, builds nothing
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

if [ -n "${SSF_GC_SSF:-}" ]; then
  gc_ssf=$SSF_GC_SSF
else
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSF_TESTS=OFF \
      -DSSF_BENCH=ON >/dev/null
  fi
  ninja -C "$build_dir" gc-ssf ssf_runtime_layer >/dev/null
  gc_ssf=$build_dir/bin/gc-ssf
fi
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

docker import "$rootfs" "$tag-base" >/dev/null
skopeo copy --quiet --src-daemon-host "$DOCKER_HOST" "docker-daemon:$tag-base:latest" \
  "oci:$work/base:base" >/dev/null

# The timed commands are scripts, so that `timed` runs one program and counts its whole tree.
cat > package.sh <<EOF
#!/bin/sh
DOCKER_HOST=unix:///nonexistent/docker.sock exec "$gc_ssf" --config simple/ssf_config.yaml \
  --stdout-log-level WARNING --package-baseimage "oci-layout:$work/base:base" package
EOF
# The same binary without the build's runtime layer beside it (a copy in another prefix), for the
# row that makes the runtime layer too: what a cold package costs when that store is missing.
mkdir -p alone/bin alone/share/gc-ssf
cp "$gc_ssf" alone/bin/gc-ssf
cp -r "$(dirname "$gc_ssf")/../share/gc-ssf/python" alone/share/gc-ssf/python
sed "s#exec \"$gc_ssf\"#exec \"$work/alone/bin/gc-ssf\"#" package.sh > package-alone.sh
cat > package-load.sh <<EOF
#!/bin/sh
exec "$gc_ssf" --config simple/ssf_config.yaml --stdout-log-level WARNING \
  --package-baseimage "oci-layout:$work/base:base" package
EOF
cat > dbuild.sh <<EOF
#!/bin/sh
DOCKER_BUILDKIT=0 exec docker build -q "\$@" -t "$tag-docker" ctx
EOF
chmod +x package.sh package-alone.sh package-load.sh dbuild.sh

# "<wall ms> <cpu ms>" of one run of a program
timed() { python3 -c "
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f'{wall * 1000:.0f} {(r.ru_utime + r.ru_stime) * 1000:.0f}')" "$@"; }
# "min | median | max | median cpu" from lines "<wall> <cpu>"
stats() { python3 -c "
import statistics, sys
rows = [tuple(map(float, line.split())) for line in sys.stdin.read().splitlines() if line]
w = sorted(r[0] for r in rows)
print(f'{w[0]:.0f} | {statistics.median(w):.0f} | {w[-1]:.0f} | {statistics.median(r[1] for r in rows):.0f}')"; }
digest() { python3 -c "import json; print(json.load(open('.package/simple-test/image/index.json'))['manifests'][0]['digest'])"; }

declare -A rows
order=()
measure() {  # name, program, args...: $prep runs before each run, untimed
  local name=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    "${prep[@]}"
    times+=("$(timed "$@")")
  done
  rows[$name]=$(printf '%s\n' "${times[@]}" | stats)
  order+=("$name")
}
touch_app() { echo "# $(date +%s%N)" >> "$1"; }

prep=(rm -rf .package/.cache .package/simple-test)
measure "gc-ssf package, cold (no layer cache)" ./package.sh
measure "gc-ssf package, cold, runtime layer made too" ./package-alone.sh
./package.sh >/dev/null 2>&1
before=$(digest)
cold_bytes=$(( $(du -sb --apparent-size .package/.cache | cut -f1) + $(stat -c %s simple-test.1.0.tar.gz) ))
prep=(true)
measure "gc-ssf package, warm (nothing changed)" ./package.sh
identical=$([ "$(digest)" = "$before" ] && echo yes || echo no)
prep=(touch_app simple/my_application.py)
measure "gc-ssf package, one app file changed" ./package.sh
prep=(true)
measure "gc-ssf package + docker load" ./package-load.sh

# docker build of the same files (the runtime layer's opt/ssf and the app) on the same base
mkdir -p ctx
runtime_blob=$(python3 -c "
import json
m = json.load(open('.package/simple-test/image/blobs/sha256/' + '$(digest)'[7:]))
print(m['layers'][-2]['digest'][7:])")
tar -C ctx -xzf ".package/simple-test/image/blobs/sha256/$runtime_blob"
cp -r simple ctx/src-app
cat > ctx/Dockerfile <<EOF
FROM $tag-base
COPY opt /opt
COPY src-app /src/app
WORKDIR /src
ENTRYPOINT ["/opt/ssf/bin/gc-ssf", "--options-from-env", "SSF_OPTIONS"]
CMD ["--config", "/src/app/ssf_config.yaml", "run"]
EOF
prep=(true)
measure "docker build, cold (--no-cache)" ./dbuild.sh --no-cache
./dbuild.sh >/dev/null 2>&1
measure "docker build, warm (nothing changed)" ./dbuild.sh
prep=(touch_app ctx/src-app/my_application.py)
measure "docker build, one app file changed" ./dbuild.sh

echo "package of examples/simple on bookworm+python3 ($runs runs per row)"
echo "| what | min ms | median ms | max ms | CPU ms (median) |"
echo "|---|---:|---:|---:|---:|"
for name in "${order[@]}"; do echo "| $name | ${rows[$name]} |"; done
echo
echo "bytes written by a cold package (layers, image, bundle): $cold_bytes"
echo "warm package byte-identical (same manifest digest): $identical"
median() { echo "${rows[$1]}" | awk -F'|' '{print $2}'; }
python3 -c "
cold, docker, one = $(median "gc-ssf package, cold (no layer cache)"), $(median "docker build, cold (--no-cache)"), $(median "gc-ssf package, one app file changed")
r = docker / max(cold, 1)
print(f'targets: cold >= 10x faster than docker build cold: {r:.1f}x', 'met' if r >= 10 else 'NOT met')
print(f'         one file changed < 1000 ms: {one:.0f} ms', 'met' if one < 1000 else 'NOT met')
print('         byte-identical when nothing changed:', '$identical')"
