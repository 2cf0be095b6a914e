# Sourced by the scripts that work on the harness Moodle (../shared/moodle):
# `prepare_moodle` enables this build of the PHP extension, installs this build of the
# plugin, and starts a simulator (SIM_URL), stopped on exit.
prepare_moodle() {
  harness="${MOODLE_HARNESS:-$(cd .. && pwd)/shared/moodle}"
  scripts/install-php-ext.sh
  scripts/package-block.sh
  "$harness/install-plugin.sh" dist/block_kuracloud.zip >/dev/null
  cargo build -q --release -p kuracloud-host-runner
  . scripts/lib-sim.sh
  start_sim target/release/host-runner
}
