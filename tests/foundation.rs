//! The foundation through the real module and simulator: connections, courses,
//! mappings, mapping health, error classification, the host's limits and cache.

use kuracloud_host_runner::{run_workflow, DiskCache, KcModule, Limits, RunOutcome};
use kuracloud_tests::{module, Kc, TestHost};
use serde_json::json;

#[test]
fn verify_returns_the_instance_name() {
    let kc = Kc::sample();
    let out = kc.done("connection.verify", json!({"connection": kc.conn()}));
    assert_eq!(out["name"], "Demo University");
    assert_eq!(out["instance_id"], "demo-university");
    assert_eq!(out["lms_enabled"], true);
}

#[test]
fn api_url_with_trailing_slash_or_v2_still_works() {
    let kc = Kc::sample();
    for url in [format!("{}/", kc.url()), format!("{}/v2/", kc.url())] {
        let out = kc.done(
            "connection.verify",
            json!({"connection": {"api_url": url, "token": "demo-token"}}),
        );
        assert_eq!(out["name"], "Demo University");
    }
}

#[test]
fn a_wrong_token_is_refused_as_a_bad_token() {
    let kc = Kc::sample();
    let (code, message) = kc.fail(
        "connection.verify",
        json!({"connection": {"api_url": kc.url(), "token": "nope"}}),
    );
    assert_eq!(code, "bad_token");
    assert!(message.contains("refused the token"), "{message}");
}

#[test]
fn an_instance_without_lms_is_reported_unless_allowed() {
    let kc = Kc::sample();
    let conn = json!({"api_url": kc.url(), "token": "second-token"});
    let (code, message) = kc.fail("connection.verify", json!({"connection": conn}));
    assert_eq!(code, "lms_not_enabled");
    assert!(message.contains("Second Campus"));
    let out = kc.done(
        "connection.verify",
        json!({"connection": conn, "require_lms_enabled": false}),
    );
    assert_eq!(out["lms_enabled"], false);
}

#[test]
fn server_error_with_message_is_shown() {
    let kc = Kc::sample();
    kc.fault(json!({"route": "instance.get", "status": 500, "message": "database is down"}));
    let (code, message) = kc.fail("connection.verify", json!({"connection": kc.conn()}));
    assert_eq!(code, "server_error");
    assert!(
        message.contains("database is down") && message.contains("500"),
        "{message}"
    );
}

#[test]
fn unavailable_without_body_is_retried_then_reported() {
    let kc = Kc::sample();
    kc.fault(json!({"route": "instance.get", "status": 503}));
    let mut host = TestHost::default();
    let input = json!({"connection": kc.conn()}).to_string();
    let RunOutcome::Failed {
        code,
        text,
        message,
        status,
    } = kc.run_with("connection.verify", &input, &mut host)
    else {
        panic!("should fail");
    };
    assert_eq!(code, "server_error");
    assert_eq!(status, Some(503));
    assert!(message.contains("503"));
    // The text: a code and its parameters, rendered by host-runner's catalogue.
    assert_eq!(
        text,
        json!({"code": "server_error", "params": {"said": "", "status": 503}})
    );
    assert_eq!(
        kuracloud_host_runner::catalogue::render(&text),
        "kuraCloud had a server error (HTTP 503). Try again later; if it persists, contact ADInstruments support."
    );
    // Bounded retries with pauses, then the error.
    assert_eq!(host.http_calls.len(), 3);
    assert_eq!(host.sleeps, vec![1000, 3000]);
}

#[test]
fn a_transient_503_is_retried_and_succeeds() {
    let kc = Kc::sample();
    kc.fault(json!({"route": "course.list", "status": 503, "times": 1}));
    let out = kc.done(
        "courses.list",
        json!({"connections": [{"connection_id": 1, "api_url": kc.url(), "token": "demo-token"}]}),
    );
    assert_eq!(out["connections"][0]["ok"], true);
}

#[test]
fn malformed_json_is_a_clear_error() {
    let kc = Kc::sample();
    kc.fault(json!({"route": "instance.get", "malformed": true}));
    let (code, message) = kc.fail("connection.verify", json!({"connection": kc.conn()}));
    assert_eq!(code, "malformed_response");
    assert!(message.contains("could not be read"), "{message}");
}

