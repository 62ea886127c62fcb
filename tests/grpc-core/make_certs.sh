#!/usr/bin/env bash
# Throwaway PKI for the TLS tests, into $1: ca.pem, server.{pem,key} (localhost,
# 127.0.0.1), client.{pem,key} (signed by ca), other-ca.pem (an unrelated CA).
set -euo pipefail
cd "$1"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
ca() {
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$1" 2>/dev/null
}
leaf() { # name subject extensions
    key "$1.key"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" \
        -days 2 -extfile <(printf '%s\n' "$3") 2>/dev/null
}
ca ca
ca other-ca
leaf server localhost "subjectAltName=DNS:localhost,IP:127.0.0.1"
leaf client client "extendedKeyUsage=clientAuth"
