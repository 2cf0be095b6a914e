//! The fuzzer's findings, each a regression case through the real module: every step is
//! checked as the fuzzer checks it (JSON, stable codes, bounded printable messages,
//! requests only to the connection's server).
//!
//! Found on the module before these fixes (seed 1, 20 s: 33 traps and 88 malformed
//! steps in 4,311 cases; docs/reliability.md).

use kuracloud_fuzz::fuzz::{run_scripted, Class};
use kuracloud_fuzz::gen::Answer;
use kuracloud_host_runner::driver::start_request;
use serde_json::{json, Value};

const API: &str = "http://kc.test";

fn bases() -> Vec<String> {
    vec![format!("{API}/v2/")]
}

fn ok(body: Value) -> Answer {
    Answer::Http {
        status: 200,
        body: body.to_string().into_bytes(),
        inline: false,
    }
}

fn no_request(method: &str, url: &str, _: Option<&str>) -> Answer {
    panic!("no request may be sent, but the module asked for {method} {url}")
}

/// kuraCloud lists student 5 as active with one email and as deleted with another:
/// every student workflow used to trap on a panic in the plan (a failed map lookup).
#[test]
fn a_student_listed_active_and_deleted_with_two_emails_traps_no_workflow() {
    let kuracloud = |method: &str, url: &str, _: Option<&str>| -> Answer {
        match (method, url.trim_start_matches(API)) {
            ("GET", "/v2/course/1/student") => {
                ok(json!([{"studentId": 5, "email": "a@uni.example"}]))
            }
            ("GET", "/v2/course/1/student?deleted=true") => {
                ok(json!([{"studentId": 5, "email": "b@uni.example"}]))
            }
            ("POST", "/v2/course/1/published/exportgrades.json") => ok(json!({"taskToken": "t"})),
            ("GET", "/v2/course/1/published/exportgrades.json/t") => {
                ok(json!({"status": "SUCCEEDED"}))
            }
            ("GET", "/v2/course/1/published/exportgrades.json/t/download") => ok(json!([])),
            _ => Answer::Http {
                status: 404,
                body: Vec::new(),
                inline: false,
            },
        }
    };
    let input = json!({"connection": {"api_url": API, "token": "t"}, "course_id": 1,
                       "students": [{"user_id": 1, "email": "b@uni.example"},
                                    {"user_id": 2, "email": "a@uni.example"}]});
    let request = start_request("students.preview", &input.to_string());
    let (class, outcome) = run_scripted(request.as_bytes(), &bases(), kuracloud);
    assert_eq!(class, Class::Done);
    let plan = &outcome.unwrap()["plan"];
    assert_eq!(plan["counts"]["conflict"], 2, "{plan}");
    assert_eq!(plan["counts"]["delete"], 0);
    assert_eq!(plan["counts"]["add"], 0);

    let mut apply = input.clone();
    apply["fingerprint"] = plan["fingerprint"].clone();
    let request = start_request("students.apply", &apply.to_string());
    let (class, outcome) = run_scripted(request.as_bytes(), &bases(), kuracloud);
    assert_eq!(class, Class::Done);
    assert_eq!(outcome.unwrap()["status"], "applied");

    let request = start_request("grades.sync", &input.to_string());
    let (class, _) = run_scripted(request.as_bytes(), &bases(), kuracloud);
    assert_eq!(class, Class::Done);
}

/// Control characters in a host's transport message, in kuraCloud's message, in an
/// unknown workflow's name and in an unknown field's name went into error messages as
/// they were.
#[test]
fn messages_quoting_hostile_text_are_printable() {
    let verify = start_request(
        "connection.verify",
        &json!({"connection": {"api_url": API, "token": "t"}}).to_string(),
    );
    let answers = [
        Answer::Transport {
            kind: "connect".into(),
            message: "refused\r\n\u{1b}[2J".into(),
        },
        Answer::Transport {
            kind: "timeout".into(),
            message: "\t".repeat(10_000),
        },
        Answer::Http {
            status: 403,
            body: json!({"message": "no\u{0}\nway"}).to_string().into_bytes(),
            inline: true,
        },
    ];
    for answer in answers {
        let (class, error) = run_scripted(verify.as_bytes(), &bases(), |_, _, _| answer.clone());
        assert!(matches!(class, Class::Error(_)), "{class:?}");
        let message = error.unwrap()["message"].as_str().unwrap().to_string();
        assert!(!message.chars().any(char::is_control), "{message:?}");
    }
    let requests = [
        json!({"workflow": "\u{0}\r\n\u{1b}[2J", "input": {}}).to_string(),
        start_request(
            "courses.list",
            &json!({"connections": [], "mappings": [{"connection_id": 1, "course_id": 1, "x\ny": 1}]})
                .to_string(),
        ),
    ];
    for request in requests {
        let (class, _) = run_scripted(request.as_bytes(), &bases(), no_request);
        assert_eq!(class, Class::Error("invalid_input".into()));
    }
}

