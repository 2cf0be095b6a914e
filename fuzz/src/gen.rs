//! What a hostile host and a hostile kuraCloud send: workflow inputs, and a per-case
//! kuraCloud ([`World`]) that answers every request, well or badly.
//!
//! Ids and emails come from small pools so that duplicates, shared emails and links to
//! students that exist (or not) are common; strings are drawn from a list of the
//! awkward (control characters, right-to-left marks, case-folding traps, quotes and
//! backslashes, long runs); numbers include the extremes and ids arrive as strings.

use crate::rng::Rng;
use serde_json::{json, Map, Value};

/// The API base of the connections the fuzzer's kuraCloud answers for.
pub const API: &str = "http://kc.test";

const WORDS: &[&str] = &[
    "Ana",
    "Lima",
    "Lab A",
    "lab a",
    "LAB A",
    " Zoë ",
    "O'Brien",
    "Straße",
    "STRASSE",
    "İ",
    "i\u{307}",
    "ǅ",
    "Σίσυφος",
    "株式会社",
    "😀",
    "a\u{202e}b",
    "\u{feff}x",
    "x\u{200b}",
    "\"}]{",
    "\\",
    "</script>",
    "%00",
    "Robert'); DROP TABLE students;--",
    "null",
    "  ",
    "\t",
    "-0",
    "1e309",
    "NaN",
];

/// An awkward string.
pub fn text(r: &mut Rng) -> String {
    match r.below(24) {
        0..=9 => r.pick(WORDS).to_string(),
        10 => String::new(),
        11 => "\u{0}\r\n\u{1b}[2J\u{7f}".into(),
        12 => format!("{}\n{}", r.pick(WORDS), r.pick(WORDS)),
        13 => "x".repeat(r.range(255, 2000) as usize),
        14 if r.chance(1, 20) => "é\u{1}".repeat(r.range(10_000, 60_000) as usize),
        15 => {
            // Random code points, any plane.
            (0..r.range(1, 12))
                .filter_map(|_| char::from_u32(r.below(0x11_0000) as u32))
                .collect()
        }
        _ => format!("{} {}", r.pick(WORDS), r.below(1000)),
    }
}

/// An email: mostly from a pool of `pool` addresses (so they repeat, in any case and
/// with surrounding spaces), sometimes not an email at all.
pub fn email(r: &mut Rng, pool: u64) -> String {
    let n = r.below(pool.max(1));
    match r.below(30) {
        0..=19 => format!("s{n}@uni.example"),
        20 => format!("S{n}@UNI.example"),
        21 => format!("  s{n}@uni.example\t"),
        22 => format!("s{n}@uni.example\u{0}"),
        23 => format!("zoë{n}@uni.example"),
        24 => [
            "",
            "no-at-sign",
            "a@b",
            "a b@c.de",
            "a@b@c.de",
            "@uni.example",
            "x@.de",
        ][r.below(7) as usize]
            .into(),
        25 => format!("{}@uni.example", "x".repeat(r.range(250, 400) as usize)),
        26 => format!("other{n}@else.example"),
        27 => text(r),
        _ => format!("s{}@uni.example", r.below(pool.max(1) * 2)),
    }
}

/// An id: mostly from a pool, sometimes an extreme.
pub fn id(r: &mut Rng, pool: u64) -> i64 {
    match r.below(40) {
        0 => 0,
        1 => -1,
        2 => i64::MAX,
        3 => i64::MIN,
        4 => 1 << 53,
        _ => 1 + r.below(pool.max(1)) as i64,
    }
}

/// An id as JSON: a number mostly, else a string, a float, null, a boolean, a number
/// beyond i64.
pub fn id_value(r: &mut Rng, pool: u64) -> Value {
    let n = id(r, pool);
    if !r.rough {
        return json!(n);
    }
    match r.below(40) {
        0 => json!(n.to_string()),
        1 => json!(n as f64 + 0.5),
        2 => Value::Null,
        3 => json!(true),
        4 => json!(1e20),
        5 => json!(n as f64),
        _ => json!(n),
    }
}

/// A string field as JSON: text mostly, else null, a number, an object (those two
/// only in rough cases).
fn text_value(r: &mut Rng) -> Value {
    if !r.rough {
        return if r.chance(1, 10) {
            Value::Null
        } else {
            json!(text(r))
        };
    }
    match r.below(30) {
        0 => Value::Null,
        1 => json!(r.below(100)),
        2 => json!({"x": 1}),
        3 => json!([text(r)]),
        _ => json!(text(r)),
    }
}

