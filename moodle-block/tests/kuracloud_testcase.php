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
use block_kuracloud\local\service\connection_service;
use block_kuracloud\local\service\mapping_service;

/**
 * Base for tests that run the real module against the kuraCloud simulator
 * (`host-runner sim`, URL in KC_SIM_URL; scripts/test-moodle.sh starts it).
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
abstract class kuracloud_testcase extends \advanced_testcase {
    /** @var string Simulator base URL. */
    protected string $sim = '';

    protected function setUp(): void {
        parent::setUp();
        $this->resetAfterTest();
        // Knobs some tests turn (static, so they would outlive the test).
        \block_kuracloud\local\service\grade_sync::$gradesperbatch = null;
        \block_kuracloud\local\service\sync_guard::$waitseconds = 5;
        $sim = (string)getenv('KC_SIM_URL');
        if ($sim === '' || !\block_kuracloud\local\service\module_runner::available()) {
            $this->markTestSkipped('Needs the kuraCloud simulator (KC_SIM_URL) and the module (extension or wasm/kuracloud.php): '
                . 'run scripts/test-moodle.sh.');
        }
        $this->sim = rtrim($sim, '/');
        $this->control('POST', 'reset');
        // The simulator listens on 127.0.0.1 on a high port, which Moodle blocks by default.
        set_config('curlsecurityblockedhosts', '');
        set_config('curlsecurityallowedport', '');
        // ... and over plain HTTP, which the plugin allows only for listed test servers.
        set_config('testhosts', '127.0.0.1', 'block_kuracloud');
    }

    /**
     * Calls the simulator's control API.
     *
     * @param string $method HTTP method.
     * @param string $path Path under /_control/.
     * @param mixed $body JSON-encodable body.
     * @return mixed Decoded answer.
     */
    protected function control(string $method, string $path, $body = null) {
        $ch = curl_init($this->sim . '/_control/' . $path);
        curl_setopt_array($ch, [CURLOPT_CUSTOMREQUEST => $method, CURLOPT_RETURNTRANSFER => true]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode($body));
        }
        $out = curl_exec($ch);
        curl_close($ch);
        return json_decode((string)$out, true);
    }

    /**
     * The simulator's course 101 (Physiology 101) as it is now.
     *
     * @param int $index Course index in the sample instance.
     * @return array
     */
    protected function kc_course(int $index = 0): array {
        return $this->control('GET', 'state')['instances'][0]['courses'][$index];
    }

    /**
     * Active kuraCloud emails of course 101, sorted.
     *
     * @return string[]
     */
    protected function kc_active_emails(): array {
        $emails = [];
        foreach ($this->kc_course()['students'] as $s) {
            if (!$s['deleted']) {
                $emails[] = strtolower($s['email']);
            }
        }
        sort($emails);
        return $emails;
    }

    /**
     * A verified connection to the sample instance.
     *
     * @return int Connection id.
     */
    protected function connect(): int {
        return (int)connection_service::add($this->sim, 'demo-token')['connection_id'];
    }

    /**
     * A Moodle course with the sample's students (Ana, Ben, Chen, Dana) and a teacher,
     * mapped to kuraCloud course 101.
     *
     * @return array [course, mapping, users by first name]
     */
    protected function mapped_course(): array {
        $this->setAdminUser();
        $gen = $this->getDataGenerator();
        $course = $gen->create_course(['fullname' => 'Physiology (Moodle)']);
        $users = [];
        foreach ([['Ana', 'Lima', 'ana.lima@example.edu', 'S001'], ['Ben', 'Okafor', 'ben.okafor@example.edu', 'S002'],
                ['Chen', 'Wei', 'chen.wei@example.edu', 'S003'], ['Dana', 'Smith', 'dana.smith@example.edu', 'S004']] as
                [$first, $last, $email, $idnumber]) {
            $users[$first] = $gen->create_user(['firstname' => $first, 'lastname' => $last, 'email' => $email,
                'idnumber' => $idnumber]);
            $gen->enrol_user($users[$first]->id, $course->id, 'student');
        }
        $group = $gen->create_group(['courseid' => $course->id, 'name' => 'Lab A']);
        $gen->create_group_member(['groupid' => $group->id, 'userid' => $users['Ana']->id]);
        $users['teacher'] = $gen->create_user(['firstname' => 'Tess', 'lastname' => 'Teacher']);
        $gen->enrol_user($users['teacher']->id, $course->id, 'editingteacher');
        $connectionid = $this->connect();
        mapping_service::create($course, $connectionid, 101);
        return [$course, mappings::for_course((int)$course->id), $users];
    }
}
