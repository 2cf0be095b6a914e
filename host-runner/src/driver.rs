//! The effect loop: start a workflow, perform what it asks, resume, until done.

use crate::{Error, Result};
use kuracloud_loader::KcInstance;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::io::Read;
use std::time::Duration;

/// An HTTP request the module asked for.
#[derive(Debug, Clone, Deserialize)]
pub struct HttpCall {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<String>,
    pub timeout_ms: u64,
}

#[derive(Debug, Clone)]
pub enum HttpAnswer {
    Response {
        status: u16,
        body: Vec<u8>,
    },
    /// `kind` is `timeout`, `connect` or `other`.
    Transport {
        kind: String,
        message: String,
    },
}

/// What a host does for the module.
pub trait EffectHost {
    fn http(&mut self, call: &HttpCall) -> HttpAnswer;
    fn sleep(&mut self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }
    fn progress(&mut self, _stage: &str, _done: u64, _total: u64) {}
}

/// How a workflow ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// The outcome JSON, exactly as the module produced it.
    Done(String),
    /// The workflow's error: a stable code, its text (`{"code", "params"}`, see
    /// [`crate::catalogue`]) and the module's English message.
    Failed {
        code: String,
        text: serde_json::Value,
        message: String,
        status: Option<u16>,
    },
}