/// A number as JSON, for grades and maxima.
fn number_value(r: &mut Rng) -> Value {
    match r.below(if r.rough { 30 } else { 60 }) {
        4 | 5 | 7 if !r.rough => json!(1),
        0 => Value::Null,
        1 => json!(-5),
        2 => json!(1e308),
        3 => json!(-1e308),
        4 => json!("7.5"),
        5 => json!("ten"),
        6 => json!(f64::MIN_POSITIVE),
        7 => json!(true),
        8 => json!(u64::MAX),
        _ => json!(r.below(20) as f64 / 2.0),
    }
}

/// Drops, adds or retypes fields of an object now and then.
fn roughen(mut v: Value, r: &mut Rng) -> Value {
    if !r.rough {
        return v;
    }
    if let Value::Object(map) = &mut v {
        if r.chance(1, 12) {
            let keys: Vec<String> = map.keys().cloned().collect();
            if !keys.is_empty() {
                map.remove(r.pick(&keys).as_str());
            }
        }
        if r.chance(1, 15) {
            map.insert(text(r), text_value(r));
        }
        if r.chance(1, 25) {
            let keys: Vec<String> = map.keys().cloned().collect();
            if !keys.is_empty() {
                let k = r.pick(&keys).clone();
                map.insert(k, random_json(r, 2));
            }
        }
    }
    v
}

/// Any JSON value, up to `depth` levels deep.
pub fn random_json(r: &mut Rng, depth: u32) -> Value {
    match r.below(if depth == 0 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(r.chance(1, 2)),
        2 => json!(r.range(-1000, 1000)),
        3 => json!(r.below(1000) as f64 / 7.0),
        4 => json!(text(r)),
        5 => Value::Array((0..r.below(4)).map(|_| random_json(r, depth - 1)).collect()),
        6 => {
            let mut m = Map::new();
            for _ in 0..r.below(4) {
                m.insert(text(r), random_json(r, depth - 1));
            }
            Value::Object(m)
        }
        _ => {
            // Deeply nested: past serde_json's recursion limit now and then.
            let levels = r.range(50, 300) as usize;
            let text = format!("{}{}", "[".repeat(levels), "]".repeat(levels));
            serde_json::from_str(&text).unwrap_or(Value::Null)
        }
    }
}

/// A Moodle user as the host describes it.
pub fn moodle_student(r: &mut Rng, pools: &Pools) -> Value {
    roughen(
        json!({
            "user_id": id(r, pools.users),
            "email": email(r, pools.emails),
            "first_name": text(r),
            "last_name": text(r),
            "idnumber": if r.chance(1, 2) { String::new() } else { text(r) },
            "groups": (0..r.below(4)).map(|_| text(r)).collect::<Vec<_>>(),
        }),
        r,
    )
}

/// A kuraCloud student.
pub fn kc_student(r: &mut Rng, pools: &Pools) -> Value {
    roughen(
        json!({
            "studentId": id_value(r, pools.students),
            "email": email(r, pools.emails),
            "givenName": text_value(r),
            "familyName": text_value(r),
            "inviteComplete": r.chance(1, 2),
            "createdDate": r.range(0, 2_000_000_000),
            "externalStudentId": text_value(r),
            "section": text_value(r),
        }),
        r,
    )
}

/// How many distinct ids and emails a case draws from.
#[derive(Clone, Copy)]
pub struct Pools {
    pub users: u64,
    pub students: u64,
    pub emails: u64,
}

/// How many items an array gets: mostly a few, sometimes hundreds, rarely tens of
/// thousands.
pub fn count(r: &mut Rng) -> usize {
    match r.below(200) {
        0 => r.range(10_000, 40_000) as usize,
        1..=10 => r.range(100, 1000) as usize,
        _ => r.below(12) as usize,
    }
}

