#!/usr/bin/env bash
# Rebuilds the binary seeds of corpus/fuzz_fds_load from tests/data/proto/pbd (small sets:
# no source info). Run from anywhere; needs protoc and the google/api protos.
set -euo pipefail
cd "$(dirname "$0")"
root=../data/proto
api=/usr/share/gocode/src/github.com/grpc-ecosystem/grpc-gateway/third_party/googleapis
out=corpus/fuzz_fds_load
for proto in types2 types3 library group dup_a bad/template bad/var_message; do
    name=$(echo "$proto" | tr / _)
    protoc -I"$root" -I"$api" -I/usr/include --include_imports \
        --descriptor_set_out="$out/$name.pb" "pbd/$proto.proto"
done
