//! Native profiling aid: the 5,000-student preview through the same ABI handlers.
use serde_json::json;
use std::time::Instant;
fn main() {
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
    let resp = |body: &[u8]| {
        let mut v = br#"{"status":200,"body_follows":true}"#.to_vec();
        v.push(b'\n');
        v.extend_from_slice(body);
        v
    };
    let (ra, rd) = (resp(&a), resp(&d));
    let mut out_len = 0;
    let t = Instant::now();
    for _ in 0..n {
        kuracloud_wasm::handle_start(input.as_bytes());
        kuracloud_wasm::handle_resume(b"{}".to_vec());
        kuracloud_wasm::handle_resume(ra.clone());
        kuracloud_wasm::handle_resume(b"{}".to_vec());
        kuracloud_wasm::handle_resume(rd.clone());
        let out = kuracloud_wasm::handle_resume(b"{}".to_vec());
        out_len = out.len();
    }
    println!(
        "{:?} per preview, outcome {} bytes",
        t.elapsed() / n as u32,
        out_len
    );
}
