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
 * this reads the gradebook in a few queries and applies the outcome in transactions of
 * about a percent of its grades each.
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

    /** @var int|null Grades written per transaction, when not one percent of the sync (tests set it). */
    public static ?int $gradesperbatch = null;

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
        // In batches of about a percent, each one transaction: a batch is all or nothing
        // (its grades with their remembered values), and a background sync's stored
        // progress, written on this same connection, is seen as each batch commits (in one
        // transaction, the bar stood still for the whole of the writes). A write Moodle
        // refuses half way (a database error, a deadlock) undoes its batch only; the next
        // sync writes what is left, as the rows remembered say exactly what was written.
        $written = 0;
        if ($progress && $towrite > 0) {
            $progress('write', 0, $towrite);
        }
        try {
            $regrade = self::write($outcome, $existing, $remembered, $courseid, $timings,
                function (int $done) use (&$written, $progress, $towrite): void {
                    $written = $done;
                    if ($progress && $towrite > 0) {
                        $progress('write', $done, $towrite);
                    }
                });
        } catch (\Throwable $e) {
            $reason = \core_text::substr($e->getMessage(), 0, 500);
            throw new workflow_exception('gradebook_write_failed', $written > 0
                ? get_string('gradebookwritepartial', 'block_kuracloud', (object)['error' => $reason,
                    'written' => $written, 'total' => $towrite])
                : get_string('gradebookwritefailed', 'block_kuracloud', $reason));
        }
        $lap('writes');
        // update_final_grade() and its history (with the batches' commits and progress reports):
        // the writes less the items created and the rows remembered.
        $timings['writes'] = round($timings['writes'] - $timings['items'] - $timings['rows'], 1);
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
     * Grades written per transaction: one percent of the sync, at least 50.
     *
     * @param int $towrite Grades the sync writes.
     * @return int
     */
    public static function batch_size(int $towrite): int {
        return max(1, self::$gradesperbatch ?? max(50, intdiv($towrite, 100)));
    }

    /**
     * The gradebook writes of an outcome, batch by batch: items created or updated, grades
     * written, the values written remembered.
     *
     * @param array $outcome The grades.sync outcome (item ids of new items filled in,
     *     'lockedonwrite' counted).
     * @param \grade_item[] $existing Our items, by id.
     * @param array $remembered Ids of the remembered-value rows, by item and user.
     * @param int $courseid Course.
     * @param array $timings Phase timings, ms ('items' and 'rows' set).
     * @param callable $committed Told the grades written so far, as each batch commits.
     * @return bool Whether grades were written (the course needs regrading).
     */
    private static function write(array &$outcome, array $existing, array $remembered, int $courseid, array &$timings,
            callable $committed): bool {
        $timings['items'] = 0.0;
        $timings['rows'] = 0.0;
        $items = [];
        $rows = ['new' => [], 'changed' => []];
        $regrade = false;
        $done = 0;
        $inbatch = 0;
        $each = function (array $unit) use (&$outcome, &$items, &$rows, &$regrade, &$timings, &$inbatch, $existing,
                $remembered, $courseid): void {
            [$index, $write] = $unit;
            if ($write === null) {
                $started = microtime(true);
                $items[$index] = self::prepare_item($outcome['items'][$index], $existing, $courseid);
                $timings['items'] += round((microtime(true) - $started) * 1000, 1);
                $regrade = $regrade || (bool)$outcome['items'][$index]['writes'];
                foreach ($outcome['items'][$index]['record'] as $record) {
                    self::remember($remembered, $rows, (int)$items[$index]->id, (int)$record['user_id'],
                        (float)$record['grade']);
                }
                return;
            }
            $item = $items[$index];
            if ($item->update_final_grade($write['user_id'], $write['grade'], 'block_kuracloud')) {
                self::remember($remembered, $rows, (int)$item->id, (int)$write['user_id'], (float)$write['grade']);
                $inbatch++;
            } else {
                $outcome['lockedonwrite']++;
            }
        };
        // The remembered rows, in bulk at the end of each batch: a first sync inserts one
        // per grade, a later one changes one per grade it writes.
        $endofbatch = function () use (&$rows, &$timings): void {
            $started = microtime(true);
            grade_rows::insert_last_written($rows['new']);
            grade_rows::update_last_written($rows['changed']);
            $rows = ['new' => [], 'changed' => []];
            $timings['rows'] += round((microtime(true) - $started) * 1000, 1);
        };
        // Told the grades Moodle took (not those it refused as locked), once committed.
        $aftercommit = function () use (&$done, &$inbatch, $committed): void {
            $done += $inbatch;
            if ($inbatch > 0) {
                $committed($done);
            }
            $inbatch = 0;
        };
        transaction::batches(self::units($outcome['items']), self::batch_size((int)($outcome['totals']['write'] ?? 0)),
            $each, $endofbatch, $aftercommit, [\grade_category::class, 'clean_record_set'],
            fn(array $unit): int => $unit[1] === null ? 0 : 1);
        return $regrade;
    }

    /**
     * The writes of an outcome in order, one unit each: an item (null), then its grades.
     *
     * @param array $items The outcome's items.
     * @return \Generator [item index, write or null]
     */
    private static function units(array $items): \Generator {
        foreach ($items as $index => $itemoutcome) {
            yield [$index, null];
            foreach ($itemoutcome['writes'] as $write) {
                yield [$index, $write];
            }
        }
    }

    /**
     * An outcome's item in the gradebook: created, renamed or rescaled as the outcome says,
     * and marked for regrading once when grades are written to it (update_final_grade()
     * then skips its per-grade regrade of the course total; the course is regraded once).
     *
     * @param array $itemoutcome The item's outcome (the id of a new item filled in).
     * @param \grade_item[] $existing Our items, by id.
     * @param int $courseid Course.
     * @return \grade_item
     */
    private static function prepare_item(array &$itemoutcome, array $existing, int $courseid): \grade_item {
        $item = $itemoutcome['item_id'] ? ($existing[$itemoutcome['item_id']] ?? null) : null;
        if (!$item) {
            $item = new \grade_item(['courseid' => $courseid, 'itemtype' => 'manual',
                'itemmodule' => self::ITEMMODULE, 'iteminstance' => $itemoutcome['lesson_id'],
                'itemnumber' => $itemoutcome['revision_id'], 'itemname' => $itemoutcome['name'],
                'gradetype' => GRADE_TYPE_VALUE, 'grademin' => 0, 'grademax' => $itemoutcome['grademax']], false);
            $item->insert('block_kuracloud');
            $itemoutcome['item_id'] = (int)$item->id;
        } else if ($itemoutcome['action'] === 'update') {
            $item->itemname = $itemoutcome['name'];
            $item->grademax = $itemoutcome['grademax'];
            $item->update('block_kuracloud');
        }
        if ($itemoutcome['writes']) {
            $item->force_regrading();
        }
        return $item;
    }

    /**
     * Stores the value we wrote, so a later teacher edit is recognised: new rows and
     * changed ones are collected for the end of the batch, which writes them in bulk.
     *
     * @param array $remembered Existing row ids by item and user.
     * @param array $rows New rows to insert ('new') and existing rows' ids by value ('changed'), added to.
     * @param int $itemid Grade item.
     * @param int $userid User.
     * @param float $grade Value written.
     */
    private static function remember(array $remembered, array &$rows, int $itemid, int $userid, float $grade): void {
        if (isset($remembered[$itemid][$userid])) {
            // Grouped by the value as the column keeps it (5 decimals), whatever PHP's precision.
            $value = sprintf('%.5F', round($grade, 5));
            $rows['changed'][$value][0] = (float)$value;
            $rows['changed'][$value][1][] = $remembered[$itemid][$userid];
        } else {
            $rows['new'][$itemid . '-' . $userid] = ['itemid' => $itemid, 'userid' => $userid, 'lastwritten' => $grade,
                'timemodified' => time()];
        }
    }
}
