//! Hostile input for the kuraCloud module.
//!
//! - [`fuzz`]: a seeded, structured fuzzer. Each case starts a workflow with a hostile
//!   input and answers every HTTP request with a hostile kuraCloud (random statuses,
//!   truncated and wrong-shape JSON, duplicate ids and emails, huge arrays, ids as
//!   strings, transport errors), or plays an ABI call sequence; every step the module
//!   returns is checked and each case is classified.
//! - [`RouteHost`]: kuraCloud answered from memory, for the scale benchmarks.
//!
//! Everything goes through the loader ([`KcModule`], [`KcInstance`], the
//! `kuracloud-loader` crate), as the CLI and the PHP extension run the module.

pub mod fuzz;
pub mod gen;
pub mod rng;

use anyhow::{anyhow, bail, Result};
use kuracloud_host_runner::driver::start_request;
use kuracloud_host_runner::{default_module_path, EffectHost, HttpAnswer, HttpCall, RunOutcome};
use kuracloud_loader::{KcInstance, KcModule};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The real module (`dist/kuracloud.wasm`, or `$KURACLOUD_WASM`), compiled once.
pub fn module() -> &'static KcModule {
    static MODULE: OnceLock<KcModule> = OnceLock::new();
    MODULE.get_or_init(|| {
        let path = default_module_path();
        assert!(
            path.exists(),
            "{} is missing: build the module first with scripts/build-wasm.sh",
            path.display()
        );
        KcModule::load(&path, None).expect("the module loads")
    })
}

/// Answers kuraCloud from prepared bodies: the first route whose suffix ends the URL.
pub struct RouteHost {
    pub routes: Vec<(&'static str, Vec<u8>)>,
    pub calls: usize,
    /// Time spent answering (copying bodies), to tell the module's own time apart.
    pub host_time: Duration,
}

impl RouteHost {
    pub fn new(routes: Vec<(&'static str, Vec<u8>)>) -> Self {
        Self {
            routes,
            calls: 0,
            host_time: Duration::ZERO,
        }
    }
}

impl EffectHost for RouteHost {
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

/// The effect loop of host-runner's `run_workflow`, without its bound on the number of
/// steps (a workflow over 100,000 connections takes more): for the benchmarks.
pub fn run_unbounded(
    instance: &mut KcInstance,
    workflow: &str,
    input: &str,
    host: &mut dyn EffectHost,
) -> Result<RunOutcome> {
    let mut step = instance.start(start_request(workflow, input).as_bytes())?;
    loop {
        if let Some(outcome) = step
            .strip_prefix("{\"done\":")
            .and_then(|s| s.strip_suffix('}'))
        {
            return Ok(RunOutcome::Done(outcome.to_string()));
        }
        let value: serde_json::Value = serde_json::from_str(&step)?;
        if let Some(error) = value.get("error") {
            return Ok(RunOutcome::Failed {
                code: error["code"].as_str().unwrap_or_default().to_string(),
                text: error["text"].clone(),
                message: error["message"].as_str().unwrap_or_default().to_string(),
                status: error["status"].as_u64().map(|s| s as u16),
            });
        }
        let effect = value
            .get("effect")
            .ok_or_else(|| anyhow!("not a step: {step}"))?;
        step = if let Some(http) = effect.get("http") {
            let call: HttpCall = serde_json::from_value(http.clone())?;
            match host.http(&call) {
                HttpAnswer::Response { status, body } => instance.resume_http(status, &body)?,
                HttpAnswer::Transport { kind, message } => instance.resume(
                    serde_json::json!({"transport_error": {"kind": kind, "message": message}})
                        .to_string()
                        .as_bytes(),
                )?,
            }
        } else if let Some(p) = effect.get("progress") {
            host.progress(
                p["stage"].as_str().unwrap_or_default(),
                p["done"].as_u64().unwrap_or_default(),
                p["total"].as_u64().unwrap_or_default(),
            );
            instance.resume(b"{}")?
        } else if let Some(s) = effect.get("sleep") {
            host.sleep(s["ms"].as_u64().unwrap_or_default());
            instance.resume(b"{}")?
        } else {
            bail!("unknown effect: {step}")
        };
    }
}
