#!/usr/bin/env bash
# Installs everything gc-ssf needs to build and test, from Debian 12's packages only.
# Idempotent: packages already present are skipped, so a warm machine pays ~1 s.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libfmt-dev
  libcurl4-openssl-dev libboost-dev libssl-dev libarchive-dev zlib1g-dev libssh-dev
  catch2 clang clang-format clang-16 libclang-rt-16-dev libgoogle-perftools-dev
)
# Services and tools the tests use (real ones, started by tests/infra/ on loopback).
# Python apps and tests; the docs page's browser test; the image, registry and deploy services.
test_packages=(
  python3 python3-venv python3-pytest python3-requests python3-yaml python3-jwt python3-cryptography
  curl wrk nginx-light openssl
  chromium chromium-driver
  docker.io docker-registry skopeo umoci mmdebstrap apache2-utils
  python3-pip binutils
  openssh-server openssh-client iproute2 procps busybox-static
  python3-pocketsphinx pocketsphinx-en-us pocketsphinx-testdata
)

want=("${build_packages[@]}")
if [ "${1:-}" != "--build-only" ]; then
  want+=("${test_packages[@]}")
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
