//! kuraCloud API v2 shapes, as in the swagger spec (`settingsOutput`, `courseOutput`,
//! `studentUserInput`/`Output`, `studentIdObject`, `taskToken`, `progress`) plus the grade
//! export download, which the spec leaves out (shape from the old plugin).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    pub instance_id: String,
    pub display_name: String,
    #[serde(default)]
    pub grading_mode: String,
    pub lms_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Course {
    pub course_id: i64,
    pub name: String,
    #[serde(default)]
    pub course_code: String,
    pub lms_enabled: bool,
    #[serde(default)]
    pub lms_course_name: String,
}

/// `PUT /v2/course/{courseId}` body; only what we change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CourseSettings {
    pub lms_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lms_course_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Student {
    pub student_id: i64,
    pub email: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub given_name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub family_name: String,
    #[serde(default)]
    pub invite_complete: bool,
    #[serde(default)]
    pub created_date: i64,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub external_student_id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub section: String,
}

/// `studentUserInput`: what an invite sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudentInput {
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub external_student_id: String,
    pub section: String,
}

/// `POST .../student/edit` item: the student's id and its full, changed details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudentEdit {
    pub student_id: i64,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub external_student_id: String,
    pub section: String,
}

/// `studentIdObject`: delete and restore take these, never bare integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudentIdObject {
    pub student_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskToken {
    pub task_token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportProgress {
    pub status: String,
}

/// kuraCloud error bodies may carry `{"message": "..."}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiMessage {
    pub message: Option<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}
