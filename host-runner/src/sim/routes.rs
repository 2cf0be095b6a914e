//! The API's routes and their rules, and the control API.

use super::faults::{Fault, ROUTES};
use super::state::*;
use super::{ExportConfig, Shared};
use serde_json::{json, Value};

type Answer = (u16, String);

fn message(status: u16, text: &str) -> Answer {
    (status, json!({ "message": text }).to_string())
}

fn ok<T: serde::Serialize>(value: &T) -> Answer {
    (200, serde_json::to_string(value).unwrap_or_default())
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}

fn wants_deleted(query: &str) -> bool {
    query
        .split('&')
        .any(|kv| kv.eq_ignore_ascii_case("deleted=true"))
}

/// The route's name, for faults and the log.
pub fn route_name(method: &str, path: &str, query: &str) -> String {
    let s = segments(path);
    let name = match (method, s.as_slice()) {
        ("GET", ["v2", "instance"]) => "instance.get",
        ("GET", ["v2", "course"]) => "course.list",
        ("GET", ["v2", "course", _]) => "course.get",
        ("PUT", ["v2", "course", _]) => "course.put",
        ("GET", ["v2", "course", _, "student"]) if wants_deleted(query) => "student.list_deleted",
        ("GET", ["v2", "course", _, "student"]) => "student.list",
        ("POST", ["v2", "course", _, "student"]) => "student.add",
        ("POST", ["v2", "course", _, "student", "edit"]) => "student.edit",
        ("POST", ["v2", "course", _, "student", "delete"]) => "student.delete",
        ("POST", ["v2", "course", _, "student", "restore"]) => "student.restore",
        ("POST", ["v2", "course", _, "published", "exportgrades.json"]) => "export.start",
        ("GET", ["v2", "course", _, "published", "exportgrades.json", _]) => "export.progress",
        ("GET", ["v2", "course", _, "published", "exportgrades.json", _, "download"]) => {
            "export.download"
        }
        _ => "unknown",
    };
    name.to_string()
}

/// Student as the API shows it (`studentUserOutput`).
fn student_out(s: &SimStudent) -> Value {
    json!({
        "studentId": s.student_id,
        "email": s.email,
        "givenName": s.given_name,
        "familyName": s.family_name,
        "inviteComplete": s.invite_complete,
        "createdDate": s.created_date,
        "externalStudentId": s.external_student_id,
        "section": s.section,
    })
}

fn course_out(c: &SimCourse) -> Value {
    json!({
        "courseId": c.course_id,
        "name": c.name,
        "courseCode": c.course_code,
        "lmsEnabled": c.lms_enabled,
        "lmsCourseName": c.lms_course_name,
    })
}

pub fn api(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &str,
    token: Option<&str>,
    body: &str,
) -> Answer {
    let mut guard = shared.state.lock().unwrap();
    let state = &mut *guard;
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return message(403, "Missing X-Kura-Token header");
    };
    let Some(ii) = state.instance_for_token(token) else {
        return message(403, "Invalid or revoked token");
    };
    let route = route_name(method, path, query);
    let s = segments(path);
    let export = shared.export.lock().unwrap().clone();
    let (answer, changed) = handle(state, ii, &route, &s, body, &export);
    if changed {
        shared.save(state);
    }
    answer
}

