//! Student sync rules, natively: the scenario table (every matching rule, preview then
//! apply then convergence), stale plans, a fault at every step of apply, batching.
//! The same cases run end to end, through the real module and the simulator over
//! HTTP, in `tests/students.rs`; here they take milliseconds and a failure names its
//! case's line.

mod util;

use kuracloud_core::api::Student;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use util::kuracloud::{student, Fault, Kc};
use util::{connection, run, At, Finished};

const COURSE: i64 = 101;

/// A kuraCloud student (active unless passed through `deleted`).
fn ks(id: i64, email: &str, given: &str, family: &str) -> (Student, bool) {
    (student(id, email, given, family), false)
}

fn deleted((s, _): (Student, bool)) -> (Student, bool) {
    (s, true)
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

/// An eligible Moodle student.
fn ms(user_id: i64, email: &str, first: &str, last: &str) -> Value {
    json!({"user_id": user_id, "email": email, "first_name": first, "last_name": last, "idnumber": "", "groups": []})
}

fn link(user_id: i64, student_id: i64) -> Value {
    json!({"user_id": user_id, "student_id": student_id})
}

/// Course 101 holding exactly `students`.
fn kc_with(students: &[(Student, bool)]) -> Kc {
    let mut kc = Kc::new(COURSE, vec![], vec![]);
    kc.students = students.to_vec();
    kc
}

fn input(moodle: &[Value], links: &[Value]) -> Value {
    json!({"connection": connection(), "course_id": COURSE, "students": moodle, "links": links})
}

/// The apply of the plan `preview` showed.
fn apply_input(moodle: &[Value], links: &[Value], preview: &Value) -> Value {
    let mut apply = input(moodle, links);
    apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
    apply
}

/// (action, email) of every plan entry, sorted.
fn actions(plan: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["email"].as_str().unwrap().trim().to_lowercase(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Links after applying an outcome.
fn merge_links(links: &[Value], outcome: &Value) -> Vec<Value> {
    let pair = |l: &Value| {
        (
            l["user_id"].as_i64().unwrap(),
            l["student_id"].as_i64().unwrap(),
        )
    };
    let remove: BTreeSet<(i64, i64)> = outcome["links_remove"]
        .as_array()
        .unwrap()
        .iter()
        .map(pair)
        .collect();
    let mut by_user: BTreeMap<i64, i64> = links
        .iter()
        .map(pair)
        .filter(|p| !remove.contains(p))
        .collect();
    for l in outcome["links_store"].as_array().unwrap() {
        let (u, s) = pair(l);
        by_user.insert(u, s);
    }
    by_user.into_iter().map(|(u, s)| link(u, s)).collect()
}

struct Case {
    at: At,
    name: &'static str,
    kc: Vec<(Student, bool)>,
    moodle: Vec<Value>,
    links: Vec<Value>,
    /// (action, email) for every plan entry.
    expect: Vec<(&'static str, &'static str)>,
    mass_removal: bool,
    /// Active kuraCloud emails after apply.
    active_after: Vec<&'static str>,
}

/// A case with nothing on either side, written at the caller's line.
#[track_caller]
fn case(name: &'static str) -> Case {
    Case {
        at: At::here(),
        name,
        kc: vec![],
        moodle: vec![],
        links: vec![],
        expect: vec![],
        mass_removal: false,
        active_after: vec![],
    }
}

/// Preview, apply (confirming a mass removal when the case expects one), then a second
/// preview and apply that must find nothing to do.
fn run_case(c: &Case) {
    let (at, name) = (c.at, c.name);
    let mut kc = kc_with(&c.kc);
    let preview = run("students.preview", &input(&c.moodle, &c.links), &mut kc);
    let plan = &preview.done()["plan"];
    let mut expect: Vec<(String, String)> = c
        .expect
        .iter()
        .map(|(a, e)| (a.to_string(), e.to_lowercase()))
        .collect();
    expect.sort();
    assert_eq!(actions(plan), expect, "{at} [{name}] plan: {plan:#}");
    assert_eq!(plan["mass_removal"], c.mass_removal, "{at} [{name}]");
    // The module decides when a plan needs a teacher's review before an automatic sync.
    let review = match (c.mass_removal, plan["counts"]["conflict"].as_u64().unwrap()) {
        (true, _) => json!({"code": "review_mass_removal", "params": {}}),
        (false, 0) => json!(null),
        (false, n) => json!({"code": "review_conflicts", "params": {"count": n}}),
    };
    assert_eq!(plan["needs_review"], review, "{at} [{name}] needs review");
    assert_eq!(preview.trace.writes(), 0, "{at} [{name}] preview wrote");

    let mut apply = apply_input(&c.moodle, &c.links, preview.done());
    if c.mass_removal {
        let refused = run("students.apply", &apply, &mut kc);
        assert_eq!(
            refused.done()["status"],
            "needs_mass_removal_confirmation",
            "{at} [{name}]"
        );
        assert_eq!(
            refused.trace.writes(),
            0,
            "{at} [{name}] a refused apply wrote"
        );
        apply["allow_mass_removal"] = json!(true);
    }
    let applied = run("students.apply", &apply, &mut kc);
    let applied = applied.done();
    assert_eq!(applied["status"], "applied", "{at} [{name}] {applied}");
    let mut want: Vec<String> = c.active_after.iter().map(|e| e.to_lowercase()).collect();
    want.sort();
    assert_eq!(kc.active_emails(), want, "{at} [{name}] active after apply");

    // Converged: a second preview has nothing to do, and a second apply writes nothing.
    let links = merge_links(&c.links, applied);
    let again = run("students.preview", &input(&c.moodle, &links), &mut kc);
    for e in again.done()["plan"]["entries"].as_array().unwrap() {
        let action = e["action"].as_str().unwrap();
        assert!(
            matches!(action, "unchanged" | "conflict" | "skip"),
            "{at} [{name}] not converged: {e}"
        );
        if action == "unchanged" {
            assert_eq!(e["link"], false, "{at} [{name}] link not stored: {e}");
        }
    }
    let second = run(
        "students.apply",
        &apply_input(&c.moodle, &links, again.done()),
        &mut kc,
    );
    assert_eq!(second.done()["status"], "applied", "{at} [{name}]");
    assert_eq!(second.trace.writes(), 0, "{at} [{name}] second apply wrote");
}

fn table() -> Vec<Case> {
    let ana = || ks(1, "ana@uni.example", "Ana", "Lima");
    let ben = || ks(2, "ben@uni.example", "Ben", "Okafor");
    let cai = || ks(3, "cai@uni.example", "Cai", "Wu");
    let m_ana = || ms(11, "ana@uni.example", "Ana", "Lima");
    let m_ben = || ms(12, "ben@uni.example", "Ben", "Okafor");
    let m_cai = || ms(13, "cai@uni.example", "Cai", "Wu");
    let roster = |n: i64| {
        (1..=n)
            .map(|i| ks(i, &format!("s{i}@uni.example"), "S", &i.to_string()))
            .collect::<Vec<_>>()
    };
    let moodle_roster = |ids: &[i64]| {
        ids.iter()
            .map(|&i| ms(100 + i, &format!("s{i}@uni.example"), "S", &i.to_string()))
            .collect::<Vec<_>>()
    };
    vec![
        Case {
            ..case("empty on both sides")
        },
        Case {
            kc: vec![ana(), ben(), cai()],
            expect: vec![
                ("delete", "ana@uni.example"),
                ("delete", "ben@uni.example"),
                ("delete", "cai@uni.example"),
            ],
            ..case("empty Moodle course deletes every kuraCloud student (roster under five)")
        },
        Case {
            moodle: vec![m_ana(), m_ben()],
            expect: vec![("add", "ana@uni.example"), ("add", "ben@uni.example")],
            active_after: vec!["ana@uni.example", "ben@uni.example"],
            ..case("empty kuraCloud course invites everybody")
        },
        Case {
            kc: vec![ana()],
            moodle: vec![m_ana()],
            expect: vec![("unchanged", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("same email and details: unchanged, link stored")
        },
        Case {
            kc: vec![ana()],
            moodle: vec![ms(11, "  ANA@Uni.Example ", "Ana", "Lima")],
            expect: vec![("unchanged", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("email case and whitespace differences still match")
        },
        Case {
            kc: vec![ana()],
            moodle: vec![ms(11, "ana@uni.example", "Anabela", "Lima")],
            expect: vec![("update", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("changed first name is an edit, no invite")
        },
        Case {
            kc: vec![ana()],
            moodle: vec![with(m_ana(), "idnumber", json!("S-77"))],
            expect: vec![("update", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("changed idnumber is an edit")
        },
        Case {
            kc: vec![ana()],
            moodle: vec![with(m_ana(), "groups", json!(["Lab C", "lab B", "Lab D"]))],
            expect: vec![("update", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("group becomes the section; several groups pick the first alphabetically")
        },
        Case {
            moodle: vec![
                ms(21, "jose@uni.example", "José", "Ñúñez"),
                ms(22, "li@uni.example", "小龍", "李"),
                ms(23, "zoe@uni.example", "Zoë", "O'Brien-Ünal"),
            ],
            expect: vec![
                ("add", "jose@uni.example"),
                ("add", "li@uni.example"),
                ("add", "zoe@uni.example"),
            ],
            active_after: vec!["jose@uni.example", "li@uni.example", "zoe@uni.example"],
            ..case("Unicode names round-trip")
        },
        Case {
            kc: vec![ana()],
            moodle: vec![ms(11, "ana.lima@newmail.example", "Ana", "Lima")],
            links: vec![link(11, 1)],
            expect: vec![("reinvite", "ana.lima@newmail.example")],
            active_after: vec!["ana.lima@newmail.example"],
            ..case("email changed in Moodle: delete the old account, invite the new email")
        },
        Case {
            kc: vec![ks(1, "ana.private@home.example", "Ana", "Lima")],
            moodle: vec![m_ana()],
            links: vec![link(11, 1)],
            expect: vec![("reinvite", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("email changed in kuraCloud: reinvite at the Moodle email")
        },
        Case {
            kc: vec![ana(), ks(5, "ana2@uni.example", "Ana", "Lima")],
            moodle: vec![ms(11, "ana2@uni.example", "Ana", "Lima")],
            links: vec![link(11, 1)],
            expect: vec![
                ("unchanged", "ana2@uni.example"),
                ("delete", "ana@uni.example"),
            ],
            active_after: vec!["ana2@uni.example"],
            ..case("email changed to one that already has an account: relink it, delete the old")
        },
        Case {
            kc: vec![ana(), ben()],
            moodle: vec![
                ms(11, "ben@uni.example", "Ben", "Okafor"),
                ms(12, "ana@uni.example", "Ana", "Lima"),
            ],
            links: vec![link(11, 1), link(12, 2)],
            expect: vec![
                ("unchanged", "ana@uni.example"),
                ("unchanged", "ben@uni.example"),
            ],
            active_after: vec!["ana@uni.example", "ben@uni.example"],
            ..case("two users swap emails: relinked, nobody deleted")
        },
        Case {
            kc: vec![deleted(ana())],
            moodle: vec![m_ana()],
            links: vec![link(11, 1)],
            expect: vec![("restore", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("deleted in kuraCloud, re-enrolled in Moodle: restore, keeping their work")
        },
        Case {
            kc: vec![deleted(ana())],
            moodle: vec![with(m_ana(), "groups", json!(["Lab A"]))],
            links: vec![link(11, 1)],
            expect: vec![("restore", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("restore then edit changed details")
        },
        Case {
            kc: vec![deleted(ana())],
            moodle: vec![m_ana()],
            expect: vec![("restore", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("no link: matched by email among deleted students: restore")
        },
        Case {
            kc: vec![deleted(ks(9, "ana@uni.example", "Ana", "Old")), ana()],
            moodle: vec![m_ana()],
            expect: vec![("unchanged", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("an active match wins over a deleted one")
        },
        Case {
            kc: vec![ana(), ben()],
            moodle: vec![
                ms(11, "ana@uni.example", "Ana", "Lima"),
                ms(31, "ana@uni.example", "Anna", "Other"),
                m_ben(),
            ],
            expect: vec![
                ("conflict", "ana@uni.example"),
                ("conflict", "ana@uni.example"),
                ("unchanged", "ben@uni.example"),
            ],
            active_after: vec!["ana@uni.example", "ben@uni.example"],
            ..case("two Moodle users with one email: conflict, and their kuraCloud student is kept")
        },
        Case {
            moodle: vec![
                ms(11, "Cai@uni.example", "Cai", "Wu"),
                ms(12, "cai@UNI.example", "Cai", "Two"),
            ],
            expect: vec![
                ("conflict", "cai@uni.example"),
                ("conflict", "cai@uni.example"),
            ],
            ..case("duplicate emails differing only in case are a conflict")
        },
        Case {
            moodle: vec![
                ms(11, "", "No", "Mail"),
                ms(12, "not-an-email", "Bad", "Mail"),
                m_cai(),
            ],
            expect: vec![
                ("skip", ""),
                ("skip", "not-an-email"),
                ("add", "cai@uni.example"),
            ],
            active_after: vec!["cai@uni.example"],
            ..case("users without a valid email are skipped, the rest still sync")
        },
        Case {
            kc: roster(6),
            moodle: moodle_roster(&[1, 2]),
            expect: vec![
                ("unchanged", "s1@uni.example"),
                ("unchanged", "s2@uni.example"),
                ("delete", "s3@uni.example"),
                ("delete", "s4@uni.example"),
                ("delete", "s5@uni.example"),
                ("delete", "s6@uni.example"),
            ],
            mass_removal: true,
            active_after: vec!["s1@uni.example", "s2@uni.example"],
            ..case("mass-removal guard: 4 of 6 needs an explicit confirmation")
        },
        Case {
            kc: roster(6),
            moodle: moodle_roster(&[1, 2, 3]),
            expect: vec![
                ("unchanged", "s1@uni.example"),
                ("unchanged", "s2@uni.example"),
                ("unchanged", "s3@uni.example"),
                ("delete", "s4@uni.example"),
                ("delete", "s5@uni.example"),
                ("delete", "s6@uni.example"),
            ],
            active_after: vec!["s1@uni.example", "s2@uni.example", "s3@uni.example"],
            ..case("exactly half is not a mass removal")
        },
        Case {
            kc: roster(4),
            expect: vec![
                ("delete", "s1@uni.example"),
                ("delete", "s2@uni.example"),
                ("delete", "s3@uni.example"),
                ("delete", "s4@uni.example"),
            ],
            ..case("a roster under five is never guarded")
        },
        Case {
            kc: roster(5),
            moodle: (1..=5)
                .map(|i| ms(100 + i, &format!("new{i}@uni.example"), "S", &i.to_string()))
                .collect(),
            links: (1..=5).map(|i| link(100 + i, i)).collect(),
            expect: vec![
                ("reinvite", "new1@uni.example"),
                ("reinvite", "new2@uni.example"),
                ("reinvite", "new3@uni.example"),
                ("reinvite", "new4@uni.example"),
                ("reinvite", "new5@uni.example"),
            ],
            mass_removal: true,
            active_after: vec![
                "new1@uni.example",
                "new2@uni.example",
                "new3@uni.example",
                "new4@uni.example",
                "new5@uni.example",
            ],
            ..case("reinvites count toward the mass-removal guard")
        },
        Case {
            kc: vec![
                ana(),
                ben(),
                deleted(cai()),
                ks(4, "gone@uni.example", "Gone", "Student"),
            ],
            moodle: vec![
                m_ana(),
                ms(12, "ben@uni.example", "Benjamin", "Okafor"),
                m_cai(),
                ms(14, "dan@uni.example", "Dan", "Silva"),
            ],
            expect: vec![
                ("unchanged", "ana@uni.example"),
                ("update", "ben@uni.example"),
                ("restore", "cai@uni.example"),
                ("add", "dan@uni.example"),
                ("delete", "gone@uni.example"),
            ],
            active_after: vec![
                "ana@uni.example",
                "ben@uni.example",
                "cai@uni.example",
                "dan@uni.example",
            ],
            ..case("every action at once")
        },
        Case {
            kc: vec![ben()],
            moodle: vec![m_ana(), m_ben()],
            links: vec![link(11, 777), link(12, 2)],
            expect: vec![("add", "ana@uni.example"), ("unchanged", "ben@uni.example")],
            active_after: vec!["ana@uni.example", "ben@uni.example"],
            ..case("a link to an account kuraCloud no longer has is replaced")
        },
        Case {
            kc: vec![ana(), ks(6, "ANA@uni.example", "Ana", "Dup")],
            moodle: vec![m_ana()],
            expect: vec![
                ("unchanged", "ana@uni.example"),
                ("delete", "ana@uni.example"),
            ],
            active_after: vec!["ana@uni.example"],
            ..case("kuraCloud holding one email twice: the lowest id is kept")
        },
        Case {
            kc: vec![
                ks(5, "a@uni.example", "Ana", "Lima"),
                deleted(ks(5, "b@uni.example", "Ana", "Lima")),
            ],
            moodle: vec![ms(11, "b@uni.example", "Ana", "Lima")],
            expect: vec![("conflict", "b@uni.example")],
            active_after: vec!["a@uni.example"],
            ..case("a student listed active and deleted with two emails is a conflict, and kept")
        },
        Case {
            kc: vec![ana()],
            moodle: vec![m_ana(), with(m_ana(), "first_name", json!("Second row"))],
            expect: vec![("unchanged", "ana@uni.example")],
            active_after: vec!["ana@uni.example"],
            ..case("a user listed twice counts once (the first row)")
        },
    ]
}

#[test]
fn scenario_table() {
    let cases = table();
    assert!(cases.len() >= 25, "the table has {} cases", cases.len());
    for c in &cases {
        run_case(c);
    }
}

#[test]
fn invites_carry_the_moodle_details() {
    let mut kc = kc_with(&[]);
    let moodle = vec![with(
        with(
            ms(11, "Ana@Uni.Example", " Ana ", "Lima"),
            "idnumber",
            json!("S-1"),
        ),
        "groups",
        json!(["Lab B", "Lab A"]),
    )];
    let preview = run("students.preview", &input(&moodle, &[]), &mut kc);
    let out = run(
        "students.apply",
        &apply_input(&moodle, &[], preview.done()),
        &mut kc,
    );
    let s = kc.roster(false)[0].clone();
    assert_eq!(s.given_name, "Ana");
    assert_eq!(s.external_student_id, "S-1");
    assert_eq!(s.section, "Lab A");
    assert_eq!(kc.invites, ["Ana@Uni.Example"]);
    assert_eq!(out.done()["links_store"][0]["student_id"], s.student_id);
}

#[test]
fn a_stale_fingerprint_is_refused_with_the_fresh_plan() {
    let mut kc = kc_with(&[ks(1, "ana@uni.example", "Ana", "Lima")]);
    let moodle = vec![
        ms(11, "ana@uni.example", "Ana", "Lima"),
        ms(12, "ben@uni.example", "Ben", "O"),
    ];
    let preview = run("students.preview", &input(&moodle, &[]), &mut kc);
    // Someone adds a student in kuraCloud between preview and apply.
    kc.students
        .push(ks(2, "intruder@uni.example", "In", "Truder"));
    let apply = apply_input(&moodle, &[], preview.done());
    let out = run("students.apply", &apply, &mut kc);
    assert_eq!(out.done()["status"], "stale");
    assert_ne!(
        out.done()["plan"]["fingerprint"],
        preview.done()["plan"]["fingerprint"]
    );
    assert!(
        actions(&out.done()["plan"]).contains(&("delete".into(), "intruder@uni.example".into()))
    );
    assert_eq!(out.trace.writes(), 0);

    // A Moodle-side change after the preview is stale too.
    let preview = run("students.preview", &input(&moodle, &[]), &mut kc);
    let changed = vec![
        ms(11, "ana@uni.example", "Ana", "Lima-Souza"),
        moodle[1].clone(),
    ];
    let out = run(
        "students.apply",
        &apply_input(&changed, &[], preview.done()),
        &mut kc,
    );
    assert_eq!(out.done()["status"], "stale");
    assert_eq!(out.trace.writes(), 0);

    // Apply without a fingerprint is refused outright, before any request.
    let out = run("students.apply", &input(&moodle, &[]), &mut kc);
    assert_eq!(out.error_code(), "invalid_input");
    assert!(out.trace.requests.is_empty());
}

#[test]
fn a_failed_read_aborts_before_any_write() {
    for route in ["student.list", "student.list_deleted"] {
        for fault in [Fault::status(route, 500, "boom"), Fault::malformed(route)] {
            let mut kc = kc_with(&[ks(1, "ana@uni.example", "Ana", "Lima")]);
            let preview = run("students.preview", &input(&[], &[]), &mut kc);
            kc.faults.push(fault.clone());
            let out = run(
                "students.apply",
                &apply_input(&[], &[], preview.done()),
                &mut kc,
            );
            let code = out.error_code();
            assert!(
                code == "server_error" || code == "malformed_response",
                "{fault:?}: {code}"
            );
            assert_eq!(out.trace.writes(), 0, "{fault:?}");
            assert_eq!(kc.active_emails(), ["ana@uni.example"]);
        }
    }
}

/// A plan that needs every kind of write: restore+edit, edit, invite, reinvite, delete.
fn fault_scenario() -> (Vec<(Student, bool)>, Vec<Value>, Vec<Value>) {
    let kc = vec![
        ks(1, "ana@uni.example", "Ana", "Lima"),
        ks(2, "ben@uni.example", "Ben", "Okafor"),
        deleted(ks(3, "cai@uni.example", "Cai", "Wu")),
        ks(4, "gone@uni.example", "Gone", "Student"),
        ks(5, "eva.old@uni.example", "Eva", "Nagy"),
        ks(6, "fay@uni.example", "Fay", "Li"),
        ks(7, "gus@uni.example", "Gus", "Ray"),
    ];
    let moodle = vec![
        ms(11, "ana@uni.example", "Ana", "Lima"),
        ms(12, "ben@uni.example", "Benjamin", "Okafor"),
        with(
            ms(13, "cai@uni.example", "Cai", "Wu"),
            "groups",
            json!(["Lab A"]),
        ),
        ms(14, "dan@uni.example", "Dan", "Silva"),
        ms(15, "eva.new@uni.example", "Eva", "Nagy"),
        ms(16, "fay@uni.example", "Fay", "Li"),
        ms(17, "gus@uni.example", "Gus", "Ray"),
    ];
    let links = vec![link(13, 3), link(15, 5)];
    (kc, moodle, links)
}

/// Both rosters as (email, given, family, section), in kuraCloud's order.
fn roster_snapshot(kc: &Kc) -> Vec<Vec<String>> {
    [false, true]
        .iter()
        .map(|&d| {
            kc.roster(d)
                .iter()
                .map(|s| {
                    format!(
                        "{}|{}|{}|{}",
                        s.email, s.given_name, s.family_name, s.section
                    )
                })
                .collect()
        })
        .collect()
}

/// Preview and apply once; the outcome.
fn preview_and_apply(kc: &mut Kc, moodle: &[Value], links: &[Value]) -> Finished {
    let preview = run("students.preview", &input(moodle, links), kc);
    run(
        "students.apply",
        &apply_input(moodle, links, preview.done()),
        kc,
    )
}

#[test]
fn a_fault_at_every_step_of_apply_then_a_second_apply_converges() {
    let (students, moodle, links) = fault_scenario();
    // The end state a clean run reaches.
    let mut clean = kc_with(&students);
    let out = preview_and_apply(&mut clean, &moodle, &links);
    assert_eq!(out.done()["status"], "applied");
    let expected = roster_snapshot(&clean);

    for route in [
        "student.list",
        "student.list_deleted",
        "student.restore",
        "student.edit",
        "student.add",
        "student.delete",
    ] {
        // Before: the write never happens. After: it happens but the answer is lost.
        for after in [false, true] {
            let mut kc = kc_with(&students);
            let preview = run("students.preview", &input(&moodle, &links), &mut kc);
            kc.faults.push(Fault {
                after,
                times: Some(1),
                ..Fault::status(route, 500, "injected")
            });
            let apply = apply_input(&moodle, &links, preview.done());
            let first = run("students.apply", &apply, &mut kc);
            let links_now = match &first.outcome {
                Ok(out) => {
                    assert_eq!(out["status"], "partial", "{route} after={after}: {out}");
                    assert_eq!(out["error"]["code"], "server_error");
                    // Nothing after a failed write was sent: deletes come last.
                    if route != "student.delete" {
                        assert_eq!(
                            kc.calls("student.delete"),
                            0,
                            "{route}: deleted after a failure"
                        );
                    }
                    for r in out["results"].as_array().unwrap() {
                        assert!(["done", "failed", "not_attempted", "no_change"]
                            .contains(&r["result"].as_str().unwrap()));
                    }
                    merge_links(&links, out)
                }
                Err(e) => {
                    assert!(route.starts_with("student.list"), "{route}: {e:?}");
                    links.clone()
                }
            };
            // Second run: a fresh preview and apply converge to the clean end state.
            let second = preview_and_apply(&mut kc, &moodle, &links_now);
            let second = second.done();
            assert_eq!(
                second["status"], "applied",
                "{route} after={after}: {second}"
            );
            assert_eq!(
                roster_snapshot(&kc),
                expected,
                "{route} after={after}: did not converge"
            );
            let links_final = merge_links(&links_now, second);
            let last = run("students.preview", &input(&moodle, &links_final), &mut kc);
            let counts = &last.done()["plan"]["counts"];
            assert_eq!(counts["unchanged"], 7, "{route} after={after}: {counts}");
        }
    }
}

#[test]
fn writes_go_in_bounded_batches_and_reads_are_constant() {
    let mut kc = kc_with(&[]);
    let moodle: Vec<Value> = (0..25)
        .map(|i| ms(i, &format!("s{i}@uni.example"), "S", &i.to_string()))
        .collect();
    let preview = run("students.preview", &input(&moodle, &[]), &mut kc);
    assert_eq!(preview.done()["requests"], 2);
    let mut apply = apply_input(&moodle, &[], preview.done());
    apply["batch_size"] = json!(10);
    let out = run("students.apply", &apply, &mut kc);
    let out_json = out.done();
    assert_eq!(out_json["status"], "applied");
    assert_eq!(kc.calls("student.add"), 3);
    assert_eq!(out_json["links_store"].as_array().unwrap().len(), 25);
    assert_eq!(out_json["requests"], 5);
    assert_eq!(out.trace.requests.len(), 5);
}

#[test]
fn a_failed_second_batch_keeps_the_first_batch_links() {
    let mut kc = kc_with(&[]);
    let moodle: Vec<Value> = (0..6)
        .map(|i| ms(i, &format!("s{i}@uni.example"), "S", &i.to_string()))
        .collect();
    let preview = run("students.preview", &input(&moodle, &[]), &mut kc);
    kc.faults.push(Fault {
        skip: 1,
        ..Fault::status("student.add", 503, "busy")
    });
    let mut apply = apply_input(&moodle, &[], preview.done());
    apply["batch_size"] = json!(3);
    let out = run("students.apply", &apply, &mut kc);
    let out = out.done();
    assert_eq!(out["status"], "partial");
    assert_eq!(out["links_store"].as_array().unwrap().len(), 3);
    let results: Vec<&str> = out["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(results.iter().filter(|r| **r == "done").count(), 3);
    assert_eq!(results.iter().filter(|r| **r == "failed").count(), 3);
}
