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
 * The plugin's site settings (Site administration > Plugins > Blocks > kuraCloud) and
 * its secret, read in one place.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class site_config {
    /** Default cap on one kuraCloud response, MiB (host-runner uses the same figure). */
    const DEFAULT_MAX_RESPONSE_MB = 64;

    /**
     * Largest kuraCloud response the transport accepts, in bytes.
     *
     * @return int
     */
    public static function max_response_bytes(): int {
        $mb = (int)get_config('block_kuracloud', 'maxresponsemb');
        if ($mb <= 0) {
            $mb = self::DEFAULT_MAX_RESPONSE_MB;
        }
        return min($mb, 2048) * 1024 * 1024;
    }

    /**
     * Hosts that may be reached over plain HTTP (test servers such as the simulator),
     * lower case, from the "testhosts" setting (one per line or comma separated).
     *
     * @return string[]
     */
    public static function test_hosts(): array {
        $raw = (string)get_config('block_kuracloud', 'testhosts');
        $hosts = preg_split('/[\s,]+/', \core_text::strtolower($raw), -1, PREG_SPLIT_NO_EMPTY);
        return array_values(array_unique($hosts));
    }

    /**
     * A key for one purpose, derived from the plugin's random secret. The secret lives in
     * the database, never in a directory the web server writes files to.
     *
     * @param string $purpose What the key is for, e.g. 'module-cache'.
     * @return string 64 hex characters.
     */
    public static function key(string $purpose): string {
        $secret = (string)get_config('block_kuracloud', 'secret');
        if (strlen($secret) < 64) {
            $secret = bin2hex(random_bytes(32));
            set_config('secret', $secret, 'block_kuracloud');
        }
        return hash_hmac('sha256', $purpose, $secret);
    }
}
