//! Error messages quote what they refuse (a field, a value, a URL); whatever that is,
//! they stay short and printable, and an API URL that could split a request or hide
//! its host never reaches one.

use kuracloud_core::error::MAX_MESSAGE_CHARS;
use kuracloud_core::{workflows, Effect, Step};
use serde_json::json;

fn start(request: &str) -> Step {
    workflows::start(request).1
}

fn error_message(step: Step) -> String {
    match step {
        Step::Error(e) => e.message,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn assert_clean(message: &str) {
    assert!(
        message.chars().count() <= MAX_MESSAGE_CHARS,
        "{} characters",
        message.chars().count()
    );
    assert!(!message.chars().any(char::is_control), "{message:?}");
}

#[test]
fn messages_quoting_input_are_bounded_and_printable() {
    let huge = format!("\u{1b}[2J\r\n{}", "é".repeat(300_000));
    let cases = [
        // A wrong type quotes the value; an unknown field quotes its name.
        json!({"workflow": "connection.verify", "input": {"connection": {"token": 7, "api_url": huge}}}),
        json!({"workflow": "connection.verify", "input": {"connection": {"token": huge}}}),
        json!({"workflow": "connection.verify", "input": {"connection": {"token": "t"}, huge.clone(): 1}}),
        json!({"workflow": "students.preview", "input": {"connection": {"token": "t"}, "course_id": huge}}),
        json!({"workflow": huge, "input": {}}),
        json!({"input": {}, "workflow": "connection.verify", huge.clone(): true}),
    ];
    for case in cases {
        let message = error_message(start(&case.to_string()));
        assert_clean(&message);
    }
    // Not even JSON.
    let message = error_message(start(&format!("{{\"workflow\": \"{huge}")));
    assert_clean(&message);
}

#[test]
fn an_api_url_that_could_split_a_request_is_refused_before_any_request() {
    for api_url in [
        "http://127.0.0.1:9/v2\r\nX-Injected: 1",
        "http://127.0.0.1:9/\u{0}",
        "http://127.0.0.1:9/a b",
        "http://admin:secret@127.0.0.1:9/",
        "http://127.0.0.1:9\n",
    ] {
        let request = json!({"workflow": "connection.verify",
                             "input": {"connection": {"api_url": api_url, "token": "t"}}});
        let step = start(&request.to_string());
        assert!(
            !matches!(step, Step::Effect(Effect::Http(_))),
            "{api_url:?} reached a request"
        );
        match step {
            Step::Error(e) => {
                assert_eq!(e.code, kuracloud_core::ErrorCode::InvalidInput);
                assert!(e.message.contains("API URL"), "{}", e.message);
                assert_clean(&e.message);
            }
            other => panic!("{api_url:?}: {other:?}"),
        }
    }
}
