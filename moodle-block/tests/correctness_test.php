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

use block_kuracloud\local\repository\connections;
use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\service\connection_service;
use block_kuracloud\local\service\grade_sync;
use block_kuracloud\local\service\mapping_service;
use block_kuracloud\local\service\snapshot;
use block_kuracloud\local\service\student_sync;
use block_kuracloud\local\service\sync_guard;
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\block_content;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * What a new user and an auditor found wrong: orphaned mappings, who is a student, one
 * sync at a time, failures in the logs, unmapping when kuraCloud is unreachable, the LMS
 * not enabled status, privacy after an unmap or a deleted course.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\service\sync_guard
 * @covers     \block_kuracloud\local\service\snapshot
 * @covers     \block_kuracloud\local\service\mapping_service
 * @covers     \block_kuracloud\local\repository\connections
 * @covers     \block_kuracloud\privacy\provider
 */
final class correctness_test extends kuracloud_testcase {
    protected function tearDown(): void {
        sync_guard::$waitseconds = 5;
        parent::tearDown();
    }

    public function test_a_connection_added_again_reattaches_its_mappings(): void {
        global $PAGE;
        [$course, $mapping] = $this->mapped_course();
        $this->assertSame('demo-university', $mapping->instanceid);
        connection_service::delete(connections::get((int)$mapping->connectionid));

        try {
            student_sync::preview($mapping);
            $this->fail('a mapping without its connection was synced');
        } catch (workflow_exception $e) {
            $this->assertSame('connection_gone', $e->errorcode);
            $this->assertStringContainsString('demo-university', $e->getMessage());
        }
        $PAGE->set_url('/course/view.php', ['id' => $course->id]);
        $html = $PAGE->get_renderer('block_kuracloud')->render(new block_content((int)$course->id));
        $this->assertStringContainsString(get_string('status_connection_gone', 'block_kuracloud'), $html);
        $this->assertStringNotContainsString('syncusers.php', $html);

        $newid = $this->connect();
        $this->assertNotEquals((int)$mapping->connectionid, $newid);
        $mapping = mappings::for_course((int)$course->id);
        $this->assertSame($newid, (int)$mapping->connectionid);
        $this->assertArrayHasKey('counts', student_sync::preview($mapping));
    }

    public function test_suspended_deleted_out_of_date_and_disabled_method_users_are_not_students(): void {
        global $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        $this->assertSame('applied', student_sync::apply($mapping, $plan['fingerprint'], false, 0)['status']);
        $this->assertCount(4, snapshot::students((int)$course->id));

        // Ana: suspended site-wide. Ben: deleted. Chen: enrolment ended yesterday.
        $DB->set_field('user', 'suspended', 1, ['id' => $users['Ana']->id]);
        delete_user($DB->get_record('user', ['id' => $users['Ben']->id]));
        $enrol = $DB->get_record('enrol', ['courseid' => $course->id, 'enrol' => 'manual']);
        $DB->set_field('user_enrolments', 'timeend', time() - DAYSECS, ['enrolid' => $enrol->id,
            'userid' => $users['Chen']->id]);
        $emails = array_column(snapshot::students((int)$course->id), 'email');
        $this->assertSame(['dana.smith@example.edu'], $emails);

        // Dana: enrolled through the self method, which is then disabled.
        $self = enrol_get_plugin('self');
        $instanceid = $self->add_instance($course, ['status' => ENROL_INSTANCE_ENABLED]);
        $instance = $DB->get_record('enrol', ['id' => $instanceid]);
        $manual = enrol_get_plugin('manual');
        $manual->unenrol_user($enrol, $users['Dana']->id);
        $self->enrol_user($instance, $users['Dana']->id, $DB->get_field('role', 'id', ['shortname' => 'student']));
        $this->assertCount(1, snapshot::students((int)$course->id));
        $self->update_status($instance, ENROL_INSTANCE_DISABLED);
        $this->assertSame([], snapshot::students((int)$course->id));

        // Their kuraCloud accounts are deleted, under the same guards as any removal.
        $plan = student_sync::preview($mapping);
        $this->assertSame(4, $plan['counts']['delete']);
        $this->assertSame(0, $plan['counts']['add']);
    }

    public function test_a_second_sync_of_a_mapping_waits_then_says_one_is_running(): void {
        [, $mapping] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        $before = count($this->control('GET', 'requests'));
        // Another sync (a double click, another teacher, the automatic sync) holds the lock.
        // Two processes: scripts/test-moodle-concurrency.sh.
        $lock = sync_guard::factory()->get_lock('mapping_' . $mapping->id, 0);
        $this->assertNotFalse($lock);
        sync_guard::$waitseconds = 1;
        try {
            foreach ([fn() => student_sync::apply($mapping, $plan['fingerprint'], false, 0),
                    fn() => grade_sync::sync($mapping, 0)] as $sync) {
                try {
                    $sync();
                    $this->fail('a second sync ran while one held the lock');
                } catch (workflow_exception $e) {
                    $this->assertSame('sync_running', $e->errorcode);
                }
            }
            $this->assertSame($before, count($this->control('GET', 'requests')));
        } finally {
            $lock->release();
        }
        $this->assertSame('applied', student_sync::apply($mapping, $plan['fingerprint'], false, 0)['status']);
    }

