//! `connection.verify`: is this token good, and for which instance?

use crate::api::{ApiClient, Connection};
use crate::error::{ErrorCode, WfResult, WorkflowError};
use crate::runtime::Io;
use crate::text::{Code, Text};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    pub connection: Connection,
    /// Fail with `lms_not_enabled` when the instance has LMS integration off (default).
    #[serde(default = "yes")]
    pub require_lms_enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct VerifyOutcome {
    pub instance_id: String,
    pub name: String,
    pub lms_enabled: bool,
    pub grading_mode: String,
}

impl crate::outcome::Outcome for VerifyOutcome {}

pub async fn verify(io: Io, input: VerifyInput) -> WfResult<VerifyOutcome> {
    let mut api = ApiClient::new(io, input.connection)?;
    let instance = api.instance().await?;
    if instance.instance_id.trim().is_empty() {
        return Err(WorkflowError::new(
            ErrorCode::MalformedResponse,
            Text::of(Code::InstanceWithoutId),
            "kuraCloud returned an instance without an id",
        ));
    }
    if input.require_lms_enabled && !instance.lms_enabled {
        let name = crate::error::printable(&instance.display_name, crate::error::MAX_NAME_CHARS);
        return Err(WorkflowError::new(
            ErrorCode::LmsNotEnabled,
            Text::of(Code::LmsNotEnabledInstance).with("instance", name.as_str()),
            format!(
                "the token is valid for kuraCloud instance '{name}', but LMS integration is not enabled there. Ask your ADInstruments representative to enable it."
            ),
        ));
    }
    Ok(VerifyOutcome {
        instance_id: instance.instance_id,
        name: instance.display_name,
        lms_enabled: instance.lms_enabled,
        grading_mode: instance.grading_mode,
    })
}
