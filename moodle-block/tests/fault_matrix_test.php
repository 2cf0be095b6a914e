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

use block_kuracloud\local\repository\links;
use block_kuracloud\local\service\grade_sync;
use block_kuracloud\local\service\student_sync;
use block_kuracloud\local\service\sync_guard;
use block_kuracloud\local\wasm\workflow_exception;
use block_kuracloud\output\texts;

defined('MOODLE_INTERNAL') || die();
require_once(__DIR__ . '/kuracloud_testcase.php');

/**
 * The fault matrix (docs/reliability.md, "Faults through PHP in a real Moodle"): every
 * write of an apply and of a grade sync fails once, through the plugin's real transport
 * (Moodle's curl) against the simulator: a 500, a connection dropped before the write,
 * an answer lost after the write (500 after it), a connection dropped after it. Then
 * the sync runs again and must converge: each student once in kuraCloud (no duplicate
 * invite), every link stored (block's link table), every grade in the gradebook.
 *
 * With KC_FAULT_MATRIX_OUT set, each case appends one JSON line (what the first run
 * reported, what the rerun did) to that file: the table in docs/reliability.md.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_kuracloud\local\service\student_sync
 * @covers     \block_kuracloud\local\service\grade_sync
 * @covers     \block_kuracloud\local\repository\links
 * @covers     \block_kuracloud\local\wasm\moodle_curl_transport
 */
final class fault_matrix_test extends kuracloud_testcase {
    /** The faults, by name: the simulator's fault fields. */
    const FAULTS = [
        'status 500' => ['status' => 500, 'message' => 'injected failure'],
        'drop' => ['drop' => true],
        'lost answer' => ['status' => 500, 'message' => 'injected failure', 'after' => true],
        'drop after' => ['drop' => true, 'after' => true],
    ];

    /** The Moodle students and what kuraCloud must hold for each once converged. */
    const STUDENTS = [
        'Ana' => ['ana.lima@example.edu', 'Lima'],
        'Ben' => ['ben.okafor@example.edu', 'Okafor-Reyes'],
        'Chen' => ['chen.wei@example.edu', 'Wei'],
        'Dana' => ['dana.smith@example.edu', 'Smith'],
    ];

    /** Name of the trigger that makes a Moodle write fail (prefixed with the tables' prefix). */
    const TRIGGER = 'kc_fault_matrix';

    /** @var string|null The table of the failing-write trigger, while it exists. */
    private ?string $trigger = null;

    protected function tearDown(): void {
        $this->drop_failing_write();
        sync_guard::$waitseconds = 5;
        grade_sync::$gradesperbatch = null;
        parent::tearDown();
    }

    /**
     * Every kuraCloud write of an apply, with every fault.
     *
     * @return array
     */
    public static function student_write_provider(): array {
        $cases = [];
        foreach (['student.restore', 'student.edit', 'student.add', 'student.delete'] as $route) {
            foreach (self::FAULTS as $name => $fault) {
                $cases["$route, $name"] = [$route, $name];
            }
        }
        return $cases;
    }

    /**
     * Every kuraCloud request of a grade sync, with every fault.
     *
     * @return array
     */
    public static function grade_request_provider(): array {
        $cases = [];
        foreach (['export.start', 'export.progress', 'export.download'] as $route) {
            foreach (self::FAULTS as $name => $fault) {
                $cases["$route, $name"] = [$route, $name];
            }
        }
        return $cases;
    }

    /**
     * A mapped course whose plan has one of each write: Chen is restored (deleted in
     * kuraCloud), Ben's details are edited (his family name changed in Moodle), Dana is
     * invited, old.student is deleted; Ana is unchanged.
     *
     * @return array [course, mapping, users]
     */
    private function scenario(): array {
        global $DB;
        [$course, $mapping, $users] = $this->mapped_course();
        $DB->set_field('user', 'lastname', 'Okafor-Reyes', ['id' => $users['Ben']->id]);
        $plan = student_sync::preview($mapping);
        $this->assertSame(['add' => 1, 'reinvite' => 0, 'update' => 1, 'restore' => 1, 'delete' => 1, 'unchanged' => 1,
            'conflict' => 0, 'skip' => 0], $plan['counts']);
        return [$course, $mapping, $users];
    }

