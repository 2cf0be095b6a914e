#!/usr/bin/env bash
# Packages the Moodle plugin: copies the module and its PHP translation into
# moodle-block/wasm/ and writes dist/block_kuracloud.zip (a kuracloud/ folder, as
# Moodle's "Install plugins" expects). Expects scripts/build-wasm.sh to have run; fails
# when the zip's kuracloud.php is not exactly wasm2php's translation of its kuracloud.wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
cp dist/kuracloud.wasm moodle-block/wasm/kuracloud.wasm
cp dist/kuracloud.php moodle-block/wasm/kuracloud.php
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/kuracloud"
cp -r moodle-block/. "$stage/kuracloud/"
rm -f dist/block_kuracloud.zip
(cd "$stage" && zip -qr "$OLDPWD/dist/block_kuracloud.zip" kuracloud)
# The generated PHP in the zip is the translation of the zip's module, byte for byte.
check=$(mktemp -d)
unzip -q -o dist/block_kuracloud.zip kuracloud/wasm/kuracloud.wasm kuracloud/wasm/kuracloud.php -d "$check"
cargo run -q -p wasm2php -- "$check/kuracloud/wasm/kuracloud.wasm" "$check/translated.php"
if ! cmp -s "$check/translated.php" "$check/kuracloud/wasm/kuracloud.php"; then
  rm -rf "$check"
  echo "dist/block_kuracloud.zip: wasm/kuracloud.php is not the translation of wasm/kuracloud.wasm (run scripts/build-wasm.sh)" >&2
  exit 1
fi
rm -rf "$check"
echo "packaged dist/block_kuracloud.zip ($(stat -c %s dist/block_kuracloud.zip) bytes)"
