//! Every text code the module can emit has a sentence in both catalogues: host-runner's
//! English (`host-runner/src/catalogue.rs`) and the Moodle block's language file
//! (`moodle-block/lang/en/block_kuracloud.php`, strings `text_<code>`), and each sentence
//! uses only the parameters its code carries.

use kuracloud_core::text::CODES;
use kuracloud_host_runner::catalogue::ENGLISH;
use std::collections::BTreeMap;

/// Parameters the hosts append after the sentence, never placed in it.
const APPENDED: &[&str] = &["said", "detail"];

/// `{name}` (host-runner) or `{$a->name}` (Moodle) placeholders in `template`.
fn placeholders(template: &str, open: &str) -> Vec<String> {
    template
        .split(open)
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// The `$string['text_…']` entries of the Moodle language file.
fn moodle_strings() -> BTreeMap<String, String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../moodle-block/lang/en/block_kuracloud.php"
    );
    let php = std::fs::read_to_string(path).expect("the Moodle language file");
    let mut out = BTreeMap::new();
    for line in php.lines() {
        let Some(rest) = line.strip_prefix("$string['text_") else {
            continue;
        };
        let (code, rest) = rest.split_once("'] = '").expect("a string assignment");
        let value = rest.strip_suffix("';").expect("a one-line string");
        out.insert(code.to_string(), value.replace("\\'", "'"));
    }
    out
}

fn check(catalogue: &str, found: &BTreeMap<String, String>, open: &str) {
    let mut problems = vec![];
    for (_, code, params) in CODES {
        let Some(template) = found.get(*code) else {
            problems.push(format!("{catalogue}: no sentence for `{code}`"));
            continue;
        };
        for name in placeholders(template, open) {
            if !params.contains(&name.as_str()) || APPENDED.contains(&name.as_str()) {
                problems.push(format!(
                    "{catalogue}: `{code}` uses `{name}`, not a parameter it places"
                ));
            }
        }
    }
    for code in found.keys() {
        if !CODES.iter().any(|(_, c, _)| c == code) {
            problems.push(format!("{catalogue}: `{code}` is not a code of the module"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn host_runner_has_a_sentence_for_every_code() {
    let found: BTreeMap<String, String> = ENGLISH
        .iter()
        .map(|(c, t)| (c.to_string(), t.to_string()))
        .collect();
    assert_eq!(found.len(), ENGLISH.len(), "a code listed twice");
    check("host-runner", &found, "{");
}

#[test]
fn the_moodle_block_has_a_string_for_every_code() {
    let found = moodle_strings();
    assert!(!found.is_empty());
    check("lang/en/block_kuracloud.php", &found, "{$a->");
}

#[test]
fn the_catalogues_agree_on_each_sentence_s_parameters() {
    let moodle = moodle_strings();
    for (code, template) in ENGLISH {
        let mut a = placeholders(template, "{");
        let mut b = placeholders(moodle.get(*code).map_or("", String::as_str), "{$a->");
        a.sort();
        b.sort();
        assert_eq!(a, b, "`{code}`");
    }
}

/// The constants of the Moodle block's `status` class: value -> name.
fn php_statuses() -> BTreeMap<String, String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../moodle-block/classes/local/status.php"
    );
    let php = std::fs::read_to_string(path).expect("the status class");
    php.lines()
        .filter_map(|l| l.trim().strip_prefix("const "))
        .filter_map(|l| l.split_once(" = '"))
        .map(|(name, rest)| (rest.trim_end_matches("';").to_string(), name.to_string()))
        .collect()
}

fn name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_moodle_block_has_a_constant_for_every_status_of_the_core() {
    use kuracloud_core::grades::workflow::GradeSyncStatus;
    use kuracloud_core::mappings::MappingStatus;
    use kuracloud_core::students::apply::EntryResult;
    use kuracloud_core::students::workflow::ApplyStatus;
    // Each list is checked by an exhaustive match: a new variant fails to compile here.
    let apply = [
        ApplyStatus::Applied,
        ApplyStatus::Partial,
        ApplyStatus::Stale,
        ApplyStatus::NeedsMassRemovalConfirmation,
    ];
    let grades = [GradeSyncStatus::Synced, GradeSyncStatus::StudentsNotSynced];
    let health = [
        MappingStatus::Ok,
        MappingStatus::LmsNotEnabled,
        MappingStatus::CourseDeleted,
        MappingStatus::ConnectionFailing,
    ];
    let results = [
        EntryResult::Done,
        EntryResult::Failed,
        EntryResult::NotAttempted,
        EntryResult::NoChange,
    ];
    let mut core = vec![];
    for s in apply {
        match s {
            ApplyStatus::Applied
            | ApplyStatus::Partial
            | ApplyStatus::Stale
            | ApplyStatus::NeedsMassRemovalConfirmation => core.push(name(s)),
        }
    }
    for s in grades {
        match s {
            GradeSyncStatus::Synced | GradeSyncStatus::StudentsNotSynced => core.push(name(s)),
        }
    }
    for s in health {
        match s {
            MappingStatus::Ok
            | MappingStatus::LmsNotEnabled
            | MappingStatus::CourseDeleted
            | MappingStatus::ConnectionFailing => core.push(name(s)),
        }
    }
    for s in results {
        match s {
            EntryResult::Done
            | EntryResult::Failed
            | EntryResult::NotAttempted
            | EntryResult::NoChange => core.push(name(s)),
        }
    }
    let php = php_statuses();
    for value in &core {
        let constant = php
            .get(value)
            .unwrap_or_else(|| panic!("no constant for `{value}`"));
        assert_eq!(constant, &value.to_uppercase(), "`{value}`");
    }
}

/// Every progress stage the module reports (`progress("stage", ...)` in `core/src`) has a
/// label in the Moodle language file (`progressstage_<stage>`), as do the plugin's own
/// gradebook stages: the progress bars show them.
#[test]
fn the_moodle_block_has_a_label_for_every_progress_stage() {
    fn stages(dir: &std::path::Path, out: &mut std::collections::BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("core/src") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stages(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).expect("a source file");
                // `.progress(` then the stage's literal, wherever rustfmt breaks the line.
                for rest in source.split(".progress(").skip(1) {
                    let rest = rest.trim_start();
                    let Some(literal) = rest.strip_prefix('"') else {
                        panic!("{}: a progress stage that is not a literal", path.display());
                    };
                    if let Some((stage, _)) = literal.split_once('"') {
                        out.insert(stage.to_string());
                    }
                }
            }
        }
    }
    let mut found = std::collections::BTreeSet::new();
    stages(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../core/src")),
        &mut found,
    );
    // The runtime's own unit test reports a stage "x".
    found.remove("x");
    assert!(
        found.contains("export") && found.contains("read"),
        "{found:?}"
    );
    found.extend(["write".to_string(), "regrade".to_string()]);
    let php = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../moodle-block/lang/en/block_kuracloud.php"
    ))
    .expect("the Moodle language file");
    let missing: Vec<_> = found
        .iter()
        .filter(|stage| !php.contains(&format!("$string['progressstage_{stage}'] = '")))
        .collect();
    assert!(
        missing.is_empty(),
        "no progressstage_ string for {missing:?}"
    );
}
