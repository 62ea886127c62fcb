#!/usr/bin/env bash
# The gateway benchmark: builds a release protogate and the C bench backend
# (bench.v1.Greeter on grpc-core), starts both on loopback, drives protogate with wrk
# and the backend with h2load, and prints a table. See README.md, "Benchmark".
#
#   bench/run.sh                  the table: hello, echo, count x 16 and 64 connections,
#                                 and the backend alone under h2load
#   bench/run.sh --mode scale     1 .. 1000 keep-alive connections on /v1/hello
#   bench/run.sh --mode inflight  1000 calls held 100 ms by the backend: threads and RSS
#   bench/run.sh --mode large     a 1 MiB JSON body to a 1 MiB message and back: MB/s
#   bench/run.sh --mode server --cpp-server PATH
#                                 the grpc-core server against a C++ gRPC server (h2load)
#   bench/run.sh --mode all       all of the above
# Options: --duration S (default 5), --conns "16 64", --build DIR (default build-bench),
#          --cpp-server PATH (a bench.v1.Greeter C++ server taking --addr HOST:PORT),
#          --gateway-args "ARGS" (more protogate flags, e.g. "--threads 2").
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-bench
MODE=table
DUR=5
CONNS="16 64"
CPP_SERVER=""
GATEWAY_ARGS=""
while [ $# -gt 0 ]; do
    case $1 in
    --mode) MODE=$2; shift 2 ;;
    --duration) DUR=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --cpp-server) CPP_SERVER=$2; shift 2 ;;
    --gateway-args) GATEWAY_ARGS=$2; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (--help)" >&2; exit 2 ;;
    esac
done
for tool in cmake wrk h2load curl python3; do
    command -v $tool >/dev/null || { echo "run.sh: $tool is missing (scripts/deps.sh)" >&2; exit 2; }
done

echo "building release binaries into $BUILD ..."
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGW_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target protogate bench_backend bench_pb >/dev/null
GATEWAY=$BUILD/gateway/protogate
BACKEND=$BUILD/bench/bench_backend
PB=$BUILD/bench/bench.pb
WORK=$BUILD/bench-run
mkdir -p "$WORK"
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
HZ=$(getconf CLK_TCK)