/// A connection as a workflow input carries it.
pub fn connection(r: &mut Rng) -> Value {
    let api_url = match r.below(if r.rough { 40 } else { 200 }) {
        0 => "http://kc.test/a\r\nX-Injected: 1".to_string(),
        1 => "http://user:pass@kc.test".into(),
        2 => "http://kc.test/\u{0}".into(),
        3 => "http://kc .test".into(),
        4 => "ftp://kc.test".into(),
        5 => format!("http://kc.test/{}", "a".repeat(3000)),
        6 => text(r),
        7 => "http://kc.test/v2/".into(),
        8 => "  http://kc.test//  ".into(),
        _ => API.into(),
    };
    let token = match r.below(if r.rough { 30 } else { 200 }) {
        0 => String::new(),
        1 => "t\r\nX-Evil: 1".into(),
        2 => "t".repeat(5000),
        3 => text(r),
        _ => "token".into(),
    };
    let mut c = json!({"api_url": api_url, "token": token});
    if r.rough && r.chance(1, 6) {
        c["timeout_ms"] = json!(r.pick(&[0u64, 1, 1000, u64::MAX]));
    }
    roughen(c, r)
}

/// The kuraCloud one case talks to: what it holds, and how it answers.
pub struct World {
    pub pools: Pools,
    pub instance: Value,
    pub courses: Vec<Value>,
    pub active: Vec<Value>,
    pub deleted: Vec<Value>,
    pub export: Value,
    /// Progress polls before the export reports its final status.
    pub polls: u64,
    pub export_status: String,
    pub task_token: String,
    /// Answer every request well (no faults).
    pub pristine: bool,
    /// Answer reads (GET) well: an apply then reads what its preview read.
    pub pristine_reads: bool,
    pub next_id: i64,
}

/// How one answer goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    None,
    Status,
    Truncated,
    WrongShape,
    Transport,
    NotUtf8,
    Inline,
    WrongResult,
}

impl World {
    pub fn new(r: &mut Rng, pools: Pools) -> Self {
        let n_courses = count(r).min(2000);
        let courses = (0..n_courses)
            .map(|_| {
                roughen(json!({"courseId": id_value(r, pools.students), "name": text(r), "courseCode": text_value(r),
                           "lmsEnabled": r.chance(3, 4), "lmsCourseName": text_value(r)}), r)
            })
            .collect();
        let active = (0..count(r)).map(|_| kc_student(r, &pools)).collect();
        let deleted = (0..count(r) / 2).map(|_| kc_student(r, &pools)).collect();
        let instance = roughen(
            json!({"instanceId": if r.chance(1, 10) { String::new() } else { text(r) },
                   "displayName": text(r), "gradingMode": "kuraGrading",
                   "lmsEnabled": r.chance(4, 5)}),
            r,
        );
        let mut world = Self {
            pools,
            instance,
            courses,
            active,
            deleted,
            export: Value::Null,
            polls: r.below(4),
            export_status: match r.below(10) {
                0 => "FAILED".into(),
                1 => "RUNNING".into(),
                2 => text(r),
                _ => "SUCCEEDED".into(),
            },
            task_token: if r.chance(1, 8) {
                text(r)
            } else {
                "task-1".into()
            },
            pristine: false,
            pristine_reads: false,
            next_id: 1_000_000,
        };
        world.export = world.make_export(r);
        world
    }

    /// Keeps the first student of each id in each roster (for `--compare` against a
    /// module that read repeated ids differently).
    pub fn unique_ids(&mut self) {
        for roster in [&mut self.active, &mut self.deleted] {
            let mut seen = std::collections::HashSet::new();
            roster.retain(|s| seen.insert(s["studentId"].to_string()));
        }
    }

    /// Makes the active roster exactly the Moodle students given (every one linked,
    /// nothing to change), so a grade sync reaches the export.
    pub fn in_step_with(&mut self, students: &[Value], links: &mut Vec<Value>) {
        self.active.clear();
        self.deleted.clear();
        for (k, s) in students.iter().enumerate() {
            let student_id = 10_000 + k as i64;
            let clean = |v: &Value| {
                v.as_str()
                    .unwrap_or_default()
                    .trim()
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect::<String>()
                    .trim()
                    .to_string()
            };
            let mut groups: Vec<String> = s["groups"]
                .as_array()
                .map(|g| g.iter().map(clean).filter(|g| !g.is_empty()).collect())
                .unwrap_or_default();
            groups.sort_by_key(|g| g.to_lowercase());
            self.active.push(json!({
                "studentId": student_id,
                "email": clean(&s["email"]),
                "givenName": clean(&s["first_name"]),
                "familyName": clean(&s["last_name"]),
                "externalStudentId": clean(&s["idnumber"]),
                "section": groups.first().cloned().unwrap_or_default(),
            }));
            links.push(json!({"user_id": s["user_id"], "student_id": student_id}));
        }
    }

