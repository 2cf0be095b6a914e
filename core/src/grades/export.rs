//! The asynchronous grade export: start, poll with bounded backoff, download, and read
//! the download into compact per-student sums (question grades are summed while
//! parsing, never held, so 400,000 grades stay small in memory).

use crate::api::ApiClient;
use crate::error::{ErrorCode, WfResult, WorkflowError};
use crate::text::{Code, Text};
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct PollSettings {
    /// First pause between progress polls.
    pub initial_ms: u64,
    /// Longest pause; pauses double up to it.
    pub max_interval_ms: u64,
    /// Total time the export may take before we give up.
    pub budget_ms: u64,
    pub download_timeout_ms: u64,
}

impl Default for PollSettings {
    fn default() -> Self {
        Self {
            initial_ms: 500,
            max_interval_ms: 5_000,
            budget_ms: 300_000,
            download_timeout_ms: 120_000,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LessonExport {
    pub published_lesson_id: i64,
    #[serde(default, deserialize_with = "crate::grades::lenient::text")]
    pub published_lesson_title: Option<String>,
    #[serde(default)]
    pub graded_published_revisions: Vec<RevisionExport>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionExport {
    pub published_revision_id: i64,
    #[serde(default, deserialize_with = "crate::grades::lenient::text")]
    pub published_revision_title: Option<String>,
    #[serde(default)]
    pub questions: Vec<QuestionExport>,
    #[serde(default, deserialize_with = "shrunk")]
    pub student_grades: Vec<StudentGradeSum>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionExport {
    /// Read as any scalar (the old plugin read it as text); never computed with.
    #[serde(default, deserialize_with = "crate::grades::lenient::any_scalar")]
    pub question_id: (),
    #[serde(default, deserialize_with = "crate::grades::lenient::number")]
    pub max_grade: Option<f64>,
}

/// One student's grades in a revision, summed while parsing.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudentGradeSum {
    pub student_id: i64,
    #[serde(default, deserialize_with = "crate::grades::lenient::number")]
    pub grade_offset: Option<f64>,
    #[serde(default, rename = "questionGrades")]
    pub questions: QuestionSum,
}

/// Sum of the non-null question grades, and whether any was non-null.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct QuestionSum {
    pub sum: f64,
    pub any_graded: bool,
}

impl<'de> Deserialize<'de> for QuestionSum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SumVisitor;
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct OneGrade {
            #[serde(default, deserialize_with = "crate::grades::lenient::number")]
            question_grade: Option<f64>,
        }
        impl<'de> Visitor<'de> for SumVisitor {
            type Value = QuestionSum;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of question grades or null")
            }
            fn visit_unit<E>(self) -> Result<QuestionSum, E> {
                Ok(QuestionSum::default())
            }
            fn visit_none<E>(self) -> Result<QuestionSum, E> {
                Ok(QuestionSum::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<QuestionSum, D::Error> {
                d.deserialize_seq(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<QuestionSum, A::Error> {
                let mut out = QuestionSum::default();
                while let Some(g) = seq.next_element::<OneGrade>()? {
                    if let Some(v) = g.question_grade {
                        if v.is_finite() {
                            out.sum += v;
                            out.any_graded = true;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_option(SumVisitor)
    }
}

/// A list without the room its growth left: an export holds millions of grades, and
/// a list doubled to hold them wastes up to half of it.
fn shrunk<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    let mut list = Vec::<T>::deserialize(d)?;
    list.shrink_to_fit();
    Ok(list)
}

/// Runs the export to completion and returns the parsed download.
pub async fn run_export(
    api: &mut ApiClient,
    course_id: i64,
    poll: &PollSettings,
) -> WfResult<Vec<LessonExport>> {
    let task = api.start_grade_export(course_id).await?;
    if task.task_token.trim().is_empty() {
        return Err(WorkflowError::new(
            ErrorCode::MalformedResponse,
            Text::of(Code::ExportWithoutToken),
            "kuraCloud started the grade export without a task token",
        ));
    }
    let budget = poll.budget_ms.max(1);
    let mut waited: u64 = 0;
    let mut pause = poll.initial_ms.max(1);
    loop {
        api.io().progress("export", waited, budget).await;
        let progress = api
            .grade_export_progress(course_id, &task.task_token)
            .await?;
        match progress.status.trim().to_ascii_uppercase().as_str() {
            "SUCCEEDED" => break,
            "FAILED" | "ERROR" | "CANCELLED" | "CANCELED" | "ABORTED" => {
                let status: String = progress
                    .status
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(40)
                    .collect();
                return Err(WorkflowError::new(
                    ErrorCode::ExportFailed,
                    Text::of(Code::ExportFailed).with("detail", status.as_str()),
                    format!(
                        "kuraCloud could not export the course's grades (status {status}). No grades were changed; try again later."
                    ),
                ));
            }
            _ => {}
        }
        if waited.saturating_add(pause) > budget {
            return Err(WorkflowError::new(
                ErrorCode::ExportTimeout,
                Text::of(Code::ExportTimeout).with("seconds", (budget / 1000) as i64),
                format!(
                    "kuraCloud's grade export did not finish within {} s. No grades were changed; try again later.",
                    budget / 1000
                ),
            ));
        }
        api.io().sleep(pause).await;
        waited = waited.saturating_add(pause);
        pause = pause.saturating_mul(2).min(poll.max_interval_ms.max(1));
    }
    api.io().progress("export", budget, budget).await;
    api.io().progress("download", 0, 1).await;
    let body = api
        .download_grade_export(course_id, &task.task_token, poll.download_timeout_ms)
        .await?;
    api.io().progress("download", 1, 1).await;
    let lessons: Vec<LessonExport> = serde_json::from_str(&body).map_err(|e| {
        let detail = crate::error::printable(&e.to_string(), 300);
        WorkflowError::new(
            ErrorCode::MalformedResponse,
            Text::of(Code::ExportUnreadable).with("detail", detail.as_str()),
            format!("the grade export download could not be read ({e}). No grades were changed."),
        )
    })?;
    Ok(lessons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_grades_are_summed_while_parsing() {
        let s: StudentGradeSum = serde_json::from_str(
            r#"{"studentId":7,"gradeOffset":null,"questionGrades":[{"questionId":1,"questionGrade":1.5},{"questionId":2,"questionGrade":null},{"questionId":3,"questionGrade":2}]}"#,
        )
        .unwrap();
        assert_eq!(s.student_id, 7);
        assert_eq!(
            s.questions,
            QuestionSum {
                sum: 3.5,
                any_graded: true
            }
        );
        let s: StudentGradeSum =
            serde_json::from_str(r#"{"studentId":8,"gradeOffset":2,"questionGrades":null}"#)
                .unwrap();
        assert_eq!(s.questions, QuestionSum::default());
        assert_eq!(s.grade_offset, Some(2.0));
    }
}
