//! The control API refuses a fault for a route the simulator does not have: a misspelt
//! route would never fire, and the test that set it would pass for no reason.

use kuracloud_host_runner::sim::sample::sample_state;
use kuracloud_host_runner::sim::Simulator;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn post_fault(sim: &Simulator, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", sim.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = format!(
        "POST /_control/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Connection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    (status, answer)
}

#[test]
fn a_fault_on_an_unknown_route_is_refused() {
    let sim = Simulator::start(0, sample_state(), None).unwrap();
    let (status, answer) = post_fault(&sim, r#"{"route":"student.invite","status":500}"#);
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer.contains("unknown route \\\"student.invite\\\""),
        "{answer}"
    );
    assert!(
        answer.contains("student.add"),
        "lists the known routes: {answer}"
    );
}

#[test]
fn a_fault_on_a_known_route_or_every_route_is_taken() {
    let sim = Simulator::start(0, sample_state(), None).unwrap();
    for route in ["student.add", "export.download", "*"] {
        let (status, answer) = post_fault(&sim, &format!(r#"{{"route":"{route}","status":500}}"#));
        assert_eq!(status, 200, "{route}: {answer}");
    }
}
