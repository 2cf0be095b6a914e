//! One kuraCloud course in memory, answering the API v2 routes the student and grade
//! workflows use with the simulator's rules (`host-runner/src/sim/routes.rs`): the
//! roster (active and deleted), invites, edits, deletes and restores, and the
//! asynchronous grade export. Faults are injected per route.

use super::{path, status, Host, TOKEN};
use kuracloud_core::api::Student;
use kuracloud_core::effect::{EffectResult, HttpRequest};
use serde_json::{json, Value};

/// Where an export ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Export {
    /// `SUCCEEDED` after this many polls answered `IN_PROGRESS`.
    Succeed(u32),
    Fail,
    Never,
}

/// An answer put in place of a route's own.
#[derive(Debug, Clone)]
pub struct Fault {
    pub route: &'static str,
    /// This status with `{"message": ...}`; `None`: a 200 whose body is no JSON.
    pub status: Option<(u16, &'static str)>,
    /// Perform the real operation first: the write happens, its answer is lost.
    pub after: bool,
    /// Let this many matching requests through first.
    pub skip: u32,
    /// Apply this many times, then disappear (forever when `None`).
    pub times: Option<u32>,
}

impl Fault {
    /// `route` answers `code` with `message` from now on.
    pub fn status(route: &'static str, code: u16, message: &'static str) -> Self {
        Self {
            route,
            status: Some((code, message)),
            after: false,
            skip: 0,
            times: None,
        }
    }

    /// `route` answers 200 with a body that is no JSON.
    pub fn malformed(route: &'static str) -> Self {
        Self {
            status: None,
            ..Self::status(route, 200, "")
        }
    }
}

/// The course, its roster and lessons, and what was asked of it.
pub struct Kc {
    pub course_id: i64,
    pub lms_enabled: bool,
    /// Every student, with whether kuraCloud deleted it.
    pub students: Vec<(Student, bool)>,
    /// Lessons as the export download lists them.
    pub lessons: Vec<Value>,
    pub export: Export,
    /// Every invite email sent.
    pub invites: Vec<String>,
    /// Every request's route name, in order.
    pub log: Vec<&'static str>,
    pub faults: Vec<Fault>,
    next_id: i64,
    exports: Vec<u32>,
}

/// A kuraCloud student, invite accepted.
pub fn student(id: i64, email: &str, given: &str, family: &str) -> Student {
    Student {
        student_id: id,
        email: email.into(),
        given_name: given.into(),
        family_name: family.into(),
        invite_complete: true,
        created_date: 1,
        external_student_id: String::new(),
        section: String::new(),
    }
}

impl Kc {
    /// Course `course_id`, LMS enabled, holding `active` and `deleted` students.
    pub fn new(course_id: i64, active: Vec<Student>, deleted: Vec<Student>) -> Self {
        let students = active
            .into_iter()
            .map(|s| (s, false))
            .chain(deleted.into_iter().map(|s| (s, true)))
            .collect();
        Self {
            course_id,
            lms_enabled: true,
            students,
            lessons: vec![],
            export: Export::Succeed(0),
            invites: vec![],
            log: vec![],
            faults: vec![],
            next_id: 100_000,
            exports: vec![],
        }
    }

    /// The roster, active or deleted, in kuraCloud's order.
    pub fn roster(&self, deleted: bool) -> Vec<&Student> {
        self.students
            .iter()
            .filter(|(_, d)| *d == deleted)
            .map(|(s, _)| s)
            .collect()
    }

    /// The active students' emails, lowercased and sorted.
    pub fn active_emails(&self) -> Vec<String> {
        let mut emails: Vec<String> = self
            .roster(false)
            .iter()
            .map(|s| s.email.to_lowercase())
            .collect();
        emails.sort();
        emails
    }

    /// How many requests went to `route`.
    pub fn calls(&self, route: &str) -> usize {
        self.log.iter().filter(|r| **r == route).count()
    }

