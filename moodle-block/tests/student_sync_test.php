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

use block_kuracloud\local\repository\links;
use block_kuracloud\local\service\snapshot;
use block_kuracloud\local\service\student_sync;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * Student sync from a real Moodle course through the module to the simulator.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\service\student_sync
 * @covers     \block_kuracloud\local\service\snapshot
 */
final class student_sync_test extends kuracloud_testcase {
    public function test_the_snapshot_holds_only_active_students_with_their_groups(): void {
        global $DB;
        [$course, , $users] = $this->mapped_course();
        // A suspended enrolment is not synced (the old plugin's bug).
        $enrol = $DB->get_record('enrol', ['courseid' => $course->id, 'enrol' => 'manual']);
        $DB->set_field('user_enrolments', 'status', ENROL_USER_SUSPENDED,
            ['enrolid' => $enrol->id, 'userid' => $users['Dana']->id]);
        $students = snapshot::students((int)$course->id);
        $emails = array_column($students, 'email');
        sort($emails);
        $this->assertSame(['ana.lima@example.edu', 'ben.okafor@example.edu', 'chen.wei@example.edu'], $emails);
        $ana = array_values(array_filter($students, fn($s) => $s['first_name'] === 'Ana'))[0];
        $this->assertSame(['Lab A'], $ana['groups']);
        $this->assertSame('S001', $ana['idnumber']);
    }

    public function test_preview_changes_nothing_and_apply_does_exactly_the_plan(): void {
        global $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        $before = $this->kc_course();
        $plan = student_sync::preview($mapping);
        $this->assertSame(['add' => 1, 'reinvite' => 0, 'update' => 0, 'restore' => 1, 'delete' => 1, 'unchanged' => 2,
            'conflict' => 0, 'skip' => 0], $plan['counts']);
        $this->assertEquals($before, $this->kc_course());
        $this->assertSame(0, $DB->count_records('block_kuracloud_links'));

        $outcome = student_sync::apply($mapping, $plan['fingerprint'], false, (int)$users['teacher']->id);
        $this->assertSame('applied', $outcome['status']);
        $this->assertSame(['ana.lima@example.edu', 'ben.okafor@example.edu', 'chen.wei@example.edu',
            'dana.smith@example.edu'], $this->kc_active_emails());
        $this->assertCount(4, links::for_mapping($mapping));
        $this->assertSame(1, $DB->count_records('block_kuracloud_log', ['courseid' => $course->id, 'kind' => 'students']));
        // Converged: a new preview has nothing to do.
        $again = student_sync::preview($mapping);
        $this->assertSame(4, $again['counts']['unchanged']);
    }

    public function test_a_stale_fingerprint_applies_nothing(): void {
        [, $mapping, $users] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        $this->getDataGenerator()->enrol_user($this->getDataGenerator()->create_user(['email' => 'late@example.edu'])->id,
            $mapping->courseid, 'student');
        $outcome = student_sync::apply($mapping, $plan['fingerprint'], false, (int)$users['teacher']->id);
        $this->assertSame('stale', $outcome['status']);
        $this->assertSame(1, $outcome['plan']['counts']['add'] - $plan['counts']['add']);
        $this->assertNotContains('dana.smith@example.edu', $this->kc_active_emails());
    }

    public function test_a_mass_removal_needs_its_own_confirmation(): void {
        global $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        // kuraCloud has five more students nobody in Moodle matches.
        $state = $this->control('GET', 'state');
        for ($i = 1; $i <= 5; $i++) {
            $state['instances'][0]['courses'][0]['students'][] = ['studentId' => 5000 + $i, 'email' => "x$i@example.edu",
                'givenName' => 'X', 'familyName' => "$i", 'deleted' => false];
        }
        $this->control('PUT', 'state', $state);
        foreach (['Ana', 'Ben', 'Chen', 'Dana'] as $name) {
            $DB->delete_records('user_enrolments', ['userid' => $users[$name]->id]);
        }
        $plan = student_sync::preview($mapping);
        $this->assertTrue($plan['mass_removal']);
        $refused = student_sync::apply($mapping, $plan['fingerprint'], false, 0);
        $this->assertSame('needs_mass_removal_confirmation', $refused['status']);
        $this->assertCount(8, $this->kc_active_emails());
        $done = student_sync::apply($mapping, $plan['fingerprint'], true, 0);
        $this->assertSame('applied', $done['status']);
        $this->assertSame([], $this->kc_active_emails());
        $this->assertSame((int)$course->id, (int)$mapping->courseid);
    }

    public function test_a_failing_kuracloud_write_keeps_what_succeeded(): void {
        [, $mapping, $users] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        $this->control('POST', 'faults', ['route' => 'student.add', 'status' => 500, 'message' => 'boom']);
        $outcome = student_sync::apply($mapping, $plan['fingerprint'], false, (int)$users['teacher']->id);
        $this->assertSame('partial', $outcome['status']);
        $this->assertStringContainsString('boom', $outcome['error']['message']);
        // Deletes come last: nobody was deleted after the failure.
        $this->assertContains('old.student@example.edu', $this->kc_active_emails());
        $this->control('DELETE', 'faults');
        $fresh = student_sync::preview($mapping);
        $this->assertSame('applied', student_sync::apply($mapping, $fresh['fingerprint'], false, 0)['status']);
        $this->assertNotContains('old.student@example.edu', $this->kc_active_emails());
    }
}
