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


namespace block_kuracloud;

use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\service\auto_sync;
use block_kuracloud\local\service\student_sync;
use block_kuracloud\local\service\text_report;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * Scheduled tasks (mapping health, automatic sync under the same guards), sync history,
 * and the CLI's text report.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\service\auto_sync
 * @covers     \block_kuracloud\task\queue_auto_sync
 * @covers     \block_kuracloud\task\sync_course
 * @covers     \block_kuracloud\task\check_mappings
 * @covers     \block_kuracloud\local\service\text_report
 */
final class auto_sync_test extends kuracloud_testcase {
    public function test_only_mappings_with_automatic_sync_on_are_queued_and_run(): void {
        global $DB;
        [$course, $mapping] = $this->mapped_course();
        $task = new \block_kuracloud\task\queue_auto_sync();
        ob_start();
        $task->execute();
        ob_end_clean();
        $this->assertCount(0, \core\task\manager::get_adhoc_tasks('\block_kuracloud\task\sync_course'));
        $DB->set_field('block_kuracloud_maps', 'autosync', 1, ['id' => $mapping->id]);
        ob_start();
        $task->execute();
        $task->execute(); // Queued once, not twice.
        ob_end_clean();
        $this->assertCount(1, \core\task\manager::get_adhoc_tasks('\block_kuracloud\task\sync_course'));
        ob_start();
        $this->runAdhocTasks('\block_kuracloud\task\sync_course');
        ob_end_clean();
        $this->assertSame(['ana.lima@example.edu', 'ben.okafor@example.edu', 'chen.wei@example.edu',
            'dana.smith@example.edu'], $this->kc_active_emails());
        $log = $DB->get_records('block_kuracloud_log', ['courseid' => $course->id], 'id');
        $this->assertSame(['students:applied', 'grades:synced'], array_values(array_map(fn($r) => "$r->kind:$r->status", $log)));
        foreach ($log as $row) {
            $this->assertSame(0, (int)$row->userid);
        }
    }

    public function test_a_mass_removal_or_a_conflict_is_reported_not_applied(): void {
        global $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        // A conflict: Dana's email is given to a second student too.
        $twin = $this->getDataGenerator()->create_user(['email' => 'dana.smith@example.edu']);
        $this->getDataGenerator()->enrol_user($twin->id, $course->id, 'student');
        $this->assertSame(['students' => 'needs_review', 'grades' => 'skipped'], auto_sync::run($mapping));
        $this->assertContains('old.student@example.edu', $this->kc_active_emails());
        $row = $DB->get_record('block_kuracloud_log', ['courseid' => $course->id]);
        $this->assertSame('needs_review', $row->status);
        $this->assertStringContainsString('conflict', \block_kuracloud\output\texts::stored($row->message));
    }

    public function test_the_daily_check_records_each_mappings_health(): void {
        [$course] = $this->mapped_course();
        $state = $this->control('GET', 'state');
        $state['instances'][0]['courses'][0]['deleted'] = true;
        $this->control('PUT', 'state', $state);
        ob_start();
        (new \block_kuracloud\task\check_mappings())->execute();
        $out = ob_get_clean();
        $this->assertStringContainsString('course_deleted', $out);
        $this->assertSame('course_deleted', mappings::for_course((int)$course->id)->status);
    }

    public function test_the_history_lists_each_sync_with_who_and_what(): void {
        global $PAGE, $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        student_sync::apply($mapping, $plan['fingerprint'], false, (int)$users['teacher']->id);
        $PAGE->set_url('/blocks/kuracloud/history.php');
        $DB->set_field('course', 'shortname', 'PHYS&101 <i>', ['id' => $course->id]);
        $rows = \block_kuracloud\local\repository\sync_log_entries::page(null, 0, 50);
        $html = $PAGE->get_renderer('block_kuracloud')->history($rows, true);
        // The site-wide view names the course, not its id, escaped once.
        $this->assertStringContainsString('>PHYS&amp;101 </a>', $html);
        $this->assertStringNotContainsString('<i>', $html);
        $this->assertStringContainsString('Tess Teacher', $html);
        $this->assertStringContainsString('<td>Students</td><td>Applied</td>', $html);
        $this->assertStringContainsString('Invited: 1, Restored: 1, Deleted: 1, Unchanged: 2', $html);
    }

    public function test_the_cli_report_shows_each_student_and_the_counts(): void {
        [, $mapping] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        $text = text_report::plan($plan);
        $this->assertStringContainsString('dana.smith@example.edu', $text);
        $this->assertStringContainsString('To invite: 1', $text);
        $this->assertMatchesRegularExpression('/Delete\s+Old Student\s+old\.student@example\.edu/', $text);
        $outcome = student_sync::apply($mapping, $plan['fingerprint'], false, 0);
        $this->assertStringContainsString(get_string('applied', 'block_kuracloud'), text_report::apply($outcome));
    }
}
