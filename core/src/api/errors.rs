//! Turning kuraCloud's answers into errors a teacher can act on.

use super::types::ApiMessage;
use crate::effect::TransportError;
use crate::error::{printable, ErrorCode, WorkflowError};
use crate::text::{Code, Text};

/// What a request was about, so a 404 can say which thing is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Instance,
    Course(i64),
    Export(i64),
}

/// Longest piece of a kuraCloud message we repeat to a user.
const MAX_MESSAGE_CHARS: usize = 300;

/// kuraCloud's `message`, if the body carries one, made safe to show: control
/// characters dropped, length bounded. Hosts still escape it for HTML.
pub fn api_message(body: &str) -> Option<String> {
    let parsed: ApiMessage = serde_json::from_str(body).ok()?;
    let text = parsed.message?;
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    if clean.is_empty() {
        return None;
    }
    let mut out: String = clean.chars().take(MAX_MESSAGE_CHARS).collect();
    if clean.chars().count() > MAX_MESSAGE_CHARS {
        out.push('…');
    }
    Some(out)
}

/// Classifies a non-200 answer.
pub fn classify_status(status: u16, body: &str, subject: Subject) -> WorkflowError {
    let message = api_message(body);
    let said = message
        .as_deref()
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    let mentions_lms = message
        .as_deref()
        .is_some_and(|m| m.to_ascii_lowercase().contains("lms"));
    // kuraCloud's own message is a parameter (empty when it sent none).
    let text = |code| Text::of(code).with("said", message.as_deref().unwrap_or(""));
    let (code, text, english) = match status {
        401 | 403 if mentions_lms => (
            ErrorCode::LmsNotEnabled,
            text(Code::LmsNotEnabled).with("status", status),
            format!(
                "kuraCloud says LMS integration is not enabled (HTTP {status}{said}). Ask your ADInstruments representative to enable it, or enable LMS for the course in kuraCloud."
            ),
        ),
        401 | 403 => (
            ErrorCode::BadToken,
            text(Code::BadToken).with("status", status),
            format!(
                "kuraCloud refused the token (HTTP {status}{said}). The token may be wrong, revoked or replaced; an administrator must enter a new token for this connection."
            ),
        ),
        404 => match subject {
            Subject::Course(id) => (
                ErrorCode::CourseNotFound,
                text(Code::CourseNotFound).with("course_id", id),
                format!(
                    "kuraCloud course {id} was not found (HTTP 404{said}). It may have been deleted in kuraCloud; restore it there to use this mapping again."
                ),
            ),
            Subject::Export(id) => (
                ErrorCode::ExportFailed,
                text(Code::ExportNotFound).with("course_id", id),
                format!("the grade export of kuraCloud course {id} was not found (HTTP 404{said})."),
            ),
            Subject::Instance => (
                ErrorCode::UnexpectedStatus,
                text(Code::ApiNotFound),
                format!(
                    "the kuraCloud API was not found at this URL (HTTP 404{said}). Check the connection's API URL."
                ),
            ),
        },
        400 => (
            ErrorCode::BadRequest,
            text(Code::BadRequest),
            format!("kuraCloud rejected the request (HTTP 400{said})."),
        ),
        429 => (
            ErrorCode::RateLimited,
            text(Code::RateLimited),
            format!("kuraCloud is limiting requests (HTTP 429{said}). Try again in a few minutes."),
        ),
        500..=599 => (
            ErrorCode::ServerError,
            text(Code::ServerError).with("status", status),
            format!("kuraCloud had a server error (HTTP {status}{said}). Try again later; if it persists, contact ADInstruments support."),
        ),
        _ => (
            ErrorCode::UnexpectedStatus,
            text(Code::UnexpectedStatus).with("status", status),
            format!("kuraCloud answered with unexpected HTTP status {status}{said}."),
        ),
    };
    WorkflowError::new(code, text, english).with_status(status)
}

/// Longest piece of a request's URL repeated in a message: its path carries what
/// kuraCloud sent (an export's task token, found 462,952 characters long by the fuzzer).
const MAX_URL_CHARS: usize = 500;

