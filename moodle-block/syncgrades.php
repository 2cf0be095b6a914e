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
 * Sync grades from kuraCloud: confirm, export with a progress bar, report.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use block_kuracloud\local\page;
use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\service\background_sync;
use block_kuracloud\local\service\grade_sync;
use block_kuracloud\local\service\student_sync;
use block_kuracloud\local\status;
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\messages;
use block_kuracloud\output\progress_stages;

// The progress bar streams while the export runs.
define('NO_OUTPUT_BUFFERING', true);

require(__DIR__ . '/../../config.php');

[$course, $context, $pageurl, $courseurl] = page::course('syncgrades.php', 'block/kuracloud:syncgrades', 'syncgrades');
$courseid = (int)$course->id;
$syncusersurl = new moodle_url('/blocks/kuracloud/syncusers.php', ['courseid' => $courseid]);
$mapping = mappings::for_course($courseid) ?: throw new moodle_exception('notmapped', 'block_kuracloud', $courseurl);
$output = $PAGE->get_renderer('block_kuracloud');

// A background sync of this course is queued or running: show its live progress.
if ($bar = background_sync::progress((int)$mapping->id)) {
    echo $OUTPUT->header();
    echo $OUTPUT->heading(get_string('syncgrades', 'block_kuracloud')) . $output->background_progress($bar, $courseid);
    echo $OUTPUT->footer();
    die;
}

if (!optional_param('confirm', 0, PARAM_BOOL)) {
    // The user guide: students not synchronised yet go to the student sync first.
    try {
        $counts = student_sync::preview($mapping)['counts'];
    } catch (workflow_exception $e) {
        redirect($courseurl, messages::error($e), null,
            \core\output\notification::NOTIFY_ERROR);
    }
    if ($counts['add'] + $counts['reinvite'] + $counts['restore'] + $counts['delete'] > 0) {
        redirect($syncusersurl, get_string('studentsnotsynced', 'block_kuracloud'), null,
            \core\output\notification::NOTIFY_WARNING);
    }
    echo $OUTPUT->header();
    echo $OUTPUT->heading(get_string('syncgrades', 'block_kuracloud'));
    echo $OUTPUT->confirm(get_string('gradesintro', 'block_kuracloud'),
        new moodle_url($pageurl, ['confirm' => 1, 'sesskey' => sesskey()]), $courseurl);
    echo $OUTPUT->footer();
    die;
}

require_sesskey();
// A big sync goes to the background: this request answers at once.
if (background_sync::should_queue($mapping)) {
    background_sync::queue($mapping, (int)$USER->id);
    redirect($pageurl);
}
echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('syncgrades', 'block_kuracloud'));
$bar = new progress_bar('block_kuracloud_grades', 500, true);
$progress = progress_stages::reporter(progress_stages::GRADES, $bar);
try {
    $outcome = grade_sync::sync($mapping, (int)$USER->id, $progress);
    $bar->update_full(100, get_string('gradescomplete', 'block_kuracloud'));
    if ($outcome['status'] === status::STUDENTS_NOT_SYNCED) {
        echo $OUTPUT->notification(get_string('studentsnotsynced', 'block_kuracloud'), 'warning');
        echo $OUTPUT->continue_button($syncusersurl);
    } else {
        echo $output->grade_result($outcome, $courseid);
    }
} catch (workflow_exception $e) {
    echo $OUTPUT->notification(messages::error($e), 'error');
    echo $OUTPUT->continue_button($courseurl);
}
echo $OUTPUT->footer();
