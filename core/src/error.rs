//! Errors as data: a stable `code` a host can branch on and a `message` a teacher can
//! act on.

use crate::text::{Code, Text};
use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct WorkflowError {
    pub code: ErrorCode,
    /// What happened, as a code and its parameters: what hosts render for people.
    pub text: Text,
    /// The same in English, for hosts without a catalogue (the JavaScript facade's
    /// `Error.message`, logs, the fuzzer's checks); kept for backwards compatibility of
    /// the ABI, never shown by the Moodle block or `host-runner`.
    pub message: String,
    /// HTTP status when the error came from kuraCloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// Longest error message, in characters. Messages quote input (a field name, a URL,
/// kuraCloud's own message); whatever they quote, they stay this short.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// Longest kuraCloud name (instance, course) quoted in a text.
pub const MAX_NAME_CHARS: usize = 255;

/// `text` made safe to show anywhere: control characters escaped as Rust writes them
/// (`\n`, `\u{1b}`), at most `max` characters (the last one then `…`).
pub fn printable(text: &str, max: usize) -> String {
    if text.len() <= max && !text.chars().any(char::is_control) {
        return text.to_string();
    }
    let width = |c: char| {
        if c.is_control() {
            c.escape_debug().len()
        } else {
            1
        }
    };
    let total: usize = text.chars().map(width).sum();
    // All of it, or what fits before the ellipsis.
    let room = if total <= max {
        total
    } else {
        max.saturating_sub(1)
    };
    let mut out = String::with_capacity(room + 3);
    let mut used = 0;
    for c in text.chars() {
        if used + width(c) > room {
            break;
        }
        used += width(c);
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    if total > max {
        out.push('…');
    }
    out
}

impl WorkflowError {
    /// An error whose message is bounded and printable (see [`printable`]).
    pub fn new(code: ErrorCode, text: Text, message: impl Into<String>) -> Self {
        let message = message.into();
        let message =
            if message.len() <= MAX_MESSAGE_CHARS && !message.chars().any(char::is_control) {
                message
            } else {
                printable(&message, MAX_MESSAGE_CHARS)
            };
        Self {
            code,
            text,
            message,
            status: None,
        }
    }

    /// An `invalid_input` error: `detail` says what is wrong.
    pub fn invalid_input(detail: impl Into<String>) -> Self {
        let detail = printable(&detail.into(), MAX_MESSAGE_CHARS - 40);
        Self::new(
            ErrorCode::InvalidInput,
            Text::of(Code::InvalidInput).with("detail", detail.as_str()),
            detail,
        )
    }

    /// A `protocol` error: `detail` says how the host broke the protocol.
    pub fn protocol(detail: impl Into<String>) -> Self {
        let detail = printable(&detail.into(), MAX_MESSAGE_CHARS - 40);
        Self::new(
            ErrorCode::Protocol,
            Text::of(Code::Protocol).with("detail", detail.as_str()),
            detail,
        )
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

pub type WfResult<T> = Result<T, WorkflowError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_control_characters_and_bounds_the_length() {
        assert_eq!(printable("plain", 10), "plain");
        assert_eq!(printable("a\r\nb\u{0}", 20), "a\\r\\nb\\0");
        assert_eq!(printable("\u{1b}[31m", 20), "\\u{1b}[31m");
        assert_eq!(printable("abcdef", 6), "abcdef");
        assert_eq!(printable("abcdefg", 6), "abcde…");
        // An escape is never cut in half.
        assert_eq!(printable("abcd\n", 5), "abcd…");
        assert_eq!(printable("ééééé", 5), "ééééé");
        assert_eq!(printable("éééééé", 5), "éééé…");
        let huge = "x\u{7}".repeat(100_000);
        let p = printable(&huge, MAX_MESSAGE_CHARS);
        assert!(p.chars().count() <= MAX_MESSAGE_CHARS);
        assert!(p.chars().count() > MAX_MESSAGE_CHARS - 7);
        assert!(p.ends_with('…') && !p.chars().any(char::is_control));
    }

    #[test]
    fn every_error_message_is_bounded_and_printable() {
        let e = WorkflowError::new(
            ErrorCode::Protocol,
            Text::of(Code::Protocol),
            format!("bad \u{0}{}", "y".repeat(5000)),
        );
        assert!(e.message.starts_with("bad \\0y"));
        assert_eq!(e.message.chars().count(), MAX_MESSAGE_CHARS);
        assert!(!e.message.chars().any(char::is_control));
        let e = WorkflowError::invalid_input("short");
        assert_eq!(e.message, "short");
    }
}
