#!/bin/sh
# Registry benchmark: gc-ssf's push and pull of a 200 MB image beside `skopeo copy` of the same
# image to the same (fresh) docker-registry in the same run, and a re-publish of examples/simple
# after one application file changed.
#
#   bench/registry/run.sh            200 MB image, 3 rounds (the figures in bench/README.md)
#   bench/registry/run.sh --smoke    20 MB, 1 round, for CI
#   bench/registry/run.sh --size-mb 500 --rounds 5
#
# Builds gc-ssf and ssf-registry-tool first when needed, in $SSF_BUILD_DIR (default:
# <source>/build-bench, a Release build of its own). Needs docker-registry, skopeo, openssl and
# /usr/bin/python3 (Debian packages; scripts/install-deps.sh installs them).
set -eu

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${SSF_BUILD_DIR:-$source_dir/build-bench}

if ! grep -qs '^SSF_BENCH:BOOL=ON$' "$build_dir/CMakeCache.txt"; then
  if [ -f "$build_dir/CMakeCache.txt" ]; then
    configure="-DSSF_BENCH=ON"
  else
    configure="-DSSF_BENCH=ON -DSSF_TESTS=OFF -DCMAKE_BUILD_TYPE=Release"
  fi
  # shellcheck disable=SC2086 # $configure is a list of words
  if ! output=$(cmake -S "$source_dir" -B "$build_dir" -G Ninja $configure 2>&1); then
    printf '%s\n' "$output" >&2
    exit 1
  fi
fi
if ! output=$(ninja -C "$build_dir" gc-ssf ssf-registry-tool 2>&1); then
  printf '%s\n' "$output" >&2
  exit 1
fi

exec /usr/bin/python3 "$source_dir/bench/registry/bench.py" --bin "$build_dir/bin" "$@"
