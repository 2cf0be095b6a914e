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


namespace block_kuracloud\output;

use block_kuracloud\local\status;

/**
 * Renderer for block_kuracloud: every page goes through templates.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class renderer extends \plugin_renderer_base {
    /**
     * The block content.
     *
     * @param block_content $content Content.
     * @return string
     */
    protected function render_block_content(block_content $content): string {
        return $this->render_from_template('block_kuracloud/block_content', $content->export_for_template($this));
    }

    /**
     * The student sync preview: CARE points, counts, per-student table, Continue/Cancel.
     *
     * @param array $plan The plan.
     * @param int $courseid Moodle course.
     * @param bool $needsmassconfirm Show the mass-removal confirmation.
     * @return string
     */
    public function student_preview(array $plan, int $courseid, bool $needsmassconfirm): string {
        $data = [
            'counts' => self::counts($plan['counts']),
            'entries' => self::entries($plan['entries']),
            'fingerprint' => $plan['fingerprint'],
            // Decided here, where the plan is known: a big apply runs in the background.
            'background' => \block_kuracloud\local\service\background_sync::should_queue_apply($plan),
            'sesskey' => sesskey(),
            'actionurl' => (new \moodle_url('/blocks/kuracloud/syncusers.php'))->out(false),
            'courseid' => $courseid,
            'cancelurl' => (new \moodle_url('/course/view.php', ['id' => $courseid]))->out(false),
            'massremoval' => !empty($plan['mass_removal']),
            'needsmassconfirm' => $needsmassconfirm || !empty($plan['mass_removal']),
            'massconfirm' => get_string('confirmmassremoval', 'block_kuracloud',
                ['removals' => $plan['counts']['delete'] + $plan['counts']['reinvite'], 'roster' => $plan['roster']]),
        ];
        return $this->render_from_template('block_kuracloud/student_preview', $data);
    }

    /**
     * The student sync result, per student.
     *
     * @param array $outcome students.apply outcome.
     * @param int $courseid Moodle course.
     * @return string
     */
    public function student_result(array $outcome, int $courseid): string {
        $rows = [];
        $actions = [];
        $messages = [];
        foreach ($outcome['results'] as $r) {
            $actions[$r['action']] ??= get_string('action_' . $r['action'], 'block_kuracloud');
            $rows[] = [
                'action' => $actions[$r['action']],
                'name' => $r['name'],
                'email' => $r['email'],
                'result' => $r['result'],
                'ok' => in_array($r['result'], [status::DONE, status::NO_CHANGE], true),
                'message' => $messages[json_encode($r['text'])] ??= texts::plain($r['text']),
            ];
        }
        return $this->render_from_template('block_kuracloud/student_result', [
            status::PARTIAL => $outcome['status'] === status::PARTIAL,
            // Built here, not with {{#str}}: the string helper would render '{{' in it again.
            'partialtext' => get_string('syncpartial', 'block_kuracloud', texts::plain($outcome['error']['text'] ?? null)),
            'counts' => self::counts($outcome['plan']['counts']),
            'rows' => $rows,
            'backurl' => (new \moodle_url('/course/view.php', ['id' => $courseid]))->out(false),
        ]);
    }

    /**
     * The grade sync result, per item.
     *
     * @param array $outcome grades.sync outcome.
     * @param int $courseid Moodle course.
     * @return string
     */
    public function grade_result(array $outcome, int $courseid): string {
        $items = [];
        foreach ($outcome['items'] as $i) {
            $items[] = ['name' => $i['name'], 'grademax' => format_float($i['grademax'], 2)] + $i['counts'];
        }
        $missing = array_map(fn($m) => $m['name'], $outcome['missing_items']);
        return $this->render_from_template('block_kuracloud/grade_result', [
            'message' => texts::plain($outcome['text']),
            'items' => $items,
            'missing' => $missing ? get_string('gradesmissingitems', 'block_kuracloud', implode(', ', $missing)) : null,
            'unknown' => $outcome['unknown_students']['count']
                ? get_string('gradesunknownstudents', 'block_kuracloud', $outcome['unknown_students']['count']) : null,
            'gradebookurl' => (new \moodle_url('/grade/report/grader/index.php', ['id' => $courseid]))->out(false),
            'backurl' => (new \moodle_url('/course/view.php', ['id' => $courseid]))->out(false),
        ]);
    }

    /**
     * A background sync's page: what happens, its live stored progress bar, back to the course.
     *
     * @param \core\output\stored_progress_bar $bar The mapping's bar.
     * @param int $courseid Moodle course.
     * @return string
     */
    public function background_progress(\core\output\stored_progress_bar $bar, int $courseid): string {
        return $this->output->notification(get_string('backgroundrunning', 'block_kuracloud'), 'info')
            . $bar->get_content()
            . $this->output->continue_button(new \moodle_url('/course/view.php', ['id' => $courseid]));
    }

    /**
     * The connections table with a delete cross per row.
     *
     * @param array $connections Connection rows.
     * @param \moodle_url $pageurl The connections page.
     * @return string
     */
    public function connections(array $connections, \moodle_url $pageurl): string {
        $rows = [];
        $categorynames = \core_course_category::make_categories_list();
        foreach ($connections as $c) {
            // Formatted names back to plain text: the template escapes them.
            $scope = array_map(fn($id) => html_entity_decode(strip_tags($categorynames[$id] ?? (string)$id), ENT_QUOTES),
                \block_kuracloud\local\repository\connections::categories($c));
            $rows[] = [
                'name' => $c->name,
                'categories' => $scope ? implode(', ', $scope) : get_string('connectionwholesite', 'block_kuracloud'),
                'editurl' => (new \moodle_url($pageurl, ['action' => 'edit', 'id' => $c->id]))->out(false),
                'instanceid' => $c->instanceid,
                'apiurl' => $c->apiurl,
                'status' => get_string('status_' . clean_param($c->status, PARAM_ALPHAEXT), 'block_kuracloud'),
                'lmsenabled' => (bool)$c->lmsenabled,
                'deleteurl' => (new \moodle_url($pageurl, ['action' => 'delete', 'id' => $c->id]))->out(false),
            ];
        }
        return $this->render_from_template('block_kuracloud/connections', ['rows' => $rows, 'hasrows' => !empty($rows)]);
    }

    /**
     * The sync history.
     *
     * @param array $rows Log rows, newest first.
     * @param bool $showcourse Add a course column (site-wide view).
     * @return string
     */
    public function history(array $rows, bool $showcourse): string {
        $userids = array_filter(array_unique(array_map(fn($r) => (int)$r->userid, $rows)));
        $users = \block_kuracloud\local\repository\moodle_users::with_names($userids);
        $out = [];
        foreach ($rows as $r) {
            $counts = [];
            foreach ((array)json_decode((string)$r->counts, true) as $name => $n) {
                if ($n) {
                    $counts[] = self::history_word('historycount_', (string)$name) . ': ' . (int)$n;
                }
            }
            $out[] = [
                'time' => userdate($r->timecreated, get_string('strftimedatetimeshort', 'langconfig')),
                'course' => $showcourse ? (new \moodle_url('/course/view.php', ['id' => $r->courseid]))->out(false) : null,
                'courseid' => $r->courseid,
                // format_string() gives HTML (escaped, filtered): the template prints it raw.
                'coursename' => isset($r->courseshortname) ? format_string($r->courseshortname, true,
                    ['context' => \context_system::instance()]) : (string)$r->courseid,
                'kind' => self::history_word('historykind_', (string)$r->kind),
                'status' => self::history_word('historystatus_', (string)$r->status),
                'user' => isset($users[$r->userid]) ? fullname($users[$r->userid]) : get_string('historyautomatic', 'block_kuracloud'),
                'counts' => implode(', ', $counts),
                'message' => texts::stored($r->message),
            ];
        }
        return $this->render_from_template('block_kuracloud/history', ['rows' => $out, 'hasrows' => !empty($out),
            'showcourse' => $showcourse]);
    }

    /**
     * A history column's code in the reader's language: its string when the plugin has
     * one, else the code itself (rows written by an older version may hold others).
     *
     * @param string $prefix String identifier prefix.
     * @param string $code The stored code.
     * @return string
     */
    private static function history_word(string $prefix, string $code): string {
        return get_string_manager()->string_exists($prefix . $code, 'block_kuracloud')
            ? get_string($prefix . $code, 'block_kuracloud') : $code;
    }

    /**
     * Counts as label/value pairs.
     *
     * @param array $counts Plan counts.
     * @return array
     */
    private static function counts(array $counts): array {
        $out = [];
        foreach (['add', 'reinvite', 'update', 'restore', 'delete', 'unchanged', 'conflict', 'skip'] as $k) {
            $out[] = ['label' => get_string('count_' . $k, 'block_kuracloud'), 'value' => (int)($counts[$k] ?? 0),
                'warn' => in_array($k, ['delete', 'reinvite', 'conflict', 'skip'], true) && !empty($counts[$k])];
        }
        return $out;
    }

    /**
     * Plan entries for the table.
     *
     * @param array $entries Plan entries.
     * @return array
     */
    private static function entries(array $entries): array {
        $out = [];
        // A plan of thousands repeats a handful of actions and reasons: each is looked up
        // once (get_string for every row was most of a 2,000-student preview's time).
        $actions = [];
        $reasons = [];
        foreach ($entries as $e) {
            $action = (string)$e['action'];
            $actions[$action] ??= get_string('action_' . $action, 'block_kuracloud');
            $key = json_encode([$action, $e['reason'] ?? null, $e['changes'] ?? null]);
            $reasons[$key] ??= texts::reason($e);
            $out[] = [
                'action' => $actions[$action],
                'actionkey' => $action,
                'destructive' => in_array($action, ['delete', 'reinvite'], true),
                'name' => $e['name'],
                'email' => $e['email'],
                'reason' => $reasons[$key],
            ];
        }
        return $out;
    }
}
