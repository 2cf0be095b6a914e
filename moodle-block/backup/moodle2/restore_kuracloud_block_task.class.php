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
 * Restore of the kuraCloud block.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

require_once(__DIR__ . '/restore_kuracloud_stepslib.php');

/**
 * Restore task of the block.
 */
class restore_kuracloud_block_task extends restore_block_task {
    /**
     * No settings.
     */
    protected function define_my_settings() {
    }

    /**
     * The mapping step.
     */
    protected function define_my_steps() {
        $this->add_step(new restore_kuracloud_block_structure_step('kuracloud_structure', 'kuracloud.xml'));
    }

    /**
     * No files.
     *
     * @return array
     */
    public function get_fileareas() {
        return [];
    }

    /**
     * No encoded config data.
     *
     * @return array
     */
    public function get_configdata_encoded_attributes() {
        return [];
    }

    /**
     * No contents to decode.
     *
     * @return array
     */
    public static function define_decode_contents() {
        return [];
    }

    /**
     * No decode rules.
     *
     * @return array
     */
    public static function define_decode_rules() {
        return [];
    }
}
