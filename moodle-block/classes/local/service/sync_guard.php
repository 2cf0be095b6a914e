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

use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\texts;

/**
 * Around every sync of a mapping: one at a time (a lock per mapping from Moodle's lock
 * factory, so a double click, two teachers or the automatic sync never send the same
 * invites twice or lose links), and every failure recorded in the history and the logs.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class sync_guard {
    /** @var int How long a second request waits for the running sync, seconds. */
    public static int $waitseconds = 5;

    /** Longest message kept in a history row or an event. */
    const MAX_MESSAGE = 1000;

    /**
     * Runs $work holding the mapping's lock.
     *
     * @param \stdClass $mapping Mapping row.
     * @param callable $work The sync.
     * @return mixed What $work returns.
     * @throws workflow_exception Code 'sync_running' when another sync holds the lock.
     */
    public static function exclusive(\stdClass $mapping, callable $work) {
        $lock = self::factory()->get_lock('mapping_' . (int)$mapping->id, self::$waitseconds);
        if (!$lock) {
            throw new workflow_exception('sync_running', get_string('syncrunning', 'block_kuracloud'));
        }
        try {
            return $work();
        } finally {
            $lock->release();
        }
    }

    /**
     * The lock factory, one per process: Moodle's database lock factories refuse a lock
     * their own instance holds, while two instances on one connection could both get it.
     *
     * @return \core\lock\lock_factory
     */
    public static function factory(): \core\lock\lock_factory {
        static $factory = null;
        return $factory ??= \core\lock\lock_config::get_lock_factory('block_kuracloud');
    }

    /**
     * Runs $work; a failure is recorded (history row, sync_failed event) and rethrown.
     *
     * @param \stdClass $mapping Mapping row.
     * @param string $kind students_preview, students_apply or grades.
     * @param int $userid Who ran it (0: automatic).
     * @param callable $work The sync.
     * @return mixed What $work returns.
     * @throws workflow_exception The failure.
     */
    public static function recorded(\stdClass $mapping, string $kind, int $userid, callable $work) {
        try {
            return $work();
        } catch (workflow_exception $e) {
            if ($e->errorcode !== 'sync_running') {
                self::record_failure($mapping, $kind, $userid, $e);
            }
            throw $e;
        }
    }

    /**
     * Records a failure in the sync history and the logs.
     *
     * @param \stdClass $mapping Mapping row.
     * @param string $kind What failed.
     * @param int $userid Who ran it.
     * @param workflow_exception $e The failure.
     */
    public static function record_failure(\stdClass $mapping, string $kind, int $userid, workflow_exception $e): void {
        $message = \core_text::substr($e->getMessage(), 0, self::MAX_MESSAGE);
        $courseid = (int)$mapping->courseid;
        $logkind = $kind === 'grades' ? 'grades' : 'students';
        // The module's text is stored as such and rendered in the reader's language.
        sync_log::record($courseid, $userid, $logkind, 'failed', [],
            texts::to_store($e->text) ?? $e->errorcode . ': ' . $message);
        $context = \context_course::instance($courseid, IGNORE_MISSING);
        \block_kuracloud\event\sync_failed::create([
            'context' => $context ?: \context_system::instance(),
            'objectid' => (int)$mapping->id,
            'other' => ['kind' => $kind, 'code' => $e->errorcode, 'message' => $message],
        ])->trigger();
    }
}
