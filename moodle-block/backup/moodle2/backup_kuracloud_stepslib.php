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
 * Backup structure of the kuraCloud block.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

/**
 * The course's mapping, with the kuraCloud instance id (connection ids differ per site)
 * and a signature only this site can make, so a hand-edited backup cannot move a mapping.
 */
class backup_kuracloud_block_structure_step extends backup_block_structure_step {
    /**
     * Structure.
     *
     * @return backup_nested_element
     */
    protected function define_structure() {
        global $DB;
        $mapping = new backup_nested_element('mapping', ['id'],
            ['courseid', 'instanceid', 'remotecourseid', 'remotename', 'signature']);
        $rows = $DB->get_records_sql('SELECT m.id, m.courseid, c.instanceid, m.remotecourseid, m.remotename
                                        FROM {block_kuracloud_maps} m
                                        JOIN {block_kuracloud_conns} c ON c.id = m.connectionid
                                       WHERE m.courseid = ?', [$this->get_courseid()]);
        $source = [];
        foreach ($rows as $row) {
            $row->signature = \block_kuracloud\local\backup_signature::sign((int)$row->id, (int)$row->courseid,
                (int)$row->remotecourseid, (string)$row->instanceid);
            $source[] = (array)$row;
        }
        $mapping->set_source_array($source);
        return $this->prepare_block_structure($mapping);
    }
}
