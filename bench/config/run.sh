#!/bin/sh
# Config load benchmark: gc-ssf's load_config against upstream's PyYAML parse, in the same run.
#
#   bench/config/run.sh            200 iterations (the figures in bench/README.md)
#   bench/config/run.sh --smoke    a few iterations, for CI
#   bench/config/run.sh --iterations 500 --endpoints 400
#
# Builds bench_config_load first when needed, in $SSF_BUILD_DIR (default: <source>/build-bench, a
# Release build of its own, so that benchmarking never reconfigures the build you work in).
# The baseline needs /usr/bin/python3 with PyYAML (Debian: python3-yaml).
set -eu

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${SSF_BUILD_DIR:-$source_dir/build-bench}

# Configure when there is no build yet, or when it was configured without the benchmarks.
if ! grep -qs '^SSF_BENCH:BOOL=ON$' "$build_dir/CMakeCache.txt"; then
  if [ -f "$build_dir/CMakeCache.txt" ]; then
    configure="-DSSF_BENCH=ON"  # an existing build keeps its build type and options
  else
    configure="-DSSF_BENCH=ON -DSSF_TESTS=OFF -DCMAKE_BUILD_TYPE=Release"
  fi
  # shellcheck disable=SC2086 # $configure is a list of words
  if ! output=$(cmake -S "$source_dir" -B "$build_dir" -G Ninja $configure 2>&1); then
    printf '%s\n' "$output" >&2
    exit 1
  fi
fi
if ! output=$(ninja -C "$build_dir" bench_config_load 2>&1); then
  printf '%s\n' "$output" >&2
  exit 1
fi

exec "$build_dir/bench/bench_config_load" "$@"
