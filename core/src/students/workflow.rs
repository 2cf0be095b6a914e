//! `students.preview` and `students.apply`.

use super::apply::{execute, EntryReport, DEFAULT_BATCH};
use super::plan::{plan, StudentSyncPlan};
use super::snapshot::{MoodleStudent, StudentLink, StudentSyncInput};
use crate::api::roster::Roster;
use crate::api::ApiClient;
use crate::error::{WfResult, WorkflowError};
use crate::outcome::Outcome;
use crate::runtime::Io;
use serde::{Deserialize, Serialize};

/// Both kuraCloud reads. Any failure aborts here, before a single write: a partial
/// roster would look like students to delete.
pub async fn read_roster(api: &mut ApiClient, course_id: i64) -> WfResult<(Roster, Roster)> {
    api.io().progress("read", 0, 2).await;
    let active = api.students(course_id, false).await?;
    api.io().progress("read", 1, 2).await;
    let deleted = api.students(course_id, true).await?;
    api.io().progress("read", 2, 2).await;
    Ok((active, deleted))
}

pub async fn compute_plan(
    api: &mut ApiClient,
    input: &StudentSyncInput,
) -> WfResult<StudentSyncPlan> {
    plan_course(api, input.course_id, &input.students, &input.links).await
}

/// Reads course `course_id`'s roster and plans its sync with these Moodle students.
pub async fn plan_course(
    api: &mut ApiClient,
    course_id: i64,
    students: &[MoodleStudent],
    links: &[StudentLink],
) -> WfResult<StudentSyncPlan> {
    let (active, deleted) = read_roster(api, course_id).await?;
    Ok(plan(students, links, active, &deleted))
}

#[derive(Debug, Serialize)]
pub struct PreviewOutcome {
    pub plan: StudentSyncPlan,
    pub requests: u32,
}

impl Outcome for PreviewOutcome {
    fn json_size_hint(&self) -> usize {
        self.plan.json_size_hint() + 32
    }
}

pub async fn preview(io: Io, input: StudentSyncInput) -> WfResult<PreviewOutcome> {
    let mut api = ApiClient::new(io, input.connection.clone())?;
    let plan = compute_plan(&mut api, &input).await?;
    Ok(PreviewOutcome {
        plan,
        requests: api.requests,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyStatus {
    /// Every write succeeded.
    Applied,
    /// A write failed; what succeeded is reported and linked; run again to converge.
    Partial,
    /// kuraCloud or Moodle changed since the preview: nothing written; here is the fresh plan.
    Stale,
    /// The plan deletes more than half the roster and that was not confirmed.
    NeedsMassRemovalConfirmation,
}

#[derive(Debug, Serialize)]
pub struct ApplyOutcome {
    pub status: ApplyStatus,
    /// The plan that was applied, or the fresh plan when stale or unconfirmed.
    pub plan: StudentSyncPlan,
    pub results: Vec<EntryReport>,
    /// Link rows to upsert (by user id), only for calls that succeeded.
    pub links_store: Vec<StudentLink>,
    /// Link rows to delete: they point at kuraCloud students that no longer exist.
    pub links_remove: Vec<StudentLink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<WorkflowError>,
    pub requests: u32,
}

impl Outcome for ApplyOutcome {
    fn json_size_hint(&self) -> usize {
        let results: usize = self
            .results
            .iter()
            .map(|r| 130 + r.name.len() + r.email.len() + r.text.json_size_hint())
            .sum();
        self.plan.json_size_hint()
            + results
            + (self.links_store.len() + self.links_remove.len()) * 40
            + 300
    }
}

pub async fn apply(io: Io, input: StudentSyncInput) -> WfResult<ApplyOutcome> {
    let Some(reviewed) = input.fingerprint.clone() else {
        return Err(WorkflowError::invalid_input(
            "students.apply needs the fingerprint of the reviewed preview",
        ));
    };
    let mut api = ApiClient::new(io, input.connection.clone())?;
    let plan = compute_plan(&mut api, &input).await?;
    let refused = |status, plan, requests| ApplyOutcome {
        status,
        plan,
        results: vec![],
        links_store: vec![],
        links_remove: vec![],
        error: None,
        requests,
    };
    if plan.fingerprint != reviewed.trim() {
        return Ok(refused(ApplyStatus::Stale, plan, api.requests));
    }
    if plan.mass_removal && !input.allow_mass_removal {
        return Ok(refused(
            ApplyStatus::NeedsMassRemovalConfirmation,
            plan,
            api.requests,
        ));
    }
    let batch = input.batch_size.unwrap_or(DEFAULT_BATCH);
    let done = execute(&mut api, input.course_id, &plan, batch).await;
    Ok(ApplyOutcome {
        status: if done.error.is_some() {
            ApplyStatus::Partial
        } else {
            ApplyStatus::Applied
        },
        links_remove: plan.stale_links.clone(),
        plan,
        results: done.reports,
        links_store: done.links_store,
        error: done.error,
        requests: done.requests,
    })
}
