#!/usr/bin/env bash
# Builds the kuraCloud module: core + wasm ABI for wasm32-unknown-unknown with the
# `wasm` profile (opt-level "s", LTO, stripped, panic=abort), then shrinks it with
# wasm-opt when present. Output: dist/kuracloud.wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p kuracloud-wasm --target wasm32-unknown-unknown --profile wasm
mkdir -p dist
raw=target/wasm32-unknown-unknown/wasm/kuracloud_wasm.wasm
if command -v wasm-opt >/dev/null 2>&1; then
  # Debian's binaryen 108 needs the features rustc emits named explicitly.
  wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
    "$raw" -o dist/kuracloud.wasm.tmp
  mv dist/kuracloud.wasm.tmp dist/kuracloud.wasm
else
  cp "$raw" dist/kuracloud.wasm
fi
echo "built dist/kuracloud.wasm ($(stat -c %s dist/kuracloud.wasm) bytes)"
