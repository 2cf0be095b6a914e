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
 * The statuses of the module's outcomes, mirroring the core's enums (a test in the
 * repository, tests/catalogues.rs, fails when they differ), and the plugin's own.
 * PHP compares statuses with these constants, never with string literals.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class status {
    // A students.apply outcome (core: students::workflow::ApplyStatus).
    /** Every change applied. */
    const APPLIED = 'applied';
    /** Stopped part way: what succeeded is kept. */
    const PARTIAL = 'partial';
    /** Moodle or kuraCloud changed since the preview: nothing applied. */
    const STALE = 'stale';
    /** A mass removal that was not confirmed: nothing applied. */
    const NEEDS_MASS_REMOVAL_CONFIRMATION = 'needs_mass_removal_confirmation';

    // A grades.sync outcome (core: grades::workflow::GradeSyncStatus).
    /** Grades mapped. */
    const SYNCED = 'synced';
    /** Students must be synced first: nothing else happened. */
    const STUDENTS_NOT_SYNCED = 'students_not_synced';

    // A mapping's health (core: mappings::MappingStatus).
    /** The course is mapped and LMS is on. */
    const OK = 'ok';
    /** LMS integration is off for the instance or the course. */
    const LMS_NOT_ENABLED = 'lms_not_enabled';
    /** The kuraCloud course is deleted. */
    const COURSE_DELETED = 'course_deleted';
    /** The connection fails (token, network, a plain http URL not allowed). */
    const CONNECTION_FAILING = 'connection_failing';

    // One student's result in an apply (core: students::apply::EntryResult).
    /** Done. */
    const DONE = 'done';
    /** Failed. */
    const FAILED = 'failed';
    /** Not sent: the apply stopped before it. */
    const NOT_ATTEMPTED = 'not_attempted';
    /** Nothing to do. */
    const NO_CHANGE = 'no_change';

    // The plugin's own.
    /** The mapping's connection was deleted in Moodle. */
    const CONNECTION_GONE = 'connection_gone';
    /** An automatic sync left a plan for a teacher's review. */
    const NEEDS_REVIEW = 'needs_review';
}
