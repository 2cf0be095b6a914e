//! The simulator's state: instances, courses, students, lessons, invites, exports.
//! Saved and loaded as JSON (camelCase, like the API).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimState {
    pub instances: Vec<SimInstance>,
    /// Next id for new students.
    #[serde(default = "first_id")]
    pub next_id: i64,
    /// Every invite email kuraCloud would have sent.
    #[serde(default)]
    pub invites: Vec<Invite>,
    #[serde(default)]
    pub exports: Vec<ExportTask>,
}

fn first_id() -> i64 {
    100_000
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimInstance {
    pub instance_id: String,
    pub display_name: String,
    #[serde(default = "kura_grading")]
    pub grading_mode: String,
    #[serde(default = "default_colour")]
    pub sidebar_colour: String,
    pub lms_enabled: bool,
    /// Tokens accepted for this instance.
    pub tokens: Vec<String>,
    #[serde(default)]
    pub courses: Vec<SimCourse>,
}

fn kura_grading() -> String {
    "kuraGrading".into()
}
fn default_colour() -> String {
    "DEFAULT".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimCourse {
    pub course_id: i64,
    pub name: String,
    #[serde(default)]
    pub course_code: String,
    #[serde(default)]
    pub lms_enabled: bool,
    #[serde(default)]
    pub lms_course_name: String,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub students: Vec<SimStudent>,
    #[serde(default)]
    pub lessons: Vec<SimLesson>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimStudent {
    pub student_id: i64,
    pub email: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub invite_complete: bool,
    #[serde(default)]
    pub created_date: i64,
    #[serde(default)]
    pub external_student_id: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub deleted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimLesson {
    pub published_content_id: i64,
    pub published_lesson_id: i64,
    pub published_lesson_title: String,
    #[serde(default)]
    pub revisions: Vec<SimRevision>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimRevision {
    pub published_revision_id: i64,
    pub published_revision_title: String,
    #[serde(default)]
    pub questions: Vec<SimQuestion>,
    #[serde(default)]
    pub grades: Vec<SimStudentGrade>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimQuestion {
    pub question_id: i64,
    pub max_grade: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimStudentGrade {
    pub student_id: i64,
    #[serde(default)]
    pub grade_offset: Option<f64>,
    #[serde(default)]
    pub question_grades: Vec<SimQuestionGrade>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimQuestionGrade {
    pub question_id: i64,
    pub question_grade: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invite {
    pub instance_id: String,
    pub course_id: i64,
    pub student_id: i64,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportTask {
    pub task_token: String,
    pub instance_id: String,
    pub course_id: i64,
    pub polls: u32,
    /// `succeed`, `fail` or `never`, fixed when the export starts.
    pub outcome: String,
    pub polls_before_ready: u32,
}

impl SimState {
    pub fn instance_for_token(&self, token: &str) -> Option<usize> {
        self.instances
            .iter()
            .position(|i| i.tokens.iter().any(|t| t == token))
    }
}
