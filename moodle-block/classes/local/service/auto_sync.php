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

use block_kuracloud\local\status;
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\texts;

/**
 * The automatic sync of one mapping, under the same guards as a teacher's: a plan with
 * conflicts or one that trips the mass-removal guard is not applied but reported in the
 * sync history for a teacher to review; grades follow only when students are in step.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class auto_sync {
    /** Default wall-clock budget of one automatic sync (students, then grades), seconds. */
    const DEFAULT_BUDGET = 600;

    /** Grades are left for the next run when less than this remains, seconds. */
    const MIN_GRADES_SECONDS = 30;

    /**
     * Runs it.
     *
     * @param \stdClass $mapping Mapping row.
     * @return array ['students' => status, 'grades' => status]
     */
    public static function run(\stdClass $mapping, ?float $budgetseconds = null): array {
        $courseid = (int)$mapping->courseid;
        // One run has a wall-clock budget: what does not fit waits for the next run.
        $budgetseconds ??= (float)(get_config('block_kuracloud', 'autosyncbudget') ?: self::DEFAULT_BUDGET);
        $deadline = microtime(true) + $budgetseconds;
        module_runner::$deadline = $deadline;
        try {
            $plan = student_sync::preview($mapping, 0);
            // The module decides whether a plan needs a teacher's review (conflicts, a mass removal).
            if ($plan[status::NEEDS_REVIEW] !== null) {
                sync_log::record($courseid, 0, 'students', status::NEEDS_REVIEW, $plan['counts'],
                    texts::to_store($plan[status::NEEDS_REVIEW]));
                return ['students' => status::NEEDS_REVIEW, 'grades' => 'skipped'];
            }
            $students = student_sync::apply($mapping, $plan['fingerprint'], false, 0)['status'];
            if ($students !== status::APPLIED) {
                return ['students' => $students, 'grades' => 'skipped'];
            }
            if ($deadline - microtime(true) < self::MIN_GRADES_SECONDS) {
                sync_log::record($courseid, 0, 'grades', 'deferred', [], get_string('autosyncdeferred', 'block_kuracloud'));
                return ['students' => $students, 'grades' => 'deferred'];
            }
            $grades = grade_sync::sync($mapping, 0);
            return ['students' => $students, 'grades' => $grades['status']];
        } catch (workflow_exception $e) {
            // The failure is in the history and the logs already (sync_guard).
            return ['students' => 'failed', 'grades' => 'skipped', 'error' => $e->getMessage()];
        } finally {
            module_runner::$deadline = null;
        }
    }
}
