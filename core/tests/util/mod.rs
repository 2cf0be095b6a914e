//! The test driver: runs any workflow's step machine natively, in this process, and
//! answers its effects from a closure, a table or the in-memory kuraCloud
//! ([`kuracloud::Kc`]), in the manner of quinn-proto's `tests/util.rs`. No module, no
//! socket, no simulator: a case runs in microseconds and a failure names the Rust line
//! of its case (the assertion helpers are `#[track_caller]`, and every case records
//! where it was written).
//!
//! The HTTP suites in `tests/` run the real `.wasm` against the simulator: they stay
//! the end-to-end layer; these tests are for the rules.

// Each test file uses part of the driver.
#![allow(dead_code)]

pub mod kuracloud;

use kuracloud_core::effect::{Effect, EffectResult, HttpRequest, Step};
use kuracloud_core::error::WorkflowError;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::panic::Location;

/// The API URL every test connection uses.
pub const BASE: &str = "https://kc.test";
/// The token every test connection sends.
pub const TOKEN: &str = "test-token";

/// A connection to the test kuraCloud.
pub fn connection() -> Value {
    json!({"api_url": BASE, "token": TOKEN})
}

/// Steps after which a run is taken to loop forever.
const MAX_STEPS: usize = 100_000;

/// What answers a workflow's HTTP requests. Sleeps and progress are recorded by the
/// driver and acknowledged.
pub trait Host {
    fn http(&mut self, request: &HttpRequest) -> EffectResult;
}

/// A closure is a host.
impl<F: FnMut(&HttpRequest) -> EffectResult> Host for F {
    fn http(&mut self, request: &HttpRequest) -> EffectResult {
        self(request)
    }
}

/// Every effect a run asked for, in order.
#[derive(Debug, Default)]
pub struct Trace {
    pub requests: Vec<HttpRequest>,
    pub sleeps: Vec<u64>,
    pub progress: Vec<(String, u64, u64)>,
}

impl Trace {
    /// Requests other than reads.
    pub fn writes(&self) -> usize {
        self.requests.iter().filter(|r| r.method != "GET").count()
    }
}

/// A finished run: its outcome (the done step's JSON, or the error) and its trace.
#[derive(Debug)]
pub struct Finished {
    pub workflow: String,
    pub outcome: Result<Value, WorkflowError>,
    pub trace: Trace,
}

impl Finished {
    /// The outcome of a run that must have succeeded.
    #[track_caller]
    pub fn done(&self) -> &Value {
        match &self.outcome {
            Ok(v) => v,
            Err(e) => panic!("{} failed: {:?}: {}", self.workflow, e.code, e.message),
        }
    }

    /// The error of a run that must have failed.
    #[track_caller]
    pub fn error(&self) -> &WorkflowError {
        match &self.outcome {
            Ok(v) => panic!("{} should have failed but gave {v}", self.workflow),
            Err(e) => e,
        }
    }

    /// The error's code as the ABI writes it (`server_error`, ...).
    #[track_caller]
    pub fn error_code(&self) -> String {
        let code = serde_json::to_value(self.error().code).unwrap();
        code.as_str().unwrap().to_string()
    }
}

/// Runs `workflow` with `input` to its end, answering HTTP from `host`: exactly the
/// steps a host makes through the ABI (`workflows::start`, then `Run::resume`).
#[track_caller]
pub fn run(workflow: &str, input: &Value, host: &mut impl Host) -> Finished {
    let request = json!({"workflow": workflow, "input": input}).to_string();
    let (run, mut step) = kuracloud_core::workflows::start(&request);
    let mut trace = Trace::default();
    let Some(mut run) = run else {
        return finished(workflow, step, trace);
    };
    for _ in 0..MAX_STEPS {
        let answer = match step {
            Step::Effect(Effect::Http(request)) => {
                let answer = host.http(&request);
                trace.requests.push(request);
                answer
            }
            Step::Effect(Effect::Sleep { ms }) => {
                trace.sleeps.push(ms);
                EffectResult::ack()
            }
            Step::Effect(Effect::Progress { stage, done, total }) => {
                assert!(done <= total, "{workflow}: progress {done} of {total}");
                trace.progress.push((stage, done, total));
                EffectResult::ack()
            }
            other => return finished(workflow, other, trace),
        };
        step = run.resume(answer);
    }
    panic!("{workflow} took more than {MAX_STEPS} steps")
}

fn finished(workflow: &str, step: Step, trace: Trace) -> Finished {
    let outcome = match step {
        Step::Done(json) => Ok(serde_json::from_str(&json).expect("the outcome is JSON")),
        Step::Error(e) => Err(e),
        Step::Effect(e) => panic!("{workflow}: finished on an effect {e:?}"),
    };
    Finished {
        workflow: workflow.to_string(),
        outcome,
        trace,
    }
}

/// A 200 answer with a JSON body.
pub fn ok(body: &Value) -> EffectResult {
    EffectResult::http(200, body.to_string())
}

/// An error answer with kuraCloud's `{"message": ...}` body.
pub fn status(code: u16, message: &str) -> EffectResult {
    EffectResult::http(code, json!({ "message": message }).to_string())
}

/// `request`'s path under the API, without the base and `/v2/` (and with its query).
pub fn path(request: &HttpRequest) -> &str {
    request
        .url
        .strip_prefix(BASE)
        .and_then(|p| p.strip_prefix("/v2/"))
        .unwrap_or(&request.url)
}

/// A host that answers from a table: each row a method, a path under `/v2/` and the
/// answers it gives in turn (the last one again once the others are used). A request
/// no row answers fails the test, naming it.
#[derive(Default)]
pub struct Table {
    rows: Vec<(String, String, VecDeque<EffectResult>)>,
}

impl Table {
    pub fn new() -> Self {
        Self::default()
    }

    /// `method path` answers `answers`, in turn.
    pub fn on(mut self, method: &str, path: &str, answers: Vec<EffectResult>) -> Self {
        assert!(!answers.is_empty(), "{method} {path}: no answer");
        self.rows
            .push((method.to_string(), path.to_string(), answers.into()));
        self
    }

    /// `GET path` answers 200 with `body`, always.
    pub fn get(self, path: &str, body: Value) -> Self {
        self.on("GET", path, vec![ok(&body)])
    }
}

impl Host for Table {
    fn http(&mut self, request: &HttpRequest) -> EffectResult {
        let path = path(request).to_string();
        let Some((_, _, answers)) = self
            .rows
            .iter_mut()
            .find(|(m, p, _)| *m == request.method && *p == path)
        else {
            panic!("the table has no answer for {} {path}", request.method);
        };
        if answers.len() > 1 {
            answers.pop_front().unwrap()
        } else {
            answers.front().cloned().unwrap()
        }
    }
}

/// Where a case of a table was written, for its failure messages.
#[derive(Clone, Copy)]
pub struct At(pub &'static Location<'static>);

impl At {
    #[track_caller]
    pub fn here() -> Self {
        At(Location::caller())
    }
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{}:{}", self.0.file(), self.0.line())
    }
}

impl std::fmt::Debug for At {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
