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

namespace block_kuracloud\event;

/**
 * A sync failed: kuraCloud's error, a module trap or limit, an export that failed or
 * never finished. Site administration > Reports > Logs is where the user guide sends
 * people to troubleshoot.
 *
 * other: kind (students_preview, students_apply, grades), code, message (bounded).
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class sync_failed extends \core\event\base {
    /**
     * Event properties.
     */
    protected function init() {
        $this->data['crud'] = 'r';
        $this->data['edulevel'] = self::LEVEL_OTHER;
        $this->data['objecttable'] = 'block_kuracloud_maps';
    }

    /**
     * Name shown in the logs.
     *
     * @return string
     */
    public static function get_name() {
        return get_string('event_sync_failed', 'block_kuracloud');
    }

    /**
     * Description shown in the logs (kuraCloud's text escaped).
     *
     * @return string
     */
    public function get_description() {
        $other = $this->other ?? [];
        return "A kuraCloud sync (" . s($other['kind'] ?? '') . ") of the course with id '{$this->courseid}' failed: "
            . s($other['code'] ?? '') . ': ' . s($other['message'] ?? '');
    }

    /**
     * The course page.
     *
     * @return \moodle_url
     */
    public function get_url() {
        return new \moodle_url('/blocks/kuracloud/history.php', ['courseid' => $this->courseid]);
    }
}