fn handle(
    state: &mut SimState,
    ii: usize,
    route: &str,
    s: &[&str],
    body: &str,
    export: &ExportConfig,
) -> (Answer, bool) {
    if route == "unknown" {
        return (message(404, "Not Found"), false);
    }
    if route == "instance.get" {
        let i = &state.instances[ii];
        return (
            ok(&json!({
                "instanceId": i.instance_id,
                "displayName": i.display_name,
                "gradingMode": i.grading_mode,
                "sidebarColour": i.sidebar_colour,
                "lmsEnabled": i.lms_enabled,
            })),
            false,
        );
    }
    if route == "course.list" {
        let list: Vec<Value> = state.instances[ii]
            .courses
            .iter()
            .filter(|c| !c.deleted)
            .map(course_out)
            .collect();
        return (ok(&list), false);
    }
    // Every other route is under /v2/course/{courseId}.
    let Ok(course_id) = s[2].parse::<i64>() else {
        return (message(400, "courseId must be an integer"), false);
    };
    let instance_lms = state.instances[ii].lms_enabled;
    let instance_id = state.instances[ii].instance_id.clone();
    let Some(ci) = state.instances[ii]
        .courses
        .iter()
        .position(|c| c.course_id == course_id && !c.deleted)
    else {
        return (message(404, "Course not found"), false);
    };
    let parsed: Option<Value> = if body.trim().is_empty() {
        None
    } else {
        match serde_json::from_str(body) {
            Ok(v) => Some(v),
            Err(_) => return (message(400, "Request body is not valid JSON"), false),
        }
    };
    let is_student_write = matches!(
        route,
        "student.add" | "student.edit" | "student.delete" | "student.restore"
    );
    if is_student_write {
        if !instance_lms {
            return (
                message(403, "LMS integration is not enabled for this instance"),
                false,
            );
        }
        if !state.instances[ii].courses[ci].lms_enabled {
            return (
                message(403, "LMS integration is not enabled for this course"),
                false,
            );
        }
    }
    match route {
        "course.get" => (ok(&course_out(&state.instances[ii].courses[ci])), false),
        "course.put" => {
            let Some(Value::Object(fields)) = parsed else {
                return (message(400, "Body must be a courseInput object"), false);
            };
            for (k, v) in &fields {
                let valid = match k.as_str() {
                    "lmsEnabled" => v.is_boolean(),
                    "name" | "courseCode" | "lmsCourseName" => v.is_string(),
                    _ => true,
                };
                if !valid {
                    return (message(400, &format!("Invalid value for {k}")), false);
                }
            }
            if fields.contains_key("lmsEnabled") && !instance_lms {
                return (
                    message(403, "LMS integration is not enabled for this instance"),
                    false,
                );
            }
            let c = &mut state.instances[ii].courses[ci];
            if let Some(v) = fields.get("lmsEnabled").and_then(Value::as_bool) {
                c.lms_enabled = v;
            }
            if let Some(v) = fields.get("name").and_then(Value::as_str) {
                c.name = v.into();
            }
            if let Some(v) = fields.get("courseCode").and_then(Value::as_str) {
                c.course_code = v.into();
            }
            if let Some(v) = fields.get("lmsCourseName").and_then(Value::as_str) {
                c.lms_course_name = v.into();
            }
            (ok(&course_out(c)), true)
        }
        "student.list" | "student.list_deleted" => {
            let deleted = route == "student.list_deleted";
            let list: Vec<Value> = state.instances[ii].courses[ci]
                .students
                .iter()
                .filter(|st| st.deleted == deleted)
                .map(student_out)
                .collect();
            (ok(&list), false)
        }
        "student.add" => add_students(state, ii, ci, &instance_id, parsed),
        "student.edit" => edit_students(&mut state.instances[ii].courses[ci], parsed),
        "student.delete" | "student.restore" => set_deleted(
            &mut state.instances[ii].courses[ci],
            parsed,
            route == "student.delete",
        ),
        "export.start" => {
            let token = format!("task-{}-{}", course_id, state.exports.len() + 1);
            state.exports.push(ExportTask {
                task_token: token.clone(),
                instance_id,
                course_id,
                polls: 0,
                outcome: export.outcome.clone(),
                polls_before_ready: export.polls_before_ready,
            });
            (ok(&json!({ "taskToken": token })), true)
        }
        "export.progress" | "export.download" => {
            let token = s[5];
            let Some(task) = state.exports.iter_mut().find(|t| {
                t.task_token == token && t.instance_id == instance_id && t.course_id == course_id
            }) else {
                return (message(404, "Task not found"), false);
            };
            if route == "export.progress" {
                task.polls += 1;
                let status = match task.outcome.as_str() {
                    "fail" => "FAILED",
                    "never" => "IN_PROGRESS",
                    _ if task.polls > task.polls_before_ready => "SUCCEEDED",
                    _ => "IN_PROGRESS",
                };
                return (ok(&json!({ "status": status })), true);
            }
            let ready = task.outcome == "succeed" && task.polls > task.polls_before_ready;
            if !ready {
                return (message(400, "Export is not ready"), false);
            }
            (
                ok(&export_download(&state.instances[ii].courses[ci])),
                false,
            )
        }
        _ => (message(404, "Not Found"), false),
    }
}

