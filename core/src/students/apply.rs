//! Carrying out a reviewed `StudentSyncPlan`.
//!
//! Order: restore, edit, invite, and only then delete. Every step before the deletes
//! only adds or corrects, so a run that stops half way (timeout, 5xx, a killed PHP
//! worker) never leaves a student without an account: at worst the old account of a
//! changed email and the new invite both exist until the next run, which re-reads
//! kuraCloud, re-plans from what is really there and converges. Within each step the
//! students go in bounded batches; each batch's result is recorded before the next is
//! sent, and the first failure stops every later write (deletes above all).

use super::plan::{PlanEntry, StudentAction, StudentSyncPlan};
use super::snapshot::{email_key, StudentLink};
use crate::api::{ApiClient, StudentIdObject};
use crate::error::WorkflowError;
use crate::text::{Code, Text};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

pub const DEFAULT_BATCH: usize = 200;
pub const MAX_BATCH: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryResult {
    Done,
    Failed,
    /// Not sent: an earlier write failed, so the sync stopped.
    NotAttempted,
    /// Nothing to send (unchanged, conflict, skip).
    NoChange,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryReport {
    pub action: StudentAction,
    pub user_id: Option<i64>,
    pub student_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub result: EntryResult,
    pub text: Text,
}

#[derive(Debug, Default)]
pub struct ApplyProgress {
    pub reports: Vec<EntryReport>,
    pub links_store: Vec<StudentLink>,
    pub error: Option<WorkflowError>,
    pub requests: u32,
}

/// One phase's work: which entries, and how they are sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Restore,
    Edit,
    Invite,
    Delete,
}

/// Applies the plan: restores, edits and invites before deletes, in batches; stops at
/// the first failed batch. Per entry, what happened; the links to store.
pub async fn execute(
    api: &mut ApiClient,
    course_id: i64,
    plan: &StudentSyncPlan,
    batch: usize,
) -> ApplyProgress {
    // The plan's entries, the deletes made into entries (an apply sends them all).
    let entries: Vec<Cow<'_, PlanEntry>> = plan.entries().collect();
    let entries = &entries[..];
    // Per entry: still-open phases; an entry is Done when all of its phases are.
    let mut state: Vec<EntryState> = entries.iter().map(|e| EntryState::new(e)).collect();
    let mut progress = ApplyProgress {
        error: send_phases(api, course_id, entries, &mut state, batch).await,
        ..ApplyProgress::default()
    };
    for (entry, st) in entries.iter().zip(state) {
        if let Some(link) = link_to_store(entry, &st) {
            progress.links_store.push(link);
        }
        progress.reports.push(report(entry, st));
    }
    progress.requests = api.requests;
    progress
}

