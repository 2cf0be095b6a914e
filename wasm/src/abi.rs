//! The ABI's logic, free of raw pointers so it is tested natively.

use kuracloud_core::error::WorkflowError;
use kuracloud_core::runtime::Run;
use kuracloud_core::{workflows, EffectResult, Step};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

thread_local! {
    static CURRENT: RefCell<Option<Run>> = const { RefCell::new(None) };
}

fn error_step(message: String) -> String {
    Step::Error(WorkflowError::protocol(message)).to_json()
}

/// `kc_start`.
pub fn handle_start(input: &[u8]) -> String {
    CURRENT.with(|c| c.borrow_mut().take());
    let Ok(text) = std::str::from_utf8(input) else {
        return Step::Error(WorkflowError::invalid_input(
            "the request is not UTF-8 text",
        ))
        .to_json();
    };
    let (run, step) = workflows::start(text);
    if let Some(run) = run {
        if !run.is_finished() {
            CURRENT.with(|c| *c.borrow_mut() = Some(run));
        }
    }
    step.into_json()
}

#[derive(Deserialize)]
struct EnvelopeHeader {
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    body_follows: bool,
}

/// Reads a resume input: plain JSON, or a header line followed by the raw body.
fn parse_result(mut input: Vec<u8>) -> Result<EffectResult, String> {
    if let Some(nl) = input.iter().position(|&b| b == b'\n') {
        let header = input
            .get(..nl)
            .map(serde_json::from_slice::<EnvelopeHeader>);
        if let Some(Ok(header)) = header {
            if header.body_follows {
                let status = header
                    .status
                    .ok_or("a result with body_follows needs a status")?;
                input.drain(..=nl);
                let body = String::from_utf8(input)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                return Ok(EffectResult::http(status, body));
            }
        }
    }
    serde_json::from_slice(&input).map_err(|e| format!("the effect result is not valid JSON: {e}"))
}

/// `kc_resume`.
pub fn handle_resume(input: Vec<u8>) -> String {
    let result = match parse_result(input) {
        Ok(r) => r,
        Err(message) => {
            CURRENT.with(|c| c.borrow_mut().take());
            return error_step(message);
        }
    };
    let step = CURRENT.with(|c| {
        let mut slot = c.borrow_mut();
        let Some(run) = slot.as_mut() else {
            return Step::Error(WorkflowError::protocol(
                "kc_resume called with no running workflow (call kc_start first)",
            ));
        };
        let step = run.resume(result);
        if run.is_finished() {
            *slot = None;
        }
        step
    });
    step.into_json()
}

#[derive(Serialize)]
struct Info {
    module: &'static str,
    version: &'static str,
    abi: u32,
    workflows: &'static [&'static str],
}

/// `kc_info`.
pub fn handle_info() -> String {
    serde_json::to_string(&Info {
        module: "kuracloud",
        version: kuracloud_core::MODULE_VERSION,
        abi: kuracloud_core::ABI_VERSION,
        workflows: workflows::WORKFLOWS,
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_asks_for_http_and_resume_finishes() {
        let step = handle_start(
            br#"{"workflow":"connection.verify","input":{"connection":{"api_url":"http://h/","token":"t"}}}"#,
        );
        let v: serde_json::Value = serde_json::from_str(&step).unwrap();
        assert_eq!(v["effect"]["http"]["url"], "http://h/v2/instance");
        assert_eq!(v["effect"]["http"]["headers"][0][0], "X-Kura-Token");
        let body = r#"{"instanceId":"i1","displayName":"Demo","gradingMode":"kuraGrading","sidebarColour":"DEFAULT","lmsEnabled":true}"#;
        let mut input = br#"{"status":200,"body_follows":true}"#.to_vec();
        input.push(b'\n');
        input.extend_from_slice(body.as_bytes());
        let done = handle_resume(input);
        assert_eq!(
            done,
            r#"{"done":{"instance_id":"i1","name":"Demo","lms_enabled":true,"grading_mode":"kuraGrading"}}"#
        );
        let again = handle_resume(br#"{"status":200,"body":"{}"}"#.to_vec());
        assert!(again.contains(r#""code":"protocol""#));
    }

    #[test]
    fn garbage_is_an_error_step_not_a_trap() {
        assert!(handle_start(b"not json").contains(r#""code":"invalid_input""#));
        assert!(handle_start(&[0xff, 0xfe]).contains("UTF-8"));
        assert!(handle_start(br#"{"workflow":"nope","input":{}}"#).contains("unknown workflow"));
        assert!(handle_start(
            br#"{"workflow":"connection.verify","input":{"connection":{"token":"a\r\nb"}}}"#
        )
        .contains("invalid_input"));
        assert!(handle_resume(b"{{{".to_vec()).contains("protocol"));
    }

    #[test]
    fn info_lists_workflows() {
        let info: serde_json::Value = serde_json::from_str(&handle_info()).unwrap();
        assert_eq!(info["abi"], 1);
        assert!(info["workflows"].as_array().unwrap().len() >= 8);
    }
}
