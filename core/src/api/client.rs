//! The kuraCloud API v2 client: builds requests, hands them to the host through [`Io`],
//! and reads the answers. Only HTTP 200 is success.

use super::errors::{classify_status, classify_transport, malformed, Subject};
use super::roster::Roster;
use super::types::*;
use super::url::{api_url, validate_base};
use crate::effect::HttpRequest;
use crate::error::{WfResult, WorkflowError};
use crate::runtime::Io;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// How a workflow reaches one kuraCloud instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// Base URL; empty means `https://api.kuracloud.com`.
    #[serde(default)]
    pub api_url: String,
    pub token: String,
    /// Per-request timeout; 30 s when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

impl Connection {
    pub fn validate(&self) -> WfResult<()> {
        validate_base(&self.api_url).map_err(WorkflowError::invalid_input)?;
        let token = self.token.trim();
        if token.is_empty() {
            return Err(WorkflowError::invalid_input("the connection has no token"));
        }
        // A token goes into a header: refuse anything that could split it.
        if token.chars().any(|c| c.is_control()) || token.len() > 4096 {
            return Err(WorkflowError::invalid_input(
                "the token contains characters a kuraCloud token cannot have",
            ));
        }
        Ok(())
    }
}

pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// Retries for answers that mean "not processed, try later".
const RETRY_DELAYS_MS: [u64; 2] = [1_000, 3_000];

pub struct ApiClient {
    io: Io,
    connection: Connection,
    /// Requests sent, for callers that report them.
    pub requests: u32,
}

impl ApiClient {
    pub fn new(io: Io, connection: Connection) -> WfResult<Self> {
        connection.validate()?;
        Ok(Self {
            io,
            connection,
            requests: 0,
        })
    }

    pub fn io(&self) -> &Io {
        &self.io
    }

    fn request(&self, method: &str, path: &str, body: Option<String>, timeout: u64) -> HttpRequest {
        let mut headers = vec![
            (
                "X-Kura-Token".to_string(),
                self.connection.token.trim().to_string(),
            ),
            ("Accept".to_string(), "application/json".to_string()),
        ];
        if body.is_some() {
            headers.push(("Content-Type".to_string(), "application/json".to_string()));
        }
        HttpRequest {
            method: method.into(),
            url: api_url(&self.connection.api_url, path),
            headers,
            body,
            timeout_ms: timeout,
        }
    }

    /// Sends one request; retries 429 always and 502/503/504 for reads, with a pause.
    async fn send_raw(
        &mut self,
        method: &str,
        path: &str,
        body: Option<String>,
        subject: Subject,
        timeout_ms: Option<u64>,
    ) -> WfResult<String> {
        let timeout = timeout_ms
            .or(self.connection.timeout_ms)
            .unwrap_or(DEFAULT_TIMEOUT_MS);
        let request = self.request(method, path, body, timeout);
        let mut attempt = 0;
        loop {
            self.requests += 1;
            let response = self
                .io
                .http(request.clone())
                .await
                .map_err(|e| classify_transport(&e, &request.url))?;
            if response.status == 200 {
                return Ok(response.body);
            }
            let retryable =
                response.status == 429 || (method == "GET" && matches!(response.status, 502..=504));
            if let Some(&pause) = RETRY_DELAYS_MS.get(attempt).filter(|_| retryable) {
                self.io.sleep(pause).await;
                attempt += 1;
                continue;
            }
            return Err(classify_status(response.status, &response.body, subject));
        }
    }

    async fn send<T: DeserializeOwned>(
        &mut self,
        method: &str,
        path: &str,
        body: Option<String>,
        subject: Subject,
    ) -> WfResult<T> {
        let text = self.send_raw(method, path, body, subject, None).await?;
        parse(&text, &api_url(&self.connection.api_url, path))
    }

    pub async fn instance(&mut self) -> WfResult<Instance> {
        self.send("GET", "instance", None, Subject::Instance).await
    }

    pub async fn courses(&mut self) -> WfResult<Vec<Course>> {
        self.send("GET", "course", None, Subject::Instance).await
    }

    pub async fn course(&mut self, course_id: i64) -> WfResult<Course> {
        self.send(
            "GET",
            &format!("course/{course_id}"),
            None,
            Subject::Course(course_id),
        )
        .await
    }