/// A value of a wrong type is quoted whole in serde's message: 120,057 characters came
/// back for one long string.
#[test]
fn a_message_quoting_a_huge_value_is_bounded() {
    let input = json!({"connection": {"api_url": API, "token": "t"}, "course_id": "x".repeat(120_000),
                       "students": []});
    let request = start_request("students.preview", &input.to_string());
    let (class, error) = run_scripted(request.as_bytes(), &bases(), no_request);
    assert_eq!(class, Class::Error("invalid_input".into()));
    let message = error.unwrap()["message"].as_str().unwrap().to_string();
    assert!(message.chars().count() <= 1000, "{}", message.len());
}

/// An API URL with CR/LF, NUL, a space or a user name reached the request as it was.
#[test]
fn an_api_url_that_could_split_a_request_sends_nothing() {
    for api_url in [
        "http://kc.test/a\r\nX-Injected: 1",
        "http://kc.test/\u{0}",
        "http://kc .test",
        "http://user:pass@kc.test",
    ] {
        let request = start_request(
            "mapping.create",
            &json!({"connection": {"api_url": api_url, "token": "t"}, "course_id": 1}).to_string(),
        );
        let (class, _) = run_scripted(request.as_bytes(), &bases(), no_request);
        assert_eq!(class, Class::Error("invalid_input".into()), "{api_url:?}");
    }
}

/// Found reading the roster reader: it reserved the first student's text times the
/// students to come, so one long first name in a roster of a few thousand asked for
/// more than 2 GiB at once (a capacity-overflow panic in a 32-bit module).
#[test]
fn a_long_first_name_does_not_make_the_roster_reserve_gigabytes() {
    let mut roster =
        vec![json!({"studentId": 1, "email": "a@uni.example", "givenName": "x".repeat(1_000_000)})];
    roster
        .extend((2..2_500).map(|i| json!({"studentId": i, "email": format!("s{i}@uni.example")})));
    let body = serde_json::to_vec(&roster).unwrap();
    let kuracloud = |_: &str, url: &str, _: Option<&str>| -> Answer {
        if url.ends_with("deleted=true") {
            ok(json!([]))
        } else {
            Answer::Http {
                status: 200,
                body: body.clone(),
                inline: false,
            }
        }
    };
    let input =
        json!({"connection": {"api_url": API, "token": "t"}, "course_id": 1, "students": []});
    let request = start_request("grades.sync", &input.to_string());
    let (class, outcome) = run_scripted(request.as_bytes(), &bases(), kuracloud);
    assert_eq!(class, Class::Done);
    assert_eq!(outcome.unwrap()["student_counts"]["delete"], 2_499);
}

/// Found by the long run once texts carried their parameters: an export's task token
/// (from kuraCloud) sits in the path of the next requests, and a failed poll repeated
/// that URL in its text, 462,952 characters of it.
#[test]
fn a_huge_task_token_is_not_repeated_whole_in_an_error() {
    let token = "t".repeat(200_000);
    let roster = json!([{"studentId": 5, "email": "a@uni.example", "givenName": "Ana", "familyName": "Lima"}]);
    let kuracloud = |method: &str, url: &str, _: Option<&str>| -> Answer {
        match (method, url.trim_start_matches(API)) {
            ("GET", "/v2/course/1/student") => ok(roster.clone()),
            ("GET", "/v2/course/1/student?deleted=true") => ok(json!([])),
            ("POST", "/v2/course/1/published/exportgrades.json") => ok(json!({"taskToken": token})),
            _ => Answer::Transport {
                kind: "timeout".into(),
                message: "late".into(),
            },
        }
    };
    let input = json!({"connection": {"api_url": API, "token": "t"}, "course_id": 1,
                       "students": [{"user_id": 1, "email": "a@uni.example", "first_name": "Ana", "last_name": "Lima"}],
                       "links": [{"user_id": 1, "student_id": 5}]});
    let request = start_request("grades.sync", &input.to_string());
    let (class, error) = run_scripted(request.as_bytes(), &bases(), kuracloud);
    assert_eq!(class, Class::Error("timeout".into()));
    let url = error.unwrap()["text"]["params"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.chars().count() <= 500, "{}", url.len());
}