pub fn classify_transport(error: &TransportError, url: &str) -> WorkflowError {
    let url = printable(url, MAX_URL_CHARS);
    let shown = printable(&error.message, MAX_MESSAGE_CHARS);
    let detail = if error.message.is_empty() {
        String::new()
    } else {
        format!(" ({shown})")
    };
    let (code, text) = if error.kind == "timeout" {
        (ErrorCode::Timeout, Code::Timeout)
    } else {
        (ErrorCode::Unreachable, Code::Unreachable)
    };
    let text = Text::of(text)
        .with("url", url.as_str())
        .with("detail", shown.as_str());
    if code == ErrorCode::Timeout {
        WorkflowError::new(
            code,
            text,
            format!("kuraCloud did not answer in time at {url}{detail}. Try again later."),
        )
    } else {
        WorkflowError::new(
            code,
            text,
            format!(
                "kuraCloud could not be reached at {url}{detail}. Check the connection's API URL and that this site may reach it."
            ),
        )
    }
}

pub fn malformed(url: &str, why: &str) -> WorkflowError {
    let url = printable(url, MAX_URL_CHARS);
    let short = printable(why, MAX_MESSAGE_CHARS);
    WorkflowError::new(
        ErrorCode::MalformedResponse,
        Text::of(Code::MalformedResponse)
            .with("url", url.as_str())
            .with("detail", short.as_str()),
        format!("kuraCloud answered {url} with a body that could not be read: {short}. Nothing was changed."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_quoted_in_errors_are_bounded() {
        // An export's task token, from kuraCloud, sits in the path.
        let url = format!(
            "https://x.test/v2/course/1/published/exportgrades.json/{}",
            "%41".repeat(150_000)
        );
        let t = TransportError {
            kind: "timeout".into(),
            message: String::new(),
        };
        for e in [classify_transport(&t, &url), malformed(&url, "eof")] {
            let Some(crate::text::Param::Str(shown)) = e.text.param("url") else {
                panic!("no url in {:?}", e.text)
            };
            assert!(shown.chars().count() <= MAX_URL_CHARS, "{}", shown.len());
            assert!(e.message.chars().count() <= crate::error::MAX_MESSAGE_CHARS);
        }
    }

    #[test]
    fn forbidden_is_a_bad_token_unless_it_names_lms() {
        let e = classify_status(403, r#"{"message":"Invalid token"}"#, Subject::Instance);
        assert_eq!(e.code, ErrorCode::BadToken);
        assert!(e.message.contains("Invalid token"));
        let e = classify_status(
            403,
            r#"{"message":"LMS integration is not enabled"}"#,
            Subject::Course(3),
        );
        assert_eq!(e.code, ErrorCode::LmsNotEnabled);
    }

    #[test]
    fn not_found_names_the_course() {
        let e = classify_status(404, "", Subject::Course(42));
        assert_eq!(e.code, ErrorCode::CourseNotFound);
        assert!(e.message.contains("42"));
    }

    #[test]
    fn server_errors_carry_the_message_when_present() {
        let e = classify_status(500, r#"{"message":"db down"}"#, Subject::Instance);
        assert_eq!(e.code, ErrorCode::ServerError);
        assert!(e.message.contains("db down"));
        assert_eq!(e.status, Some(500));
        let e = classify_status(503, "", Subject::Instance);
        assert_eq!(e.code, ErrorCode::ServerError);
        assert!(e.message.contains("503"));
    }

    #[test]
    fn hostile_messages_are_bounded_and_stripped() {
        let long = "x".repeat(5000);
        let body = serde_json::json!({ "message": format!("a\u{0}b\n{long}") }).to_string();
        let m = api_message(&body).unwrap();
        assert!(m.starts_with("a b "));
        assert!(m.chars().count() <= MAX_MESSAGE_CHARS + 1);
        assert_eq!(api_message("not json"), None);
        assert_eq!(api_message(r#"{"message": null}"#), None);
    }

    #[test]
    fn transport_errors_split_timeouts_from_unreachable() {
        let t = TransportError {
            kind: "timeout".into(),
            message: "".into(),
        };
        assert_eq!(classify_transport(&t, "u").code, ErrorCode::Timeout);
        let c = TransportError {
            kind: "connect".into(),
            message: "refused".into(),
        };
        assert_eq!(classify_transport(&c, "u").code, ErrorCode::Unreachable);
    }
}
