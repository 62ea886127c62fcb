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

# corpus/fuzz_grpc_frames: <limit selector><4-byte chunking seed><gRPC message stream>.
out=corpus/fuzz_grpc_frames
mkdir -p "$out"
seed() { printf "$2" >"$out/$1"; }
seed two_messages '\005\022\064\126\170\000\000\000\000\003abc\000\000\000\000\000'
seed over_limit '\003\001\002\003\004\000\000\000\001\000xyz'
seed compressed '\005\011\011\011\011\001\000\000\000\002hi'
seed bad_flag '\005\001\001\001\001\002\000\000\000\001x'
seed truncated_body '\005\177\000\000\001\000\000\000\000\020abc'
seed truncated_prefix '\005\000\000\000\002\000\000\000'
seed empty_messages '\000\000\000\000\003\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
{ printf '\005\123\045\067\211\000\000\000\023\210'; head -c 5000 /dev/zero | tr '\0' 'm'; } \
    >"$out/large_message"
# Selector 11: gzip, 17: deflate (both with the 4 MiB limit).
/usr/bin/python3 - "$out" <<'PY'
import struct, sys, zlib
def frame(b, flag=1):
    return bytes([flag]) + struct.pack(">I", len(b)) + b
gz = zlib.compressobj(9, zlib.DEFLATED, 31)
g = gz.compress(b"hello hello hello hello") + gz.flush()
open(sys.argv[1] + "/gzip_messages", "wb").write(bytes([11, 1, 2, 3, 4]) + frame(g) + frame(b"ab", 0))
open(sys.argv[1] + "/deflate_message", "wb").write(bytes([17, 9, 8, 7, 6]) + frame(zlib.compress(b"x" * 100, 9)))
PY
