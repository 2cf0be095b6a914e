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
 * English strings for block_kuracloud.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['action'] = 'Action';
$string['action_add'] = 'Invite';
$string['action_conflict'] = 'Conflict';
$string['action_delete'] = 'Delete';
$string['action_reinvite'] = 'Delete and re-invite';
$string['action_restore'] = 'Restore';
$string['action_skip'] = 'Skip';
$string['action_unchanged'] = 'Unchanged';
$string['action_update'] = 'Update';
$string['actions'] = 'Actions';
$string['addconnection'] = 'Add a new connection';
$string['apiurl'] = 'kuraCloud API URL';
$string['apiurl_help'] = 'Leave this unchanged unless ADInstruments gave you another address.';
$string['applied'] = 'The student sync is complete.';
$string['autosync'] = 'Automatic sync';
$string['autosyncdeferred'] = 'The automatic sync used its time budget on the students; the grades follow in the next run.';
$string['autosyncoff'] = 'Automatic sync is off.';
$string['autosyncon'] = 'Automatic sync is on: students and grades are synchronised every hour.';
$string['autosyncturnoff'] = 'Turn off';
$string['autosyncturnon'] = 'Turn on';
$string['back'] = 'Back to the course';
$string['backgrounddone'] = 'kuraCloud sync finished: {$a}';
$string['backgroundfailed'] = 'kuraCloud sync failed: {$a}';
$string['backgroundqueued'] = 'Queued: the grade sync starts within a few minutes.';
$string['backgroundrunning'] = 'This sync runs in the background. You may leave this page: you will get a notification with the result, which is also in the sync history.';
$string['backgroundrunning_block'] = 'Sync in progress:';
$string['care1'] = 'Students that exist in your kuraCloud course but not in Moodle will be deleted from kuraCloud.';
$string['care2'] = 'If a student\'s email has changed in kuraCloud or Moodle following a previous synchronization, the student\'s kuraCloud account will be deleted and a new invite will be sent to their new email address.';
$string['care3'] = 'Only Moodle users with the institution role of \'Student\' and the course role of \'Student\' will be synchronized to kuraCloud. (These are default values within Moodle)';
$string['carerequired'] = 'CARE REQUIRED: Be sure to carefully review the detailed summary below to ensure you are happy with the outcome of this synchronization.';
$string['confirmdeleteconnection'] = 'Delete the connection to kuraCloud instance "{$a->name}"? Its {$a->mappings} course mapping(s) stop working until a new connection to the same instance is added. Nothing is deleted in kuraCloud.';
$string['confirmmassremoval'] = 'I understand that {$a->removals} of the {$a->roster} students in the kuraCloud course will be deleted.';
$string['confirmunmap'] = 'Remove the mapping to kuraCloud course "{$a}"? Student accounts that were synchronized from Moodle will remain in the kuraCloud course; they may be deleted manually in kuraCloud.';
$string['confirmunmapoffline'] = 'kuraCloud could not be told that this course is no longer mapped to kuraCloud course "{$a->name}": {$a->reason}. Remove the mapping in Moodle anyway? LMS integration stays enabled for the course in kuraCloud until an instance administrator turns it off there.';
$string['connection'] = 'Connection';
$string['connectioncategories'] = 'Course categories';
$string['connectioncategories_help'] = 'Only courses in these categories (and their subcategories) may be mapped through this connection. Leave empty to let every course on the site use it.';
$string['connectiongone'] = 'The kuraCloud connection of this mapping was deleted. The mapping works again as soon as an administrator adds a connection to kuraCloud instance "{$a}" again (Site administration > Plugins > Blocks > kuraCloud).';
$string['connectionnotallowed'] = 'This kuraCloud connection is not available to courses in this category.';
$string['connections'] = 'kuraCloud connections';
$string['connectionsaved'] = 'Connected to kuraCloud instance "{$a}".';
$string['connectionstatus_ok'] = 'OK';
$string['connectionwholesite'] = 'Whole site';
$string['count_add'] = 'To invite';
$string['count_conflict'] = 'Conflicts';
$string['count_delete'] = 'To delete';
$string['count_reinvite'] = 'Email changed (delete and invite)';
$string['count_restore'] = 'To restore';
$string['count_skip'] = 'Skipped';
$string['count_unchanged'] = 'Unchanged';
$string['count_update'] = 'To update';
$string['course'] = 'kuraCloud course';
$string['email'] = 'Email';
$string['event_connection_created'] = 'kuraCloud connection added';
$string['event_connection_deleted'] = 'kuraCloud connection deleted';
$string['event_course_mapped'] = 'Course mapped to kuraCloud';
$string['event_course_unmapped'] = 'Course mapping to kuraCloud removed';
$string['event_grades_synced'] = 'Grades synchronised from kuraCloud';
$string['event_students_synced'] = 'Students synchronised to kuraCloud';
$string['event_sync_failed'] = 'kuraCloud sync failed';
$string['extensionoptional'] = 'The kuracloud PHP extension is optional. Without it, kuraCloud runs as PHP on every server; with it, syncs of large courses run many times faster (see the plugin\'s docs/php-extension.md).';
$string['field_email'] = 'email';
$string['field_external_student_id'] = 'ID number';
$string['field_family_name'] = 'last name';
$string['field_given_name'] = 'first name';
$string['field_section'] = 'section';
$string['gradebookwritefailed'] = 'Moodle could not write the grades to the gradebook: {$a}. No grade was changed; run the grade sync again.';
$string['gradeitem'] = 'Grade item';
$string['gradescomplete'] = 'Grades synchronised from kuraCloud.';
$string['gradesintro'] = 'This will synchronise all grades of the mapped kuraCloud course into the Moodle gradebook. Grades edited by a teacher in Moodle and locked grades are never overwritten.';
$string['gradesmissingitems'] = 'No longer in kuraCloud (kept in the gradebook, not deleted): {$a}';
$string['gradesunknownstudents'] = '{$a} kuraCloud student(s) are not linked to a Moodle user and were skipped.';
$string['history'] = 'Sync history';
$string['historyautomatic'] = 'Automatic';
$string['historycount_add'] = 'Invited';
$string['historycount_conflict'] = 'Conflicts';
$string['historycount_delete'] = 'Deleted';
$string['historycount_locked'] = 'Locked';
$string['historycount_no_grade'] = 'No grade yet';
$string['historycount_not_enrolled'] = 'Not enrolled';
$string['historycount_reinvite'] = 'Re-invited (email changed)';
$string['historycount_restore'] = 'Restored';
$string['historycount_skip'] = 'Skipped';
$string['historycount_teacher_edited'] = 'Kept (edited by a teacher)';
$string['historycount_unchanged'] = 'Unchanged';
$string['historycount_unknown_student'] = 'Students not linked';
$string['historycount_update'] = 'Updated';
$string['historycount_write'] = 'Grades written';
$string['historykind_grades'] = 'Grades';
$string['historykind_students'] = 'Students';
$string['historystatus_applied'] = 'Applied';
$string['historystatus_deferred'] = 'Deferred';
$string['historystatus_failed'] = 'Failed';
$string['historystatus_needs_review'] = 'Needs review';
$string['historystatus_partial'] = 'Partly applied';
$string['historystatus_synced'] = 'Synced';
$string['historycounts'] = 'Counts';
$string['historycourse'] = 'Course';
$string['historykind'] = 'Sync';
$string['historynone'] = 'No sync has run yet.';
$string['historysite'] = 'kuraCloud sync history';
$string['historytime'] = 'When';
$string['historyuser'] = 'Run by';
$string['insecureapiurl'] = 'The kuraCloud API URL must start with https:// so the token is never sent unencrypted. A test server can be allowed in Site administration > Plugins > Blocks > kuraCloud (Test servers).';
$string['instancename'] = 'kuraCloud instance';
$string['kuracloud:addinstance'] = 'Add a new kuraCloud block';
$string['kuracloud:configureapi'] = 'Manage kuraCloud connections';
$string['kuracloud:mapcourses'] = 'Map a course to a kuraCloud course';
$string['kuracloud:participate'] = 'Be synchronised to kuraCloud as a student';
$string['kuracloud:syncgrades'] = 'Synchronise grades from kuraCloud';
$string['kuracloud:syncusers'] = 'Synchronise students to kuraCloud';
$string['linkwritefailed'] = 'kuraCloud was updated ({$a->done} student(s) changed), but Moodle could not store which Moodle user is which kuraCloud student: {$a->error}. Run the student sync again: it finds them by email and stores the links.';
$string['lmsenabled'] = 'LMS integration';
$string['lmsnotenabledcourse'] = 'LMS integration was turned off for kuraCloud course "{$a}" in kuraCloud. Turn it on again from the kuraCloud block.';
$string['lmsreenable'] = 'Turn LMS integration on again';
$string['lmsreenabled'] = 'LMS integration is on again for the mapped kuraCloud course.';
$string['locked'] = 'Locked (kept)';
$string['mapped'] = 'Mapped to kuraCloud course "{$a}"';
$string['mappingremoved'] = 'The kuraCloud mapping was removed.';
$string['mappingsaved'] = 'This course is now mapped to kuraCloud course "{$a}".';
$string['massremoval'] = 'This sync deletes more than half of the students in the kuraCloud course. Confirm below to continue.';
$string['messageprovider:syncfinished'] = 'A background kuraCloud sync finished';
$string['modulefailed'] = 'The kuraCloud module stopped: {$a}. Nothing more was changed; what was done before is kept.';
$string['name'] = 'Name';
$string['noconnections'] = 'There are no kuraCloud connections yet.';
$string['nocourses'] = 'There is no unmapped kuraCloud course to map. Check that the course exists in kuraCloud and that a connection to its instance has been added.';
$string['nograde'] = 'No grade in kuraCloud';
$string['notmapped'] = 'This course is not mapped to a kuraCloud course.';
$string['pluginname'] = 'kuraCloud';
$string['privacy:metadata:grades'] = 'The last grade this plugin wrote for a user in a kuraCloud grade item, so a teacher\'s later edit is never overwritten.';
$string['privacy:metadata:grades:lastwritten'] = 'The grade written';
$string['privacy:metadata:grades:userid'] = 'The user';
$string['privacy:metadata:kuracloud'] = 'Students of a mapped course are created and kept up to date in the kuraCloud course (kuraCloud sends them an invite email).';
$string['privacy:metadata:kuracloud:email'] = 'Email address';
$string['privacy:metadata:kuracloud:firstname'] = 'First name';
$string['privacy:metadata:kuracloud:idnumber'] = 'ID number';
$string['privacy:metadata:kuracloud:lastname'] = 'Last name';
$string['privacy:metadata:kuracloud:section'] = 'The name of the user\'s group in the course';
$string['privacy:metadata:links'] = 'Which kuraCloud student account a Moodle user is, in a kuraCloud course.';
$string['privacy:metadata:links:remotecourseid'] = 'The kuraCloud course';
$string['privacy:metadata:links:studentid'] = 'The kuraCloud student id';
$string['privacy:metadata:links:timecreated'] = 'When the link was made';
$string['privacy:metadata:links:userid'] = 'The Moodle user';
$string['privacy:metadata:log'] = 'Who ran each sync, for the audit trail.';
$string['privacy:metadata:log:timecreated'] = 'When';
$string['privacy:metadata:log:userid'] = 'The user who ran the sync';
$string['reason'] = 'Reason';
$string['result'] = 'Result';
$string['runtime_ext'] = 'kuraCloud runs in the kuracloud PHP extension (compiled code, the fastest way).';
$string['runtime_php'] = 'kuraCloud runs as PHP, which works on every server. Installing the kuracloud PHP extension (docs/php-extension.md) makes syncs 17 to 50 times faster: on a 2-core server a 2,000-student preview takes about 0.4 s as PHP and 13 ms with the extension, and a 40,000-grade sync about 3 s and 0.1 s, with far less memory (a 40,000-grade sync needs a PHP memory_limit of 256M as PHP).';
$string['runtimemissing'] = 'The kuraCloud module is missing from the plugin (blocks/kuracloud/wasm/kuracloud.php). Reinstall the plugin from its zip.';
$string['runtimemissing_block'] = 'kuraCloud is unavailable: the plugin\'s files are incomplete on this server.';
$string['settingautosyncbudget'] = 'Automatic sync time budget (seconds)';
$string['settingautosyncbudget_desc'] = 'The longest one automatic sync of a course may take, students and grades together, in wall-clock time. What does not fit waits for the next hourly run.';
$string['settingbackgroundthreshold'] = 'Background sync threshold (grades)';
$string['settingbackgroundthreshold_desc'] = 'A grade sync expected to touch more grades than this (students times grade items), or a student sync that changes more students than this, runs in the background with live progress and a notification instead of holding the page. Needs Moodle 4.5 or later.';
$string['settingmaxresponsemb'] = 'Largest kuraCloud response (MiB)';
$string['settingmaxresponsemb_desc'] = 'A kuraCloud answer larger than this is refused and its transfer aborted, so a faulty or hostile server cannot exhaust the web server\'s memory. A grade export of 40,000 grades is about 5 MiB.';
$string['settingtesthosts'] = 'Test servers';
$string['settingtesthosts_desc'] = 'Hosts (one per line) that may be reached over plain http://, such as a local kuraCloud simulator. Tokens for every other host travel only over https://. Leave empty on production sites.';
$string['setupmapping'] = 'Setup kuraCloud mapping';
$string['stale'] = 'The students changed in Moodle or kuraCloud since the preview, so nothing was applied. Review the new preview below.';
$string['status'] = 'Status';
$string['status_connection_failing'] = 'Connection failing';
$string['status_connection_gone'] = 'Connection deleted';
$string['status_course_deleted'] = 'Course deleted in kuraCloud';
$string['status_lms_not_enabled'] = 'LMS not enabled';
$string['status_ok'] = 'OK';
$string['statushidden'] = 'Details are shown to teachers.';
$string['studentsnotsynced'] = 'Students have not been synchronised with kuraCloud yet. Synchronise the students first, then the grades.';
$string['syncfailed'] = 'kuraCloud could not be reached or refused the request: {$a}';
$string['syncgrades'] = 'Sync grades from kuraCloud';
$string['syncpartial'] = 'The sync stopped part way: {$a}. What succeeded is kept; run the sync again to finish.';
$string['syncrunning'] = 'Another kuraCloud sync of this course is running. Wait for it to finish, then try again.';
$string['syncusers'] = 'Sync user enrolments';
$string['task_check_mappings'] = 'Check kuraCloud course mappings';
$string['task_queue_auto_sync'] = 'Queue automatic kuraCloud syncs';
$string['teacheredited'] = 'Edited by a teacher (kept)';
$string['text_bad_token'] = 'kuraCloud refused the token (HTTP {$a->status}). The token may be wrong, revoked or replaced; an administrator must enter a new token for this connection.';
$string['text_lms_not_enabled'] = 'kuraCloud says LMS integration is not enabled (HTTP {$a->status}). Ask your ADInstruments representative to enable it, or enable LMS for the course in kuraCloud.';
$string['text_lms_not_enabled_instance'] = 'LMS integration is not enabled for kuraCloud instance \'{$a->instance}\'. Ask your ADInstruments representative to enable it.';
$string['text_lms_not_enabled_course'] = 'LMS integration is not enabled for kuraCloud course \'{$a->course}\'. Map the course again to enable it.';
$string['text_course_not_found'] = 'kuraCloud course {$a->course_id} was not found. It may have been deleted in kuraCloud; restore it there to use this mapping again.';
$string['text_course_deleted_restore_first'] = 'kuraCloud course {$a->course_id} is deleted. A mapping may only be removed from an active kuraCloud course: restore the course in kuraCloud first, remove the mapping, then delete the course again if you wish.';
$string['text_export_not_found'] = 'The grade export of kuraCloud course {$a->course_id} was not found.';
$string['text_api_not_found'] = 'The kuraCloud API was not found at this URL. Check the connection\'s API URL.';
$string['text_bad_request'] = 'kuraCloud rejected the request (HTTP 400).';
$string['text_rate_limited'] = 'kuraCloud is limiting requests (HTTP 429). Try again in a few minutes.';
$string['text_server_error'] = 'kuraCloud had a server error (HTTP {$a->status}). Try again later; if it persists, contact ADInstruments support.';
$string['text_unexpected_status'] = 'kuraCloud answered with unexpected HTTP status {$a->status}.';
$string['text_timeout'] = 'kuraCloud did not answer in time at {$a->url}. Try again later.';
$string['text_unreachable'] = 'kuraCloud could not be reached at {$a->url}. Check the connection\'s API URL and that this site may reach it.';
$string['text_malformed_response'] = 'kuraCloud answered {$a->url} with a body that could not be read. Nothing was changed.';
$string['text_invalid_input'] = 'The workflow\'s input is not valid.';
$string['text_export_failed'] = 'kuraCloud could not export the course\'s grades. No grades were changed; try again later.';
$string['text_export_timeout'] = 'kuraCloud\'s grade export did not finish within {$a->seconds} s. No grades were changed; try again later.';
$string['text_export_without_token'] = 'kuraCloud started the grade export without a task token. No grades were changed.';
$string['text_instance_without_id'] = 'kuraCloud returned an instance without an id.';
$string['text_export_unreadable'] = 'The grade export download could not be read. No grades were changed.';
$string['text_protocol'] = 'The host and the module disagree on the step protocol.';
$string['text_skip_no_email'] = 'the Moodle user has no email address';
$string['text_skip_invalid_email'] = 'the Moodle user\'s email address is not valid';
$string['text_conflict_shared_email'] = '{$a->count} Moodle users share this email; none of them is synced until the emails differ';
$string['text_conflict_active_and_deleted'] = 'kuraCloud lists student {$a->student_id} both as active ({$a->active_email}) and as deleted ({$a->deleted_email}): it changed while it was read. Nothing is done for this student; preview again';
$string['text_linked'] = 'linked';
$string['text_linked_deleted'] = 'linked to a student deleted in kuraCloud';
$string['text_email_changed_matched'] = 'email changed; matched the existing kuraCloud student with the new email';
$string['text_matched_email'] = 'matched by email';
$string['text_matched_email_deleted'] = 'matched by email with a student deleted in kuraCloud';
$string['text_reinvite_email_changed'] = 'email changed from {$a->old_email} to {$a->new_email}: the old kuraCloud account is deleted and an invite is sent to the new email';
$string['text_add_not_in_course'] = 'not in the kuraCloud course yet: an invite is sent';
$string['text_delete_email_taken'] = 'the Moodle user\'s email changed to {$a->email}, which already has a kuraCloud account';
$string['text_delete_not_enrolled'] = 'not an actively enrolled student of the Moodle course';
$string['text_details_changed'] = '{$a->reason}; details changed: {$a->changes}';
$string['text_restore_only'] = '{$a->reason}: restore';
$string['text_restore_then_edit'] = '{$a->reason}: restore, then edit {$a->changes}';
$string['text_invited'] = 'invited';
$string['text_invited_unlinked'] = 'invited; kuraCloud did not return the new account, it will be linked on the next sync';
$string['text_reinvited'] = 'old account deleted; invite sent to the new email';
$string['text_restored'] = 'restored';
$string['text_review_conflicts'] = 'Not applied automatically: {$a->count} conflict(s) need a teacher\'s review.';
$string['text_review_mass_removal'] = 'Not applied automatically: the sync would delete more than half of the kuraCloud students. Review it in Sync user enrolments.';
$string['text_details_updated'] = 'details updated';
$string['text_deleted'] = 'deleted from the kuraCloud course';
$string['text_partly_done'] = 'partly done; the sync stopped before the rest; run it again';
$string['text_not_sent'] = 'not sent: the sync stopped at an earlier error; run it again';
$string['text_mapping_ok'] = 'OK';
$string['text_course_deleted'] = 'kuraCloud course {$a->course_id} is deleted or no longer exists. Restore it in kuraCloud to use this mapping again.';
$string['text_connection_gone'] = 'the mapping\'s kuraCloud connection no longer exists';
$string['text_students_not_synced'] = 'Students have not been synchronised with kuraCloud yet: synchronise the students first, then the grades.';
$string['text_grades_summary'] = 'Grade items: {$a->items}. To write: {$a->write}; unchanged: {$a->unchanged}; edited by a teacher: {$a->teacher_edited}; locked: {$a->locked}; students not linked: {$a->unknown}.';
$string['text_revision_no_max'] = 'its questions have no maximum grade';
$string['text_revision_max_out_of_range'] = 'its maximum grade is out of range';
$string['textdetail'] = 'Details: {$a}';
$string['textsaid'] = 'kuraCloud said: {$a}';
$string['token'] = 'Token';
$string['token_help'] = 'The token from kuraCloud: Instance Administration > LMS Integration > Configure LMS Integration. It is stored encrypted and never shown again.';
$string['tokeninvalid'] = 'A token is letters, digits and punctuation, without spaces.';
$string['unchanged'] = 'Unchanged';
$string['write'] = 'Written';
