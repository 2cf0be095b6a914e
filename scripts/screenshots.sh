#!/usr/bin/env bash
# KC_RUNTIME=php: the same walk with the kuracloud extension hidden from the web server
# (the generated PHP module runs, as on a host without the extension); it keeps two of its
# screenshots (the runtime notice, a sync) as docs/screenshots/19-*, 20-*.
# Screenshots of every page (docs/screenshots/), from the real Moodle that
# ../shared/moodle installs: installs the extension and the plugin, resets the plugin's
# data and a simulator, makes a course with students (the harness's gen.php), and walks
# the user guide in headless Chromium (scripts/screenshots.js).
set -euo pipefail
cd "$(dirname "$0")/.."
moodle="${MOODLE_DIR:-/tmp/moodle}"
export MOODLE_WWWROOT="${MOODLE_WWWROOT:-http://127.0.0.1:${MOODLE_PORT:-8080}}"
. scripts/lib-moodle.sh
prepare_moodle
url="$SIM_URL"
php "$moodle/admin/cli/cfg.php" --name=curlsecurityblockedhosts --set=""
php "$moodle/admin/cli/cfg.php" --name=curlsecurityallowedport --set=""
# The simulator speaks plain HTTP: list it as a test server (tokens otherwise need https).
php "$moodle/admin/cli/cfg.php" --component=block_kuracloud --name=testhosts --set=127.0.0.1
# A site at an IP address gets no default no-reply address (noreply@127.0.0.1 is not a
# valid email), and core warns whenever a message comes from the no-reply user, as the
# background sync's notification does: give the harness one, as any real site has.
php "$moodle/admin/cli/cfg.php" --name=noreplyaddress --set=noreply@example.invalid
course=$(php "$harness/gen.php" --shortname=KC101 --add-block=kuracloud | python3 -c 'import json,sys; print(json.load(sys.stdin)["course"]["id"])')
MOODLE_DIR="$moodle" KC_COURSE_ID="$course" php scripts/screenshots-reset.php
# The sample kuraCloud course holds three of the generated students (one deleted) and
# one student nobody in Moodle matches.
python3 - "$url" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
state = json.load(urllib.request.urlopen(url + '/_control/state'))
students = state['instances'][0]['courses'][0]['students']
people = [('kc101_student1@example.invalid', 'Student1', 'KC101'), ('kc101_student2@example.invalid', 'Student2', 'KC101'),
          ('old.student@example.edu', 'Old', 'Student'), ('kc101_student3@example.invalid', 'Student3', 'KC101')]
for s, (email, given, family) in zip(students, people):
    s['email'], s['givenName'], s['familyName'] = email, given, family
urllib.request.urlopen(urllib.request.Request(url + '/_control/state', data=json.dumps(state).encode(), method='PUT'))
PY
runtime="${KC_RUNTIME:-ext}"
shots="${KC_SHOTS:-$PWD/docs/screenshots}"
if [ "$runtime" = php ]; then
  noext=$(mktemp -d)
  scan=$(php -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')
  for f in "$scan"/*.ini; do case "$(basename "$f")" in *kuracloud*) ;; *) ln -s "$f" "$noext/" ;; esac; done
  PHP_INI_SCAN_DIR="$noext" "$harness/serve.sh" restart >/dev/null
  shots=$(mktemp -d)
else
  "$harness/serve.sh" restart >/dev/null
fi
# playwright-core from npm (no browser download; Debian's chromium), once, as the harness's shot.sh does.
nodedir="${MOODLE_STATE:-/tmp/moodle-harness}/node"
if [ ! -f "$nodedir/node_modules/playwright-core/package.json" ]; then
  command -v npm >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y -qq npm chromium >/dev/null; }
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund --prefix "$nodedir" playwright-core@1.65.1
fi
MOODLE_DIR="$moodle" KC_SIM_URL="$url" KC_COURSE_ID="$course" KC_RUNTIME="$runtime" KC_SHOTS="$shots" NODE_PATH="$nodedir/node_modules" \
  node scripts/screenshots.js
if [ "$runtime" = php ]; then
  cp "$shots/04-connection-saved.png" docs/screenshots/19-runtime-php.png
  cp "$shots/12-grades-result.png" docs/screenshots/20-grades-result-php.png
  rm -rf "$shots" "$noext"
  "$harness/serve.sh" restart >/dev/null   # back to the server with the extension
fi
