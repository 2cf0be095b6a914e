#!/usr/bin/env bash
# Two applies of the same mapping at once, in two processes, through the CLI against the
# simulator: the mapping's lock lets one apply; the other waits, then finds the plan stale.
# No invite is sent twice and no link is lost. Needs MOODLE_DIR (skips otherwise) and,
# when run alone, prepares the harness Moodle like scripts/test-moodle.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MOODLE_DIR:-}" ]; then
  echo "MOODLE_DIR is not set: concurrency test skipped"
  exit 0
fi
if [ -z "${SIM_URL:-}" ]; then
  . scripts/lib-moodle.sh
  prepare_moodle
fi
harness="${MOODLE_HARNESS:-$(cd .. && pwd)/shared/moodle}"
curl -sf -X POST "$SIM_URL/_control/reset" >/dev/null
short="KCCONC$(date +%s)"
course=$(php "$harness/gen.php" --shortname="$short" --students=6 | python3 -c 'import json,sys; print(json.load(sys.stdin)["course"]["id"])')
MOODLE_DIR="$MOODLE_DIR" php scripts/moodle-cli.php setup --course="$course" --sim="$SIM_URL" >/dev/null
curl -sf -X DELETE "$SIM_URL/_control/requests" >/dev/null
# Slow writes, so the two applies overlap.
curl -sf -X POST "$SIM_URL/_control/faults" -d '{"route": "student.add", "delay_ms": 2000}' >/dev/null

out1=$(mktemp); out2=$(mktemp)
php "$MOODLE_DIR/blocks/kuracloud/cli/sync.php" --course="$course" --students --yes >"$out1" 2>&1 & p1=$!
php "$MOODLE_DIR/blocks/kuracloud/cli/sync.php" --course="$course" --students --yes >"$out2" 2>&1 & p2=$!
s1=0; s2=0
wait $p1 || s1=$?
wait $p2 || s2=$?

# The six invites go out in one batch: a second batch means the same invites were sent
# twice (the simulator, like kuraCloud, would just re-send the emails).
batches=$(curl -sf "$SIM_URL/_control/requests" | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["route"] == "student.add"))')
invites=$(curl -sf "$SIM_URL/_control/state" | python3 -c '
import json, sys
print(len({i["email"].lower() for i in json.load(sys.stdin).get("invites", []) if i["courseId"] == 102}))')
links=$(MOODLE_DIR="$MOODLE_DIR" php scripts/moodle-cli.php links --course="$course")
curl -sf -X DELETE "$SIM_URL/_control/faults" >/dev/null
echo "first apply exit $s1, second apply exit $s2; invite batches: $batches; students invited: $invites; links stored: $links"
fail=0
[ "$batches" = 1 ] || { echo "expected one invite batch, got $batches: invites were sent twice"; fail=1; }
[ "$invites" = 6 ] || { echo "expected 6 students invited, got $invites"; fail=1; }
[ "$links" = 6 ] || { echo "expected 6 links, got $links"; fail=1; }
if [ $((s1 + s2)) -eq 0 ] || { [ "$s1" -ne 0 ] && [ "$s2" -ne 0 ]; }; then
  echo "expected exactly one apply to succeed"; fail=1
fi
if [ $fail -ne 0 ]; then
  echo "--- first:"; cat "$out1"; echo "--- second:"; cat "$out2"
fi
rm -f "$out1" "$out2"
[ $fail -eq 0 ] && echo "concurrency: passed"
exit $fail
