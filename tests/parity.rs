//! Golden cases: each `tests/golden/NAME.json` (workflow, input, optional setup) run
//! against a fresh sample simulator must give exactly `NAME.expected` here. The PHP
//! tests run the same cases through the extension and compare with the same files, so
//! the two hosts give byte-identical outcomes. `KC_BLESS=1` rewrites the expectations.

use kuracloud_tests::{apply_setup, outcome_text, Kc, TestHost};
use serde_json::Value;
use std::path::PathBuf;

#[test]
fn golden_cases_match() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden");
    let bless = std::env::var_os("KC_BLESS").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "only {} golden cases", cases.len());
    let mut failures = Vec::new();
    for path in &cases {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let kc = Kc::sample();
        apply_setup(&kc.url(), &case["setup"]);
        let input = serde_json::to_string(&case["input"])
            .unwrap()
            .replace("{{SIM}}", &kc.url());
        let outcome = kc.run_with(
            case["workflow"].as_str().unwrap(),
            &input,
            &mut TestHost::default(),
        );
        let text = outcome_text(&outcome, &kc.url());
        let expected_path = path.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
            panic!(
                "{} is missing; run with KC_BLESS=1",
                expected_path.display()
            )
        });
        if expected != text {
            failures.push(format!(
                "{}:\n  expected {expected}\n  got      {text}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
