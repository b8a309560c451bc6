#!/usr/bin/env bash
# Installs what panelwire needs to build, run and test, from Debian 12 packages.
# Idempotent: packages already present are left alone and apt is not touched.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev libjwt-dev libhiredis-dev libsqlite3-dev libicu-dev redis-server haproxy curl
  libcurl4-openssl-dev libssl-dev openssl chromium prometheus-cpp-dev
  googletest libgtest-dev libgmock-dev
  # deploy/fuzz.sh: libFuzzer lives in libclang-rt (only recommended by clang);
  # llvm puts llvm-symbolizer on the PATH for readable sanitizer reports.
  clang libclang-rt-14-dev llvm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
