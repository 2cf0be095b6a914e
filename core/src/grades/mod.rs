//! Grade sync: kuraCloud lesson grades into manual Moodle grade items.

pub mod export;
pub mod lenient;
pub mod mapping;
pub mod state;
pub mod workflow;

pub use mapping::{map_grades, GradeMapping};
pub use state::{GradeItemKey, GradeSyncInput, MoodleGrade, MoodleGradeItem};
