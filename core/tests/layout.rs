//! The core's layout: its top-level modules depend on one another without cycles (each
//! workflow `a.b` in `crate::a`, the registry `crate::workflows` above them all, the
//! leaves `text`, `error`, `effect`, `outcome` below), so a module can be read and
//! changed knowing only what is under it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn sources(path: &Path, out: &mut String) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            sources(&entry.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push_str(&std::fs::read_to_string(path).unwrap());
    }
}

/// Top-level module -> the top-level modules its code names as `crate::x`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if name == "lib" {
            continue;
        }
        let mut text = String::new();
        sources(&path, &mut text);
        let uses: BTreeSet<String> = text
            .split("crate::")
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect::<String>()
            })
            .filter(|m| !m.is_empty() && *m != name)
            .collect();
        graph.insert(name, uses);
    }
    graph
}

#[test]
fn core_modules_have_no_dependency_cycle() {
    let graph = graph();
    assert!(graph.contains_key("workflows") && graph.contains_key("outcome"));
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(at) = path.iter().position(|p| *p == m) {
            panic!("dependency cycle: {} -> {m}", path[at..].join(" -> "));
        }
        path.push(m);
        for next in graph.get(m).into_iter().flatten() {
            if graph.contains_key(next) {
                visit(next, graph, path, done);
            }
        }
        path.pop();
        done.insert(m);
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut vec![], &mut done);
    }
}

#[test]
fn only_the_registry_names_the_workflows_and_the_leaves_name_no_workflow() {
    let graph = graph();
    for (m, uses) in &graph {
        if m != "workflows" {
            assert!(!uses.contains("workflows"), "{m} depends on the registry");
        }
    }
    for leaf in ["text", "error", "effect", "outcome"] {
        let uses = &graph[leaf];
        assert!(
            uses.iter()
                .all(|u| ["text", "error", "effect"].contains(&u.as_str())),
            "{leaf} uses {uses:?}"
        );
    }
}
