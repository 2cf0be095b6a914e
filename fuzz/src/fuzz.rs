//! The fuzzer's driver: each case on a fresh instance of the real module, every step the
//! module returns checked, every case classified.
//!
//! A case is either a workflow run (a hostile start, then every HTTP request answered
//! by the case's hostile kuraCloud, [`World`]) or an ABI call sequence (starts, resumes
//! and infos with arbitrary bytes, now and then an input of gigabytes). Case `n` of
//! seed `s` is generated from `(s, n)` alone, so any case replays by itself.

use crate::gen::{self, Answer, Fault, Pools, World, API};
use crate::module;
use crate::rng::Rng;
use kuracloud_host_runner::driver::start_request;
use kuracloud_loader::{KcInstance, KcModule, Limits};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub const WORKFLOWS: &[&str] = &[
    "connection.verify",
    "courses.list",
    "mapping.create",
    "mapping.remove",
    "mappings.check",
    "students.preview",
    "students.apply",
    "grades.sync",
];

/// The stable error codes of docs/abi.md.
pub const ERROR_CODES: &[&str] = &[
    "bad_token",
    "lms_not_enabled",
    "course_not_found",
    "bad_request",
    "rate_limited",
    "server_error",
    "malformed_response",
    "timeout",
    "unreachable",
    "invalid_input",
    "export_failed",
    "export_timeout",
    "protocol",
    "unexpected_status",
];

/// Longest error message the module may return (core's `MAX_MESSAGE_CHARS`).
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// The workflow finished with an outcome (for ABI sequences: every call answered
    /// with a well-formed step).
    Done,
    /// The workflow ended with a clean error step (its code).
    Error(String),
    /// The host stopped an exchange that went on past the step bound (an export the
    /// server never finishes with a huge poll budget); real hosts bound it by time.
    Cut,
    /// The instance hit its memory limit.
    Limit,
    /// The module trapped.
    Trap(String),
    /// A call ran past the time limit.
    Deadline,
    /// The module returned something that is not a well-formed step.
    BadOutput(String),
}

impl Class {
    pub fn label(&self) -> &'static str {
        match self {
            Class::Done => "done",
            Class::Error(_) => "clean error",
            Class::Cut => "cut by the host",
            Class::Limit => "memory limit",
            Class::Trap(_) => "trap",
            Class::Deadline => "deadline",
            Class::BadOutput(_) => "bad output",
        }
    }
}

#[derive(Clone)]
pub struct Options {
    pub time_per_call: Duration,
    pub max_steps: usize,
    /// Print every call and answer (replaying one case).
    pub verbose: bool,
    /// The module to run (`None`: [`module()`]); `--compare` runs two.
    pub module: Option<&'static KcModule>,
    /// Keep every output of the module in the report (`--compare`).
    pub record: bool,
    /// No id twice in a roster (`--compare`).
    pub unique_ids: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            time_per_call: Duration::from_secs(5),
            max_steps: 2_000,
            verbose: false,
            module: None,
            record: false,
            unique_ids: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CaseReport {
    pub case: u64,
    /// The workflow (or `abi`).
    pub kind: String,
    pub class: Class,
    /// An input of gigabytes was sent on purpose: the memory limit is the right answer.
    pub limit_expected: bool,
    /// Calls into the module.
    pub calls: usize,
    pub faults: Vec<Fault>,
    pub longest_call: Duration,
    /// Every output of the module, in order (with `Options::record`).
    pub transcript: Vec<String>,
}

impl CaseReport {
    /// A trap, a deadline, output that is not a step, or a memory limit nobody asked for.
    pub fn is_finding(&self) -> bool {
        match self.class {
            Class::Trap(_) | Class::Deadline | Class::BadOutput(_) => true,
            Class::Limit => !self.limit_expected,
            Class::Done | Class::Error(_) | Class::Cut => false,
        }
    }

    pub fn detail(&self) -> String {
        match &self.class {
            Class::Trap(m) | Class::BadOutput(m) | Class::Error(m) => m.clone(),
            _ => String::new(),
        }
    }
}

struct Driver<'a> {
    instance: KcInstance,
    opts: &'a Options,
    report: CaseReport,
}

