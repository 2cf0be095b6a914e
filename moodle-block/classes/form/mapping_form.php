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
 * "Setup kuraCloud mapping": a searchable drop-down of unmapped kuraCloud courses.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class mapping_form extends \moodleform {
    /**
     * Fields.
     */
    protected function definition() {
        $form = $this->_form;
        $form->addElement('hidden', 'courseid', $this->_customdata['courseid']);
        $form->setType('courseid', PARAM_INT);
        $form->addElement('autocomplete', 'remote', get_string('course', 'block_kuracloud'),
            ['' => ''] + $this->_customdata['options']);
        $form->setType('remote', PARAM_ALPHANUMEXT);
        $form->addRule('remote', null, 'required', null, 'client');
        $this->add_action_buttons(true, get_string('savechanges'));
    }

    /**
     * The choice must be one of the offered courses.
     *
     * @param array $data Submitted data.
     * @param array $files Files.
     * @return array Errors.
     */
    public function validation($data, $files) {
        $errors = parent::validation($data, $files);
        if (!array_key_exists((string)($data['remote'] ?? ''), $this->_customdata['options'])) {
            $errors['remote'] = get_string('required');
        }
        return $errors;
    }
}
