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
echo "block_kuracloud data reset\n";
