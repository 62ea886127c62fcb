#!/usr/bin/env bash
# Writes the OpenAPI 3.1 and Swagger 2.0 documents (JSON and YAML) of each descriptor set
# and validates them with @apidevtools/swagger-parser; a document broken on purpose must fail.
#   validate.sh PROTOGATE OUTDIR DESCRIPTOR_SET...
set -euo pipefail
protogate=$1 out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
# A set without services must still make a valid (empty) document.
protoc -I/usr/include --include_imports --descriptor_set_out="$out/no_services.pb" \
    google/protobuf/timestamp.proto
docs=()
for pb in "$@" "$out/no_services.pb"; do
    name=$(basename "$pb" .pb)
    for fmt in 3.1 2.0; do
        "$protogate" openapi --descriptor-set "$pb" --format "$fmt" >"$out/$name.$fmt.json"
        "$protogate" openapi --descriptor-set "$pb" --format "$fmt" --yaml >"$out/$name.$fmt.yaml"
        "$protogate" openapi --descriptor-set "$pb" --format "$fmt" --proto-names \
            >"$out/$name.$fmt.proto_names.json"
        docs+=("$out/$name.$fmt.json" "$out/$name.$fmt.yaml" "$out/$name.$fmt.proto_names.json")
    done
done
node "$here/validate.mjs" "${docs[@]}"

# The validator must not be a formality: an unknown parameter location is an error.
sed 's/"in": "query"/"in": "querystring"/' "$out/$(basename "$1" .pb).3.1.json" >"$out/broken.json"
if node "$here/validate.mjs" "$out/broken.json" 2>/dev/null; then
    echo "the validator accepted a broken document" >&2
    exit 1
fi
echo "a broken document is rejected"
