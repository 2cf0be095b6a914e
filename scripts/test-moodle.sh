#!/usr/bin/env bash
# Moodle PHPUnit for block_kuracloud in a real Moodle (../shared/moodle installs one).
# Skips unless MOODLE_DIR names the Moodle checkout (CI cannot download Moodle).
# Builds and enables the extension, packages and installs the plugin, starts the
# simulator, and runs the plugin's testsuite with KC_SIM_URL set: once with the
# extension (runtime ext), once with it hidden from PHP (runtime php: the generated PHP
# module, as on a host that cannot add an extension). Prints one line per runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MOODLE_DIR:-}" ]; then
  echo "MOODLE_DIR is not set: Moodle PHPUnit skipped (see ../shared/moodle/README.md)"
  exit 0
fi
. scripts/lib-moodle.sh
KC_FRESH_INSTALL=1 prepare_moodle
url="$SIM_URL"

# The CLI's ini scan directory without the extension's ini: PHP without kuracloud.
noext=$(mktemp -d)
# (start_sim's EXIT trap is replaced: stop the simulator here too.)
trap 'rm -rf "$noext"; kill $SIM_PID 2>/dev/null || true' EXIT
scan=$(php -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')
for f in "$scan"/*.ini; do
  case "$(basename "$f")" in *kuracloud*) ;; *) ln -s "$f" "$noext/" ;; esac
done

summary=()
for runtime in ext php; do
  log=$(mktemp)
  if [ "$runtime" = php ]; then
    export PHP_INI_SCAN_DIR="$noext"
    php -r 'exit(extension_loaded("kuracloud") ? 1 : 0);' || { echo "the extension is still loaded"; exit 1; }
  fi
  set +e
  KC_SIM_URL="$url" "$harness/phpunit.sh" plugin block_kuracloud "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  unset PHP_INI_SCAN_DIR
  # "OK (N tests, ...)" or, with skips, "Tests: N, Assertions: A, Skipped: S."
  passed=$(python3 - "$log" <<'PY'
import re, sys
text = open(sys.argv[1], errors='replace').read()
m = re.search(r'^OK \((\d+) tests?', text, re.M)
if m:
    print(m.group(1))
else:
    m = re.search(r'^Tests: (\d+),.*?(?:Skipped: (\d+))?\.?$', text, re.M)
    if m and 'FAILURES' not in text and 'ERRORS' not in text:
        print(int(m.group(1)) - int(m.group(2) or 0), '(' + (m.group(2) or '0') + ' skipped)')
PY
)
  rm -f "$log"
  if [ "$status" -ne 0 ] || [ -z "$passed" ]; then
    echo "runtime $runtime: FAILED"
    exit 1
  fi
  summary+=("runtime $runtime: $passed passed")
done
SIM_URL="$url" scripts/test-moodle-concurrency.sh
printf '%s\n' "${summary[@]}"
