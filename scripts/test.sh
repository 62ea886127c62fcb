#!/usr/bin/env bash
# Installs what is missing, checks that gcc builds it warning-free at -O3, builds with
# clang ASan + UBSan and runs every test there.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test
scripts/swagger-ui.sh
scripts/lint.sh
cmake -S . -B build-gcc -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc >/dev/null
cmake --build build-gcc -j "$(nproc)" >/dev/null
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Asan -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-asan -j "$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
