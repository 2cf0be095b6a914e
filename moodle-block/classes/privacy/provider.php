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


namespace block_kuracloud\privacy;

use core_privacy\local\metadata\collection;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\contextlist;
use core_privacy\local\request\userlist;
use core_privacy\local\request\writer;

/**
 * Privacy API: links to kuraCloud students, grades this plugin wrote, the sync log, and
 * the data sent to kuraCloud.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class provider implements
        \core_privacy\local\metadata\provider,
        \core_privacy\local\request\plugin\provider,
        \core_privacy\local\request\core_userlist_provider {

    /**
     * What is stored and sent.
     *
     * @param collection $collection The collection.
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_database_table('block_kuracloud_links', [
            'userid' => 'privacy:metadata:links:userid',
            'studentid' => 'privacy:metadata:links:studentid',
            'remotecourseid' => 'privacy:metadata:links:remotecourseid',
            'timecreated' => 'privacy:metadata:links:timecreated',
        ], 'privacy:metadata:links');
        $collection->add_database_table('block_kuracloud_grades', [
            'userid' => 'privacy:metadata:grades:userid',
            'lastwritten' => 'privacy:metadata:grades:lastwritten',
        ], 'privacy:metadata:grades');
        $collection->add_database_table('block_kuracloud_log', [
            'userid' => 'privacy:metadata:log:userid',
            'timecreated' => 'privacy:metadata:log:timecreated',
        ], 'privacy:metadata:log');
        $collection->add_external_location_link('kuracloud', [
            'email' => 'privacy:metadata:kuracloud:email',
            'firstname' => 'privacy:metadata:kuracloud:firstname',
            'lastname' => 'privacy:metadata:kuracloud:lastname',
            'idnumber' => 'privacy:metadata:kuracloud:idnumber',
            'section' => 'privacy:metadata:kuracloud:section',
        ], 'privacy:metadata:kuracloud');
        return $collection;
    }

    /** SQL: the course contexts where a user has a link, through the course's mapping. */
    private const LINK_CONTEXTS = "SELECT ctx.id
          FROM {block_kuracloud_links} l
          JOIN {block_kuracloud_maps} m ON m.connectionid = l.connectionid AND m.remotecourseid = l.remotecourseid
          JOIN {context} ctx ON ctx.instanceid = m.courseid AND ctx.contextlevel = :courselevel
         WHERE l.userid = :userid";

    /**
     * Contexts with data of a user.
     *
     * @param int $userid User.
     * @return contextlist
     */
    /** Links whose mapping is gone (unmapped) or whose Moodle course was deleted. */
    private const ORPHAN_LINKS = "l.userid = :userid AND NOT EXISTS (
            SELECT 1 FROM {block_kuracloud_maps} m JOIN {course} c ON c.id = m.courseid
             WHERE m.connectionid = l.connectionid AND m.remotecourseid = l.remotecourseid)";

    /** Last-written grades whose grade item is gone (its course deleted). */
    private const ORPHAN_GRADES = "g.userid = :userid AND NOT EXISTS (SELECT 1 FROM {grade_items} gi WHERE gi.id = g.itemid)";

    /** History rows of a course that no longer exists. */
    private const ORPHAN_LOG = "lg.userid = :userid AND NOT EXISTS (SELECT 1 FROM {course} c WHERE c.id = lg.courseid)";

    /**
     * Whether the user has data that no course context holds any more (after an unmap or a
     * deleted course): it is reported and deleted in the user's own context.
     *
     * @param int $userid User.
     * @return bool
     */
    private static function has_orphans(int $userid): bool {
        global $DB;
        $p = ['userid' => $userid];
        return $DB->record_exists_sql('SELECT 1 FROM {block_kuracloud_links} l WHERE ' . self::ORPHAN_LINKS, $p)
            || $DB->record_exists_sql('SELECT 1 FROM {block_kuracloud_grades} g WHERE ' . self::ORPHAN_GRADES, $p)
            || $DB->record_exists_sql('SELECT 1 FROM {block_kuracloud_log} lg WHERE ' . self::ORPHAN_LOG, $p);
    }

    public static function get_contexts_for_userid(int $userid): contextlist {
        $list = new contextlist();
        if (self::has_orphans($userid)) {
            $list->add_user_context($userid);
        }
        $list->add_from_sql(self::LINK_CONTEXTS, ['courselevel' => CONTEXT_COURSE, 'userid' => $userid]);
        $list->add_from_sql("SELECT ctx.id FROM {block_kuracloud_grades} g
                               JOIN {grade_items} gi ON gi.id = g.itemid
                               JOIN {context} ctx ON ctx.instanceid = gi.courseid AND ctx.contextlevel = :courselevel
                              WHERE g.userid = :userid", ['courselevel' => CONTEXT_COURSE, 'userid' => $userid]);
        $list->add_from_sql("SELECT ctx.id FROM {block_kuracloud_log} lg
                               JOIN {context} ctx ON ctx.instanceid = lg.courseid AND ctx.contextlevel = :courselevel
                              WHERE lg.userid = :userid", ['courselevel' => CONTEXT_COURSE, 'userid' => $userid]);
        return $list;
    }

    /**
     * Users with data in a context.
     *
     * @param userlist $userlist The list to fill.
     */
    public static function get_users_in_context(userlist $userlist) {
        $context = $userlist->get_context();
        if ($context instanceof \context_user) {
            if (self::has_orphans((int)$context->instanceid)) {
                $userlist->add_user((int)$context->instanceid);
            }
            return;
        }
        if (!$context instanceof \context_course) {
            return;
        }
        $params = ['courseid' => $context->instanceid];
        $userlist->add_from_sql('userid', "SELECT l.userid FROM {block_kuracloud_links} l
                JOIN {block_kuracloud_maps} m ON m.connectionid = l.connectionid AND m.remotecourseid = l.remotecourseid
               WHERE m.courseid = :courseid", $params);
        $userlist->add_from_sql('userid', "SELECT g.userid FROM {block_kuracloud_grades} g
                JOIN {grade_items} gi ON gi.id = g.itemid WHERE gi.courseid = :courseid", $params);
        $userlist->add_from_sql('userid', "SELECT userid FROM {block_kuracloud_log} WHERE courseid = :courseid AND userid > 0",
            $params);
    }

    /**
     * Exports a user's data per course.
     *
     * @param approved_contextlist $contextlist Contexts.
     */
    public static function export_user_data(approved_contextlist $contextlist) {
        global $DB;
        $userid = $contextlist->get_user()->id;
        foreach ($contextlist->get_contexts() as $context) {
            if ($context instanceof \context_user && (int)$context->instanceid === (int)$userid) {
                self::export_orphans($context, (int)$userid);
                continue;
            }
            if (!$context instanceof \context_course) {
                continue;
            }
            $mapping = $DB->get_record('block_kuracloud_maps', ['courseid' => $context->instanceid]);
            $data = [];
            if ($mapping) {
                $link = $DB->get_record('block_kuracloud_links', ['connectionid' => $mapping->connectionid,
                    'remotecourseid' => $mapping->remotecourseid, 'userid' => $userid]);
                if ($link) {
                    $data['kuracloudstudentid'] = $link->studentid;
                    $data['kuracloudcourseid'] = $link->remotecourseid;
                    $data['linked'] = \core_privacy\local\request\transform::datetime($link->timecreated);
                }
            }
            $grades = $DB->get_records_sql("SELECT g.id, gi.itemname, g.lastwritten FROM {block_kuracloud_grades} g
                    JOIN {grade_items} gi ON gi.id = g.itemid WHERE gi.courseid = ? AND g.userid = ?",
                [$context->instanceid, $userid]);
            foreach ($grades as $g) {
                $data['gradeswritten'][] = ['item' => $g->itemname, 'grade' => $g->lastwritten];
            }
            if ($data) {
                writer::with_context($context)->export_data([get_string('pluginname', 'block_kuracloud')], (object)$data);
            }
        }
    }

    /**
     * Deletes every user's data in a context.
     *
     * @param \context $context Context.
     */
    /**
     * Exports the user's data that no course holds any more, in their user context.
     *
     * @param \context_user $context The user's context.
     * @param int $userid User.
     */
    private static function export_orphans(\context_user $context, int $userid): void {
        global $DB;
        $p = ['userid' => $userid];
        $data = [];
        foreach ($DB->get_records_sql('SELECT l.* FROM {block_kuracloud_links} l WHERE ' . self::ORPHAN_LINKS, $p) as $l) {
            $data['links'][] = ['kuracloudstudentid' => $l->studentid, 'kuracloudcourseid' => $l->remotecourseid,
                'linked' => \core_privacy\local\request\transform::datetime($l->timecreated)];
        }
        foreach ($DB->get_records_sql('SELECT g.* FROM {block_kuracloud_grades} g WHERE ' . self::ORPHAN_GRADES, $p) as $g) {
            $data['gradeswritten'][] = ['grade' => $g->lastwritten];
        }
        foreach ($DB->get_records_sql('SELECT lg.* FROM {block_kuracloud_log} lg WHERE ' . self::ORPHAN_LOG, $p) as $lg) {
            $data['syncsrun'][] = ['kind' => $lg->kind, 'status' => $lg->status,
                'time' => \core_privacy\local\request\transform::datetime($lg->timecreated)];
        }
        if ($data) {
            writer::with_context($context)->export_data([get_string('pluginname', 'block_kuracloud')], (object)$data);
        }
    }

    /**
     * Deletes the user's data that no course holds any more.
     *
     * @param int $userid User.
     */
    private static function delete_orphans(int $userid): void {
        global $DB;
        $p = ['userid' => $userid];
        $ids = $DB->get_fieldset_sql('SELECT l.id FROM {block_kuracloud_links} l WHERE ' . self::ORPHAN_LINKS, $p);
        $DB->delete_records_list('block_kuracloud_links', 'id', $ids);
        $ids = $DB->get_fieldset_sql('SELECT g.id FROM {block_kuracloud_grades} g WHERE ' . self::ORPHAN_GRADES, $p);
        $DB->delete_records_list('block_kuracloud_grades', 'id', $ids);
        // The audit trail keeps what happened, without who.
        $ids = $DB->get_fieldset_sql('SELECT lg.id FROM {block_kuracloud_log} lg WHERE ' . self::ORPHAN_LOG, $p);
        if ($ids) {
            [$insql, $params] = $DB->get_in_or_equal($ids);
            $DB->set_field_select('block_kuracloud_log', 'userid', 0, "id $insql", $params);
        }
    }

    public static function delete_data_for_all_users_in_context(\context $context) {
        if ($context instanceof \context_user) {
            self::delete_orphans((int)$context->instanceid);
        }
        if ($context instanceof \context_course) {
            self::delete_for_course((int)$context->instanceid, null);
        }
    }

    /**
     * Deletes a user's data in the approved contexts.
     *
     * @param approved_contextlist $contextlist Contexts.
     */
    public static function delete_data_for_user(approved_contextlist $contextlist) {
        $userid = (int)$contextlist->get_user()->id;
        foreach ($contextlist->get_contexts() as $context) {
            if ($context instanceof \context_user && (int)$context->instanceid === $userid) {
                self::delete_orphans($userid);
            }
            if ($context instanceof \context_course) {
                self::delete_for_course((int)$context->instanceid, [$userid]);
            }
        }
    }

    /**
     * Deletes the listed users' data in a context.
     *
     * @param approved_userlist $userlist Users.
     */
    public static function delete_data_for_users(approved_userlist $userlist) {
        $context = $userlist->get_context();
        if ($context instanceof \context_user && in_array((int)$context->instanceid, $userlist->get_userids())) {
            self::delete_orphans((int)$context->instanceid);
        }
        if ($context instanceof \context_course) {
            self::delete_for_course((int)$context->instanceid, array_map('intval', $userlist->get_userids()));
        }
    }

    /**
     * Deletes links and written-grade records of a course.
     *
     * @param int $courseid Course.
     * @param int[]|null $userids Only these users (null: everyone).
     */
    private static function delete_for_course(int $courseid, ?array $userids): void {
        global $DB;
        if ($userids === []) {
            return;
        }
        $userwhere = '';
        $userparams = [];
        if ($userids !== null) {
            [$insql, $userparams] = $DB->get_in_or_equal($userids, SQL_PARAMS_NAMED, 'u');
            $userwhere = " AND userid $insql";
        }
        $mapping = $DB->get_record('block_kuracloud_maps', ['courseid' => $courseid]);
        if ($mapping) {
            $DB->delete_records_select('block_kuracloud_links',
                'connectionid = :c AND remotecourseid = :r' . $userwhere,
                ['c' => $mapping->connectionid, 'r' => $mapping->remotecourseid] + $userparams);
        }
        // The audit trail keeps what happened, without who.
        $DB->set_field_select('block_kuracloud_log', 'userid', 0, 'courseid = :courseid' . $userwhere,
            ['courseid' => $courseid] + $userparams);
        $itemids = $DB->get_fieldset_select('grade_items', 'id', 'courseid = ?', [$courseid]);
        if ($itemids) {
            [$itemsql, $itemparams] = $DB->get_in_or_equal($itemids, SQL_PARAMS_NAMED, 'i');
            $DB->delete_records_select('block_kuracloud_grades', "itemid $itemsql" . $userwhere, $itemparams + $userparams);
        }
    }
}
