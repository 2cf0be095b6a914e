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
 * Setup or remove a course's kuraCloud mapping.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use block_kuracloud\local\page;
use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\service\mapping_service;
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\messages;

require(__DIR__ . '/../../config.php');

[$course, $context, $pageurl, $courseurl] = page::course('mapping.php', 'block/kuracloud:mapcourses', 'setupmapping');
$courseid = (int)$course->id;
$action = optional_param('action', '', PARAM_ALPHA);
$mapping = mappings::for_course($courseid);

if ($action === 'remove' && $mapping) {
    if (optional_param('confirm', 0, PARAM_BOOL)) {
        require_sesskey();
        $withoutkuracloud = optional_param('withoutkuracloud', 0, PARAM_BOOL);
        try {
            mapping_service::remove($mapping, $withoutkuracloud);
            redirect($courseurl, get_string('mappingremoved', 'block_kuracloud'), null,
                \core\output\notification::NOTIFY_SUCCESS);
        } catch (workflow_exception $e) {
            if (!mapping_service::may_remove_without_kuracloud($e)) {
                redirect($courseurl, messages::text($e->getMessage()), null, \core\output\notification::NOTIFY_ERROR);
            }
            // kuraCloud could not be told: the teacher may still remove the mapping here.
            echo $OUTPUT->header();
            echo $OUTPUT->confirm(messages::confirm_unmap_without_kuracloud($mapping->remotename, $e->getMessage()),
                new moodle_url($pageurl, ['action' => 'remove', 'confirm' => 1, 'withoutkuracloud' => 1,
                    'sesskey' => sesskey()]), $courseurl);
            echo $OUTPUT->footer();
            die;
        }
    }
    echo $OUTPUT->header();
    echo $OUTPUT->confirm(messages::confirm_unmap($mapping->remotename),
        new moodle_url($pageurl, ['action' => 'remove', 'confirm' => 1, 'sesskey' => sesskey()]), $courseurl);
    echo $OUTPUT->footer();
    die;
}
if ($action === 'reenable' && $mapping) {
    require_sesskey();
    try {
        mapping_service::reenable($mapping);
        redirect($courseurl, get_string('lmsreenabled', 'block_kuracloud'), null, \core\output\notification::NOTIFY_SUCCESS);
    } catch (workflow_exception $e) {
        redirect($courseurl, messages::error($e), null, \core\output\notification::NOTIFY_ERROR);
    }
}
if ($action === 'autosync' && $mapping) {
    require_sesskey();
    mappings::set_autosync((int)$mapping->id, optional_param('enable', 0, PARAM_BOOL));
    redirect($courseurl);
}
if ($mapping) {
    redirect($courseurl);
}

$error = null;
try {
    [$options, $connectionerrors] = mapping_service::mappable_courses($course);
} catch (workflow_exception $e) {
    [$options, $connectionerrors] = [[], []];
    $error = $e->getMessage();
}
$form = new \block_kuracloud\form\mapping_form($pageurl, ['courseid' => $courseid, 'options' => $options]);
if ($form->is_cancelled()) {
    redirect($courseurl);
} else if ($data = $form->get_data()) {
    require_sesskey();
    [$connectionid, $remotecourseid] = mapping_service::parse_option_key((string)$data->remote);
    try {
        $created = mapping_service::create($course, $connectionid, $remotecourseid);
        redirect($courseurl, messages::mapping_saved($created->remotename), null,
            \core\output\notification::NOTIFY_SUCCESS);
    } catch (workflow_exception $e) {
        $error = $e->getMessage();
    }
}

echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('setupmapping', 'block_kuracloud'));
if ($error !== null) {
    echo $OUTPUT->notification(messages::text($error), 'error');
}
foreach ($connectionerrors as $name => $message) {
    echo $OUTPUT->notification(messages::connection_error($name, $message), 'warning');
}
if ($options) {
    $form->display();
} else {
    echo $OUTPUT->notification(get_string('nocourses', 'block_kuracloud'), 'info');
    echo $OUTPUT->continue_button($courseurl);
}
echo $OUTPUT->footer();
