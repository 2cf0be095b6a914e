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
 * Course mappings: a Moodle course ↔ a kuraCloud course on a connection.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class mappings {
    /** Table name. */
    const TABLE = 'block_kuracloud_maps';

    /**
     * The mapping of a Moodle course.
     *
     * @param int $courseid Moodle course id.
     * @return \stdClass|null
     */
    public static function for_course(int $courseid): ?\stdClass {
        global $DB;
        return $DB->get_record(self::TABLE, ['courseid' => $courseid]) ?: null;
    }

    /**
     * A mapping whose Moodle course still exists (what a queued task may still work on).
     *
     * @param int $id Mapping id.
     * @return \stdClass|null Null when the mapping or its course is gone.
     */
    public static function with_course(int $id): ?\stdClass {
        global $DB;
        $mapping = $DB->get_record(self::TABLE, ['id' => $id]);
        return $mapping && $DB->record_exists('course', ['id' => $mapping->courseid]) ? $mapping : null;
    }

    /**
     * Ids of the healthy mappings whose teachers turned automatic sync on.
     *
     * @return int[]
     */
    public static function ids_with_autosync(): array {
        global $DB;
        return array_map('intval', $DB->get_fieldset_select(self::TABLE, 'id', 'autosync = 1 AND status = ?', ['ok']));
    }

    /**
     * How many mappings use a connection.
     *
     * @param int $connectionid Connection id.
     * @return int
     */
    public static function count_for_connection(int $connectionid): int {
        global $DB;
        return $DB->count_records(self::TABLE, ['connectionid' => $connectionid]);
    }

    /**
     * Every mapping.
     *
     * @return \stdClass[]
     */
    public static function all(): array {
        global $DB;
        return $DB->get_records(self::TABLE, null, 'id');
    }

    /**
     * Creates the mapping.
     *
     * @param int $courseid Moodle course.
     * @param int $connectionid Connection.
     * @param int $remotecourseid kuraCloud course.
     * @param string $remotename kuraCloud course name.
     * @param string|null $instanceid kuraCloud instance of the connection.
     * @return int Mapping id.
     */
    public static function create(int $courseid, int $connectionid, int $remotecourseid, string $remotename,
            ?string $instanceid = null): int {
        global $DB;
        $now = time();
        return $DB->insert_record(self::TABLE, (object)[
            'courseid' => $courseid,
            'connectionid' => $connectionid,
            'instanceid' => $instanceid,
            'remotecourseid' => $remotecourseid,
            'remotename' => \core_text::substr($remotename, 0, 255),
            'status' => 'ok',
            'statusmessage' => null,
            'autosync' => 0,
            'timecreated' => $now,
            'timemodified' => $now,
        ]);
    }

    /**
     * Records a mapping's health.
     *
     * @param int $id Mapping id.
     * @param string $status ok, lms_not_enabled, course_deleted or connection_failing.
     * @param string|null $message Details.
     */
    public static function set_status(int $id, string $status, ?string $message): void {
        global $DB;
        $DB->update_record(self::TABLE, (object)['id' => $id, 'status' => $status,
            'statusmessage' => $message, 'timemodified' => time()]);
    }

    /**
     * Marks a mapping healthy again, with kuraCloud's current name for its course.
     *
     * @param int $id Mapping id.
     * @param string $remotename kuraCloud course name.
     */
    public static function mark_ok(int $id, string $remotename): void {
        global $DB;
        $DB->update_record(self::TABLE, (object)['id' => $id, 'status' => 'ok', 'statusmessage' => null,
            'remotename' => \core_text::substr($remotename, 0, 255), 'timemodified' => time()]);
    }

    /**
     * Turns automatic sync on or off.
     *
     * @param int $id Mapping id.
     * @param bool $enabled On.
     */
    public static function set_autosync(int $id, bool $enabled): void {
        global $DB;
        $DB->update_record(self::TABLE, (object)['id' => $id, 'autosync' => $enabled ? 1 : 0, 'timemodified' => time()]);
    }

    /**
     * Removes a mapping (links are kept for a later re-map).
     *
     * @param int $id Mapping id.
     */
    public static function delete(int $id): void {
        global $DB;
        $DB->delete_records(self::TABLE, ['id' => $id]);
    }
}