impl Driver<'_> {
    fn call(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut KcInstance) -> kuracloud_loader::Result<String>,
    ) -> Result<String, Class> {
        self.report.calls += 1;
        let start = Instant::now();
        let out = f(&mut self.instance);
        self.report.longest_call = self.report.longest_call.max(start.elapsed());
        if self.opts.record {
            self.report.transcript.push(match &out {
                Ok(text) => text.clone(),
                Err(e) => format!("host error: {e}"),
            });
        }
        if self.opts.verbose {
            match &out {
                Ok(text) => eprintln!("{what} -> {}", shorten(text, 600)),
                Err(e) => eprintln!("{what} -> host error: {e}"),
            }
        }
        out.map_err(|e| classify_host_error(&e.to_string()))
    }
}

fn fresh_instance(opts: &Options) -> KcInstance {
    opts.module
        .unwrap_or_else(module)
        .instantiate(Limits {
            time_per_call: opts.time_per_call,
            ..Limits::default()
        })
        .expect("an instance")
}

/// What the loader says after a failed call, as a class.
pub fn classify_host_error(message: &str) -> Class {
    if message.contains("exceeded its time limit") {
        Class::Deadline
    } else if message.contains("exceeded its memory limit") {
        Class::Limit
    } else if message.contains("returned an invalid buffer")
        || message.contains("output outside its memory")
        || message.contains("not UTF-8")
    {
        Class::BadOutput(message.to_string())
    } else {
        Class::Trap(message.to_string())
    }
}

fn shorten(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push_str(&format!("… ({} bytes)", text.len()));
    }
    out.escape_debug().to_string()
}

/// A step as the module returned it, checked.
#[derive(Debug)]
pub enum Parsed {
    Done(Value),
    /// An error step: its code, and the whole error object.
    Error(String, Value),
    Http {
        method: String,
        url: String,
        body: Option<String>,
    },
    /// Sleep or progress: the host answers `{}`.
    Ack,
}

/// Checks one step against docs/abi.md: valid JSON with exactly one of `effect`,
/// `done`, `error`; errors with a stable code and a bounded, printable message; HTTP
/// requests only to a connection's own server, with headers that cannot be split;
/// progress with `done <= total`; request bodies that are JSON.
pub fn check_step(text: &str, bases: &[String]) -> Result<Parsed, String> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| format!("not JSON ({e}): {}", shorten(text, 200)))?;
    let obj = v.as_object().ok_or("a step that is not an object")?;
    if obj.len() != 1 {
        return Err(format!("a step with {} keys", obj.len()));
    }
    if let Some(done) = obj.get("done") {
        if !done.is_object() {
            return Err("an outcome that is not an object".into());
        }
        check_texts(done)?;
        return Ok(Parsed::Done(done.clone()));
    }
    if let Some(error) = obj.get("error") {
        let code = error["code"].as_str().ok_or("an error without a code")?;
        if !ERROR_CODES.contains(&code) {
            return Err(format!("unknown error code {code:?}"));
        }
        let message = error["message"]
            .as_str()
            .ok_or("an error without a message")?;
        if message.chars().count() > MAX_MESSAGE_CHARS {
            return Err(format!(
                "an error message of {} characters",
                message.chars().count()
            ));
        }
        if message.chars().any(char::is_control) {
            return Err(format!("control characters in {}", shorten(message, 200)));
        }
        if let Some(text) = error.get("text") {
            if !text["code"].is_string() {
                return Err(format!("an error text without a code: {text}"));
            }
            check_texts(text)?;
        }
        if let Some(status) = error.get("status") {
            if status.as_u64().is_none_or(|s| s > 65535) {
                return Err(format!("error status {status}"));
            }
        }
        return Ok(Parsed::Error(code.to_string(), error.clone()));
    }
    let effect = obj
        .get("effect")
        .and_then(Value::as_object)
        .ok_or("neither effect, done nor error")?;
    if effect.len() != 1 {
        return Err(format!("an effect with {} keys", effect.len()));
    }
    if let Some(http) = effect.get("http") {
        let method = http["method"].as_str().ok_or("http without a method")?;
        if !["GET", "POST", "PUT"].contains(&method) {
            return Err(format!("http method {method:?}"));
        }
        let url = http["url"].as_str().ok_or("http without a url")?;
        if !bases.iter().any(|b| url.starts_with(b.as_str())) {
            return Err(format!(
                "a request to {} (not a connection's server: {bases:?})",
                shorten(url, 200)
            ));
        }
        if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(format!(
                "a URL with control characters or spaces: {}",
                shorten(url, 200)
            ));
        }
        let headers = http["headers"].as_array().ok_or("http without headers")?;
        for h in headers {
            let pair = h
                .as_array()
                .filter(|p| p.len() == 2)
                .ok_or("a header that is not a pair")?;
            for part in pair {
                let s = part.as_str().ok_or("a header part that is not a string")?;
                if s.contains(['\r', '\n', '\0']) {
                    return Err(format!("a header that could be split: {}", shorten(s, 100)));
                }
            }
        }
        http["timeout_ms"]
            .as_u64()
            .ok_or("http without timeout_ms")?;
        let body = match http.get("body") {
            None => None,
            Some(b) => {
                let b = b.as_str().ok_or("a request body that is not a string")?;
                serde_json::from_str::<Value>(b)
                    .map_err(|e| format!("a request body that is not JSON: {e}"))?;
                Some(b.to_string())
            }
        };
        return Ok(Parsed::Http {
            method: method.to_string(),
            url: url.to_string(),
            body,
        });
    }
    if let Some(sleep) = effect.get("sleep") {
        sleep["ms"].as_u64().ok_or("sleep without ms")?;
        return Ok(Parsed::Ack);
    }
    if let Some(progress) = effect.get("progress") {
        progress["stage"]
            .as_str()
            .ok_or("progress without a stage")?;
        let done = progress["done"].as_u64().ok_or("progress without done")?;
        let total = progress["total"].as_u64().ok_or("progress without total")?;
        if done > total {
            return Err(format!("progress {done} of {total}"));
        }
        return Ok(Parsed::Ack);
    }
    Err("an unknown effect".into())
}

