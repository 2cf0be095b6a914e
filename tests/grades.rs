//! Grade sync through the real module and the simulator's asynchronous export.

use kuracloud_host_runner::sim::sample::sample_state;
use kuracloud_host_runner::RunOutcome;
use kuracloud_tests::{Kc, TestHost};
use serde_json::{json, Value};

const COURSE: i64 = 101;

fn student(id: i64, email: &str) -> Value {
    json!({"studentId": id, "email": email, "givenName": "S", "familyName": id.to_string(),
           "inviteComplete": true, "createdDate": 1, "externalStudentId": "", "section": "", "deleted": false})
}

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
    json!({"publishedRevisionId": id, "publishedRevisionTitle": title, "questions": questions, "grades": grades})
}

/// Students 1..=3 in kuraCloud and Moodle (users 11..=13), linked; lesson 600 with the
/// given revisions.
fn setup(revisions: Vec<Value>) -> (Kc, Value) {
    let kc = Kc::with_state(sample_state());
    let mut state = kc.state();
    let course = &mut state["instances"][0]["courses"][0];
    course["lmsEnabled"] = json!(true);
    course["students"] = json!([
        student(1, "a@uni.example"),
        student(2, "b@uni.example"),
        student(3, "c@uni.example")
    ]);
    course["lessons"] = json!([{"publishedContentId": 500, "publishedLessonId": 600, "publishedLessonTitle": "Lesson", "revisions": revisions}]);
    kc.put_state(&state);
    let input = json!({
        "connection": kc.conn(),
        "course_id": COURSE,
        "students": [moodle(11, "a@uni.example"), moodle(12, "b@uni.example"), moodle(13, "c@uni.example")],
        "links": [{"user_id": 11, "student_id": 1}, {"user_id": 12, "student_id": 2}, {"user_id": 13, "student_id": 3}],
        "items": [],
        "poll": {"initial_ms": 10, "max_interval_ms": 40, "budget_ms": 1000}
    });
    (kc, input)
}

