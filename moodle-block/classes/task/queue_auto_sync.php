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

/**
 * Hourly: queues one ad hoc sync per mapping with automatic sync on. Moodle's cron
 * runners on every node pick them up under the lock factory, so many mapped courses
 * spread over the site's existing nodes.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class queue_auto_sync extends \core\task\scheduled_task {
    /**
     * Name.
     *
     * @return string
     */
    public function get_name() {
        return get_string('task_queue_auto_sync', 'block_kuracloud');
    }

    /**
     * Queues the syncs (a mapping already queued is not queued twice).
     */
    public function execute() {
        $ids = \block_kuracloud\local\repository\mappings::ids_with_autosync();
        foreach ($ids as $id) {
            $task = new sync_course();
            $task->set_custom_data(['mappingid' => (int)$id]);
            \core\task\manager::queue_adhoc_task($task, true);
        }
        mtrace(count($ids) . ' automatic kuraCloud syncs queued');
    }
}
