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
use block_kuracloud\local\service\grade_sync;
use block_kuracloud\local\service\mapping_service;
use block_kuracloud\local\service\student_sync;
use block_kuracloud\local\service\sync_log;
use block_kuracloud\local\service\text_report;
use block_kuracloud\output\block_content;
use block_kuracloud\output\messages;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * Every string that comes from kuraCloud (instance name, course name and code, student
 * names and emails, lesson and revision titles, server error messages) is text on every
 * surface: forms, templates, notifications and redirect messages, the block, history,
 * events and the CLI. A hostile kuraCloud server plants markup in all of them.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\output\messages
 * @covers     \block_kuracloud\output\renderer
 * @covers     \block_kuracloud\output\block_content
 * @covers     \block_kuracloud\local\service\mapping_service
 * @covers     \block_kuracloud\local\service\text_report
 */
final class hostile_strings_test extends kuracloud_testcase {
    /** Markup that must never survive, plus a mustache tag that must never be rendered again. */
    const EVIL = '</select></option><img src=x onerror=alert(1)>"><svg onload=alert(2)><script>alert(3)</script>'
        . '{{{statusmessage}}}{{#str}}pluginname, block_kuracloud{{/str}}';

    /**
     * Asserts that a surface shows the hostile string as text: escaped, present, not re-rendered.
     *
     * @param string $html Rendered HTML.
     * @param string $surface What was rendered, for the failure message.
     */
    private function assert_text_only(string $html, string $surface): void {
        foreach (['<img src=x', '<svg onload', '<script>alert', '</select></option>'] as $markup) {
            $this->assertStringNotContainsString($markup, $html, "$surface: markup '$markup' survived");
        }
        $this->assertStringContainsString('&lt;img src=x onerror=alert(1)&gt;', $html, "$surface: the string is not shown");
        $this->assertStringContainsString('{{{statusmessage}}}', $html, "$surface: a mustache tag was rendered");
    }

    /**
     * Plants EVIL in the simulator: instance name, course name and code, a kuraCloud-only
     * student's names, lesson and revision titles.
     */
    private function plant(): void {
        $state = $this->control('GET', 'state');
        $instance = &$state['instances'][0];
        $instance['displayName'] = self::EVIL;
        foreach ($instance['courses'] as &$course) {
            $course['name'] = self::EVIL;
            $course['courseCode'] = self::EVIL;
        }
        unset($course);
        $course = &$instance['courses'][0];
        $student = $course['students'][0];
        $student['studentId'] = 99001;
        $student['email'] = 'evil.student@example.edu';
        $student['givenName'] = self::EVIL;
        $student['familyName'] = self::EVIL;
        $student['deleted'] = false;
        $course['students'][] = $student;
        $course['lessons'][0]['publishedLessonTitle'] = self::EVIL;
        $course['lessons'][0]['revisions'][0]['publishedRevisionTitle'] = self::EVIL;
        $this->control('PUT', 'state', $state);
    }

    public function test_the_mapping_page_escapes_kuracloud_course_and_instance_names(): void {
        global $PAGE;
        $this->setAdminUser();
        $this->plant();
        $course = $this->getDataGenerator()->create_course();
        $this->connect();
        $PAGE->set_url('/blocks/kuracloud/mapping.php', ['courseid' => $course->id]);
        [$options] = mapping_service::mappable_courses($course);
        $this->assertNotEmpty($options);
        $form = new \block_kuracloud\form\mapping_form(null, ['courseid' => $course->id, 'options' => $options]);
        $this->assert_text_only($form->render(), 'mapping form');
    }

