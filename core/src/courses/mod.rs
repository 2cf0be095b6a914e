//! `courses.list`: the kuraCloud courses of every connection, with mapped ones marked.
//! One failing connection does not hide the others' courses.

use crate::api::{ApiClient, Connection};
use crate::error::{WfResult, WorkflowError};
use crate::runtime::Io;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
pub struct NamedConnection {
    /// The host's id for the connection (its table row).
    pub connection_id: i64,
    /// The kuraCloud instance id stored when the connection was verified.
    #[serde(default)]
    pub instance_id: String,
    #[serde(flatten)]
    pub connection: Connection,
}

/// An existing mapping: kuraCloud course on a connection ↔ Moodle course.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingRef {
    #[serde(default)]
    pub mapping_id: i64,
    pub connection_id: i64,
    pub course_id: i64,
    #[serde(default)]
    pub moodle_course_id: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListInput {
    pub connections: Vec<NamedConnection>,
    #[serde(default)]
    pub mappings: Vec<MappingRef>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct ListedCourse {
    pub course_id: i64,
    pub name: String,
    pub course_code: String,
    pub lms_enabled: bool,
    /// The Moodle course this one is mapped to, if any.
    pub mapped_to: Option<i64>,
    /// Can be chosen in "Setup kuraCloud mapping".
    pub mappable: bool,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct ConnectionCourses {
    pub connection_id: i64,
    pub ok: bool,
    pub courses: Vec<ListedCourse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<WorkflowError>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct ListOutcome {
    pub connections: Vec<ConnectionCourses>,
}

impl crate::outcome::Outcome for ListOutcome {}

pub async fn list(io: Io, input: ListInput) -> WfResult<ListOutcome> {
    // The Moodle course of each mapped (connection, kuraCloud course): the first mapping
    // listed wins, as a search in list order would find it.
    let mut mapped: HashMap<(i64, i64), i64> = HashMap::default();
    mapped.reserve(input.mappings.len());
    for m in &input.mappings {
        mapped
            .entry((m.connection_id, m.course_id))
            .or_insert(m.moodle_course_id);
    }
    let mut out = Vec::with_capacity(input.connections.len());
    for (index, named) in input.connections.iter().enumerate() {
        io.progress("courses", index as u64, input.connections.len() as u64)
            .await;
        let listed = async {
            let mut api = ApiClient::new(io.clone(), named.connection.clone())?;
            api.courses().await
        }
        .await;
        match listed {
            Ok(mut courses) => {
                // Each name lowercased once, not once per comparison.
                courses.sort_by_cached_key(|c| (c.name.to_lowercase(), c.course_id));
                let courses = courses
                    .into_iter()
                    .map(|c| {
                        let mapped_to = mapped.get(&(named.connection_id, c.course_id)).copied();
                        ListedCourse {
                            mappable: mapped_to.is_none(),
                            course_id: c.course_id,
                            name: c.name,
                            course_code: c.course_code,
                            lms_enabled: c.lms_enabled,
                            mapped_to,
                        }
                    })
                    .collect();
                out.push(ConnectionCourses {
                    connection_id: named.connection_id,
                    ok: true,
                    courses,
                    error: None,
                });
            }
            Err(error) => out.push(ConnectionCourses {
                connection_id: named.connection_id,
                ok: false,
                courses: Vec::new(),
                error: Some(error),
            }),
        }
    }
    Ok(ListOutcome { connections: out })
}