    public function test_failures_reach_the_history_and_the_logs(): void {
        global $DB;
        [, $mapping, $users] = $this->mapped_course();
        $this->control('POST', 'faults', ['route' => 'student.list', 'status' => 503, 'message' => 'Down for maintenance']);
        $sink = $this->redirectEvents();
        try {
            student_sync::preview($mapping, (int)$users['teacher']->id);
            $this->fail('a failing kuraCloud was not reported');
        } catch (workflow_exception $e) {
            $this->assertSame('server_error', $e->errorcode);
        }
        $events = array_values(array_filter($sink->get_events(), fn($ev) => $ev instanceof event\sync_failed));
        $this->assertCount(1, $events);
        $this->assertSame('students_preview', $events[0]->other['kind']);
        $this->assertStringContainsString('Down for maintenance', $events[0]->get_description());
        $row = $DB->get_record('block_kuracloud_log', ['courseid' => $mapping->courseid, 'status' => 'failed']);
        $this->assertSame((int)$users['teacher']->id, (int)$row->userid);
        $this->assertStringContainsString('server_error', $row->message);

        // An export that never finishes, in a grade sync.
        $this->control('DELETE', 'faults');
        $plan = student_sync::preview($mapping);
        student_sync::apply($mapping, $plan['fingerprint'], false, 0);
        $this->control('PUT', 'export', ['outcome' => 'fail', 'pollsBeforeReady' => 0]);
        $sink->clear();
        try {
            grade_sync::sync($mapping, (int)$users['teacher']->id);
            $this->fail('a failed export was not reported');
        } catch (workflow_exception $e) {
            $this->assertSame('export_failed', $e->errorcode);
        }
        $this->assertCount(1, array_filter($sink->get_events(), fn($ev) => $ev instanceof event\sync_failed));
        $this->assertSame(1, $DB->count_records('block_kuracloud_log', ['courseid' => $mapping->courseid,
            'kind' => 'grades', 'status' => 'failed']));
    }

    public function test_unmapping_needs_confirmation_when_kuracloud_cannot_be_told(): void {
        [, $mapping] = $this->mapped_course();
        $this->control('POST', 'faults', ['route' => '*', 'status' => 401, 'message' => 'Token revoked']);
        try {
            mapping_service::remove($mapping);
            $this->fail('kuraCloud was not asked');
        } catch (workflow_exception $e) {
            $this->assertTrue(mapping_service::may_remove_without_kuracloud($e));
        }
        $this->assertNotNull(mappings::for_course((int)$mapping->courseid));
        mapping_service::remove($mapping, true);
        $this->assertNull(mappings::for_course((int)$mapping->courseid));

        // A course deleted in kuraCloud is still refused (the user guide: restore it first).
        $this->assertFalse(mapping_service::may_remove_without_kuracloud(new workflow_exception('course_not_found', 'x')));
    }

    public function test_lms_not_enabled_offers_to_turn_it_on_again(): void {
        global $PAGE;
        [$course, $mapping, $users] = $this->mapped_course();
        $state = $this->control('GET', 'state');
        $state['instances'][0]['courses'][0]['lmsEnabled'] = false;
        $this->control('PUT', 'state', $state);
        mapping_service::check_all();
        $mapping = mappings::for_course((int)$course->id);
        $this->assertSame('lms_not_enabled', $mapping->status);
        $this->assertStringContainsString('Turn it on again from the kuraCloud block', $mapping->statusmessage);

        $this->setUser($users['teacher']);
        $PAGE->set_url('/course/view.php', ['id' => $course->id]);
        $html = $PAGE->get_renderer('block_kuracloud')->render(new block_content((int)$course->id));
        $this->assertStringContainsString('action=reenable', $html);

        mapping_service::reenable($mapping);
        $this->assertTrue($this->kc_course()['lmsEnabled']);
        $this->assertSame('ok', mappings::for_course((int)$course->id)->status);
    }

