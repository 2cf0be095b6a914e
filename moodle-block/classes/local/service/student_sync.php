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

use block_kuracloud\local\repository\links;
use block_kuracloud\local\status;
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\texts;

/**
 * Student sync: a preview that changes nothing, then an apply of exactly the reviewed
 * plan (by fingerprint). Every rule is in the module; this gathers and applies.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class student_sync {
    /**
     * The plan, without any change anywhere.
     *
     * @param \stdClass $mapping Mapping row.
     * @param int|null $userid Who asked (default: the current user; 0: automatic).
     * @return array The `plan` of students.preview.
     */
    public static function preview(\stdClass $mapping, ?int $userid = null): array {
        global $USER;
        return sync_guard::recorded($mapping, 'students_preview', $userid ?? (int)($USER->id ?? 0),
            fn() => module_runner::run('students.preview', snapshot::student_sync_input($mapping))['plan']);
    }

    /**
     * Applies the reviewed plan; stores the links of what succeeded, and logs.
     *
     * @param \stdClass $mapping Mapping row.
     * @param string $fingerprint The reviewed plan's fingerprint.
     * @param bool $allowmassremoval The teacher confirmed a mass removal.
     * @param int $userid Who ran it (0: automatic).
     * @param callable|null $progress Called with (stage, done, total).
     * @return array The students.apply outcome (status applied, partial, stale or
     *     needs_mass_removal_confirmation).
     */
    public static function apply(\stdClass $mapping, string $fingerprint, bool $allowmassremoval, int $userid,
            ?callable $progress = null): array {
        return sync_guard::recorded($mapping, 'students_apply', $userid, fn() => sync_guard::exclusive($mapping,
            fn() => self::apply_locked($mapping, $fingerprint, $allowmassremoval, $userid, $progress)));
    }

    /**
     * apply() under the mapping's lock: the snapshot is read after the lock is taken, so
     * a sync that ran meanwhile makes this one stale instead of doubling its invites.
     *
     * @param \stdClass $mapping Mapping row.
     * @param string $fingerprint The reviewed plan's fingerprint.
     * @param bool $allowmassremoval The teacher confirmed a mass removal.
     * @param int $userid Who ran it.
     * @param callable|null $progress Progress callback.
     * @return array The students.apply outcome.
     */
    private static function apply_locked(\stdClass $mapping, string $fingerprint, bool $allowmassremoval,
            int $userid, ?callable $progress): array {
        $input = snapshot::student_sync_input($mapping);
        $input['fingerprint'] = $fingerprint;
        $input['allow_mass_removal'] = $allowmassremoval;
        $outcome = module_runner::run('students.apply', $input, $progress);
        if (in_array($outcome['status'], [status::APPLIED, status::PARTIAL], true)) {
            try {
                links::apply($mapping, $outcome['links_store'], $outcome['links_remove']);
            } catch (\Throwable $e) {
                // kuraCloud was written, Moodle could not store the links (rolled back):
                // said as such, and recorded. The next sync finds the students by email.
                $done = count(array_filter($outcome['results'], fn($r) => $r['result'] === status::DONE));
                throw new workflow_exception('link_write_failed', get_string('linkwritefailed', 'block_kuracloud',
                    (object)['done' => $done, 'error' => \core_text::substr($e->getMessage(), 0, 500)]));
            }
            sync_log::record((int)$mapping->courseid, $userid, 'students', $outcome['status'],
                $outcome['plan']['counts'], texts::to_store($outcome['error']['text'] ?? null));
            \block_kuracloud\event\students_synced::create([
                'context' => \context_course::instance((int)$mapping->courseid),
                'objectid' => (int)$mapping->id,
                'other' => ['status' => $outcome['status'], 'counts' => $outcome['plan']['counts']],
            ])->trigger();
        }
        return $outcome;
    }
}
