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
 * What the plugin reads of Moodle's own users and groups.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class moodle_users {
    /**
     * Users with the fields fullname() needs, by id.
     *
     * @param int[] $userids User ids.
     * @return \stdClass[] By id.
     */
    public static function with_names(array $userids): array {
        global $DB;
        if (!$userids) {
            return [];
        }
        return $DB->get_records_list('user', 'id', array_values($userids), '',
            'id,' . implode(',', \core_user\fields::get_name_fields()));
    }

    /**
     * The names of the course groups each user is in.
     *
     * @param int $courseid Moodle course.
     * @return array<int, string[]> Group names by user id.
     */
    public static function group_names(int $courseid): array {
        global $DB;
        $groups = [];
        $rs = $DB->get_recordset_sql(
            'SELECT gm.id, gm.userid, g.name
               FROM {groups_members} gm
               JOIN {groups} g ON g.id = gm.groupid
              WHERE g.courseid = ?', [$courseid]);
        foreach ($rs as $row) {
            $groups[(int)$row->userid][] = (string)$row->name;
        }
        $rs->close();
        return $groups;
    }
}