    fn make_export(&mut self, r: &mut Rng) -> Value {
        let lessons = (0..r.below(5)).map(|_| {
            let revisions = (0..r.below(4))
                .map(|_| {
                    let questions: Vec<Value> = (0..r.below(5))
                        .map(|_| roughen(json!({"questionId": id_value(r, 10), "maxGrade": number_value(r)}), r))
                        .collect();
                    let grades: Vec<Value> = (0..count(r))
                        .map(|_| {
                            roughen(json!({
                                    "studentId": if r.chance(1, 2) { json!(10_000 + r.below(40) as i64) } else { id_value(r, self.pools.students) },
                                    "gradeOffset": number_value(r),
                                    "questionGrades": (0..r.below(5)).map(|_| json!({"questionId": id_value(r, 10), "questionGrade": number_value(r)})).collect::<Vec<_>>(),
                                }), r)
                        })
                        .collect();
                    roughen(json!({"publishedRevisionId": id_value(r, 20), "publishedRevisionTitle": text_value(r),
                               "questions": questions, "studentGrades": grades}), r)
                })
                .collect::<Vec<_>>();
            roughen(json!({"publishedContentId": 1, "publishedLessonId": id_value(r, 20),
                       "publishedLessonTitle": text_value(r), "gradedPublishedRevisions": revisions}), r)
        });
        Value::Array(lessons.collect())
    }

