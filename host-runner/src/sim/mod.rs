//! A local kuraCloud API v2: a real HTTP server on 127.0.0.1 that follows the swagger
//! spec, keeps state (in memory, optionally saved to a JSON file), and lets tests inject
//! faults through a control API under `/_control/`.
//!
//! Control API:
//! - `GET /_control/state`, `PUT /_control/state`: read or replace the whole state.
//! - `POST /_control/faults` (one `Fault`), `DELETE /_control/faults`: inject, clear.
//!   A fault can answer with a status, a body, a delay, a corrupted body, or the real
//!   answer padded to any size (`{"route": "*", "padded_to": 70000000, "chunked": true}`),
//!   or close the connection without answering (`{"route": "student.add", "drop": true}`;
//!   with `"after": true` the write is performed first). A dropped request is logged
//!   with status 0.
//! - `PUT /_control/export`: `{"outcome": "succeed"|"fail"|"never", "pollsBeforeReady": n}`
//!   for exports started from now on.
//! - `GET /_control/requests`, `DELETE /_control/requests`: the API request log.
//! - `POST /_control/reset`: back to the starting state, no faults, default exports,
//!   empty log.

pub mod faults;
mod hangup;
mod routes;
pub mod sample;
pub mod state;

use crate::{Error, Result};
use faults::Fault;
use serde::{Deserialize, Serialize};
use state::SimState;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportConfig {
    pub outcome: String,
    pub polls_before_ready: u32,
}

impl Default for ExportConfig {
    fn default() -> Self {
        Self {
            outcome: "succeed".into(),
            polls_before_ready: 1,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub route: String,
    pub status: u16,
}

pub(crate) struct Shared {
    pub state: Mutex<SimState>,
    /// The state the simulator started with, for `POST /_control/reset`.
    pub initial: SimState,
    pub faults: Mutex<Vec<Fault>>,
    pub export: Mutex<ExportConfig>,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub state_file: Option<PathBuf>,
}

impl Shared {
    fn save(&self, state: &SimState) {
        if let Some(file) = &self.state_file {
            if let Ok(json) = serde_json::to_string_pretty(state) {
                let tmp = file.with_extension("tmp");
                if std::fs::write(&tmp, json).is_ok() {
                    let _ = std::fs::rename(&tmp, file);
                }
            }
        }
    }
}

/// Largest request body the simulator reads.
const MAX_REQUEST_BYTES: u64 = 64 << 20;

pub struct Simulator {
    addr: SocketAddr,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
}

impl Simulator {
    /// Serves on 127.0.0.1:`port` (0 picks a free port).
    pub fn start(port: u16, state: SimState, state_file: Option<PathBuf>) -> Result<Self> {
        let server = tiny_http::Server::http(("127.0.0.1", port))
            .map_err(|reason| Error::Listen { port, reason })?;
        let addr = server.server_addr().to_ip().ok_or(Error::NoAddress)?;
        let server = Arc::new(server);
        let shared = Arc::new(Shared {
            initial: state.clone(),
            state: Mutex::new(state),
            faults: Mutex::new(Vec::new()),
            export: Mutex::new(ExportConfig::default()),
            log: Mutex::new(Vec::new()),
            state_file,
        });
        let thread = {
            let server = server.clone();
            let shared = shared.clone();
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    let shared = shared.clone();
                    std::thread::spawn(move || serve(&shared, addr, request));
                }
            })
        };
        Ok(Self {
            addr,
            server,
            thread: Some(thread),
            shared,
        })
    }

    /// Loads a state file (the sample when absent), serves it, and saves changes back.
    pub fn start_with_file(port: u16, file: Option<PathBuf>) -> Result<Self> {
        let state = match &file {
            Some(f) if f.exists() => {
                let text = std::fs::read_to_string(f)?;
                serde_json::from_str(&text).map_err(|reason| Error::StateFile {
                    path: f.clone(),
                    reason,
                })?
            }
            _ => sample::sample_state(),
        };
        Self::start(port, state, file)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn state(&self) -> SimState {
        self.shared.state.lock().unwrap().clone()
    }

    pub fn inject(&self, fault: Fault) {
        self.shared.faults.lock().unwrap().push(fault);
    }

    pub fn set_export(&self, config: ExportConfig) {
        *self.shared.export.lock().unwrap() = config;
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.lock().unwrap().clone()
    }

    pub fn clear_requests(&self) {
        self.shared.log.lock().unwrap().clear();
    }

    /// Blocks until the server stops (for the CLI).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(shared: &Shared, addr: SocketAddr, mut request: tiny_http::Request) {
    let method = request.method().as_str().to_string();
    let url = request.url().to_string();
    let token = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("X-Kura-Token"))
        .map(|h| h.value.as_str().to_string());
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_REQUEST_BYTES + 1)
        .read_to_end(&mut body);
    let (status, text, padding) = if read.is_err() || body.len() as u64 > MAX_REQUEST_BYTES {
        (
            400,
            r#"{"message":"Request body too large or unreadable"}"#.to_string(),
            None,
        )
    } else {
        let body = String::from_utf8_lossy(&body).into_owned();
        if let Some(control) = url.strip_prefix("/_control/") {
            let (status, text) = routes::control(shared, &method, control, &body);
            (status, text, None)
        } else {
            match answer_api(shared, &method, &url, token.as_deref(), &body) {
                Some(answer) => answer,
                None => return hang_up(request, addr),
            }
        }
    };
    let header = tiny_http::Header::from_bytes(
        &b"Content-Type"[..],
        &b"application/json; charset=utf-8"[..],
    )
    .expect("static header");
    match padding {
        Some(Padding { to, chunked }) => {
            let total = to.max(text.len() as u64);
            let spaces = std::io::repeat(b' ').take(total - text.len() as u64);
            let reader = spaces.chain(std::io::Cursor::new(text.into_bytes()));
            let length = if chunked {
                None
            } else {
                usize::try_from(total).ok()
            };
            let response =
                tiny_http::Response::new(status.into(), vec![header], reader, length, None)
                    // A known length is sent as `Content-Length`, however large.
                    .with_chunked_threshold(usize::MAX);
            let _ = request.respond(response);
        }
        None => {
            let response = tiny_http::Response::from_string(text)
                .with_status_code(status)
                .with_header(header);
            let _ = request.respond(response);
        }
    }
}