/// Every text in `v` (an object with a string `code` and `params`): its string
/// parameters bounded and printable, as error messages are (docs/abi.md).
fn check_texts(v: &Value) -> Result<(), String> {
    match v {
        Value::Array(items) => items.iter().try_for_each(check_texts),
        Value::Object(map) => {
            if let (Some(Value::String(_)), Some(Value::Object(params))) =
                (map.get("code"), map.get("params"))
            {
                for (name, value) in params {
                    if let Value::String(p) = value {
                        if p.chars().count() > MAX_MESSAGE_CHARS {
                            return Err(format!(
                                "text parameter {name} of {} characters",
                                p.chars().count()
                            ));
                        }
                        if p.chars().any(char::is_control) {
                            return Err(format!(
                                "control characters in text parameter {name}: {}",
                                shorten(p, 200)
                            ));
                        }
                    }
                }
            }
            map.values().try_for_each(check_texts)
        }
        _ => Ok(()),
    }
}

/// Where a connection's requests may go: `{base}/v2/`, as the module joins URLs.
fn base_of(connection: &Value) -> Option<String> {
    let api_url = match connection.get("api_url") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return None,
    };
    let mut base = api_url.trim().trim_end_matches('/');
    if base.is_empty() {
        base = "https://api.kuracloud.com";
    }
    let base = base.strip_suffix("/v2").unwrap_or(base);
    Some(format!("{base}/v2/"))
}

/// Every server the input names.
fn bases_of(input: &Value) -> Vec<String> {
    let mut out: Vec<String> = input
        .get("connection")
        .and_then(base_of)
        .into_iter()
        .collect();
    if let Some(list) = input.get("connections").and_then(Value::as_array) {
        out.extend(list.iter().filter_map(base_of));
    }
    out
}

/// Runs a workflow to its end, answering from `world`.
fn drive(
    d: &mut Driver,
    r: &mut Rng,
    request: &[u8],
    world: &mut World,
    bases: &[String],
) -> Class {
    if d.opts.verbose {
        eprintln!(
            "start: {}",
            shorten(&String::from_utf8_lossy(request), 2000)
        );
    }
    let mut out = d.call("start", |i| i.start(request));
    for _ in 0..d.opts.max_steps {
        let text = match out {
            Ok(t) => t,
            Err(class) => return class,
        };
        let parsed = match check_step(&text, bases) {
            Ok(p) => p,
            Err(why) => return Class::BadOutput(why),
        };
        out = match parsed {
            Parsed::Done(_) => return Class::Done,
            Parsed::Error(code, _) => return Class::Error(code),
            Parsed::Http { method, url, body } => {
                let (answer, fault) = world.answer(r, &method, &url, body.as_deref());
                d.report.faults.push(fault);
                let bytes = answer.to_resume();
                if d.opts.verbose {
                    eprintln!(
                        "answer ({fault:?}): {}",
                        shorten(&String::from_utf8_lossy(&bytes), 600)
                    );
                }
                d.call("resume", |i| i.resume(&bytes))
            }
            Parsed::Ack => {
                let bytes = if r.chance(1, 100) {
                    gen::random_bytes(r)
                } else {
                    b"{}".to_vec()
                };
                d.call("resume", |i| i.resume(&bytes))
            }
        };
    }
    Class::Cut
}

