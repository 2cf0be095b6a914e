//! kuraCloud LMS integration core: every decision, no I/O.
//!
//! Workflows are `async fn`s that ask their host for effects (HTTP, sleep, progress)
//! through [`runtime::Io`]; [`workflows::start`] and [`runtime::Run::resume`] drive them
//! one step at a time. The `wasm` crate exposes exactly this as a C ABI.

// No panic reachable from input: no indexing or slicing, no `unwrap` or `expect`, no
// `panic!` outside tests. The few exceptions are `#[allow]`s on the smallest scope,
// each with the reason it cannot panic beside it.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::string_slice
    )
)]

pub mod api;
pub mod connection;
pub mod courses;
pub mod effect;
pub mod error;
pub mod grades;
pub mod mapping;
pub mod mappings;
pub mod outcome;
pub mod runtime;
pub mod students;
pub mod text;
pub mod workflows;

pub use effect::{Effect, EffectResult, HttpRequest, Step};
pub use error::{ErrorCode, WorkflowError};
pub use runtime::Run;
pub use text::{Code, Text};

/// Version of the JSON step protocol between module and hosts.
pub const ABI_VERSION: u32 = 1;
pub const MODULE_VERSION: &str = env!("CARGO_PKG_VERSION");
