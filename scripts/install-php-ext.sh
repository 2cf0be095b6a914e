#!/usr/bin/env bash
# Builds the PHP extension (release) and enables it for this machine's PHP 8.2 (every
# SAPI, through Debian's phpenmod), as docs/php-extension.md tells administrators.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p kuracloud-php
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo install -m 0644 "${CARGO_TARGET_DIR:-target}/release/libkuracloud_php.so" "$(php-config --extension-dir)/kuracloud.so"
echo "extension=kuracloud" | $sudo tee /etc/php/8.2/mods-available/kuracloud.ini >/dev/null
$sudo phpenmod kuracloud
php -r 'exit(extension_loaded("kuracloud") ? 0 : 1);' && echo "kuracloud extension enabled"
