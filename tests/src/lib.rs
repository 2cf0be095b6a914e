//! Test harness: the real `dist/kuracloud.wasm` on wasmtime, a fresh simulator per test,
//! all over real HTTP on 127.0.0.1.

use kuracloud_host_runner::driver::{http_with_ureq, DEFAULT_MAX_RESPONSE_BYTES};
use kuracloud_host_runner::sim::state::SimState;
use kuracloud_host_runner::sim::{sample, Simulator};
use kuracloud_host_runner::{
    default_module_path, run_workflow, DiskCache, EffectHost, HttpAnswer, HttpCall, KcModule,
    Limits, RunOutcome,
};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// The module, compiled once per test binary.
pub fn module() -> &'static KcModule {
    static MODULE: OnceLock<KcModule> = OnceLock::new();
    MODULE.get_or_init(|| {
        let path = default_module_path();
        assert!(
            path.exists(),
            "{} is missing: build the module first with scripts/build-wasm.sh (scripts/test.sh does)",
            path.display()
        );
        // Compiled once for all test binaries (the cache is keyed by the module's hash),
        // authenticated with a key kept next to the cache directory.
        let target = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target");
        let cache = DiskCache::with_key_file(
            target.join("kuracloud-test-cache"),
            &target.join("kuracloud-test-cache.key"),
        )
        .expect("the test cache");
        KcModule::load(&path, Some(&cache)).expect("the module loads")
    })
}

/// Performs HTTP for real; records sleeps and progress instead of waiting.
#[derive(Default)]
pub struct TestHost {
    pub http_calls: Vec<(String, String)>,
    pub sleeps: Vec<u64>,
    pub progress: Vec<(String, u64, u64)>,
    /// Largest response body accepted (the host's default when absent).
    pub max_response_bytes: Option<u64>,
}

impl EffectHost for TestHost {
    fn http(&mut self, call: &HttpCall) -> HttpAnswer {
        self.http_calls
            .push((call.method.clone(), call.url.clone()));
        http_with_ureq(
            call,
            self.max_response_bytes
                .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
        )
    }
    fn sleep(&mut self, ms: u64) {
        self.sleeps.push(ms);
    }
    fn progress(&mut self, stage: &str, done: u64, total: u64) {
        self.progress.push((stage.to_string(), done, total));
    }
}

pub struct Kc {
    pub sim: Simulator,
}

impl Kc {
    pub fn sample() -> Self {
        Self::with_state(sample::sample_state())
    }

    pub fn with_state(state: SimState) -> Self {
        Self {
            sim: Simulator::start(0, state, None).expect("simulator starts"),
        }
    }

    pub fn url(&self) -> String {
        self.sim.url()
    }

    /// A connection to the sample instance.
    pub fn conn(&self) -> Value {
        json!({"api_url": self.url(), "token": sample::SAMPLE_TOKEN})
    }

    pub fn run_with(&self, workflow: &str, input: &str, host: &mut TestHost) -> RunOutcome {
        let mut instance = module()
            .instantiate(Limits::default())
            .expect("instantiate");
        run_workflow(&mut instance, workflow, input, host).expect("the host loop runs")
    }

    pub fn run(&self, workflow: &str, input: Value) -> RunOutcome {
        self.run_with(workflow, &input.to_string(), &mut TestHost::default())
    }

    /// Runs a workflow that must succeed and returns its outcome.
    pub fn done(&self, workflow: &str, input: Value) -> Value {
        match self.run(workflow, input) {
            RunOutcome::Done(json) => serde_json::from_str(&json).expect("outcome is JSON"),
            RunOutcome::Failed { code, message, .. } => {
                panic!("{workflow} failed: {code}: {message}")
            }
        }
    }

    /// Runs a workflow that must fail and returns (code, message).
    pub fn fail(&self, workflow: &str, input: Value) -> (String, String) {
        match self.run(workflow, input) {
            RunOutcome::Done(json) => panic!("{workflow} should have failed but gave {json}"),
            RunOutcome::Failed { code, message, .. } => (code, message),
        }
    }

    /// Injects a fault through the control API.
    pub fn fault(&self, fault: Value) {
        ureq::post(&format!("{}/_control/faults", self.url()))
            .send_string(&fault.to_string())
            .expect("fault accepted");
    }

    pub fn clear_faults(&self) {
        ureq::delete(&format!("{}/_control/faults", self.url()))
            .call()
            .expect("faults cleared");
    }

    pub fn set_export(&self, outcome: &str, polls_before_ready: u32) {
        ureq::put(&format!("{}/_control/export", self.url()))
            .send_string(
                &json!({"outcome": outcome, "pollsBeforeReady": polls_before_ready}).to_string(),
            )
            .expect("export config accepted");
    }

    /// The simulator's state, read back through the control API.
    pub fn state(&self) -> Value {
        let text = ureq::get(&format!("{}/_control/state", self.url()))
            .call()
            .expect("state")
            .into_string()
            .expect("state body");
        serde_json::from_str(&text).expect("state JSON")
    }

    pub fn put_state(&self, state: &Value) {
        ureq::put(&format!("{}/_control/state", self.url()))
            .send_string(&state.to_string())
            .expect("state accepted");
    }

    /// Active (or deleted) students of a course in the sample instance, by email.
    pub fn students(&self, course_id: i64, deleted: bool) -> Vec<Value> {
        let state = self.state();
        let mut out: Vec<Value> = state["instances"][0]["courses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["courseId"] == course_id)
            .map(|c| c["students"].as_array().unwrap().clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s["deleted"] == deleted)
            .collect();
        out.sort_by_key(|s| s["email"].as_str().unwrap_or("").to_lowercase());
        out
    }

    pub fn requests(&self) -> Vec<Value> {
        let text = ureq::get(&format!("{}/_control/requests", self.url()))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        serde_json::from_str::<Value>(&text)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    pub fn clear_requests(&self) {
        ureq::delete(&format!("{}/_control/requests", self.url()))
            .call()
            .unwrap();
    }
}

/// Applies a golden case's `setup`: control-API calls before the workflow runs.
/// `{"faults": {...}}`, `{"export": {...}}`, or `{"api": {"method", "path", "body"}}`
/// (an API call with the sample token).
pub fn apply_setup(base_url: &str, setup: &Value) {
    for op in setup.as_array().into_iter().flatten() {
        if let Some(f) = op.get("faults") {
            ureq::post(&format!("{base_url}/_control/faults"))
                .send_string(&f.to_string())
                .expect("fault");
        }
        if let Some(e) = op.get("export") {
            ureq::put(&format!("{base_url}/_control/export"))
                .send_string(&e.to_string())
                .expect("export");
        }
        if let Some(a) = op.get("api") {
            let url = format!("{base_url}{}", a["path"].as_str().unwrap());
            ureq::request(a["method"].as_str().unwrap(), &url)
                .set("X-Kura-Token", sample::SAMPLE_TOKEN)
                .send_string(&a["body"].to_string())
                .expect("api setup call");
        }
    }
}

/// The comparable text of an outcome: the module's outcome JSON as is, or
/// `error:<code>\n<message>`; the simulator's URL replaced by `{{SIM}}`.
pub fn outcome_text(outcome: &RunOutcome, base_url: &str) -> String {
    let text = match outcome {
        RunOutcome::Done(json) => json.clone(),
        RunOutcome::Failed { code, message, .. } => format!("error:{code}\n{message}"),
    };
    text.replace(base_url, "{{SIM}}")
}
