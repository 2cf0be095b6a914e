#!/usr/bin/env bash
# Packages the Moodle plugin: copies the module into moodle-block/wasm/ and writes
# dist/block_kuracloud.zip (a kuracloud/ folder, as Moodle's "Install plugins" expects).
# Expects scripts/build-wasm.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
cp dist/kuracloud.wasm moodle-block/wasm/kuracloud.wasm
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/kuracloud"
cp -r moodle-block/. "$stage/kuracloud/"
rm -f dist/block_kuracloud.zip
(cd "$stage" && zip -qr "$OLDPWD/dist/block_kuracloud.zip" kuracloud)
echo "packaged dist/block_kuracloud.zip ($(stat -c %s dist/block_kuracloud.zip) bytes)"