/// A padded answer (`Fault::padded_to`).
struct Padding {
    to: u64,
    chunked: bool,
}

/// The API's answer, or None when a `drop` fault says to hang up without one.
fn answer_api(
    shared: &Shared,
    method: &str,
    url: &str,
    token: Option<&str>,
    body: &str,
) -> Option<(u16, String, Option<Padding>)> {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let route = routes::route_name(method, path, query);
    let fault = faults::take_fault(&mut shared.faults.lock().unwrap(), &route);
    if let Some(f) = &fault {
        if f.delay_ms > 0 {
            std::thread::sleep(Duration::from_millis(f.delay_ms));
        }
    }
    let faulted = |f: &Fault, real: (u16, String)| -> (u16, String) {
        if let Some(status) = f.status {
            let text = match (&f.body, &f.message) {
                (Some(b), _) => b.clone(),
                (None, Some(m)) => serde_json::json!({ "message": m }).to_string(),
                (None, None) => String::new(),
            };
            (status, text)
        } else if f.malformed {
            (200, faults::corrupt(&real.1))
        } else {
            real
        }
    };
    let (status, text) = match &fault {
        Some(f) if !f.after && (f.status.is_some() || f.drop) => faulted(f, (0, String::new())),
        Some(f) => {
            let real = routes::api(shared, method, path, query, token, body);
            faulted(f, real)
        }
        None => routes::api(shared, method, path, query, token, body),
    };
    let dropped = fault.as_ref().is_some_and(|f| f.drop);
    shared.log.lock().unwrap().push(LoggedRequest {
        method: method.into(),
        path: url.into(),
        route,
        status: if dropped { 0 } else { status },
    });
    if dropped {
        return None;
    }
    let padding = fault.and_then(|f| {
        f.padded_to.map(|to| Padding {
            to,
            chunked: f.chunked,
        })
    });
    Some((status, text, padding))
}

/// Closes a request's connection without a byte of answer, as a server that crashed or
/// a proxy that gave up would: the client reads end of file where the status line
/// should be. tiny_http has no way to do this (dropping a request answers 500), so the
/// connection's socket is found by its two addresses and shut down.
fn hang_up(request: tiny_http::Request, local: SocketAddr) {
    let peer = request.remote_addr().copied();
    // Taking the writer means nothing is ever written for this request.
    let writer = request.into_writer();
    let closed = peer.is_some_and(|peer| hangup::shut_down(local, peer));
    if !closed {
        eprintln!(
            "simulator: could not find the connection to drop; it stays open without an answer"
        );
    }
    drop(writer);
}
