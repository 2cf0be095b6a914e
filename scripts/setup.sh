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
