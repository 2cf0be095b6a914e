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


namespace block_kuracloud\local\service;

use block_kuracloud\local\status;
use block_kuracloud\output\texts;

/**
 * The sync reports as plain text, for the CLI: the same content as the pages.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class text_report {
    /**
     * A student sync plan: per student action, name, email, reason; then the counts.
     *
     * @param array $plan The plan.
     * @return string
     */
    public static function plan(array $plan): string {
        $rows = [];
        foreach ($plan['entries'] as $e) {
            $rows[] = [get_string('action_' . $e['action'], 'block_kuracloud'), $e['name'], $e['email'],
                texts::reason($e)];
        }
        $out = self::table([get_string('action', 'block_kuracloud'), get_string('name', 'block_kuracloud'),
            get_string('email', 'block_kuracloud'), get_string('reason', 'block_kuracloud')], $rows);
        $out .= "\n" . self::counts($plan['counts']) . "\n";
        if (!empty($plan['mass_removal'])) {
            $out .= get_string('massremoval', 'block_kuracloud') . "\n";
        }
        return $out;
    }

    /**
     * A students.apply outcome, per student.
     *
     * @param array $outcome Outcome.
     * @return string
     */
    public static function apply(array $outcome): string {
        if ($outcome['status'] === status::STALE) {
            return get_string('stale', 'block_kuracloud') . "\n" . self::plan($outcome['plan']);
        }
        if ($outcome['status'] === status::NEEDS_MASS_REMOVAL_CONFIRMATION) {
            return get_string('massremoval', 'block_kuracloud') . "\n" . self::plan($outcome['plan']);
        }
        $rows = [];
        foreach ($outcome['results'] as $r) {
            $rows[] = [get_string('action_' . $r['action'], 'block_kuracloud'), $r['name'], $r['email'], $r['result'],
                texts::plain($r['text'])];
        }
        $out = self::table([get_string('action', 'block_kuracloud'), get_string('name', 'block_kuracloud'),
            get_string('email', 'block_kuracloud'), get_string('status', 'block_kuracloud'),
            get_string('result', 'block_kuracloud')], $rows);
        $out .= "\n" . ($outcome['status'] === status::PARTIAL
            ? get_string('syncpartial', 'block_kuracloud', self::printable(texts::plain($outcome['error']['text'] ?? null)))
            : get_string('applied', 'block_kuracloud')) . "\n";
        return $out;
    }

    /**
     * A grades.sync outcome, per item.
     *
     * @param array $outcome Outcome.
     * @return string
     */
    public static function grades(array $outcome): string {
        if ($outcome['status'] === status::STUDENTS_NOT_SYNCED) {
            return get_string('studentsnotsynced', 'block_kuracloud') . "\n";
        }
        $rows = [];
        foreach ($outcome['items'] as $i) {
            $c = $i['counts'];
            $rows[] = [$i['name'], format_float($i['grademax'], 2), $c['write'], $c['unchanged'], $c['teacher_edited'],
                $c['locked'], $c['no_grade']];
        }
        $out = self::printable(texts::plain($outcome['text'])) . "\n" . self::table([get_string('gradeitem', 'block_kuracloud'),
            get_string('grademax', 'grades'), get_string('write', 'block_kuracloud'), get_string('unchanged', 'block_kuracloud'),
            get_string('teacheredited', 'block_kuracloud'), get_string('locked', 'block_kuracloud'),
            get_string('nograde', 'block_kuracloud')], $rows);
        $missing = array_map(fn($m) => $m['name'], $outcome['missing_items']);
        if ($missing) {
            $out .= get_string('gradesmissingitems', 'block_kuracloud', self::printable(implode(', ', $missing))) . "\n";
        }
        if ($outcome['unknown_students']['count']) {
            $out .= get_string('gradesunknownstudents', 'block_kuracloud', $outcome['unknown_students']['count']) . "\n";
        }
        return $out;
    }

    /**
     * Counts on one line.
     *
     * @param array $counts Counts.
     * @return string
     */
    private static function counts(array $counts): string {
        $parts = [];
        foreach ($counts as $name => $n) {
            $parts[] = get_string('count_' . $name, 'block_kuracloud') . ': ' . (int)$n;
        }
        return implode(', ', $parts);
    }

    /**
     * A plain text table with padded columns.
     *
     * @param array $head Column titles.
     * @param array $rows Rows.
     * @return string
     */
    private static function table(array $head, array $rows): string {
        $rows = array_map(fn($row) => array_map([self::class, 'printable'], $row), $rows);
        $widths = array_map(fn($h) => \core_text::strlen((string)$h), $head);
        foreach ($rows as $row) {
            foreach (array_values($row) as $i => $cell) {
                $widths[$i] = min(48, max($widths[$i], \core_text::strlen((string)$cell)));
            }
        }
        $line = function (array $cells) use ($widths): string {
            $out = [];
            foreach (array_values($cells) as $i => $cell) {
                $cell = (string)$cell;
                $pad = max(0, $widths[$i] - \core_text::strlen($cell));
                $out[] = $i === count($cells) - 1 ? $cell : $cell . str_repeat(' ', $pad);
            }
            return rtrim(implode('  ', $out)) . "\n";
        };
        $text = $line($head);
        foreach ($rows as $row) {
            $text .= $line($row);
        }
        return $text;
    }

    /**
     * Text from kuraCloud made safe for a terminal: control characters (escape sequences
     * could move the cursor, rewrite earlier lines or retitle the window) are shown as \xNN,
     * invalid UTF-8 is replaced.
     *
     * @param mixed $text Text.
     * @return string
     */
    public static function printable($text): string {
        $text = \core_text::convert((string)$text, 'utf-8', 'utf-8');
        return preg_replace_callback('/[\x00-\x1f\x7f]|\xc2[\x80-\x9f]/',
            fn($m) => implode('', array_map(fn($c) => sprintf('\\x%02x', ord($c)), str_split($m[0]))), $text);
    }
}
