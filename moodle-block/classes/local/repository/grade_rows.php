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


namespace block_kuracloud\local\repository;

/**
 * The gradebook rows of our grade items, and the values we last wrote into them
 * (block_kuracloud_grades: how a later teacher edit is recognised).
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class grade_rows {
    /** Table of the values last written. */
    const TABLE = 'block_kuracloud_grades';

    /**
     * Each grade's current final grade and whether it is locked (now, or by its lock time).
     *
     * @param int[] $itemids Grade items.
     * @return array [itemid][userid] => ['current' => ?float, 'locked' => bool]
     */
    public static function gradebook(array $itemids): array {
        global $DB;
        $state = [];
        if (!$itemids) {
            return $state;
        }
        [$insql, $params] = $DB->get_in_or_equal(array_values($itemids));
        $rs = $DB->get_recordset_sql("SELECT id, itemid, userid, finalgrade, locked, locktime
                                        FROM {grade_grades} WHERE itemid $insql", $params);
        $now = time();
        foreach ($rs as $g) {
            $state[(int)$g->itemid][(int)$g->userid] = [
                'current' => $g->finalgrade === null ? null : (float)$g->finalgrade,
                'locked' => !empty($g->locked) || (!empty($g->locktime) && $g->locktime < $now),
            ];
        }
        $rs->close();
        return $state;
    }

    /**
     * The values last written.
     *
     * @param int[] $itemids Grade items.
     * @return array [itemid][userid] => float
     */
    public static function last_written(array $itemids): array {
        global $DB;
        $last = [];
        if (!$itemids) {
            return $last;
        }
        [$insql, $params] = $DB->get_in_or_equal(array_values($itemids));
        $rs = $DB->get_recordset_select(self::TABLE, "itemid $insql", $params, '', 'id, itemid, userid, lastwritten');
        foreach ($rs as $w) {
            $last[(int)$w->itemid][(int)$w->userid] = (float)$w->lastwritten;
        }
        $rs->close();
        return $last;
    }

    /**
     * The ids of the last-written rows.
     *
     * @param int[] $itemids Grade items.
     * @return array [itemid][userid] => row id
     */
    public static function last_written_ids(array $itemids): array {
        global $DB;
        $ids = [];
        if (!$itemids) {
            return $ids;
        }
        [$insql, $params] = $DB->get_in_or_equal(array_values($itemids));
        $rs = $DB->get_recordset_select(self::TABLE, "itemid $insql", $params, '', 'id, itemid, userid');
        foreach ($rs as $row) {
            $ids[(int)$row->itemid][(int)$row->userid] = (int)$row->id;
        }
        $rs->close();
        return $ids;
    }

    /**
     * Remembers new values in bulk (a first sync writes one per grade).
     *
     * @param array $rows Rows: itemid, userid, lastwritten, timemodified.
     */
    public static function insert_last_written(array $rows): void {
        global $DB;
        if ($rows) {
            $DB->insert_records(self::TABLE, $rows);
        }
    }

    /**
     * Remembers new values in existing rows, set-based: one statement per value (grades
     * take few distinct values) and per thousand rows, not one per row.
     *
     * @param array $byvalue [value, [row id, ...]] pairs.
     */
    public static function update_last_written(array $byvalue): void {
        global $DB;
        $time = time();
        foreach ($byvalue as [$grade, $ids]) {
            foreach (array_chunk($ids, 1000) as $chunk) {
                [$insql, $params] = $DB->get_in_or_equal($chunk);
                $DB->execute('UPDATE {' . self::TABLE . "} SET lastwritten = ?, timemodified = ? WHERE id $insql",
                    array_merge([(float)$grade, $time], $params));
            }
        }
    }

    /**
     * Brings the database's statistics of the gradebook's grade table up to date, after a
     * sync that added many grades. PostgreSQL plans queries from statistics its autovacuum
     * refreshes only a while later: on a table that the sync has just grown several-fold,
     * the regrade's per-student queries are planned as if it were still small (40,000 new
     * grades: 38.8 s of regrade instead of 13.5, docs/benchmarks.md). ANALYZE reads a
     * bounded sample (30,000 rows by default), 0.1 s here; it does not grow with the table,
     * though on a large table that is not cached it reads that sample from disk. SKIP_LOCKED:
     * an autovacuum busy with the table makes it skip, never wait. MariaDB's regrade measured
     * the same with and without its ANALYZE TABLE, so only PostgreSQL gets it. A failure
     * here only costs time: it is not an error of the sync.
     */
    public static function refresh_planner_statistics(): void {
        global $DB;
        if ($DB->get_dbfamily() !== 'postgres') {
            return;
        }
        try {
            $DB->execute('ANALYZE (SKIP_LOCKED) {grade_grades}');
        } catch (\dml_exception $e) {
            debugging('block_kuracloud: ANALYZE of the grade table failed: ' . $e->getMessage(), DEBUG_DEVELOPER);
        }
    }
}
