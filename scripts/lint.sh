#!/usr/bin/env bash
# Source checks: unsafe C library functions stay out, and the code stays formatted.
set -euo pipefail
cd "$(dirname "$0")/.."

sources=$(git ls-files '*.c' '*.h')
banned='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets)\s*\('
if hits=$(grep -nE "$banned" $sources); then
    echo "banned functions (use snprintf, memcpy with lengths, strtol, ...):" >&2
    echo "$hits" >&2
    exit 1
fi
if ! clang-format --dry-run --Werror $sources; then
    echo "run: clang-format -i \$(git ls-files '*.c' '*.h')" >&2
    exit 1
fi
