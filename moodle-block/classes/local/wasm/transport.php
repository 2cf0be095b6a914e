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

namespace block_kuracloud\local\wasm;

/**
 * Sends the HTTP requests the kuraCloud module asks for.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
interface transport {
    /**
     * Sends one request exactly as given.
     *
     * @param string $method HTTP method.
     * @param string $url Absolute URL.
     * @param array $headers List of [name, value] pairs.
     * @param string|null $body Request body, if any.
     * @param int $timeoutms Timeout for the whole request, in milliseconds.
     * @return array ['status' => int, 'body' => string] for any HTTP answer (errors
     *     included), or ['transport_error' => ['kind' => 'timeout'|'connect'|'other',
     *     'message' => string]] when there was no answer.
     */
    public function send(string $method, string $url, array $headers, ?string $body, int $timeoutms): array;
}
