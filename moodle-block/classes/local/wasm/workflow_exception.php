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
 * A workflow ended with an error: a stable code (bad_token, server_error, ...) and a
 * message meant for people.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class workflow_exception extends \Exception {
    /** @var string Stable error code from the module. */
    public readonly string $errorcode;

    /** @var int|null HTTP status from kuraCloud, when there was one. */
    public readonly ?int $httpstatus;

    /** @var array|null The module's text ({"code", "params"}), for a history row rendered when read. */
    public readonly ?array $text;

    /**
     * Constructor.
     *
     * @param string $errorcode Stable error code.
     * @param string $message Message for people.
     * @param int|null $httpstatus HTTP status, if any.
     * @param array|null $text The module's text, if any.
     */
    public function __construct(string $errorcode, string $message, ?int $httpstatus = null, ?array $text = null) {
        parent::__construct($message);
        $this->errorcode = $errorcode;
        $this->httpstatus = $httpstatus;
        $this->text = $text;
    }
}
