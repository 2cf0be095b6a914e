//! `grades.sync`.

use super::export::run_export;
use super::mapping::{map_grades, GradeMapping};
use super::state::GradeSyncInput;
use crate::api::ApiClient;
use crate::error::WfResult;
use crate::runtime::Io;
use crate::students::plan::PlanCounts;
use crate::students::workflow::plan_course;
use crate::text::{Code, Text};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeSyncStatus {
    Synced,
    /// The user guide's redirect: students must be synced first. Nothing was read or
    /// written beyond the two roster reads.
    StudentsNotSynced,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct GradeSyncOutcome {
    pub status: GradeSyncStatus,
    /// What happened, as a code and its parameters.
    pub text: Text,
    pub student_counts: PlanCounts,
    #[serde(flatten)]
    pub mapping: Option<GradeMapping>,
    pub requests: u32,
}

impl crate::outcome::Outcome for GradeSyncOutcome {
    fn json_size_hint(&self) -> usize {
        self.text.json_size_hint()
            + 400
            + self
                .mapping
                .as_ref()
                .map_or(0, GradeMapping::json_size_hint)
    }
}

pub async fn sync(io: Io, input: GradeSyncInput) -> WfResult<GradeSyncOutcome> {
    let mut api = ApiClient::new(io, input.connection.clone())?;
    // The Moodle snapshot is planned in place (no copy of it), and only the counts of the
    // plan are kept while the export, the largest answer of all, is read.
    let plan = plan_course(&mut api, input.course_id, &input.students, &input.links).await?;
    let student_counts = plan.counts.clone();
    // Not in step: a roster change, or a student matched by email without a stored link
    // yet (a fresh mapping): their grades would all be skipped as unknown students.
    let in_step = student_counts.roster_changes() == 0 && !plan.links_any();
    drop(plan);
    if !in_step {
        return Ok(GradeSyncOutcome {
            status: GradeSyncStatus::StudentsNotSynced,
            text: Text::of(Code::StudentsNotSynced),
            student_counts,
            mapping: None,
            requests: api.requests,
        });
    }
    let lessons = run_export(&mut api, input.course_id, &input.poll).await?;
    api.io().progress("mapping", 0, 1).await;
    let enrolled: HashSet<i64> = input.students.iter().map(|s| s.user_id).collect();
    let mapping = map_grades(&lessons, &input.items, &input.links, &enrolled);
    drop(lessons);
    api.io().progress("mapping", 1, 1).await;
    let t = &mapping.totals;
    let text = Text::of(Code::GradesSummary)
        .with("items", mapping.items.len())
        .with("write", t.write)
        .with("unchanged", t.unchanged)
        .with("teacher_edited", t.teacher_edited)
        .with("locked", t.locked)
        .with("unknown", mapping.unknown_students.count);
    Ok(GradeSyncOutcome {
        status: GradeSyncStatus::Synced,
        text,
        student_counts,
        mapping: Some(mapping),
        requests: api.requests,
    })
}
