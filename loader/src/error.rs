//! The loader's errors. Each message is a sentence for the person running the host;
//! where an operating-system error caused it, that error is its [`source`], so
//! `anyhow`'s `{:#}` (host-runner's CLI) and [`Error::chain`] (the PHP extension) print
//! both, as `message: cause`.
//!
//! [`source`]: std::error::Error::source

use crate::MIN_CACHE_KEY_BYTES;
use std::path::PathBuf;
use wasmtime::Trap;

/// What can go wrong loading the module, keeping its compiled code, or calling it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// wasmtime's engine or its epoch thread did not start.
    #[error(transparent)]
    Engine(#[from] EngineError),

    // Loading and compiling.
    #[error("cannot read the module {}", path.display())]
    ReadModule {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the file is not a valid kuraCloud module: {0}")]
    InvalidModule(wasmtime::Error),
    #[error("the module imports {module}::{name}, but a kuraCloud module must be self-contained")]
    Imports { module: String, name: String },

    // The disk cache and its key.
    #[error("the cache key must be at least {MIN_CACHE_KEY_BYTES} bytes long (it has {0})")]
    ShortKey(usize),
    #[error("cannot create the cache directory {}", dir.display())]
    CacheDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create the directory {}", dir.display())]
    KeyDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the cache key file {} must be kept outside the cache directory {}",
        key_file.display(),
        dir.display()
    )]
    KeyInsideCache { key_file: PathBuf, dir: PathBuf },
    #[error("cannot read random bytes for the cache key")]
    Random(#[source] std::io::Error),
    #[error("cannot create {}", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create the cache key file {}", path.display())]
    CreateKeyFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the cache key file {} is a symlink", path.display())]
    KeyFileSymlink { path: PathBuf },
    #[error("cannot open the cache key file {}", path.display())]
    OpenKeyFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the cache key file {} is not a regular file", path.display())]
    KeyFileNotRegular { path: PathBuf },
    #[error(
        "the cache key file {} must be readable and writable by its owner only (chmod 600)",
        path.display()
    )]
    KeyFileNotPrivate { path: PathBuf },
    #[error(
        "the cache key file {} holds {len} bytes; a key needs at least {MIN_CACHE_KEY_BYTES}",
        path.display()
    )]
    KeyFileShort { path: PathBuf, len: usize },
    #[error("cannot serialize the compiled module: {0}")]
    Serialize(wasmtime::Error),
    #[error("no free temporary file name in {}", dir.display())]
    NoTempName { dir: PathBuf },
    /// Reading or writing a file failed where no more needs saying.
    #[error(transparent)]
    Io(#[from] std::io::Error),

    // Instances and their calls.
    #[error("cannot instantiate the module: {0}")]
    Instantiate(wasmtime::Error),
    #[error("the module exports no memory")]
    NoMemory,
    #[error("the module lacks the export {name} (is it a kuraCloud module?): {error}")]
    MissingExport {
        name: &'static str,
        error: wasmtime::Error,
    },
    /// A call failed: the instance is poisoned.
    #[error(transparent)]
    Call(#[from] CallError),
    #[error("this module instance is unusable after an earlier failure: {0}")]
    Poisoned(CallError),
}

impl Error {
    /// The message followed by its causes, `message: cause: ...` (what anyhow's `{:#}`
    /// prints), for hosts that show one line.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(e) = cause {
            text.push_str(": ");
            text.push_str(&e.to_string());
            cause = e.source();
        }
        text
    }
}

/// The engine could not start. Kept, and cloned to every caller, since the engine is
/// made once per process.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    #[error("cannot start wasmtime: {0}")]
    Wasmtime(String),
    #[error("cannot start the epoch thread: {0}")]
    EpochThread(String),
}

/// Why a call into the module failed, said plainly. After one, the instance refuses
/// further calls ([`Error::Poisoned`]).
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// The epoch deadline passed.
    #[error("the kuraCloud module exceeded its time limit of {ms} ms per call and was stopped")]
    TimeLimit { ms: u128 },
    #[error("the kuraCloud module exceeded its memory limit of {mib} MiB and was stopped")]
    MemoryLimit { mib: usize },
    /// `unreachable`: the module's `panic = "abort"`.
    #[error("the kuraCloud module stopped on an internal error (a panic); this is a bug, please report it")]
    Panicked,
    #[error("the kuraCloud module trapped: {0}")]
    Trapped(Trap),
    /// The module broke the ABI (an output outside its memory, not UTF-8, ...).
    #[error("the kuraCloud module failed: {0}")]
    Abi(#[from] AbiError),
    /// Any other failure, with wasmtime's words.
    #[error("the kuraCloud module failed: {0}")]
    Failed(String),
}

/// The module broke the ABI's contract, or the host's input cannot cross it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AbiError {
    #[error("input of {0} bytes is too large for the module")]
    InputTooLarge(usize),
    #[error("the module returned an invalid buffer")]
    InvalidBuffer,
    #[error("the module returned an output outside its memory")]
    OutputOutsideMemory,
    #[error("the module returned output that is not UTF-8")]
    OutputNotUtf8,
}
