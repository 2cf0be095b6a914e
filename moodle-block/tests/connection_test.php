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
use block_kuracloud\local\wasm\workflow_exception;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * Connections: the token is verified, stored encrypted, one connection per instance.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\service\connection_service
 * @covers     \block_kuracloud\local\repository\connections
 */
final class connection_test extends kuracloud_testcase {
    public function test_a_verified_token_is_stored_encrypted_with_the_instance_name(): void {
        global $DB;
        $verified = connection_service::add($this->sim . '/', 'demo-token');
        $this->assertSame('Demo University', $verified['name']);
        $row = $DB->get_record('block_kuracloud_conns', ['id' => $verified['connection_id']]);
        $this->assertSame('demo-university', $row->instanceid);
        $this->assertSame($this->sim, $row->apiurl);
        $this->assertStringNotContainsString('demo-token', $row->token);
        $this->assertSame('demo-token', connections::for_workflow($row)['token']);
    }

    public function test_a_wrong_token_is_refused_and_nothing_is_stored(): void {
        global $DB;
        try {
            connection_service::add($this->sim, 'wrong-token');
            $this->fail('a wrong token was accepted');
        } catch (workflow_exception $e) {
            $this->assertSame('bad_token', $e->errorcode);
            $this->assertStringContainsString('refused the token', $e->getMessage());
        }
        $this->assertSame(0, $DB->count_records('block_kuracloud_conns'));
    }

    public function test_an_instance_without_lms_is_refused(): void {
        $this->expectException(workflow_exception::class);
        $this->expectExceptionMessage('LMS integration is not enabled');
        connection_service::add($this->sim, 'second-token');
    }

    public function test_a_new_token_for_the_same_instance_replaces_the_old_one(): void {
        global $DB;
        $first = connection_service::add($this->sim, 'demo-token')['connection_id'];
        $second = connection_service::add($this->sim, 'demo-token')['connection_id'];
        $this->assertSame($first, $second);
        $this->assertSame(1, $DB->count_records('block_kuracloud_conns'));
    }

    public function test_an_unreachable_server_is_a_clear_error(): void {
        try {
            connection_service::add('http://127.0.0.1:9', 'demo-token');
            $this->fail('should fail');
        } catch (workflow_exception $e) {
            $this->assertContains($e->errorcode, ['unreachable', 'timeout']);
        }
    }

    public function test_moodle_blocked_hosts_are_honoured(): void {
        set_config('curlsecurityblockedhosts', '127.0.0.1');
        try {
            connection_service::add($this->sim, 'demo-token');
            $this->fail('a blocked host was contacted');
        } catch (workflow_exception $e) {
            $this->assertSame('unreachable', $e->errorcode);
        }
        // Moodle reports every blocked request through debugging().
        $this->assertDebuggingCalled();
    }
}
