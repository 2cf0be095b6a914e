//! The 5,000-student preview's data, shared by the benchmark (`workflows.rs`), the
//! per-step example (`examples/preview_steps.rs`) and the native profiling example
//! (`wasm/examples/native_preview.rs`), so their figures are about the same work.
#![allow(dead_code)] // each user takes what it needs

use serde_json::{json, Value};

pub fn kc_student(id: i64, email: &str, given: &str) -> Value {
    json!({"studentId": id, "email": email, "givenName": given, "familyName": "Bench", "inviteComplete": true,
           "createdDate": 1, "externalStudentId": format!("ID{id}"), "section": "Lab A"})
}

pub fn moodle_student(i: i64) -> Value {
    json!({"user_id": i, "email": format!("s{i}@uni.example"), "first_name": "Student", "last_name": "Bench",
           "idnumber": format!("ID{i}"), "groups": ["Lab A"]})
}

/// 5,000 Moodle students against 4,800 active and 200 deleted kuraCloud students:
/// 4,000 unchanged, 300 updates, 200 email changes, 200 restores, 300 adds, 300 deletes.
pub struct PreviewData {
    /// The workflow input (Moodle snapshot and links).
    pub input: String,
    /// kuraCloud's answer to the active roster read.
    pub active_body: Vec<u8>,
    /// kuraCloud's answer to the deleted roster read.
    pub deleted_body: Vec<u8>,
}

impl PreviewData {
    pub fn generate() -> Self {
        let moodle: Vec<Value> = (0..5000).map(moodle_student).collect();
        let mut active = Vec::new();
        let mut deleted = Vec::new();
        let mut links = Vec::new();
        for i in 0..5000i64 {
            let email = format!("s{i}@uni.example");
            match i {
                0..4000 => active.push(kc_student(i, &email, "Student")),
                4000..4300 => active.push(kc_student(i, &email, "Renamed")),
                4300..4500 => active.push(kc_student(i, &format!("old{i}@uni.example"), "Student")),
                4500..4700 => deleted.push(kc_student(i, &email, "Student")),
                _ => {}
            }
            if i < 4700 {
                links.push(json!({"user_id": i, "student_id": i}));
            }
        }
        for i in 0..300i64 {
            active.push(kc_student(10_000 + i, &format!("x{i}@uni.example"), "Gone"));
        }
        let input =
            json!({"connection": {"api_url": "http://bench.invalid", "token": "t"}, "course_id": 1,
                           "students": moodle, "links": links})
            .to_string();
        Self {
            input,
            active_body: serde_json::to_vec(&active).unwrap(),
            deleted_body: serde_json::to_vec(&deleted).unwrap(),
        }
    }

    /// The start request as hosts send it: the workflow name first.
    pub fn start_request(&self) -> String {
        format!(
            r#"{{"workflow":"students.preview","input":{}}}"#,
            self.input
        )
    }
}
