<?php
// Screenshot tooling: forgets block_kuracloud's data in the harness Moodle (connections,
// mappings, links, written grades, log, kuraCloud grade items), so the walk starts anew.
define('CLI_SCRIPT', true);
require(getenv('MOODLE_DIR') . '/config.php');
require_once($CFG->libdir . '/gradelib.php');
foreach (['block_kuracloud_grades', 'block_kuracloud_links', 'block_kuracloud_maps', 'block_kuracloud_conns',
        'block_kuracloud_log'] as $table) {
    $DB->delete_records($table);
}
foreach (grade_item::fetch_all(['itemtype' => 'manual', 'itemmodule' => 'kuracloud']) ?: [] as $item) {
    $item->delete('screenshots');
}
// Background syncs left queued by an earlier walk, their bars, and the walk's threshold.
$DB->delete_records_select('task_adhoc', "classname LIKE ?", ['%block_kuracloud%']);
$DB->delete_records_select('stored_progress', "idnumber LIKE ?", ['block_kuracloud_%']);
unset_config('backgroundthreshold', 'block_kuracloud');
echo "block_kuracloud data reset\n";