    /// kuraCloud's answer to one request, and how it went wrong (if it did).
    pub fn answer(
        &mut self,
        r: &mut Rng,
        method: &str,
        url: &str,
        body: Option<&str>,
    ) -> (Answer, Fault) {
        let fault = if self.pristine || (self.pristine_reads && method == "GET") {
            Fault::None
        } else {
            match r.below(100) {
                0..=59 => Fault::None,
                60..=69 => Fault::Status,
                70..=76 => Fault::Truncated,
                77..=83 => Fault::WrongShape,
                84..=88 => Fault::Transport,
                89..=91 => Fault::NotUtf8,
                92..=96 => Fault::Inline,
                _ => Fault::WrongResult,
            }
        };
        let path = url.strip_prefix(API).unwrap_or(url);
        let path = path.strip_prefix("/v2/").unwrap_or(path);
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let parts: Vec<&str> = path.split('/').collect();
        let ok: Value = match (method, parts.as_slice()) {
            ("GET", ["instance"]) => self.instance.clone(),
            ("GET", ["course"]) => Value::Array(self.courses.clone()),
            ("GET" | "PUT", ["course", id]) => {
                let mut c = self
                    .courses
                    .iter()
                    .find(|c| c["courseId"].as_i64().is_some_and(|n| id.parse() == Ok(n)))
                    .cloned()
                    .unwrap_or_else(|| json!({"courseId": id.parse::<i64>().unwrap_or(0), "name": text(r), "lmsEnabled": true}));
                if method == "PUT" {
                    if let Some(Value::Object(sent)) =
                        body.and_then(|b| serde_json::from_str(b).ok())
                    {
                        if let (Value::Object(c), Some(v)) = (&mut c, sent.get("lmsEnabled")) {
                            c.insert("lmsEnabled".into(), v.clone());
                        }
                    }
                }
                c
            }
            ("GET", ["course", _, "student"]) => {
                if query.contains("deleted=true") {
                    Value::Array(self.deleted.clone())
                } else {
                    Value::Array(self.active.clone())
                }
            }
            ("POST", ["course", _, "student"]) => {
                // Invites: the created students, usually one per input with its email.
                let sent: Vec<Value> = body
                    .and_then(|b| serde_json::from_str(b).ok())
                    .unwrap_or_default();
                let mut created = Vec::with_capacity(sent.len());
                for s in &sent {
                    if !self.pristine && r.chance(1, 10) {
                        continue;
                    }
                    created.push({
                        self.next_id += 1;
                        let mut c = s.clone();
                        c["studentId"] = if !self.pristine && r.chance(1, 10) {
                            id_value(r, self.pools.students)
                        } else {
                            json!(self.next_id)
                        };
                        if !self.pristine && r.chance(1, 10) {
                            c["email"] = json!(email(r, self.pools.emails));
                        }
                        c
                    });
                }
                Value::Array(created)
            }
            ("POST", ["course", _, "student", "edit"]) => body
                .and_then(|b| serde_json::from_str(b).ok())
                .unwrap_or(json!([])),
            ("POST", ["course", _, "student", "delete" | "restore"]) => json!([]),
            ("POST", ["course", _, "published", "exportgrades.json"]) => {
                json!({"taskToken": self.task_token})
            }
            ("GET", ["course", _, "published", "exportgrades.json", _]) => {
                if self.polls > 0 {
                    self.polls -= 1;
                    json!({"status": "RUNNING"})
                } else {
                    json!({"status": self.export_status})
                }
            }
            ("GET", ["course", _, "published", "exportgrades.json", _, "download"]) => {
                self.export.clone()
            }
            _ => {
                return (
                    Answer::Http {
                        status: 404,
                        body: br#"{"message":"fuzz: no such route"}"#.to_vec(),
                        inline: false,
                    },
                    fault,
                )
            }
        };
        let ok_body = serde_json::to_vec(&ok).unwrap_or_default();
        let answer = match fault {
            Fault::None => Answer::Http {
                status: 200,
                body: ok_body,
                inline: false,
            },
            Fault::Status => {
                let status = *r.pick(&[
                    0u16, 100, 204, 301, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504,
                    599, 999, 65535,
                ]);
                let body = match r.below(4) {
                    0 => json!({"message": text(r)}).to_string().into_bytes(),
                    1 => json!({"message": "LMS integration is not enabled"})
                        .to_string()
                        .into_bytes(),
                    2 => Vec::new(),
                    _ => ok_body,
                };
                Answer::Http {
                    status,
                    body,
                    inline: r.chance(1, 2),
                }
            }
            Fault::Truncated => {
                let cut = r.below(ok_body.len() as u64 + 1) as usize;
                Answer::Http {
                    status: 200,
                    body: ok_body.get(..cut).unwrap_or_default().to_vec(),
                    inline: false,
                }
            }
            Fault::WrongShape => Answer::Http {
                status: 200,
                body: serde_json::to_vec(&random_json(r, 3)).unwrap_or_default(),
                inline: r.chance(1, 3),
            },
            Fault::Transport => Answer::Transport {
                kind: r
                    .pick(&["timeout", "connect", "other", "", "\u{0}"])
                    .to_string(),
                message: text(r),
            },
            Fault::NotUtf8 => {
                let mut body = ok_body;
                let at = r.below(body.len() as u64 + 1) as usize;
                body.insert(at.min(body.len()), 0xff);
                Answer::Http {
                    status: 200,
                    body,
                    inline: false,
                }
            }
            Fault::Inline => Answer::Http {
                status: 200,
                body: ok_body,
                inline: true,
            },
            Fault::WrongResult => Answer::Raw(match r.below(6) {
                0 => b"{}".to_vec(),
                1 => br#"{"status":200}"#.to_vec(),
                2 => [&br#"{"body_follows":true}"#[..], b"\n[]"].concat(),
                3 => br#"{"status":70000,"body":"[]"}"#.to_vec(),
                4 => br#"{"transport_error":{"kind":7}}"#.to_vec(),
                _ => random_bytes(r),
            }),
        };
        (answer, fault)
    }
}

/// How the host resumes after an HTTP request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A response; `inline` puts the body inside the result JSON as a string (when it
    /// is UTF-8) instead of after a header line.
    Http {
        status: u16,
        body: Vec<u8>,
        inline: bool,
    },
    Transport {
        kind: String,
        message: String,
    },
    /// Bytes sent as the result as they are.
    Raw(Vec<u8>),
}

impl Answer {
    /// The bytes `kc_resume` receives.
    pub fn to_resume(&self) -> Vec<u8> {
        match self {
            Answer::Http {
                status,
                body,
                inline,
            } => match std::str::from_utf8(body) {
                Ok(text) if *inline => json!({"status": status, "body": text})
                    .to_string()
                    .into_bytes(),
                _ => {
                    let mut out =
                        format!("{{\"status\":{status},\"body_follows\":true}}\n").into_bytes();
                    out.extend_from_slice(body);
                    out
                }
            },
            Answer::Transport { kind, message } => {
                json!({"transport_error": {"kind": kind, "message": message}})
                    .to_string()
                    .into_bytes()
            }
            Answer::Raw(bytes) => bytes.clone(),
        }
    }
}

