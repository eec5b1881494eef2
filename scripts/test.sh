#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test label except gpu.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/setup.sh
scripts/build.sh
echo "build: done in $(( $(date +%s) - start )) s"
ctest --test-dir "${AURIS_BUILD_DIR:-build}" -LE gpu --output-on-failure -j"$(nproc)" \
  --timeout 900
echo "tests: done in $(( $(date +%s) - start )) s since start"
