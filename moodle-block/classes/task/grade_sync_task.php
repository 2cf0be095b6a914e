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
namespace block_kuracloud\task;

use block_kuracloud\local\service\grade_sync;
use block_kuracloud\local\status;
use block_kuracloud\output\progress_stages;

/**
 * A teacher's grade sync, in the background: progress in the mapping's stored progress
 * bar, the result in the history (grade_sync records it) and in a notification.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class grade_sync_task extends background_task {
    /**
     * Runs the sync.
     */
    public function execute() {
        $mapping = $this->mapping();
        if (!$mapping) {
            return;
        }
        $this->open_progress($mapping);
        $userid = (int)$this->get_userid();
        // (The gradebook writes report as each batch commits; the regrade is one transaction.)
        $progress = progress_stages::reporter(progress_stages::GRADES, $this->progress);
        $outcome = $this->run_sync($mapping, $userid, fn() => grade_sync::sync($mapping, $userid, $progress));
        if ($outcome === null) {
            return;
        }
        $message = $outcome['status'] === status::SYNCED ? \block_kuracloud\output\texts::plain($outcome['text'])
            : get_string('studentsnotsynced', 'block_kuracloud');
        $this->progress->update_full(100, $message);
        mtrace('kuraCloud grade sync: ' . json_encode(['totals' => $outcome['totals'] ?? null,
            'timings_ms' => $outcome['timings_ms'] ?? null]));
        self::notify($mapping, $userid, $message, $outcome['status'] === status::SYNCED);
    }
}
