//! kuraCloud for JavaScript: the workflows of `kuracloud-core` behind `wasm-bindgen`
//! exports, with JavaScript objects in and out instead of the C ABI's JSON buffers.
//!
//! The C ABI module (`wasm/`, `dist/kuracloud.wasm`) is untouched: this crate is a second
//! front door to the same core, built by `wasm-pack` for Node.js and browsers.
//!
//! - `new Workflow()`, then `workflow.start(name, input)`: the first step.
//! - `workflow.resume(result)` (or `workflow.resumeHttp(status, bytes)` for an HTTP answer
//!   whose body is raw bytes): the next step.
//! - A step is `{effect: {http | sleep | progress}}` or `{done: outcome}`; a failed
//!   workflow throws a JavaScript `Error` named `KuracloudError` whose `code` is the
//!   module's stable error code (`bad_token`, `invalid_input`, ...), `text` what happened
//!   as a text code with its parameters, `message` the same in English, and `status`
//!   kuraCloud's HTTP status when there was one.
//! - `info()`: module, version, ABI version, workflow names.
//! - `renderText(text)`, `renderReason(entry)`: a text (`{code, params}`) or a plan
//!   entry's reason in English, from host-runner's catalogue (the same sentences).
//!
//! Inputs are read from JavaScript through `serde-wasm-bindgen` and written as the JSON
//! text core's own entry point parses ([`kuracloud_core::workflows::start`]), so a
//! workflow sees exactly what it would see from any host of the C ABI. Effects and effect
//! results go through `serde-wasm-bindgen` too. An outcome is JSON text written by core;
//! it becomes a JavaScript object through `JSON.parse`, the same reading a JavaScript
//! host of the C ABI module would do.

// As in `core` and `wasm`: no panic reachable from input outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::string_slice
    )
)]

mod input;

/// host-runner's English catalogue, compiled here from its source so both hosts render
/// every text code with the same sentence. It slices its templates at `{`/`}`, ASCII
/// boundaries.
#[allow(clippy::string_slice, clippy::indexing_slicing)]
#[path = "../../host-runner/src/catalogue.rs"]
mod catalogue;

use kuracloud_core::error::WorkflowError;
use kuracloud_core::runtime::Run;
use kuracloud_core::{workflows, EffectResult, Step};
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub use input::{request_from, start_request, MAX_DEPTH};

/// The TypeScript declarations of inputs, steps, effects, outcomes and errors; the
/// `Workflow` class is declared there too (generic over the workflow name), so its
/// generated declaration is skipped.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

/// One workflow at a time, like one instance of the C ABI module: `start` replaces a
/// running workflow. Several `Workflow`s run side by side.
#[wasm_bindgen(skip_typescript)]
#[derive(Default)]
pub struct Workflow {
    run: Option<Run>,
}

#[wasm_bindgen]
impl Workflow {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Workflow {
        Workflow::default()
    }

    /// Starts `workflow` with `input` (a plain object, as the C ABI's `"input"`).
    /// Returns the first step; throws a `KuracloudError` when the workflow fails.
    pub fn start(&mut self, workflow: &str, input: JsValue) -> Result<JsValue, JsValue> {
        self.run = None;
        let request = match start_request(workflow, &input) {
            Ok(request) => request,
            Err(error) => return Err(js_error(&error)),
        };
        let (run, step) = workflows::start(&request);
        drop(request);
        self.run = run.filter(|run| !run.is_finished());
        step_to_js(step)
    }

    /// Feeds the result of the effect asked for last: `{status, body}` or
    /// `{transport_error: {kind, message}}` for `http`, `{}` for `sleep` and `progress`.
    pub fn resume(&mut self, result: JsValue) -> Result<JsValue, JsValue> {
        match serde_wasm_bindgen::from_value::<EffectResult>(result) {
            Ok(result) => self.advance(result),
            Err(e) => {
                self.run = None;
                Err(js_error(&WorkflowError::protocol(format!(
                    "the effect result is not one the module can read: {e}"
                ))))
            }
        }
    }

