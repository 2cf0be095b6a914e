//! Scale benchmarks under hostile sizes (figures, not pass/fail tests): the three
//! lookups that were quadratic at 100,000 x 100,000, and peak module memory per student
//! and per grade for rosters and exports far beyond any real course.
//!
//! Run: `cargo bench -p kuracloud-fuzz --bench scale` after `scripts/build-wasm.sh`
//! (one case: `... --bench scale -- stale-links`). kuraCloud is answered from memory, so
//! the times are the module's own plus the host's copies in and out of linear memory.

use kuracloud_fuzz::{module, run_unbounded, RouteHost};
use kuracloud_host_runner::RunOutcome;
use kuracloud_loader::Limits;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const N: i64 = 100_000;

fn connection() -> Value {
    json!({"api_url": "http://bench.invalid", "token": "t"})
}

/// Runs `workflow` once on a fresh instance: (outcome, time, peak module memory).
fn run(workflow: &str, input: &str, host: &mut RouteHost) -> (Value, Duration, usize) {
    let (value, _, time, peak) = run_sized(workflow, input, host);
    (value, time, peak)
}

/// `run`, with the outcome's size in bytes.
fn run_sized(workflow: &str, input: &str, host: &mut RouteHost) -> (Value, usize, Duration, usize) {
    let mut instance = module()
        .instantiate(Limits {
            memory_bytes: 4 << 30,
            time_per_call: Duration::from_secs(600),
        })
        .unwrap();
    let start = Instant::now();
    let out = run_unbounded(&mut instance, workflow, input, host).unwrap();
    let time = start.elapsed() - host.host_time;
    let (value, size) = match out {
        RunOutcome::Done(json) => (serde_json::from_str(&json).unwrap(), json.len()),
        RunOutcome::Failed { code, message, .. } => panic!("{workflow}: {code}: {message}"),
    };
    (value, size, time, instance.memory_bytes())
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

/// 100,000 stale links (their students are gone from kuraCloud, their users are not in
/// the course) against a plan of 100,000 entries.
fn stale_links() {
    let students: Vec<Value> = (0..N)
        .map(|i| json!({"user_id": i, "email": format!("s{i}@uni.example"), "first_name": "S", "last_name": "B"}))
        .collect();
    let links: Vec<Value> = (0..N)
        .map(|i| json!({"user_id": 1_000_000 + i, "student_id": 5_000_000 + i}))
        .collect();
    let input =
        json!({"connection": connection(), "course_id": 1, "students": students, "links": links})
            .to_string();
    let mut host = RouteHost::new(vec![
        ("/student?deleted=true", b"[]".to_vec()),
        ("/student", b"[]".to_vec()),
    ]);
    let (out, time, peak) = run("students.preview", &input, &mut host);
    assert_eq!(
        out["plan"]["stale_links"].as_array().unwrap().len(),
        N as usize
    );
    assert_eq!(out["plan"]["counts"]["add"], N);
    println!(
        "stale links: 100,000 stale links x 100,000 plan entries (students.preview): {:.0} ms, peak {:.0} MiB",
        time.as_secs_f64() * 1e3,
        mib(peak)
    );
}

/// `courses.list`: 100,000 courses on one connection, 100,000 mappings (half of them
/// on the listed courses, half on other connections).
fn courses_list() {
    let courses: Vec<Value> = (0..N)
        .map(|i| json!({"courseId": i, "name": format!("Course {}", N - i), "lmsEnabled": i % 2 == 0}))
        .collect();
    let mappings: Vec<Value> = (0..N)
        .map(|i| {
            json!({"mapping_id": i, "connection_id": if i % 2 == 0 { 1 } else { 2 + i }, "course_id": i, "moodle_course_id": 10 + i})
        })
        .collect();
    let mut conn = connection();
    conn["connection_id"] = json!(1);
    let input = json!({"connections": [conn], "mappings": mappings}).to_string();
    let mut host = RouteHost::new(vec![("/v2/course", serde_json::to_vec(&courses).unwrap())]);
    let (out, time, peak) = run("courses.list", &input, &mut host);
    let listed = out["connections"][0]["courses"].as_array().unwrap();
    assert_eq!(listed.len(), N as usize);
    let mapped = listed.iter().filter(|c| !c["mapped_to"].is_null()).count();
    assert_eq!(mapped, N as usize / 2);
    println!(
        "courses.list: 100,000 courses x 100,000 mappings: {:.0} ms, peak {:.0} MiB",
        time.as_secs_f64() * 1e3,
        mib(peak)
    );
}

/// `mappings.check`: 100,000 mappings on one connection against its 100,000 courses
/// (a tenth of them deleted), then 100,000 connections against 100,000 mappings whose
/// connection is gone (the orphan loop).
fn mappings_check() {
    let courses: Vec<Value> = (0..N)
        .filter(|i| i % 10 != 0)
        .map(|i| json!({"courseId": i, "name": format!("Course {i}"), "lmsEnabled": i % 3 != 0}))
        .collect();
    let instance = json!({"instanceId": "i", "displayName": "Bench", "lmsEnabled": true});
    let mappings: Vec<Value> = (0..N)
        .map(|i| json!({"mapping_id": N - i, "connection_id": 1, "course_id": i, "moodle_course_id": i}))
        .collect();
    let mut conn = connection();
    conn["connection_id"] = json!(1);
    let input = json!({"connections": [conn], "mappings": mappings}).to_string();
    let mut host = RouteHost::new(vec![
        ("/v2/instance", instance.to_string().into_bytes()),
        ("/v2/course", serde_json::to_vec(&courses).unwrap()),
    ]);
    let (out, time, peak) = run("mappings.check", &input, &mut host);
    let checked = out["mappings"].as_array().unwrap();
    assert_eq!(checked.len(), N as usize);
    let deleted = checked
        .iter()
        .filter(|m| m["status"] == "course_deleted")
        .count();
    assert_eq!(deleted, N as usize / 10);
    println!(
        "mappings.check: 100,000 mappings x 100,000 courses on one connection: {:.0} ms, peak {:.0} MiB",
        time.as_secs_f64() * 1e3,
        mib(peak)
    );

    let connections: Vec<Value> = (0..N)
        .map(|i| json!({"connection_id": i, "api_url": "http://bench.invalid", "token": "t"}))
        .collect();
    let orphans: Vec<Value> = (0..N)
        .map(|i| json!({"mapping_id": i, "connection_id": N + i, "course_id": i}))
        .collect();
    let input = json!({"connections": connections, "mappings": orphans}).to_string();
    let mut host = RouteHost::new(vec![]);
    let (out, time, peak) = run("mappings.check", &input, &mut host);
    let checked = out["mappings"].as_array().unwrap();
    assert_eq!(checked.len(), N as usize);
    assert!(checked.iter().all(|m| m["status"] == "connection_failing"));
    assert_eq!(host.calls, 0);
    println!(
        "mappings.check: 100,000 connections x 100,000 mappings whose connection is gone: {:.0} ms (100,000 progress steps included), peak {:.0} MiB",
        time.as_secs_f64() * 1e3,
        mib(peak)
    );
}

/// A roster of `n` minimal kuraCloud students: `{"studentId":N,"email":"sN@x.io"}`.
fn minimal_roster(n: i64) -> Vec<u8> {
    let mut out = String::with_capacity(n as usize * 40);
    out.push('[');
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        write!(out, r#"{{"studentId":{},"email":"s{}@x.io"}}"#, i + 1, i).unwrap();
    }
    out.push(']');
    out.into_bytes()
}

/// Peak module memory for a roster of 1,000,000 minimal students: the grade sync
/// (which plans the student sync first; every student is to be deleted, so it stops
/// there with a small outcome) and the preview (whose outcome lists every student).
fn roster_memory() {
    const STUDENTS: i64 = 1_000_000;
    let body = minimal_roster(STUDENTS);
    let input = json!({"connection": connection(), "course_id": 1, "students": []}).to_string();
    for workflow in ["grades.sync", "students.preview"] {
        let mut host = RouteHost::new(vec![
            ("/student?deleted=true", b"[]".to_vec()),
            ("/student", body.clone()),
        ]);
        let (out, size, time, peak) = run_sized(workflow, &input, &mut host);
        let deletes = if workflow == "grades.sync" {
            &out["student_counts"]["delete"]
        } else {
            &out["plan"]["counts"]["delete"]
        };
        assert_eq!(*deletes, STUDENTS);
        println!(
            "{workflow}: roster of 1,000,000 minimal students ({:.1} MB of JSON): {:.0} ms, peak module memory {:.0} MiB = {:.0} bytes per student = {:.1} x the body; outcome {:.1} MB ({:.1} x the body)",
            body.len() as f64 / 1e6,
            time.as_secs_f64() * 1e3,
            mib(peak),
            peak as f64 / STUDENTS as f64,
            peak as f64 / body.len() as f64,
            size as f64 / 1e6,
            size as f64 / body.len() as f64
        );
    }
}

/// Peak module memory for an export of 3,000,000 grades (30 revisions x 100,000
/// students), every student linked and enrolled: 3,000,000 grades to write.
fn export_memory() {
    const STUDENTS: i64 = 100_000;
    const REVISIONS: i64 = 30;
    let mut export = String::new();
    export.push('[');
    for r in 0..REVISIONS {
        if r > 0 {
            export.push(',');
        }
        write!(
            export,
            r#"{{"publishedLessonId":{r},"publishedLessonTitle":"Lab {r}","gradedPublishedRevisions":[{{"publishedRevisionId":{r},"questions":[{{"questionId":1,"maxGrade":10}}],"studentGrades":["#
        )
        .unwrap();
        for s in 0..STUDENTS {
            if s > 0 {
                export.push(',');
            }
            write!(
                export,
                r#"{{"studentId":{s},"gradeOffset":null,"questionGrades":[{{"questionId":1,"questionGrade":{}}}]}}"#,
                (s + r) % 11
            )
            .unwrap();
        }
        export.push_str("]}]}");
    }
    export.push(']');
    let students: Vec<Value> = (0..STUDENTS)
        .map(|i| json!({"user_id": i, "email": format!("s{i}@x.io")}))
        .collect();
    let links: Vec<Value> = (0..STUDENTS)
        .map(|i| json!({"user_id": i, "student_id": i}))
        .collect();
    let roster: Vec<Value> = (0..STUDENTS)
        .map(|i| json!({"studentId": i, "email": format!("s{i}@x.io")}))
        .collect();
    let input =
        json!({"connection": connection(), "course_id": 1, "students": students, "links": links,
                       "poll": {"initial_ms": 1}})
        .to_string();
    let mut host = RouteHost::new(vec![
        ("/student?deleted=true", b"[]".to_vec()),
        ("/student", serde_json::to_vec(&roster).unwrap()),
        ("/exportgrades.json", br#"{"taskToken":"t1"}"#.to_vec()),
        ("/download", export.clone().into_bytes()),
        ("/t1", br#"{"status":"SUCCEEDED"}"#.to_vec()),
    ]);
    let (out, time, peak) = run("grades.sync", &input, &mut host);
    assert_eq!(out["totals"]["write"], STUDENTS * REVISIONS);
    let grades = (STUDENTS * REVISIONS) as f64;
    println!(
        "grades.sync: export of 3,000,000 grades ({:.0} MB of JSON, 100,000 students): {:.0} ms, peak module memory {:.0} MiB = {:.0} bytes per grade = {:.2} x the export",
        export.len() as f64 / 1e6,
        time.as_secs_f64() * 1e3,
        mib(peak),
        peak as f64 / grades,
        peak as f64 / export.len() as f64
    );
}

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let cases: [(&str, fn()); 5] = [
        ("stale-links", stale_links),
        ("courses-list", courses_list),
        ("mappings-check", mappings_check),
        ("roster-memory", roster_memory),
        ("export-memory", export_memory),
    ];
    for (name, case) in cases {
        if only.is_empty() || only.iter().any(|o| o == name) {
            case();
        }
    }
}
