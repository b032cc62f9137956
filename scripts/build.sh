#!/usr/bin/env bash
# Configures and builds Sonde into ${SONDE_BUILD_DIR:-build} with Ninja (and
# ccache when present). Extra arguments go to cmake, e.g. -DSONDE_SANITIZE=address.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SONDE_BUILD_DIR:-$root/build}
jobs=${SONDE_JOBS:-$(nproc)}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${SONDE_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
ninja -C "$build" -j "$jobs"