    fn take_fault(&mut self, route: &str) -> Option<Fault> {
        let index = self.faults.iter_mut().position(|f| {
            if f.route != route {
                return false;
            }
            if f.skip > 0 {
                f.skip -= 1;
                return false;
            }
            true
        })?;
        let fault = self.faults[index].clone();
        if let Some(times) = self.faults[index].times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                self.faults.remove(index);
            }
        }
        Some(fault)
    }

    fn answer(&mut self, route: &'static str, segments: &[&str], body: &str) -> EffectResult {
        let Some(course) = segments.get(1).and_then(|s| s.parse::<i64>().ok()) else {
            return status(400, "courseId must be an integer");
        };
        if course != self.course_id {
            return status(404, "Course not found");
        }
        let body: Option<Value> = serde_json::from_str(body).ok();
        let writes = matches!(
            route,
            "student.add" | "student.edit" | "student.delete" | "student.restore"
        );
        if writes && !self.lms_enabled {
            return status(403, "LMS integration is not enabled for this course");
        }
        match route {
            "student.list" => self.list(false),
            "student.list_deleted" => self.list(true),
            "student.add" => self.add(body),
            "student.edit" => self.edit(body),
            "student.delete" => self.set_deleted(body, true),
            "student.restore" => self.set_deleted(body, false),
            "export.start" => {
                self.exports.push(0);
                super::ok(&json!({ "taskToken": format!("task-{course}-{}", self.exports.len()) }))
            }
            "export.progress" | "export.download" => self.export_step(route, segments),
            _ => status(404, "Not Found"),
        }
    }

    fn list(&self, deleted: bool) -> EffectResult {
        super::ok(&serde_json::to_value(self.roster(deleted)).unwrap())
    }

    fn add(&mut self, body: Option<Value>) -> EffectResult {
        let items = match body {
            Some(Value::Array(a)) => a,
            Some(o @ Value::Object(_)) => vec![o],
            _ => return status(400, "Body must be a JSON array"),
        };
        let mut new = Vec::new();
        for item in &items {
            let field = |k: &str| item[k].as_str().unwrap_or("").to_string();
            let email = field("email").trim().to_string();
            if !email.contains('@') {
                return status(400, "Each student needs a valid email");
            }
            let taken = self
                .roster(false)
                .iter()
                .any(|s| s.email.eq_ignore_ascii_case(&email));
            let twice = items
                .iter()
                .filter(|i| {
                    i["email"]
                        .as_str()
                        .is_some_and(|e| e.trim().eq_ignore_ascii_case(&email))
                })
                .count()
                > 1;
            if taken || twice {
                return status(
                    400,
                    "A student with this email already exists in this course",
                );
            }
            let mut s = student(0, &email, &field("givenName"), &field("familyName"));
            s.external_student_id = field("externalStudentId");
            s.section = field("section");
            s.invite_complete = false;
            new.push(s);
        }
        let mut out = Vec::new();
        for mut s in new {
            self.next_id += 1;
            s.student_id = self.next_id;
            s.created_date = 1_750_000_000_000 + self.next_id;
            self.invites.push(s.email.clone());
            out.push(s.clone());
            self.students.push((s, false));
        }
        super::ok(&serde_json::to_value(out).unwrap())
    }

    fn edit(&mut self, body: Option<Value>) -> EffectResult {
        let Some(Value::Array(items)) = body else {
            return status(400, "Body must be a JSON array");
        };
        let mut edits = Vec::new();
        for item in &items {
            let Some(id) = item["studentId"].as_i64() else {
                return status(400, "Each student needs an integer studentId");
            };
            let Some(index) = self
                .students
                .iter()
                .position(|(s, d)| s.student_id == id && !d)
            else {
                return status(404, &format!("Student {id} not found"));
            };
            if let Some(email) = item["email"].as_str() {
                if !email
                    .trim()
                    .eq_ignore_ascii_case(self.students[index].0.email.trim())
                {
                    return status(400, "A student's email cannot be changed");
                }
            }
            edits.push((index, item));
        }
        let mut out = Vec::new();
        for (index, item) in edits {
            let s = &mut self.students[index].0;
            for (key, field) in [
                ("givenName", &mut s.given_name),
                ("familyName", &mut s.family_name),
                ("externalStudentId", &mut s.external_student_id),
                ("section", &mut s.section),
            ] {
                if let Some(v) = item[key].as_str() {
                    *field = v.to_string();
                }
            }
            out.push(s.clone());
        }
        super::ok(&serde_json::to_value(out).unwrap())
    }

    fn set_deleted(&mut self, body: Option<Value>, deleted: bool) -> EffectResult {
        let Some(Value::Array(items)) = body else {
            return status(400, "Body must be a JSON array");
        };
        let mut indexes = Vec::new();
        for item in &items {
            // studentIdObject, never a bare integer.
            let Some(id) = item["studentId"].as_i64() else {
                return status(400, "Expected an array of studentIdObject");
            };
            let Some(index) = self.students.iter().position(|(s, _)| s.student_id == id) else {
                return status(404, &format!("Student {id} not found"));
            };
            indexes.push(index);
        }
        for index in indexes {
            self.students[index].1 = deleted;
        }
        EffectResult::http(200, "")
    }

    fn export_step(&mut self, route: &str, segments: &[&str]) -> EffectResult {
        let token = segments.get(4).copied().unwrap_or("");
        let number = token
            .rsplit('-')
            .next()
            .and_then(|n| n.parse::<usize>().ok());
        let Some(polls) = number.and_then(|n| self.exports.get_mut(n.wrapping_sub(1))) else {
            return status(404, "Task not found");
        };
        let ready = matches!(self.export, Export::Succeed(n) if *polls > n);
        if route == "export.progress" {
            *polls += 1;
            let status = match self.export {
                Export::Fail => "FAILED",
                Export::Succeed(n) if *polls > n => "SUCCEEDED",
                _ => "IN_PROGRESS",
            };
            return super::ok(&json!({ "status": status }));
        }
        if !ready {
            return status(400, "Export is not ready");
        }
        super::ok(&Value::Array(self.lessons.clone()))
    }
}

