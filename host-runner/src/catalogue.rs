//! host-runner's English catalogue: the module's text codes (`kuracloud_core::text`) as
//! sentences for a terminal. The Moodle block has its own (`lang/en/block_kuracloud.php`,
//! strings `text_<code>`); a test checks both cover every code with the parameters it
//! carries.
//!
//! A template names parameters as `{name}`. Two parameters are never placed in a
//! template: `said` (kuraCloud's own message) and `detail` (a technical detail, such as
//! a transport error); when not empty they follow the sentence, introduced by
//! [`SAID`] and [`DETAIL`].

use serde_json::Value;

/// kuraCloud's own message, after the sentence.
pub const SAID: &str = "kuraCloud said: {said}";
/// A technical detail, after the sentence.
pub const DETAIL: &str = "Details: {detail}";

/// Every code and its English sentence.
pub const ENGLISH: &[(&str, &str)] = &[
    ("bad_token", "kuraCloud refused the token (HTTP {status}). The token may be wrong, revoked or replaced; an administrator must enter a new token for this connection."),
    ("lms_not_enabled", "kuraCloud says LMS integration is not enabled (HTTP {status}). Ask your ADInstruments representative to enable it, or enable LMS for the course in kuraCloud."),
    ("lms_not_enabled_instance", "LMS integration is not enabled for kuraCloud instance '{instance}'. Ask your ADInstruments representative to enable it."),
    ("lms_not_enabled_course", "LMS integration is not enabled for kuraCloud course '{course}'. Map the course again to enable it."),
    ("course_not_found", "kuraCloud course {course_id} was not found. It may have been deleted in kuraCloud; restore it there to use this mapping again."),
    ("course_deleted_restore_first", "kuraCloud course {course_id} is deleted. A mapping may only be removed from an active kuraCloud course: restore the course in kuraCloud first, remove the mapping, then delete the course again if you wish."),
    ("export_not_found", "The grade export of kuraCloud course {course_id} was not found."),
    ("api_not_found", "The kuraCloud API was not found at this URL. Check the connection's API URL."),
    ("bad_request", "kuraCloud rejected the request (HTTP 400)."),
    ("rate_limited", "kuraCloud is limiting requests (HTTP 429). Try again in a few minutes."),
    ("server_error", "kuraCloud had a server error (HTTP {status}). Try again later; if it persists, contact ADInstruments support."),
    ("unexpected_status", "kuraCloud answered with unexpected HTTP status {status}."),
    ("timeout", "kuraCloud did not answer in time at {url}. Try again later."),
    ("unreachable", "kuraCloud could not be reached at {url}. Check the connection's API URL and that this site may reach it."),
    ("malformed_response", "kuraCloud answered {url} with a body that could not be read. Nothing was changed."),
    ("invalid_input", "The workflow's input is not valid."),
    ("export_failed", "kuraCloud could not export the course's grades. No grades were changed; try again later."),
    ("export_timeout", "kuraCloud's grade export did not finish within {seconds} s. No grades were changed; try again later."),
    ("export_without_token", "kuraCloud started the grade export without a task token. No grades were changed."),
    ("instance_without_id", "kuraCloud returned an instance without an id."),
    ("export_unreadable", "The grade export download could not be read. No grades were changed."),
    ("protocol", "The host and the module disagree on the step protocol."),
    ("skip_no_email", "the Moodle user has no email address"),
    ("skip_invalid_email", "the Moodle user's email address is not valid"),
    ("conflict_shared_email", "{count} Moodle users share this email; none of them is synced until the emails differ"),
    ("conflict_active_and_deleted", "kuraCloud lists student {student_id} both as active ({active_email}) and as deleted ({deleted_email}): it changed while it was read. Nothing is done for this student; preview again"),
    ("linked", "linked"),
    ("linked_deleted", "linked to a student deleted in kuraCloud"),
    ("email_changed_matched", "email changed; matched the existing kuraCloud student with the new email"),
    ("matched_email", "matched by email"),
    ("matched_email_deleted", "matched by email with a student deleted in kuraCloud"),
    ("reinvite_email_changed", "email changed from {old_email} to {new_email}: the old kuraCloud account is deleted and an invite is sent to the new email"),
    ("add_not_in_course", "not in the kuraCloud course yet: an invite is sent"),
    ("delete_email_taken", "the Moodle user's email changed to {email}, which already has a kuraCloud account"),
    ("delete_not_enrolled", "not an actively enrolled student of the Moodle course"),
    ("details_changed", "{reason}; details changed: {changes}"),
    ("restore_only", "{reason}: restore"),
    ("restore_then_edit", "{reason}: restore, then edit {changes}"),
    ("review_mass_removal", "Not applied automatically: the sync would delete more than half of the kuraCloud students. Review it and apply it by hand."),
    ("review_conflicts", "Not applied automatically: {count} conflict(s) need a teacher's review."),
    ("invited", "invited"),
    ("invited_unlinked", "invited; kuraCloud did not return the new account, it will be linked on the next sync"),
    ("reinvited", "old account deleted; invite sent to the new email"),
    ("restored", "restored"),
    ("details_updated", "details updated"),
    ("deleted", "deleted from the kuraCloud course"),
    ("partly_done", "partly done; the sync stopped before the rest; run it again"),
    ("not_sent", "not sent: the sync stopped at an earlier error; run it again"),
    ("mapping_ok", "OK"),
    ("course_deleted", "kuraCloud course {course_id} is deleted or no longer exists. Restore it in kuraCloud to use this mapping again."),
    ("connection_gone", "the mapping's kuraCloud connection no longer exists"),
    ("students_not_synced", "Students have not been synchronised with kuraCloud yet: synchronise the students first, then the grades."),
    ("grades_summary", "Grade items: {items}. To write: {write}; unchanged: {unchanged}; edited by a teacher: {teacher_edited}; locked: {locked}; students not linked: {unknown}."),
    ("revision_no_max", "its questions have no maximum grade"),
    ("revision_max_out_of_range", "its maximum grade is out of range"),
];

