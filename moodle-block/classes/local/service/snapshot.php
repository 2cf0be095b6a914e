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

use block_kuracloud\local\repository\connections;
use block_kuracloud\local\repository\links;

/**
 * Gathers what a workflow needs to know about a Moodle course, in a constant number of
 * queries: eligible students, their groups, the stored links.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class snapshot {
    /**
     * Eligible students, with their groups: the block/kuracloud:participate capability
     * (the student role) and an active enrolment (not suspended, through an enabled
     * method, within its start and end dates: get_enrolled_users' "only active"), of a
     * user who is neither deleted nor suspended site-wide. Anyone else is not synced, and
     * their kuraCloud account is deleted under the usual guards.
     *
     * @param int $courseid Moodle course id.
     * @return array List of workflow `students`.
     */
    public static function students(int $courseid): array {
        $context = \context_course::instance($courseid);
        $users = get_enrolled_users($context, 'block/kuracloud:participate', 0,
            'u.id, u.email, u.firstname, u.lastname, u.idnumber, u.suspended, u.deleted', 'u.id', 0, 0, true);
        $users = array_filter($users, fn($u) => empty($u->suspended) && empty($u->deleted));
        $groups = \block_kuracloud\local\repository\moodle_users::group_names($courseid);
        $out = [];
        foreach ($users as $user) {
            $out[] = [
                'user_id' => (int)$user->id,
                'email' => (string)$user->email,
                'first_name' => (string)$user->firstname,
                'last_name' => (string)$user->lastname,
                'idnumber' => (string)$user->idnumber,
                'groups' => $groups[(int)$user->id] ?? [],
            ];
        }
        return $out;
    }

    /**
     * The input of students.preview / students.apply / grades.sync for a mapping.
     *
     * @param \stdClass $mapping Mapping row.
     * @return array
     */
    public static function student_sync_input(\stdClass $mapping): array {
        $connection = connections::get((int)$mapping->connectionid);
        if (!$connection) {
            throw new \block_kuracloud\local\wasm\workflow_exception('connection_gone',
                get_string('connectiongone', 'block_kuracloud', (string)($mapping->instanceid ?? '')));
        }
        return [
            'connection' => connections::for_workflow($connection),
            'course_id' => (int)$mapping->remotecourseid,
            'students' => self::students((int)$mapping->courseid),
            'links' => links::for_mapping($mapping),
        ];
    }
}
