//! Student sync through the real module and the simulator: a scenario table covering
//! every rule, then stale plans, faults at every step of apply, batching and call counts.

use kuracloud_host_runner::sim::sample::sample_state;
use kuracloud_tests::Kc;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const COURSE: i64 = 101;

/// A kuraCloud student for the simulator's state.
fn ks(id: i64, email: &str, given: &str, family: &str) -> Value {
    json!({"studentId": id, "email": email, "givenName": given, "familyName": family,
           "inviteComplete": true, "createdDate": 1, "externalStudentId": "", "section": "", "deleted": false})
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

fn deleted(v: Value) -> Value {
    with(v, "deleted", json!(true))
}

/// An eligible Moodle student.
fn ms(user_id: i64, email: &str, first: &str, last: &str) -> Value {
    json!({"user_id": user_id, "email": email, "first_name": first, "last_name": last, "idnumber": "", "groups": []})
}

fn link(user_id: i64, student_id: i64) -> Value {
    json!({"user_id": user_id, "student_id": student_id})
}

/// A simulator whose course 101 is mapped and holds exactly `students`.
fn kc_with(students: &[Value]) -> Kc {
    let kc = Kc::with_state(sample_state());
    let mut state = kc.state();
    let course = &mut state["instances"][0]["courses"][0];
    course["lmsEnabled"] = json!(true);
    course["students"] = json!(students);
    kc.put_state(&state);
    kc
}

fn input(kc: &Kc, moodle: &[Value], links: &[Value]) -> Value {
    json!({"connection": kc.conn(), "course_id": COURSE, "students": moodle, "links": links})
}

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

fn active_emails(kc: &Kc) -> Vec<String> {
    kc.students(COURSE, false)
        .iter()
        .map(|s| s["email"].as_str().unwrap().to_lowercase())
        .collect()
}

fn write_requests(kc: &Kc) -> usize {
    kc.requests()
        .iter()
        .filter(|r| r["method"] != "GET")
        .count()
}

/// Links after applying an outcome.
fn merge_links(links: &[Value], outcome: &Value) -> Vec<Value> {
    let remove: BTreeSet<(i64, i64)> = outcome["links_remove"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["user_id"].as_i64().unwrap(),
                l["student_id"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut by_user: std::collections::BTreeMap<i64, i64> = links
        .iter()
        .map(|l| {
            (
                l["user_id"].as_i64().unwrap(),
                l["student_id"].as_i64().unwrap(),
            )
        })
        .filter(|p| !remove.contains(p))
        .collect();
    for l in outcome["links_store"].as_array().unwrap() {
        by_user.insert(
            l["user_id"].as_i64().unwrap(),
            l["student_id"].as_i64().unwrap(),
        );
    }
    by_user.into_iter().map(|(u, s)| link(u, s)).collect()
}

struct Case {
    name: &'static str,
    kc: Vec<Value>,
    moodle: Vec<Value>,
    links: Vec<Value>,
    /// (action, email) for every plan entry.
    expect: Vec<(&'static str, &'static str)>,
    mass_removal: bool,
    /// Active kuraCloud emails after apply.
    active_after: Vec<&'static str>,
}

fn case(name: &'static str) -> Case {
    Case {
        name,
        kc: vec![],
        moodle: vec![],
        links: vec![],
        expect: vec![],
        mass_removal: false,
        active_after: vec![],
    }
}

fn run_case(c: &Case) {
    let kc = kc_with(&c.kc);
    let preview = kc.done("students.preview", input(&kc, &c.moodle, &c.links));
    let plan = &preview["plan"];
    let mut expect: Vec<(String, String)> = c
        .expect
        .iter()
        .map(|(a, e)| (a.to_string(), e.to_lowercase()))
        .collect();
    expect.sort();
    assert_eq!(
        actions(plan),
        expect,
        "[{}] plan: {}",
        c.name,
        serde_json::to_string_pretty(plan).unwrap()
    );
    assert_eq!(
        plan["mass_removal"], c.mass_removal,
        "[{}] mass removal flag",
        c.name
    );
    // The module decides when a plan needs a teacher's review before an automatic sync.
    let conflicts = plan["counts"]["conflict"].as_u64().unwrap();
    let review = match (c.mass_removal, conflicts) {
        (true, _) => json!({"code": "review_mass_removal", "params": {}}),
        (false, 0) => json!(null),
        (false, n) => json!({"code": "review_conflicts", "params": {"count": n}}),
    };
    assert_eq!(plan["needs_review"], review, "[{}] needs review", c.name);
    // Preview never writes.
    assert_eq!(write_requests(&kc), 0, "[{}] preview wrote", c.name);

    let mut apply_input = input(&kc, &c.moodle, &c.links);
    apply_input["fingerprint"] = plan["fingerprint"].clone();
    if c.mass_removal {
        let refused = kc.done("students.apply", apply_input.clone());
        assert_eq!(
            refused["status"], "needs_mass_removal_confirmation",
            "[{}]",
            c.name
        );
        assert_eq!(write_requests(&kc), 0, "[{}] a refused apply wrote", c.name);
        apply_input["allow_mass_removal"] = json!(true);
    }
    let applied = kc.done("students.apply", apply_input);
    assert_eq!(applied["status"], "applied", "[{}] {}", c.name, applied);
    let mut want: Vec<String> = c.active_after.iter().map(|e| e.to_lowercase()).collect();
    want.sort();
    assert_eq!(
        active_emails(&kc),
        want,
        "[{}] active students after apply",
        c.name
    );

    // Converged: a second preview has nothing to do, and a second apply writes nothing.
    let links = merge_links(&c.links, &applied);
    let again = kc.done("students.preview", input(&kc, &c.moodle, &links));
    for e in again["plan"]["entries"].as_array().unwrap() {
        assert!(
            matches!(
                e["action"].as_str().unwrap(),
                "unchanged" | "conflict" | "skip"
            ),
            "[{}] not converged: {e}",
            c.name
        );
        if e["action"] == "unchanged" {
            assert_eq!(e["link"], false, "[{}] link not stored: {e}", c.name);
        }
    }
    kc.clear_requests();
    let mut second = input(&kc, &c.moodle, &links);
    second["fingerprint"] = again["plan"]["fingerprint"].clone();
    let second = kc.done("students.apply", second);
    assert_eq!(second["status"], "applied");
    assert_eq!(write_requests(&kc), 0, "[{}] second apply wrote", c.name);
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
            expect: (1..=5)
                .map(|i| {
                    (
                        "reinvite",
                        [
                            "new1@uni.example",
                            "new2@uni.example",
                            "new3@uni.example",
                            "new4@uni.example",
                            "new5@uni.example",
                        ][i - 1],
                    )
                })
                .collect(),
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
    let kc = kc_with(&[]);
    let moodle = vec![with(
        with(
            ms(11, "Ana@Uni.Example", " Ana ", "Lima"),
            "idnumber",
            json!("S-1"),
        ),
        "groups",
        json!(["Lab B", "Lab A"]),
    )];
    let preview = kc.done("students.preview", input(&kc, &moodle, &[]));
    let mut apply = input(&kc, &moodle, &[]);
    apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
    let out = kc.done("students.apply", apply);
    let s = &kc.students(COURSE, false)[0];
    assert_eq!(s["givenName"], "Ana");
    assert_eq!(s["externalStudentId"], "S-1");
    assert_eq!(s["section"], "Lab A");
    assert_eq!(kc.state()["invites"][0]["email"], "Ana@Uni.Example");
    assert_eq!(out["links_store"][0]["student_id"], s["studentId"]);
}

#[test]
fn a_stale_fingerprint_is_refused_with_the_fresh_plan() {
    let kc = kc_with(&[ks(1, "ana@uni.example", "Ana", "Lima")]);
    let moodle = vec![
        ms(11, "ana@uni.example", "Ana", "Lima"),
        ms(12, "ben@uni.example", "Ben", "O"),
    ];
    let preview = kc.done("students.preview", input(&kc, &moodle, &[]));
    // Someone adds a student in kuraCloud between preview and apply.
    let mut state = kc.state();
    state["instances"][0]["courses"][0]["students"]
        .as_array_mut()
        .unwrap()
        .push(ks(2, "intruder@uni.example", "In", "Truder"));
    kc.put_state(&state);
    kc.clear_requests();
    let mut apply = input(&kc, &moodle, &[]);
    apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
    let out = kc.done("students.apply", apply.clone());
    assert_eq!(out["status"], "stale");
    assert_ne!(out["plan"]["fingerprint"], preview["plan"]["fingerprint"]);
    assert!(actions(&out["plan"]).contains(&("delete".into(), "intruder@uni.example".into())));
    assert_eq!(write_requests(&kc), 0);

    // A Moodle-side change after the preview is stale too.
    let preview = kc.done("students.preview", input(&kc, &moodle, &[]));
    let changed = vec![
        ms(11, "ana@uni.example", "Ana", "Lima-Souza"),
        moodle[1].clone(),
    ];
    let mut apply = input(&kc, &changed, &[]);
    apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
    assert_eq!(kc.done("students.apply", apply)["status"], "stale");
    assert_eq!(write_requests(&kc), 0);

    // Apply without a fingerprint is refused outright.
    let (code, _) = kc.fail("students.apply", input(&kc, &moodle, &[]));
    assert_eq!(code, "invalid_input");
}

#[test]
fn a_failed_read_aborts_before_any_write() {
    for route in ["student.list", "student.list_deleted"] {
        for fault in [
            json!({"route": route, "status": 500, "message": "boom"}),
            json!({"route": route, "malformed": true}),
        ] {
            let kc = kc_with(&[ks(1, "ana@uni.example", "Ana", "Lima")]);
            let moodle: Vec<Value> = vec![];
            let preview = kc.done("students.preview", input(&kc, &moodle, &[]));
            kc.fault(fault.clone());
            let mut apply = input(&kc, &moodle, &[]);
            apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
            let (code, _) = kc.fail("students.apply", apply);
            assert!(
                code == "server_error" || code == "malformed_response",
                "{code}"
            );
            assert_eq!(write_requests(&kc), 0, "{fault}");
            assert_eq!(active_emails(&kc), vec!["ana@uni.example"]);
        }
    }
}

/// A plan that needs every kind of write: restore+edit, edit, invite, reinvite, delete.
fn fault_scenario() -> (Vec<Value>, Vec<Value>, Vec<Value>) {
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

fn roster_snapshot(kc: &Kc) -> (Vec<String>, Vec<String>) {
    let show = |s: &Value| {
        format!(
            "{}|{}|{}|{}",
            s["email"], s["givenName"], s["familyName"], s["section"]
        )
    };
    (
        kc.students(COURSE, false).iter().map(show).collect(),
        kc.students(COURSE, true).iter().map(show).collect(),
    )
}

#[test]
fn a_fault_at_every_step_of_apply_then_a_second_apply_converges() {
    let (students, moodle, links) = fault_scenario();
    // The end state a clean run reaches.
    let clean = kc_with(&students);
    let p = clean.done("students.preview", input(&clean, &moodle, &links));
    let mut a = input(&clean, &moodle, &links);
    a["fingerprint"] = p["plan"]["fingerprint"].clone();
    assert_eq!(clean.done("students.apply", a)["status"], "applied");
    let expected = roster_snapshot(&clean);

    let routes = [
        "student.list",
        "student.list_deleted",
        "student.restore",
        "student.edit",
        "student.add",
        "student.delete",
    ];
    for route in routes {
        // Before: the write never happens. After: it happens but the answer is lost.
        for after in [false, true] {
            let kc = kc_with(&students);
            let preview = kc.done("students.preview", input(&kc, &moodle, &links));
            kc.fault(json!({"route": route, "status": 500, "message": "injected", "after": after, "times": 1}));
            let mut apply = input(&kc, &moodle, &links);
            apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
            let first = kc.run("students.apply", apply);
            let links_now = match first {
                kuracloud_host_runner::RunOutcome::Done(json) => {
                    let out: Value = serde_json::from_str(&json).unwrap();
                    assert_eq!(out["status"], "partial", "{route} after={after}: {out}");
                    assert_eq!(out["error"]["code"], "server_error");
                    // Nothing after a failed write was sent: deletes come last.
                    if route != "student.delete" {
                        assert!(
                            kc.requests().iter().all(|r| r["route"] != "student.delete"),
                            "{route}: deleted after a failure"
                        );
                    }
                    for r in out["results"].as_array().unwrap() {
                        assert!(["done", "failed", "not_attempted", "no_change"]
                            .contains(&r["result"].as_str().unwrap()));
                    }
                    merge_links(&links, &out)
                }
                kuracloud_host_runner::RunOutcome::Failed { code, .. } => {
                    assert!(route.starts_with("student.list"), "{route}: {code}");
                    links.clone()
                }
            };
            // Second run: a fresh preview and apply converge to the clean end state.
            let preview = kc.done("students.preview", input(&kc, &moodle, &links_now));
            let mut apply = input(&kc, &moodle, &links_now);
            apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
            let second = kc.done("students.apply", apply);
            assert_eq!(
                second["status"], "applied",
                "{route} after={after}: {second}"
            );
            assert_eq!(
                roster_snapshot(&kc),
                expected,
                "{route} after={after}: did not converge"
            );
            let links_final = merge_links(&links_now, &second);
            let last = kc.done("students.preview", input(&kc, &moodle, &links_final));
            let counts = &last["plan"]["counts"];
            assert_eq!(counts["unchanged"], 7, "{route} after={after}: {counts}");
        }
    }
}

#[test]
fn writes_go_in_bounded_batches_and_reads_are_constant() {
    let kc = kc_with(&[]);
    let moodle: Vec<Value> = (0..25)
        .map(|i| ms(i, &format!("s{i}@uni.example"), "S", &i.to_string()))
        .collect();
    let preview = kc.done("students.preview", input(&kc, &moodle, &[]));
    assert_eq!(preview["requests"], 2);
    let mut apply = input(&kc, &moodle, &[]);
    apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
    apply["batch_size"] = json!(10);
    kc.clear_requests();
    let out = kc.done("students.apply", apply);
    assert_eq!(out["status"], "applied");
    let adds = kc
        .requests()
        .iter()
        .filter(|r| r["route"] == "student.add")
        .count();
    assert_eq!(adds, 3);
    assert_eq!(out["links_store"].as_array().unwrap().len(), 25);
    assert_eq!(out["requests"], 5);
}

#[test]
fn a_failed_second_batch_keeps_the_first_batch_links() {
    let kc = kc_with(&[]);
    let moodle: Vec<Value> = (0..6)
        .map(|i| ms(i, &format!("s{i}@uni.example"), "S", &i.to_string()))
        .collect();
    let preview = kc.done("students.preview", input(&kc, &moodle, &[]));
    kc.fault(json!({"route": "student.add", "status": 503, "skip": 1}));
    let mut apply = input(&kc, &moodle, &[]);
    apply["fingerprint"] = preview["plan"]["fingerprint"].clone();
    apply["batch_size"] = json!(3);
    let out = kc.done("students.apply", apply);
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