/// The route's name, as the simulator names it.
fn route_name(method: &str, segments: &[&str], query: &str) -> &'static str {
    let deleted = query.split('&').any(|kv| kv == "deleted=true");
    match (method, segments) {
        ("GET", ["course", _, "student"]) if deleted => "student.list_deleted",
        ("GET", ["course", _, "student"]) => "student.list",
        ("POST", ["course", _, "student"]) => "student.add",
        ("POST", ["course", _, "student", "edit"]) => "student.edit",
        ("POST", ["course", _, "student", "delete"]) => "student.delete",
        ("POST", ["course", _, "student", "restore"]) => "student.restore",
        ("POST", ["course", _, "published", "exportgrades.json"]) => "export.start",
        ("GET", ["course", _, "published", "exportgrades.json", _]) => "export.progress",
        ("GET", ["course", _, "published", "exportgrades.json", _, "download"]) => {
            "export.download"
        }
        _ => "unknown",
    }
}

impl Host for Kc {
    fn http(&mut self, request: &HttpRequest) -> EffectResult {
        let token = request
            .headers
            .iter()
            .find(|(k, _)| k == "X-Kura-Token")
            .map(|(_, v)| v.as_str());
        if token != Some(TOKEN) {
            return status(403, "Invalid or revoked token");
        }
        let (path, query) = path(request).split_once('?').unwrap_or((path(request), ""));
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let route = route_name(&request.method, &segments, query);
        self.log.push(route);
        let body = request.body.as_deref().unwrap_or("");
        match self.take_fault(route) {
            None => self.answer(route, &segments, body),
            Some(fault) => {
                if fault.after {
                    self.answer(route, &segments, body);
                }
                match fault.status {
                    Some((code, message)) => status(code, message),
                    None => EffectResult::http(200, "{\"oops\u{0}<html>"),
                }
            }
        }
    }
}
