//! Readable summaries of workflow outcomes, for people at a terminal.

use crate::catalogue::{render as text, render_reason};
use serde_json::Value;
use std::fmt::Write;

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn truncate(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        format!("{text:width$}")
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn counts_line(c: &Value) -> String {
    let Some(map) = c.as_object() else {
        return String::new();
    };
    map.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plan_table(out: &mut String, plan: &Value) {
    let _ = writeln!(
        out,
        "{:<10} {:<26} {:<32} REASON",
        "ACTION", "NAME", "EMAIL"
    );
    for e in plan["entries"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "{:<10} {} {} {}",
            s(&e["action"]),
            truncate(&s(&e["name"]), 26),
            truncate(&s(&e["email"]), 32),
            render_reason(e)
        );
    }
    let _ = writeln!(out, "\nCounts: {}", counts_line(&plan["counts"]));
    if plan["mass_removal"] == Value::Bool(true) {
        let _ = writeln!(
            out,
            "WARNING: this plan deletes more than half of the {} kuraCloud students; applying it needs an explicit confirmation (allow_mass_removal).",
            plan["roster"]
        );
    }
    let _ = writeln!(out, "Fingerprint: {}", s(&plan["fingerprint"]));
}

/// A readable report for the workflows that have one; JSON otherwise.
pub fn render(workflow: &str, outcome: &Value) -> String {
    let mut out = String::new();
    match workflow {
        "students.preview" => {
            let _ = writeln!(out, "Student sync preview (nothing has been changed)\n");
            plan_table(&mut out, &outcome["plan"]);
        }
        "students.apply" => {
            let status = s(&outcome["status"]);
            match status.as_str() {
                "stale" => {
                    let _ = writeln!(out, "Nothing applied: kuraCloud or Moodle changed since the preview. Fresh preview:\n");
                    plan_table(&mut out, &outcome["plan"]);
                }
                "needs_mass_removal_confirmation" => {
                    let _ = writeln!(out, "Nothing applied: the plan deletes more than half of the kuraCloud students and was not confirmed.\n");
                    plan_table(&mut out, &outcome["plan"]);
                }
                _ => {
                    let _ = writeln!(out, "Student sync: {status}\n");
                    let _ = writeln!(
                        out,
                        "{:<10} {:<14} {:<26} {:<32} MESSAGE",
                        "ACTION", "RESULT", "NAME", "EMAIL"
                    );
                    for r in outcome["results"].as_array().into_iter().flatten() {
                        let _ = writeln!(
                            out,
                            "{:<10} {:<14} {} {} {}",
                            s(&r["action"]),
                            s(&r["result"]),
                            truncate(&s(&r["name"]), 26),
                            truncate(&s(&r["email"]), 32),
                            text(&r["text"])
                        );
                    }
                    let _ = writeln!(
                        out,
                        "\nLinks stored: {}",
                        outcome["links_store"].as_array().map_or(0, Vec::len)
                    );
                    if let Some(e) = outcome.get("error").filter(|e| !e.is_null()) {
                        let _ =
                            writeln!(out, "Stopped at: {} ({})", text(&e["text"]), s(&e["code"]));
                    }
                }
            }
        }
        "grades.sync" => {
            let _ = writeln!(out, "{}\n", text(&outcome["text"]));
            if outcome["status"] == "students_not_synced" {
                let _ = writeln!(
                    out,
                    "Student changes pending: {}",
                    counts_line(&outcome["student_counts"])
                );
                return out;
            }
            let _ = writeln!(
                out,
                "{:<36} {:>7} {:<9} {:>6} {:>9} {:>7} {:>6} {:>8}",
                "GRADE ITEM", "MAX", "ITEM", "WRITE", "UNCHANGED", "EDITED", "LOCKED", "NO GRADE"
            );
            for i in outcome["items"].as_array().into_iter().flatten() {
                let c = &i["counts"];
                let _ = writeln!(
                    out,
                    "{} {:>7} {:<9} {:>6} {:>9} {:>7} {:>6} {:>8}",
                    truncate(&s(&i["name"]), 36),
                    s(&i["grademax"]),
                    s(&i["action"]),
                    s(&c["write"]),
                    s(&c["unchanged"]),
                    s(&c["teacher_edited"]),
                    s(&c["locked"]),
                    s(&c["no_grade"])
                );
            }
            for m in outcome["missing_items"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "No longer in kuraCloud (kept, not deleted): {}",
                    s(&m["name"])
                );
            }
            let unknown = &outcome["unknown_students"];
            if unknown["count"].as_u64().unwrap_or(0) > 0 {
                let _ = writeln!(
                    out,
                    "kuraCloud students with no Moodle link (skipped): {}",
                    unknown["count"]
                );
            }
        }
        _ => {
            out = serde_json::to_string_pretty(outcome).unwrap_or_default();
            out.push('\n');
        }
    }
    out
}
