//! Student sync: Moodle's eligible students into a mapped kuraCloud course.

pub mod apply;
mod index;
pub mod plan;
pub mod snapshot;
pub mod workflow;

pub use crate::api::roster::{Roster, StudentRef};
pub use plan::{plan, PlanEntry, StudentAction, StudentSyncPlan};
pub use snapshot::{MoodleStudent, StudentLink, StudentSyncInput};
