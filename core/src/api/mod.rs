//! kuraCloud API v2: typed requests and responses, URL joining, error classification.

pub mod client;
pub mod errors;
pub mod roster;
pub mod types;
pub mod url;

pub use client::{ApiClient, Connection};
pub use errors::Subject;
pub use roster::{Roster, StudentRef};
pub use types::*;
