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
 * Sync history: per course (teachers), or site-wide (administrators).
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/../../config.php');

use block_kuracloud\local\repository\sync_log_entries;

$courseid = optional_param('courseid', 0, PARAM_INT);
$page = optional_param('page', 0, PARAM_INT);
$perpage = 50;
$pageurl = new moodle_url('/blocks/kuracloud/history.php', $courseid ? ['courseid' => $courseid] : []);

if ($courseid) {
    $course = get_course($courseid);
    $context = context_course::instance($courseid);
    // Context and URL before anything that renders or formats (DEVELOPER debugging checks).
    $PAGE->set_context($context);
    $PAGE->set_url($pageurl);
    require_login($course);
    if (!has_any_capability(['block/kuracloud:syncusers', 'block/kuracloud:syncgrades'], $context)) {
        throw new required_capability_exception($context, 'block/kuracloud:syncusers', 'nopermissions', '');
    }
    $PAGE->set_heading(format_string($course->fullname));
    $PAGE->set_title(get_string('history', 'block_kuracloud'));
} else {
    // Site administration > Reports > kuraCloud sync history.
    require_once($CFG->libdir . '/adminlib.php');
    admin_externalpage_setup('block_kuracloud_history', '', null, $pageurl);
    require_capability('block/kuracloud:configureapi', context_system::instance());
}

$total = sync_log_entries::count($courseid ?: null);
$rows = sync_log_entries::page($courseid ?: null, $page * $perpage, $perpage);
$output = $PAGE->get_renderer('block_kuracloud');

echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('history', 'block_kuracloud'));
echo $output->history(array_values($rows), !$courseid);
echo $OUTPUT->paging_bar($total, $page, $perpage, $pageurl);
echo $OUTPUT->footer();
