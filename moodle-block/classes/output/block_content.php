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

use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\service\module_runner;
use block_kuracloud\local\status;

/**
 * What the block shows on a course page.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class block_content implements \renderable, \templatable {
    /**
     * Constructor.
     *
     * @param int $courseid Moodle course.
     */
    public function __construct(
        /** @var int Moodle course. */
        private readonly int $courseid
    ) {
    }

    /**
     * Template data.
     *
     * @param \renderer_base $output Renderer.
     * @return array
     */
    public function export_for_template(\renderer_base $output): array {
        $context = \context_course::instance($this->courseid);
        $data = ['runtimemissing' => !module_runner::available()];
        $data['showruntimehelp'] = $data['runtimemissing'] && has_capability('block/kuracloud:configureapi',
            \context_system::instance());
        $mapping = mappings::for_course($this->courseid);
        $canmap = has_capability('block/kuracloud:mapcourses', $context);
        if (!$mapping) {
            $data['notmapped'] = true;
            $data['setupurl'] = $canmap && !$data['runtimemissing']
                ? (new \moodle_url('/blocks/kuracloud/mapping.php', ['courseid' => $this->courseid]))->out(false) : null;
            return $data;
        }
        $data['mapped'] = true;
        // Text with kuraCloud's name in it is built here, not by {{#str}} in the template:
        // the string helper renders its result again as a template when it holds '{{'.
        $data['mappedtext'] = get_string('mapped', 'block_kuracloud', $mapping->remotename);
        // A deleted connection: said plainly, until a connection to the instance is added again.
        $gone = !\block_kuracloud\local\repository\connections::get((int)$mapping->connectionid);
        if ($gone) {
            $mapping->status = status::CONNECTION_GONE;
            $mapping->statusmessage = get_string('connectiongone', 'block_kuracloud', (string)($mapping->instanceid ?? ''));
        }
        $data['status'] = get_string('status_' . clean_param($mapping->status, PARAM_ALPHAEXT), 'block_kuracloud');
        $data['statusok'] = $mapping->status === 'ok';
        // The message can name the API URL or a curl error: only for those who act on it.
        $canact = $canmap || has_any_capability(['block/kuracloud:syncusers', 'block/kuracloud:syncgrades'], $context);
        $data['statusmessage'] = $mapping->status === 'ok' || !$canact ? null : texts::stored($mapping->statusmessage);
        $data['autosync'] = (bool)$mapping->autosync;
        // A background grade sync: its live progress bar (Moodle's own stored progress).
        if (!$gone && has_capability('block/kuracloud:syncgrades', $context)
                && ($bar = \block_kuracloud\local\service\background_sync::progress((int)$mapping->id))) {
            $data['backgroundbar'] = $bar->get_content();
        }
        if ($canmap && $mapping->status === status::LMS_NOT_ENABLED && !$gone) {
            $data['reenableurl'] = (new \moodle_url('/blocks/kuracloud/mapping.php', ['courseid' => $this->courseid,
                'action' => 'reenable', 'sesskey' => sesskey()]))->out(false);
        }
        if ($canmap) {
            $data['autosyncurl'] = (new \moodle_url('/blocks/kuracloud/mapping.php', ['courseid' => $this->courseid,
                'action' => 'autosync', 'enable' => $mapping->autosync ? 0 : 1, 'sesskey' => sesskey()]))->out(false);
            $data['removeurl'] = (new \moodle_url('/blocks/kuracloud/mapping.php',
                ['courseid' => $this->courseid, 'action' => 'remove']))->out(false);
        }
        if (!$data['runtimemissing'] && !$gone) {
            if (has_capability('block/kuracloud:syncusers', $context)) {
                $data['syncusersurl'] = (new \moodle_url('/blocks/kuracloud/syncusers.php',
                    ['courseid' => $this->courseid]))->out(false);
            }
            if (has_capability('block/kuracloud:syncgrades', $context)) {
                $data['syncgradesurl'] = (new \moodle_url('/blocks/kuracloud/syncgrades.php',
                    ['courseid' => $this->courseid]))->out(false);
            }
        }
        if (has_any_capability(['block/kuracloud:syncusers', 'block/kuracloud:syncgrades'], $context)) {
            $data['historyurl'] = (new \moodle_url('/blocks/kuracloud/history.php', ['courseid' => $this->courseid]))->out(false);
        }
        return $data;
    }
}
