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

use block_kuracloud\local\service\student_sync;
use block_kuracloud\privacy\provider;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\writer;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * Privacy API: export and deletion of links and written grades.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\privacy\provider
 */
final class privacy_provider_test extends kuracloud_testcase {
    public function test_metadata_names_the_tables_and_kuracloud(): void {
        $collection = provider::get_metadata(new \core_privacy\local\metadata\collection('block_kuracloud'));
        $names = array_map(fn($item) => $item->get_name(), $collection->get_collection());
        $this->assertContains('block_kuracloud_links', $names);
        $this->assertContains('kuracloud', $names);
    }

    public function test_a_users_link_is_exported_and_deleted(): void {
        global $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        student_sync::apply($mapping, $plan['fingerprint'], false, 0);
        $context = \context_course::instance($course->id);
        $ana = $users['Ana'];
        $contexts = provider::get_contexts_for_userid((int)$ana->id);
        $this->assertContains((int)$context->id, array_map('intval', $contexts->get_contextids()));
        provider::export_user_data(new approved_contextlist($ana, 'block_kuracloud', [$context->id]));
        $data = writer::with_context($context)->get_data([get_string('pluginname', 'block_kuracloud')]);
        $this->assertEquals(1001, $data->kuracloudstudentid);
        provider::delete_data_for_user(new approved_contextlist($ana, 'block_kuracloud', [$context->id]));
        $this->assertSame(0, $DB->count_records('block_kuracloud_links', ['userid' => $ana->id]));
        $this->assertSame(3, $DB->count_records('block_kuracloud_links'));

        // Per user list.
        $userlist = new \core_privacy\local\request\userlist($context, 'block_kuracloud');
        provider::get_users_in_context($userlist);
        $this->assertEqualsCanonicalizing([(int)$users['Ben']->id, (int)$users['Chen']->id, (int)$users['Dana']->id],
            array_map('intval', $userlist->get_userids()));
        provider::delete_data_for_users(new \core_privacy\local\request\approved_userlist($context, 'block_kuracloud',
            [$users['Ben']->id]));
        $this->assertSame(0, $DB->count_records('block_kuracloud_links', ['userid' => $users['Ben']->id]));
        $this->assertSame(2, $DB->count_records('block_kuracloud_links'));
        provider::delete_data_for_all_users_in_context($context);
        $this->assertSame(0, $DB->count_records('block_kuracloud_links'));
    }
}
