//! Benchmarks of the module under wasmtime (not timed tests): a 5,000-student preview
//! and a 400,000-grade sync, with kuraCloud answered from memory so the figures are the
//! module's own; then HTTP calls per preview and apply against the real simulator.
//!
//! Run: `scripts/bench.sh` (or `cargo bench -p kuracloud-host-runner` after
//! `scripts/build-wasm.sh`).

use kuracloud_host_runner::sim::sample::sample_state;
use kuracloud_host_runner::sim::Simulator;
use kuracloud_host_runner::{
    default_module_path, run_workflow, EffectHost, HttpAnswer, HttpCall, KcModule, Limits,
    RunOutcome, UreqHost,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[path = "common/preview_data.rs"]
mod preview_data;
use preview_data::{kc_student, moodle_student, PreviewData};

/// Answers kuraCloud from prepared bodies.
struct MemoryHost {
    routes: Vec<(&'static str, Vec<u8>)>,
    calls: usize,
    /// Time spent answering (copying bodies), to tell the module's own time apart.
    host_time: Duration,
}

impl EffectHost for MemoryHost {
    fn http(&mut self, call: &HttpCall) -> HttpAnswer {
        let start = Instant::now();
        self.calls += 1;
        let answer = match self
            .routes
            .iter()
            .find(|(suffix, _)| call.url.ends_with(suffix))
        {
            Some((_, body)) => HttpAnswer::Response {
                status: 200,
                body: body.clone(),
            },
            None => HttpAnswer::Response {
                status: 404,
                body: br#"{"message":"bench: no route"}"#.to_vec(),
            },
        };
        self.host_time += start.elapsed();
        answer
    }
    fn sleep(&mut self, _ms: u64) {}
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench_preview(module: &KcModule) {
    let PreviewData {
        input,
        active_body,
        deleted_body,
    } = PreviewData::generate();
    let mut times = Vec::new();
    let mut module_times = Vec::new();
    let mut peak = 0;
    let mut counts = Value::Null;
    for _ in 0..15 {
        let mut host = MemoryHost {
            routes: vec![
                ("/student?deleted=true", deleted_body.clone()),
                ("/student", active_body.clone()),
            ],
            calls: 0,
            host_time: Duration::ZERO,
        };
        let mut instance = module.instantiate(Limits::default()).unwrap();
        let start = Instant::now();
        let out = run_workflow(&mut instance, "students.preview", &input, &mut host).unwrap();
        times.push(start.elapsed());
        module_times.push(start.elapsed() - host.host_time);
        peak = peak.max(instance.memory_bytes());
        let RunOutcome::Done(json) = out else {
            panic!("preview failed: {out:?}")
        };
        counts = serde_json::from_str::<Value>(&json).unwrap()["plan"]["counts"].clone();
    }
    println!(
        "students.preview 5,000 Moodle x 5,000 kuraCloud students: median {:.1} ms in the module (min {:.1} ms; {:.1} ms with the host's body copies), peak module memory {:.1} MiB",
        median(module_times.clone()).as_secs_f64() * 1e3,
        module_times.iter().min().unwrap().as_secs_f64() * 1e3,
        median(times.clone()).as_secs_f64() * 1e3,
        peak as f64 / (1 << 20) as f64
    );
    println!("  plan counts: {counts}");
    println!(
        "  input {} KiB, kuraCloud bodies {} KiB",
        input.len() / 1024,
        (active_body.len() + deleted_body.len()) / 1024
    );
}

/// 200 revisions x 2,000 students, 3 questions each; half the items exist in Moodle
/// with every grade recorded (a typical second sync).
fn bench_grades(module: &KcModule) {
    const STUDENTS: i64 = 2000;
    const REVISIONS: i64 = 200;
    let moodle: Vec<Value> = (0..STUDENTS).map(moodle_student).collect();
    let links: Vec<Value> = (0..STUDENTS)
        .map(|i| json!({"user_id": i, "student_id": i}))
        .collect();
    let active: Vec<Value> = (0..STUDENTS)
        .map(|i| kc_student(i, &format!("s{i}@uni.example"), "Student"))
        .collect();
    let mut lessons = Vec::new();
    let mut items = Vec::new();
    for r in 0..REVISIONS {
        let grades: Vec<Value> = (0..STUDENTS)
            .map(|s| {
                let g = ((s + r) % 11) as f64 / 2.0;
                json!({"studentId": s, "gradeOffset": if s % 7 == 0 { json!(0.5) } else { Value::Null },
                       "questionGrades": [{"questionId": 1, "questionGrade": g}, {"questionId": 2, "questionGrade": if s % 5 == 0 { Value::Null } else { json!(1.0) }},
                                          {"questionId": 3, "questionGrade": 2.0}]})
            })
            .collect();
        lessons.push(json!({"publishedContentId": 1, "publishedLessonId": 1000 + r / 4, "publishedLessonTitle": "Lesson",
            "gradedPublishedRevisions": [{"publishedRevisionId": r, "publishedRevisionTitle": format!("Revision {r}"),
                "questions": [{"questionId": 1, "maxGrade": 5.0}, {"questionId": 2, "maxGrade": 1.0}, {"questionId": 3, "maxGrade": 4.0}],
                "studentGrades": grades}]}));
        if r % 2 == 0 {
            let state: Vec<Value> = (0..STUDENTS)
                .map(|s| {
                    let g = ((s + r) % 11) as f64 / 2.0
                        + if s % 5 == 0 { 0.0 } else { 1.0 }
                        + 2.0
                        + if s % 7 == 0 { 0.5 } else { 0.0 };
                    let g = g.min(10.0);
                    json!({"user_id": s, "current": g, "last_written": g})
                })
                .collect();
            items.push(json!({"lesson_id": 1000 + r / 4, "revision_id": r, "item_id": r, "name": format!("Revision {r}"),
                              "grademax": 10.0, "grades": state}));
        }
    }
    let download = serde_json::to_vec(&lessons).unwrap();
    let input =
        json!({"connection": {"api_url": "http://bench.invalid", "token": "t"}, "course_id": 1,
                       "students": moodle, "links": links, "items": items})
        .to_string();
    let active_body = serde_json::to_vec(&active).unwrap();
    let mut times = Vec::new();
    let mut peak = 0;
    let mut totals = Value::Null;
    for _ in 0..5 {
        let mut host = MemoryHost {
            routes: vec![
                ("/student?deleted=true", b"[]".to_vec()),
                ("/student", active_body.clone()),
                ("/exportgrades.json", br#"{"taskToken":"t1"}"#.to_vec()),
                (
                    "/exportgrades.json/t1",
                    br#"{"status":"SUCCEEDED"}"#.to_vec(),
                ),
                ("/t1/download", download.clone()),
            ],
            calls: 0,
            host_time: Duration::ZERO,
        };
        let mut instance = module.instantiate(Limits::default()).unwrap();
        let start = Instant::now();
        let out = run_workflow(&mut instance, "grades.sync", &input, &mut host).unwrap();
        times.push(start.elapsed());
        peak = peak.max(instance.memory_bytes());
        let RunOutcome::Done(json) = out else {
            panic!("grades failed: {out:?}")
        };
        totals = serde_json::from_str::<Value>(&json).unwrap()["totals"].clone();
    }
    println!(
        "grades.sync 200 revisions x 2,000 students (400,000 grades): median {:.0} ms, min {:.0} ms, peak module memory {:.1} MiB",
        median(times.clone()).as_secs_f64() * 1e3,
        times.iter().min().unwrap().as_secs_f64() * 1e3,
        peak as f64 / (1 << 20) as f64
    );
    println!("  totals: {totals}");
    println!(
        "  download {:.1} MiB, Moodle grade state input {:.1} MiB",
        download.len() as f64 / 1048576.0,
        input.len() as f64 / 1048576.0
    );
}

/// HTTP calls per preview and apply, against the real simulator, for growing courses.
fn bench_calls(module: &KcModule) {
    for n in [50i64, 500, 5000] {
        let mut state = sample_state();
        let course = &mut state.instances[0].courses[0];
        course.lms_enabled = true;
        course.students.clear();
        let sim = Simulator::start(0, state, None).unwrap();
        let conn = json!({"api_url": sim.url(), "token": "demo-token"});
        let moodle: Vec<Value> = (0..n).map(moodle_student).collect();
        let input = json!({"connection": conn, "course_id": 101, "students": moodle});
        let run = |workflow: &str, input: &Value| {
            let mut instance = module.instantiate(Limits::default()).unwrap();
            let mut host = UreqHost::new(false);
            let out = run_workflow(&mut instance, workflow, &input.to_string(), &mut host)
                .unwrap()
                .done()
                .unwrap();
            (out, host.requests)
        };
        let (preview, preview_calls) = run("students.preview", &input);
        let mut apply = input.clone();
        apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
        let start = Instant::now();
        let (out, apply_calls) = run("students.apply", &apply);
        let elapsed = start.elapsed();
        assert_eq!(out["status"], "applied");
        println!(
            "{n:>5} students invited: preview {preview_calls} HTTP calls, apply {apply_calls} HTTP calls (2 reads + invites in batches of 200), apply {:.0} ms end to end",
            elapsed.as_secs_f64() * 1e3
        );

        // The next sync of the same course, a few changes later: three renamed, one
        // unenrolled, two enrolled. Its calls do not depend on the course's size.
        let mut moodle = moodle;
        for m in moodle.iter_mut().take(3) {
            m["last_name"] = json!("Renamed");
        }
        moodle.pop();
        moodle.extend((0..2).map(|i| moodle_student(100_000 + i)));
        let links: Vec<Value> = out["links_store"].as_array().unwrap().clone();
        let input =
            json!({"connection": conn, "course_id": 101, "students": moodle, "links": links});
        let (preview, preview_calls) = run("students.preview", &input);
        let mut apply = input.clone();
        apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
        let (out, apply_calls) = run("students.apply", &apply);
        assert_eq!(out["status"], "applied");
        let c = &preview["plan"]["counts"];
        println!(
            "{n:>5} students, next sync ({} updates, {} adds, {} deletes): preview {preview_calls} HTTP calls, apply {apply_calls} HTTP calls (2 reads + one edit, one invite, one delete)",
            c["update"], c["add"], c["delete"]
        );
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let path = default_module_path();
    let load_start = Instant::now();
    let module =
        KcModule::load(&path, None).expect("build the module first: scripts/build-wasm.sh");
    println!(
        "module {} ({} KiB), compiled by wasmtime in {:.0} ms",
        path.display(),
        std::fs::metadata(&path).unwrap().len() / 1024,
        load_start.elapsed().as_secs_f64() * 1e3
    );
    bench_preview(&module);
    bench_grades(&module);
    bench_calls(&module);
}
