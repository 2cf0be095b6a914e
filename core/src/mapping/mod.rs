//! `mapping.create` and `mapping.remove`: switch a kuraCloud course's `lmsEnabled`.

use crate::api::{ApiClient, Connection, Course, CourseSettings};
use crate::error::{ErrorCode, WfResult, WorkflowError};
use crate::runtime::Io;
use crate::text::{Code, Text};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    pub connection: Connection,
    pub course_id: i64,
    /// The Moodle course's name, stored in kuraCloud's `lmsCourseName` on create.
    #[serde(default)]
    pub moodle_course_name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct MappingOutcome {
    pub course_id: i64,
    pub name: String,
    pub course_code: String,
    pub lms_enabled: bool,
}

impl crate::outcome::Outcome for MappingOutcome {}

impl From<Course> for MappingOutcome {
    fn from(c: Course) -> Self {
        Self {
            course_id: c.course_id,
            name: c.name,
            course_code: c.course_code,
            lms_enabled: c.lms_enabled,
        }
    }
}

pub async fn create(io: Io, input: MappingInput) -> WfResult<MappingOutcome> {
    let mut api = ApiClient::new(io, input.connection)?;
    // Read first: a clear "not found" beats a failed write.
    api.course(input.course_id).await?;
    let name = input
        .moodle_course_name
        .map(|n| n.chars().filter(|c| !c.is_control()).take(255).collect());
    let course = api
        .edit_course(
            input.course_id,
            &CourseSettings {
                lms_enabled: true,
                lms_course_name: name,
            },
        )
        .await?;
    Ok(course.into())
}

pub async fn remove(io: Io, input: MappingInput) -> WfResult<MappingOutcome> {
    let mut api = ApiClient::new(io, input.connection)?;
    // The user guide: a mapping may only be removed from an active kuraCloud course.
    match api.course(input.course_id).await {
        Ok(_) => {}
        Err(e) if e.code == ErrorCode::CourseNotFound => {
            return Err(WorkflowError::new(
                ErrorCode::CourseNotFound,
                Text::of(Code::CourseDeletedRestoreFirst).with("course_id", input.course_id),
                format!(
                    "kuraCloud course {} is deleted. A mapping may only be removed from an active kuraCloud course: restore the course in kuraCloud first, remove the mapping, then delete the course again if you wish.",
                    input.course_id
                ),
            )
            .with_status(404));
        }
        Err(e) => return Err(e),
    }
    let course = api
        .edit_course(
            input.course_id,
            &CourseSettings {
                lms_enabled: false,
                lms_course_name: None,
            },
        )
        .await?;
    Ok(course.into())
}
