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

# ---- Fuzz smoke run ------------------------------------------------------------------
# Every libFuzzer target (tests/fuzz, built with clang -DGW_FUZZ=ON into build-fuzz/) runs
# $GW_FUZZ_SECONDS (default 30) seconds from its seed corpus under ASan + UBSan; a crash,
# leak, timeout or sanitizer report fails the run. New inputs go to a scratch directory.
fuzz_seconds=${GW_FUZZ_SECONDS:-30}
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DGW_FUZZ=ON -DGW_TESTS=OFF >/dev/null
cmake --build build-fuzz/tests/fuzz -j "$(nproc)"
fuzz_scratch=$(mktemp -d)
trap 'rm -rf "$fuzz_scratch"' EXIT
for fuzzer in build-fuzz/tests/fuzz/fuzz_*; do
    [[ -x $fuzzer && -f $fuzzer ]] || continue
    name=$(basename "$fuzzer")
    args=(-max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
          -artifact_prefix="$fuzz_scratch/$name-")
    [[ $name == *json* ]] && args+=(-dict=tests/fuzz/dict/json.dict)
    mkdir -p "$fuzz_scratch/$name"
    echo "fuzz: $name for ${fuzz_seconds}s"
    if ! "$fuzzer" "${args[@]}" "$fuzz_scratch/$name" "tests/fuzz/corpus/$name" \
            >"$fuzz_scratch/$name.log" 2>&1; then
        tail -n 60 "$fuzz_scratch/$name.log"
        echo "fuzz: $name found a failure (input above)" >&2
        exit 1
    fi
    grep -E '^stat::number_of_executed_units' "$fuzz_scratch/$name.log" || true
done
