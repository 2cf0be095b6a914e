//! Grade mapping rules, natively: a case table of exports and gradebooks with the
//! outcome each must give, then the export's polling and failures. The same rules run
//! end to end, through the real module and the simulator over HTTP, in
//! `tests/grades.rs`; here they take milliseconds and a failure names its case's line.

mod util;

use serde_json::{json, Value};
use util::kuracloud::{student, Export, Fault, Kc};
use util::{connection, run, At, Finished, Table};

const COURSE: i64 = 101;

fn moodle(user_id: i64, email: &str) -> Value {
    json!({"user_id": user_id, "email": email, "first_name": "S", "last_name": (user_id - 10).to_string()})
}

fn q(question_id: i64, grade: Option<f64>) -> Value {
    json!({"questionId": question_id, "questionGrade": grade})
}

fn grade(student_id: i64, offset: Option<f64>, questions: Vec<Value>) -> Value {
    json!({"studentId": student_id, "gradeOffset": offset, "questionGrades": questions})
}

fn revision(id: i64, title: &str, maxes: &[f64], grades: Vec<Value>) -> Value {
    let questions: Vec<Value> = maxes
        .iter()
        .enumerate()
        .map(|(i, m)| json!({"questionId": i as i64 + 1, "maxGrade": m}))
        .collect();
    json!({"publishedRevisionId": id, "publishedRevisionTitle": title, "questions": questions, "studentGrades": grades})
}

/// Students 1..=3 in kuraCloud and Moodle (users 11..=13), linked; lesson 600 with the
/// given revisions; the export ready at the first poll.
fn setup(revisions: Vec<Value>) -> (Kc, Value) {
    let mut kc = Kc::new(
        COURSE,
        (1..=3)
            .map(|i| {
                student(
                    i,
                    &format!("{}@uni.example", ["a", "b", "c"][i as usize - 1]),
                    "S",
                    &i.to_string(),
                )
            })
            .collect(),
        vec![],
    );
    kc.lessons = vec![json!({"publishedContentId": 500, "publishedLessonId": 600,
        "publishedLessonTitle": "Lesson", "gradedPublishedRevisions": revisions})];
    let input = json!({
        "connection": connection(),
        "course_id": COURSE,
        "students": [moodle(11, "a@uni.example"), moodle(12, "b@uni.example"), moodle(13, "c@uni.example")],
        "links": [{"user_id": 11, "student_id": 1}, {"user_id": 12, "student_id": 2}, {"user_id": 13, "student_id": 3}],
        "items": [],
        "poll": {"initial_ms": 10, "max_interval_ms": 40, "budget_ms": 1000}
    });
    (kc, input)
}

/// `[{"user_id": u, "grade": g}, ...]`.
fn grades(pairs: &[(i64, f64)]) -> Value {
    pairs
        .iter()
        .map(|(u, g)| json!({"user_id": u, "grade": g}))
        .collect()
}

