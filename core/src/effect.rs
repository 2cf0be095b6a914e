//! What a workflow asks its host to do, and what the host answers.
//!
//! The module never touches a socket or a clock: it yields an [`Effect`], the host
//! performs it and resumes the workflow with an [`EffectResult`].

use serde::{Deserialize, Serialize};

/// One HTTP request for the host to send as-is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    /// Header name/value pairs, in order.
    pub headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub timeout_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Http(HttpRequest),
    /// Wait before the next poll; hosts may sleep or reschedule.
    Sleep {
        ms: u64,
    },
    /// Progress for a progress bar; `done <= total` always holds.
    Progress {
        stage: String,
        done: u64,
        total: u64,
    },
}

/// Why the host could not get an HTTP response at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransportError {
    /// `timeout`, `connect` (refused, DNS, TLS, blocked host) or `other`.
    pub kind: String,
    #[serde(default)]
    pub message: String,
}

/// The host's answer to an effect. For `http`: `status` and `body`, or
/// `transport_error`. For `sleep` and `progress`: `{}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EffectResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_error: Option<TransportError>,
}

impl EffectResult {
    pub fn http(status: u16, body: impl Into<String>) -> Self {
        Self {
            status: Some(status),
            body: Some(body.into()),
            transport_error: None,
        }
    }

    pub fn transport(kind: &str, message: &str) -> Self {
        Self {
            transport_error: Some(TransportError {
                kind: kind.into(),
                message: message.into(),
            }),
            ..Self::default()
        }
    }

    pub fn ack() -> Self {
        Self::default()
    }
}

/// What a workflow hands back after each start or resume.
#[derive(Debug, Clone)]
pub enum Step {
    Effect(Effect),
    /// The outcome as JSON text, serialized by the workflow itself (so a large outcome is
    /// neither re-parsed nor copied through a `Value` tree).
    Done(String),
    Error(crate::error::WorkflowError),
}

/// What a done step's JSON starts with; it ends with `}`.
pub const DONE_OPEN: &str = "{\"done\":";

impl Step {
    /// `to_json`, reusing a done outcome's buffer: the envelope is written around it in
    /// place, so a megabyte-sized outcome is neither copied nor held twice.
    pub fn into_json(self) -> String {
        match self {
            Step::Done(mut json) => {
                json.reserve_exact(DONE_OPEN.len() + 1);
                json.insert_str(0, DONE_OPEN);
                json.push('}');
                json
            }
            other => other.to_json(),
        }
    }

    /// `{"effect": ...}`, `{"done": ...}` or `{"error": ...}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "snake_case")]
        enum Tagged<'a> {
            Effect(&'a Effect),
            Error(&'a crate::error::WorkflowError),
        }
        let tagged = match self {
            Step::Done(json) => {
                let mut out = String::with_capacity(json.len() + DONE_OPEN.len() + 1);
                out.push_str(DONE_OPEN);
                out.push_str(json);
                out.push('}');
                return out;
            }
            Step::Effect(e) => Tagged::Effect(e),
            Step::Error(e) => Tagged::Error(e),
        };
        serde_json::to_string(&tagged).unwrap_or_else(|e| {
            format!(
                r#"{{"error":{{"code":"protocol","message":"could not serialize a step: {e}"}}}}"#
            )
        })
    }
}
