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
 * Sync user enrolments: a reviewed preview, then exactly that plan.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use block_kuracloud\local\page;
use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\service\background_sync;
use block_kuracloud\local\service\student_sync;
use block_kuracloud\local\status;
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\messages;

require(__DIR__ . '/../../config.php');

[$course, $context, $pageurl, $courseurl] = page::course('syncusers.php', 'block/kuracloud:syncusers', 'syncusers');
$courseid = (int)$course->id;
$mapping = mappings::for_course($courseid) ?: throw new moodle_exception('notmapped', 'block_kuracloud', $courseurl);
$output = $PAGE->get_renderer('block_kuracloud');

// A background sync of this course is queued or running: show its live progress.
if ($bar = background_sync::progress((int)$mapping->id)) {
    echo $OUTPUT->header();
    echo $OUTPUT->heading(get_string('syncusers', 'block_kuracloud')) . $output->background_progress($bar, $courseid);
    echo $OUTPUT->footer();
    die;
}

$body = '';
try {
    if (optional_param('confirm', 0, PARAM_BOOL) && optional_param('background', 0, PARAM_BOOL)
            && background_sync::supported()) {
        // A big apply: exactly the reviewed plan, in the background; this request answers at once.
        require_sesskey();
        background_sync::queue_apply($mapping, (int)$USER->id, required_param('fingerprint', PARAM_ALPHANUM),
            optional_param('allowmassremoval', 0, PARAM_BOOL));
        redirect($pageurl);
    }
    if (optional_param('confirm', 0, PARAM_BOOL)) {
        require_sesskey();
        $outcome = student_sync::apply($mapping, required_param('fingerprint', PARAM_ALPHANUM),
            optional_param('allowmassremoval', 0, PARAM_BOOL), (int)$USER->id);
        if ($outcome['status'] === status::STALE) {
            $body = $OUTPUT->notification(get_string('stale', 'block_kuracloud'), 'warning')
                . $output->student_preview($outcome['plan'], $courseid, false);
        } else if ($outcome['status'] === status::NEEDS_MASS_REMOVAL_CONFIRMATION) {
            $body = $output->student_preview($outcome['plan'], $courseid, true);
        } else {
            $body = $output->student_result($outcome, $courseid);
        }
    } else {
        $body = $output->student_preview(student_sync::preview($mapping), $courseid, false);
    }
} catch (workflow_exception $e) {
    $body = $OUTPUT->notification(messages::error($e), 'error')
        . $OUTPUT->continue_button($courseurl);
}

echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('syncusers', 'block_kuracloud'));
echo $body;
echo $OUTPUT->footer();