impl RunOutcome {
    pub fn done(self) -> Result<serde_json::Value> {
        match self {
            RunOutcome::Done(json) => Ok(serde_json::from_str(&json)?),
            RunOutcome::Failed { code, message, .. } => Err(Error::Workflow { code, message }),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum StepKind<'a> {
    Effect(EffectKind),
    #[serde(borrow)]
    Done(&'a RawValue),
    Error {
        code: String,
        #[serde(default)]
        text: serde_json::Value,
        message: String,
        #[serde(default)]
        status: Option<u16>,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum EffectKind {
    Http(HttpCall),
    Sleep {
        ms: u64,
    },
    Progress {
        stage: String,
        done: u64,
        total: u64,
    },
}

/// A bound on steps, in case a module misbehaves; real workflows take a few dozen.
const MAX_STEPS: usize = 100_000;

/// Longest sleep performed for the module, whatever it asks for (its polls and retry
/// pauses are seconds at most).
pub const MAX_SLEEP_MS: u64 = 60_000;

/// The start request for `workflow` with `input` (JSON text, passed through unparsed:
/// the module itself reports input that is not JSON).
pub fn start_request(workflow: &str, input: &str) -> String {
    format!(
        "{{\"workflow\":{},\"input\":{}}}",
        serde_json::to_string(workflow).unwrap_or_default(),
        if input.trim().is_empty() {
            "null"
        } else {
            input
        }
    )
}

pub fn run_workflow(
    instance: &mut KcInstance,
    workflow: &str,
    input: &str,
    host: &mut dyn EffectHost,
) -> Result<RunOutcome> {
    let mut step = instance.start(start_request(workflow, input).as_bytes())?;
    for _ in 0..MAX_STEPS {
        // The outcome is cut out of `{"done":...}` unparsed: the module wrote it, and a
        // large one need not be scanned again here.
        if let Some(outcome) = step
            .strip_prefix("{\"done\":")
            .and_then(|s| s.strip_suffix('}'))
        {
            return Ok(RunOutcome::Done(outcome.to_string()));
        }
        let parsed: StepKind = serde_json::from_str(&step).map_err(Error::UnreadableStep)?;
        step = match parsed {
            StepKind::Done(raw) => return Ok(RunOutcome::Done(raw.get().to_string())),
            StepKind::Error {
                code,
                text,
                message,
                status,
            } => {
                return Ok(RunOutcome::Failed {
                    code,
                    text,
                    message,
                    status,
                })
            }
            StepKind::Effect(EffectKind::Sleep { ms }) => {
                host.sleep(ms.min(MAX_SLEEP_MS));
                instance.resume(b"{}")?
            }
            StepKind::Effect(EffectKind::Progress { stage, done, total }) => {
                host.progress(&stage, done, total);
                instance.resume(b"{}")?
            }
            StepKind::Effect(EffectKind::Http(call)) => match host.http(&call) {
                HttpAnswer::Response { status, body } => instance.resume_http(status, &body)?,
                HttpAnswer::Transport { kind, message } => {
                    let json =
                        serde_json::json!({"transport_error": {"kind": kind, "message": message}});
                    instance.resume(json.to_string().as_bytes())?
                }
            },
        };
    }
    Err(Error::TooManySteps(MAX_STEPS))
}

/// Largest response body accepted by default (64 MiB; the Moodle block's default too).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 << 20;

/// Performs HTTP with a real client; sleeps for real.
pub struct UreqHost {
    /// Print progress to standard error.
    pub verbose: bool,
    /// Requests sent so far.
    pub requests: usize,
    /// Largest response body accepted; a larger one is a transport error.
    pub max_response_bytes: u64,
}

impl UreqHost {
    pub fn new(verbose: bool) -> Self {
        Self {
            verbose,
            requests: 0,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    pub fn with_max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }
}

impl EffectHost for UreqHost {
    fn http(&mut self, call: &HttpCall) -> HttpAnswer {
        self.requests += 1;
        if self.verbose {
            eprintln!("-> {} {}", call.method, call.url);
        }
        http_with_ureq(call, self.max_response_bytes)
    }

    fn progress(&mut self, stage: &str, done: u64, total: u64) {
        if self.verbose {
            eprintln!("   {stage}: {done}/{total}");
        }
    }
}

/// `bytes` for people: whole MiB when it is, else bytes.
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// Performs `call`. A response body larger than `max_response_bytes` is not read past
/// the limit (nor at all when its `Content-Length` says so): the answer is a transport
/// error of kind `other`.
pub fn http_with_ureq(call: &HttpCall, max_response_bytes: u64) -> HttpAnswer {
    let too_large = || HttpAnswer::Transport {
        kind: "other".into(),
        message: format!(
            "the response is larger than {}, the limit for kuraCloud responses",
            size_text(max_response_bytes)
        ),
    };
    let timeout = Duration::from_millis(call.timeout_ms.max(1));
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .redirects(0)
        .build();
    let mut request = agent.request(&call.method, &call.url);
    for (name, value) in &call.headers {
        request = request.set(name, value);
    }
    let result = match &call.body {
        Some(body) => request.send_string(body),
        None => request.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(t)) => {
            let message = t.to_string();
            let lower = message.to_ascii_lowercase();
            let kind = if lower.contains("timed out") || lower.contains("timeout") {
                "timeout"
            } else if matches!(
                t.kind(),
                ureq::ErrorKind::ConnectionFailed
                    | ureq::ErrorKind::Dns
                    | ureq::ErrorKind::InvalidUrl
            ) {
                "connect"
            } else {
                "other"
            };
            return HttpAnswer::Transport {
                kind: kind.into(),
                message,
            };
        }
    };
    let status = response.status();
    let announced = response
        .header("Content-Length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > max_response_bytes) {
        // Dropping the response closes the connection without reading the body.
        return too_large();
    }
    let mut body = Vec::new();
    match response
        .into_reader()
        .take(max_response_bytes.saturating_add(1))
        .read_to_end(&mut body)
    {
        Ok(_) if body.len() as u64 > max_response_bytes => too_large(),
        Ok(_) => HttpAnswer::Response { status, body },
        Err(e) => HttpAnswer::Transport {
            kind: if e.kind() == std::io::ErrorKind::TimedOut
                || e.kind() == std::io::ErrorKind::WouldBlock
            {
                "timeout".into()
            } else {
                "other".into()
            },
            message: format!("reading the response failed: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::faults::Fault;
    use crate::sim::{sample, Simulator};

    fn padded(to: u64, chunked: bool) -> Fault {
        serde_json::from_value(serde_json::json!({
            "route": "instance.get", "padded_to": to, "chunked": chunked, "times": 1
        }))
        .unwrap()
    }

    fn get_instance(sim: &Simulator, max_response_bytes: u64) -> HttpAnswer {
        let call = HttpCall {
            method: "GET".into(),
            url: format!("{}/v2/instance", sim.url()),
            headers: vec![("X-Kura-Token".into(), sample::SAMPLE_TOKEN.into())],
            body: None,
            timeout_ms: 30_000,
        };
        http_with_ureq(&call, max_response_bytes)
    }

    fn assert_too_large(answer: HttpAnswer, limit: &str) {
        match answer {
            HttpAnswer::Transport { kind, message } => {
                assert_eq!(kind, "other");
                assert_eq!(
                    message,
                    format!(
                        "the response is larger than {limit}, the limit for kuraCloud responses"
                    )
                );
            }
            HttpAnswer::Response { status, body } => {
                panic!("a {} byte body was accepted ({status})", body.len())
            }
        }
    }

    #[test]
    fn a_response_past_the_limit_is_a_transport_error() {
        let sim = Simulator::start(0, sample::sample_state(), None).unwrap();
        for chunked in [false, true] {
            // One byte over.
            sim.inject(padded(100_001, chunked));
            assert_too_large(get_instance(&sim, 100_000), "100000 bytes");
            // Exactly at the limit: read whole, and still the real answer.
            sim.inject(padded(100_000, chunked));
            match get_instance(&sim, 100_000) {
                HttpAnswer::Response { status, body } => {
                    assert_eq!(status, 200);
                    assert_eq!(body.len(), 100_000);
                    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    assert_eq!(value["displayName"], "Demo University");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_huge_response_is_not_read_to_its_end() {
        let sim = Simulator::start(0, sample::sample_state(), None).unwrap();
        // A terabyte, announced or chunked: the transfer stops at the limit.
        for chunked in [false, true] {
            sim.inject(padded(1 << 40, chunked));
            let started = std::time::Instant::now();
            assert_too_large(get_instance(&sim, 1 << 20), "1 MiB");
            assert!(started.elapsed() < Duration::from_secs(20));
        }
        assert_eq!(
            UreqHost::new(false).max_response_bytes,
            DEFAULT_MAX_RESPONSE_BYTES
        );
        assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 64 << 20);
    }
}
