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


/**
 * Upgrade steps for block_kuracloud.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Upgrades the plugin's tables.
 *
 * @param int $oldversion The version installed before this upgrade.
 * @return bool
 */
function xmldb_block_kuracloud_upgrade($oldversion) {
    global $CFG, $DB;
    $dbman = $DB->get_manager();

    if ($oldversion < 2026112500) {
        // A site with the old plugin (2022020206) gets this plugin's tables, then its
        // connections, mappings and links move into them.
        $file = $CFG->dirroot . '/blocks/kuracloud/db/install.xml';
        foreach (['block_kuracloud_conns', 'block_kuracloud_maps', 'block_kuracloud_links',
                'block_kuracloud_grades', 'block_kuracloud_log'] as $table) {
            if (!$dbman->table_exists($table)) {
                $dbman->install_one_table_from_xmldb_file($file, $table);
            }
        }
        \block_kuracloud\local\upgrade\old_plugin_migration::run();
        upgrade_block_savepoint(true, 2026112500, 'kuracloud');
    }

    if ($oldversion < 2026120200) {
        // Connections can be limited to course categories (empty: the whole site).
        $table = new xmldb_table('block_kuracloud_conns');
        $field = new xmldb_field('categories', XMLDB_TYPE_TEXT, null, null, null, null, null, 'timemodified');
        if (!$dbman->field_exists($table, $field)) {
            $dbman->add_field($table, $field);
        }
        // Mappings remember their kuraCloud instance: a connection deleted and added again
        // (a new row) finds them again.
        $table = new xmldb_table('block_kuracloud_maps');
        $field = new xmldb_field('instanceid', XMLDB_TYPE_CHAR, '255', null, null, null, null, 'connectionid');
        if (!$dbman->field_exists($table, $field)) {
            $dbman->add_field($table, $field);
        }
        $DB->execute('UPDATE {block_kuracloud_maps}
                         SET instanceid = (SELECT c.instanceid FROM {block_kuracloud_conns} c
                                            WHERE c.id = {block_kuracloud_maps}.connectionid)
                       WHERE instanceid IS NULL');
        // A NOT NULL char column needs no '' default (XMLDB warns about one); every insert sets it.
        $table = new xmldb_table('block_kuracloud_maps');
        $field = new xmldb_field('remotename', XMLDB_TYPE_CHAR, '255', null, XMLDB_NOTNULL, null, null, 'remotecourseid');
        $dbman->change_field_default($table, $field);
        upgrade_block_savepoint(true, 2026120200, 'kuracloud');
    }
    return true;
}
