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

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->dirroot . '/blocks/kuracloud/db/upgrade.php');
require_once($CFG->libdir . '/upgradelib.php');

/**
 * Upgrade from the old plugin (2022020206): its tables, with old rows, move into ours.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\upgrade\old_plugin_migration
 */
final class upgrade_test extends \advanced_testcase {
    /**
     * Creates the old plugin's tables as its install.xml did.
     */
    private function create_old_tables(): void {
        global $DB;
        $dbman = $DB->get_manager();
        $t = new \xmldb_table('block_kuracloud_endpoints');
        $t->add_field('id', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, XMLDB_SEQUENCE);
        $t->add_field('encrypted_token', XMLDB_TYPE_TEXT);
        $t->add_field('api_endpoint', XMLDB_TYPE_CHAR, '255');
        $t->add_field('instanceid', XMLDB_TYPE_CHAR, '255');
        $t->add_field('name', XMLDB_TYPE_CHAR, '255');
        $t->add_key('primary', XMLDB_KEY_PRIMARY, ['id']);
        $dbman->create_table($t);
        $t = new \xmldb_table('block_kuracloud_courses');
        $t->add_field('id', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, XMLDB_SEQUENCE);
        $t->add_field('courseid', XMLDB_TYPE_INTEGER, '10');
        $t->add_field('remote_instanceid', XMLDB_TYPE_CHAR, '255');
        $t->add_field('remote_courseid', XMLDB_TYPE_INTEGER, '10');
        $t->add_field('remote_name', XMLDB_TYPE_CHAR, '255');
        $t->add_field('status_ok', XMLDB_TYPE_INTEGER, '1');
        $t->add_field('status_message', XMLDB_TYPE_TEXT);
        $t->add_key('primary', XMLDB_KEY_PRIMARY, ['id']);
        $dbman->create_table($t);
        $t = new \xmldb_table('block_kuracloud_users');
        $t->add_field('id', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, XMLDB_SEQUENCE);
        $t->add_field('userid', XMLDB_TYPE_INTEGER, '10');
        $t->add_field('remote_studentid', XMLDB_TYPE_INTEGER, '10');
        $t->add_field('remote_instanceid', XMLDB_TYPE_CHAR, '255');
        $t->add_field('remote_courseid', XMLDB_TYPE_INTEGER, '10');
        $t->add_key('primary', XMLDB_KEY_PRIMARY, ['id']);
        $dbman->create_table($t);
    }

    /**
     * Encrypts a token the way the old plugin stored it.
     *
     * @param string $token Token.
     * @param string $key Key.
     * @return string
     */
    private static function old_encrypt(string $token, string $key): string {
        $iv = random_bytes(16);
        return base64_encode($iv) . ':' . base64_encode(openssl_encrypt($token, 'aes-256-cbc', $key, 0, $iv));
    }

    public function test_old_data_moves_into_the_new_tables(): void {
        global $DB;
        $this->resetAfterTest();
        $this->create_old_tables();
        $key = random_bytes(32);
        get_file_storage()->create_file_from_string(['contextid' => \context_system::instance()->id,
            'component' => 'block_kuracloud', 'filearea' => 'tokenkey', 'itemid' => 0, 'filepath' => '/',
            'filename' => 'token.key'], $key);
        $course = $this->getDataGenerator()->create_course();
        $user = $this->getDataGenerator()->create_user();
        // An instance id with '-' in it: the old mapping form could not handle those.
        $DB->insert_record('block_kuracloud_endpoints', (object)['encrypted_token' => self::old_encrypt('old-secret', $key),
            'api_endpoint' => 'https://api.kuracloud.com/', 'instanceid' => 'uni-east-1', 'name' => 'East University']);
        $DB->insert_record('block_kuracloud_endpoints', (object)['encrypted_token' => 'garbage',
            'api_endpoint' => 'https://api.kuracloud.com', 'instanceid' => 'broken', 'name' => 'Broken']);
        $DB->insert_record('block_kuracloud_courses', (object)['courseid' => $course->id, 'remote_instanceid' => 'uni-east-1',
            'remote_courseid' => 77, 'remote_name' => 'Physiology', 'status_ok' => 1, 'status_message' => '']);
        $DB->insert_record('block_kuracloud_users', (object)['userid' => $user->id, 'remote_studentid' => 9001,
            'remote_instanceid' => 'uni-east-1', 'remote_courseid' => 77]);
        // An old grade item is adopted as it is.
        $item = new \grade_item(['courseid' => $course->id, 'itemtype' => 'manual', 'itemmodule' => 'kuracloud',
            'iteminstance' => 5, 'itemnumber' => 6, 'itemname' => 'Old lesson', 'grademax' => 10], false);
        $item->insert();

        set_config('version', 2022020206, 'block_kuracloud');
        $this->assertTrue(xmldb_block_kuracloud_upgrade(2022020206));

        $east = connections::by_instance('uni-east-1');
        $this->assertSame('East University', $east->name);
        $this->assertSame('https://api.kuracloud.com', $east->apiurl);
        $this->assertSame('old-secret', connections::for_workflow($east)['token']);
        $this->assertSame('ok', $east->status);
        $broken = connections::by_instance('broken');
        $this->assertSame('connection_failing', $broken->status);
        $mapping = $DB->get_record('block_kuracloud_maps', ['courseid' => $course->id]);
        $this->assertSame((int)$east->id, (int)$mapping->connectionid);
        $this->assertSame(77, (int)$mapping->remotecourseid);
        $link = $DB->get_record('block_kuracloud_links', ['userid' => $user->id]);
        $this->assertSame(9001, (int)$link->studentid);
        $this->assertSame(77, (int)$link->remotecourseid);
        $this->assertCount(1, \block_kuracloud\local\service\grade_sync::items((int)$course->id));
        $dbman = $DB->get_manager();
        foreach (['block_kuracloud_endpoints', 'block_kuracloud_courses', 'block_kuracloud_users'] as $old) {
            $this->assertFalse($dbman->table_exists($old));
        }
        $this->assertTrue(get_file_storage()->is_area_empty(\context_system::instance()->id, 'block_kuracloud', 'tokenkey'));
    }
}