fn writes(item: &Value) -> Vec<(i64, f64)> {
    item["writes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["user_id"].as_i64().unwrap(), w["grade"].as_f64().unwrap()))
        .collect()
}

fn item(out: &Value, revision_id: i64) -> &Value {
    out["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["revision_id"] == revision_id)
        .unwrap_or_else(|| panic!("no item for revision {revision_id}: {out}"))
}

#[test]
fn grades_are_summed_offset_clamped_and_nulls_handled() {
    let (kc, input) = setup(vec![revision(
        700,
        "Practical 1",
        &[5.0, 5.0],
        vec![
            grade(1, Some(-20.0), vec![q(1, Some(2.0)), q(2, Some(1.0))]), // negative -> 0
            grade(2, Some(5.0), vec![q(1, Some(5.0)), q(2, Some(4.0))]),   // above max -> max
            grade(3, Some(1.5), vec![q(1, Some(2.0)), q(2, None)]),        // null counts 0, offset
        ],
    )]);
    let out = kc.done("grades.sync", input);
    assert_eq!(out["status"], "synced");
    let it = item(&out, 700);
    assert_eq!(it["name"], "Practical 1");
    assert_eq!(it["grademax"], 10.0);
    assert_eq!(it["action"], "create");
    assert_eq!(it["lesson_id"], 600);
    assert_eq!(writes(it), vec![(11, 0.0), (12, 10.0), (13, 3.5)]);
}

#[test]
fn all_null_grades_without_offset_give_no_grade() {
    let (kc, input) = setup(vec![revision(
        700,
        "P",
        &[4.0],
        vec![
            grade(1, None, vec![q(1, None)]),
            grade(2, Some(0.0), vec![q(1, None)]),
            grade(3, Some(2.0), vec![q(1, None)]), // offset alone is a grade
        ],
    )]);
    let out = kc.done("grades.sync", input);
    let it = item(&out, 700);
    assert_eq!(it["counts"]["no_grade"], 2);
    assert_eq!(writes(it), vec![(13, 2.0)]);
}

#[test]
fn unknown_students_are_skipped_not_fatal() {
    let (kc, mut input) = setup(vec![revision(
        700,
        "P",
        &[10.0],
        vec![
            grade(1, None, vec![q(1, Some(7.0))]),
            grade(99, None, vec![q(1, Some(3.0))]),
        ],
    )]);
    // Student 3 is not linked either.
    input["links"].as_array_mut().unwrap().pop();
    input["students"].as_array_mut().unwrap().pop();
    let mut state = kc.state();
    state["instances"][0]["courses"][0]["students"]
        .as_array_mut()
        .unwrap()
        .pop();
    kc.put_state(&state);
    let out = kc.done("grades.sync", input);
    assert_eq!(out["status"], "synced", "{out}");
    assert_eq!(out["unknown_students"]["count"], 1);
    assert_eq!(out["unknown_students"]["student_ids"], json!([99]));
    assert_eq!(writes(item(&out, 700)), vec![(11, 7.0)]);
}

#[test]
fn items_no_longer_exported_are_reported_never_deleted() {
    let (kc, mut input) = setup(vec![revision(700, "P", &[10.0], vec![])]);
    input["items"] = json!([{"lesson_id": 600, "revision_id": 699, "item_id": 55, "name": "Old revision", "grademax": 10.0,
                             "grades": [{"user_id": 11, "current": 4.0, "last_written": 4.0}]}]);
    let out = kc.done("grades.sync", input);
    assert_eq!(
        out["missing_items"],
        json!([{"lesson_id": 600, "revision_id": 699, "item_id": 55, "name": "Old revision"}])
    );
    // The outcome has no way to ask for a deletion: these are all its parts.
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
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
    assert_eq!(item(&out, 700)["action"], "create");
}

#[test]
fn a_changed_max_updates_the_item() {
    let (kc, mut input) = setup(vec![revision(
        700,
        "P",
        &[10.0, 5.0],
        vec![grade(1, None, vec![q(1, Some(12.0))])],
    )]);
    input["items"] = json!([{"lesson_id": 600, "revision_id": 700, "item_id": 55, "name": "P", "grademax": 10.0, "grades": []}]);
    let out = kc.done("grades.sync", input);
    let it = item(&out, 700);
    assert_eq!(it["action"], "update");
    assert_eq!(it["item_id"], 55);
    assert_eq!(it["grademax"], 15.0);
    assert_eq!(writes(it), vec![(11, 12.0)]);
}

#[test]
fn teacher_edits_and_locks_are_never_overwritten() {
    let (kc, mut input) = setup(vec![revision(
        700,
        "P",
        &[10.0],
        vec![
            grade(1, None, vec![q(1, Some(8.0))]),
            grade(2, None, vec![q(1, Some(8.0))]),
            grade(3, None, vec![q(1, Some(8.0))]),
        ],
    )]);
    input["items"] = json!([{"lesson_id": 600, "revision_id": 700, "item_id": 55, "name": "P", "grademax": 10.0, "grades": [
        {"user_id": 11, "current": 9.5, "last_written": 6.0},            // edited by a teacher
        {"user_id": 12, "current": 6.0, "last_written": 6.0, "locked": true},
        {"user_id": 13, "current": 6.0, "last_written": 6.0}             // ours, kuraCloud changed: write
    ]}]);
    let out = kc.done("grades.sync", input.clone());
    let it = item(&out, 700);
    assert_eq!(it["counts"]["teacher_edited"], 1);
    assert_eq!(it["counts"]["locked"], 1);
    assert_eq!(writes(it), vec![(13, 8.0)]);
    let reasons: Vec<(i64, &str)> = it["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["user_id"].as_i64().unwrap(),
                s["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(reasons, vec![(11, "teacher_edited"), (12, "locked")]);

    // A locked item locks every grade in it.
    input["items"][0]["locked"] = json!(true);
    let out = kc.done("grades.sync", input);
    assert_eq!(item(&out, 700)["counts"]["locked"], 3);
}

#[test]
fn a_grade_someone_else_set_is_left_alone_but_an_equal_one_is_adopted() {
    let (kc, mut input) = setup(vec![revision(
        700,
        "P",
        &[10.0],
        vec![
            grade(1, None, vec![q(1, Some(8.0))]),
            grade(2, None, vec![q(1, Some(5.0))]),
        ],
    )]);
    input["items"] = json!([{"lesson_id": 600, "revision_id": 700, "item_id": 55, "name": "P", "grademax": 10.0, "grades": [
        {"user_id": 11, "current": 8.0},
        {"user_id": 12, "current": 3.0}
    ]}]);
    let out = kc.done("grades.sync", input);
    let it = item(&out, 700);
    assert_eq!(it["record"], json!([{"user_id": 11, "grade": 8.0}]));
    assert_eq!(it["counts"]["teacher_edited"], 1);
    assert!(writes(it).is_empty());
}

#[test]
fn a_second_sync_with_nothing_changed_writes_nothing() {
    let (kc, mut input) = setup(vec![
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
    let first = kc.done("grades.sync", input.clone());
    // The host applies the outcome: items created, grades written and recorded.
    let items: Vec<Value> = first["items"]
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
    let second = kc.done("grades.sync", input);
    assert_eq!(second["totals"]["write"], 0, "{second}");
    assert_eq!(second["totals"]["unchanged"], 3);
    for it in second["items"].as_array().unwrap() {
        assert_eq!(it["action"], "unchanged");
    }
}

#[test]
fn students_not_synced_yet_redirects_and_writes_nothing() {
    let (kc, mut input) = setup(vec![revision(700, "P", &[10.0], vec![])]);
    input["students"]
        .as_array_mut()
        .unwrap()
        .push(moodle(14, "new@uni.example"));
    let out = kc.done("grades.sync", input);
    assert_eq!(out["status"], "students_not_synced");
    assert_eq!(out["student_counts"]["add"], 1);
    assert!(out.get("items").is_none());
    assert!(kc.requests().iter().all(|r| r["route"] != "export.start"));
}

#[test]
fn a_failed_export_is_a_clear_error() {
    let (kc, input) = setup(vec![revision(700, "P", &[10.0], vec![])]);
    kc.set_export("fail", 0);
    let (code, message) = kc.fail("grades.sync", input);
    assert_eq!(code, "export_failed");
    assert!(message.contains("No grades were changed"), "{message}");
}

#[test]
fn a_never_finishing_export_gives_up_within_its_budget() {
    let (kc, input) = setup(vec![revision(700, "P", &[10.0], vec![])]);
    kc.set_export("never", 0);
    let mut host = TestHost::default();
    let RunOutcome::Failed { code, .. } = kc.run_with("grades.sync", &input.to_string(), &mut host)
    else {
        panic!("should fail");
    };
    assert_eq!(code, "export_timeout");
    let waited: u64 = host.sleeps.iter().sum();
    assert!(waited <= 1000, "waited {waited} ms for a 1000 ms budget");
    assert!(
        host.sleeps.iter().all(|s| *s <= 40),
        "backoff exceeds its maximum: {:?}",
        host.sleeps
    );
    assert!(
        host.sleeps.windows(2).all(|w| w[0] <= w[1]),
        "backoff should not shrink"
    );
    // Progress never overflows (the old plugin's bar did after nine polls).
    assert!(host.progress.iter().all(|(_, done, total)| done <= total));
    let polls = kc
        .requests()
        .iter()
        .filter(|r| r["route"] == "export.progress")
        .count();
    assert!(polls < 40, "{polls} polls");
}

#[test]
fn the_host_sleeps_at_most_a_minute_whatever_the_module_asks() {
    let (kc, mut input) = setup(vec![revision(
        700,
        "P",
        &[10.0],
        vec![grade(1, None, vec![q(1, Some(1.0))])],
    )]);
    input["poll"] =
        json!({"initial_ms": 90_000, "max_interval_ms": 600_000, "budget_ms": 10_000_000});
    kc.set_export("succeed", 2);
    let mut host = TestHost::default();
    let RunOutcome::Done(_) = kc.run_with("grades.sync", &input.to_string(), &mut host) else {
        panic!("should succeed");
    };
    assert_eq!(host.sleeps, vec![60_000, 60_000]);
}

#[test]
fn polls_until_ready_and_reports_progress() {
    let (kc, input) = setup(vec![revision(
        700,
        "P",
        &[10.0],
        vec![grade(1, None, vec![q(1, Some(1.0))])],
    )]);
    kc.set_export("succeed", 3);
    let mut host = TestHost::default();
    let RunOutcome::Done(json) = kc.run_with("grades.sync", &input.to_string(), &mut host) else {
        panic!("should succeed");
    };
    let out: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(out["totals"]["write"], 1);
    assert_eq!(host.sleeps, vec![10, 20, 40]);
    let stages: Vec<&str> = host.progress.iter().map(|(s, _, _)| s.as_str()).collect();
    assert!(
        stages.contains(&"export") && stages.contains(&"download") && stages.contains(&"mapping")
    );
}

#[test]
fn a_malformed_download_is_a_clear_error() {
    let (kc, input) = setup(vec![revision(
        700,
        "P",
        &[10.0],
        vec![grade(1, None, vec![q(1, Some(1.0))])],
    )]);
    kc.fault(json!({"route": "export.download", "malformed": true}));
    let (code, message) = kc.fail("grades.sync", input);
    assert_eq!(code, "malformed_response");
    assert!(message.contains("No grades were changed"), "{message}");
}

#[test]
fn a_server_error_while_polling_is_a_clear_error() {
    let (kc, input) = setup(vec![revision(700, "P", &[10.0], vec![])]);
    kc.set_export("succeed", 5);
    kc.fault(
        json!({"route": "export.progress", "status": 500, "message": "worker crashed", "skip": 1}),
    );
    let (code, message) = kc.fail("grades.sync", input);
    assert_eq!(code, "server_error");
    assert!(message.contains("worker crashed"));
}

#[test]
fn revisions_without_a_maximum_are_ignored_and_said() {
    let (kc, input) = setup(vec![revision(
        700,
        "Ungraded",
        &[],
        vec![grade(1, Some(3.0), vec![])],
    )]);
    let out = kc.done("grades.sync", input);
    assert!(out["items"].as_array().unwrap().is_empty());
    assert_eq!(out["ignored_revisions"][0]["revision_id"], 700);
}
