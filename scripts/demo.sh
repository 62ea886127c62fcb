#!/usr/bin/env bash
# Installs what is missing, builds protogate and the example backends, runs them on
# 127.0.0.1 with the gateway in front on :8080, prints what to try, and stays in the
# foreground until Ctrl-C (which stops every process it started).
#   GW_DEMO_PORT=8080 GREETER_PORT=50051 ROUTE_GUIDE_PORT=50052 RECO_PORT=50053 scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

gw_port=${GW_DEMO_PORT:-8080}
greeter_port=${GREETER_PORT:-50051}
route_port=${ROUTE_GUIDE_PORT:-50052}
reco_port=${RECO_PORT:-50053}

scripts/deps.sh build
scripts/swagger-ui.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGW_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)"
build/gateway/protogate routes --descriptor-set build/examples/examples.pb

pids=()
config=$(mktemp --suffix=.json)
cleanup() {
    trap - EXIT INT TERM
    [[ ${#pids[@]} -eq 0 ]] || kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -f "$config"
}
trap cleanup EXIT INT TERM

# The example backends, written in C on grpc-core.
build/examples/greeter_server --listen "127.0.0.1:$greeter_port" &
pids+=($!)
build/examples/route_guide_server --listen "127.0.0.1:$route_port" &
pids+=($!)
build/examples/reco_server --listen "127.0.0.1:$reco_port" &
pids+=($!)

cat >"$config" <<JSON
{"services": {"helloworld.Greeter": {"backend": "127.0.0.1:$greeter_port"},
              "routeguide.RouteGuide": {"backend": "127.0.0.1:$route_port"},
              "reco.UserRecommend": {"backend": "127.0.0.1:$reco_port"}}}
JSON
build/gateway/protogate --descriptor-set build/examples/examples.pb --config "$config" \
    --listen "127.0.0.1:$gw_port" &
pids+=($!)

for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$gw_port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done

base="http://127.0.0.1:$gw_port"
cat <<TXT

protogate is serving on $base (Ctrl-C stops everything). Try:

  curl -s -X POST $base/v1/hello -d '{"name":"world"}'
  curl -s $base/v1/hello/ada
  curl -s '$base/v1/features/409146138/-746188906'
  curl -s '$base/v1/features?lo.latitude=400000000&lo.longitude=-750000000&hi.latitude=420000000&hi.longitude=-730000000'
  curl -s -H 'Accept: text/event-stream' $base/v1/hello/ada/stream
  curl -s -X POST $base/v1/routes:record -d '{"latitude":407838351,"longitude":-746143763}
{"latitude":408122808,"longitude":-743999179}'
  curl -s '$base/v1/users/1/recommendations?category=SCIENCE_FICTION&max_results=2'
  curl -s $base/healthz
  open $base/swagger-ui/

TXT
wait -n "${pids[@]}"
