#!/usr/bin/env bash
# A newcomer's first run: installs what is needed, builds gc-ssf, and runs the main job on the
# simple example. The main job grows with each step of the roadmap (see README, "Status").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DSSF_TESTS=OFF -DSSF_BENCH=OFF >/dev/null
ninja -C build gc-ssf
export PATH="$PWD/build/cli:$PATH"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "== gc-ssf --config examples/simple/ssf_config.yaml init (in $work)"
gc-ssf --config "$OLDPWD/examples/simple/ssf_config.yaml" init
echo "== done: the config loads and validates; build, run, package, publish and deploy come next"
