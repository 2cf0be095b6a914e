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

/**
 * The audit trail of syncs.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class sync_log {
    /**
     * Records one sync.
     *
     * @param int $courseid Moodle course.
     * @param int $userid Who ran it (0: automatic).
     * @param string $kind students or grades.
     * @param string $status Outcome status.
     * @param array $counts Counts.
     * @param string|null $message Error or summary.
     */
    public static function record(int $courseid, int $userid, string $kind, string $status, array $counts,
            ?string $message): void {
        \block_kuracloud\local\repository\sync_log_entries::add((object)[
            'courseid' => $courseid,
            'userid' => $userid,
            'kind' => $kind,
            'status' => $status,
            'counts' => json_encode($counts),
            'message' => $message,
        ]);
    }
}
