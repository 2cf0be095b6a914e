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

namespace block_kuracloud\form;

defined('MOODLE_INTERNAL') || die();

require_once($CFG->libdir . '/formslib.php');

/**
 * Which course categories may use an existing connection.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class connection_scope_form extends \moodleform {
    /**
     * Fields.
     */
    protected function definition() {
        $form = $this->_form;
        $form->addElement('hidden', 'action', 'edit');
        $form->setType('action', PARAM_ALPHA);
        $form->addElement('hidden', 'id', $this->_customdata['id']);
        $form->setType('id', PARAM_INT);
        $form->addElement('static', 'instance', get_string('instancename', 'block_kuracloud'),
            s($this->_customdata['name']));
        connection_form::add_categories_element($form);
        $this->add_action_buttons(true, get_string('savechanges'));
    }
}