    /**
     * Injects one fault, for one request.
     *
     * @param string $route Simulator route.
     * @param string $fault Name in FAULTS.
     */
    private function inject(string $route, string $fault): void {
        $this->control('DELETE', 'requests');
        $this->control('POST', 'faults', ['route' => $route, 'times' => 1] + self::FAULTS[$fault]);
    }

    /**
     * Asserts the fault was met (the faulted request was sent and answered as injected).
     *
     * @param string $route Simulator route.
     * @param string $fault Name in FAULTS.
     */
    private function assert_fault_met(string $route, string $fault): void {
        $statuses = [];
        foreach ($this->control('GET', 'requests') as $r) {
            if ($r['route'] === $route) {
                $statuses[] = $r['status'];
            }
        }
        $this->assertSame(!empty(self::FAULTS[$fault]['drop']) ? 0 : 500, $statuses[0] ?? null,
            "$route: the fault was not met: " . json_encode($statuses));
        $this->control('DELETE', 'faults');
    }

    /**
     * Asserts the student sync converged: kuraCloud holds each Moodle student once,
     * active, with Moodle's details; the old student is deleted; each student was
     * invited at most once; every Moodle student is linked to their kuraCloud account;
     * a fresh preview has nothing to do.
     *
     * @param \stdClass $mapping Mapping.
     * @param array $users Users by first name.
     */
    private function assert_students_converged(\stdClass $mapping, array $users): void {
        $course = $this->kc_course();
        $byemail = [];
        foreach ($course['students'] as $s) {
            $byemail[strtolower($s['email'])][] = $s;
        }
        $linked = [];
        foreach (links::for_mapping($mapping) as $link) {
            $linked[$link['user_id']] = $link['student_id'];
        }
        foreach (self::STUDENTS as $first => [$email, $family]) {
            $this->assertCount(1, $byemail[$email] ?? [], "$email: not exactly one kuraCloud student");
            $student = $byemail[$email][0];
            $this->assertFalse($student['deleted'], "$email is deleted");
            $this->assertSame($family, $student['familyName'], "$email: details");
            $this->assertSame($student['studentId'], $linked[(int)$users[$first]->id] ?? null, "$email: link lost or wrong");
        }
        $this->assertCount(4, $linked, 'links: ' . json_encode($linked));
        $this->assertTrue($byemail['old.student@example.edu'][0]['deleted'], 'old.student is not deleted');
        $invites = array_count_values(array_map(fn($i) => strtolower($i['email']),
            $this->control('GET', 'state')['invites']));
        $this->assertSame(['dana.smith@example.edu' => 1], $invites, 'duplicate invite');
        $counts = student_sync::preview($mapping)['counts'];
        $this->assertSame(4, $counts['unchanged'], 'not converged: ' . json_encode($counts));
    }

    /**
     * What a sync's outcome told the teacher, in one line.
     *
     * @param array $outcome students.apply outcome.
     * @return string
     */
    private static function apply_summary(array $outcome): string {
        $results = array_count_values(array_column($outcome['results'], 'result'));
        ksort($results);
        $parts = [];
        foreach ($results as $result => $n) {
            $parts[] = "$n $result";
        }
        $error = isset($outcome['error']) ? ': ' . $outcome['error']['code'] . ' "' . texts::plain($outcome['error']['text'])
            . '"' : '';
        return $outcome['status'] . $error . ' (' . implode(', ', $parts) . ')';
    }

    /**
     * Appends a row to the matrix file (KC_FAULT_MATRIX_OUT), when set.
     *
     * @param array $row Row.
     */
    private static function record(array $row): void {
        $file = (string)getenv('KC_FAULT_MATRIX_OUT');
        if ($file !== '') {
            $row['runtime'] = \block_kuracloud\local\service\module_runner::runtime();
            $row['db'] = $GLOBALS['DB']->get_dbfamily();
            file_put_contents($file, json_encode($row, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) . "\n", FILE_APPEND);
        }
    }

