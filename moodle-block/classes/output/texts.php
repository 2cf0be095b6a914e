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
 * The module's texts in the site's language. The module reports every reason, status
 * and error as a code with its parameters ({"code": ..., "params": {...}}, see
 * docs/abi.md); each code is the string text_<code> of this plugin, so language packs
 * translate them like any other string. Returns plain text: callers escape it for HTML
 * (templates do), as they do any text from kuraCloud.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class texts {
    /** Parameters never placed in a sentence: appended after it with these strings when not empty. */
    const APPENDED = ['said' => 'textsaid', 'detail' => 'textdetail'];

    /** Student fields a plan entry's changes name. */
    const FIELDS = ['email', 'given_name', 'family_name', 'external_student_id', 'section'];

    /**
     * A text as a sentence.
     *
     * @param array|null $text {"code", "params"} from the module.
     * @return string Plain text.
     */
    public static function plain(?array $text): string {
        if (!isset($text['code'])) {
            return '';
        }
        $code = clean_param((string)$text['code'], PARAM_ALPHANUMEXT);
        $params = (array)($text['params'] ?? []);
        $a = new \stdClass();
        foreach ($params as $name => $value) {
            if (!isset(self::APPENDED[$name])) {
                $a->$name = is_scalar($value) ? (string)$value : json_encode($value);
            }
        }
        $out = get_string_manager()->string_exists('text_' . $code, 'block_kuracloud')
            ? get_string('text_' . $code, 'block_kuracloud', $a) : '[' . $code . ']';
        foreach (self::APPENDED as $name => $identifier) {
            if (isset($params[$name]) && is_scalar($params[$name]) && (string)$params[$name] !== '') {
                $out .= ' ' . get_string($identifier, 'block_kuracloud', (string)$params[$name]);
            }
        }
        return $out;
    }

    /**
     * A plan entry's reason, with the fields an update or a restore edits.
     *
     * @param array $entry Plan entry.
     * @return string Plain text.
     */
    public static function reason(array $entry): string {
        $reason = self::plain($entry['reason'] ?? null);
        $changes = [];
        foreach ((array)($entry['changes'] ?? []) as $field) {
            $changes[] = in_array($field, self::FIELDS, true) ? get_string('field_' . $field, 'block_kuracloud')
                : (string)$field;
        }
        $a = (object)['reason' => $reason, 'changes' => implode(', ', $changes)];
        if ($entry['action'] === 'update' && $changes) {
            return get_string('text_details_changed', 'block_kuracloud', $a);
        }
        if ($entry['action'] === 'restore') {
            return get_string($changes ? 'text_restore_then_edit' : 'text_restore_only', 'block_kuracloud', $a);
        }
        return $reason;
    }

    /**
     * A history row's message: a stored text (JSON) rendered now, in the reader's
     * language; a row written before texts were stored is shown as it was written.
     *
     * @param string|null $stored The row's message.
     * @return string Plain text.
     */
    public static function stored(?string $stored): string {
        if ($stored === null || !str_starts_with($stored, '{"code":')) {
            return (string)$stored;
        }
        $text = json_decode($stored, true);
        return is_array($text) ? self::plain($text) : $stored;
    }

    /**
     * A text as a history row stores it.
     *
     * @param array|null $text {"code", "params"}.
     * @return string|null JSON.
     */
    public static function to_store(?array $text): ?string {
        return isset($text['code']) ? json_encode(['code' => $text['code'], 'params' => (object)($text['params'] ?? [])],
            JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) : null;
    }
}
