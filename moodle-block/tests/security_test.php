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
use block_kuracloud\local\service\mapping_service;
use block_kuracloud\local\service\module_runner;
use block_kuracloud\local\wasm\effect_loop;
use block_kuracloud\local\wasm\moodle_curl_transport;
use block_kuracloud\local\wasm\transport;
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\block_content;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * A transport that records what it was asked to send, then sends it with Moodle's curl.
 */
final class recording_transport implements transport {
    /** @var string[] URLs sent. */
    public array $urls = [];

    /**
     * Sends a request.
     *
     * @param string $method Method.
     * @param string $url URL.
     * @param array $headers Headers.
     * @param string|null $body Body.
     * @param int $timeoutms Timeout.
     * @return array
     */
    public function send(string $method, string $url, array $headers, ?string $body, int $timeoutms): array {
        $this->urls[] = $url;
        return (new moodle_curl_transport())->send($method, $url, $headers, $body, $timeoutms);
    }
}

/**
 * Safe with hostile servers and curious users: who sees status details, bounded responses,
 * sleeps and destinations, tokens only over TLS, connections limited to categories.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\api_url_policy
 * @covers     \block_kuracloud\local\wasm\effect_loop
 * @covers     \block_kuracloud\local\wasm\moodle_curl_transport
 * @covers     \block_kuracloud\local\repository\connections
 * @covers     \block_kuracloud\output\block_content
 */
final class security_test extends kuracloud_testcase {
    protected function tearDown(): void {
        module_runner::$transport = null;
        parent::tearDown();
    }

    public function test_students_see_a_short_status_and_teachers_the_details(): void {
        global $PAGE;
        [$course, $mapping, $users] = $this->mapped_course();
        $detail = 'GET https://kc.example.edu/v2/course failed: curl error 7 (Failed to connect to 10.0.0.5)';
        mappings::set_status((int)$mapping->id, 'connection_failing', $detail);
        $PAGE->set_url('/course/view.php', ['id' => $course->id]);
        $renderer = $PAGE->get_renderer('block_kuracloud');

        $this->setUser($users['Ana']);
        $html = $renderer->render(new block_content((int)$course->id));
        $this->assertStringContainsString(get_string('status_connection_failing', 'block_kuracloud'), $html);
        $this->assertStringNotContainsString('10.0.0.5', $html);
        $this->assertStringNotContainsString('kc.example.edu', $html);

        $this->setUser($users['teacher']);
        $this->assertStringContainsString('10.0.0.5', $renderer->render(new block_content((int)$course->id)));
    }

    public function test_a_response_over_the_size_cap_is_aborted_with_a_clear_error(): void {
        global $DB;
        set_config('maxresponsemb', 1, 'block_kuracloud');
        $this->control('POST', 'faults', ['route' => 'instance.get', 'status' => 200,
            'body' => '{"instanceId":"demo-university","displayName":"' . str_repeat('x', 3 * 1024 * 1024) . '"}']);
        try {
            connection_service::add($this->sim, 'demo-token');
            $this->fail('an oversized answer was accepted');
        } catch (workflow_exception $e) {
            $this->assertStringContainsString('larger than 1 MiB', $e->getMessage());
        }
        $this->assertSame(0, $DB->count_records('block_kuracloud_conns'));

        // The transport itself: a body just under the cap passes.
        $this->control('DELETE', 'faults');
        $this->control('POST', 'faults', ['route' => 'instance.get', 'status' => 200, 'body' => str_repeat('y', 1000)]);
        $answer = (new moodle_curl_transport(2000))->send('GET', $this->sim . '/v2/instance', [['X-Kura-Token', 'demo-token']],
            null, 5000);
        $this->assertSame(200, $answer['status']);
        $this->assertSame(1000, strlen($answer['body']));
        $answer = (new moodle_curl_transport(999))->send('GET', $this->sim . '/v2/instance', [['X-Kura-Token', 'demo-token']],
            null, 5000);
        $this->assertSame('other', $answer['transport_error']['kind']);
    }

    public function test_sleeps_the_module_asks_for_are_clamped(): void {
        [, $mapping] = $this->mapped_course();
        $plan = \block_kuracloud\local\service\student_sync::preview($mapping);
        \block_kuracloud\local\service\student_sync::apply($mapping, $plan['fingerprint'], false, 0);
        $this->control('PUT', 'export', ['outcome' => 'succeed', 'pollsBeforeReady' => 1]);
        $sleeps = [];
        $loop = new effect_loop(module_runner::module(), module_runner::transport(),
            function (int $ms) use (&$sleeps): void {
                $sleeps[] = $ms;
            });
        $input = \block_kuracloud\local\service\grade_sync::input($mapping);
        $input['poll'] = ['initial_ms' => 3600000, 'max_interval_ms' => 3600000, 'budget_ms' => 36000000];
        $loop->run('grades.sync', $input);
        $this->assertNotEmpty($sleeps);
        $this->assertSame(effect_loop::MAX_SLEEP_MS, max($sleeps));
    }

