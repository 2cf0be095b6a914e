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


namespace block_kuracloud;

use block_kuracloud\local\service\grade_sync;
use block_kuracloud\local\service\student_sync;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * Grade sync into manual grade items; a teacher's mark is never overwritten.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\service\grade_sync
 */
final class grade_sync_test extends kuracloud_testcase {
    /**
     * A mapped course whose students are synced.
     *
     * @return array [course, mapping, users]
     */
    private function synced_course(): array {
        [$course, $mapping, $users] = $this->mapped_course();
        $plan = student_sync::preview($mapping);
        $this->assertSame('applied', student_sync::apply($mapping, $plan['fingerprint'], false, 0)['status']);
        return [$course, $mapping, $users];
    }

    /**
     * Final grade of a user in our item for a revision.
     *
     * @param int $courseid Course.
     * @param int $revision kuraCloud revision id.
     * @param int $userid User.
     * @return float|null
     */
    private function grade(int $courseid, int $revision, int $userid): ?float {
        foreach (grade_sync::items($courseid) as $item) {
            if ((int)$item->itemnumber === $revision) {
                $g = $item->get_final($userid);
                return $g && $g->finalgrade !== null ? (float)$g->finalgrade : null;
            }
        }
        return null;
    }

    public function test_students_must_be_synced_first(): void {
        [, $mapping] = $this->mapped_course();
        $outcome = grade_sync::sync($mapping, 0);
        $this->assertSame('students_not_synced', $outcome['status']);
        $this->assertSame([], grade_sync::items((int)$mapping->courseid));
    }

    public function test_items_are_created_and_grades_clamped_and_written(): void {
        [$course, $mapping, $users] = $this->synced_course();
        $progress = [];
        $outcome = grade_sync::sync($mapping, (int)$users['teacher']->id,
            function (string $stage, int $done, int $total) use (&$progress) {
                $progress[] = [$stage, $done, $total];
            });
        $this->assertSame('synced', $outcome['status']);
        $items = grade_sync::items((int)$course->id);
        $this->assertCount(2, $items);
        foreach ($items as $item) {
            $this->assertSame('manual', $item->itemtype);
            $this->assertSame(601, (int)$item->iteminstance);
            $this->assertEquals(10.0, (float)$item->grademax);
            $this->assertEquals(0.0, (float)$item->grademin);
        }
        // Ana: 4 + 3.5 = 7.5; Ben: 2 + null - 20 -> 0; revision 702: Ana 9.5 + 2 -> 10 (max).
        $this->assertEquals(7.5, $this->grade((int)$course->id, 701, (int)$users['Ana']->id));
        $this->assertEquals(0.0, $this->grade((int)$course->id, 701, (int)$users['Ben']->id));
        $this->assertEquals(10.0, $this->grade((int)$course->id, 702, (int)$users['Ana']->id));
        $this->assertEquals(6.0, $this->grade((int)$course->id, 702, (int)$users['Ben']->id));
        foreach ($progress as [$stage, $done, $total]) {
            $this->assertLessThanOrEqual($total, $done, $stage);
        }
        // Nothing changed in kuraCloud: a second sync writes nothing.
        $again = grade_sync::sync($mapping, 0);
        $this->assertSame(0, $again['totals']['write']);
        $this->assertSame(4, $again['totals']['unchanged']);
    }

    public function test_a_teacher_edit_and_a_locked_grade_are_kept(): void {
        [$course, $mapping, $users] = $this->synced_course();
        grade_sync::sync($mapping, 0);
        $items = array_values(array_filter(grade_sync::items((int)$course->id), fn($i) => (int)$i->itemnumber === 701));
        $item = $items[0];
        // A teacher changes Ana's mark; Ben's grade gets locked.
        $item->update_final_grade($users['Ana']->id, 9.0, 'gradebook');
        grade_regrade_final_grades($course->id); // A grade can only be locked once final grades are computed.
        $bengrade = \grade_grade::fetch(['itemid' => $item->id, 'userid' => $users['Ben']->id]);
        $this->assertTrue($bengrade->set_locked(1));
        // kuraCloud's grades change for both.
        $state = $this->control('GET', 'state');
        foreach ($state['instances'][0]['courses'][0]['lessons'][0]['revisions'][0]['grades'] as &$g) {
            $g['gradeOffset'] = 1.0;
        }
        unset($g);
        $this->control('PUT', 'state', $state);
        $outcome = grade_sync::sync($mapping, 0);
        $counts = array_values(array_filter($outcome['items'], fn($i) => $i['revision_id'] === 701))[0]['counts'];
        $this->assertSame(1, $counts['teacher_edited']);
        $this->assertSame(1, $counts['locked']);
        $this->assertEquals(9.0, $this->grade((int)$course->id, 701, (int)$users['Ana']->id));
        $this->assertEquals(0.0, $this->grade((int)$course->id, 701, (int)$users['Ben']->id));
    }

