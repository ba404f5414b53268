#!/usr/bin/env bash
# A newcomer's first run, on a fresh Debian 12 machine as root: installs what is needed, builds
# gc-ssf, then runs the main job on a local default (scripts/quickstart.py): a base image made
# here, a local registry and a local edge host, `init build package publish deploy` of
# examples/asr, and a real request whose transcript the deployed service answers.
#   scripts/quickstart.sh [--keep]    --keep leaves the registry and the host up until Ctrl-C
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/install-deps.sh
echo "== build"
cmake -S . -B build -G Ninja -DSSF_TESTS=OFF -DSSF_BENCH=OFF >/dev/null
ninja -C build gc-ssf
/usr/bin/python3 scripts/quickstart.py build/bin/gc-ssf "$@"
echo "== all done in $(( $(date +%s) - start )) s"