fn template(code: &str) -> Option<&'static str> {
    ENGLISH.iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `template` with each `{name}` replaced by `params[name]`.
pub fn fill(template: &str, params: &serde_json::Map<String, Value>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match params.get(name) {
                    Some(v) => out.push_str(&value_text(v)),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A text (`{"code", "params"}`) in English; an unknown code is shown as itself.
pub fn render(text: &Value) -> String {
    let code = text["code"].as_str().unwrap_or("");
    let empty = serde_json::Map::new();
    let params = text["params"].as_object().unwrap_or(&empty);
    let mut out = match template(code) {
        Some(t) => fill(t, params),
        None => format!("[{code}]"),
    };
    for (name, suffix) in [("said", SAID), ("detail", DETAIL)] {
        if params.get(name).is_some_and(|v| !value_text(v).is_empty()) {
            out.push(' ');
            out.push_str(&fill(suffix, params));
        }
    }
    out
}

/// A plan entry's reason, with what an update or a restore changes.
pub fn render_reason(entry: &Value) -> String {
    let reason = render(&entry["reason"]);
    let changes: Vec<String> = entry["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|c| c.replace('_', " "))
        .collect();
    let mut params = serde_json::Map::new();
    params.insert("reason".into(), Value::String(reason.clone()));
    params.insert("changes".into(), Value::String(changes.join(", ")));
    let code = match (entry["action"].as_str(), changes.is_empty()) {
        (Some("update"), false) => "details_changed",
        (Some("restore"), true) => "restore_only",
        (Some("restore"), false) => "restore_then_edit",
        _ => return reason,
    };
    template(code).map_or(reason, |t| fill(t, &params))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn texts_render_with_their_parameters_then_what_kuracloud_said() {
        assert_eq!(
            render(&json!({"code": "bad_token", "params": {"status": 403, "said": "Invalid token"}})),
            "kuraCloud refused the token (HTTP 403). The token may be wrong, revoked or replaced; an administrator must enter a new token for this connection. kuraCloud said: Invalid token"
        );
        assert_eq!(
            render(&json!({"code": "rate_limited", "params": {"said": ""}})),
            "kuraCloud is limiting requests (HTTP 429). Try again in a few minutes."
        );
        assert_eq!(render(&json!({"code": "nope", "params": {}})), "[nope]");
        // A value that looks like a placeholder is not expanded again.
        assert_eq!(
            render(&json!({"code": "delete_email_taken", "params": {"email": "{email}"}})),
            "the Moodle user's email changed to {email}, which already has a kuraCloud account"
        );
    }

    #[test]
    fn a_restore_and_an_update_say_what_they_change() {
        let entry = |action: &str, changes: Value| json!({"action": action, "reason": {"code": "matched_email", "params": {}}, "changes": changes});
        assert_eq!(
            render_reason(&entry("update", json!(["given_name", "section"]))),
            "matched by email; details changed: given name, section"
        );
        assert_eq!(
            render_reason(&entry("restore", json!([]))),
            "matched by email: restore"
        );
        assert_eq!(
            render_reason(&entry("restore", json!(["email"]))),
            "matched by email: restore, then edit email"
        );
        assert_eq!(
            render_reason(&entry("unchanged", json!([]))),
            "matched by email"
        );
    }
}
