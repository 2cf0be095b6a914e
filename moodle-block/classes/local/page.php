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

namespace block_kuracloud\local;

/**
 * The bootstrap every course page of the block shares: the course from the request,
 * login, capability, and the page's URL, context, title and heading, in the order
 * Moodle expects (nothing renders before the context and URL are set).
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class page {
    /**
     * Sets up a course page of the block.
     *
     * @param string $script The page script under /blocks/kuracloud/ (e.g. 'syncusers.php').
     * @param string $capability The capability the page needs in the course.
     * @param string $title String identifier (block_kuracloud) of the page title.
     * @return array [course, context, page URL, course URL]
     */
    public static function course(string $script, string $capability, string $title): array {
        global $PAGE;
        $courseid = required_param('courseid', PARAM_INT);
        $course = get_course($courseid);
        $context = \context_course::instance($courseid);
        require_login($course);
        require_capability($capability, $context);
        $pageurl = new \moodle_url('/blocks/kuracloud/' . $script, ['courseid' => $courseid]);
        $PAGE->set_url($pageurl);
        $PAGE->set_context($context);
        $PAGE->set_title(get_string($title, 'block_kuracloud'));
        $PAGE->set_heading(format_string($course->fullname));
        return [$course, $context, $pageurl, new \moodle_url('/course/view.php', ['id' => $courseid])];
    }
}