    public function test_a_request_to_another_server_is_refused_and_never_sent(): void {
        $recorder = new recording_transport();
        module_runner::$transport = $recorder;
        $loop = module_runner::loop()->allow_only(['https://api.kuracloud.com']);
        try {
            $loop->run('connection.verify', ['connection' => ['api_url' => $this->sim, 'token' => 'demo-token']]);
            $this->fail('the request was not refused');
        } catch (workflow_exception $e) {
            $this->assertStringContainsString('refused', $e->getMessage());
        }
        $this->assertSame([], $recorder->urls);

        // module_runner allows exactly the input's connections.
        $this->assertSame('Demo University', module_runner::run('connection.verify',
            ['connection' => ['api_url' => $this->sim, 'token' => 'demo-token']])['name']);
        $this->assertCount(1, $recorder->urls);
        $this->assertSame([$this->sim], module_runner::api_urls(['connection' => ['api_url' => $this->sim]]));
    }

    public function test_tokens_travel_only_over_tls_unless_the_host_is_a_listed_test_server(): void {
        global $DB;
        $recorder = new recording_transport();
        module_runner::$transport = $recorder;
        set_config('testhosts', '', 'block_kuracloud');
        try {
            connection_service::add($this->sim, 'demo-token');
            $this->fail('a token was sent over plain HTTP');
        } catch (workflow_exception $e) {
            $this->assertSame('insecure_url', $e->errorcode);
        }
        $this->assertSame([], $recorder->urls);
        $this->assertSame(0, $DB->count_records('block_kuracloud_conns'));

        $this->assertTrue(local\api_url_policy::allows('https://api.kuracloud.com'));
        $this->assertFalse(local\api_url_policy::allows('ftp://api.kuracloud.com'));
        $this->assertFalse(local\api_url_policy::allows('https://user:pass@api.kuracloud.com'));
        set_config('testhosts', "kc.test\n127.0.0.1", 'block_kuracloud');
        $this->assertTrue(local\api_url_policy::allows('http://KC.test:8080'));
        $this->assertFalse(local\api_url_policy::allows('http://kc.test.evil.example'));
        $id = $this->connect();

        // A connection stored with http:// whose host is later unlisted sends nothing.
        set_config('testhosts', '', 'block_kuracloud');
        $recorder->urls = [];
        $this->assertSame([], connections::all_for_workflow());
        $this->expectException(workflow_exception::class);
        connections::for_workflow(connections::get($id));
    }

    public function test_an_unlisted_http_connection_marks_its_mappings_failing_without_a_request(): void {
        [, $mapping] = $this->mapped_course();
        $recorder = new recording_transport();
        module_runner::$transport = $recorder;
        set_config('testhosts', '', 'block_kuracloud');
        mapping_service::check_all();
        $this->assertSame([], $recorder->urls);
        $row = mappings::for_course((int)$mapping->courseid);
        $this->assertSame('connection_failing', $row->status);
        $this->assertSame(get_string('insecureapiurl', 'block_kuracloud'), $row->statusmessage);
    }

    public function test_a_connection_limited_to_categories_is_offered_only_there(): void {
        $this->setAdminUser();
        $gen = $this->getDataGenerator();
        $science = $gen->create_category(['name' => 'Science']);
        $physiology = $gen->create_category(['name' => 'Physiology', 'parent' => $science->id]);
        $arts = $gen->create_category(['name' => 'Arts']);
        $id = (int)connection_service::add($this->sim, 'demo-token', [$science->id])['connection_id'];
        $this->assertSame([(int)$science->id], connections::categories(connections::get($id)));

        $inscience = $gen->create_course(['category' => $physiology->id]);
        $inarts = $gen->create_course(['category' => $arts->id]);
        [$options] = mapping_service::mappable_courses($inscience);
        $this->assertArrayHasKey(mapping_service::option_key($id, 101), $options);
        $this->assertSame([[], []], mapping_service::mappable_courses($inarts));
        try {
            mapping_service::create($inarts, $id, 101);
            $this->fail('a forged request mapped a course through a connection of another category');
        } catch (\moodle_exception $e) {
            $this->assertSame('connectionnotallowed', $e->errorcode);
        }
        $this->assertNull(mappings::for_course((int)$inarts->id));
        mapping_service::create($inscience, $id, 101);
        $this->assertNotNull(mappings::for_course((int)$inscience->id));

        // Back to the whole site.
        connections::set_categories($id, []);
        $this->assertArrayHasKey(mapping_service::option_key($id, 102), mapping_service::mappable_courses($inarts)[0]);
    }
}
