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

use block_kuracloud\local\service\background_sync;
use block_kuracloud\local\service\grade_sync;
use block_kuracloud\local\service\student_sync;
use block_kuracloud\task\grade_sync_task;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * Big grade syncs in the background: queued (once), live stored progress, the result in
 * the history and in a notification to the teacher.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\service\background_sync
 * @covers     \block_kuracloud\task\grade_sync_task
 */
final class background_sync_test extends kuracloud_testcase {
    public function test_a_big_grade_sync_is_queued_once_shows_progress_and_notifies(): void {
        global $DB, $PAGE;
        [$course, $mapping, $users] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        student_sync::apply($mapping, $plan['fingerprint'], false, 0);
        $this->assertTrue(background_sync::supported());

        // Four students, items not known yet (ten assumed): in the page under the default
        // threshold, in the background over 39.
        $this->assertSame(40, background_sync::expected_grades($mapping));
        $this->assertFalse(background_sync::should_queue($mapping));
        set_config('backgroundthreshold', 39, 'block_kuracloud');
        $this->assertTrue(background_sync::should_queue($mapping));

        $this->assertTrue(background_sync::queue($mapping, (int)$users['teacher']->id));
        // A double click, another teacher: not queued twice.
        $this->assertFalse(background_sync::queue($mapping, (int)$users['teacher']->id));
        $this->assertCount(1, \core\task\manager::get_adhoc_tasks(grade_sync_task::class));
        $bar = background_sync::progress((int)$mapping->id);
        $this->assertNotNull($bar);
        $this->assertSame(get_string('backgroundqueued', 'block_kuracloud'), $bar->get_message());
        $this->assertSame([], grade_sync::items((int)$course->id));

        // The block shows the live bar to the teacher.
        $this->setUser($users['teacher']);
        $PAGE->set_url('/course/view.php', ['id' => $course->id]);
        $html = $PAGE->get_renderer('block_kuracloud')->render(new output\block_content((int)$course->id));
        $this->assertStringContainsString('stored-progress-bar', $html);
        $this->setAdminUser();

        // Cron runs it: grades written, progress complete, history row, notification.
        $sink = $this->redirectMessages();
        ob_start();
        $this->runAdhocTasks(grade_sync_task::class);
        ob_end_clean();
        $this->assertCount(2, grade_sync::items((int)$course->id));
        $record = $DB->get_record('stored_progress', ['idnumber' => background_sync::idnumber((int)$mapping->id)]);
        $this->assertEquals(100, (float)$record->percentcompleted);
        $this->assertStringContainsString('Grade items: 2. To write: 4;', $record->message);
        $this->assertTrue($DB->record_exists('block_kuracloud_log', ['courseid' => $course->id, 'kind' => 'grades',
            'status' => 'synced', 'userid' => $users['teacher']->id]));
        $messages = $sink->get_messages();
        $this->assertCount(1, $messages);
        $this->assertSame((int)$users['teacher']->id, (int)$messages[0]->useridto);
        $this->assertSame('syncfinished', $messages[0]->eventtype);
        $this->assertNull(background_sync::progress((int)$mapping->id));
        $this->assertTrue(background_sync::queue($mapping, (int)$users['teacher']->id));
    }

    public function test_a_failed_background_sync_marks_the_bar_and_tells_the_teacher(): void {
        global $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        student_sync::apply($mapping, $plan['fingerprint'], false, 0);
        $this->control('PUT', 'export', ['outcome' => 'fail', 'pollsBeforeReady' => 0]);
        background_sync::queue($mapping, (int)$users['teacher']->id);
        $sink = $this->redirectMessages();
        ob_start();
        $this->runAdhocTasks(grade_sync_task::class);
        ob_end_clean();
        $record = $DB->get_record('stored_progress', ['idnumber' => background_sync::idnumber((int)$mapping->id)]);
        $this->assertEquals(1, (int)$record->haserrored);
        $this->assertCount(1, $sink->get_messages());
        $this->assertStringContainsString('failed', $sink->get_messages()[0]->subject);
        $this->assertTrue($DB->record_exists('block_kuracloud_log', ['courseid' => $course->id, 'status' => 'failed']));
    }

    public function test_a_big_apply_runs_the_reviewed_plan_in_the_background(): void {
        global $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        $this->assertFalse(background_sync::should_queue_apply($plan));
        set_config('backgroundthreshold', 2, 'block_kuracloud');
        $this->assertTrue(background_sync::should_queue_apply($plan));

        $this->assertTrue(background_sync::queue_apply($mapping, (int)$users['teacher']->id, $plan['fingerprint'], false));
        // One sync per mapping: neither a second apply nor a grade sync is queued meanwhile.
        $this->assertFalse(background_sync::queue_apply($mapping, (int)$users['teacher']->id, $plan['fingerprint'], false));
        $this->assertFalse(background_sync::queue($mapping, (int)$users['teacher']->id));
        $this->assertSame(0, $DB->count_records('block_kuracloud_links'));

        $sink = $this->redirectMessages();
        ob_start();
        $this->runAdhocTasks(\block_kuracloud\task\student_apply_task::class);
        ob_end_clean();
        $this->assertSame(4, $DB->count_records('block_kuracloud_links'));
        $record = $DB->get_record('stored_progress', ['idnumber' => background_sync::idnumber((int)$mapping->id)]);
        $this->assertEquals(100, (float)$record->percentcompleted);
        $this->assertCount(1, $sink->get_messages());
        $this->assertTrue($DB->record_exists('block_kuracloud_log', ['courseid' => $course->id, 'kind' => 'students',
            'status' => 'applied']));

        // A plan that changed meanwhile is not applied: stale, nothing written.
        $plan = student_sync::preview($mapping);
        $this->getDataGenerator()->enrol_user($this->getDataGenerator()->create_user()->id, $course->id, 'student');
        background_sync::queue_apply($mapping, (int)$users['teacher']->id, $plan['fingerprint'], false);
        ob_start();
        $this->runAdhocTasks(\block_kuracloud\task\student_apply_task::class);
        ob_end_clean();
        $this->assertSame(4, $DB->count_records('block_kuracloud_links'));
        $record = $DB->get_record('stored_progress', ['idnumber' => background_sync::idnumber((int)$mapping->id)]);
        $this->assertEquals(1, (int)$record->haserrored);
    }
}
