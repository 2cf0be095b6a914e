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


namespace block_kuracloud\local\service;

use block_kuracloud\local\repository\grade_rows;
use block_kuracloud\local\repository\transaction;
use block_kuracloud\local\status;
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\texts;

/**
 * Grade sync: kuraCloud lesson grades into manual grade items, one per graded published
 * revision (itemmodule 'kuracloud', iteminstance = lesson id, itemnumber = revision id,
 * as the old plugin stored them, so its items are adopted). Decisions are the module's;
 * this reads the gradebook in a few queries and applies the outcome in one transaction.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class grade_sync {
    /** grade_items.itemmodule of our items. */
    const ITEMMODULE = 'kuracloud';

    /** Grades written at or above which the grade table's statistics are refreshed before the regrade. */
    const STATISTICS_AFTER_WRITES = 1000;

    /**
     * Our grade items in a course, by id.
     *
     * @param int $courseid Moodle course.
     * @return \grade_item[]
     */
    public static function items(int $courseid): array {
        global $CFG;
        require_once($CFG->libdir . '/gradelib.php');
        return \grade_item::fetch_all(['courseid' => $courseid, 'itemtype' => 'manual',
            'itemmodule' => self::ITEMMODULE]) ?: [];
    }

    /**
     * The grades.sync input: the student snapshot plus the gradebook state.
     *
     * @param \stdClass $mapping Mapping row.
     * @return array
     */
    public static function input(\stdClass $mapping): array {
        $input = snapshot::student_sync_input($mapping);
        $items = self::items((int)$mapping->courseid);
        $state = grade_rows::gradebook(array_keys($items));
        $last = grade_rows::last_written(array_keys($items));
        $input['items'] = [];
        foreach ($items as $item) {
            $grades = [];
            $users = array_keys(($state[$item->id] ?? []) + ($last[$item->id] ?? []));
            foreach ($users as $userid) {
                $grades[] = [
                    'user_id' => $userid,
                    'current' => $state[$item->id][$userid]['current'] ?? null,
                    'locked' => $state[$item->id][$userid]['locked'] ?? false,
                    'last_written' => $last[$item->id][$userid] ?? null,
                ];
            }
            $input['items'][] = [
                'lesson_id' => (int)$item->iteminstance,
                'revision_id' => (int)$item->itemnumber,
                'item_id' => (int)$item->id,
                'name' => (string)$item->itemname,
                'grademax' => (float)$item->grademax,
                'locked' => (bool)$item->is_locked(),
                'grades' => $grades,
            ];
        }
        return $input;
    }

    /**
     * Runs a grade sync and applies it.
     *
     * @param \stdClass $mapping Mapping row.
     * @param int $userid Who ran it (0: automatic).
     * @param callable|null $progress Progress callback (stage, done, total).
     * @param bool $apply Write to the gradebook (false: report what would be written).
     * @return array The grades.sync outcome, plus 'lockedonwrite' (grades Moodle refused
     *     to write because they became locked meanwhile).
     */
    public static function sync(\stdClass $mapping, int $userid, ?callable $progress = null, bool $apply = true): array {
        if (!$apply) {
            return sync_guard::recorded($mapping, 'grades', $userid, fn() => self::sync_locked($mapping, $userid, $progress,
                false));
        }
        return sync_guard::recorded($mapping, 'grades', $userid, fn() => sync_guard::exclusive($mapping,
            fn() => self::sync_locked($mapping, $userid, $progress, true)));
    }

    /**
     * sync() under the mapping's lock (when it writes).
     *
     * @param \stdClass $mapping Mapping row.
     * @param int $userid Who ran it.
     * @param callable|null $progress Progress callback.
     * @param bool $apply Write to the gradebook.
     * @return array The outcome.
     */
    private static function sync_locked(\stdClass $mapping, int $userid, ?callable $progress, bool $apply): array {
        // Where the time goes, ms per phase (benchmarks and the background task's log).
        $clock = microtime(true);
        $timings = [];
        $lap = function (string $phase) use (&$clock, &$timings): void {
            $now = microtime(true);
            $timings[$phase] = round(($now - $clock) * 1000, 1);
            $clock = $now;
        };
        $input = self::input($mapping);
        $lap('snapshot');
        $outcome = module_runner::run('grades.sync', $input, $progress);
        $lap('module');
        $outcome['lockedonwrite'] = 0;
        if ($outcome['status'] !== status::SYNCED || !$apply) {
            return $outcome;
        }
        $courseid = (int)$mapping->courseid;
        $towrite = (int)($outcome['totals']['write'] ?? 0);
        $existing = self::items($courseid);
        // The rows of the last values written, read once for every item.
        $remembered = grade_rows::last_written_ids(array_keys($existing));
        $lap('read');
        // All or nothing: a write Moodle refuses half way (a database error, a deadlock)
        // rolls every grade of this sync back, with the values remembered as written, so
        // the next sync starts from the gradebook as it was and writes them all again.
        try {
            // (A closure, not fn(): write() fills in $outcome and $timings by reference.)
            $report = self::progress_reporter($progress, 'write', $towrite);
            $report(0);
            $regrade = transaction::run(function() use (&$outcome, $existing, $remembered, $courseid, &$timings, $lap,
                    $report) {
                return self::write($outcome, $existing, $remembered, $courseid, $timings, $lap, $report);
            }, [\grade_category::class, 'clean_record_set']);
        } catch (\Throwable $e) {
            throw new workflow_exception('gradebook_write_failed',
                get_string('gradebookwritefailed', 'block_kuracloud', \core_text::substr($e->getMessage(), 0, 500)));
        }
        $lap('rows');
        if ($regrade && $towrite >= self::STATISTICS_AFTER_WRITES) {
            grade_rows::refresh_planner_statistics();
        }
        $lap('statistics');
        if ($regrade && $progress) {
            $progress('regrade', 0, 1);
        }
        // Null: not needed; false: left to the gradebook (the task's log shows it).
        $outcome['regraded'] = $regrade ? self::regrade($courseid) : null;
        $lap('regrade');
        $outcome['timings_ms'] = $timings;
        sync_log::record($courseid, $userid, 'grades', status::SYNCED, $outcome['totals'], texts::to_store($outcome['text']));
        \block_kuracloud\event\grades_synced::create([
            'context' => \context_course::instance($courseid),
            'objectid' => (int)$mapping->id,
            'other' => ['counts' => $outcome['totals']],
        ])->trigger();
        return $outcome;
    }

    /**
     * Regrades the course once, in one transaction: the regrade writes every grade's
     * aggregation status and each student's course total, and committed one statement at
     * a time, 40,000 grades took minutes. The grades are written already: if the regrade
     * fails, it is undone and the items stay marked for regrading, which Moodle does when
     * the gradebook is next opened. (Moodle's cache of grade categories is not
     * transactional: it is emptied after a rollback, or the next regrade would meet a
     * category read inside the undone transaction.)
     *
     * @param int $courseid Course.
     * @return bool Whether the course was regraded (false: left to the gradebook).
     */
    private static function regrade(int $courseid): bool {
        try {
            return transaction::run(fn() => grade_regrade_final_grades($courseid) === true,
                [\grade_category::class, 'clean_record_set']);
        } catch (\Throwable) {
            return false;
        }
    }

    /**
     * The gradebook writes of an outcome, inside the caller's transaction: items created
     * or updated, grades written, the values written remembered.
     *
     * @param array $outcome The grades.sync outcome (item ids of new items filled in,
     *     'lockedonwrite' counted).
     * @param \grade_item[] $existing Our items, by id.
     * @param array $remembered Ids of the remembered-value rows, by item and user.
     * @param int $courseid Course.
     * @param array $timings Phase timings, ms (added to).
     * @param callable $lap Ends a timing phase.
     * @param callable $report Reports how many grades are written so far.
     * @return bool Whether grades were written (the course needs regrading).
     */
    private static function write(array &$outcome, array $existing, array $remembered, int $courseid, array &$timings,
            callable $lap, callable $report): bool {
        $written = 0;
        $newrows = [];
        $regrade = false;
        $timings['items'] = 0.0;
        foreach ($outcome['items'] as &$itemoutcome) {
            $item = $itemoutcome['item_id'] ? ($existing[$itemoutcome['item_id']] ?? null) : null;
            if (!$item) {
                $item = new \grade_item(['courseid' => $courseid, 'itemtype' => 'manual',
                    'itemmodule' => self::ITEMMODULE, 'iteminstance' => $itemoutcome['lesson_id'],
                    'itemnumber' => $itemoutcome['revision_id'], 'itemname' => $itemoutcome['name'],
                    'gradetype' => GRADE_TYPE_VALUE, 'grademin' => 0, 'grademax' => $itemoutcome['grademax']], false);
                $started = microtime(true);
                $item->insert('block_kuracloud');
                $itemoutcome['item_id'] = (int)$item->id;
                $timings['items'] += round((microtime(true) - $started) * 1000, 1);
            } else if ($itemoutcome['action'] === 'update') {
                $item->itemname = $itemoutcome['name'];
                $item->grademax = $itemoutcome['grademax'];
                $item->update('block_kuracloud');
            }
            if ($itemoutcome['writes']) {
                // Marked for regrading once: update_final_grade() then skips its per-grade
                // regrade of the course total; the course is regraded once below.
                $item->force_regrading();
                $regrade = true;
            }
            foreach ($itemoutcome['writes'] as $write) {
                if ($item->update_final_grade($write['user_id'], $write['grade'], 'block_kuracloud')) {
                    self::remember($remembered, $newrows, (int)$item->id, (int)$write['user_id'], (float)$write['grade']);
                } else {
                    $outcome['lockedonwrite']++;
                }
                $report(++$written);
            }
            foreach ($itemoutcome['record'] as $record) {
                self::remember($remembered, $newrows, (int)$item->id, (int)$record['user_id'], (float)$record['grade']);
            }
        }
        unset($itemoutcome);
        $lap('writes');
        // The loop's time less the items created in it: update_final_grade() and its history.
        $timings['writes'] = round($timings['writes'] - $timings['items'], 1);
        // The first sync of a course inserts one row per grade: in bulk.
        grade_rows::insert_last_written($newrows);
        return $regrade;
    }

    /**
     * A stage's progress, reported at its start, about once a percent (each report may be
     * a database write of a stored progress bar) and at its end.
     *
     * @param callable|null $progress Progress callback (stage, done, total), or none.
     * @param string $stage The stage.
     * @param int $total Its total.
     * @return callable Takes the count done so far.
     */
    private static function progress_reporter(?callable $progress, string $stage, int $total): callable {
        $every = max(50, intdiv($total, 100));
        return function (int $done) use ($progress, $stage, $total, $every): void {
            // (Nothing to write, no stage: an unchanged re-sync is over after the mapping.)
            if ($progress && $total > 0 && ($done % $every === 0 || $done === $total)) {
                $progress($stage, $done, $total);
            }
        };
    }

    /**
     * Stores the value we wrote, so a later teacher edit is recognised.
     *
     * @param array $remembered Existing row ids by item and user.
     * @param array $newrows Rows to insert in bulk (added to).
     * @param int $itemid Grade item.
     * @param int $userid User.
     * @param float $grade Value written.
     */
    private static function remember(array $remembered, array &$newrows, int $itemid, int $userid, float $grade): void {
        if (isset($remembered[$itemid][$userid])) {
            grade_rows::update_last_written($remembered[$itemid][$userid], $grade);
        } else {
            $newrows[$itemid . '-' . $userid] = ['itemid' => $itemid, 'userid' => $userid, 'lastwritten' => $grade,
                'timemodified' => time()];
        }
    }
}
