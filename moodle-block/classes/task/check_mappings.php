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

use block_kuracloud\local\service\mapping_service;
use block_kuracloud\local\service\module_runner;
use block_kuracloud\output\texts;

/**
 * Daily: the health of every mapping (OK, LMS not enabled, course deleted in kuraCloud,
 * connection failing), two requests per connection.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class check_mappings extends \core\task\scheduled_task {
    /**
     * Name.
     *
     * @return string
     */
    public function get_name() {
        return get_string('task_check_mappings', 'block_kuracloud');
    }

    /**
     * Runs the check.
     */
    public function execute() {
        if (!module_runner::available()) {
            mtrace(get_string('runtimemissing', 'block_kuracloud'));
            return;
        }
        foreach (mapping_service::check_all()['mappings'] as $health) {
            mtrace("mapping {$health['mapping_id']}: {$health['status']} " . texts::stored($health['message']));
        }
    }
}