struct Case {
    at: At,
    name: &'static str,
    revisions: Vec<Value>,
    /// The Moodle grade items of the input.
    items: Value,
    /// Changes to the input and kuraCloud beyond the revisions and items.
    change: fn(&mut Value, &mut Kc),
    /// JSON pointers into the outcome, and the value each must hold.
    expect: Vec<(&'static str, Value)>,
}

#[track_caller]
fn case(name: &'static str, revisions: Vec<Value>) -> Case {
    Case {
        at: At::here(),
        name,
        revisions,
        items: json!([]),
        change: |_, _| {},
        expect: vec![],
    }
}

/// Runs the grade sync of a case and checks every expected value, and what holds for
/// every grade sync: no student is written, and the export is started only when the
/// students are in step.
fn run_case(c: &Case) -> Finished {
    let (at, name) = (c.at, c.name);
    let (mut kc, mut input) = setup(c.revisions.clone());
    input["items"] = c.items.clone();
    (c.change)(&mut input, &mut kc);
    let out = run("grades.sync", &input, &mut kc);
    let outcome = match &out.outcome {
        Ok(v) => v,
        Err(e) => panic!("{at} [{name}] failed: {e:?}"),
    };
    for (pointer, want) in &c.expect {
        let got = outcome.pointer(pointer);
        assert_eq!(
            got,
            Some(want),
            "{at} [{name}] {pointer}; outcome: {outcome:#}"
        );
    }
    let student_writes = kc
        .log
        .iter()
        .filter(|r| r.starts_with("student.") && !r.starts_with("student.list"))
        .count();
    assert_eq!(
        student_writes, 0,
        "{at} [{name}] a grade sync wrote students"
    );
    let synced = outcome["status"] == "synced";
    assert_eq!(
        kc.calls("export.start"),
        synced as usize,
        "{at} [{name}] export started"
    );
    out
}

fn table() -> Vec<Case> {
    let practical = |grades: Vec<Value>| vec![revision(700, "P", &[10.0], grades)];
    let item_55 = |grades: Value| json!([{"lesson_id": 600, "revision_id": 700, "item_id": 55, "name": "P", "grademax": 10.0, "grades": grades}]);
    vec![
        Case {
            expect: vec![
                ("/status", json!("synced")),
                ("/items/0/name", json!("Practical 1")),
                ("/items/0/grademax", json!(10.0)),
                ("/items/0/action", json!("create")),
                ("/items/0/lesson_id", json!(600)),
                ("/items/0/revision_id", json!(700)),
                ("/items/0/writes", grades(&[(11, 0.0), (12, 10.0), (13, 3.5)])),
                ("/text/code", json!("grades_summary")),
                ("/text/params/write", json!(3)),
            ],
            ..case(
                "grades are summed, the offset added, the sum clamped to 0..max, a null counts 0",
                vec![revision(
                    700,
                    "Practical 1",
                    &[5.0, 5.0],
                    vec![
                        grade(1, Some(-20.0), vec![q(1, Some(2.0)), q(2, Some(1.0))]), // negative -> 0
                        grade(2, Some(5.0), vec![q(1, Some(5.0)), q(2, Some(4.0))]), // above max -> max
                        grade(3, Some(1.5), vec![q(1, Some(2.0)), q(2, None)]), // null counts 0
                    ],
                )],
            )
        },
        Case {
            expect: vec![
                ("/items/0/counts/no_grade", json!(2)),
                ("/items/0/writes", grades(&[(13, 2.0)])),
            ],
            ..case(
                "all question grades null and no offset (or offset 0) give no grade; an offset alone is one",
                practical(vec![
                    grade(1, None, vec![q(1, None)]),
                    grade(2, Some(0.0), vec![q(1, None)]),
                    grade(3, Some(2.0), vec![q(1, None)]),
                ]),
            )
        },
        Case {
            change: |input, kc| {
                // Student 3 is neither linked, nor in Moodle, nor in kuraCloud.
                input["links"].as_array_mut().unwrap().pop();
                input["students"].as_array_mut().unwrap().pop();
                kc.students.pop();
            },
            expect: vec![
                ("/status", json!("synced")),
                ("/unknown_students", json!({"count": 1, "student_ids": [99]})),
                ("/items/0/writes", grades(&[(11, 7.0)])),
            ],
            ..case(
                "grades of students nobody is linked to are counted and skipped, not fatal",
                practical(vec![
                    grade(1, None, vec![q(1, Some(7.0))]),
                    grade(99, None, vec![q(1, Some(3.0))]),
                ]),
            )
        },
        Case {
            items: json!([{"lesson_id": 600, "revision_id": 699, "item_id": 55, "name": "Old revision", "grademax": 10.0,
                           "grades": [{"user_id": 11, "current": 4.0, "last_written": 4.0}]}]),
            expect: vec![
                (
                    "/missing_items",
                    json!([{"lesson_id": 600, "revision_id": 699, "item_id": 55, "name": "Old revision"}]),
                ),
                ("/items/0/action", json!("create")),
            ],
            ..case(
                "items no longer exported are reported, never deleted",
                practical(vec![]),
            )
        },
        Case {
            items: item_55(json!([])),
            expect: vec![
                ("/items/0/action", json!("update")),
                ("/items/0/item_id", json!(55)),
                ("/items/0/grademax", json!(15.0)),
                ("/items/0/writes", grades(&[(11, 12.0)])),
            ],
            ..case(
                "a changed maximum updates the item",
                vec![revision(700, "P", &[10.0, 5.0], vec![grade(1, None, vec![q(1, Some(12.0))])])],
            )
        },
        Case {
            items: item_55(json!([
                {"user_id": 11, "current": 9.5, "last_written": 6.0},
                {"user_id": 12, "current": 6.0, "last_written": 6.0, "locked": true},
                {"user_id": 13, "current": 6.0, "last_written": 6.0}
            ])),
            expect: vec![
                ("/items/0/action", json!("unchanged")),
                ("/items/0/counts/teacher_edited", json!(1)),
                ("/items/0/counts/locked", json!(1)),
                ("/items/0/writes", grades(&[(13, 8.0)])),
                ("/items/0/skipped/0/user_id", json!(11)),
                ("/items/0/skipped/0/reason", json!("teacher_edited")),
                ("/items/0/skipped/0/moodle_grade", json!(9.5)),
                ("/items/0/skipped/1/user_id", json!(12)),
                ("/items/0/skipped/1/reason", json!("locked")),
            ],
            ..case(
                "a teacher's edit and a locked grade are never overwritten; our own grade is",
                practical((1..=3).map(|s| grade(s, None, vec![q(1, Some(8.0))])).collect()),
            )
        },
        Case {
            items: json!([{"lesson_id": 600, "revision_id": 700, "item_id": 55, "name": "P", "grademax": 10.0,
                           "locked": true, "grades": []}]),
            expect: vec![
                ("/items/0/counts/locked", json!(3)),
                ("/items/0/writes", json!([])),
            ],
            ..case(
                "a locked item locks every grade in it",
                practical((1..=3).map(|s| grade(s, None, vec![q(1, Some(8.0))])).collect()),
            )
        },
        Case {
            items: item_55(json!([
                {"user_id": 11, "current": 8.0},
                {"user_id": 12, "current": 3.0}
            ])),
            expect: vec![
                ("/items/0/record", grades(&[(11, 8.0)])),
                ("/items/0/counts/teacher_edited", json!(1)),
                ("/items/0/writes", json!([])),
            ],
            ..case(
                "a grade someone else set is left alone, an equal one adopted as ours",
                practical(vec![
                    grade(1, None, vec![q(1, Some(8.0))]),
                    grade(2, None, vec![q(1, Some(5.0))]),
                ]),
            )
        },
        Case {
            items: item_55(json!([{"user_id": 11, "current": 8.000001, "last_written": 8.0}])),
            expect: vec![
                ("/items/0/counts/unchanged", json!(1)),
                ("/items/0/writes", json!([])),
            ],
            ..case(
                "a grade within Moodle's five decimals of kuraCloud's is unchanged",
                practical(vec![grade(1, None, vec![q(1, Some(8.0))])]),
            )
        },
        Case {
            change: |input, _| {
                input["students"].as_array_mut().unwrap().push(moodle(14, "new@uni.example"));
            },
            expect: vec![
                ("/status", json!("students_not_synced")),
                ("/text", json!({"code": "students_not_synced", "params": {}})),
                ("/student_counts/add", json!(1)),
            ],
            ..case(
                "students not synced yet: redirected, the export never started",
                practical(vec![]),
            )
        },
        Case {
            change: |input, _| {
                input["links"] = json!([]);
            },
            expect: vec![("/status", json!("students_not_synced"))],
            ..case(
                "students matched by email but not linked yet are not in step",
                practical(vec![]),
            )
        },
        Case {
            expect: vec![
                ("/items", json!([])),
                ("/ignored_revisions/0/revision_id", json!(700)),
                ("/ignored_revisions/0/reason/code", json!("revision_no_max")),
            ],
            ..case(
                "revisions without a maximum grade are ignored and said",
                vec![revision(700, "Ungraded", &[], vec![grade(1, Some(3.0), vec![])])],
            )
        },
    ]
}

#[test]
fn grade_case_table() {
    let cases = table();
    assert!(cases.len() >= 10, "the table has {} cases", cases.len());
    for c in &cases {
        run_case(c);
    }
}

#[test]
fn the_outcome_has_no_way_to_ask_for_a_deletion() {
    let out = run_case(&case("keys", vec![revision(700, "P", &[10.0], vec![])]));
    let keys: Vec<&String> = out.done().as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "ignored_revisions",
            "items",
            "missing_items",
            "requests",
            "status",
            "student_counts",
            "text",
            "totals",
            "unknown_students"
        ]
    );
}

