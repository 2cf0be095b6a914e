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
. scripts/lib-moodle.sh
prepare_moodle
url="$SIM_URL"
KC_SIM_URL="$url" "$harness/phpunit.sh" plugin block_kuracloud "$@"
