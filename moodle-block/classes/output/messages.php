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

namespace block_kuracloud\output;

/**
 * The messages pages put in notifications, redirect() and confirmations, as HTML. Text
 * from kuraCloud (names, error messages) is escaped here, in one place: those surfaces
 * print HTML, and clean_text() would let markup such as <img> through.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class messages {
    /**
     * A workflow failure: kuraCloud unreachable, or its refusal in its own words.
     *
     * @param string $message The error's message.
     * @return string HTML.
     */
    public static function failure(string $message): string {
        return get_string('syncfailed', 'block_kuracloud', s($message));
    }

    /** Error codes raised by the plugin itself, whose message is already the whole story. */
    const LOCAL_ERRORS = ['connection_gone', 'insecure_url', 'sync_running', 'module_failed'];

    /**
     * What a failed workflow tells the teacher: kuraCloud's refusal in its own words, or
     * the plugin's own message (deleted connection, sync already running, ...).
     *
     * @param \block_kuracloud\local\wasm\workflow_exception $e The failure.
     * @return string HTML.
     */
    public static function error(\block_kuracloud\local\wasm\workflow_exception $e): string {
        return in_array($e->errorcode, self::LOCAL_ERRORS, true) ? s($e->getMessage()) : self::failure($e->getMessage());
    }

    /**
     * A message as it is (kuraCloud's or the module's), escaped.
     *
     * @param string $message Text.
     * @return string HTML.
     */
    public static function text(string $message): string {
        return s($message);
    }

    /**
     * A connection that could not list its courses.
     *
     * @param string $name Connection (kuraCloud instance) name.
     * @param string $message The error.
     * @return string HTML.
     */
    public static function connection_error(string $name, string $message): string {
        return s($name . ': ' . $message);
    }

    /**
     * "This course is now mapped to kuraCloud course ...".
     *
     * @param string $remotename kuraCloud course name.
     * @return string HTML.
     */
    public static function mapping_saved(string $remotename): string {
        return get_string('mappingsaved', 'block_kuracloud', s($remotename));
    }

    /**
     * The unmap confirmation.
     *
     * @param string $remotename kuraCloud course name.
     * @return string HTML.
     */
    public static function confirm_unmap(string $remotename): string {
        return get_string('confirmunmap', 'block_kuracloud', s($remotename));
    }

    /**
     * The confirmation to remove a mapping that kuraCloud could not be told about.
     *
     * @param string $remotename kuraCloud course name.
     * @param string $reason Why kuraCloud was not told.
     * @return string HTML.
     */
    public static function confirm_unmap_without_kuracloud(string $remotename, string $reason): string {
        return get_string('confirmunmapoffline', 'block_kuracloud', ['name' => s($remotename), 'reason' => s($reason)]);
    }

    /**
     * "Connected to kuraCloud instance ...".
     *
     * @param string $name kuraCloud instance name.
     * @return string HTML.
     */
    public static function connection_saved(string $name): string {
        return get_string('connectionsaved', 'block_kuracloud', s($name));
    }

    /**
     * The delete-connection confirmation.
     *
     * @param string $name kuraCloud instance name.
     * @param int $mappings Mappings of the connection.
     * @return string HTML.
     */
    public static function confirm_delete_connection(string $name, int $mappings): string {
        return get_string('confirmdeleteconnection', 'block_kuracloud', ['name' => s($name), 'mappings' => $mappings]);
    }
}