#[test]
fn a_second_sync_with_nothing_changed_writes_nothing() {
    let (mut kc, mut input) = setup(vec![
        revision(
            700,
            "P1",
            &[10.0],
            vec![
                grade(1, None, vec![q(1, Some(8.0))]),
                grade(2, Some(1.0), vec![q(1, Some(2.0))]),
            ],
        ),
        revision(
            701,
            "P2",
            &[3.0, 3.0],
            vec![grade(3, None, vec![q(1, Some(2.5)), q(2, Some(0.25))])],
        ),
    ]);
    let first = run("grades.sync", &input, &mut kc);
    // The host applies the outcome: items created, grades written and recorded.
    let items: Vec<Value> = first.done()["items"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(n, it)| {
            let grades: Vec<Value> = it["writes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| json!({"user_id": w["user_id"], "current": w["grade"], "last_written": w["grade"]}))
                .collect();
            json!({"lesson_id": it["lesson_id"], "revision_id": it["revision_id"], "item_id": 100 + n,
                   "name": it["name"], "grademax": it["grademax"], "grades": grades})
        })
        .collect();
    input["items"] = json!(items);
    let second = run("grades.sync", &input, &mut kc);
    let second = second.done();
    assert_eq!(second["totals"]["write"], 0, "{second}");
    assert_eq!(second["totals"]["unchanged"], 3);
    for it in second["items"].as_array().unwrap() {
        assert_eq!(it["action"], "unchanged");
    }
}

fn one_grade() -> Vec<Value> {
    vec![revision(
        700,
        "P",
        &[10.0],
        vec![grade(1, None, vec![q(1, Some(1.0))])],
    )]
}

#[test]
fn polls_until_ready_with_doubling_pauses_and_reports_progress() {
    let (mut kc, input) = setup(one_grade());
    kc.export = Export::Succeed(3);
    let out = run("grades.sync", &input, &mut kc);
    assert_eq!(out.done()["totals"]["write"], 1);
    assert_eq!(out.trace.sleeps, [10, 20, 40]);
    assert_eq!(kc.calls("export.progress"), 4);
    let stages: Vec<&str> = out
        .trace
        .progress
        .iter()
        .map(|(s, _, _)| s.as_str())
        .collect();
    for stage in ["read", "export", "download", "mapping"] {
        assert!(stages.contains(&stage), "{stage}: {stages:?}");
    }
}

#[test]
fn a_never_finishing_export_gives_up_within_its_budget() {
    let (mut kc, input) = setup(one_grade());
    kc.export = Export::Never;
    let out = run("grades.sync", &input, &mut kc);
    assert_eq!(out.error_code(), "export_timeout");
    let sleeps = &out.trace.sleeps;
    assert!(
        sleeps.iter().sum::<u64>() <= 1000,
        "{sleeps:?} for a 1000 ms budget"
    );
    assert!(
        sleeps.iter().all(|s| *s <= 40),
        "backoff past its maximum: {sleeps:?}"
    );
    assert!(
        sleeps.windows(2).all(|w| w[0] <= w[1]),
        "backoff shrank: {sleeps:?}"
    );
    assert!(kc.calls("export.progress") < 40);
    assert_eq!(kc.calls("export.download"), 0);
}

#[test]
fn export_failures_are_clear_errors_and_change_nothing() {
    // (case, what breaks, error code, text code, what the message says)
    type Failing = (
        &'static str,
        fn(&mut Kc),
        &'static str,
        &'static str,
        &'static str,
    );
    let failing: Vec<Failing> = vec![
        (
            "export failed",
            |kc| kc.export = Export::Fail,
            "export_failed",
            "export_failed",
            "No grades were changed",
        ),
        (
            "download unreadable",
            |kc| kc.faults.push(Fault::malformed("export.download")),
            "malformed_response",
            "export_unreadable",
            "No grades were changed",
        ),
        (
            "server error while polling",
            |kc| {
                kc.export = Export::Succeed(5);
                kc.faults.push(Fault {
                    skip: 1,
                    ..Fault::status("export.progress", 500, "worker crashed")
                });
            },
            "server_error",
            "server_error",
            "worker crashed",
        ),
        (
            "export not found",
            |kc| {
                kc.faults
                    .push(Fault::status("export.progress", 404, "Task not found"))
            },
            "export_failed",
            "export_not_found",
            "Task not found",
        ),
    ];
    for (name, break_it, code, text, says) in failing {
        let (mut kc, input) = setup(one_grade());
        break_it(&mut kc);
        let out = run("grades.sync", &input, &mut kc);
        assert_eq!(out.error_code(), code, "[{name}]");
        let e = out.error();
        let text_code = serde_json::to_value(&e.text).unwrap()["code"].clone();
        assert_eq!(text_code, text, "[{name}] {e:?}");
        assert!(e.message.contains(says), "[{name}] {}", e.message);
    }
}

/// The driver answering from a table: the two roster reads, nothing else, for a course
/// whose students are not in step.
#[test]
fn a_table_answers_the_roster_reads() {
    let (_, mut input) = setup(vec![]);
    input["links"] = json!([]);
    let roster =
        json!([{"studentId": 1, "email": "a@uni.example", "givenName": "S", "familyName": "1"}]);
    let mut table = Table::new()
        .get("course/101/student", roster)
        .get("course/101/student?deleted=true", json!([]));
    let out = run("grades.sync", &input, &mut table);
    assert_eq!(out.done()["status"], "students_not_synced");
    assert_eq!(out.done()["student_counts"]["add"], 2);
    assert_eq!(out.done()["student_counts"]["unchanged"], 1);
    assert_eq!(out.done()["requests"], 2);
}

/// The driver answering from a closure: 429 is retried after 1 s and 3 s, then given up.
#[test]
fn a_closure_answers_rate_limits() {
    let (_, input) = setup(vec![]);
    let mut calls = 0;
    let out = run(
        "grades.sync",
        &input,
        &mut |_: &kuracloud_core::HttpRequest| {
            calls += 1;
            util::status(429, "slow down")
        },
    );
    assert_eq!(out.error_code(), "rate_limited");
    assert_eq!(out.trace.sleeps, [1000, 3000]);
    assert_eq!(calls, 3);
}
