#!/usr/bin/env bash
# Unary throughput and tail latency of the C Greeter (examples/greeter_server) against
# the Python tutorial's (examples/python/greeter_server.py, grpcio), both driven by
# h2load on one connection with the same pre-encoded HelloRequest, at 1, 16 and 128
# concurrent streams. Each point runs REPEAT times (default 3); the table shows medians.
#
#   bench/grpc_server_bench.sh            DURATION=5 REPEAT=3 STREAMS="1 16 128"
#
# Not a test: the numbers depend on the machine and its load (printed with them).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5}
REPEAT=${REPEAT:-3}
STREAMS=${STREAMS:-"1 16 128"}
GOOGLEAPIS=${GW_GOOGLEAPIS_INCLUDE:-/usr/share/gocode/src/github.com/gogo/googleapis}
BUILD=build-bench

scripts/deps.sh test
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc >/dev/null
nice cmake --build "$BUILD" -j 2 --target greeter_server >/dev/null

work=$(mktemp -d /tmp/grpc-bench-XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The request: the 5-byte gRPC prefix, then HelloRequest{name: "world"}.
echo 'name: "world"' | protoc --encode=helloworld.HelloRequest -Iexamples -I"$GOOGLEAPIS" \
    -I/usr/include examples/helloworld.proto >"$work/msg.bin"
python3 - "$work/msg.bin" "$work/req.bin" <<'PY'
import struct, sys
msg = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(struct.pack(">BI", 0, len(msg)) + msg)
PY

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts a server in the background; waits until it prints its first line.
start() {
    local log=$1; shift
    nice "$@" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        [[ -s "$log" ]] && return 0
        sleep 0.1
    done
    echo "server did not start: $*" >&2
    cat "$log" >&2
    exit 1
}

# One h2load run: prints "REQ_PER_S P99_MS FAILED".
run_once() {
    local port=$1 streams=$2 log="$work/h2load.log"
    local out
    rm -f "$log" # h2load appends to its log: one run's latencies only
    out=$(nice h2load -c 1 -t 1 -m "$streams" -D "$DURATION" --warm-up-time 1 -d "$work/req.bin" \
        -H 'content-type: application/grpc' -H 'te: trailers' --log-file "$log" \
        "http://127.0.0.1:$port/helloworld.Greeter/SayHello")
    local rps failed
    rps=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
    failed=$(sed -n 's/^requests: .* \([0-9]*\) failed.*/\1/p' <<<"$out")
    # --log-file lines: start time (us), HTTP status, response time (us).
    local p99
    p99=$(awk '{print $3}' "$log" | sort -n | awk '{v[NR]=$1} END {
        if (NR == 0) { print "nan"; exit }
        i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000 }')
    echo "$rps $p99 ${failed:-?}"
}

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR + 1) / 2)]}'; }

declare -A RPS P99 FAIL
bench() {
    local name=$1 port=$2
    for m in $STREAMS; do
        local r=() p=() f=0
        for _ in $(seq "$REPEAT"); do
            read -r rps p99 failed < <(run_once "$port" "$m")
            r+=("$rps"); p+=("$p99")
            [[ "$failed" == "0" ]] || f=1
        done
        RPS[$name,$m]=$(printf '%s\n' "${r[@]}" | median)
        P99[$name,$m]=$(printf '%s\n' "${p[@]}" | median)
        FAIL[$name,$m]=$f
    done
}

cport=$(free_port)
start "$work/c.log" "$BUILD/examples/greeter_server" --port "$cport"
bench c "$cport"
kill "${pids[-1]}"

pport=$(free_port)
start "$work/py.log" /usr/bin/python3 examples/python/greeter_server.py --port "$pport"
bench py "$pport"

echo
echo "Greeter SayHello, one h2c connection, ${DURATION}s per run, median of $REPEAT;" \
     "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
printf '%-8s | %12s %10s | %12s %10s | %8s\n' streams "C req/s" "C p99 ms" "py req/s" \
    "py p99 ms" "C / py"
for m in $STREAMS; do
    ratio=$(awk -v a="${RPS[c,$m]}" -v b="${RPS[py,$m]}" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }')
    flag=""
    [[ "${FAIL[c,$m]}${FAIL[py,$m]}" == "00" ]] || flag="  (some requests failed)"
    printf '%-8s | %12s %10s | %12s %10s | %8s%s\n' "$m" "${RPS[c,$m]}" "${P99[c,$m]}" \
        "${RPS[py,$m]}" "${P99[py,$m]}" "$ratio" "$flag"
done