    /**
     * A kuraCloud write of an apply fails once; the apply reports what happened, a
     * fresh preview and apply converge.
     *
     * @dataProvider student_write_provider
     * @param string $route The write.
     * @param string $fault Name in FAULTS.
     */
    public function test_an_apply_converges_after_a_failed_write(string $route, string $fault): void {
        global $DB;
        [$course, $mapping, $users] = $this->scenario();
        $plan = student_sync::preview($mapping);
        $this->inject($route, $fault);
        $first = student_sync::apply($mapping, $plan['fingerprint'], false, (int)$users['teacher']->id);
        $this->assert_fault_met($route, $fault);
        $this->assertSame('partial', $first['status'], json_encode($first['error'] ?? null));
        $this->assertSame(!empty(self::FAULTS[$fault]['drop']) ? 'unreachable' : 'server_error', $first['error']['code']);
        // The history says so.
        $this->assertSame('partial', $DB->get_field('block_kuracloud_log', 'status',
            ['courseid' => $course->id, 'kind' => 'students']));
        // Deletes come last: nothing was deleted after a failed restore, edit or invite.
        if ($route !== 'student.delete') {
            $this->assertNotContains('delete', array_column(array_filter($first['results'],
                fn($r) => $r['result'] === 'done'), 'action'));
        }
        $firstlinks = count(links::for_mapping($mapping));

        $again = student_sync::preview($mapping);
        $second = student_sync::apply($mapping, $again['fingerprint'], false, (int)$users['teacher']->id);
        $this->assertSame('applied', $second['status'], json_encode($second['error'] ?? null));
        $this->assert_students_converged($mapping, $users);
        self::record(['kind' => 'students', 'write' => $route, 'fault' => $fault, 'first' => self::apply_summary($first),
            'links_after_first' => $firstlinks, 'rerun_plan' => array_filter($again['counts']),
            'rerun' => self::apply_summary($second), 'converged' => true]);
    }

    /**
     * The scenario with its students synced and its grades synced once; then
     * kuraCloud's grades change (every offset of revision 701 becomes +1), so the next
     * sync has grades to write over the ones already in the gradebook.
     *
     * @return array [course, mapping, users]
     */
    private function graded_scenario(): array {
        [$course, $mapping, $users] = $this->linked_scenario();
        $this->assertSame('synced', grade_sync::sync($mapping, 0)['status']);
        $this->assertSame(self::GRADES_BEFORE, $this->gradebook((int)$course->id, $users));
        $this->raise_revision_701_grades();
        return [$course, $mapping, $users];
    }

    /**
     * The scenario with its students synced (linked), no grade synced yet.
     *
     * @return array [course, mapping, users by first name]
     */
    private function linked_scenario(): array {
        [$course, $mapping, $users] = $this->scenario();
        $plan = student_sync::preview($mapping);
        $this->assertSame('applied', student_sync::apply($mapping, $plan['fingerprint'], false, 0)['status']);
        return [$course, $mapping, $users];
    }

    /**
     * kuraCloud's grades of revision 701 change: one point more for each student.
     */
    private function raise_revision_701_grades(): void {
        $state = $this->control('GET', 'state');
        foreach ($state['instances'][0]['courses'][0]['lessons'][0]['revisions'][0]['grades'] as &$g) {
            $g['gradeOffset'] = 1.0;
        }
        unset($g);
        $this->control('PUT', 'state', $state);
    }

    /** The gradebook after the first grade sync: revision => name => grade. */
    const GRADES_BEFORE = [701 => ['Ana' => 7.5, 'Ben' => 0.0], 702 => ['Ana' => 10.0, 'Ben' => 6.0]];

    /** The gradebook once kuraCloud's new grades are in (4 + 3.5 + 1; 2 + 1). */
    const GRADES_AFTER = [701 => ['Ana' => 8.5, 'Ben' => 3.0], 702 => ['Ana' => 10.0, 'Ben' => 6.0]];

    /**
     * The kuraCloud items' grades of the students who have one: revision => name => grade.
     *
     * @param int $courseid Course.
     * @param array $users Users by first name.
     * @return array
     */
    private function gradebook(int $courseid, array $users): array {
        $out = [];
        foreach (grade_sync::items($courseid) as $item) {
            foreach (['Ana', 'Ben', 'Chen', 'Dana'] as $name) {
                $grade = $item->get_final((int)$users[$name]->id);
                if ($grade && $grade->finalgrade !== null) {
                    $out[(int)$item->itemnumber][$name] = (float)$grade->finalgrade;
                }
            }
        }
        ksort($out);
        return $out;
    }

