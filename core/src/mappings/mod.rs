//! `mappings.check`: the health of every mapping, two reads per connection.

use crate::api::{ApiClient, Course, Instance};
use crate::courses::{MappingRef, NamedConnection};
use crate::error::{printable, ErrorCode, WfResult, MAX_NAME_CHARS};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::runtime::Io;
use crate::text::{Code, Text};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInput {
    pub connections: Vec<NamedConnection>,
    pub mappings: Vec<MappingRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingStatus {
    Ok,
    LmsNotEnabled,
    CourseDeleted,
    ConnectionFailing,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct MappingHealth {
    pub mapping_id: i64,
    pub connection_id: i64,
    pub course_id: i64,
    pub status: MappingStatus,
    /// What the status means, as a code and its parameters.
    pub text: Text,
    /// The kuraCloud course name when it still exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course_name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct CheckOutcome {
    pub mappings: Vec<MappingHealth>,
}

impl crate::outcome::Outcome for CheckOutcome {}

pub async fn check(io: Io, input: CheckInput) -> WfResult<CheckOutcome> {
    let mut out = Vec::with_capacity(input.mappings.len());
    let total = input.connections.len() as u64;
    // Each connection's mappings, in input order.
    let mut by_connection: HashMap<i64, Vec<&MappingRef>> = HashMap::default();
    for m in &input.mappings {
        by_connection.entry(m.connection_id).or_default().push(m);
    }
    for (index, named) in input.connections.iter().enumerate() {
        io.progress("mappings", index as u64, total).await;
        let Some(mine) = by_connection.get(&named.connection_id) else {
            continue;
        };
        let state = async {
            let mut api = ApiClient::new(io.clone(), named.connection.clone())?;
            let instance = api.instance().await?;
            let courses = api.courses().await?;
            // By id; the first listed wins, as a search in list order would find it.
            let mut by_id: HashMap<i64, Course> = HashMap::default();
            by_id.reserve(courses.len());
            for c in courses {
                by_id.entry(c.course_id).or_insert(c);
            }
            Ok::<_, crate::error::WorkflowError>((instance, by_id))
        }
        .await;
        out.extend(mine.iter().map(|m| health(m, &state)));
    }
    // Mappings whose connection is gone.
    let connections: HashSet<i64> = input.connections.iter().map(|c| c.connection_id).collect();
    for m in &input.mappings {
        if !connections.contains(&m.connection_id) {
            out.push(MappingHealth {
                mapping_id: m.mapping_id,
                connection_id: m.connection_id,
                course_id: m.course_id,
                status: MappingStatus::ConnectionFailing,
                text: Text::of(Code::ConnectionGone),
                course_name: None,
            });
        }
    }
    out.sort_by_key(|h| h.mapping_id);
    Ok(CheckOutcome { mappings: out })
}

/// What a connection's two reads found: its instance and its courses by id.
type Found = WfResult<(Instance, HashMap<i64, Course>)>;

/// One mapping's health: its connection failing or without LMS, its course deleted or
/// without LMS, or OK.
fn health(m: &MappingRef, found: &Found) -> MappingHealth {
    let health = |status, text: Text, name: Option<String>| MappingHealth {
        mapping_id: m.mapping_id,
        connection_id: m.connection_id,
        course_id: m.course_id,
        status,
        text,
        course_name: name,
    };
    match found {
        Err(e) if e.code == ErrorCode::LmsNotEnabled => {
            health(MappingStatus::LmsNotEnabled, e.text.clone(), None)
        }
        Err(e) => health(MappingStatus::ConnectionFailing, e.text.clone(), None),
        Ok((instance, _)) if !instance.lms_enabled => health(
            MappingStatus::LmsNotEnabled,
            Text::of(Code::LmsNotEnabledInstance).with(
                "instance",
                printable(&instance.display_name, MAX_NAME_CHARS),
            ),
            None,
        ),
        Ok((_, courses)) => match courses.get(&m.course_id) {
            None => health(
                MappingStatus::CourseDeleted,
                Text::of(Code::CourseDeleted).with("course_id", m.course_id),
                None,
            ),
            Some(c) if !c.lms_enabled => health(
                MappingStatus::LmsNotEnabled,
                Text::of(Code::LmsNotEnabledCourse)
                    .with("course", printable(&c.name, MAX_NAME_CHARS)),
                Some(c.name.clone()),
            ),
            Some(c) => health(
                MappingStatus::Ok,
                Text::of(Code::MappingOk),
                Some(c.name.clone()),
            ),
        },
    }
}
