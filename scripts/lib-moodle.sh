# Sourced by the scripts that work on the harness Moodle (../shared/moodle):
# `prepare_moodle` enables this build of the PHP extension, installs this build of the
# plugin, and starts a simulator (SIM_URL), stopped on exit.
prepare_moodle() {
  harness="${MOODLE_HARNESS:-$(cd .. && pwd)/shared/moodle}"
  scripts/install-php-ext.sh
  scripts/package-block.sh
  if [ "${KC_FRESH_INSTALL:-0}" = 1 ]; then
    # A fresh install, so the check below sees install.xml too, not only upgrade steps.
    "$harness/install-plugin.sh" --uninstall block_kuracloud >/dev/null 2>&1 || true
  fi
  "$harness/install-plugin.sh" dist/block_kuracloud.zip >/dev/null
  check_upgrade_log "${MOODLE_STATE:-/tmp/moodle-harness}/upgrade-block_kuracloud.log"
  cargo build -q --release -p kuracloud-host-runner
  . scripts/lib-sim.sh
  start_sim "${CARGO_TARGET_DIR:-target}/release/host-runner"
}

# Installing or upgrading the plugin with DEVELOPER debugging prints nothing of Moodle's
# debugging (++ notices ++, XMLDB warnings) nor any PHP warning: fail if it does.
check_upgrade_log() {
  local log="$1"
  [ -f "$log" ] || { echo "no upgrade log at $log"; return 1; }
  # (CLI debugging() prints "++ message ++" and a backtrace; "++ Success (N seconds) ++" is the upgrade's own.)
  if grep -nP '^\+\+ (?!([0-9.]+: )?Success \([0-9.]+ seconds\) \+\+$)|^\* line \d+ of |Debug info|XMLDB|PHP (Warning|Notice|Deprecated)|^(Warning|Notice|Deprecated): ' "$log"; then
    echo "installing block_kuracloud printed debugging output (above; log: $log)"
    return 1
  fi
}
