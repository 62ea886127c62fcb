#!/usr/bin/env bash
# Installs the Debian packages protogate needs that are missing; says nothing when all are there.
#   scripts/deps.sh build   what building the gateway needs
#   scripts/deps.sh test    that, plus what the tests run against
set -euo pipefail

build_pkgs=(
    cmake pkg-config gcc make clang
    libmicrohttpd-dev libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler
    protobuf-compiler libprotobuf-dev libcjson-dev libssl-dev zlib1g-dev
    grpc-proto                                         # health, reflection protos
    golang-google-grpc-dev                             # the route_guide tutorial's feature db
    golang-github-gogo-googleapis-dev                  # google/api and google/rpc protos
    nodejs                                             # npm fetches the Swagger UI files
)
test_pkgs=(
    libcriterion-dev clang-format python3-grpcio python3-protobuf python3-grpc-tools curl nghttp2-client
    valgrind chromium python3-yaml
    nghttp2-server                                     # nghttpd: an h2c peer without grpc-status
    docker-compose                                     # checks docker/compose.yaml
)

case "${1:-build}" in
build) wanted=("${build_pkgs[@]}") ;;
test) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# Some images ship npm inside their nodejs package; Debian's own nodejs needs the npm package.
if ! command -v npm >/dev/null; then
    missing+=(npm)
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