/// Random bytes: JSON fragments, invalid UTF-8, NULs, or nothing.
pub fn random_bytes(r: &mut Rng) -> Vec<u8> {
    match r.below(6) {
        0 => Vec::new(),
        1 => (0..r.below(64)).map(|_| r.below(256) as u8).collect(),
        2 => b"{\"status\":200,\"body_follows\":true}\n\xff\xfe".to_vec(),
        3 => b"{\"status\":200,\"body_follows\":true}".to_vec(),
        4 => b"\n\n\n{".to_vec(),
        _ => {
            let v = random_json(r, 3).to_string().into_bytes();
            let cut = r.below(v.len() as u64 + 1) as usize;
            v.get(..cut).unwrap_or_default().to_vec()
        }
    }
}

/// The input of `workflow`, hostile, drawing its ids from `pools`.
pub fn workflow_input(r: &mut Rng, workflow: &str, pools: &Pools) -> Value {
    let conn = connection(r);
    let mut input = match workflow {
        "connection.verify" => {
            let mut v = json!({"connection": conn});
            if r.chance(1, 2) {
                v["require_lms_enabled"] = json!(r.chance(1, 2));
            }
            v
        }
        "courses.list" | "mappings.check" => {
            let connections: Vec<Value> = (0..r.below(4) + 1)
                .map(|_| {
                    let mut c = connection(r);
                    if let Value::Object(m) = &mut c {
                        m.insert("connection_id".into(), json!(id(r, 4)));
                        if r.chance(1, 2) {
                            m.insert("instance_id".into(), json!(text(r)));
                        }
                    }
                    c
                })
                .collect();
            let mappings: Vec<Value> = (0..count(r))
                .map(|_| {
                    roughen(json!({"mapping_id": id(r, 50), "connection_id": id(r, 5), "course_id": id(r, pools.students),
                               "moodle_course_id": id(r, 50)}), r)
                })
                .collect();
            json!({"connections": connections, "mappings": mappings})
        }
        "mapping.create" | "mapping.remove" => {
            let mut v = json!({"connection": conn, "course_id": id_value(r, pools.students)});
            if r.chance(1, 2) {
                v["moodle_course_name"] = text_value(r);
            }
            v
        }
        "students.preview" | "students.apply" | "grades.sync" => {
            let students: Vec<Value> = (0..count(r)).map(|_| moodle_student(r, pools)).collect();
            let links: Vec<Value> = (0..count(r))
                .map(|_| json!({"user_id": id(r, pools.users), "student_id": id_value(r, pools.students)}))
                .collect();
            let mut v = json!({"connection": conn, "course_id": id_value(r, 5), "students": students, "links": links});
            if workflow == "students.apply" {
                if r.chance(1, 2) {
                    v["fingerprint"] = json!(if r.chance(1, 2) {
                        format!("{:032x}", r.next_u64())
                    } else {
                        text(r)
                    });
                }
                if r.chance(1, 2) {
                    v["allow_mass_removal"] = json!(r.chance(1, 2));
                }
                if r.chance(1, 2) {
                    v["batch_size"] = json!(*r.pick(&[0i64, 1, 2, 200, 1000, 5000, -1]));
                }
            }
            if workflow == "grades.sync" {
                let items: Vec<Value> = (0..r.below(6))
                    .map(|_| {
                        roughen(json!({"lesson_id": id(r, 20), "revision_id": id(r, 20), "item_id": id(r, 100),
                                   "name": text(r), "grademax": if r.rough { number_value(r) } else { json!(r.below(20)) }, "locked": r.chance(1, 8),
                                   "grades": (0..count(r).min(200)).map(|_| json!({"user_id": id(r, pools.users),
                                       "current": number_value(r), "locked": r.chance(1, 8),
                                       "last_written": number_value(r)})).collect::<Vec<_>>()}), r)
                    })
                    .collect();
                v["items"] = json!(items);
                v["poll"] = match r.below(6) {
                    0 => {
                        json!({"initial_ms": u64::MAX, "max_interval_ms": u64::MAX, "budget_ms": u64::MAX})
                    }
                    1 => json!({"initial_ms": 0, "max_interval_ms": 0, "budget_ms": 0}),
                    2 if r.rough => json!({"initial_ms": -1}),
                    _ => json!({"initial_ms": 1, "max_interval_ms": 2, "budget_ms": 20}),
                };
            }
            v
        }
        _ => random_json(r, 3),
    };
    if r.chance(1, 10) {
        input = roughen(input, r);
    }
    input
}
