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
 * "Add a new connection": token and API URL.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class connection_form extends \moodleform {
    /**
     * Fields.
     */
    protected function definition() {
        $form = $this->_form;
        $form->addElement('hidden', 'action', 'add');
        $form->setType('action', PARAM_ALPHA);
        $form->addElement('passwordunmask', 'token', get_string('token', 'block_kuracloud'), ['size' => 60]);
        // A secret must reach kuraCloud byte for byte (PARAM_TEXT and friends would strip
        // '<...>'), so it is taken raw and validated below as visible ASCII only.
        $form->setType('token', PARAM_RAW_TRIMMED);
        $form->addRule('token', null, 'required', null, 'client');
        $form->addHelpButton('token', 'token', 'block_kuracloud');
        $form->addElement('text', 'apiurl', get_string('apiurl', 'block_kuracloud'), ['size' => 60]);
        $form->setType('apiurl', PARAM_URL);
        $form->setDefault('apiurl', \block_kuracloud\local\service\connection_service::DEFAULT_API_URL);
        $form->addHelpButton('apiurl', 'apiurl', 'block_kuracloud');
        self::add_categories_element($form);
        $this->add_action_buttons(true, get_string('savechanges'));
    }

    /**
     * The "Course categories" element: which categories' courses may use the connection.
     *
     * @param \MoodleQuickForm $form The form.
     */
    public static function add_categories_element(\MoodleQuickForm $form): void {
        // Names come formatted (HTML-safe) from core_course_category.
        $options = \core_course_category::make_categories_list();
        $form->addElement('autocomplete', 'categories', get_string('connectioncategories', 'block_kuracloud'), $options,
            ['multiple' => true, 'noselectionstring' => get_string('connectionwholesite', 'block_kuracloud')]);
        $form->setType('categories', PARAM_INT);
        $form->addHelpButton('categories', 'connectioncategories', 'block_kuracloud');
    }

    /**
     * The token must be visible ASCII: it travels in an HTTP header.
     *
     * @param array $data Submitted data.
     * @param array $files Files.
     * @return array Errors.
     */
    public function validation($data, $files) {
        $errors = parent::validation($data, $files);
        if (!preg_match('/^[\x21-\x7e]+$/', trim((string)($data['token'] ?? '')))) {
            $errors['token'] = get_string('tokeninvalid', 'block_kuracloud');
        }
        return $errors;
    }
}