    pub async fn edit_course(
        &mut self,
        course_id: i64,
        settings: &CourseSettings,
    ) -> WfResult<Course> {
        let body = to_json(settings);
        self.send(
            "PUT",
            &format!("course/{course_id}"),
            Some(body),
            Subject::Course(course_id),
        )
        .await
    }

    /// Active and pending students, or the deleted ones: read into a compact roster,
    /// and the body dropped once read.
    pub async fn students(&mut self, course_id: i64, deleted: bool) -> WfResult<Roster> {
        let path = if deleted {
            format!("course/{course_id}/student?deleted=true")
        } else {
            format!("course/{course_id}/student")
        };
        let body = self
            .send_raw("GET", &path, None, Subject::Course(course_id), None)
            .await?;
        Roster::from_json(&body)
            .map_err(|e| malformed(&api_url(&self.connection.api_url, &path), &e.to_string()))
    }

    /// Invites: kuraCloud creates the students and emails them.
    pub async fn add_students(
        &mut self,
        course_id: i64,
        students: &[StudentInput],
    ) -> WfResult<Vec<Student>> {
        self.send(
            "POST",
            &format!("course/{course_id}/student"),
            Some(to_json(students)),
            Subject::Course(course_id),
        )
        .await
    }

    pub async fn edit_students(
        &mut self,
        course_id: i64,
        students: &[StudentEdit],
    ) -> WfResult<Vec<Student>> {
        self.send(
            "POST",
            &format!("course/{course_id}/student/edit"),
            Some(to_json(students)),
            Subject::Course(course_id),
        )
        .await
    }

    pub async fn delete_students(
        &mut self,
        course_id: i64,
        ids: &[StudentIdObject],
    ) -> WfResult<()> {
        self.send_raw(
            "POST",
            &format!("course/{course_id}/student/delete"),
            Some(to_json(ids)),
            Subject::Course(course_id),
            None,
        )
        .await
        .map(|_| ())
    }

    pub async fn restore_students(
        &mut self,
        course_id: i64,
        ids: &[StudentIdObject],
    ) -> WfResult<()> {
        self.send_raw(
            "POST",
            &format!("course/{course_id}/student/restore"),
            Some(to_json(ids)),
            Subject::Course(course_id),
            None,
        )
        .await
        .map(|_| ())
    }

    pub async fn start_grade_export(&mut self, course_id: i64) -> WfResult<TaskToken> {
        self.send(
            "POST",
            &format!("course/{course_id}/published/exportgrades.json"),
            None,
            Subject::Course(course_id),
        )
        .await
    }

    pub async fn grade_export_progress(
        &mut self,
        course_id: i64,
        token: &str,
    ) -> WfResult<ExportProgress> {
        self.send(
            "GET",
            &format!(
                "course/{course_id}/published/exportgrades.json/{}",
                path_segment(token)
            ),
            None,
            Subject::Export(course_id),
        )
        .await
    }

    /// The download's raw body (parsed by the grade sync, which sums as it reads).
    pub async fn download_grade_export(
        &mut self,
        course_id: i64,
        token: &str,
        timeout_ms: u64,
    ) -> WfResult<String> {
        let path = format!(
            "course/{course_id}/published/exportgrades.json/{}/download",
            path_segment(token)
        );
        self.send_raw(
            "GET",
            &path,
            None,
            Subject::Export(course_id),
            Some(timeout_ms),
        )
        .await
    }
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Our own types always serialize.
    serde_json::to_string(value).unwrap_or_default()
}

fn parse<T: DeserializeOwned>(text: &str, url: &str) -> WfResult<T> {
    serde_json::from_str(text).map_err(|e| malformed(url, &e.to_string()))
}

/// Percent-encodes a value for one URL path segment (task tokens come from the server).
pub fn path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_that_could_split_a_header_are_refused() {
        let c = Connection {
            api_url: String::new(),
            token: "abc\r\nX-Evil: 1".into(),
            timeout_ms: None,
        };
        assert!(c.validate().is_err());
        let ok = Connection {
            token: "abc".into(),
            ..c
        };
        assert!(ok.validate().is_ok());
    }

    #[test]
    fn task_tokens_are_escaped_in_paths() {
        assert_eq!(path_segment("ab-1_2"), "ab-1_2");
        assert_eq!(path_segment("../x y"), "%2E%2E%2Fx%20y");
    }
}
