#!/usr/bin/env bash
# Installs what the build and the tests need, idempotently: the wasm32 Rust target,
# and Debian packages (PHP 8.2 with headers for the extension, clang for ext-php-rs'
# bindgen, binaryen's wasm-opt). Safe to run again: it only installs what is missing.
set -euo pipefail

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

packages=(php8.2-cli php8.2-dev php8.2-curl php8.2-mbstring php8.2-xml clang libclang-dev binaryen zip unzip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}"
fi

# The JavaScript package (js/, built by js/build.sh): Node.js 18+ (its tests), Debian's
# chromium (the browser page's test), and wasm-pack with the wasm-bindgen-cli matching the
# wasm-bindgen crate pinned in wasm-js/Cargo.toml, built from crates.io (wasm-pack cannot
# download prebuilt tools here). Skipped when the right versions are installed; building
# both takes about 10 minutes on 2 cores.
js_missing=()
if ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)' 2>/dev/null; then
  js_missing+=(nodejs npm)
fi
command -v chromium >/dev/null || js_missing+=(chromium)
if [ ${#js_missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${js_missing[@]}"
fi
wasm_pack_version=0.15.1
wasm_bindgen_version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' "$(dirname "$0")/../wasm-js/Cargo.toml")
[ -n "$wasm_bindgen_version" ] || { echo "no pinned wasm-bindgen version in wasm-js/Cargo.toml" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
  # Without --locked (with it, wasm-bindgen-cli does not build here), and without the
  # TLS feature, which only wasm-bindgen-test-runner uses (to download browser drivers).
  cargo install --quiet wasm-bindgen-cli --version "$wasm_bindgen_version" --no-default-features
fi
if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $wasm_pack_version" ]; then
  cargo install --quiet wasm-pack --version "$wasm_pack_version"
fi
