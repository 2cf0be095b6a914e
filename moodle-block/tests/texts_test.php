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
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\texts;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * The module's codes in the site's language: a language pack that overrides a text_<code>
 * string changes what the pages, the CLI report and the history show.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\output\texts
 * @covers     \block_kuracloud\output\renderer
 */
final class texts_test extends kuracloud_testcase {
    /**
     * Overrides strings of this plugin the way a language pack's local customisation does.
     *
     * @param array $strings Identifier => text.
     */
    private function override_strings(array $strings): void {
        global $CFG;
        $dir = $CFG->langlocalroot . '/en_local';
        make_writable_directory($dir);
        $php = "<?php\n";
        foreach ($strings as $id => $text) {
            $php .= '$string[' . var_export($id, true) . '] = ' . var_export($text, true) . ";\n";
        }
        file_put_contents($dir . '/block_kuracloud.php', $php);
        get_string_manager()->reset_caches(true);
    }

    protected function tearDown(): void {
        global $CFG;
        @unlink($CFG->langlocalroot . '/en_local/block_kuracloud.php');
        get_string_manager()->reset_caches(true);
        parent::tearDown();
    }

    public function test_the_preview_page_shows_a_reason_translated_by_a_language_pack(): void {
        global $PAGE;
        [$course, $mapping] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        $PAGE->set_url(new \moodle_url('/blocks/kuracloud/syncusers.php', ['courseid' => $course->id]));
        $PAGE->set_context(\context_course::instance($course->id));
        $english = $PAGE->get_renderer('block_kuracloud')->student_preview($plan, (int)$course->id, false);
        $this->assertStringContainsString('not an actively enrolled student of the Moodle course', $english);

        $this->override_strings([
            'text_delete_not_enrolled' => 'nicht mehr im Moodle-Kurs eingeschrieben',
            'text_restore_then_edit' => '{$a->reason}: wiederherstellen, dann {$a->changes} ändern',
            'field_section' => 'Gruppe',
            'text_matched_email_deleted' => 'per E-Mail einem gelöschten Studierenden zugeordnet',
        ]);
        $translated = $PAGE->get_renderer('block_kuracloud')->student_preview($plan, (int)$course->id, false);
        $this->assertStringContainsString('nicht mehr im Moodle-Kurs eingeschrieben', $translated);
        $this->assertStringContainsString(
            'per E-Mail einem gelöschten Studierenden zugeordnet: wiederherstellen, dann Gruppe ändern', $translated);
        $this->assertStringNotContainsString('not an actively enrolled student', $translated);
        // The CLI's report reads the same strings.
        $this->assertStringContainsString('nicht mehr im Moodle-Kurs eingeschrieben',
            local\service\text_report::plan($plan));
    }

    public function test_an_error_and_its_history_row_are_rendered_in_the_reader_s_language(): void {
        global $DB;
        [$course, $mapping] = $this->mapped_course();
        $this->control('POST', 'faults', ['route' => '*', 'status' => 401, 'message' => 'Token revoked']);
        $this->override_strings(['text_bad_token' => 'Token abgelehnt (HTTP {$a->status})',
            'textsaid' => 'kuraCloud meldet: {$a}']);
        try {
            student_sync::preview($mapping);
            $this->fail('the preview should fail');
        } catch (workflow_exception $e) {
            $this->assertSame('bad_token', $e->errorcode);
            $this->assertSame('Token abgelehnt (HTTP 401) kuraCloud meldet: Token revoked', $e->getMessage());
            $this->assertSame(['code' => 'bad_token', 'params' => ['said' => 'Token revoked', 'status' => 401]],
                $e->text);
        }
        // The failed preview's history row stores the code, and renders it when read: in
        // English once the override is gone.
        $row = $DB->get_record('block_kuracloud_log', ['courseid' => $course->id, 'status' => 'failed'], '*', MUST_EXIST);
        $this->assertSame('{"code":"bad_token","params":{"said":"Token revoked","status":401}}', $row->message);
        $this->assertSame('Token abgelehnt (HTTP 401) kuraCloud meldet: Token revoked', texts::stored($row->message));
        $this->override_strings([]);
        $this->assertStringStartsWith('kuraCloud refused the token (HTTP 401).', texts::stored($row->message));
        $this->assertStringEndsWith('kuraCloud said: Token revoked', texts::stored($row->message));
    }

    public function test_the_history_names_its_syncs_statuses_and_counts_in_the_reader_s_language(): void {
        global $PAGE;
        $rows = [(object)['timecreated' => time(), 'courseid' => 2, 'userid' => 0, 'kind' => 'grades', 'status' => 'synced',
            'counts' => json_encode(['write' => 4, 'no_grade' => 1, 'locked' => 0]), 'message' => null],
            (object)['timecreated' => time(), 'courseid' => 2, 'userid' => 0, 'kind' => 'students', 'status' => 'oldstatus',
            'counts' => json_encode(['add' => 2, 'somethingold' => 3]), 'message' => null]];
        $PAGE->set_url(new \moodle_url('/blocks/kuracloud/history.php'));
        $PAGE->set_context(\context_system::instance());
        $english = $PAGE->get_renderer('block_kuracloud')->history($rows, false);
        foreach (['<td>Grades</td>', '<td>Synced</td>', 'Grades written: 4, No grade yet: 1', '<td>Students</td>',
                'Invited: 2'] as $text) {
            $this->assertStringContainsString($text, $english);
        }
        $this->assertStringNotContainsString('Locked', $english, 'a count of zero is left out');
        // Codes the plugin has no string for (rows of an older version) are shown as stored.
        $this->assertStringContainsString('<td>oldstatus</td>', $english);
        $this->assertStringContainsString('somethingold: 3', $english);

        $this->override_strings(['historykind_grades' => 'Bewertungen', 'historystatus_synced' => 'Abgeglichen',
            'historycount_write' => 'Geschrieben']);
        $translated = $PAGE->get_renderer('block_kuracloud')->history($rows, false);
        foreach (['<td>Bewertungen</td>', '<td>Abgeglichen</td>', 'Geschrieben: 4'] as $text) {
            $this->assertStringContainsString($text, $translated);
        }
    }

    public function test_an_unknown_code_is_shown_as_itself_never_as_an_error(): void {
        $this->assertSame('[no_such_code]', texts::plain(['code' => 'no_such_code', 'params' => []]));
        $this->assertSame('', texts::plain(null));
        $this->assertSame('an old row', texts::stored('an old row'));
    }
}