fn as_array(parsed: Option<Value>) -> Result<Vec<Value>, Answer> {
    match parsed {
        Some(Value::Array(a)) => Ok(a),
        _ => Err(message(400, "Body must be a JSON array")),
    }
}

fn str_field<'a>(
    o: &'a serde_json::Map<String, Value>,
    k: &str,
) -> Result<Option<&'a str>, Answer> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(message(400, &format!("{k} must be a string"))),
    }
}

fn add_students(
    state: &mut SimState,
    ii: usize,
    ci: usize,
    instance_id: &str,
    parsed: Option<Value>,
) -> (Answer, bool) {
    // The spec allows a single studentUserInput object too.
    let items = match parsed {
        Some(Value::Object(o)) => vec![Value::Object(o)],
        other => match as_array(other) {
            Ok(a) => a,
            Err(e) => return (e, false),
        },
    };
    let mut new = Vec::new();
    for item in &items {
        let Value::Object(o) = item else {
            return (
                message(400, "Each student must be a studentUserInput object"),
                false,
            );
        };
        let fields = (|| {
            let email = str_field(o, "email")?.map(str::trim).unwrap_or("");
            if email.is_empty() || !email.contains('@') {
                return Err(message(400, "Each student needs a valid email"));
            }
            Ok((
                email.to_string(),
                str_field(o, "givenName")?.unwrap_or("").to_string(),
                str_field(o, "familyName")?.unwrap_or("").to_string(),
                str_field(o, "externalStudentId")?.unwrap_or("").to_string(),
                str_field(o, "section")?.unwrap_or("").to_string(),
            ))
        })();
        match fields {
            Ok(f) => new.push(f),
            Err(e) => return (e, false),
        }
    }
    let course = &state.instances[ii].courses[ci];
    for (email, ..) in &new {
        let dup_in_course = course
            .students
            .iter()
            .any(|s| !s.deleted && s.email.eq_ignore_ascii_case(email));
        let dup_in_batch = new
            .iter()
            .filter(|n| n.0.eq_ignore_ascii_case(email))
            .count()
            > 1;
        if dup_in_course || dup_in_batch {
            return (
                message(
                    400,
                    &format!("A student with email {email} already exists in this course"),
                ),
                false,
            );
        }
    }
    let mut out = Vec::new();
    for (email, given, family, ext, section) in new {
        state.next_id += 1;
        let student = SimStudent {
            student_id: state.next_id,
            email: email.clone(),
            given_name: given,
            family_name: family,
            invite_complete: false,
            created_date: 1_750_000_000_000 + state.next_id,
            external_student_id: ext,
            section,
            deleted: false,
        };
        out.push(student_out(&student));
        state.invites.push(Invite {
            instance_id: instance_id.into(),
            course_id: state.instances[ii].courses[ci].course_id,
            student_id: student.student_id,
            email,
        });
        state.instances[ii].courses[ci].students.push(student);
    }
    (ok(&out), true)
}

fn edit_students(course: &mut SimCourse, parsed: Option<Value>) -> (Answer, bool) {
    let items = match as_array(parsed) {
        Ok(a) => a,
        Err(e) => return (e, false),
    };
    let mut edits = Vec::new();
    for item in &items {
        let Value::Object(o) = item else {
            return (
                message(400, "Each student must be an object with a studentId"),
                false,
            );
        };
        let Some(id) = o.get("studentId").and_then(Value::as_i64) else {
            return (
                message(400, "Each student needs an integer studentId"),
                false,
            );
        };
        let Some(index) = course
            .students
            .iter()
            .position(|s| s.student_id == id && !s.deleted)
        else {
            return (message(404, &format!("Student {id} not found")), false);
        };
        let fields = (|| {
            if let Some(email) = str_field(o, "email")? {
                if !email
                    .trim()
                    .eq_ignore_ascii_case(course.students[index].email.trim())
                {
                    return Err(message(400, "A student's email cannot be changed"));
                }
            }
            Ok([
                str_field(o, "givenName")?.map(String::from),
                str_field(o, "familyName")?.map(String::from),
                str_field(o, "externalStudentId")?.map(String::from),
                str_field(o, "section")?.map(String::from),
            ])
        })();
        match fields {
            Ok(f) => edits.push((index, f)),
            Err(e) => return (e, false),
        }
    }
    let mut out = Vec::new();
    for (index, [given, family, ext, section]) in edits {
        let s = &mut course.students[index];
        if let Some(v) = given {
            s.given_name = v;
        }
        if let Some(v) = family {
            s.family_name = v;
        }
        if let Some(v) = ext {
            s.external_student_id = v;
        }
        if let Some(v) = section {
            s.section = v;
        }
        out.push(student_out(s));
    }
    (ok(&out), true)
}

