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
 * Site administration > Plugins > Blocks > kuraCloud.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

if ($hassiteconfig) {
    $url = new moodle_url('/blocks/kuracloud/connections.php');
    $settings->add(new admin_setting_heading('block_kuracloud/connectionsheading', get_string('connections', 'block_kuracloud'),
        html_writer::link($url, get_string('connections', 'block_kuracloud'), ['class' => 'btn btn-primary'])));
    $settings->add(new admin_setting_configtextarea('block_kuracloud/testhosts', get_string('settingtesthosts', 'block_kuracloud'),
        get_string('settingtesthosts_desc', 'block_kuracloud'), '', PARAM_TEXT));
    $settings->add(new admin_setting_configtext('block_kuracloud/maxresponsemb', get_string('settingmaxresponsemb', 'block_kuracloud'),
        get_string('settingmaxresponsemb_desc', 'block_kuracloud'), \block_kuracloud\local\site_config::DEFAULT_MAX_RESPONSE_MB,
        PARAM_INT));
    $settings->add(new admin_setting_configtext('block_kuracloud/backgroundthreshold',
        get_string('settingbackgroundthreshold', 'block_kuracloud'), get_string('settingbackgroundthreshold_desc', 'block_kuracloud'),
        \block_kuracloud\local\service\background_sync::DEFAULT_THRESHOLD, PARAM_INT));
    $settings->add(new admin_setting_configtext('block_kuracloud/autosyncbudget', get_string('settingautosyncbudget', 'block_kuracloud'),
        get_string('settingautosyncbudget_desc', 'block_kuracloud'), \block_kuracloud\local\service\auto_sync::DEFAULT_BUDGET,
        PARAM_INT));
    $ADMIN->add('blocksettings', new admin_externalpage('block_kuracloud_connections',
        get_string('connections', 'block_kuracloud'), $url, 'block/kuracloud:configureapi'));
    $ADMIN->add('reports', new admin_externalpage('block_kuracloud_history', get_string('historysite', 'block_kuracloud'),
        new moodle_url('/blocks/kuracloud/history.php'), 'block/kuracloud:configureapi'));
}
