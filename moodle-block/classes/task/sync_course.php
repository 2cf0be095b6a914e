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

use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\service\auto_sync;

/**
 * Ad hoc: the automatic student and grade sync of one mapping.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class sync_course extends \core\task\adhoc_task {
    /**
     * Runs the sync; what needs a person is logged, not applied.
     */
    public function execute() {
        $mapping = mappings::with_course((int)($this->get_custom_data()->mappingid ?? 0));
        if (!$mapping || !$mapping->autosync) {
            return;
        }
        mtrace(json_encode(auto_sync::run($mapping)));
    }
}
