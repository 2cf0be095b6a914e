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
 * Links between Moodle users and kuraCloud students of a kuraCloud course.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class links {
    /** Table name. */
    const TABLE = 'block_kuracloud_links';

    /**
     * The links of a mapping's kuraCloud course, as workflows take them (one query).
     *
     * @param \stdClass $mapping Mapping row.
     * @return array List of ['user_id' => int, 'student_id' => int].
     */
    public static function for_mapping(\stdClass $mapping): array {
        global $DB;
        $rows = $DB->get_records(self::TABLE, ['connectionid' => $mapping->connectionid,
            'remotecourseid' => $mapping->remotecourseid], 'userid', 'id, userid, studentid');
        $out = [];
        foreach ($rows as $row) {
            $out[] = ['user_id' => (int)$row->userid, 'student_id' => (int)$row->studentid];
        }
        return $out;
    }

    /**
     * Applies a students.apply outcome: upserts and removals, in one transaction, rolled
     * back on any failure (the failure is rethrown).
     *
     * @param \stdClass $mapping Mapping row.
     * @param array $store Rows to upsert by user.
     * @param array $remove Rows to delete.
     */
    public static function apply(\stdClass $mapping, array $store, array $remove): void {
        global $DB;
        $transaction = $DB->start_delegated_transaction();
        try {
            self::write($mapping, $store, $remove);
            $transaction->allow_commit();
        } catch (\Throwable $e) {
            // All or none: rolled back here, never left open for whoever catches $e.
            $transaction->rollback($e);
        }
    }

    /**
     * apply() inside its transaction.
     *
     * @param \stdClass $mapping Mapping row.
     * @param array $store Rows to upsert by user.
     * @param array $remove Rows to delete.
     */
    private static function write(\stdClass $mapping, array $store, array $remove): void {
        global $DB;
        $key = ['connectionid' => $mapping->connectionid, 'remotecourseid' => $mapping->remotecourseid];
        $existing = [];
        foreach ($DB->get_records(self::TABLE, $key, '', 'id, userid, studentid') as $row) {
            $existing[(int)$row->userid] = $row;
        }
        $now = time();
        // Set-based where the database allows it: one delete, one bulk insert.
        $deleteids = [];
        foreach ($remove as $link) {
            $row = $existing[(int)$link['user_id']] ?? null;
            if ($row && (int)$row->studentid === (int)$link['student_id']) {
                $deleteids[] = (int)$row->id;
                unset($existing[(int)$link['user_id']]);
            }
        }
        foreach (array_chunk($deleteids, 1000) as $chunk) {
            $DB->delete_records_list(self::TABLE, 'id', $chunk);
        }
        $inserts = [];
        foreach ($store as $link) {
            $userid = (int)$link['user_id'];
            $studentid = (int)$link['student_id'];
            if (isset($existing[$userid])) {
                if ((int)$existing[$userid]->studentid !== $studentid) {
                    $DB->update_record(self::TABLE, (object)['id' => $existing[$userid]->id,
                        'studentid' => $studentid, 'timemodified' => $now]);
                }
            } else {
                $inserts[$userid] = $key + ['userid' => $userid, 'studentid' => $studentid, 'timecreated' => $now,
                    'timemodified' => $now];
            }
        }
        $DB->insert_records(self::TABLE, array_values($inserts));
    }
}
