#!/usr/bin/env bash
# The whole test suite: installs missing packages, builds, runs every test
# through CTest. With CI=true warnings are errors. SONDE_TEST_ASAN=1 also
# builds and runs the suite under AddressSanitizer + UBSan in build-asan/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"

run_suite() {
  local dir=$1; shift
  SONDE_BUILD_DIR=$dir "$root/scripts/build.sh" "$@"
  ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" --timeout 300
}

werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
run_suite "$root/build" -DSONDE_WERROR=$werror
if [ "${SONDE_TEST_ASAN:-}" = "1" ]; then
  echo "== the same suite under AddressSanitizer + UBSan =="
  run_suite "$root/build-asan" -DSONDE_SANITIZE=address -DSONDE_BUILD_BENCH=OFF -DSONDE_WERROR=$werror
fi
