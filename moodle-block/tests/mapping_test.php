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
use block_kuracloud\local\service\mapping_service;
use block_kuracloud\local\wasm\workflow_exception;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * Course mappings, and their resilience when either course is deleted.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\service\mapping_service
 */
final class mapping_test extends kuracloud_testcase {
    public function test_only_unmapped_active_courses_are_offered(): void {
        $connectionid = $this->connect();
        $course = $this->getDataGenerator()->create_course();
        [$options] = mapping_service::mappable_courses($course);
        $this->assertSame(["$connectionid-102", "$connectionid-101"], array_keys($options));
        $this->assertStringContainsString('Physiology 101 (PHYS101)', $options["$connectionid-101"]);
        mapping_service::create($course, $connectionid, 101);
        [$options] = mapping_service::mappable_courses($this->getDataGenerator()->create_course());
        $this->assertSame(["$connectionid-102"], array_keys($options));
    }

    public function test_mapping_enables_lms_in_kuracloud_and_removing_disables_it(): void {
        [$course, $mapping] = $this->mapped_course();
        $this->assertSame('Physiology 101', $mapping->remotename);
        $this->assertTrue($this->kc_course()['lmsEnabled']);
        $this->assertSame('Physiology (Moodle)', $this->kc_course()['lmsCourseName']);
        mapping_service::remove($mapping);
        $this->assertNull(mappings::for_course((int)$course->id));
        $this->assertFalse($this->kc_course()['lmsEnabled']);
    }

    public function test_a_deleted_kuracloud_course_must_be_restored_before_unmapping(): void {
        [$course, $mapping] = $this->mapped_course();
        $state = $this->control('GET', 'state');
        $state['instances'][0]['courses'][0]['deleted'] = true;
        $this->control('PUT', 'state', $state);
        try {
            mapping_service::remove($mapping);
            $this->fail('removed a mapping of a deleted course');
        } catch (workflow_exception $e) {
            $this->assertStringContainsString('restore the course in kuraCloud first', $e->getMessage());
        }
        $this->assertNotNull(mappings::for_course((int)$course->id));
    }

    public function test_mappings_survive_deleting_either_course_and_work_again_after_a_restore(): void {
        [$course, $mapping] = $this->mapped_course();
        // kuraCloud side deleted: the mapping is kept, its status says so.
        $state = $this->control('GET', 'state');
        $state['instances'][0]['courses'][0]['deleted'] = true;
        $this->control('PUT', 'state', $state);
        mapping_service::check_all();
        $this->assertSame('course_deleted', mappings::for_course((int)$course->id)->status);
        // Restored in kuraCloud: OK again.
        $state['instances'][0]['courses'][0]['deleted'] = false;
        $this->control('PUT', 'state', $state);
        mapping_service::check_all();
        $this->assertSame('ok', mappings::for_course((int)$course->id)->status);
        // Moodle side deleted: the mapping row is kept, and kuraCloud is untouched.
        delete_course($course, false);
        $this->assertNotNull(mappings::for_course((int)$course->id));
        $this->assertFalse($this->kc_course()['deleted']);
        $this->assertTrue($this->kc_course()['lmsEnabled']);
    }

    public function test_lms_disabled_in_kuracloud_is_reported(): void {
        [$course] = $this->mapped_course();
        $state = $this->control('GET', 'state');
        $state['instances'][0]['courses'][0]['lmsEnabled'] = false;
        $this->control('PUT', 'state', $state);
        mapping_service::check_all();
        $this->assertSame('lms_not_enabled', mappings::for_course((int)$course->id)->status);
    }
}
