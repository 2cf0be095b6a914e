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

/**
 * One progress bar over a sync's stages: each stage (the module's, then the plugin's own
 * gradebook writes and regrade) owns a band of the bar in the order the stages come, so
 * the bar only moves forward, and each has a label in the reader's language.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class progress_stages {
    /** A grade sync: the roster reads, kuraCloud's export, the gradebook (where the time goes on a first sync). */
    const GRADES = ['read' => [0, 5], 'export' => [5, 40], 'download' => [40, 45], 'mapping' => [45, 50],
        'write' => [50, 85], 'regrade' => [85, 99]];

    /** A student sync's apply: the roster reads, then kuraCloud's writes. */
    const STUDENTS = ['read' => [0, 10], 'students' => [10, 99]];

    /**
     * A progress callback (stage, done, total) that moves $bar through $bands with each
     * stage's label: what the pages and the background tasks hand to a sync.
     *
     * @param array $bands Stage => [from, to] percent (GRADES or STUDENTS).
     * @param \core\output\progress_bar $bar The page's bar, or a task's stored one.
     * @return callable
     */
    public static function reporter(array $bands, \core\output\progress_bar $bar): callable {
        $percent = 0.0;
        return function (string $stage, int $done, int $total) use ($bands, $bar, &$percent): void {
            $percent = self::percent($bands, $stage, $done, $total, $percent);
            $bar->update_full($percent, self::label($stage, $done, $total));
        };
    }

    /**
     * Where the bar stands.
     *
     * @param array $bands Stage => [from, to] percent (GRADES or STUDENTS).
     * @param string $stage The stage reporting.
     * @param int $done Done of the stage.
     * @param int $total Total of the stage.
     * @param float $current Where the bar is now: a stage it does not know keeps it there.
     * @return float Percent.
     */
    public static function percent(array $bands, string $stage, int $done, int $total, float $current = 0.0): float {
        if (!isset($bands[$stage])) {
            return $current;
        }
        [$from, $to] = $bands[$stage];
        $fraction = $total > 0 ? max(0, min(1, $done / $total)) : 0;
        return max($current, $from + ($to - $from) * $fraction);
    }

    /**
     * The stage in words, with its counts where they mean something to a teacher.
     *
     * @param string $stage The stage reporting.
     * @param int $done Done of the stage.
     * @param int $total Total of the stage.
     * @return string Plain text.
     */
    public static function label(string $stage, int $done, int $total): string {
        $identifier = 'progressstage_' . $stage;
        $strings = get_string_manager();
        if (!$strings->string_exists($identifier, 'block_kuracloud')) {
            return get_string('progressstage_working', 'block_kuracloud');
        }
        // "0 of 40000" reads as stuck until the first batch of writes commits: the start
        // says what comes.
        if ($done === 0 && $strings->string_exists($identifier . '_start', 'block_kuracloud')) {
            $identifier .= '_start';
        }
        return get_string($identifier, 'block_kuracloud', (object)['done' => format_float($done, 0),
            'total' => format_float($total, 0)]);
    }
}