    public function test_a_failed_export_changes_nothing(): void {
        [$course, $mapping] = $this->synced_course();
        $this->control('PUT', 'export', ['outcome' => 'fail', 'pollsBeforeReady' => 0]);
        try {
            grade_sync::sync($mapping, 0);
            $this->fail('should fail');
        } catch (\block_kuracloud\local\wasm\workflow_exception $e) {
            $this->assertSame('export_failed', $e->errorcode);
        }
        $this->assertSame([], grade_sync::items((int)$course->id));
    }

    public function test_students_matched_by_email_but_not_linked_yet_are_not_in_step(): void {
        global $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        // kuraCloud holds exactly the Moodle students, by email: nothing to add or delete.
        $state = $this->control('GET', 'state');
        $template = $state['instances'][0]['courses'][0]['students'][0];
        $roster = [];
        foreach (['Ana', 'Ben', 'Chen', 'Dana'] as $i => $first) {
            $u = $users[$first];
            $roster[] = ['studentId' => 5001 + $i, 'email' => $u->email, 'givenName' => $u->firstname,
                'familyName' => $u->lastname, 'deleted' => false] + $template;
        }
        $state['instances'][0]['courses'][0]['students'] = $roster;
        $this->control('PUT', 'state', $state);
        $counts = student_sync::preview($mapping)['counts'];
        $this->assertSame(0, $counts['add'] + $counts['reinvite'] + $counts['restore'] + $counts['delete']);
        $this->assertSame(0, $DB->count_records('block_kuracloud_links'));

        // Every grade would be skipped as an unknown student: send the teacher to the student sync.
        $this->assertSame('students_not_synced', grade_sync::sync($mapping, 0)['status']);
        $this->assertSame([], grade_sync::items((int)$course->id));
        $plan = student_sync::preview($mapping);
        $this->assertSame('applied', student_sync::apply($mapping, $plan['fingerprint'], false, 0)['status']);
        $this->assertSame(4, $DB->count_records('block_kuracloud_links'));
        $this->assertSame('synced', grade_sync::sync($mapping, 0)['status']);
    }

    public function test_the_export_is_read_tolerantly(): void {
        global $DB;
        [$course, $mapping, $users] = $this->synced_course();
        $ana = (int)$DB->get_field('block_kuracloud_links', 'studentid', ['userid' => $users['Ana']->id]);
        // Identifiers as text, numbers as numeric strings, a title as a number, unknown fields.
        $download = [[
            'publishedLessonId' => 601, 'publishedLessonTitle' => 'Nerve conduction', 'colour' => 'blue',
            'gradedPublishedRevisions' => [[
                'publishedRevisionId' => 701, 'publishedRevisionTitle' => 2024, 'extra' => ['nested' => true],
                'questions' => [['questionId' => 'q-1', 'maxGrade' => '6'], ['questionId' => 2.5, 'maxGrade' => 4]],
                'studentGrades' => [['studentId' => $ana, 'gradeOffset' => ' 1.5 ', 'submitted' => '2026-01-01',
                    'questionGrades' => [['questionId' => 'q-1', 'questionGrade' => '4'],
                        ['questionId' => true, 'questionGrade' => 2]]]],
            ]],
        ]];
        $this->control('POST', 'faults', ['route' => 'export.download', 'status' => 200, 'body' => json_encode($download)]);
        $outcome = grade_sync::sync($mapping, 0);
        $this->assertSame('synced', $outcome['status']);
        $item = array_values(array_filter($outcome['items'], fn($i) => $i['revision_id'] === 701))[0];
        $this->assertSame('2024', $item['name']);
        $this->assertEquals(10.0, $item['grademax']);
        $this->assertEquals(7.5, $this->grade((int)$course->id, 701, (int)$users['Ana']->id));

        // A grade that is not a number is an error, never a guessed zero.
        $download[0]['gradedPublishedRevisions'][0]['studentGrades'][0]['gradeOffset'] = 'n/a';
        $this->control('DELETE', 'faults');
        $this->control('POST', 'faults', ['route' => 'export.download', 'status' => 200, 'body' => json_encode($download)]);
        try {
            grade_sync::sync($mapping, 0);
            $this->fail('a grade that is not a number was accepted');
        } catch (\block_kuracloud\local\wasm\workflow_exception $e) {
            $this->assertSame('malformed_response', $e->errorcode);
        }
        $this->assertEquals(7.5, $this->grade((int)$course->id, 701, (int)$users['Ana']->id));
    }

