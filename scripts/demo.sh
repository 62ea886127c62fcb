#!/usr/bin/env bash
# Installs what is missing, builds protogate and shows what it serves for the example services.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh build
scripts/swagger-ui.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGW_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)"
build/gateway/protogate routes --descriptor-set build/examples/examples.pb
build/gateway/protogate openapi --descriptor-set build/examples/examples.pb --yaml | head -n 40