    /// Feeds an HTTP answer whose body is bytes (a `Uint8Array`), as the C ABI's
    /// `body_follows`: read as UTF-8, invalid sequences replaced.
    #[wasm_bindgen(js_name = resumeHttp)]
    pub fn resume_http(&mut self, status: u16, body: Vec<u8>) -> Result<JsValue, JsValue> {
        let body = String::from_utf8(body)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        self.advance(EffectResult::http(status, body))
    }

    /// Whether a workflow is waiting for an effect's result.
    #[wasm_bindgen(getter)]
    pub fn running(&self) -> bool {
        self.run.is_some()
    }
}

impl Workflow {
    fn advance(&mut self, result: EffectResult) -> Result<JsValue, JsValue> {
        let Some(run) = self.run.as_mut() else {
            return Err(js_error(&WorkflowError::protocol(
                "resume called with no running workflow (call start first)",
            )));
        };
        let step = run.resume(result);
        if run.is_finished() {
            self.run = None;
        }
        step_to_js(step)
    }
}

/// Objects for JavaScript: maps as plain objects, 64-bit integers as numbers.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            js_error(&WorkflowError::protocol(format!(
                "a step could not be handed to JavaScript: {e}"
            )))
        })
}

fn step_to_js(step: Step) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct EffectStep<'a> {
        effect: &'a kuracloud_core::Effect,
    }
    match step {
        Step::Effect(effect) => to_js(&EffectStep { effect: &effect }),
        Step::Done(json) => {
            let outcome = js_sys::JSON::parse(&json)?;
            drop(json);
            let step = js_sys::Object::new();
            js_sys::Reflect::set(&step, &JsValue::from_str("done"), &outcome)?;
            Ok(step.into())
        }
        Step::Error(error) => Err(js_error(&error)),
    }
}

/// A JavaScript `Error` named `KuracloudError`: the module's English `message`, its
/// `code`, its `text` (`{code, params}`), and kuraCloud's HTTP `status` when there was
/// one.
fn js_error(error: &WorkflowError) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("KuracloudError");
    let code = serde_json::to_value(error.code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "protocol".to_owned());
    // Setting a property on a fresh `Error` cannot fail; a failure would only leave the
    // property out.
    let _ = js_sys::Reflect::set(&js, &"code".into(), &code.into());
    if let Ok(text) = to_js(&error.text) {
        let _ = js_sys::Reflect::set(&js, &"text".into(), &text);
    }
    if let Some(status) = error.status {
        let _ = js_sys::Reflect::set(&js, &"status".into(), &status.into());
    }
    // The text (`{code, params}`) for a page that renders it in its own language.
    if let Ok(text) = error
        .text
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
    {
        let _ = js_sys::Reflect::set(&js, &"text".into(), &text);
    }
    js.into()
}

#[derive(Serialize)]
struct Info {
    module: &'static str,
    version: &'static str,
    abi: u32,
    workflows: &'static [&'static str],
}

/// A text (`{code, params}`, as outcomes and errors carry them) in English: the sentence
/// host-runner prints, then what kuraCloud said and the technical detail, if any. An
/// unknown code is shown as `[code]`.
#[wasm_bindgen(js_name = renderText, skip_typescript)]
pub fn render_text(text: JsValue) -> Result<String, JsValue> {
    Ok(catalogue::render(&from_js(text)?))
}

/// A plan entry's reason in English, with what an update or a restore changes, as
/// host-runner's report shows it.
#[wasm_bindgen(js_name = renderReason, skip_typescript)]
pub fn render_reason(entry: JsValue) -> Result<String, JsValue> {
    Ok(catalogue::render_reason(&from_js(entry)?))
}

fn from_js(value: JsValue) -> Result<serde_json::Value, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        js_error(&WorkflowError::invalid_input(format!(
            "not a text the catalogue can read: {e}"
        )))
    })
}

/// `{module, version, abi, workflows}`, as the C ABI's `kc_info`.
#[wasm_bindgen(skip_typescript)]
pub fn info() -> Result<JsValue, JsValue> {
    to_js(&Info {
        module: "kuracloud",
        version: kuracloud_core::MODULE_VERSION,
        abi: kuracloud_core::ABI_VERSION,
        workflows: workflows::WORKFLOWS,
    })
}
