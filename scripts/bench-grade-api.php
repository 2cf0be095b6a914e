<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * Where a first grade sync's time goes inside Moodle's grade API, measured without the
 * plugin: grades written through update_final_grade into temporary manual items, as the
 * grade sync writes them (items marked for regrading first), in one transaction where the
 * grade sync commits every percent of its grades (the same cost a grade: docs/benchmarks.md),
 * then one course regrade. The items are deleted at the end. Run with the harness Moodle's PHP on a
 * course that bench-moodle.sh made (KCBENCH2000: 2,000 students):
 *
 *   MOODLE_DIR=/tmp/moodle php scripts/bench-grade-api.php --course=KCBENCH2000 [--items=20]
 *       [--analyze] [--no-regrade] [--no-cursor] [--steps]
 *
 *   --analyze     refresh the grade table's statistics between the writes and the regrade
 *                 (what the grade sync does on PostgreSQL after 1,000 or more writes)
 *   --no-cursor   PostgreSQL: read without server-side cursors (the site setting
 *                 $CFG->dboptions['fetchbuffersize'] = 0), to show what the cursors cost
 *   --steps       time the steps of update_final_grade's insert path apart (one item):
 *                 the grade's read, its insert with the read-back and the history row,
 *                 the user_graded event
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

define('CLI_SCRIPT', true);
require(getenv('MOODLE_DIR') . '/config.php');
require_once($CFG->libdir . '/clilib.php');
require_once($CFG->libdir . '/gradelib.php');

[$options] = cli_get_params(['course' => 'KCBENCH2000', 'items' => 20, 'analyze' => false, 'no-regrade' => false,
    'no-cursor' => false, 'steps' => false], []);
$course = $DB->get_record('course', ['shortname' => $options['course']], '*', MUST_EXIST);
\core\session\manager::set_user(get_admin());
if ($options['no-cursor']) {
    $property = new ReflectionProperty($DB, 'dboptions');
    $property->setValue($DB, ['fetchbuffersize' => 0] + $property->getValue($DB));
}
// The gradebook's students (the site's graded roles), as the grade sync writes them.
$users = array_values(array_unique(array_map(fn($r) => (int)$r->id, get_role_users(explode(',', $CFG->gradebookroles),
    context_course::instance($course->id), false, 'ra.id AS raid, u.id', 'u.id'))));
$nitems = $options['steps'] ? 1 : max(1, (int)$options['items']);
printf("%s on %s: %d students, %d items\n", $course->shortname, $DB->get_dbfamily(), count($users), $nitems);

$items = [];
try {
    $start = microtime(true);
    $transaction = $DB->start_delegated_transaction();
    for ($i = 0; $i < $nitems; $i++) {
        $item = new grade_item(['courseid' => $course->id, 'itemtype' => 'manual', 'itemname' => "bench-grade-api $i",
            'gradetype' => GRADE_TYPE_VALUE, 'grademin' => 0, 'grademax' => 15], false);
        $item->insert('bench');
        $item->force_regrading();
        $items[] = $item;
    }
    $reads = $DB->perf_get_reads();
    $writes = $DB->perf_get_writes();
    $steps = ['read' => 0.0, 'insert' => 0.0, 'event' => 0.0];
    foreach ($items as $item) {
        foreach ($users as $userid) {
            if ($options['steps']) {
                // update_final_grade's insert path, one step at a time.
                $a = microtime(true);
                $grade = new grade_grade(['itemid' => $item->id, 'userid' => $userid]);
                $b = microtime(true);
                $grade->grade_item = $item;
                $grade->usermodified = $USER->id;
                $grade->rawgrademin = $item->grademin;
                $grade->rawgrademax = $item->grademax;
                $grade->finalgrade = 7;
                $grade->timecreated = null;
                $grade->timemodified = time();
                $grade->insert('bench');
                $c = microtime(true);
                \core\event\user_graded::create_from_grade($grade)->trigger();
                $steps['read'] += $b - $a;
                $steps['insert'] += $c - $b;
                $steps['event'] += microtime(true) - $c;
            } else if (!$item->update_final_grade($userid, 7, 'bench')) {
                throw new moodle_exception('update_final_grade refused a grade');
            }
        }
    }
    $n = count($users) * $nitems;
    $written = microtime(true);
    $transaction->allow_commit();
    $committed = microtime(true);
    printf("writes: %d grades in %.1f s: %.3f ms a grade, %.2f reads and %.2f writes a grade; commit %.2f s\n", $n,
        $written - $start, ($written - $start) * 1000 / max(1, $n), ($DB->perf_get_reads() - $reads) / max(1, $n),
        ($DB->perf_get_writes() - $writes) / max(1, $n), $committed - $written);
    if ($options['steps']) {
        printf("steps, ms a grade: read %.3f, insert with read-back and history %.3f, event %.3f\n",
            $steps['read'] * 1000 / $n, $steps['insert'] * 1000 / $n, $steps['event'] * 1000 / $n);
    }
    if ($options['analyze']) {
        $started = microtime(true);
        \block_kuracloud\local\repository\grade_rows::refresh_planner_statistics();
        printf("statistics: %.2f s\n", microtime(true) - $started);
    }
    if (!$options['no-regrade']) {
        $started = microtime(true);
        $reads = $DB->perf_get_reads();
        $writes = $DB->perf_get_writes();
        $transaction = $DB->start_delegated_transaction();
        $result = grade_regrade_final_grades($course->id);
        $transaction->allow_commit();
        printf("regrade: %.1f s, %d reads, %d writes (%s)\n", microtime(true) - $started, $DB->perf_get_reads() - $reads,
            $DB->perf_get_writes() - $writes, $result === true ? 'ok' : json_encode($result));
    }
} finally {
    // After a failure, the open transaction first: undone, and the items with it if they
    // were still in it; what was committed already is deleted.
    if ($DB->is_transaction_started()) {
        $DB->force_transaction_rollback();
    }
    foreach ($items as $item) {
        if (!empty($item->id) && $DB->record_exists('grade_items', ['id' => $item->id])) {
            $item->delete('bench');
        }
    }
}