    public function test_the_course_total_is_regraded_once_at_the_end(): void {
        [$course, $mapping, $users] = $this->synced_course();
        grade_sync::sync($mapping, 0);
        $courseitem = \grade_item::fetch_course_item((int)$course->id);
        $this->assertEquals(0, (int)$courseitem->needsupdate);
        // Natural aggregation: 7.5 + 10 for Ana, 0 + 6 for Ben.
        $this->assertEquals(17.5, (float)$courseitem->get_final((int)$users['Ana']->id)->finalgrade);
        $this->assertEquals(6.0, (float)$courseitem->get_final((int)$users['Ben']->id)->finalgrade);
    }

    public function test_the_grade_table_statistics_are_refreshed_on_postgresql(): void {
        global $DB;
        if ($DB->get_dbfamily() !== 'postgres') {
            // Nothing to refresh: it must not fail either.
            \block_kuracloud\local\repository\grade_rows::refresh_planner_statistics();
            $this->assertDebuggingNotCalled();
            return;
        }
        // (Statistics views are read from a snapshot kept until the transaction ends, or cleared.)
        $count = function() use ($DB): int {
            $DB->get_field_sql('SELECT pg_stat_clear_snapshot()');
            return (int)$DB->get_field_sql('SELECT analyze_count FROM pg_stat_user_tables WHERE relname = ?',
                [$DB->get_prefix() . 'grade_grades']);
        };
        $before = $count();
        \block_kuracloud\local\repository\grade_rows::refresh_planner_statistics();
        $this->assertDebuggingNotCalled();
        // Before PostgreSQL 15 the count reaches the view through the statistics collector,
        // up to about half a second later.
        for ($waited = 0; $count() === $before && $waited < 30; $waited++) {
            usleep(100000);
        }
        $this->assertSame($before + 1, $count());
    }

