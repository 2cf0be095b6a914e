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
 * Signs the mapping a course backup carries, with a key only this site holds, so that a
 * restore can tell a backup this site made from a forged or edited kuracloud.xml.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class backup_signature {
    /**
     * The signature of a backed-up mapping.
     *
     * @param int $mappingid Mapping id.
     * @param int $courseid Moodle course the mapping belonged to.
     * @param int $remotecourseid kuraCloud course.
     * @param string $instanceid kuraCloud instance.
     * @return string
     */
    public static function sign(int $mappingid, int $courseid, int $remotecourseid, string $instanceid): string {
        return hash_hmac('sha256', implode("\n", [$mappingid, $courseid, $remotecourseid, $instanceid]),
            site_config::key('backup-mapping'));
    }

    /**
     * Whether a signature is this site's for this mapping.
     *
     * @param string $signature From the backup.
     * @param int $mappingid Mapping id.
     * @param int $courseid Moodle course the mapping belonged to.
     * @param int $remotecourseid kuraCloud course.
     * @param string $instanceid kuraCloud instance.
     * @return bool
     */
    public static function verify(string $signature, int $mappingid, int $courseid, int $remotecourseid,
            string $instanceid): bool {
        return $signature !== '' && hash_equals(self::sign($mappingid, $courseid, $remotecourseid, $instanceid), $signature);
    }
}
