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


/**
 * Restore structure of the kuraCloud block.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

/**
 * Reinstates a mapping whose Moodle course was deleted (user guide: "Restoring the
 * deleted course ... will reinstate the functionality of the mapping"). A restore while
 * the original course still exists never takes its mapping: one kuraCloud course maps to
 * one Moodle course, and the copy starts unmapped. A mapping moves only for a backup made
 * on this site (its signature checks out) and a user who may map courses in the target.
 */
class restore_kuracloud_block_structure_step extends restore_structure_step {
    /**
     * Paths.
     *
     * @return restore_path_element[]
     */
    protected function define_structure() {
        return [new restore_path_element('mapping', '/block/mapping')];
    }

    /**
     * Moves the waiting mapping to the restored course when its old course is gone.
     *
     * @param array $data Backed-up mapping.
     */
    public function process_mapping($data) {
        global $DB;
        $data = (object)$data;
        $newcourseid = (int)$this->get_courseid();
        $oldcourseid = (int)$data->courseid;
        if ($oldcourseid === $newcourseid || $DB->record_exists('course', ['id' => $oldcourseid])) {
            return;
        }
        if ($DB->record_exists('block_kuracloud_maps', ['courseid' => $newcourseid])) {
            return;
        }
        if (!$this->task->is_samesite() || !\block_kuracloud\local\backup_signature::verify((string)($data->signature ?? ''),
                (int)$data->id, $oldcourseid, (int)$data->remotecourseid, (string)$data->instanceid)) {
            return;
        }
        if (!has_capability('block/kuracloud:mapcourses', \context_course::instance($newcourseid), $this->task->get_userid())) {
            return;
        }
        $mapping = $DB->get_record_sql('SELECT m.*
                                          FROM {block_kuracloud_maps} m
                                          JOIN {block_kuracloud_conns} c ON c.id = m.connectionid
                                         WHERE m.id = ? AND m.courseid = ? AND m.remotecourseid = ? AND c.instanceid = ?',
            [(int)$data->id, $oldcourseid, (int)$data->remotecourseid, (string)$data->instanceid]);
        if ($mapping) {
            $DB->update_record('block_kuracloud_maps', (object)['id' => $mapping->id, 'courseid' => $newcourseid,
                'timemodified' => time()]);
        }
    }
}
