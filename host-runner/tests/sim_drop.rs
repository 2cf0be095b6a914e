//! The simulator's `drop` fault: the connection is closed without a byte of answer,
//! before the write (`drop`) or after it (`drop` + `after`), and only that connection.

use kuracloud_host_runner::sim::faults::Fault;
use kuracloud_host_runner::sim::sample::{sample_state, SAMPLE_TOKEN};
use kuracloud_host_runner::sim::Simulator;
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn simulator() -> Simulator {
    let mut state = sample_state();
    // Student writes need the LMS integration on for the course.
    state.instances[0].courses[0].lms_enabled = true;
    Simulator::start(0, state, None).unwrap()
}

fn fault(value: serde_json::Value) -> Fault {
    serde_json::from_value(value).unwrap()
}

fn connect(sim: &Simulator) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", sim.port())).unwrap();
    // A connection left open without an answer fails the test instead of hanging it.
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Sends an invite on a keep-alive connection (as curl does).
fn send_invite(stream: &mut TcpStream, email: &str) {
    let body = json!([{ "email": email, "givenName": "Eve", "familyName": "Drop" }]).to_string();
    let request = format!(
        "POST /v2/course/101/student HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Kura-Token: {SAMPLE_TOKEN}\r\n\
         Content-Type: application/json\r\nConnection: keep-alive\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
}

/// Everything the server sends until it closes the connection.
fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .expect("the server closed the connection (a timeout means it kept it open)");
    answer
}

/// One whole answer on a connection that stays open: its status line.
fn read_status_line(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "the connection closed");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    head.lines().next().unwrap_or("").to_string()
}

fn emails(sim: &Simulator) -> Vec<String> {
    sim.state().instances[0].courses[0]
        .students
        .iter()
        .map(|s| s.email.clone())
        .collect()
}

#[test]
fn a_drop_closes_the_connection_without_an_answer_and_without_the_write() {
    let sim = simulator();
    sim.inject(fault(
        json!({"route": "student.add", "drop": true, "times": 1}),
    ));
    let mut stream = connect(&sim);
    send_invite(&mut stream, "eve@example.edu");
    assert_eq!(read_to_close(&mut stream), b"", "not a byte of answer");
    assert!(!emails(&sim).contains(&"eve@example.edu".to_string()));
    let log = sim.requests();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].route.as_str(), log[0].status), ("student.add", 0));

    // The fault was for one request: the same invite now goes through.
    let mut stream = connect(&sim);
    send_invite(&mut stream, "eve@example.edu");
    assert_eq!(read_status_line(&mut stream), "HTTP/1.1 200 OK");
    assert!(emails(&sim).contains(&"eve@example.edu".to_string()));
}

#[test]
fn a_drop_after_the_write_performs_it_then_closes_the_connection() {
    let sim = simulator();
    sim.inject(fault(
        json!({"route": "student.add", "drop": true, "after": true, "times": 1}),
    ));
    let mut stream = connect(&sim);
    send_invite(&mut stream, "eve@example.edu");
    assert_eq!(read_to_close(&mut stream), b"", "not a byte of answer");
    // The invite happened: the client never learns it.
    let state = sim.state();
    assert_eq!(
        emails(&sim)
            .iter()
            .filter(|e| *e == "eve@example.edu")
            .count(),
        1
    );
    assert_eq!(state.invites.len(), 1);
    assert_eq!(sim.requests()[0].status, 0);
}

#[test]
fn only_the_faulted_connection_is_dropped() {
    let sim = simulator();
    // A keep-alive connection opened first, and used once before and once after.
    let mut other = connect(&sim);
    send_invite(&mut other, "first@example.edu");
    let first = read_status_line(&mut other);
    assert_eq!(first, "HTTP/1.1 200 OK");

    sim.inject(fault(
        json!({"route": "student.add", "drop": true, "times": 1}),
    ));
    let mut dropped = connect(&sim);
    send_invite(&mut dropped, "eve@example.edu");
    assert_eq!(read_to_close(&mut dropped), b"");

    send_invite(&mut other, "second@example.edu");
    assert_eq!(read_status_line(&mut other), "HTTP/1.1 200 OK");
    let now = emails(&sim);
    assert!(now.contains(&"first@example.edu".to_string()));
    assert!(now.contains(&"second@example.edu".to_string()));
    assert!(!now.contains(&"eve@example.edu".to_string()));
}
