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
 * Helper of the scripts that drive the harness Moodle (test-moodle-concurrency.sh,
 * bench-moodle.sh), run with its PHP:
 *   setup  --course=ID --sim=URL [--remote=102]  connect to the simulator, map the course
 *                                                (from scratch: the course's kuraCloud grade items, their
 *                                                grades and every link of the kuraCloud course are removed)
 *   links  --course=ID                           print the number of stored links
 *   rows   --course=ID                           JSON: links, last-written grade rows, grades
 *   config --name=N [--value=V]                  set (or, without a value, unset) a plugin setting
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

define('CLI_SCRIPT', true);
require(getenv('MOODLE_DIR') . '/config.php');
require_once($CFG->libdir . '/clilib.php');

[$options] = cli_get_params(['course' => 0, 'sim' => '', 'remote' => 102, 'name' => '', 'value' => null], []);
$action = $argv[1] ?? '';
$courseid = (int)$options['course'];
\core\session\manager::set_user(get_admin());
if ($action === 'setup') {
    set_config('curlsecurityblockedhosts', '');
    set_config('curlsecurityallowedport', '');
    set_config('testhosts', '127.0.0.1', 'block_kuracloud');
    $connectionid = (int)\block_kuracloud\local\service\connection_service::add($options['sim'], 'demo-token')['connection_id'];
    // One kuraCloud course maps to one Moodle course: free it from earlier runs.
    $remote = (int)$options['remote'];
    $DB->delete_records('block_kuracloud_maps', ['connectionid' => $connectionid, 'remotecourseid' => $remote]);
    $DB->delete_records('block_kuracloud_maps', ['courseid' => $courseid]);
    // A course reused from an earlier run starts as a new one: no links, no kuraCloud grades.
    $DB->delete_records('block_kuracloud_links', ['connectionid' => $connectionid, 'remotecourseid' => $remote]);
    require_once($CFG->libdir . '/gradelib.php');
    foreach (grade_item::fetch_all(['courseid' => $courseid, 'itemmodule' => 'kuracloud']) ?: [] as $item) {
        $DB->delete_records('block_kuracloud_grades', ['itemid' => $item->id]);
        $item->delete('bench');
    }
    grade_regrade_final_grades($courseid);
    \block_kuracloud\local\service\mapping_service::create(get_course($courseid), $connectionid, $remote);
    echo "mapped\n";
} else if ($action === 'links') {
    $mapping = \block_kuracloud\local\repository\mappings::for_course($courseid);
    echo count(\block_kuracloud\local\repository\links::for_mapping($mapping)), "\n";
} else if ($action === 'rows') {
    $itemids = $DB->get_fieldset_select('grade_items', 'id', "courseid = ? AND itemmodule = 'kuracloud'", [$courseid]);
    $grades = 0;
    $rows = 0;
    if ($itemids) {
        [$in, $params] = $DB->get_in_or_equal($itemids);
        $grades = $DB->count_records_select('grade_grades', "itemid $in AND finalgrade IS NOT NULL", $params);
        $rows = $DB->count_records_select('block_kuracloud_grades', "itemid $in", $params);
    }
    $mapping = \block_kuracloud\local\repository\mappings::for_course($courseid);
    echo json_encode(['links' => count(\block_kuracloud\local\repository\links::for_mapping($mapping)),
        'items' => count($itemids), 'grades' => $grades, 'gradesrows' => $rows]), "\n";
} else if ($action === 'config' && $options['name'] !== '') {
    if ($options['value'] === null) {
        unset_config($options['name'], 'block_kuracloud');
    } else {
        set_config($options['name'], $options['value'], 'block_kuracloud');
    }
} else {
    cli_error('usage: setup|links|rows|config --course=ID [--sim=URL] [--remote=ID] [--name=N --value=V]');
}
