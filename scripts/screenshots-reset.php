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
// The walk's course keeps its block: a fresh plugin install (scripts/test-moodle.sh)
// deletes every instance, and the harness only adds one when it makes the course.
$courseid = (int) getenv('KC_COURSE_ID');
if ($courseid) {
    $context = context_course::instance($courseid);
    if (!$DB->record_exists('block_instances', ['blockname' => 'kuracloud', 'parentcontextid' => $context->id])) {
        // As the harness's gen.php --add-block does (the block generator's fields).
        $id = $DB->insert_record('block_instances', (object) [
            'blockname' => 'kuracloud', 'parentcontextid' => $context->id, 'showinsubcontexts' => 0,
            'pagetypepattern' => 'course-view-*', 'subpagepattern' => null, 'defaultregion' => 'side-pre',
            'defaultweight' => -10, 'configdata' => '', 'timecreated' => time(), 'timemodified' => time(),
        ]);
        context_block::instance($id);
        echo "kuracloud block added to course $courseid\n";
    }
}
echo "block_kuracloud data reset\n";
