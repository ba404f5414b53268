#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: the README's second command, and CI's.
#   scripts/test.sh            everything: build, every test (benchmark smokes included), and the
#                              unit tests again under ASan and UBSan
#   scripts/test.sh --quick    build and tests only
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
[ "${1:-}" = "--quick" ] && quick=true

start=$(date +%s)
elapsed() { echo "($(( $(date +%s) - start )) s so far)"; }
bash scripts/install-deps.sh

echo "== build $(elapsed)"
cmake -S . -B build -G Ninja -DSSF_WERROR=ON -DSSF_BENCH=ON -DSSF_TESTS=ON >/dev/null
ninja -C build

echo "== tests $(elapsed)"
ctest --test-dir build --output-on-failure -j2

if ! $quick; then
  echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer $(elapsed)"
  # Warnings are checked (as errors) by the normal build above; GCC 12 reports false positives
  # (-Wmaybe-uninitialized, -Wrestrict) under the sanitizers.
  cmake -S . -B build-asan -G Ninja -DSSF_SANITIZE=ON -DSSF_BENCH=OFF -DSSF_WERROR=OFF >/dev/null
  ninja -C build-asan
  # Leak checking is off until the worker and server tests have had a leak-clean run of their own
  # (they start threads and processes that outlive some test cases by design).
  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan -L unit --output-on-failure -j2

  echo "== fuzzing the request codecs briefly (libFuzzer, clang) $(elapsed)"
  bash tests/fuzz/run.sh 10
fi
echo "== all done in $(( $(date +%s) - start )) s"
