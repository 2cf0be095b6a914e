//! Errors as data: a stable `code` a host can branch on and a `message` a teacher can
//! act on.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The token was refused (wrong, revoked or for another instance).
    BadToken,
    /// LMS integration is off for the instance or the course.
    LmsNotEnabled,
    /// The course does not exist in kuraCloud or was deleted there.
    CourseNotFound,
    /// kuraCloud rejected the request as malformed (400).
    BadRequest,
    /// Too many requests (429) even after waiting.
    RateLimited,
    /// kuraCloud failed (5xx).
    ServerError,
    /// kuraCloud answered 200 with a body we cannot read.
    MalformedResponse,
    /// No answer in time.
    Timeout,
    /// No connection (refused, DNS, TLS, blocked by Moodle's security settings).
    Unreachable,
    /// The host's input is not what the workflow needs.
    InvalidInput,
    /// The grade export failed in kuraCloud.
    ExportFailed,
    /// The grade export did not finish within the time budget.
    ExportTimeout,
    /// The host broke the step protocol (resumed without a run, wrong result kind).
    Protocol,
    /// Any other HTTP status.
    UnexpectedStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowError {
    pub code: ErrorCode,
    pub message: String,
    /// HTTP status when the error came from kuraCloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

impl WorkflowError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            status: None,
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WorkflowError {}

pub type WfResult<T> = Result<T, WorkflowError>;