#[test]
fn a_slow_response_past_the_timeout_is_a_timeout() {
    let kc = Kc::sample();
    kc.fault(json!({"route": "instance.get", "delay_ms": 1500}));
    let conn = json!({"api_url": kc.url(), "token": "demo-token", "timeout_ms": 300});
    let (code, message) = kc.fail("connection.verify", json!({"connection": conn}));
    assert_eq!(code, "timeout", "{message}");
}

#[test]
fn an_unreachable_server_is_unreachable() {
    let kc = Kc::sample();
    let port = kc.sim.port();
    drop(kc);
    let probe = Kc::sample();
    let conn = json!({"api_url": format!("http://127.0.0.1:{port}"), "token": "demo-token"});
    let (code, _) = probe.fail("connection.verify", json!({"connection": conn}));
    assert_eq!(code, "unreachable");
}

#[test]
fn an_input_that_is_not_json_is_refused() {
    let kc = Kc::sample();
    let mut host = TestHost::default();
    let RunOutcome::Failed { code, message, .. } =
        kc.run_with("connection.verify", "{not json", &mut host)
    else {
        panic!("should fail");
    };
    assert_eq!(code, "invalid_input");
    assert!(message.contains("JSON"), "{message}");
    assert!(host.http_calls.is_empty());
    let (code, _) = kc.fail("connection.verify", json!({"connection": {"token": 5}}));
    assert_eq!(code, "invalid_input");
    let (code, _) = kc.fail("no.such.workflow", json!({}));
    assert_eq!(code, "invalid_input");
}

#[test]
fn courses_are_listed_per_connection_with_mapped_ones_marked() {
    let kc = Kc::sample();
    let out = kc.done(
        "courses.list",
        json!({
            "connections": [
                {"connection_id": 1, "api_url": kc.url(), "token": "demo-token"},
                {"connection_id": 2, "api_url": kc.url(), "token": "revoked"},
                {"connection_id": 3, "api_url": kc.url(), "token": "second-token"}
            ],
            "mappings": [{"connection_id": 1, "course_id": 101, "moodle_course_id": 7}]
        }),
    );
    let first = &out["connections"][0];
    assert_eq!(first["ok"], true);
    let courses = first["courses"].as_array().unwrap();
    // The deleted course 103 is not offered.
    assert_eq!(courses.len(), 2);
    let phys = courses.iter().find(|c| c["course_id"] == 101).unwrap();
    assert_eq!(phys["mapped_to"], 7);
    assert_eq!(phys["mappable"], false);
    let neuro = courses.iter().find(|c| c["course_id"] == 102).unwrap();
    assert_eq!(neuro["mappable"], true);
    assert_eq!(out["connections"][1]["ok"], false);
    assert_eq!(out["connections"][1]["error"]["code"], "bad_token");
    assert_eq!(out["connections"][2]["courses"][0]["course_id"], 201);
}

#[test]
fn mapping_enables_lms_and_removing_disables_it() {
    let kc = Kc::sample();
    let out = kc.done(
        "mapping.create",
        json!({"connection": kc.conn(), "course_id": 102, "moodle_course_name": "Neuro (Moodle)"}),
    );
    assert_eq!(out["lms_enabled"], true);
    let course = &kc.state()["instances"][0]["courses"][1];
    assert_eq!(course["lmsEnabled"], true);
    assert_eq!(course["lmsCourseName"], "Neuro (Moodle)");
    let out = kc.done(
        "mapping.remove",
        json!({"connection": kc.conn(), "course_id": 102}),
    );
    assert_eq!(out["lms_enabled"], false);
    assert_eq!(
        kc.state()["instances"][0]["courses"][1]["lmsEnabled"],
        false
    );
}

#[test]
fn mapping_an_unknown_course_says_so() {
    let kc = Kc::sample();
    let (code, message) = kc.fail(
        "mapping.create",
        json!({"connection": kc.conn(), "course_id": 999}),
    );
    assert_eq!(code, "course_not_found");
    assert!(message.contains("999"));
}

#[test]
fn a_deleted_course_must_be_restored_before_unmapping() {
    let kc = Kc::sample();
    let (code, message) = kc.fail(
        "mapping.remove",
        json!({"connection": kc.conn(), "course_id": 103}),
    );
    assert_eq!(code, "course_not_found");
    assert!(
        message.contains("restore the course in kuraCloud first"),
        "{message}"
    );
    // Nothing was written.
    assert!(kc.requests().iter().all(|r| r["route"] != "course.put"));
}

