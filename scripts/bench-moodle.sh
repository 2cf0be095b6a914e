#!/usr/bin/env bash
# Page benchmark in the harness Moodle (../shared/moodle; needs MOODLE_DIR): courses of 200
# and 2,000 students, driven over HTTP as their teacher against the simulator: preview,
# apply, first grade sync with 20 revisions, unchanged re-sync, a re-sync with every grade
# changed. Prints each page's time beside a plain course page (the floor), background task
# times, API calls and rows.
# Figures go to docs/benchmarks.md. KC_BENCH_SIZES overrides the sizes ("200 2000").
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MOODLE_DIR:-}" ]; then
  echo "MOODLE_DIR is not set: the Moodle page benchmark needs the harness Moodle (../shared/moodle)"
  exit 0
fi
. scripts/lib-moodle.sh
prepare_moodle
"$harness/serve.sh" start >/dev/null
specs=()
for n in ${KC_BENCH_SIZES:-200 2000}; do
  # One course per size, made once (gen.php prints an existing course) and set up anew.
  short="KCBENCH${n}"
  echo "a course of $n students ($short)..." >&2
  course=$(php "$harness/gen.php" --shortname="$short" --students="$n" --add-block=kuracloud \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["course"]["id"])')
  curl -sf -X POST "$SIM_URL/_control/reset" >/dev/null
  # An empty kuraCloud course 101: the first apply invites everyone.
  curl -sf "$SIM_URL/_control/state" | python3 -c '
import json, sys
s = json.load(sys.stdin)
c = s["instances"][0]["courses"][0]
c["students"], c["lessons"] = [], []
print(json.dumps(s))' | curl -sf -X PUT --data-binary @- "$SIM_URL/_control/state" >/dev/null
  MOODLE_DIR="$MOODLE_DIR" php scripts/moodle-cli.php setup --course="$course" --sim="$SIM_URL" --remote=101 >/dev/null
  # One size at a time: the simulator holds one course's state.
  SIM_URL="$SIM_URL" MOODLE_DIR="$MOODLE_DIR" python3 scripts/bench_moodle.py "$n:$course:$short"
done
