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

use block_kuracloud\local\wasm\workflow_exception;

/**
 * Tokens travel only over TLS: a connection's API URL must be https://, unless its host
 * is one of the test servers an administrator listed (site_config::test_hosts()).
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class api_url_policy {
    /**
     * Whether a token may be sent to this API URL.
     *
     * @param string $apiurl API URL.
     * @return bool
     */
    public static function allows(string $apiurl): bool {
        $parts = parse_url(trim($apiurl));
        if (!is_array($parts) || empty($parts['scheme']) || empty($parts['host'])
                || isset($parts['user']) || isset($parts['pass'])) {
            return false;
        }
        $scheme = strtolower($parts['scheme']);
        if ($scheme === 'https') {
            return true;
        }
        $host = \core_text::strtolower(trim($parts['host'], '[]'));
        return $scheme === 'http' && in_array($host, site_config::test_hosts(), true);
    }

    /**
     * Refuses an API URL a token must not be sent to.
     *
     * @param string $apiurl API URL.
     * @throws workflow_exception Code 'insecure_url'.
     */
    public static function require_allowed(string $apiurl): void {
        if (!self::allows($apiurl)) {
            throw new workflow_exception('insecure_url', get_string('insecureapiurl', 'block_kuracloud'));
        }
    }
}