/// The start request: the layout hosts send, mostly; another field order, extra
/// fields, truncation or garbage now and then.
fn start_bytes(r: &mut Rng, workflow: &str, input: &Value) -> Vec<u8> {
    let text = input.to_string();
    match r.below(40) {
        0 => {
            let full = start_request(workflow, &text);
            let cut = r.below(full.len() as u64 + 1) as usize;
            full.as_bytes().get(..cut).unwrap_or_default().to_vec()
        }
        1 => gen::random_bytes(r),
        2 => json!({"input": input, "workflow": workflow})
            .to_string()
            .into_bytes(),
        3 => json!({"workflow": workflow, "input": input, "extra": 1})
            .to_string()
            .into_bytes(),
        4 => format!("{{\"workflow\":\"{workflow}\",\"input\":{text}}}  \n").into_bytes(),
        5 => format!(
            "{{\"workflow\":\"{}\",\"input\":{text}}}",
            workflow.replace('.', "\\u002e")
        )
        .into_bytes(),
        _ => start_request(workflow, &text).into_bytes(),
    }
}

/// Runs case `case` of `seed`.
pub fn run_case(seed: u64, case: u64, opts: &Options) -> CaseReport {
    let mut r = Rng::for_case(seed, case);
    let pools = Pools {
        users: 1 + r.below(40),
        students: 1 + r.below(40),
        emails: 1 + r.below(30),
    };
    let abi = r.chance(3, 20);
    r.rough = r.chance(1, 4);
    let kind = if abi {
        "abi".to_string()
    } else if r.chance(1, 100) {
        gen::text(&mut r)
    } else {
        r.pick(WORKFLOWS).to_string()
    };
    let mut d = Driver {
        instance: fresh_instance(opts),
        opts,
        report: CaseReport {
            case,
            kind: kind.clone(),
            class: Class::Done,
            limit_expected: false,
            calls: 0,
            faults: Vec::new(),
            longest_call: Duration::ZERO,
            transcript: Vec::new(),
        },
    };
    let class = if abi {
        abi_sequence(&mut d, &mut r, &pools)
    } else {
        workflow_case(&mut d, &mut r, &pools, &kind)
    };
    d.report.class = class;
    d.report
}

fn workflow_case(d: &mut Driver, r: &mut Rng, pools: &Pools, workflow: &str) -> Class {
    let mut input = gen::workflow_input(r, workflow, pools);
    let mut world = World::new(r, *pools);
    if d.opts.unique_ids {
        world.unique_ids();
    }
    if workflow == "grades.sync" && r.chance(1, 2) {
        // Students in step, so the sync reaches the export.
        let students: Vec<Value> = (0..gen::count(r).min(300))
            .map(|k| {
                json!({"user_id": k + 1, "email": format!("u{k}@uni.example"), "first_name": gen::text(r),
                       "last_name": "Lima", "groups": [gen::text(r)]})
            })
            .collect();
        let mut links = Vec::new();
        world.in_step_with(&students, &mut links);
        input["students"] = json!(students);
        input["links"] = json!(links);
        input["connection"] = json!({"api_url": API, "token": "token"});
    }
    let bases = bases_of(&input);
    if workflow == "students.apply" && r.chance(1, 2) {
        // The fingerprint of a preview of the same kuraCloud (reads answered alike), so
        // the apply goes on to its writes, which are answered as badly as anything.
        world.pristine = true;
        let mut preview_input = input.clone();
        if let Value::Object(m) = &mut preview_input {
            for k in ["fingerprint", "allow_mass_removal", "batch_size"] {
                m.remove(k);
            }
        }
        let mut preview = Driver {
            instance: fresh_instance(d.opts),
            opts: d.opts,
            report: d.report.clone(),
        };
        let request = start_request("students.preview", &preview_input.to_string());
        let mut out = preview.call("preview", |i| i.start(request.as_bytes()));
        for _ in 0..100 {
            let Ok(text) = &out else { break };
            match check_step(text, &bases) {
                Ok(Parsed::Done(outcome)) => {
                    input["fingerprint"] = outcome["plan"]["fingerprint"].clone();
                    break;
                }
                Ok(Parsed::Http { method, url, body }) => {
                    let (answer, _) = world.answer(r, &method, &url, body.as_deref());
                    let bytes = answer.to_resume();
                    out = preview.call("resume", |i| i.resume(&bytes));
                }
                Ok(Parsed::Ack) => out = preview.call("resume", |i| i.resume(b"{}")),
                Ok(Parsed::Error(..)) | Err(_) => break,
            }
        }
        d.report.calls += preview.report.calls;
        world.pristine = false;
        world.pristine_reads = true;
    }
    let request = start_bytes(r, workflow, &input);
    drive(d, r, &request, &mut world, &bases)
}