# ---- processes (each ended by its PID) ----
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME LOGFILE CMD...: runs CMD, waits for "listening on HOST:PORT", sets PID and PORT.
start() {
    local name=$1 log=$2
    shift 2
    "$@" >"$log" 2>&1 &
    PID=$!
    PIDS+=("$PID")
    for _ in $(seq 100); do
        PORT=$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p; s/.*listening on [0-9.]*:\([0-9]*\)$/\1/p' "$log" | head -1)
        [ -n "$PORT" ] && [ "$PORT" != 0 ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "run.sh: $name did not start:" >&2
    cat "$log" >&2
    exit 1
}
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
start_backend() { start backend "$WORK/backend.log" "$BACKEND" --listen 127.0.0.1:0 "$@"; BPID=$PID; BPORT=$PORT; }
start_gateway() {
    start protogate "$WORK/gateway.log" "$GATEWAY" --descriptor-set "$PB" --listen 127.0.0.1:0 \
        --backend "127.0.0.1:$BPORT" $GATEWAY_ARGS "$@"
    GPID=$PID
    GPORT=$PORT
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk "/^$2:/{print \$2}" "/proc/$1/status"; }
reset_peak() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }
field() { sed -n "s/.*[ ]$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# ---- payloads and gRPC frames ----
printf '{"name":"world"}' >"$WORK/hello.json"
cp "$ROOT/bench/echo.json" "$WORK/echo.json"
frame() { # JSON file, message type -> length-prefixed gRPC frame
    "$GATEWAY" transcode --descriptor-set "$PB" --type "$2" --to-binary <"$1" >"$WORK/msg.bin"
    python3 -c 'import sys,struct; b=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(b"\0"+struct.pack(">I",len(b))+b)' "$WORK/msg.bin"
}
frame "$WORK/hello.json" bench.v1.HelloRequest >"$WORK/hello.grpc"
frame "$WORK/echo.json" bench.v1.EchoRequest >"$WORK/echo.grpc"

ROW_FMT="%-22s %6s %10s %9s %9s %10s %11s %7s\n"
# header FIRST [CONC]: the concurrency column is connections (wrk) or streams (h2load).
header() { printf "$ROW_FMT" "$1" "${2:-conns}" "req/s" "p50 ms" "p99 ms" "cpu us/req" "peak MiB" errors; }

# wrk_row LABEL PATH BODY CONNS: one wrk run against the gateway, one table row.
wrk_row() {
    local label=$1 path=$2 body=$3 c=$4 t=$(($4 < 2 ? $4 : 2))
    BODY_FILE=$body wrk -t"$t" -c"$c" -d1s -s "$ROOT/bench/wrk.lua" "http://127.0.0.1:$GPORT$path" >/dev/null 2>&1 || true
    reset_peak "$GPID"
    local c0 r c1
    c0=$(cpu_ticks "$GPID")
    r=$(BODY_FILE=$body wrk -t"$t" -c"$c" -d"${DUR}s" --timeout 10s -s "$ROOT/bench/wrk.lua" \
        "http://127.0.0.1:$GPORT$path" 2>&1 | grep RESULT || true)
    c1=$(cpu_ticks "$GPID")
    local n
    n=$(field requests "$r")
    printf "$ROW_FMT" "$label" "$c" "$(field rps "$r")" \
        "$(awk -v v="$(field p50_us "$r")" 'BEGIN{printf "%.2f", v/1000}')" \
        "$(awk -v v="$(field p99_us "$r")" 'BEGIN{printf "%.2f", v/1000}')" \
        "$(awk -v t=$((c1 - c0)) -v n="$n" -v hz="$HZ" 'BEGIN{printf "%.1f", n ? t*1e6/hz/n : 0}')" \
        "$(awk -v k="$(rss_kib "$GPID" VmHWM)" 'BEGIN{printf "%.1f", k/1024}')" "$(field errors "$r")"
}

# h2load_row LABEL PID PORT METHOD FRAME STREAMS: the server alone, 1 connection x STREAMS.
h2load_row() {
    local label=$1 pid=$2 port=$3 method=$4 fr=$5 m=$6
    h2load -c1 -m"$m" -D1 -d "$fr" -H 'content-type: application/grpc' -H 'te: trailers' \
        "http://127.0.0.1:$port/bench.v1.Greeter/$method" >/dev/null 2>&1 || true
    reset_peak "$pid"
    local c0 out c1
    c0=$(cpu_ticks "$pid")
    rm -f "$WORK/h2load.log" # h2load appends to its log: one run's latencies only
    out=$(h2load -c1 -m"$m" -D"$DUR" -d "$fr" -H 'content-type: application/grpc' \
        -H 'te: trailers' --log-file="$WORK/h2load.log" "http://127.0.0.1:$port/bench.v1.Greeter/$method" 2>&1 || true)
    c1=$(cpu_ticks "$pid")
    local rps n errs lat
    rps=$(sed -n 's/.*finished in [0-9.]*[a-z]*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
    n=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$out")
    errs=$(sed -n 's/^requests: .* \([0-9]*\) failed.*/\1/p' <<<"$out")
    lat=$(awk '{print $3}' "$WORK/h2load.log" | sort -n | awk '{v[NR]=$1} END{if(NR) printf "%.2f %.2f", v[int(NR*0.5)+1]/1000, v[int(NR*0.99)+1]/1000; else print "- -"}')
    printf "$ROW_FMT" "$label" "$m" "$rps" ${lat} \
        "$(awk -v t=$((c1 - c0)) -v n="${n:-0}" -v hz="$HZ" 'BEGIN{printf "%.1f", n ? t*1e6/hz/n : 0}')" \
        "$(awk -v k="$(rss_kib "$pid" VmHWM)" 'BEGIN{printf "%.1f", k/1024}')" "${errs:-?}"
}

mode_table() {
    echo
    echo "== protogate (wrk, HTTP/1.1 keep-alive) -> C backend; ${DUR}s per run =="
    header endpoint
    start_backend
    start_gateway
    for ep in hello echo count; do
        for c in $CONNS; do
            case $ep in
            hello) wrk_row "POST /v1/hello" /v1/hello "$WORK/hello.json" "$c" ;;
            echo) wrk_row "POST /v1/echo" /v1/echo "$WORK/echo.json" "$c" ;;
            count) wrk_row "GET /v1/count/10" /v1/count/10 "" "$c" ;;
            esac
        done
    done
    echo "(cpu and peak: protogate's CPU per request and peak RSS)"
    echo
    echo "== the backend alone (h2load, 1 connection x N streams) =="
    header "gRPC method" streams
    for c in $CONNS; do
        h2load_row "SayHello" "$BPID" "$BPORT" SayHello "$WORK/hello.grpc" "$c"
        h2load_row "Echo" "$BPID" "$BPORT" Echo "$WORK/echo.grpc" "$c"
    done
    echo "(cpu and peak here: the backend's)"
    stop "$GPID"
    stop "$BPID"
}

mode_scale() {
    echo
    echo "== protogate from 1 to 1000 keep-alive connections, POST /v1/hello =="
    header endpoint
    start_backend
    start_gateway
    for c in 1 16 64 256 1000; do
        wrk_row "POST /v1/hello" /v1/hello "$WORK/hello.json" "$c"
    done
    echo "threads: $(ls "/proc/$GPID/task" | wc -l)"
    stop "$GPID"
    stop "$BPID"
}

