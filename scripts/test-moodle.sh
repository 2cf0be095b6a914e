#!/usr/bin/env bash
# Moodle PHPUnit for block_kuracloud in a real Moodle (../shared/moodle installs one).
# Skips unless MOODLE_DIR names the Moodle checkout (CI cannot download Moodle).
# Builds and enables the extension, packages and installs the plugin, starts the
# simulator, and runs the plugin's testsuite with KC_SIM_URL set.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MOODLE_DIR:-}" ]; then
  echo "MOODLE_DIR is not set: Moodle PHPUnit skipped (see ../shared/moodle/README.md)"
  exit 0
fi
harness="${MOODLE_HARNESS:-$(cd .. && pwd)/shared/moodle}"
scripts/install-php-ext.sh
scripts/package-block.sh
"$harness/install-plugin.sh" dist/block_kuracloud.zip >/dev/null
cargo build -q --release -p kuracloud-host-runner
. scripts/lib-sim.sh
start_sim target/release/host-runner
url="$SIM_URL"
KC_SIM_URL="$url" "$harness/phpunit.sh" plugin block_kuracloud "$@"
