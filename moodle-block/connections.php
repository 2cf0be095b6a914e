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
 * Site administration > Plugins > Blocks > kuraCloud connections.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use block_kuracloud\local\repository\connections;
use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\service\connection_service;
use block_kuracloud\local\service\module_runner;
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\messages;

require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

admin_externalpage_setup('block_kuracloud_connections');
require_capability('block/kuracloud:configureapi', context_system::instance());

$action = optional_param('action', '', PARAM_ALPHA);
$id = optional_param('id', 0, PARAM_INT);
$pageurl = new moodle_url('/blocks/kuracloud/connections.php');
$output = $PAGE->get_renderer('block_kuracloud');

if ($action === 'delete' && ($connection = connections::get($id))) {
    if (optional_param('confirm', 0, PARAM_BOOL)) {
        require_sesskey();
        connection_service::delete($connection);
        redirect($pageurl, get_string('deleted'), null, \core\output\notification::NOTIFY_SUCCESS);
    }
    $mappings = mappings::count_for_connection($id);
    echo $OUTPUT->header();
    echo $OUTPUT->confirm(
        messages::confirm_delete_connection($connection->name, $mappings),
        new moodle_url($pageurl, ['action' => 'delete', 'id' => $id, 'confirm' => 1, 'sesskey' => sesskey()]),
        $pageurl);
    echo $OUTPUT->footer();
    die;
}

if ($action === 'edit' && ($connection = connections::get($id))) {
    $scopeform = new \block_kuracloud\form\connection_scope_form($pageurl, ['id' => $id, 'name' => $connection->name]);
    $scopeform->set_data(['categories' => connections::categories($connection)]);
    if ($scopeform->is_cancelled()) {
        redirect($pageurl);
    } else if ($data = $scopeform->get_data()) {
        connections::set_categories($id, (array)($data->categories ?? []));
        redirect($pageurl, get_string('changessaved'), null, \core\output\notification::NOTIFY_SUCCESS);
    }
    echo $OUTPUT->header();
    echo $OUTPUT->heading(get_string('connectioncategories', 'block_kuracloud'));
    $scopeform->display();
    echo $OUTPUT->footer();
    die;
}

$form = new \block_kuracloud\form\connection_form($pageurl);
$error = null;
if ($form->is_cancelled()) {
    redirect($pageurl);
} else if ($data = $form->get_data()) {
    try {
        $verified = connection_service::add((string)$data->apiurl, (string)$data->token,
            (array)($data->categories ?? []));
        redirect($pageurl, messages::connection_saved($verified['name']),
            null, \core\output\notification::NOTIFY_SUCCESS);
    } catch (workflow_exception $e) {
        $error = $e->getMessage();
        $action = 'add';
    }
}

echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('connections', 'block_kuracloud'));
$runtime = module_runner::runtime();
if ($runtime === null) {
    echo $OUTPUT->notification(get_string('runtimemissing', 'block_kuracloud'), 'error');
} else {
    echo $OUTPUT->notification(get_string('runtime_' . $runtime, 'block_kuracloud'),
        $runtime === module_runner::RUNTIME_EXTENSION ? 'success' : 'info');
}
if ($error !== null) {
    echo $OUTPUT->notification(messages::text($error), 'error');
}
echo $output->connections(array_values(connections::all()), $pageurl);
if ($action === 'add') {
    $form->display();
} else {
    echo html_writer::link(new moodle_url($pageurl, ['action' => 'add']), get_string('addconnection', 'block_kuracloud'),
        ['class' => 'btn btn-primary']);
}
echo $OUTPUT->footer();
