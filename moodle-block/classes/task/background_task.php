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

use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\service\background_sync;

/**
 * What the background syncs share: the mapping's stored progress bar (created by the page
 * that queued the task, so its pollers keep their id) and the notification with the result.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
abstract class background_task extends \core\task\adhoc_task {
    use \core\task\stored_progress_task_trait;

    /**
     * The mapping of this task, or null when it (or its course) is gone.
     *
     * @return \stdClass|null
     */
    protected function mapping(): ?\stdClass {
        return mappings::with_course((int)($this->get_custom_data()->mappingid ?? 0));
    }

    /**
     * Opens the mapping's stored progress bar (stored only, never printed).
     *
     * @param \stdClass $mapping Mapping row.
     */
    protected function open_progress(\stdClass $mapping): void {
        $idnumber = background_sync::idnumber((int)$mapping->id);
        $this->progress = \core\output\stored_progress_bar::get_by_idnumber($idnumber);
        if (!$this->progress) {
            $this->progress = new \core\output\stored_progress_bar($idnumber);
            $this->progress->auto_update(false);
            $this->progress->start();
        }
        $this->progress->auto_update(false);
    }

    /**
     * Runs a sync: a failure marks the bar and tells the teacher; a sync already running
     * (the mapping's lock) is rethrown so that Moodle runs this task again later.
     *
     * @param \stdClass $mapping Mapping row.
     * @param int $userid The teacher.
     * @param callable $sync The sync, returning its outcome.
     * @return array|null The outcome, or null after a failure.
     */
    protected function run_sync(\stdClass $mapping, int $userid, callable $sync): ?array {
        try {
            return $sync();
        } catch (\block_kuracloud\local\wasm\workflow_exception $e) {
            if ($e->errorcode === 'sync_running') {
                $this->progress->update_full(0, $e->getMessage());
                throw $e;
            }
            $this->progress->error($e->getMessage());
            self::notify($mapping, $userid, get_string('syncfailed', 'block_kuracloud', $e->getMessage()), false);
            return null;
        }
    }

    /**
     * Tells the teacher who started the sync how it ended.
     *
     * @param \stdClass $mapping Mapping row.
     * @param int $userid The teacher.
     * @param string $text What happened (plain text).
     * @param bool $ok Whether it succeeded.
     */
    protected static function notify(\stdClass $mapping, int $userid, string $text, bool $ok): void {
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
