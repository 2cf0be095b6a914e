//! Host for the kuraCloud module on wasmtime, and a local kuraCloud API simulator.
//!
//! - [`module`]: the loader, the `kuracloud-loader` crate (shared with the PHP
//!   extension): load (with an on-disk cache of compiled code, authenticated with a
//!   secret key) and instantiate the module with a memory limit and a time limit per
//!   call (epoch deadlines).
//! - [`driver`]: the effect loop, performing HTTP with a real client.
//! - [`sim`]: the simulator, a real HTTP server on 127.0.0.1.
//! - [`report`]: readable summaries of outcomes for the CLI, in the English of
//!   [`catalogue`].

pub mod catalogue;
pub mod driver;
mod error;
pub mod report;
pub mod sim;

pub use error::{Error, Result};

/// The loader, under the name it had when it lived in this crate.
pub use kuracloud_loader as module;

pub use driver::{run_workflow, EffectHost, HttpAnswer, HttpCall, RunOutcome, UreqHost};
pub use kuracloud_loader::{DiskCache, KcInstance, KcModule, Limits};

use std::path::PathBuf;

/// Where the README's build puts the module, relative to the workspace root.
pub const MODULE_RELATIVE_PATH: &str = "dist/kuracloud.wasm";

/// The module to use: `$KURACLOUD_WASM`, else the workspace build output.
pub fn default_module_path() -> PathBuf {
    if let Ok(p) = std::env::var("KURACLOUD_WASM") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join(MODULE_RELATIVE_PATH)
}

/// Where compiled modules are cached: `$KURACLOUD_CACHE_DIR`, else `.cache/` in the workspace.
pub fn default_cache_dir() -> PathBuf {
    if let Ok(p) = std::env::var("KURACLOUD_CACHE_DIR") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.cache/compiled")
}

/// The secret that authenticates the CLI's cached compiled code:
/// `$KURACLOUD_CACHE_KEY_FILE`, else `.cache/compiled.key` in the workspace, next to
/// (never inside) the default cache directory. Created on first use, mode 0600.
pub fn default_cache_key_file() -> PathBuf {
    if let Ok(p) = std::env::var("KURACLOUD_CACHE_KEY_FILE") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.cache/compiled.key")
}