#[test]
fn mapping_on_an_instance_without_lms_is_refused() {
    let kc = Kc::sample();
    let conn = json!({"api_url": kc.url(), "token": "second-token"});
    let (code, _) = kc.fail(
        "mapping.create",
        json!({"connection": conn, "course_id": 201}),
    );
    assert_eq!(code, "lms_not_enabled");
}

#[test]
fn mapping_health_reports_each_status() {
    let kc = Kc::sample();
    kc.done(
        "mapping.create",
        json!({"connection": kc.conn(), "course_id": 101}),
    );
    let conns = json!([
        {"connection_id": 1, "api_url": kc.url(), "token": "demo-token"},
        {"connection_id": 2, "api_url": kc.url(), "token": "revoked"},
        {"connection_id": 3, "api_url": kc.url(), "token": "second-token"}
    ]);
    let out = kc.done(
        "mappings.check",
        json!({"connections": conns, "mappings": [
            {"mapping_id": 1, "connection_id": 1, "course_id": 101},
            {"mapping_id": 2, "connection_id": 1, "course_id": 102},
            {"mapping_id": 3, "connection_id": 1, "course_id": 103},
            {"mapping_id": 4, "connection_id": 2, "course_id": 101},
            {"mapping_id": 5, "connection_id": 3, "course_id": 201},
            {"mapping_id": 6, "connection_id": 9, "course_id": 101}
        ]}),
    );
    let status: Vec<&str> = out["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        status,
        [
            "ok",
            "lms_not_enabled",
            "course_deleted",
            "connection_failing",
            "lms_not_enabled",
            "connection_failing"
        ]
    );
}

