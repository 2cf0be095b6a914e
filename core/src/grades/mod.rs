//! Grade sync: kuraCloud lesson grades into manual Moodle grade items.

pub mod export;
pub mod mapping;
pub mod state;
pub mod workflow;

pub use mapping::{map_grades, GradeMapping};
pub use state::{GradeItemKey, GradeSyncInput, MoodleGrade, MoodleGradeItem};