fn abi_sequence(d: &mut Driver, r: &mut Rng, pools: &Pools) -> Class {
    let ops = 1 + r.below(10);
    for _ in 0..ops {
        let out = match r.below(20) {
            0..=5 => {
                let workflow = *r.pick(WORKFLOWS);
                let input = gen::workflow_input(r, workflow, pools);
                let request = start_bytes(r, workflow, &input);
                d.call("start", |i| i.start(&request))
            }
            6..=7 => {
                let bytes = gen::random_bytes(r);
                d.call("start (bytes)", |i| i.start(&bytes))
            }
            8..=13 => {
                let answer = match r.below(4) {
                    0 => Answer::Http {
                        status: 200,
                        body: b"[]".to_vec(),
                        inline: r.chance(1, 2),
                    },
                    1 => Answer::Transport {
                        kind: "timeout".into(),
                        message: gen::text(r),
                    },
                    2 => Answer::Raw(b"{}".to_vec()),
                    _ => Answer::Raw(gen::random_bytes(r)),
                };
                let bytes = answer.to_resume();
                d.call("resume", |i| i.resume(&bytes))
            }
            14..=15 => match d.call("info", |i| i.info()) {
                Ok(info) => {
                    let v: Value = match serde_json::from_str(&info) {
                        Ok(v) => v,
                        Err(e) => return Class::BadOutput(format!("kc_info is not JSON: {e}")),
                    };
                    if v["module"] != "kuracloud" || !v["workflows"].is_array() {
                        return Class::BadOutput(format!("kc_info: {info}"));
                    }
                    continue;
                }
                Err(class) => return class,
            },
            16 if r.chance(1, 10) => {
                // More than the memory limit, up to the largest length a u32 can say. The
                // host's buffer is zeroed on demand and never read: the module refuses
                // the size before a byte is copied.
                let len = *r.pick(&[600usize << 20, 2 << 30, 3 << 30, u32::MAX as usize]);
                d.report.limit_expected = true;
                let huge = vec![0u8; len];
                d.call("start (huge)", |i| i.start(&huge))
            }
            _ => d.call("resume {}", |i| i.resume(b"{}")),
        };
        let text = match out {
            Ok(t) => t,
            Err(class) => return class,
        };
        // Any request the module asks for here goes to an input's server; the
        // sequence does not follow it, so only the step's shape is checked.
        if let Err(why) = check_step(&text, &[String::new()]) {
            return Class::BadOutput(why);
        }
    }
    Class::Done
}

