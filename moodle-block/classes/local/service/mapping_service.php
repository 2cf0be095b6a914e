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
use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\status;
use block_kuracloud\output\texts;

/**
 * Creating, removing and checking course mappings.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class mapping_service {
    /**
     * kuraCloud courses that can be mapped from a Moodle course, for a select box: from
     * every connection the course's category may use.
     *
     * Labels are escaped here: kuraCloud names are text, and Moodle's autocomplete (like
     * every select of the forms library) prints option text as HTML.
     *
     * @param \stdClass $course Moodle course (its category decides the connections offered).
     * @return array [options ("connectionid-courseid" => escaped label), errors (connection name => message)]
     */
    public static function mappable_courses(\stdClass $course): array {
        $all = connections::for_category((int)$course->category);
        if (!$all) {
            return [[], []];
        }
        $errors = [];
        foreach (connections::insecure() as $id => $record) {
            if (isset($all[$id])) {
                $errors[$record->name] = get_string('insecureapiurl', 'block_kuracloud');
            }
        }
        $refs = [];
        foreach (mappings::all() as $m) {
            $refs[] = ['connection_id' => (int)$m->connectionid, 'course_id' => (int)$m->remotecourseid,
                'moodle_course_id' => (int)$m->courseid];
        }
        $usable = connections::all_for_workflow($all);
        if (!$usable) {
            return [[], $errors];
        }
        $outcome = module_runner::run('courses.list', ['connections' => $usable, 'mappings' => $refs]);
        $options = [];
        foreach ($outcome['connections'] as $c) {
            $name = $all[$c['connection_id']]->name ?? '';
            if (!$c['ok']) {
                $errors[$name] = texts::plain($c['error']['text'] ?? null);
                continue;
            }
            foreach ($c['courses'] as $course) {
                if ($course['mappable']) {
                    // Two integers: an instance id with '-' in it cannot break this key.
                    $key = self::option_key((int)$c['connection_id'], (int)$course['course_id']);
                    $code = $course['course_code'] !== '' ? ' (' . $course['course_code'] . ')' : '';
                    $options[$key] = s($name . ': ' . $course['name'] . $code);
                }
            }
        }
        return [$options, $errors];
    }

    /**
     * The select box key of a kuraCloud course: two integers, PARAM_ALPHANUMEXT-safe.
     *
     * @param int $connectionid Connection.
     * @param int $remotecourseid kuraCloud course.
     * @return string
     */
    public static function option_key(int $connectionid, int $remotecourseid): string {
        return $connectionid . '-' . $remotecourseid;
    }

    /**
     * Reads a select box key back.
     *
     * @param string $key From option_key().
     * @return int[] [connection id, kuraCloud course id]
     */
    public static function parse_option_key(string $key): array {
        $parts = explode('-', $key, 2);
        return [(int)$parts[0], (int)($parts[1] ?? 0)];
    }

    /**
     * Maps a Moodle course to a kuraCloud course (sets lmsEnabled in kuraCloud).
     *
     * @param \stdClass $course Moodle course.
     * @param int $connectionid Connection.
     * @param int $remotecourseid kuraCloud course.
     * @return \stdClass The mapping.
     */
    public static function create(\stdClass $course, int $connectionid, int $remotecourseid): \stdClass {
        $connection = connections::get($connectionid);
        if (!$connection) {
            throw new \moodle_exception('noconnections', 'block_kuracloud');
        }
        // The mapping page only offers allowed connections; a forged request gets no further.
        if (!connections::allowed_in_category($connection, (int)$course->category)) {
            throw new \moodle_exception('connectionnotallowed', 'block_kuracloud');
        }
        $outcome = module_runner::run('mapping.create', ['connection' => connections::for_workflow($connection),
            'course_id' => $remotecourseid, 'moodle_course_name' => format_string($course->fullname)]);
        $id = mappings::create((int)$course->id, $connectionid, $remotecourseid, (string)$outcome['name'],
            (string)$connection->instanceid);
        \block_kuracloud\event\course_mapped::create([
            'context' => \context_course::instance((int)$course->id),
            'objectid' => $id,
            'other' => ['remotecourseid' => $remotecourseid],
        ])->trigger();
        return mappings::for_course((int)$course->id) ?? (object)['id' => $id];
    }

    /**
     * Removes a mapping: kuraCloud first (which refuses for a deleted course, as the user
     * guide says), then Moodle. Links are kept for a later re-map.
     *
     * With $withoutkuracloud (after the teacher confirmed that kuraCloud could not be told),
     * only Moodle's side is removed.
     *
     * @param \stdClass $mapping Mapping row.
     * @param bool $withoutkuracloud Do not tell kuraCloud.
     */
    public static function remove(\stdClass $mapping, bool $withoutkuracloud = false): void {
        $connection = connections::get((int)$mapping->connectionid);
        if ($connection && !$withoutkuracloud) {
            module_runner::run('mapping.remove', ['connection' => connections::for_workflow($connection),
                'course_id' => (int)$mapping->remotecourseid]);
        }
        mappings::delete((int)$mapping->id);
        $context = \context_course::instance((int)$mapping->courseid, IGNORE_MISSING);
        \block_kuracloud\event\course_unmapped::create([
            'context' => $context ?: \context_system::instance(),
            'objectid' => (int)$mapping->id,
            'other' => ['remotecourseid' => (int)$mapping->remotecourseid, 'kuracloudtold' => !$withoutkuracloud],
        ])->trigger();
    }

    /**
     * Turns LMS integration on again for a mapped course whose integration was turned off
     * in kuraCloud (status lms_not_enabled), and marks the mapping OK.
     *
     * @param \stdClass $mapping Mapping row.
     * @throws \block_kuracloud\local\wasm\workflow_exception kuraCloud refused (e.g. the course is deleted).
     */
    public static function reenable(\stdClass $mapping): void {
        $connection = connections::get((int)$mapping->connectionid);
        if (!$connection) {
            throw new \block_kuracloud\local\wasm\workflow_exception(status::CONNECTION_GONE,
                get_string('connectiongone', 'block_kuracloud', (string)($mapping->instanceid ?? '')));
        }
        $course = get_course((int)$mapping->courseid);
        $outcome = module_runner::run('mapping.create', ['connection' => connections::for_workflow($connection),
            'course_id' => (int)$mapping->remotecourseid, 'moodle_course_name' => format_string($course->fullname)]);
        mappings::mark_ok((int)$mapping->id, (string)$outcome['name']);
    }

    /**
     * Whether a failed unmap may be completed in Moodle alone: kuraCloud could not be
     * reached or refused the token. Never for a course deleted in kuraCloud (the user
     * guide: restore it first).
     *
     * @param \block_kuracloud\local\wasm\workflow_exception $e Why kuraCloud was not told.
     * @return bool
     */
    public static function may_remove_without_kuracloud(\block_kuracloud\local\wasm\workflow_exception $e): bool {
        return in_array($e->errorcode, ['unreachable', 'timeout', 'bad_token', 'server_error', 'rate_limited',
            'malformed_response', 'unexpected_status', 'insecure_url', status::LMS_NOT_ENABLED, 'module_failed'], true);
    }

    /**
     * Checks every mapping's health and records it.
     *
     * @return array The mappings.check outcome.
     */
    public static function check_all(): array {
        $refs = [];
        foreach (mappings::all() as $m) {
            $refs[] = ['mapping_id' => (int)$m->id, 'connection_id' => (int)$m->connectionid,
                'course_id' => (int)$m->remotecourseid, 'moodle_course_id' => (int)$m->courseid];
        }
        if (!$refs) {
            return ['mappings' => []];
        }
        $outcome = module_runner::run('mappings.check', ['connections' => connections::all_for_workflow(),
            'mappings' => $refs]);
        // A connection whose token may not be sent is failing, not gone.
        $insecure = connections::insecure();
        foreach ($outcome['mappings'] as &$health) {
            // Stored as its text, rendered in the reader's language when the block shows it.
            $health['message'] = texts::to_store($health['text']);
            if (isset($insecure[$health['connection_id']])) {
                $health['status'] = status::CONNECTION_FAILING;
                $health['message'] = get_string('insecureapiurl', 'block_kuracloud');
            } else if ($health['status'] === status::LMS_NOT_ENABLED && isset($health['course_name'])) {
                // Turned off for the course in kuraCloud: the block offers to turn it on again.
                $health['message'] = get_string('lmsnotenabledcourse', 'block_kuracloud', $health['course_name']);
            }
            mappings::set_status((int)$health['mapping_id'], (string)$health['status'], (string)$health['message']);
        }
        unset($health);
        return $outcome;
    }
}