#[test]
fn the_simulator_rejects_bare_integers_for_restore() {
    let kc = Kc::sample();
    kc.done(
        "mapping.create",
        json!({"connection": kc.conn(), "course_id": 101}),
    );
    let post = |path: &str, body: &str| match ureq::post(&format!(
        "{}/v2/course/101/student/{path}",
        kc.url()
    ))
    .set("X-Kura-Token", "demo-token")
    .send_string(body)
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(s, _)) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(post("restore", "[1004]"), 400);
    assert_eq!(post("delete", "[1003]"), 400);
    assert_eq!(post("restore", r#"[{"studentId": 1004}]"#), 200);
    assert_eq!(post("restore", r#"[{"studentId": 424242}]"#), 404);
    assert_eq!(post("edit", r#"[{"givenName": "x"}]"#), 400);
    assert_eq!(post("", r#"[{"givenName": "no email"}]"#), 400);
    assert_eq!(post("", "not json"), 400);
}

#[test]
fn student_writes_need_lms_enabled_on_the_course() {
    let kc = Kc::sample();
    let status = match ureq::post(&format!("{}/v2/course/102/student", kc.url()))
        .set("X-Kura-Token", "demo-token")
        .send_string(r#"[{"email": "a@b.example"}]"#)
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(s, _)) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status, 403);
}

#[test]
fn simulator_state_survives_a_restart_through_its_file() {
    let dir = std::env::temp_dir().join(format!("kc-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    {
        let sim =
            kuracloud_host_runner::sim::Simulator::start_with_file(0, Some(file.clone())).unwrap();
        let kc = Kc { sim };
        kc.done(
            "mapping.create",
            json!({"connection": kc.conn(), "course_id": 102}),
        );
    }
    let sim =
        kuracloud_host_runner::sim::Simulator::start_with_file(0, Some(file.clone())).unwrap();
    let kc = Kc { sim };
    assert_eq!(kc.state()["instances"][0]["courses"][1]["lmsEnabled"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compiled_modules_are_cached_on_disk() {
    let dir = std::env::temp_dir().join(format!("kc-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = kuracloud_host_runner::default_module_path();
    let cache = DiskCache::new(&dir, &[7u8; 32]).unwrap();
    let first = KcModule::load(&path, Some(&cache)).unwrap();
    assert!(!first.from_cache);
    let second = KcModule::load(&path, Some(&cache)).unwrap();
    assert!(second.from_cache);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 1);
    let name = files[0].to_string_lossy().to_string();
    assert!(
        name.contains(&first.hash[..16]) && name.contains("wasmtime-48.0.8"),
        "{name}"
    );
    // A corrupted cache file is replaced, not trusted.
    std::fs::write(dir.join(&files[0]), b"garbage").unwrap();
    let third = KcModule::load(&path, Some(&cache)).unwrap();
    assert!(!third.from_cache);
    let mut instance = third.instantiate(Limits::default()).unwrap();
    assert!(instance.info().unwrap().contains("connection.verify"));
    // So is one written under another key: the real module's compiled code, but not
    // signed with this cache's secret.
    let other = DiskCache::new(&dir, &[8u8; 32]).unwrap();
    assert!(!KcModule::load(&path, Some(&other)).unwrap().from_cache);
    assert!(!KcModule::load(&path, Some(&cache)).unwrap().from_cache);
    assert!(KcModule::load(&path, Some(&cache)).unwrap().from_cache);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_oversized_response_is_a_clean_error() {
    let kc = Kc::sample();
    // Past the default 64 MiB, announced by Content-Length: refused unread.
    kc.fault(json!({"route": "instance.get", "padded_to": (64u64 << 20) + 1, "times": 1}));
    let (code, message) = kc.fail("connection.verify", json!({"connection": kc.conn()}));
    assert_eq!(code, "unreachable");
    assert!(
        message.contains("the response is larger than 64 MiB"),
        "{message}"
    );
    // Chunked, so only reading tells: the read stops past the limit.
    kc.fault(json!({"route": "instance.get", "padded_to": 300_000, "chunked": true, "times": 1}));
    let mut host = TestHost {
        max_response_bytes: Some(200_000),
        ..TestHost::default()
    };
    let input = json!({"connection": kc.conn()}).to_string();
    let RunOutcome::Failed { code, message, .. } =
        kc.run_with("connection.verify", &input, &mut host)
    else {
        panic!("should fail");
    };
    assert_eq!(code, "unreachable");
    assert!(
        message.contains("the response is larger than 200000 bytes"),
        "{message}"
    );
    // Within the limit, the same padded answer is read as usual.
    kc.fault(json!({"route": "instance.get", "padded_to": 150_000, "chunked": true, "times": 1}));
    let mut host = TestHost {
        max_response_bytes: Some(200_000),
        ..TestHost::default()
    };
    let RunOutcome::Done(out) = kc.run_with("connection.verify", &input, &mut host) else {
        panic!("a response within the limit should be read");
    };
    assert!(out.contains("Demo University"), "{out}");
}

#[test]
fn invalid_modules_are_refused_clearly() {
    let err = KcModule::from_bytes(b"not wasm", None).err().unwrap();
    assert!(
        err.to_string().contains("not a valid kuraCloud module"),
        "{err}"
    );
}

#[test]
fn memory_and_time_limits_stop_the_module_with_a_clear_error() {
    let kc = Kc::sample();
    // A big input under a small memory limit.
    let students: Vec<_> = (0..60000)
        .map(|i| json!({"user_id": i, "email": format!("s{i}@x.example"), "first_name": "A".repeat(50)}))
        .collect();
    let input =
        json!({"connection": kc.conn(), "course_id": 101, "students": students}).to_string();
    let (err, mut instance) = preview_must_trap(
        Limits {
            memory_bytes: 2 << 20,
            ..Limits::default()
        },
        &input,
    );
    assert!(err.contains("memory limit"), "{err}");
    // The instance is discarded after a trap.
    assert!(instance
        .info()
        .unwrap_err()
        .to_string()
        .contains("unusable"));

    // Far more work than the 10-20 ms the shortest deadline allows.
    let many: Vec<_> = (0..300_000)
        .map(|i| json!({"user_id": i, "email": format!("s{i}@x.example")}))
        .collect();
    let input = json!({"connection": kc.conn(), "course_id": 101, "students": many}).to_string();
    let (err, _) = preview_must_trap(
        Limits {
            memory_bytes: 1 << 30,
            time_per_call: std::time::Duration::from_millis(1),
        },
        &input,
    );
    assert!(err.contains("time limit"), "{err}");
}

/// Runs a preview under `limits` that must stop the module; its error and the instance.
fn preview_must_trap(limits: Limits, input: &str) -> (String, kuracloud_host_runner::KcInstance) {
    let mut instance = module().instantiate(limits).unwrap();
    let err = run_workflow(
        &mut instance,
        "students.preview",
        input,
        &mut TestHost::default(),
    )
    .unwrap_err();
    (err.to_string(), instance)
}
