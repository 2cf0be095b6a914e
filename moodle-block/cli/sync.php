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
 * Student or grade sync of a mapped course from the command line, with the same report
 * as the pages.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use block_kuracloud\local\repository\mappings;
use block_kuracloud\local\service\grade_sync;
use block_kuracloud\local\service\student_sync;
use block_kuracloud\local\service\text_report;
use block_kuracloud\local\status;
use block_kuracloud\local\wasm\workflow_exception;

define('CLI_SCRIPT', true);

require(__DIR__ . '/../../../config.php');
require_once($CFG->libdir . '/clilib.php');

[$options, $unrecognised] = cli_get_params(
    ['course' => 0, 'students' => false, 'grades' => false, 'dry-run' => false, 'yes' => false,
        'allow-mass-removal' => false, 'help' => false],
    ['h' => 'help', 'n' => 'dry-run', 'y' => 'yes']
);
$usage = "Synchronise a course mapped to kuraCloud.

Usage:
    php blocks/kuracloud/cli/sync.php --course=ID (--students | --grades) [--dry-run] [--yes] [--allow-mass-removal]

Options:
    --course=ID             Moodle course id (the course must be mapped)
    --students              Sync students to kuraCloud (previewed first)
    --grades                Sync grades from kuraCloud into the gradebook
    -n, --dry-run           Show what would change, change nothing
    -y, --yes               Do not ask for confirmation
    --allow-mass-removal    Confirm a student sync that deletes more than half of the kuraCloud students
    -h, --help              This help
";
if ($unrecognised) {
    cli_error(get_string('cliunknowoption', 'admin', implode("\n  ", $unrecognised)) . "\n" . $usage, 2);
}
if ($options['help'] || !$options['course'] || $options['students'] === $options['grades']) {
    echo $usage;
    exit($options['help'] ? 0 : 2);
}
$mapping = mappings::for_course((int)$options['course']);
if (!$mapping) {
    cli_error(get_string('notmapped', 'block_kuracloud'), 2);
}
\core\session\manager::set_user(get_admin());
$confirm = function (string $question) use ($options): bool {
    return $options['yes'] || in_array(strtolower(trim(cli_input($question . ' [y/N]'))), ['y', 'yes'], true);
};

try {
    if ($options['students']) {
        $plan = student_sync::preview($mapping);
        echo text_report::plan($plan);
        if ($options['dry-run']) {
            exit(0);
        }
        if ($plan['mass_removal'] && !$options['allow-mass-removal']) {
            cli_error(get_string('massremoval', 'block_kuracloud') . ' (--allow-mass-removal)', 1);
        }
        if (!$confirm(get_string('continue') . '?')) {
            exit(1);
        }
        $outcome = student_sync::apply($mapping, $plan['fingerprint'], (bool)$options['allow-mass-removal'], (int)$USER->id);
        echo text_report::apply($outcome);
        exit($outcome['status'] === status::APPLIED ? 0 : 1);
    }
    if (!$options['dry-run'] && !$confirm(get_string('gradesintro', 'block_kuracloud'))) {
        exit(1);
    }
    $outcome = grade_sync::sync($mapping, (int)$USER->id, null, !$options['dry-run']);
    echo text_report::grades($outcome);
    exit($outcome['status'] === status::SYNCED ? 0 : 1);
} catch (workflow_exception $e) {
    cli_error(get_string('syncfailed', 'block_kuracloud', text_report::printable($e->getMessage())), 1);
}
