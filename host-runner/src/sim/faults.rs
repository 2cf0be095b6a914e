//! Faults the tests inject per route, through the control API.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// A route name (`student.add`, `export.progress`, ...; see `ROUTES`) or `*`.
    pub route: String,
    /// Answer with this status instead of the real answer.
    #[serde(default)]
    pub status: Option<u16>,
    /// With `status`: the error body's `message` (no body when absent).
    #[serde(default)]
    pub message: Option<String>,
    /// With `status`: this exact body instead.
    #[serde(default)]
    pub body: Option<String>,
    /// Wait this long before answering.
    #[serde(default)]
    pub delay_ms: u64,
    /// Answer 200 with a corrupted (truncated, unparseable) body.
    #[serde(default)]
    pub malformed: bool,
    /// Pad the answer's body with leading spaces to this many bytes (the same JSON,
    /// streamed, never held in memory): for response size limits.
    #[serde(default)]
    pub padded_to: Option<u64>,
    /// With `padded_to`: send the body chunked, without a `Content-Length`, so that a
    /// client learns its size only by reading it.
    #[serde(default)]
    pub chunked: bool,
    /// Close the connection without answering (no status line, no byte): the client
    /// sees the server hang up. Without `after`, the request was read but not performed.
    #[serde(default)]
    pub drop: bool,
    /// Perform the real operation first, then answer with the fault (or drop the
    /// connection): the write happened but the client never learns it.
    #[serde(default)]
    pub after: bool,
    /// Let this many matching requests through untouched first.
    #[serde(default)]
    pub skip: u32,
    /// Apply this many times, then disappear (forever when absent).
    #[serde(default)]
    pub times: Option<u32>,
}

/// Route names the simulator knows, for faults and the request log.
pub const ROUTES: &[&str] = &[
    "instance.get",
    "course.list",
    "course.get",
    "course.put",
    "student.list",
    "student.list_deleted",
    "student.add",
    "student.edit",
    "student.delete",
    "student.restore",
    "export.start",
    "export.progress",
    "export.download",
];

/// Picks the fault for this request, updating skip/times counters.
pub fn take_fault(faults: &mut Vec<Fault>, route: &str) -> Option<Fault> {
    let index = faults.iter_mut().position(|f| {
        if f.route != route && f.route != "*" {
            return false;
        }
        if f.skip > 0 {
            f.skip -= 1;
            return false;
        }
        true
    })?;
    let fault = faults[index].clone();
    if let Some(times) = faults[index].times.as_mut() {
        *times = times.saturating_sub(1);
        if *times == 0 {
            faults.remove(index);
        }
    }
    Some(fault)
}

/// A body that is not valid JSON but looks like the start of one.
pub fn corrupt(body: &str) -> String {
    let half: String = body.chars().take(body.chars().count() / 2).collect();
    format!("{half}\u{0}<html>oops")
}
