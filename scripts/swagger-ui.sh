#!/usr/bin/env bash
# Fetches the Swagger UI files protogate embeds (swagger-ui-dist from npm, pinned and
# checked against its registry integrity) into openapi/assets/swagger-ui/ when missing.
# Needs npm and the npm registry once; later runs do nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

version=5.35.0
integrity=sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==
dest=openapi/assets/swagger-ui
files=(swagger-ui.css swagger-ui-bundle.js swagger-ui-standalone-preset.js favicon-32x32.png
    favicon-16x16.png LICENSE)

if [[ -f "$dest/VERSION" && "$(cat "$dest/VERSION")" == "$version" ]]; then
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetching swagger-ui-dist@$version" >&2
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$version" >/dev/null 2>"$tmp/npm.log") || {
    cat "$tmp/npm.log" >&2
    exit 1
}
tarball="$tmp/swagger-ui-dist-$version.tgz"
got=$(node -e 'const c = require("crypto"), fs = require("fs");
console.log("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$tarball")
if [[ "$got" != "$integrity" ]]; then
    echo "swagger-ui-dist@$version: integrity $got, expected $integrity" >&2
    exit 1
fi
tar -xzf "$tarball" -C "$tmp"
mkdir -p "$dest"
for f in "${files[@]}"; do
    cp "$tmp/package/$f" "$dest/$f"
done
echo "$version" >"$dest/VERSION"