mode_inflight() {
    echo
    echo "== 1000 calls in flight (the backend holds each 100 ms) =="
    start_backend --delay-ms 100
    start_gateway
    curl -s -o /dev/null -X POST -d @"$WORK/hello.json" "http://127.0.0.1:$GPORT/v1/hello"
    local t0 r0 t1 r1 peak=0 tmax=0 tmin=100000
    t0=$(ls "/proc/$GPID/task" | wc -l)
    r0=$(rss_kib "$GPID" VmRSS)
    BODY_FILE=$WORK/hello.json wrk -t2 -c1000 -d"$((DUR + 1))s" --timeout 10s \
        -s "$ROOT/bench/wrk.lua" "http://127.0.0.1:$GPORT/v1/hello" >"$WORK/inflight.txt" 2>&1 &
    local wpid=$!
    PIDS+=("$wpid")
    sleep 1
    for _ in $(seq $((DUR * 4))); do
        r1=$(rss_kib "$GPID" VmRSS)
        t1=$(ls "/proc/$GPID/task" | wc -l)
        [ "$r1" -gt "$peak" ] && peak=$r1
        [ "$t1" -gt "$tmax" ] && tmax=$t1
        [ "$t1" -lt "$tmin" ] && tmin=$t1
        sleep 0.25
    done
    wait "$wpid" || true
    local r
    r=$(grep RESULT "$WORK/inflight.txt")
    echo "idle: $t0 threads, RSS $r0 KiB"
    echo "1000 in flight: $tmin..$tmax threads, RSS up to $peak KiB" \
        "($(awk -v a="$peak" -v b="$r0" 'BEGIN{printf "%.1f", (a-b)/1000}') KiB per call in flight)"
    echo "wrk: $(field rps "$r") req/s (1000 connections / 0.1 s = 10000 at most)," \
        "p99 $(awk -v v="$(field p99_us "$r")" 'BEGIN{printf "%.1f", v/1000}') ms, errors $(field errors "$r")"
    stop "$GPID"
    stop "$BPID"
}

mode_large() {
    echo
    echo "== a 1 MiB JSON body (bytes field, base64) to Echo and back =="
    python3 -c 'import base64,json,os; print(json.dumps({"blob": base64.b64encode(os.urandom(786432)).decode()}))' \
        >"$WORK/large.json"
    start_backend
    start_gateway
    local size
    size=$(stat -c %s "$WORK/large.json")
    curl -s -o "$WORK/large.out" -X POST --data-binary @"$WORK/large.json" "http://127.0.0.1:$GPORT/v1/echo"
    python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a["blob"]!=b["echo"]["blob"])' \
        "$WORK/large.json" "$WORK/large.out" || { echo "run.sh: the 1 MiB echo came back different" >&2; exit 1; }
    local idle
    idle=$(rss_kib "$GPID" VmRSS)
    header endpoint
    wrk_row "POST /v1/echo 1MiB" /v1/echo "$WORK/large.json" 1
    local peak1
    peak1=$(rss_kib "$GPID" VmHWM)
    wrk_row "POST /v1/echo 1MiB" /v1/echo "$WORK/large.json" 4
    local r
    r=$(BODY_FILE=$WORK/large.json wrk -t1 -c1 -d"${DUR}s" -s "$ROOT/bench/wrk.lua" \
        "http://127.0.0.1:$GPORT/v1/echo" 2>&1 | grep RESULT)
    echo "body $size B; 1 connection: $(awk -v n="$(field rps "$r")" -v s="$size" 'BEGIN{printf "%.1f", n*s/1e6}') MB/s of JSON in" \
        "(and as much out); RSS idle $idle KiB, peak with one call $peak1 KiB" \
        "($(awk -v a="$peak1" -v b="$idle" -v s="$size" 'BEGIN{printf "%.1f", (a-b)*1024/s}') x the body)"
    stop "$GPID"
    stop "$BPID"
}

mode_server() {
    echo
    echo "== gRPC servers alone: grpc-core (bench_backend) vs C++ (h2load, 1 connection) =="
    header "server SayHello" streams
    start_backend
    for m in 16 64; do h2load_row "grpc-core" "$BPID" "$BPORT" SayHello "$WORK/hello.grpc" "$m"; done
    stop "$BPID"
    if [ -z "$CPP_SERVER" ]; then
        echo "(no --cpp-server PATH: the C++ server is not measured)"
        return
    fi
    local port=$((20000 + RANDOM % 40000))
    "$CPP_SERVER" --addr "127.0.0.1:$port" >"$WORK/cpp.log" 2>&1 &
    local cpid=$!
    PIDS+=("$cpid")
    for _ in $(seq 50); do
        curl -s -o /dev/null --http2-prior-knowledge "http://127.0.0.1:$port/" && break
        sleep 0.1
    done
    for m in 16 64; do h2load_row "C++ gRPC" "$cpid" "$port" SayHello "$WORK/hello.grpc" "$m"; done
    stop "$cpid"
}

case $MODE in
table | scale | inflight | large | server) "mode_$MODE" ;;
all) for m in table scale inflight large server; do "mode_$m"; done ;;
*) echo "run.sh: unknown mode $MODE" >&2; exit 2 ;;
esac
