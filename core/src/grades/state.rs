//! What the host tells us about the Moodle gradebook for a grade sync.

use super::export::PollSettings;
use crate::api::Connection;
use crate::students::{MoodleStudent, StudentLink};
use serde::{Deserialize, Serialize};

/// One grade item per graded published revision: lesson and revision ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GradeItemKey {
    pub lesson_id: i64,
    pub revision_id: i64,
}

/// An existing kuraCloud grade item in the Moodle course.
#[derive(Debug, Clone, Deserialize)]
pub struct MoodleGradeItem {
    #[serde(flatten)]
    pub key: GradeItemKey,
    pub item_id: i64,
    #[serde(default)]
    pub name: String,
    pub grademax: f64,
    /// The whole item is locked in the gradebook.
    #[serde(default)]
    pub locked: bool,
    #[serde(default)]
    pub grades: Vec<MoodleGrade>,
}

/// A user's grade in an item as Moodle has it now.
#[derive(Debug, Clone, Deserialize)]
pub struct MoodleGrade {
    pub user_id: i64,
    /// The current final grade (None: no grade).
    #[serde(default)]
    pub current: Option<f64>,
    #[serde(default)]
    pub locked: bool,
    /// The value this plugin last wrote (None: never).
    #[serde(default)]
    pub last_written: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeSyncInput {
    pub connection: Connection,
    pub course_id: i64,
    /// The same snapshot as a student sync: grades wait until students are in step.
    pub students: Vec<MoodleStudent>,
    #[serde(default)]
    pub links: Vec<StudentLink>,
    #[serde(default)]
    pub items: Vec<MoodleGradeItem>,
    #[serde(default)]
    pub poll: PollSettings,
}