    public function test_privacy_finds_exports_and_deletes_links_after_an_unmap_and_a_deleted_course(): void {
        global $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        student_sync::apply($mapping, $plan['fingerprint'], false, (int)$users['teacher']->id);
        grade_sync::sync($mapping, (int)$users['teacher']->id);
        $ana = $users['Ana'];
        $this->assertTrue($DB->record_exists('block_kuracloud_links', ['userid' => $ana->id]));

        // After the unmap: the link is kept (for a re-map) and still Ana's data.
        mapping_service::remove($mapping);
        $contexts = \block_kuracloud\privacy\provider::get_contexts_for_userid((int)$ana->id)->get_contextids();
        $usercontext = \context_user::instance($ana->id);
        $this->assertContains((string)$usercontext->id, array_map('strval', $contexts));
        $writer = \core_privacy\local\request\writer::with_context($usercontext);
        \block_kuracloud\privacy\provider::export_user_data(new \core_privacy\local\request\approved_contextlist($ana,
            'block_kuracloud', [$usercontext->id]));
        $data = $writer->get_data([get_string('pluginname', 'block_kuracloud')]);
        $this->assertNotEmpty($data->links);

        // After the course is deleted: grades and history too; deleting removes them all.
        delete_course($course, false);
        $userlist = new \core_privacy\local\request\userlist($usercontext, 'block_kuracloud');
        \block_kuracloud\privacy\provider::get_users_in_context($userlist);
        $this->assertSame([(int)$ana->id], array_map('intval', $userlist->get_userids()));
        \block_kuracloud\privacy\provider::delete_data_for_user(new \core_privacy\local\request\approved_contextlist($ana,
            'block_kuracloud', [$usercontext->id]));
        $this->assertFalse($DB->record_exists('block_kuracloud_links', ['userid' => $ana->id]));
        $this->assertFalse($DB->record_exists('block_kuracloud_grades', ['userid' => $ana->id]));
        $this->assertEmpty(\block_kuracloud\privacy\provider::get_contexts_for_userid((int)$ana->id)->get_contextids());

        // The teacher who ran the syncs: history of the deleted course, found by user id.
        $teacher = $users['teacher'];
        $tcontext = \context_user::instance($teacher->id);
        $this->assertContains((string)$tcontext->id,
            array_map('strval', \block_kuracloud\privacy\provider::get_contexts_for_userid((int)$teacher->id)->get_contextids()));
        \block_kuracloud\privacy\provider::delete_data_for_all_users_in_context($tcontext);
        $this->assertFalse($DB->record_exists('block_kuracloud_log', ['userid' => $teacher->id]));
    }

    public function test_time_budgets_are_wall_clock(): void {
        global $DB;
        [, $mapping] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        student_sync::apply($mapping, $plan['fingerprint'], false, 0);

        // An export that never finishes, and slow answers: the module's own budget counts
        // only its sleeps (300 s); the run's wall-clock budget stops it in time.
        $this->control('PUT', 'export', ['outcome' => 'never', 'pollsBeforeReady' => 0]);
        $this->control('POST', 'faults', ['route' => 'export.progress', 'delay_ms' => 400]);
        \block_kuracloud\local\service\module_runner::$deadline = microtime(true) + 3;
        $start = microtime(true);
        try {
            grade_sync::sync($mapping, 0);
            $this->fail('the export never finished, yet the sync succeeded');
        } catch (workflow_exception $e) {
            $this->assertContains($e->errorcode, ['timeout', 'export_timeout']);
        } finally {
            \block_kuracloud\local\service\module_runner::$deadline = null;
        }
        $this->assertLessThan(15, microtime(true) - $start);

        // The automatic sync: what does not fit in one run's budget waits for the next.
        $this->control('DELETE', 'faults');
        $this->control('PUT', 'export', ['outcome' => 'succeed', 'pollsBeforeReady' => 0]);
        $DB->delete_records('block_kuracloud_log');
        $result = \block_kuracloud\local\service\auto_sync::run($mapping,
            \block_kuracloud\local\service\auto_sync::MIN_GRADES_SECONDS - 1);
        $this->assertSame('applied', $result['students']);
        $this->assertSame('deferred', $result['grades']);
        $this->assertTrue($DB->record_exists('block_kuracloud_log', ['kind' => 'grades', 'status' => 'deferred']));
        $this->assertNull(\block_kuracloud\local\service\module_runner::$deadline);
        $this->assertSame('synced', \block_kuracloud\local\service\auto_sync::run($mapping)['grades']);
    }

    public function test_a_module_trap_or_limit_is_a_clear_message_in_the_history(): void {
        global $DB;
        [, $mapping, $users] = $this->mapped_course();
        // An instance too small for the module: the runtime (extension or generated PHP) throws.
        \block_kuracloud\local\service\module_runner::$limits['memorymb'] = 1;
        try {
            student_sync::preview($mapping, (int)$users['teacher']->id);
            $this->fail('the module ran in 1 MiB');
        } catch (workflow_exception $e) {
            $this->assertSame('module_failed', $e->errorcode);
            $this->assertStringContainsString('The kuraCloud module stopped', $e->getMessage());
        } finally {
            \block_kuracloud\local\service\module_runner::$limits['memorymb'] = 512;
        }
        $row = $DB->get_record('block_kuracloud_log', ['courseid' => $mapping->courseid, 'status' => 'failed']);
        $this->assertStringStartsWith('module_failed: ', $row->message);
        $this->assertStringContainsString(s('The kuraCloud module stopped'),
            \block_kuracloud\output\messages::error(new workflow_exception('module_failed', 'The kuraCloud module stopped: x')));
    }
}