/// Runs one workflow through a fresh instance, answering HTTP with `answer(method, url,
/// body)` and checking every step: the class, and the last step (the outcome of a
/// done step, the error object of an error step). For regression tests.
pub fn run_scripted(
    request: &[u8],
    bases: &[String],
    mut answer: impl FnMut(&str, &str, Option<&str>) -> Answer,
) -> (Class, Option<Value>) {
    let opts = Options::default();
    let mut d = Driver {
        instance: fresh_instance(&opts),
        opts: &opts,
        report: CaseReport {
            case: 0,
            kind: String::new(),
            class: Class::Done,
            limit_expected: false,
            calls: 0,
            faults: Vec::new(),
            longest_call: Duration::ZERO,
            transcript: Vec::new(),
        },
    };
    let mut out = d.call("start", |i| i.start(request));
    for _ in 0..opts.max_steps {
        let text = match out {
            Ok(t) => t,
            Err(class) => return (class, None),
        };
        out = match check_step(&text, bases) {
            Err(why) => return (Class::BadOutput(why), None),
            Ok(Parsed::Done(outcome)) => return (Class::Done, Some(outcome)),
            Ok(Parsed::Error(code, error)) => return (Class::Error(code), Some(error)),
            Ok(Parsed::Http { method, url, body }) => {
                let bytes = answer(&method, &url, body.as_deref()).to_resume();
                d.call("resume", |i| i.resume(&bytes))
            }
            Ok(Parsed::Ack) => d.call("resume", |i| i.resume(b"{}")),
        };
    }
    (Class::Cut, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bases() -> Vec<String> {
        vec!["http://kc.test/v2/".into()]
    }

    #[test]
    fn well_formed_steps_pass() {
        for ok in [
            r#"{"done":{"a":1}}"#,
            r#"{"error":{"code":"timeout","message":"late"}}"#,
            r#"{"error":{"code":"server_error","message":"x","status":503}}"#,
            r#"{"effect":{"sleep":{"ms":5}}}"#,
            r#"{"effect":{"progress":{"stage":"read","done":1,"total":2}}}"#,
            r#"{"effect":{"http":{"method":"POST","url":"http://kc.test/v2/course/1/student","headers":[["A","b"]],"body":"[]","timeout_ms":1}}}"#,
        ] {
            assert!(check_step(ok, &bases()).is_ok(), "{ok}");
        }
    }

    #[test]
    fn every_kind_of_bad_output_is_caught() {
        for bad in [
            "",
            "not json",
            r#"{"done":{"a":1}"#,
            r#"[]"#,
            r#"{"done":[],"error":{}}"#,
            r#"{"done":3}"#,
            r#"{"error":{"code":"oops","message":"m"}}"#,
            r#"{"error":{"code":"timeout"}}"#,
            r#"{"error":{"code":"timeout","message":"a
b"}}"#,
            r#"{"error":{"code":"timeout","message":"m","status":70000}}"#,
            r#"{"effect":{"progress":{"stage":"read","done":3,"total":2}}}"#,
            r#"{"effect":{"sleep":{}}}"#,
            r#"{"effect":{"teleport":{}}}"#,
            r#"{"effect":{"http":{"method":"GET","url":"http://evil.test/v2/x","headers":[],"timeout_ms":1}}}"#,
            r#"{"effect":{"http":{"method":"GET","url":"http://kc.test/v2/a b","headers":[],"timeout_ms":1}}}"#,
            r#"{"effect":{"http":{"method":"GET","url":"http://kc.test/v2/x","headers":[["A","b
C: d"]],"timeout_ms":1}}}"#,
            r#"{"effect":{"http":{"method":"DELETE","url":"http://kc.test/v2/x","headers":[],"timeout_ms":1}}}"#,
            r#"{"effect":{"http":{"method":"POST","url":"http://kc.test/v2/x","headers":[],"body":"{","timeout_ms":1}}}"#,
        ] {
            assert!(check_step(bad, &bases()).is_err(), "{bad}");
        }
        let long = format!(
            r#"{{"error":{{"code":"timeout","message":"{}"}}}}"#,
            "x".repeat(MAX_MESSAGE_CHARS + 1)
        );
        assert!(check_step(&long, &bases()).is_err());
        for bad_text in [
            r#"{"error":{"code":"timeout","message":"m","text":{"params":{}}}}"#,
            r#"{"error":{"code":"timeout","message":"m","text":{"code":"timeout","params":{"detail":"a"}}}}"#,
            r#"{"done":{"plan":{"entries":[{"reason":{"code":"linked","params":{"email":"a
b"}}}]}}}"#,
        ] {
            assert!(check_step(bad_text, &bases()).is_err(), "{bad_text}");
        }
        let ok = r#"{"done":{"entries":[{"reason":{"code":"linked","params":{"email":"a@b.c","count":3}}}]}}"#;
        assert!(check_step(ok, &bases()).is_ok());
    }

    #[test]
    fn requests_may_go_only_where_the_input_says() {
        let input = json!({"connection": {"api_url": "  http://a.test//  ", "token": "t"},
                           "connections": [{"api_url": "https://b.test/v2/"}, {"token": "t"}]});
        assert_eq!(
            bases_of(&input),
            [
                "http://a.test/v2/",
                "https://b.test/v2/",
                "https://api.kuracloud.com/v2/"
            ]
        );
    }

    #[test]
    fn host_errors_are_classified() {
        assert_eq!(
            classify_host_error(
                "the kuraCloud module exceeded its time limit of 5000 ms per call and was stopped"
            ),
            Class::Deadline
        );
        assert_eq!(
            classify_host_error(
                "the kuraCloud module exceeded its memory limit of 512 MiB and was stopped"
            ),
            Class::Limit
        );
        assert!(matches!(
            classify_host_error("the kuraCloud module stopped on an internal error (a panic); this is a bug, please report it"),
            Class::Trap(_)
        ));
    }
}
