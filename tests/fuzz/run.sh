#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang in build-fuzz/ and runs each for N
# seconds (default 20) from a seed corpus made in a temporary directory. Crashes are written to
# build-fuzz/fuzz-artifacts/.
#
#   tests/fuzz/run.sh [seconds]
#
# Needs clang 15 or later: core/log.h uses std::source_location, which libstdc++ 12 offers only
# to compilers with __builtin_source_location (Debian: apt-get install clang-16
# libclang-rt-16-dev).
set -euo pipefail

seconds="${1:-20}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$root/build-fuzz"
targets=(fuzz_json_inputs fuzz_query_inputs fuzz_multipart fuzz_registry_responses)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cxx=""
cat >"$work/probe.cpp" <<'PROBE'
#include <cstddef>
#include <cstdint>
#include <source_location>
extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) {
  return static_cast<int>(std::source_location::current().line()) * 0;
}
PROBE
for candidate in clang++-16 clang++-15 clang++-17 clang++; do
  if command -v "$candidate" >/dev/null &&
    "$candidate" -std=c++20 -fsanitize=fuzzer "$work/probe.cpp" -o "$work/probe" 2>/dev/null; then
    cxx="$candidate"
    break
  fi
done
if [[ -z "$cxx" ]]; then
  echo "run.sh: no clang with libFuzzer and std::source_location (apt-get install clang-16 libclang-rt-16-dev)" >&2
  exit 1
fi
cc="${cxx/clang++/clang}"

CC="$cc" CXX="$cxx" cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSSF_BENCH=OFF -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer" >/dev/null
ninja -C "$build" "${targets[@]}"

# Seeds: a few valid and nearly valid requests of each kind.
mkdir -p "$work/fuzz_json_inputs" "$work/fuzz_query_inputs" "$work/fuzz_multipart"
printf '%s' '{"s": "a", "i": 1, "f": 1.5, "b": true, "ls": ["x"], "li": [1], "lf": [1.0], "lb": [false], "la": [1, "a", null, {"k": [1]}]}' \
  >"$work/fuzz_json_inputs/valid"
printf '%s' '{"s": 1e20, "i": "  -7 ", "f": "1_0.5", "b": "On", "ls": [1, true], "li": [4.9], "lf": ["inf"], "lb": [0], "la": []}' \
  >"$work/fuzz_json_inputs/coerced"
printf '%s' '[["s", "\u00e9\ud83d\ude00"], ["i", NaN], "xy", {"a": 1, "b": 2}]' >"$work/fuzz_json_inputs/pairs"
printf '%s' '{"s": "abc\' >"$work/fuzz_json_inputs/broken"
printf '%s' 's=a+b%20c&i=%201&f=inf&b=T&ls=x&ls=&li=1&li=+2_0&lf=1&lf=.5&lb=on&lb=NO&la=x&la=y' \
  >"$work/fuzz_query_inputs/valid"
printf '%s' 's=%C3%A9%ZZ%C3&i=1.5&&f&b=&li=a&lf=%e2%82%ac' >"$work/fuzz_query_inputs/invalid"
printf 'm--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name="file2"; filename="C:\\\\d\\\\b.txt"\r\nContent-Type: text/plain\r\n\r\nBB\r\n--XyZx\r\n--XyZ--\r\nepilogue' \
  >"$work/fuzz_multipart/valid"
printf '"\r\n--XyZ\r\ncontent-disposition:form-data;name=file\r\n\r\ntext\r\n--XyZ\r\nContent\r\n\r\nB\r\n--XyZ-' \
  >"$work/fuzz_multipart/quirks"
printf '#multipart/form-data; a = "q;r" ;boundary="X\\"y"; charset=utf-8\n--X"y\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\n\r\n--X"y--' \
  >"$work/fuzz_multipart/header"
printf 'ufile=a&file2=&x=1' >"$work/fuzz_multipart/urlencoded"
mkdir -p "$work/fuzz_registry_responses"
printf '%s' 'Bearer realm="https://r/token",service="harbor-registry",scope="repository:p/a:pull,push", Basic realm="harbor"' \
  >"$work/fuzz_registry_responses/challenge"
printf '%s' '{"token":"t","access_token":"a","expires_in":300,"errors":[{"code":"NAME_UNKNOWN","message":"m"}]}' \
  >"$work/fuzz_registry_responses/token"
printf '%s' '{"auths":{"reg:5000":{"auth":"dTpw"}},"credsStore":"x","credHelpers":{"a":"b"}}' \
  >"$work/fuzz_registry_responses/config"
printf '%s' '127.0.0.1:5000/library/app_x/sub:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' \
  >"$work/fuzz_registry_responses/reference"

mkdir -p "$build/fuzz-artifacts"
for target in "${targets[@]}"; do
  binary="$(find "$build" -type f -name "$target" -perm -u+x | head -n 1)"
  if [[ -z "$binary" ]]; then
    echo "run.sh: $target was not built (is tests/fuzz added to the build?)" >&2
    exit 1
  fi
  log="$build/fuzz-artifacts/$target.log"
  status=0
  "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$target-" "$work/$target" \
    >"$log" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then
    tail -n 40 "$log" >&2
    echo "run.sh: $target failed (exit $status); log: $log" >&2
    exit 1
  fi
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  echo "$target: ${runs:-?} runs in ${seconds}s, no failure"
done
