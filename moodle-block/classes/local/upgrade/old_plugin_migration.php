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


namespace block_kuracloud\local\upgrade;

use block_kuracloud\local\status;

/**
 * Moves the old plugin's data (version 2022020206 and before) into this plugin's tables:
 * connections with their tokens re-encrypted by \core\encryption, mappings and student
 * links. Its grade items need nothing: they already use this plugin's keys
 * (itemmodule 'kuracloud', iteminstance = lesson, itemnumber = revision) and are adopted.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class old_plugin_migration {
    /** The old plugin's tables. */
    const OLD_TABLES = ['block_kuracloud_users', 'block_kuracloud_courses', 'block_kuracloud_endpoints'];

    /**
     * Migrates, then drops the old tables and the old key file.
     *
     * @return array Counts: connections, tokenfailures, mappings, links.
     */
    public static function run(): array {
        global $DB;
        $dbman = $DB->get_manager();
        $counts = ['connections' => 0, 'tokenfailures' => 0, 'mappings' => 0, 'links' => 0];
        if (!$dbman->table_exists('block_kuracloud_endpoints')) {
            return $counts;
        }
        $key = self::old_key();
        $now = time();
        $connectionof = [];
        foreach ($DB->get_records('block_kuracloud_endpoints') as $old) {
            $token = $key === null ? null : self::decrypt_old_token((string)$old->encrypted_token, $key);
            $existing = $DB->get_record('block_kuracloud_conns', ['instanceid' => $old->instanceid]);
            if ($existing) {
                $connectionof[$old->instanceid] = (int)$existing->id;
                continue;
            }
            $connectionof[$old->instanceid] = (int)$DB->insert_record('block_kuracloud_conns', (object)[
                'name' => \core_text::substr((string)$old->name, 0, 255),
                'instanceid' => (string)$old->instanceid,
                'apiurl' => rtrim((string)$old->api_endpoint, '/'),
                'token' => \core\encryption::encrypt($token ?? ''),
                'lmsenabled' => 1,
                'status' => $token === null ? status::CONNECTION_FAILING : 'ok',
                'statusmessage' => $token === null
                    ? 'The token could not be read from the previous version of the plugin; add the connection again.' : null,
                'timecreated' => $now,
                'timemodified' => $now,
            ]);
            $counts['connections']++;
            if ($token === null) {
                $counts['tokenfailures']++;
            }
        }
        if ($dbman->table_exists('block_kuracloud_courses')) {
            foreach ($DB->get_records('block_kuracloud_courses') as $old) {
                $connectionid = $connectionof[$old->remote_instanceid] ?? null;
                if ($connectionid === null || $DB->record_exists('block_kuracloud_maps', ['courseid' => $old->courseid])
                        || $DB->record_exists('block_kuracloud_maps', ['connectionid' => $connectionid,
                            'remotecourseid' => $old->remote_courseid])) {
                    continue;
                }
                $DB->insert_record('block_kuracloud_maps', (object)[
                    'courseid' => (int)$old->courseid,
                    'connectionid' => $connectionid,
                    'instanceid' => (string)$old->remote_instanceid,
                    'remotecourseid' => (int)$old->remote_courseid,
                    'remotename' => \core_text::substr((string)($old->remote_name ?? ''), 0, 255),
                    'status' => empty($old->status_ok) ? status::LMS_NOT_ENABLED : 'ok',
                    'statusmessage' => $old->status_message ?? null,
                    'autosync' => 0,
                    'timecreated' => $now,
                    'timemodified' => $now,
                ]);
                $counts['mappings']++;
            }
        }
        if ($dbman->table_exists('block_kuracloud_users')) {
            $rs = $DB->get_recordset('block_kuracloud_users');
            foreach ($rs as $old) {
                $connectionid = $connectionof[$old->remote_instanceid] ?? null;
                $row = ['connectionid' => $connectionid, 'remotecourseid' => (int)$old->remote_courseid,
                    'userid' => (int)$old->userid];
                if ($connectionid === null || $DB->record_exists('block_kuracloud_links', $row)) {
                    continue;
                }
                $DB->insert_record('block_kuracloud_links', (object)($row + ['studentid' => (int)$old->remote_studentid,
                    'timecreated' => $now, 'timemodified' => $now]));
                $counts['links']++;
            }
            $rs->close();
        }
        foreach (self::OLD_TABLES as $name) {
            $table = new \xmldb_table($name);
            if ($dbman->table_exists($table)) {
                $dbman->drop_table($table);
            }
        }
        get_file_storage()->delete_area_files(\context_system::instance()->id, 'block_kuracloud', 'tokenkey');
        return $counts;
    }

    /**
     * The old plugin's key: 32 random bytes in the system file area block_kuracloud/tokenkey.
     *
     * @return string|null
     */
    private static function old_key(): ?string {
        $file = get_file_storage()->get_file(\context_system::instance()->id, 'block_kuracloud', 'tokenkey', 0, '/',
            'token.key');
        return $file ? $file->get_content() : null;
    }

    /**
     * Decrypts an old token: base64(iv) ':' base64(openssl_encrypt(..., aes-256-cbc, options 0)).
     *
     * @param string $stored Stored value.
     * @param string $key Old key.
     * @return string|null The token, or null when it cannot be read.
     */
    public static function decrypt_old_token(string $stored, string $key): ?string {
        $parts = explode(':', $stored, 2);
        if (count($parts) !== 2) {
            return null;
        }
        $iv = base64_decode($parts[0], true);
        $data = base64_decode($parts[1], true);
        if ($iv === false || $data === false || strlen($iv) !== openssl_cipher_iv_length('aes-256-cbc')) {
            return null;
        }
        $token = openssl_decrypt($data, 'aes-256-cbc', $key, 0, $iv);
        return ($token === false || $token === '') ? null : $token;
    }
}
