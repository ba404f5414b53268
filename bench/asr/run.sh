#!/usr/bin/env bash
# ASR example benchmark: what serving costs on top of the recognition itself. The clips of
# Debian's pocketsphinx-testdata are transcribed by examples/asr through `gc-ssf run`
# (POST /v1/asr, multipart upload, one replica) and, in the same run, by the same decoder called
# in one Python process without any server (the baseline: the floor no server can beat).
# Also: launch to ready (model load + warm-up), and the word error rate of both.
#
#   bench/asr/run.sh            5 rounds over the 6 clips (the figures in bench/README.md)
#   bench/asr/run.sh --smoke    1 round over goforward.raw (CI: does it still work?)
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${SSF_BUILD_DIR:-$source_dir/build-bench}
rounds=5
smoke=""
if [ "${1:-}" = "--smoke" ]; then
  rounds=1
  smoke="--smoke"
fi
[ -d /usr/share/pocketsphinx/test/data/librivox ] ||
  { echo "bench/asr: needs pocketsphinx-testdata (scripts/install-deps.sh)" >&2; exit 1; }

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSSF_TESTS=OFF \
    -DSSF_BENCH=ON >/dev/null
fi
ninja -C "$build_dir" gc-ssf >/dev/null
export SSF_PYTHON=${SSF_PYTHON:-/usr/bin/python3}
exec /usr/bin/python3 "$source_dir/bench/asr/bench.py" --gc-ssf "$build_dir/bin/gc-ssf" \
  --source "$source_dir" --rounds "$rounds" $smoke
