//! Codes, not sentences: every reason, status and error the module reports to a person
//! is a [`Text`], a stable code with its parameters (names, emails, counts, HTTP status,
//! kuraCloud's own message). Hosts render them in the site's language: `host-runner`
//! from its English catalogue, the Moodle block with `get_string` from
//! `lang/en/block_kuracloud.php` (string `text_<code>`). [`CODES`] lists every code with
//! the parameters it carries, so a test can prove both catalogues cover them.

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

/// Declares the codes: the enum, its names and the parameters each one carries.
macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal [$($param:literal),*],)*) => {
        /// A stable text code (its name is the one serialized and looked up).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            pub const fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }

        /// Every code, with the parameters its text may use.
        pub const CODES: &[(Code, &str, &[&str])] = &[
            $((Code::$variant, $name, &[$($param),*]),)*
        ];
    };
}

codes! {
    // Workflow errors (`{"error": {"code", "text", ...}}`).
    /// The token was refused (401/403).
    BadToken = "bad_token" ["status", "said"],
    /// LMS integration is off, said by kuraCloud's answer (401/403).
    LmsNotEnabled = "lms_not_enabled" ["status", "said"],
    /// `connection.verify`: the instance says LMS integration is off.
    LmsNotEnabledInstance = "lms_not_enabled_instance" ["instance"],
    /// `mapping.*`: the course says LMS integration is off.
    LmsNotEnabledCourse = "lms_not_enabled_course" ["course"],
    CourseNotFound = "course_not_found" ["course_id", "said"],
    /// `mapping.remove` of a course deleted in kuraCloud.
    CourseDeletedRestoreFirst = "course_deleted_restore_first" ["course_id"],
    ExportNotFound = "export_not_found" ["course_id", "said"],
    ApiNotFound = "api_not_found" ["said"],
    BadRequest = "bad_request" ["said"],
    RateLimited = "rate_limited" ["said"],
    ServerError = "server_error" ["status", "said"],
    UnexpectedStatus = "unexpected_status" ["status", "said"],
    Timeout = "timeout" ["url", "detail"],
    Unreachable = "unreachable" ["url", "detail"],
    MalformedResponse = "malformed_response" ["url", "detail"],
    /// The host's input is not what the workflow needs.
    InvalidInput = "invalid_input" ["detail"],
    ExportFailed = "export_failed" ["detail"],
    ExportTimeout = "export_timeout" ["seconds"],
    ExportWithoutToken = "export_without_token" [],
    InstanceWithoutId = "instance_without_id" [],
    ExportUnreadable = "export_unreadable" ["detail"],
    /// The host broke the step protocol.
    Protocol = "protocol" ["detail"],
    // Student plan reasons (`entries[].reason`).
    SkipNoEmail = "skip_no_email" [],
    SkipInvalidEmail = "skip_invalid_email" [],
    ConflictSharedEmail = "conflict_shared_email" ["count"],
    ConflictActiveAndDeleted = "conflict_active_and_deleted" ["student_id", "active_email", "deleted_email"],
    Linked = "linked" [],
    LinkedDeleted = "linked_deleted" [],
    EmailChangedMatched = "email_changed_matched" [],
    MatchedEmail = "matched_email" [],
    MatchedEmailDeleted = "matched_email_deleted" [],
    ReinviteEmailChanged = "reinvite_email_changed" ["old_email", "new_email"],
    AddNotInCourse = "add_not_in_course" [],
    DeleteEmailTaken = "delete_email_taken" ["email"],
    DeleteNotEnrolled = "delete_not_enrolled" [],
    // Composed by hosts, never emitted: an update's or a restore's reason (`reason`,
    // rendered) with the fields it edits (`changes`, from the entry's `changes`).
    DetailsChanged = "details_changed" ["reason", "changes"],
    RestoreOnly = "restore_only" ["reason"],
    RestoreThenEdit = "restore_then_edit" ["reason", "changes"],
    // Why a plan is not applied without a teacher's review (`plan.needs_review`).
    ReviewMassRemoval = "review_mass_removal" [],
    ReviewConflicts = "review_conflicts" ["count"],
    // Student apply results (`results[].text`).
    Invited = "invited" [],
    InvitedUnlinked = "invited_unlinked" [],
    Reinvited = "reinvited" [],
    Restored = "restored" [],
    DetailsUpdated = "details_updated" [],
    Deleted = "deleted" [],
    PartlyDone = "partly_done" [],
    NotSent = "not_sent" [],
    // Mapping health (`mappings[].text`).
    MappingOk = "mapping_ok" [],
    CourseDeleted = "course_deleted" ["course_id"],
    ConnectionGone = "connection_gone" [],
    // Grade sync.
    StudentsNotSynced = "students_not_synced" [],
    GradesSummary = "grades_summary" ["items", "write", "unchanged", "teacher_edited", "locked", "unknown"],
    RevisionNoMax = "revision_no_max" [],
    RevisionMaxOutOfRange = "revision_max_out_of_range" [],
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Str(String),
    Int(i64),
}

impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Str(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Str(v.to_string())
    }
}
impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}
impl From<u32> for Param {
    fn from(v: u32) -> Self {
        Param::Int(v.into())
    }
}
impl From<u16> for Param {
    fn from(v: u16) -> Self {
        Param::Int(v.into())
    }
}
impl From<usize> for Param {
    fn from(v: usize) -> Self {
        Param::Int(v as i64)
    }
}

/// A code and its parameters, serialized as `{"code": "...", "params": {...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub code: Code,
    pub params: Vec<(&'static str, Param)>,
}

impl Text {
    /// A text without parameters (allocates nothing).
    pub const fn of(code: Code) -> Self {
        Self {
            code,
            params: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<Param>) -> Self {
        self.params.push((name, value.into()));
        self
    }

    /// The value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Roughly its size as JSON.
    pub fn json_size_hint(&self) -> usize {
        30 + self.code.name().len()
            + self
                .params
                .iter()
                .map(|(n, v)| {
                    6 + n.len()
                        + match v {
                            Param::Str(s) => s.len() + 2,
                            Param::Int(_) => 20,
                        }
                })
                .sum::<usize>()
    }
}

impl From<Code> for Text {
    fn from(code: Code) -> Self {
        Text::of(code)
    }
}

struct Params<'a>(&'a [(&'static str, Param)]);

impl Serialize for Params<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            match value {
                Param::Str(v) => map.serialize_entry(name, v)?,
                Param::Int(v) => map.serialize_entry(name, v)?,
            }
        }
        map.end()
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Text", 2)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("params", &Params(&self.params))?;
        st.end()
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Raw {
            code: String,
            #[serde(default)]
            params: serde_json::Map<String, serde_json::Value>,
        }
        let raw = Raw::deserialize(d)?;
        let (code, _, names) = CODES
            .iter()
            .find(|(_, n, _)| *n == raw.code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown text code {}", raw.code)))?;
        let mut params = Vec::with_capacity(raw.params.len());
        for (name, value) in raw.params {
            let name = names
                .iter()
                .find(|n| **n == name)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown parameter {name}")))?;
            params.push((
                *name,
                match value {
                    serde_json::Value::Number(n) => Param::Int(n.as_i64().unwrap_or_default()),
                    serde_json::Value::String(s) => Param::Str(s),
                    other => Param::Str(other.to_string()),
                },
            ));
        }
        Ok(Text {
            code: *code,
            params,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_its_code_and_named_parameters() {
        let t = Text::of(Code::ConflictSharedEmail).with("count", 2usize);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"code":"conflict_shared_email","params":{"count":2}}"#
        );
        assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), t);
        assert_eq!(
            serde_json::to_string(&Text::of(Code::Linked)).unwrap(),
            r#"{"code":"linked","params":{}}"#
        );
    }

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut names: Vec<&str> = CODES.iter().map(|(_, n, _)| *n).collect();
        for (code, name, _) in CODES {
            assert_eq!(code.name(), *name);
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), CODES.len());
    }
}
