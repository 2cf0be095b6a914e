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

use block_kuracloud\local\service\student_sync;
use block_kuracloud\local\status;
use block_kuracloud\output\progress_stages;

/**
 * The apply of a reviewed student plan, in the background: exactly the plan with the
 * reviewed fingerprint (or nothing, when the students changed meanwhile), with progress in
 * the mapping's stored progress bar and the result in the history and a notification.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class student_apply_task extends background_task {
    /**
     * Applies the plan.
     */
    public function execute() {
        $mapping = $this->mapping();
        if (!$mapping) {
            return;
        }
        $this->open_progress($mapping);
        $data = $this->get_custom_data();
        $userid = (int)$this->get_userid();
        $progress = progress_stages::reporter(progress_stages::STUDENTS, $this->progress);
        $outcome = $this->run_sync($mapping, $userid, fn() => student_sync::apply($mapping, (string)$data->fingerprint,
            !empty($data->allowmassremoval), $userid, $progress));
        if ($outcome === null) {
            return;
        }
        $text = match ($outcome['status']) {
            status::APPLIED => get_string('applied', 'block_kuracloud'),
            status::PARTIAL => get_string('syncpartial', 'block_kuracloud',
                \block_kuracloud\output\texts::plain($outcome['error']['text'] ?? null)),
            status::NEEDS_MASS_REMOVAL_CONFIRMATION => get_string('massremoval', 'block_kuracloud'),
            default => get_string('stale', 'block_kuracloud'),
        };
        if (in_array($outcome['status'], [status::APPLIED, status::PARTIAL], true)) {
            $this->progress->update_full(100, $text);
        } else {
            $this->progress->error($text);
        }
        self::notify($mapping, $userid, $text, $outcome['status'] === status::APPLIED);
    }
}