    /**
     * Asserts the grade sync converged: the gradebook holds kuraCloud's grades, and a
     * further sync writes nothing and takes no grade for a teacher's edit (the values
     * it remembers writing are the gradebook's).
     *
     * @param \stdClass $mapping Mapping.
     * @param array $users Users by first name.
     * @return array The further sync's totals.
     */
    private function assert_grades_converged(\stdClass $mapping, array $users): array {
        $this->assertSame(self::GRADES_AFTER, $this->gradebook((int)$mapping->courseid, $users), 'grade lost');
        $third = grade_sync::sync($mapping, 0);
        $this->assertSame('synced', $third['status']);
        $this->assertSame(0, $third['totals']['write'], json_encode($third['totals']));
        $this->assertSame(0, $third['totals']['teacher_edited'] ?? 0, json_encode($third['totals']));
        $this->assertSame(4, $third['totals']['unchanged'], json_encode($third['totals']));
        return $third['totals'];
    }

    /**
     * A request of a grade sync fails once; the sync reports it and changes nothing;
     * the next sync writes every grade.
     *
     * @dataProvider grade_request_provider
     * @param string $route The request.
     * @param string $fault Name in FAULTS.
     */
    public function test_a_grade_sync_converges_after_a_failed_request(string $route, string $fault): void {
        global $DB;
        [$course, $mapping, $users] = $this->graded_scenario();
        $this->inject($route, $fault);
        try {
            grade_sync::sync($mapping, (int)$users['teacher']->id);
            $this->fail('the sync did not report the failure');
        } catch (workflow_exception $e) {
            $first = $e->errorcode . ' "' . $e->getMessage() . '"';
        }
        $this->assert_fault_met($route, $fault);
        $this->assertSame(!empty(self::FAULTS[$fault]['drop']) ? 'unreachable' : 'server_error', $e->errorcode);
        // Nothing was written; the failure is in the history.
        $this->assertSame(self::GRADES_BEFORE, $this->gradebook((int)$course->id, $users));
        $this->assertSame('failed', $DB->get_field_sql("SELECT status FROM {block_kuracloud_log}
            WHERE courseid = ? AND kind = 'grades' ORDER BY id DESC", [$course->id], IGNORE_MULTIPLE));

        $second = grade_sync::sync($mapping, (int)$users['teacher']->id);
        $this->assertSame('synced', $second['status']);
        $third = $this->assert_grades_converged($mapping, $users);
        self::record(['kind' => 'grades', 'write' => $route, 'fault' => $fault, 'first' => $first,
            'rerun' => 'synced: ' . json_encode(array_filter($second['totals'])), 'after' => json_encode(array_filter($third)),
            'converged' => true]);
    }

    /**
     * Makes Moodle's inserts into a table fail while a condition holds: a trigger raises
     * a database error, as a deadlock, a full disk or a lost database connection would,
     * and Moodle's own code (update_final_grade(), insert_records()) meets it.
     *
     * @param string $table Table, without prefix.
     * @param string $condition SQL condition evaluated before each insert.
     */
    private function fail_inserts(string $table, string $condition): void {
        global $DB;
        $table = $DB->get_prefix() . $table;
        $trigger = $DB->get_prefix() . self::TRIGGER;
        if ($DB->get_dbfamily() === 'postgres') {
            $DB->change_database_structure("CREATE FUNCTION $trigger() RETURNS trigger AS \$kc\$
                BEGIN
                    IF $condition THEN
                        RAISE EXCEPTION 'injected: the write failed';
                    END IF;
                    RETURN NEW;
                END \$kc\$ LANGUAGE plpgsql");
            $DB->change_database_structure("CREATE TRIGGER $trigger BEFORE INSERT ON $table
                FOR EACH ROW EXECUTE FUNCTION $trigger()");
        } else if ($DB->get_dbfamily() === 'mysql') {
            $DB->change_database_structure("CREATE TRIGGER $trigger BEFORE INSERT ON $table FOR EACH ROW
                BEGIN
                    IF $condition THEN
                        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected: the write failed';
                    END IF;
                END");
        } else {
            $this->markTestSkipped('a failing write is injected on PostgreSQL and MariaDB/MySQL only');
        }
        $this->trigger = $table;
    }

    /**
     * Makes the gradebook's writes fail from the next grade after $after: every grade
     * Moodle writes adds a row to the grade history, whose insert then fails.
     *
     * @param int $after Grades of this sync written before the failure.
     */
    private function fail_gradebook_writes_after(int $after): void {
        global $DB;
        $history = $DB->get_prefix() . 'grade_grades_history';
        $limit = $DB->count_records('grade_grades_history', ['source' => 'block_kuracloud']) + $after;
        $this->fail_inserts('grade_grades_history', "(SELECT COUNT(*) FROM $history WHERE source = 'block_kuracloud') >= $limit");
    }

    /**
     * Removes the failing-write trigger: the database works again.
     */
    private function drop_failing_write(): void {
        global $DB;
        if ($this->trigger === null) {
            return;
        }
        if ($DB->is_transaction_started()) {
            // A test that failed with the sync's transaction open (aborted on PostgreSQL):
            // rolled back first, as Moodle's exception handler would, so the trigger goes.
            $DB->force_transaction_rollback();
        }
        $trigger = $DB->get_prefix() . self::TRIGGER;
        if ($DB->get_dbfamily() === 'postgres') {
            $DB->change_database_structure("DROP TRIGGER IF EXISTS $trigger ON {$this->trigger}");
            $DB->change_database_structure("DROP FUNCTION IF EXISTS $trigger()");
        } else {
            $DB->change_database_structure("DROP TRIGGER IF EXISTS $trigger");
        }
        $this->trigger = null;
    }

    /**
     * Moodle fails to store the links of an apply whose kuraCloud writes all succeeded:
     * the apply says so (never Moodle's error page) and is recorded; no link row is half
     * written; the next sync finds the students by email and stores every link, without
     * inviting anyone again.
     */
    public function test_an_apply_converges_after_moodle_fails_to_store_the_links(): void {
        global $DB;
        $this->preventResetByRollback();
        [$course, $mapping, $users] = $this->scenario();
        $plan = student_sync::preview($mapping);
        $this->fail_inserts('block_kuracloud_links', 'TRUE');
        try {
            student_sync::apply($mapping, $plan['fingerprint'], false, (int)$users['teacher']->id);
            $this->fail('the apply did not report the failure');
        } catch (workflow_exception $e) {
            $first = $e->errorcode . ' "' . $e->getMessage() . '"';
        }
        $this->assertSame('link_write_failed', $e->errorcode);
        $this->assertStringContainsString('4 student(s) changed', $e->getMessage());
        $this->assertFalse($DB->is_transaction_started(), 'a transaction was left open');
        $this->assertSame([], links::for_mapping($mapping));
        $this->assertSame('failed', $DB->get_field('block_kuracloud_log', 'status',
            ['courseid' => $course->id, 'kind' => 'students']));
        // kuraCloud was written.
        $this->assertSame(['ana.lima@example.edu', 'ben.okafor@example.edu', 'chen.wei@example.edu',
            'dana.smith@example.edu'], $this->kc_active_emails());

        $this->drop_failing_write();
        $again = student_sync::preview($mapping);
        $second = student_sync::apply($mapping, $again['fingerprint'], false, (int)$users['teacher']->id);
        $this->assertSame('applied', $second['status']);
        $this->assert_students_converged($mapping, $users);
        self::record(['kind' => 'links', 'write' => 'Moodle link write', 'fault' => 'DB write fails', 'first' => $first,
            'links_after_first' => 0, 'rerun_plan' => array_filter($again['counts']),
            'rerun' => self::apply_summary($second), 'converged' => true]);
    }

    /**
     * When the gradebook write fails: on the first sync (items created in it) and on a
     * later one (grades updated).
     *
     * @return array
     */
    public static function gradebook_failure_provider(): array {
        return [
            'first grade sync, after 1 grade' => [false, 1],
            'first grade sync, after 3 grades' => [false, 3],
            'later grade sync, after 1 grade' => [true, 1],
        ];
    }

    /**
     * Moodle's gradebook write fails mid-way: the sync says so (never Moodle's error
     * page); one smaller than a batch (about a percent of a sync's grades, at least 50)
     * writes nothing at all (no half-synced gradebook, no remembered value that was not
     * written); it releases the mapping's lock; the next sync writes every grade.
     *
     * @dataProvider gradebook_failure_provider
     * @param bool $later The course's grades were synced before.
     * @param int $after Grades written before the failure.
     */
    public function test_a_grade_sync_converges_after_the_gradebook_write_fails_midway(bool $later, int $after): void {
        global $DB;
        // As on a page, the sync's transaction is the only one (PHPUnit would otherwise
        // wrap the test in one on PostgreSQL).
        $this->preventResetByRollback();
        sync_guard::$waitseconds = 1;
        if ($later) {
            [$course, $mapping, $users] = $this->graded_scenario();
            $before = self::GRADES_BEFORE;
        } else {
            [$course, $mapping, $users] = $this->linked_scenario();
            $this->raise_revision_701_grades();
            $before = [];
        }
        $remembered = $DB->get_records_menu('block_kuracloud_grades', null, 'id', 'id, lastwritten');
        $this->fail_gradebook_writes_after($after);
        try {
            grade_sync::sync($mapping, (int)$users['teacher']->id);
            $this->fail('the sync did not report the failure');
        } catch (workflow_exception $e) {
            $first = $e->errorcode . ' "' . $e->getMessage() . '"';
        }
        $this->assertSame('gradebook_write_failed', $e->errorcode);
        $this->assertFalse($DB->is_transaction_started(), 'a transaction was left open');
        // All or nothing: the gradebook and the remembered values are as before.
        $this->assertSame($before, $this->gradebook((int)$course->id, $users));
        $this->assertEquals($remembered, $DB->get_records_menu('block_kuracloud_grades', null, 'id', 'id, lastwritten'));
        $this->assertCount($later ? 2 : 0, grade_sync::items((int)$course->id));
        $this->assertSame('failed', $DB->get_field_sql("SELECT status FROM {block_kuracloud_log}
            WHERE courseid = ? AND kind = 'grades' ORDER BY id DESC", [$course->id], IGNORE_MULTIPLE));

        $this->drop_failing_write();
        $second = grade_sync::sync($mapping, (int)$users['teacher']->id);
        $this->assertSame('synced', $second['status']);
        $third = $this->assert_grades_converged($mapping, $users);
        self::record(['kind' => 'gradebook', 'write' => 'Moodle grade write' . ($later ? ' (update)' : ' (first sync)'),
            'fault' => "DB write fails after $after grade(s)", 'first' => $first,
            'rerun' => 'synced: ' . json_encode(array_filter($second['totals'])), 'after' => json_encode(array_filter($third)),
            'converged' => true]);
    }
    /**
     * A sync in batches fails in its second: the batch before it stays written, each
     * grade with the value remembered as written (so none reads as a teacher's edit), the
     * teacher is told how many were written, and the next sync writes the rest.
     */
    public function test_a_grade_sync_failing_in_a_later_batch_keeps_the_batches_before_it(): void {
        global $DB;
        $this->preventResetByRollback();
        sync_guard::$waitseconds = 1;
        [$course, $mapping, $users] = $this->linked_scenario();
        $this->raise_revision_701_grades();
        // Two grades a batch (an item rides with its first): [701, Ana, Ben], [702, Ana, Ben]; the third grade fails.
        grade_sync::$gradesperbatch = 2;
        $this->fail_gradebook_writes_after(2);
        try {
            grade_sync::sync($mapping, (int)$users['teacher']->id);
            $this->fail('the sync did not report the failure');
        } catch (workflow_exception $e) {
            $first = $e->errorcode . ' "' . $e->getMessage() . '"';
        }
        $this->assertSame('gradebook_write_failed', $e->errorcode);
        $this->assertStringContainsString('2 of 4 grades were written', $e->getMessage());
        $this->assertFalse($DB->is_transaction_started(), 'a transaction was left open');
        $this->assertSame([701 => self::GRADES_AFTER[701]], $this->gradebook((int)$course->id, $users));
        $this->assertEqualsCanonicalizing(array_values(self::GRADES_AFTER[701]),
            array_map('floatval', $DB->get_fieldset_select('block_kuracloud_grades', 'lastwritten', '1 = 1')));
        // Item 702 came with the undone batch.
        $this->assertCount(1, grade_sync::items((int)$course->id));

        $this->drop_failing_write();
        $second = grade_sync::sync($mapping, (int)$users['teacher']->id);
        $this->assertSame('synced', $second['status']);
        $this->assertSame(2, $second['totals']['write'], json_encode($second['totals']));
        $this->assertSame(0, $second['totals']['teacher_edited'] ?? 0, json_encode($second['totals']));
        $third = $this->assert_grades_converged($mapping, $users);
        self::record(['kind' => 'gradebook', 'write' => 'Moodle grade write (first sync, batches of 2)',
            'fault' => 'DB write fails after 2 grades', 'first' => $first,
            'rerun' => 'synced: ' . json_encode(array_filter($second['totals'])), 'after' => json_encode(array_filter($third)),
            'converged' => true]);
    }
}
