#!/bin/sh
# Runs every benchmark (bench/*/run.sh), passing the arguments on: `bench/run.sh --smoke` for CI.
set -eu
status=0
for script in "$(cd "$(dirname "$0")" && pwd)"/*/run.sh; do
  echo "== $(basename "$(dirname "$script")")"
  "$script" "$@" || status=1
  echo
done
exit $status
