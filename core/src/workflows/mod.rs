//! The registry: every workflow the module offers, by name, and how a start request
//! reaches it. Nothing else lives here: each workflow `a.b` lives in `crate::a`, and an
//! outcome's JSON writing in `crate::outcome`.

use crate::effect::Step;
use crate::error::{WfResult, WorkflowError};
use crate::outcome::{self, Outcome};
use crate::runtime::{Io, Run};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::future::Future;

/// Starts a workflow from its input JSON: the run (absent when the input was refused)
/// and its first step.
type Launcher = fn(&str) -> (Option<Run>, Step);

/// Every workflow, by name.
const REGISTRY: &[(&str, Launcher)] = &[
    ("connection.verify", |i| {
        launch(i, crate::connection::verify)
    }),
    ("courses.list", |i| launch(i, crate::courses::list)),
    ("mapping.create", |i| launch(i, crate::mapping::create)),
    ("mapping.remove", |i| launch(i, crate::mapping::remove)),
    ("mappings.check", |i| launch(i, crate::mappings::check)),
    ("students.preview", |i| {
        launch(i, crate::students::workflow::preview)
    }),
    ("students.apply", |i| {
        launch(i, crate::students::workflow::apply)
    }),
    ("grades.sync", |i| launch(i, crate::grades::workflow::sync)),
];

/// Every workflow name, for `kc_info` and the CLI.
pub const WORKFLOWS: &[&str] = &[
    "connection.verify",
    "courses.list",
    "mapping.create",
    "mapping.remove",
    "mappings.check",
    "students.preview",
    "students.apply",
    "grades.sync",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartRequest<'a> {
    workflow: String,
    #[serde(borrow)]
    input: &'a RawValue,
}

/// Starts a workflow from `{"workflow": "...", "input": {...}}`. Returns the run (absent
/// when the request was refused before starting) and its first step.
pub fn start(request: &str) -> (Option<Run>, Step) {
    // Fast path for the layout every host sends, `{"workflow":"NAME","input":...}`: the
    // input is parsed once, straight into its type (a first pass over a large input to
    // find where it ends costs as much as parsing it). Anything else, and any input that
    // does not parse, takes the general path below, which also words the errors.
    if let Some((name, input)) = split_request(request) {
        if let Some(started) = dispatch(name, input, true) {
            return started;
        }
    }
    let request: StartRequest = match serde_json::from_str(request) {
        Ok(r) => r,
        Err(e) => {
            return refuse(format!(
                "the request is not {{\"workflow\": ..., \"input\": {{...}}}} JSON: {e}"
            ))
        }
    };
    dispatch(&request.workflow, request.input.get(), false).unwrap_or_else(|| {
        refuse(format!(
            "unknown workflow '{}'; known: {}",
            crate::error::printable(&request.workflow, 64),
            WORKFLOWS.join(", ")
        ))
    })
}

/// `{"workflow":"NAME","input":INPUT}` → (NAME, INPUT), for names without escapes.
fn split_request(request: &str) -> Option<(&str, &str)> {
    let rest = request.strip_prefix("{\"workflow\":\"")?;
    let (name, rest) = rest.split_once('"')?;
    if name.contains('\\') {
        return None;
    }
    let input = rest.strip_prefix(",\"input\":")?;
    let input = input.trim_end().strip_suffix('}')?;
    Some((name, input))
}

/// Starts `name` with `input`. `None`: unknown workflow, or (when `fast`) an input that
/// did not parse, to be retried on the general path.
fn dispatch(name: &str, input: &str, fast: bool) -> Option<(Option<Run>, Step)> {
    let (_, launcher) = REGISTRY.iter().find(|(n, _)| *n == name)?;
    let started = launcher(input);
    if fast && started.0.is_none() {
        return None;
    }
    Some(started)
}

fn refuse(message: String) -> (Option<Run>, Step) {
    (None, Step::Error(WorkflowError::invalid_input(message)))
}

fn launch<I, O, F, Fut>(input: &str, workflow: F) -> (Option<Run>, Step)
where
    I: DeserializeOwned + 'static,
    O: Outcome,
    F: FnOnce(Io, I) -> Fut + 'static,
    Fut: Future<Output = WfResult<O>> + 'static,
{
    let input: I = match serde_json::from_str(input) {
        Ok(i) => i,
        Err(e) => return refuse(format!("the workflow input is invalid: {e}")),
    };
    let (run, step) = Run::start(move |io| async move {
        let outcome = workflow(io, input).await?;
        outcome::to_json(&outcome)
            .map_err(|e| WorkflowError::protocol(format!("could not serialize the outcome: {e}")))
    });
    (Some(run), step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_and_the_list_of_names_agree() {
        let names: Vec<&str> = REGISTRY.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, WORKFLOWS);
    }
}