    public function test_progress_covers_the_gradebook_writes_and_the_regrade_and_only_moves_forward(): void {
        [, $mapping] = $this->synced_course();
        $reports = [];
        $outcome = grade_sync::sync($mapping, 0, function (string $stage, int $done, int $total) use (&$reports): void {
            $reports[] = [$stage, $done, $total];
        });
        $written = $outcome['totals']['write'];
        $this->assertGreaterThan(0, $written);
        $this->assertContains(['write', 0, $written], $reports);
        $this->assertContains(['write', $written, $written], $reports);
        $this->assertSame(['regrade', 0, 1], end($reports));
        $percent = 0.0;
        $seen = [];
        foreach ($reports as [$stage, $done, $total]) {
            // Where the stage's band puts the bar by itself (not held up by where it was).
            $next = \block_kuracloud\output\progress_stages::percent(\block_kuracloud\output\progress_stages::GRADES,
                $stage, $done, $total);
            $this->assertGreaterThanOrEqual($percent, $next, "$stage $done/$total");
            $percent = $next;
            $seen[$stage] = true;
            // Every stage a grade sync reports has a band of the bar.
            $this->assertArrayHasKey($stage, \block_kuracloud\output\progress_stages::GRADES);
        }
        $this->assertSame(['read', 'export', 'download', 'mapping', 'write', 'regrade'], array_keys($seen));
        $this->assertSame('Writing grades to the gradebook: 3 of 4',
            \block_kuracloud\output\progress_stages::label('write', 3, 4));
        // An unchanged re-sync writes nothing: no writing stage, no regrade.
        $reports = [];
        $again = grade_sync::sync($mapping, 0, function (string $stage) use (&$reports): void {
            $reports[] = $stage;
        });
        $this->assertSame(0, $again['totals']['write']);
        $this->assertNotContains('write', $reports);
        $this->assertNotContains('regrade', $reports);
        $this->assertSame('Writing 4 grades to the gradebook', \block_kuracloud\output\progress_stages::label('write', 0, 4));
        $this->assertSame('Working', \block_kuracloud\output\progress_stages::label('no-such-stage', 0, 0));
    }
    public function test_the_gradebook_writes_commit_batch_by_batch_so_their_progress_is_seen(): void {
        global $DB;
        // As in a task, the sync's transactions are the only ones (PHPUnit would otherwise
        // wrap the test in one on PostgreSQL).
        $this->preventResetByRollback();
        [, $mapping] = $this->synced_course();
        grade_sync::$gradesperbatch = 2;
        $reports = [];
        $outcome = grade_sync::sync($mapping, 0, function (string $stage, int $done) use (&$reports, $DB): void {
            if ($stage === 'write') {
                // A stored progress bar writes its row on this connection: committed, so
                // the page sees it, only when no transaction is open.
                $reports[] = [$done, $DB->is_transaction_started()];
            }
        });
        $written = $outcome['totals']['write'];
        $this->assertGreaterThan(3, $written);
        // One report before the first batch, then one as each batch commits.
        $this->assertSame([0, false], $reports[0]);
        $this->assertSame([$written, false], end($reports));
        $this->assertGreaterThanOrEqual(3, count($reports));
        $previous = 0;
        foreach (array_slice($reports, 1) as [$done, $open]) {
            $this->assertFalse($open, "the report of $done grades was made inside a transaction");
            // Two grades a batch (the last may hold fewer).
            $this->assertSame(min($previous + 2, $written), $done);
            $previous = $done;
        }
        $this->assertSame(0, grade_sync::sync($mapping, 0)['totals']['write']);
    }

    public function test_a_batch_is_about_a_percent_of_the_grades_and_at_least_fifty(): void {
        $this->assertSame(50, grade_sync::batch_size(0));
        $this->assertSame(50, grade_sync::batch_size(4000));
        $this->assertSame(400, grade_sync::batch_size(40000));
    }
    public function test_remembered_values_change_set_based_one_statement_per_value_and_thousand_rows(): void {
        global $DB;
        $rows = [];
        for ($i = 1; $i <= 2500; $i++) {
            $rows[] = ['itemid' => 1 + intdiv($i, 1000), 'userid' => $i, 'lastwritten' => 1.0, 'timemodified' => 0];
        }
        \block_kuracloud\local\repository\grade_rows::insert_last_written($rows);
        $ids = $DB->get_fieldset_select('block_kuracloud_grades', 'id', '1 = 1 ORDER BY id');
        $this->assertCount(2500, $ids);
        $before = $DB->perf_get_writes();
        \block_kuracloud\local\repository\grade_rows::update_last_written([
            '7.25' => [7.25, array_slice($ids, 0, 2400)],
            '0' => [0.0, array_slice($ids, 2400)],
        ]);
        // 2,400 rows in three statements, 100 in one.
        $this->assertSame(4, $DB->perf_get_writes() - $before);
        $values = $DB->get_records_menu('block_kuracloud_grades', null, 'id', 'id, lastwritten');
        $this->assertSame(2400, count(array_filter($values, fn($v) => (float)$v === 7.25)));
        $this->assertSame(100, count(array_filter($values, fn($v) => (float)$v === 0.0)));
        $this->assertSame(0, $DB->count_records('block_kuracloud_grades', ['timemodified' => 0]));
    }
}
