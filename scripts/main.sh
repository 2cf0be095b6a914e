#!/usr/bin/env bash
# The main job: install what is needed, build the module, the Moodle plugin zip
# (dist/block_kuracloud.zip) and host-runner, and run the demo (a simulator, a
# connection, courses, a mapping, a student sync and a grade sync).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-wasm.sh
scripts/package-block.sh
cargo build -q --release -p kuracloud-host-runner -p kuracloud-php
echo "built ${CARGO_TARGET_DIR:-target}/release/libkuracloud_php.so (the PHP extension; install: docs/php-extension.md)"
echo "built dist/block_kuracloud.zip (the Moodle plugin with the module inside)"
"${CARGO_TARGET_DIR:-target}/release/host-runner" demo
