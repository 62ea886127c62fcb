#!/usr/bin/env bash
# protogate openapi as a user runs it: options, errors and exit statuses.
#   cli.sh PROTOGATE DESCRIPTOR_SET
set -uo pipefail
protogate=$1 pb=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# expect STATUS GREP-PATTERN(stream=out|err) -- ARGS...
expect() {
    local status=$1 stream=$2 pattern=$3
    shift 4
    "$protogate" openapi "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [[ $got -ne $status ]] || ! grep -q -- "$pattern" "$tmp/$stream"; then
        echo "FAIL: openapi $*: status $got (want $status), $stream lacks '$pattern'" >&2
        sed 's/^/  | /' "$tmp/err" | head -5 >&2
        failed=1
    else
        echo "ok: openapi $* -> $status"
    fi
}

expect 0 out '"openapi": "3.1.0"' -- --descriptor-set "$pb"
expect 0 out '"swagger": "2.0"' -- --descriptor-set "$pb" --format 2.0
expect 0 out '^openapi: "3.1.0"' -- --descriptor-set "$pb" --yaml
expect 0 out '"page_size"\|"user_id"' -- --descriptor-set "$pb" --proto-names
expect 0 out 'usage: protogate openapi' -- --help
expect 2 err 'no --descriptor-set' --
expect 2 err "bad option '--format'" -- --descriptor-set "$pb" --format 4.0
expect 2 err "bad option '--nope'" -- --descriptor-set "$pb" --nope
expect 1 err 'missing.pb' -- --descriptor-set "$tmp/missing.pb"

mkdir "$tmp/ui"
expect 0 out '"paths"' -- --descriptor-set "$pb" --swagger-ui-dir "$tmp/ui"
for f in index.html swagger-ui.css swagger-ui-bundle.js swagger-ui-standalone-preset.js; do
    [[ -s "$tmp/ui/$f" ]] || { echo "FAIL: --swagger-ui-dir wrote no $f" >&2; failed=1; }
done
exit $failed
