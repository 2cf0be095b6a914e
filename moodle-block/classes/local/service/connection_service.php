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

use block_kuracloud\local\repository\connections;

/**
 * Adding a connection: the token is verified with kuraCloud before it is stored.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class connection_service {
    /** The API URL most sites use. */
    const DEFAULT_API_URL = 'https://api.kuracloud.com';

    /**
     * Verifies the token and saves the connection.
     *
     * @param string $apiurl API URL (empty: the default).
     * @param string $token Token.
     * @param int[]|null $categories Course categories that may use it (empty: the whole
     *     site; null: unchanged for a known instance, the whole site for a new one).
     * @return array The connection.verify outcome plus 'connection_id'.
     * @throws \block_kuracloud\local\wasm\workflow_exception With a message an admin can act on.
     */
    public static function add(string $apiurl, string $token, ?array $categories = null): array {
        $apiurl = trim($apiurl) === '' ? self::DEFAULT_API_URL : rtrim(trim($apiurl), '/');
        $token = trim($token);
        // The token is sent nowhere but over TLS (or to a test server an admin listed).
        \block_kuracloud\local\api_url_policy::require_allowed($apiurl);
        $verified = module_runner::run('connection.verify', ['connection' => ['api_url' => $apiurl, 'token' => $token]]);
        $verified['connection_id'] = connections::save($apiurl, $token, $verified);
        if ($categories !== null) {
            connections::set_categories($verified['connection_id'], $categories);
        }
        \block_kuracloud\event\connection_created::create([
            'context' => \context_system::instance(),
            'objectid' => $verified['connection_id'],
            'other' => ['instanceid' => (string)$verified['instance_id']],
        ])->trigger();
        return $verified;
    }

    /**
     * Deletes a connection (its mappings wait for a new connection to the instance).
     *
     * @param \stdClass $connection Connection row.
     */
    public static function delete(\stdClass $connection): void {
        connections::delete((int)$connection->id);
        \block_kuracloud\event\connection_deleted::create([
            'context' => \context_system::instance(),
            'objectid' => (int)$connection->id,
            'other' => ['instanceid' => (string)$connection->instanceid],
        ])->trigger();
    }
}
