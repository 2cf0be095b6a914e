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


namespace block_kuracloud\local\repository;

/**
 * The sync history: one row per student or grade sync, manual or automatic.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class sync_log_entries {
    /** Table name. */
    const TABLE = 'block_kuracloud_log';

    /**
     * Adds an entry.
     *
     * @param \stdClass $entry courseid, userid, kind, status, counts (JSON), message.
     * @return int Entry id.
     */
    public static function add(\stdClass $entry): int {
        global $DB;
        $entry->timecreated = $entry->timecreated ?? time();
        return $DB->insert_record(self::TABLE, $entry);
    }

    /**
     * How many entries a course has (every course's with null).
     *
     * @param int|null $courseid Moodle course, or null for the whole site.
     * @return int
     */
    public static function count(?int $courseid): int {
        global $DB;
        return $DB->count_records(self::TABLE, $courseid === null ? [] : ['courseid' => $courseid]);
    }

    /**
     * A page of entries, newest first.
     *
     * @param int|null $courseid Moodle course, or null for the whole site.
     * @param int $offset First entry.
     * @param int $limit How many.
     * @return \stdClass[]
     */
    public static function page(?int $courseid, int $offset, int $limit): array {
        global $DB;
        // The course's short name rides along for the site-wide view; a deleted course leaves it null.
        $where = $courseid === null ? '' : 'WHERE l.courseid = :courseid';
        return array_values($DB->get_records_sql(
            "SELECT l.*, c.shortname AS courseshortname
               FROM {" . self::TABLE . "} l
          LEFT JOIN {course} c ON c.id = l.courseid
             $where
           ORDER BY l.timecreated DESC, l.id DESC",
            $courseid === null ? [] : ['courseid' => $courseid], $offset, $limit));
    }
}
