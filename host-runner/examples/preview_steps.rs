//! Per-step timing of a 5,000-student preview in the module (the same data as the
//! benchmark): `cargo run --release -p kuracloud-host-runner --example preview_steps -- 5`.
use kuracloud_host_runner::{default_module_path, KcModule, Limits};
use serde_json::json;
use std::time::Instant;
fn main() {
    let module = KcModule::load(&default_module_path(), None).unwrap();
    let moodle: Vec<_> = (0..5000).map(|i| json!({"user_id": i, "email": format!("s{i}@uni.example"), "first_name": "Student", "last_name": "Bench", "idnumber": format!("ID{i}"), "groups": ["Lab A"]})).collect();
    let mut active = vec![];
    let mut deleted = vec![];
    for i in 0..5000 {
        let (email, given) = match i {
            0..4000 => (format!("s{i}@uni.example"), "Student"),
            4000..4300 => (format!("s{i}@uni.example"), "Renamed"),
            4300..4500 => (format!("old{i}@uni.example"), "Student"),
            _ => (format!("s{i}@uni.example"), "Student"),
        };
        let s = json!({"studentId": i, "email": email, "givenName": given, "familyName": "Bench", "inviteComplete": true, "createdDate": 1, "externalStudentId": format!("ID{i}"), "section": "Lab A"});
        if (4500..4700).contains(&i) {
            deleted.push(s)
        } else if i < 4700 {
            active.push(s)
        }
    }
    // Active students no Moodle user matches: deleted.
    for i in 0..300 {
        active.push(json!({"studentId": 10_000 + i, "email": format!("x{i}@uni.example"), "givenName": "Gone", "familyName": "Bench", "inviteComplete": true, "createdDate": 1, "externalStudentId": format!("ID{}", 10_000 + i), "section": "Lab A"}));
    }
    let links: Vec<_> = (0..4700)
        .map(|i| json!({"user_id": i, "student_id": i}))
        .collect();
    // As hosts send it: the workflow name first.
    let input = format!(
        r#"{{"workflow":"students.preview","input":{}}}"#,
        json!({"connection": {"api_url": "http://x.example", "token": "t"}, "course_id": 1, "students": moodle, "links": links})
    );
    let a = serde_json::to_vec(&active).unwrap();
    let d = serde_json::to_vec(&deleted).unwrap();
    let n: usize = std::env::args()
        .nth(1)
        .map(|x| x.parse().unwrap())
        .unwrap_or(5);
    for _ in 0..n {
        let mut inst = module.instantiate(Limits::default()).unwrap();
        let t = Instant::now();
        inst.start(input.as_bytes()).unwrap();
        let t1 = t.elapsed();
        let m1 = inst.memory_bytes();
        inst.resume(b"{}").unwrap();
        inst.resume_http(200, &a).unwrap();
        let t2 = t.elapsed();
        let m2 = inst.memory_bytes();
        inst.resume(b"{}").unwrap();
        inst.resume_http(200, &d).unwrap();
        let t3 = t.elapsed();
        inst.resume(b"{}").unwrap();
        let t4 = t.elapsed();
        let m4 = inst.memory_bytes();
        if n <= 5 {
            println!(
                "start {:?} active {:?} deleted {:?} plan+out {:?} total {:?}",
                t1,
                t2 - t1,
                t3 - t2,
                t4 - t3,
                t4
            );
            let mib = |b: usize| b as f64 / (1 << 20) as f64;
            println!(
                "  module memory after start {:.1} MiB, active {:.1} MiB, done {:.1} MiB",
                mib(m1),
                mib(m2),
                mib(m4)
            );
        }
    }
}
