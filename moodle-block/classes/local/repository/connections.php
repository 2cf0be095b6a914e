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
 * kuraCloud connections: token (encrypted with \core\encryption), API URL, instance.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class connections {
    /** Table name. */
    const TABLE = 'block_kuracloud_conns';

    /**
     * Every connection, by name.
     *
     * @return \stdClass[]
     */
    public static function all(): array {
        global $DB;
        return $DB->get_records(self::TABLE, null, 'name, id');
    }

    /**
     * One connection.
     *
     * @param int $id Connection id.
     * @return \stdClass|null
     */
    public static function get(int $id): ?\stdClass {
        global $DB;
        return $DB->get_record(self::TABLE, ['id' => $id]) ?: null;
    }

    /**
     * The connection to a kuraCloud instance.
     *
     * @param string $instanceid kuraCloud instanceId.
     * @return \stdClass|null
     */
    public static function by_instance(string $instanceid): ?\stdClass {
        global $DB;
        return $DB->get_record(self::TABLE, ['instanceid' => $instanceid]) ?: null;
    }

    /**
     * Saves a verified connection: one per kuraCloud instance, so a new token for a known
     * instance replaces the old one.
     *
     * @param string $apiurl API URL.
     * @param string $token Plain token.
     * @param array $verified Outcome of connection.verify.
     * @return int Connection id.
     */
    public static function save(string $apiurl, string $token, array $verified): int {
        global $DB;
        $now = time();
        $record = self::by_instance((string)$verified['instance_id']) ?? new \stdClass();
        $record->name = \core_text::substr((string)$verified['name'], 0, 255);
        $record->instanceid = (string)$verified['instance_id'];
        $record->apiurl = $apiurl;
        $record->token = \core\encryption::encrypt($token);
        $record->lmsenabled = empty($verified['lms_enabled']) ? 0 : 1;
        $record->status = 'ok';
        $record->statusmessage = null;
        $record->timemodified = $now;
        if (empty($record->id)) {
            $record->timecreated = $now;
            $record->id = $DB->insert_record(self::TABLE, $record);
            // Mappings left behind when an earlier connection to this instance was deleted.
            $DB->execute('UPDATE {block_kuracloud_maps} SET connectionid = ?, timemodified = ?
                           WHERE instanceid = ? AND connectionid NOT IN (SELECT id FROM {block_kuracloud_conns})',
                [$record->id, $now, $record->instanceid]);
        } else {
            $DB->update_record(self::TABLE, $record);
        }
        return (int)$record->id;
    }

    /**
     * Deletes a connection. Mappings are kept (they name the connection), so adding a
     * connection to the same instance again reinstates them.
     *
     * @param int $id Connection id.
     */
    public static function delete(int $id): void {
        global $DB;
        $DB->delete_records(self::TABLE, ['id' => $id]);
    }

    /**
     * The connection as workflows take it: API URL and decrypted token.
     *
     * @param \stdClass $record Connection row.
     * @return array
     */
    public static function for_workflow(\stdClass $record): array {
        \block_kuracloud\local\api_url_policy::require_allowed((string)$record->apiurl);
        return ['api_url' => (string)$record->apiurl, 'token' => \core\encryption::decrypt($record->token)];
    }

    /**
     * Every connection for multi-connection workflows (courses.list, mappings.check),
     * except those whose API URL a token must not be sent to (see insecure()).
     *
     * @param \stdClass[]|null $records Only these connections (default: all).
     * @return array
     */
    public static function all_for_workflow(?array $records = null): array {
        $out = [];
        foreach ($records ?? self::all() as $record) {
            if (!\block_kuracloud\local\api_url_policy::allows((string)$record->apiurl)) {
                continue;
            }
            $out[] = ['connection_id' => (int)$record->id, 'instance_id' => (string)$record->instanceid]
                + self::for_workflow($record);
        }
        return $out;
    }

    /**
     * Connections whose API URL is not https:// nor a listed test server: their token is
     * never sent (connections added before the rule, or a test host since unlisted).
     *
     * @return \stdClass[] By id.
     */
    public static function insecure(): array {
        return array_filter(self::all(),
            fn($record) => !\block_kuracloud\local\api_url_policy::allows((string)$record->apiurl));
    }

    /**
     * The course categories a connection is limited to (empty: the whole site).
     *
     * @param \stdClass $record Connection row.
     * @return int[]
     */
    public static function categories(\stdClass $record): array {
        $ids = array_map('intval', explode(',', (string)($record->categories ?? '')));
        return array_values(array_unique(array_filter($ids, fn($id) => $id > 0)));
    }

    /**
     * Limits a connection to course categories (and their subcategories); none: the whole site.
     *
     * @param int $id Connection id.
     * @param int[] $categoryids Category ids.
     */
    public static function set_categories(int $id, array $categoryids): void {
        global $DB;
        $ids = array_values(array_unique(array_filter(array_map('intval', $categoryids), fn($c) => $c > 0)));
        sort($ids);
        $DB->update_record(self::TABLE, (object)['id' => $id, 'categories' => $ids ? implode(',', $ids) : null,
            'timemodified' => time()]);
    }

    /**
     * Whether courses of a category may use a connection: the connection is for the whole
     * site, or for the category or one of its parents.
     *
     * @param \stdClass $record Connection row.
     * @param int $categoryid The course's category.
     * @return bool
     */
    public static function allowed_in_category(\stdClass $record, int $categoryid): bool {
        global $DB;
        $allowed = self::categories($record);
        if (!$allowed) {
            return true;
        }
        $path = (string)$DB->get_field('course_categories', 'path', ['id' => $categoryid]);
        $chain = array_map('intval', array_filter(explode('/', $path), 'strlen'));
        return (bool)array_intersect($allowed, $chain);
    }

    /**
     * The connections courses of a category may use, by id.
     *
     * @param int $categoryid The course's category.
     * @return \stdClass[]
     */
    public static function for_category(int $categoryid): array {
        return array_filter(self::all(), fn($record) => self::allowed_in_category($record, $categoryid));
    }
}