/// The writes, phase by phase (accounts exist before anything is deleted, so a run that
/// stops half way never leaves a student without one), in batches of `batch`. The
/// first failed batch stops the rest: its error.
async fn send_phases(
    api: &mut ApiClient,
    course_id: i64,
    entries: &[Cow<'_, PlanEntry>],
    state: &mut [EntryState],
    batch: usize,
) -> Option<WorkflowError> {
    let batch = batch.clamp(1, MAX_BATCH);
    let total_writes: u64 = state.iter().map(|s| s.phases.len() as u64).sum();
    let mut written: u64 = 0;
    for phase in [Phase::Restore, Phase::Edit, Phase::Invite, Phase::Delete] {
        let todo: Vec<usize> = state
            .iter()
            .enumerate()
            .filter(|(_, s)| s.phases.contains(&phase) && s.failed.is_none())
            .map(|(i, _)| i)
            .collect();
        for chunk in todo.chunks(batch) {
            api.io()
                .progress("students", written, total_writes.max(1))
                .await;
            let result = send(api, course_id, phase, entries, chunk).await;
            written += chunk.len() as u64;
            for &i in chunk {
                let Some(st) = state.get_mut(i) else { continue };
                match &result {
                    Ok(new_ids) => {
                        st.phases.retain(|p| *p != phase);
                        if let Some(id) = new_ids.get(&i) {
                            st.new_student_id = Some(*id);
                        }
                    }
                    Err(e) => st.failed = Some(e.text.clone()),
                }
            }
            if let Err(e) = result {
                return Some(e);
            }
        }
    }
    None
}

/// What happened to one entry.
fn report(entry: &PlanEntry, st: EntryState) -> EntryReport {
    let (result, text) = if let Some(failed) = st.failed {
        (EntryResult::Failed, failed)
    } else if st.initial_phases == 0 {
        (EntryResult::NoChange, entry.reason.clone())
    } else if !st.phases.is_empty() {
        if st.phases.len() < st.initial_phases {
            (EntryResult::NotAttempted, Text::of(Code::PartlyDone))
        } else {
            (EntryResult::NotAttempted, Text::of(Code::NotSent))
        }
    } else {
        (EntryResult::Done, done_text(entry, st.new_student_id))
    };
    EntryReport {
        action: entry.action,
        user_id: entry.user_id,
        student_id: st.new_student_id.or(entry.student_id),
        name: entry.name.clone(),
        email: entry.email.clone(),
        result,
        text,
    }
}

/// A link only for what really happened: the account exists and is this user's, even
/// if a later phase failed.
fn link_to_store(entry: &PlanEntry, st: &EntryState) -> Option<StudentLink> {
    if !entry.link {
        return None;
    }
    let user_id = entry.user_id?;
    let (student, account_ready) = match entry.action {
        StudentAction::Add | StudentAction::Reinvite => {
            (st.new_student_id, st.new_student_id.is_some())
        }
        StudentAction::Restore => (entry.student_id, !st.phases.contains(&Phase::Restore)),
        _ => (entry.student_id, true),
    };
    let student_id = student.filter(|_| account_ready)?;
    Some(StudentLink {
        user_id,
        student_id,
    })
}

struct EntryState {
    phases: Vec<Phase>,
    initial_phases: usize,
    failed: Option<Text>,
    new_student_id: Option<i64>,
}

impl EntryState {
    fn new(e: &PlanEntry) -> Self {
        let phases = match e.action {
            StudentAction::Restore if e.changes.is_empty() => vec![Phase::Restore],
            StudentAction::Restore => vec![Phase::Restore, Phase::Edit],
            StudentAction::Update => vec![Phase::Edit],
            StudentAction::Add => vec![Phase::Invite],
            StudentAction::Reinvite => vec![Phase::Invite, Phase::Delete],
            StudentAction::Delete => vec![Phase::Delete],
            StudentAction::Unchanged | StudentAction::Conflict | StudentAction::Skip => vec![],
        };
        Self {
            initial_phases: phases.len(),
            phases,
            failed: None,
            new_student_id: None,
        }
    }
}

fn done_text(e: &PlanEntry, new_id: Option<i64>) -> Text {
    match e.action {
        StudentAction::Add => match new_id {
            Some(_) => Text::of(Code::Invited),
            None => Text::of(Code::InvitedUnlinked),
        },
        StudentAction::Reinvite => Text::of(Code::Reinvited),
        StudentAction::Restore => Text::of(Code::Restored),
        StudentAction::Update => Text::of(Code::DetailsUpdated),
        StudentAction::Delete => Text::of(Code::Deleted),
        _ => e.reason.clone(),
    }
}

/// Sends one batch; for invites, returns the new student ids by entry index.
async fn send(
    api: &mut ApiClient,
    course_id: i64,
    phase: Phase,
    entries: &[Cow<'_, PlanEntry>],
    chunk: &[usize],
) -> Result<HashMap<usize, i64>, WorkflowError> {
    let mut new_ids = HashMap::new();
    match phase {
        Phase::Restore => {
            let ids: Vec<StudentIdObject> = chunk
                .iter()
                .filter_map(|&i| entries.get(i)?.student_id)
                .map(|student_id| StudentIdObject { student_id })
                .collect();
            api.restore_students(course_id, &ids).await?;
        }
        Phase::Edit => {
            let edits: Vec<_> = chunk
                .iter()
                .filter_map(|&i| {
                    let e = entries.get(i)?;
                    Some(e.after.as_ref()?.to_edit(e.student_id?))
                })
                .collect();
            api.edit_students(course_id, &edits).await?;
        }
        Phase::Invite => {
            let inputs: Vec<_> = chunk
                .iter()
                .filter_map(|&i| entries.get(i)?.after.as_ref().map(|f| f.to_input()))
                .collect();
            let created = api.add_students(course_id, &inputs).await?;
            let by_email: HashMap<String, i64> = created
                .iter()
                .map(|s| (email_key(&s.email), s.student_id))
                .collect();
            for (&i, e) in chunk.iter().filter_map(|i| Some((i, entries.get(*i)?))) {
                if let Some(id) = by_email.get(&email_key(&e.email)) {
                    new_ids.insert(i, *id);
                }
            }
        }
        Phase::Delete => {
            let ids: Vec<StudentIdObject> = chunk
                .iter()
                .filter_map(|&i| {
                    let e = entries.get(i)?;
                    e.replaces_student_id.or(e.student_id)
                })
                .map(|student_id| StudentIdObject { student_id })
                .collect();
            api.delete_students(course_id, &ids).await?;
        }
    }
    Ok(new_ids)
}
