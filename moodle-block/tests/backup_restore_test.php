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

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * Backup and restore: a restored deleted course gets its mapping back; a copy never
 * hijacks the original's.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \restore_kuracloud_block_structure_step
 */
final class backup_restore_test extends kuracloud_testcase {
    /**
     * Backs a course up and restores it into a new course.
     *
     * @param \stdClass $course Course.
     * @param bool $deletefirst Delete the original before restoring.
     * @return int The new course id.
     */
    private function backup_and_restore(\stdClass $course, bool $deletefirst, ?callable $edit = null): int {
        global $CFG, $USER;
        require_once($CFG->dirroot . '/backup/util/includes/backup_includes.php');
        require_once($CFG->dirroot . '/backup/util/includes/restore_includes.php');
        $CFG->keeptempdirectoriesonbackup = true;
        $bc = new \backup_controller(\backup::TYPE_1COURSE, $course->id, \backup::FORMAT_MOODLE, \backup::INTERACTIVE_NO,
            \backup::MODE_IMPORT, $USER->id);
        $backupid = $bc->get_backupid();
        $bc->execute_plan();
        $bc->destroy();
        if ($deletefirst) {
            delete_course($course, false);
        }
        if ($edit) {
            $found = 0;
            $dir = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator(make_backup_temp_directory($backupid)));
            foreach ($dir as $file) {
                if ($file->getFilename() === 'kuracloud.xml') {
                    file_put_contents($file->getPathname(), $edit(file_get_contents($file->getPathname())));
                    $found++;
                }
            }
            $this->assertSame(1, $found, 'the backup holds one kuracloud.xml');
        }
        $newcourseid = \restore_dbops::create_new_course('Restored', 'RESTORED' . random_string(4), $course->category);
        $rc = new \restore_controller($backupid, $newcourseid, \backup::INTERACTIVE_NO, \backup::MODE_IMPORT, $USER->id,
            \backup::TARGET_NEW_COURSE);
        $this->assertTrue($rc->execute_precheck());
        $rc->execute_plan();
        $rc->destroy();
        return (int)$newcourseid;
    }

    /**
     * A mapped course with the block on its page.
     *
     * @return \stdClass The course.
     */
    private function mapped_course_with_block(): \stdClass {
        [$course] = $this->mapped_course();
        $this->getDataGenerator()->create_block('kuracloud', ['parentcontextid' => \context_course::instance($course->id)->id,
            'pagetypepattern' => 'course-view-*', 'defaultregion' => 'side-pre']);
        return $course;
    }

    public function test_restoring_a_deleted_course_reinstates_its_mapping(): void {
        $course = $this->mapped_course_with_block();
        $newcourseid = $this->backup_and_restore($course, true);
        $mapping = mappings::for_course($newcourseid);
        $this->assertNotNull($mapping);
        $this->assertSame(101, (int)$mapping->remotecourseid);
        $this->assertNull(mappings::for_course((int)$course->id));
    }

    public function test_a_copy_never_hijacks_the_original_mapping(): void {
        $course = $this->mapped_course_with_block();
        $newcourseid = $this->backup_and_restore($course, false);
        $this->assertNull(mappings::for_course($newcourseid));
        $this->assertSame(101, (int)mappings::for_course((int)$course->id)->remotecourseid);
    }

    /**
     * Rewrites the mapping element of a kuracloud.xml.
     *
     * @param string $xml The file.
     * @param array $fields Element name => new text (null: remove the element).
     * @return string
     */
    private static function forge(string $xml, array $fields): string {
        $doc = new \DOMDocument();
        $doc->loadXML($xml);
        $mapping = $doc->getElementsByTagName('mapping')->item(0);
        foreach ($fields as $name => $value) {
            if ($name === 'id') {
                $mapping->setAttribute('id', (string)$value);
                continue;
            }
            $node = $mapping->getElementsByTagName($name)->item(0);
            if ($value === null) {
                $node->parentNode->removeChild($node);
            } else {
                $node->textContent = (string)$value;
            }
        }
        return $doc->saveXML();
    }

    /**
     * A deleted course's mapping waiting for its restore, and another mapped course with
     * the block whose backup an attacker edits to point at the waiting mapping.
     *
     * @return array [waiting mapping, the attacker's course]
     */
    private function waiting_mapping_and_other_course(): array {
        [$victim] = $this->mapped_course();
        $waiting = mappings::for_course((int)$victim->id);
        delete_course($victim, false);
        $other = $this->getDataGenerator()->create_course();
        \block_kuracloud\local\service\mapping_service::create($other, (int)$waiting->connectionid, 102);
        $this->getDataGenerator()->create_block('kuracloud', ['parentcontextid' => \context_course::instance($other->id)->id,
            'pagetypepattern' => 'course-view-*', 'defaultregion' => 'side-pre']);
        return [$waiting, $other];
    }

    public function test_a_forged_backup_cannot_take_a_waiting_mapping(): void {
        global $DB;
        [$waiting, $other] = $this->waiting_mapping_and_other_course();
        $newcourseid = $this->backup_and_restore($other, false, fn($xml) => self::forge($xml, ['id' => $waiting->id,
            'courseid' => $waiting->courseid, 'remotecourseid' => $waiting->remotecourseid]));
        $this->assertNull(mappings::for_course($newcourseid));
        $this->assertSame((int)$waiting->courseid, (int)$DB->get_field('block_kuracloud_maps', 'courseid', ['id' => $waiting->id]));
    }

    public function test_a_backup_without_signature_cannot_take_a_waiting_mapping(): void {
        global $DB;
        [$waiting, $other] = $this->waiting_mapping_and_other_course();
        $newcourseid = $this->backup_and_restore($other, false, fn($xml) => self::forge($xml, ['id' => $waiting->id,
            'courseid' => $waiting->courseid, 'remotecourseid' => $waiting->remotecourseid, 'signature' => null]));
        $this->assertNull(mappings::for_course($newcourseid));
        $this->assertSame((int)$waiting->courseid, (int)$DB->get_field('block_kuracloud_maps', 'courseid', ['id' => $waiting->id]));
    }

    public function test_a_user_who_may_not_map_courses_does_not_move_a_mapping_by_restoring(): void {
        global $DB;
        $course = $this->mapped_course_with_block();
        $manager = $this->getDataGenerator()->create_user();
        $roleid = (int)$DB->get_field('role', 'id', ['shortname' => 'manager']);
        role_assign($roleid, $manager->id, \context_system::instance()->id);
        assign_capability('block/kuracloud:mapcourses', CAP_PROHIBIT, $roleid, \context_system::instance()->id, true);
        $this->setUser($manager);
        $newcourseid = $this->backup_and_restore($course, true);
        $this->assertNull(mappings::for_course($newcourseid));
        $this->assertSame(1, $DB->count_records('block_kuracloud_maps', ['courseid' => $course->id]));
    }
}