    public function test_pages_block_history_and_results_escape_kuracloud_text(): void {
        global $PAGE, $OUTPUT;
        $this->plant();
        [$course, $mapping, $users] = $this->mapped_course();
        $PAGE->set_url('/course/view.php', ['id' => $course->id]);
        $PAGE->set_context(\context_course::instance($course->id));
        $renderer = $PAGE->get_renderer('block_kuracloud');
        $this->assertSame(self::EVIL, $mapping->remotename);

        // The block, with a status message from kuraCloud.
        mappings::set_status((int)$mapping->id, 'lms_not_enabled', self::EVIL);
        $this->assert_text_only($renderer->render(new block_content((int)$course->id)), 'block');

        // The connections table.
        $this->assert_text_only($renderer->connections(array_values(connections::all()),
            new \moodle_url('/blocks/kuracloud/connections.php')), 'connections table');

        // The preview (a kuraCloud-only student with hostile names) and the result.
        $plan = student_sync::preview($mapping);
        $this->assert_text_only($renderer->student_preview($plan, (int)$course->id, false), 'student preview');
        $outcome = student_sync::apply($mapping, $plan['fingerprint'], false, (int)$users['teacher']->id);
        $this->assertSame('applied', $outcome['status']);
        $this->assert_text_only($renderer->student_result($outcome, (int)$course->id), 'student result');
        $partial = ['status' => 'partial', 'error' => ['message' => self::EVIL,
            'text' => ['code' => 'server_error', 'params' => ['status' => 500, 'said' => self::EVIL]]]] + $outcome;
        $this->assert_text_only($renderer->student_result($partial, (int)$course->id), 'partial student result');

        // Grades: items named after hostile lesson and revision titles; a missing item.
        $grades = grade_sync::sync($mapping, (int)$users['teacher']->id);
        $grades['missing_items'][] = ['name' => self::EVIL];
        $this->assert_text_only($renderer->grade_result($grades, (int)$course->id), 'grade result');
        foreach (grade_sync::items((int)$course->id) as $item) {
            $this->assertStringNotContainsString('<img', $item->get_name(), 'gradebook item name');
        }

        // History.
        sync_log::record((int)$course->id, (int)$users['teacher']->id, 'grades', 'failed', [], self::EVIL);
        $rows = array_values($GLOBALS['DB']->get_records('block_kuracloud_log', ['courseid' => $course->id]));
        $this->assert_text_only($renderer->history($rows, true), 'history');

        // Notifications, redirect messages and confirmations.
        foreach (['failure' => messages::failure(self::EVIL), 'text' => messages::text(self::EVIL),
                'connection error' => messages::connection_error(self::EVIL, self::EVIL),
                'mapping saved' => messages::mapping_saved(self::EVIL),
                'connection saved' => messages::connection_saved(self::EVIL)] as $what => $message) {
            $this->assert_text_only($OUTPUT->notification($message, 'error'), "notification: $what");
            \core\notification::add($message, \core\output\notification::NOTIFY_ERROR);
            $html = '';
            foreach (\core\notification::fetch() as $notification) {
                $html .= $OUTPUT->render($notification);
            }
            $this->assert_text_only($html, "redirect message: $what");
        }
        $url = new \moodle_url('/');
        $this->assert_text_only($OUTPUT->confirm(messages::confirm_unmap(self::EVIL), $url, $url), 'unmap confirmation');
        $this->assert_text_only($OUTPUT->confirm(messages::confirm_delete_connection(self::EVIL, 1), $url, $url),
            'delete connection confirmation');
    }

    public function test_event_descriptions_escape_kuracloud_text(): void {
        $this->setAdminUser();
        $event = event\connection_created::create(['context' => \context_system::instance(), 'objectid' => 1,
            'other' => ['instanceid' => self::EVIL]]);
        $this->assertStringNotContainsString('<img', $event->get_description());
        $this->assertStringContainsString('&lt;img', $event->get_description());
    }

    public function test_the_cli_report_shows_control_characters_escaped(): void {
        $evil = "Ana\e]0;owned\x07\e[2J\e[1A\r\x9b" . "31m";
        $plan = ['entries' => [['action' => 'delete', 'name' => $evil, 'email' => $evil . '@example.edu',
            'reason' => ['code' => 'delete_email_taken', 'params' => ['email' => $evil]]]],
            'counts' => ['add' => 0, 'delete' => 1], 'mass_removal' => false];
        $text = text_report::plan($plan);
        $this->assertDoesNotMatchRegularExpression('/[\x00-\x09\x0b-\x1f\x7f]/', $text);
        $this->assertStringNotContainsString("\xc2\x9b", $text);
        $this->assertStringContainsString('Ana\x1b]0;owned\x07\x1b[2J', $text);
        $this->assertStringContainsString('changed to Ana\x1b]0;owned', $text);
        $grades = ['status' => 'synced', 'text' => ['code' => 'export_failed', 'params' => ['detail' => $evil]], 'items' => [['name' => $evil, 'grademax' => 10,
            'counts' => ['write' => 1, 'unchanged' => 0, 'teacher_edited' => 0, 'locked' => 0, 'no_grade' => 0]]],
            'missing_items' => [['name' => $evil]], 'unknown_students' => ['count' => 0]];
        $this->assertDoesNotMatchRegularExpression('/[\x00-\x09\x0b-\x1f\x7f]/', text_report::grades($grades));
    }
}
