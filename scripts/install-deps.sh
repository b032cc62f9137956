#!/usr/bin/env bash
# Installs the Debian 12 packages Sonde needs to build, test and benchmark.
# Only what is missing is installed; nothing is downloaded outside apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libzmq3-dev cppzmq-dev libmsgpack-cxx-dev libuv1-dev liblmdb-dev lmdb-utils
  libspdlog-dev libfmt-dev libcurl4-openssl-dev node-llhttp nlohmann-json3-dev
  libcli11-dev libtomlplusplus-dev libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev
  nginx-light wrk curl procps
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: need root to install: ${missing[*]}" >&2
    echo "install-deps: run this script as root, or install those packages with apt-get" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
