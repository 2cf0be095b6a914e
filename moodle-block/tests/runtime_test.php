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

use block_kuracloud\local\service\module_runner;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * The runtime choice: the extension when it is loaded, otherwise the generated PHP, both
 * through the same effect loop. scripts/test-moodle.sh runs the whole suite both ways.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\service\module_runner
 */
final class runtime_test extends kuracloud_testcase {
    public function test_the_extension_runs_when_loaded_and_the_generated_php_otherwise(): void {
        $loaded = extension_loaded('kuracloud');
        $this->assertSame($loaded ? module_runner::RUNTIME_EXTENSION : module_runner::RUNTIME_PHP, module_runner::runtime());
        $this->assertInstanceOf($loaded ? '\KuracloudWasm\Module' : local\wasm\php_module::class, module_runner::module());
        $outcome = module_runner::run('connection.verify', ['connection' => ['api_url' => $this->sim, 'token' => 'demo-token']]);
        $this->assertSame('Demo University', $outcome['name']);
    }

    public function test_the_generated_module_is_shipped_with_the_plugin(): void {
        $this->assertFileIsReadable(module_runner::generated_path());
        $this->assertFileIsReadable(module_runner::module_path());
    }
}
