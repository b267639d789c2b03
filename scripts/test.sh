#!/usr/bin/env bash
# Builds winports with warnings as errors and runs the whole test suite (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
WINPORTS_CMAKE_ARGS="-DWINPORTS_WERROR=ON ${WINPORTS_CMAKE_ARGS:-}" bash scripts/setup.sh
ctest --test-dir build --output-on-failure -j2