fn set_deleted(course: &mut SimCourse, parsed: Option<Value>, deleted: bool) -> (Answer, bool) {
    let items = match as_array(parsed) {
        Ok(a) => a,
        Err(e) => return (e, false),
    };
    let mut indexes = Vec::new();
    for item in &items {
        // studentIdObject, never a bare integer (the old plugin's restore bug).
        let Some(id) = item
            .as_object()
            .and_then(|o| o.get("studentId"))
            .and_then(Value::as_i64)
        else {
            return (
                message(
                    400,
                    "Expected an array of studentIdObject ({\"studentId\": integer})",
                ),
                false,
            );
        };
        let Some(index) = course.students.iter().position(|s| s.student_id == id) else {
            return (message(404, &format!("Student {id} not found")), false);
        };
        indexes.push(index);
    }
    for index in indexes {
        course.students[index].deleted = deleted;
    }
    ((200, String::new()), true)
}

fn export_download(course: &SimCourse) -> Value {
    let lessons: Vec<Value> = course
        .lessons
        .iter()
        .map(|l| {
            json!({
                "publishedContentId": l.published_content_id,
                "publishedLessonId": l.published_lesson_id,
                "publishedLessonTitle": l.published_lesson_title,
                "gradedPublishedRevisions": l.revisions.iter().map(|r| json!({
                    "publishedRevisionId": r.published_revision_id,
                    "publishedRevisionTitle": r.published_revision_title,
                    "questions": r.questions,
                    "studentGrades": r.grades,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::Array(lessons)
}

pub fn control(shared: &Shared, method: &str, path: &str, body: &str) -> Answer {
    let path = path.trim_end_matches('/');
    match (method, path) {
        ("GET", "state") => ok(&*shared.state.lock().unwrap()),
        ("PUT", "state") => match serde_json::from_str::<SimState>(body) {
            Ok(state) => {
                shared.save(&state);
                *shared.state.lock().unwrap() = state;
                (200, "{}".into())
            }
            Err(e) => message(400, &format!("invalid state: {e}")),
        },
        ("POST", "faults") => match serde_json::from_str::<Fault>(body) {
            // A misspelt route would never fire, and a test would pass for no reason.
            Ok(f) if f.route != "*" && !ROUTES.contains(&f.route.as_str()) => message(
                400,
                &format!(
                    "invalid fault: unknown route {:?} (known: {})",
                    f.route,
                    ROUTES.join(", ")
                ),
            ),
            Ok(f) => {
                shared.faults.lock().unwrap().push(f);
                (200, "{}".into())
            }
            Err(e) => message(400, &format!("invalid fault: {e}")),
        },
        ("DELETE", "faults") => {
            shared.faults.lock().unwrap().clear();
            (200, "{}".into())
        }
        ("PUT", "export") => match serde_json::from_str::<ExportConfig>(body) {
            Ok(c) => {
                *shared.export.lock().unwrap() = c;
                (200, "{}".into())
            }
            Err(e) => message(400, &format!("invalid export config: {e}")),
        },
        ("POST", "reset") => {
            *shared.state.lock().unwrap() = shared.initial.clone();
            shared.faults.lock().unwrap().clear();
            *shared.export.lock().unwrap() = ExportConfig::default();
            shared.log.lock().unwrap().clear();
            (200, "{}".into())
        }
        ("GET", "requests") => ok(&*shared.log.lock().unwrap()),
        ("DELETE", "requests") => {
            shared.log.lock().unwrap().clear();
            (200, "{}".into())
        }
        _ => message(404, "Unknown control route"),
    }
}
