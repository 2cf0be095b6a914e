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
namespace block_kuracloud\task;

use block_kuracloud\local\service\background_sync;
use block_kuracloud\local\service\grade_sync;
use block_kuracloud\local\wasm\workflow_exception;

/**
 * A teacher's grade sync, in the background: progress in the mapping's stored progress
 * bar, the result in the history (grade_sync records it) and in a notification to the
 * teacher.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class grade_sync_task extends \core\task\adhoc_task {
    use \core\task\stored_progress_task_trait;

    /**
     * Runs the sync.
     */
    public function execute() {
        global $DB;
        $mappingid = (int)($this->get_custom_data()->mappingid ?? 0);
        $mapping = $DB->get_record('block_kuracloud_maps', ['id' => $mappingid]);
        if (!$mapping || !$DB->record_exists('course', ['id' => $mapping->courseid])) {
            return;
        }
        // The bar the page created when it queued this task (so its pollers keep their id).
        $this->progress = \core\output\stored_progress_bar::get_by_idnumber(background_sync::idnumber($mappingid));
        if (!$this->progress) {
            $this->progress = new \core\output\stored_progress_bar(background_sync::idnumber($mappingid));
            $this->progress->auto_update(false);
            $this->progress->start();
        }
        // Stored for the pages that poll it; cron's output gets the log lines only.
        $this->progress->auto_update(false);
        $userid = (int)$this->get_userid();
        $stage = get_string('syncgrades', 'block_kuracloud');
        $progress = function (string $name, int $done, int $total) use ($stage): void {
            // The module's stages, export then mapping, as one bar: export to 90 %, then the rest.
            $fraction = $total > 0 ? min(1, $done / $total) : 0;
            $percent = $name === 'export' ? 90 * $fraction : 90 + 9 * $fraction;
            $this->progress->update_full($percent, $stage);
        };
        try {
            $outcome = grade_sync::sync($mapping, $userid, $progress);
        } catch (workflow_exception $e) {
            if ($e->errorcode === 'sync_running') {
                // Another sync of the course holds its lock: Moodle runs this task again later.
                $this->progress->update_full(0, $e->getMessage());
                throw $e;
            }
            $this->progress->error($e->getMessage());
            self::notify($mapping, $userid, get_string('syncfailed', 'block_kuracloud', $e->getMessage()), false);
            return;
        }
        $message = $outcome['status'] === 'synced' ? $outcome['message']
            : get_string('studentsnotsynced', 'block_kuracloud');
        $this->progress->update_full(100, $message);
        self::notify($mapping, $userid, $message, $outcome['status'] === 'synced');
    }

    /**
     * Tells the teacher who started the sync how it ended.
     *
     * @param \stdClass $mapping Mapping row.
     * @param int $userid The teacher.
     * @param string $text What happened (plain text).
     * @param bool $ok Whether it succeeded.
     */
    private static function notify(\stdClass $mapping, int $userid, string $text, bool $ok): void {
        if ($userid <= 0 || !($user = \core_user::get_user($userid))) {
            return;
        }
        $course = get_course((int)$mapping->courseid);
        $url = new \moodle_url('/blocks/kuracloud/history.php', ['courseid' => $course->id]);
        $message = new \core\message\message();
        $message->component = 'block_kuracloud';
        $message->name = 'syncfinished';
        $message->userfrom = \core_user::get_noreply_user();
        $message->userto = $user;
        $message->courseid = (int)$course->id;
        $message->subject = get_string($ok ? 'backgrounddone' : 'backgroundfailed', 'block_kuracloud',
            format_string($course->fullname, true, ['context' => \context_course::instance($course->id)]));
        $message->fullmessage = $text;
        $message->fullmessageformat = FORMAT_PLAIN;
        $message->fullmessagehtml = \html_writer::tag('p', s($text));
        $message->smallmessage = $text;
        $message->notification = 1;
        $message->contexturl = $url->out(false);
        $message->contexturlname = get_string('history', 'block_kuracloud');
        message_send($message);
    }
}
