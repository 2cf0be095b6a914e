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
use block_kuracloud\local\service\connection_service;
use block_kuracloud\local\service\grade_sync;
use block_kuracloud\local\service\mapping_service;
use block_kuracloud\local\service\student_sync;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * Events for every change, with the right context, readable in the logs.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\event\connection_created
 * @covers     \block_kuracloud\event\connection_deleted
 * @covers     \block_kuracloud\event\course_mapped
 * @covers     \block_kuracloud\event\course_unmapped
 * @covers     \block_kuracloud\event\students_synced
 * @covers     \block_kuracloud\event\grades_synced
 */
final class events_test extends kuracloud_testcase {
    public function test_every_change_is_logged(): void {
        $sink = $this->redirectEvents();
        [$course, $mapping] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        student_sync::apply($mapping, $plan['fingerprint'], false, 0);
        grade_sync::sync($mapping, 0);
        mapping_service::remove($mapping);
        connection_service::delete(connections::get((int)$mapping->connectionid));
        $events = array_values(array_filter($sink->get_events(),
            fn($e) => str_starts_with(get_class($e), 'block_kuracloud\\event\\')));
        $sink->close();
        $names = array_map(fn($e) => substr(strrchr(get_class($e), '\\'), 1), $events);
        $this->assertSame(['connection_created', 'course_mapped', 'students_synced', 'grades_synced', 'course_unmapped',
            'connection_deleted'], $names);
        $coursecontext = \context_course::instance($course->id);
        $this->assertEquals(\context_system::instance(), $events[0]->get_context());
        foreach ([1, 2, 3, 4] as $i) {
            $this->assertEquals($coursecontext, $events[$i]->get_context());
            $this->assertNotEmpty($events[$i]->get_description());
            $this->assertNotEmpty($events[$i]::get_name());
        }
        $this->assertStringContainsString('add: 1', $events[2]->get_description());
        $this->assertStringContainsString('write: 4', $events[3]->get_description());
    }
}
