//! Loading the kuraCloud module with wasmtime: an on-disk cache of compiled code
//! (authenticated with a secret key, [`DiskCache`]), and instances ([`KcInstance`])
//! bounded by a memory limit and a time limit per call (epoch deadlines), whose step
//! calls (`kc_start`, `kc_resume`, `kc_info`) take and return the ABI's JSON.
//!
//! Both hosts embed this crate: `host-runner` (re-exported there as
//! `kuracloud_host_runner::module`) and the PHP extension. It has no HTTP client, no
//! simulator and no CLI, so the extension never carries them.

mod cache;
mod error;
mod instance;

pub use cache::{load_or_create_key_file, DiskCache, MIN_CACHE_KEY_BYTES};
pub use error::{AbiError, CallError, EngineError, Error};
pub use instance::KcInstance;

use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;
use wasmtime::{Config, Engine, Module};

/// The loader's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The wasmtime this host is built with (pinned in the workspace).
pub const WASMTIME_VERSION: &str = "48.0.8";

/// Bounds for one instance.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest linear memory, in bytes.
    pub memory_bytes: usize,
    /// Longest a single call into the module may run (checked every `EPOCH_TICK`).
    pub time_per_call: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 512 << 20,
            time_per_call: Duration::from_secs(30),
        }
    }
}

/// How often the engine's epoch advances; the time limit's granularity.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// A compiled module and the engine it belongs to.
#[derive(Clone)]
pub struct KcModule {
    pub(crate) engine: Engine,
    pub(crate) module: Module,
    /// SHA-256 of the `.wasm` bytes.
    pub hash: String,
    /// Whether the compiled code came from the disk cache.
    pub from_cache: bool,
}

/// The process-wide engine. Time limits use epoch interruption (a check at loop heads
/// and calls, far cheaper than fuel); one background thread advances the epoch.
pub fn engine() -> Result<Engine> {
    static ENGINE: OnceLock<Result<Engine, EngineError>> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.epoch_interruption(true);
        // For profiling the module with `perf` (developers only).
        if std::env::var_os("KURACLOUD_PERFMAP").is_some() {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config).map_err(|e| EngineError::Wasmtime(e.to_string()))?;
        let ticker = engine.weak();
        std::thread::Builder::new()
            .name("kuracloud-epoch".into())
            .spawn(move || {
                while let Some(engine) = ticker.upgrade() {
                    drop(engine);
                    std::thread::sleep(EPOCH_TICK);
                    match ticker.upgrade() {
                        Some(e) => e.increment_epoch(),
                        None => break,
                    }
                }
            })
            .map_err(|e| EngineError::EpochThread(e.to_string()))?;
        Ok(engine)
    });
    Ok(engine.clone()?)
}

/// The epoch deadline of one call under `limits`, in ticks.
fn deadline_ticks(limits: Limits) -> u64 {
    (limits.time_per_call.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64 + 1
}

/// SHA-256 of `bytes`, in lower-case hex: a module's identity.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl KcModule {
    /// Loads `path`, keeping compiled code in `cache` when given.
    pub fn load(path: &Path, cache: Option<&DiskCache>) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| Error::ReadModule {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes, cache)
    }

    /// Compiles `bytes`, or loads their compiled code from `cache` when a file there
    /// carries a valid tag. A file that fails verification is removed, and the module
    /// is compiled and the file written anew.
    pub fn from_bytes(bytes: &[u8], cache: Option<&DiskCache>) -> Result<Self> {
        let engine = engine()?;
        let hash = sha256_hex(bytes);
        if let Some(cache) = cache {
            if let Some(module) = cache.read(&engine, &hash) {
                return Ok(Self {
                    engine,
                    module,
                    hash,
                    from_cache: true,
                });
            }
        }
        let module = Module::new(&engine, bytes).map_err(Error::InvalidModule)?;
        if let Some(import) = module.imports().next() {
            return Err(Error::Imports {
                module: import.module().to_string(),
                name: import.name().to_string(),
            });
        }
        if let Some(cache) = cache {
            // A cache we cannot write is not an error: we only lose speed.
            let _ = cache.write(&engine, &hash, &module, &mut || {
                cache.temp_name(&engine, &hash)
            });
        }
        Ok(Self {
            engine,
            module,
            hash,
            from_cache: false,
        })
    }

    /// A fresh instance bounded by `limits`.
    pub fn instantiate(&self, limits: Limits) -> Result<KcInstance> {
        KcInstance::new(self, limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_module_says_which_file_and_why() {
        let err = KcModule::load(Path::new("/nonexistent/kuracloud.wasm"), None)
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "cannot read the module /nonexistent/kuracloud.wasm"
        );
        assert_eq!(
            err.chain(),
            "cannot read the module /nonexistent/kuracloud.wasm: No such file or directory (os error 2)"
        );
    }

    #[test]
    fn a_module_must_be_valid_and_self_contained() {
        let err = KcModule::from_bytes(b"not wasm", None).err().unwrap();
        assert!(
            err.to_string()
                .starts_with("the file is not a valid kuraCloud module: "),
            "{err}"
        );
        // `(module (import "env" "f" (func)))`
        let imports: &[u8] = &[
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
            0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type: [] -> []
            0x02, 0x09, 0x01, 0x03, b'e', b'n', b'v', 0x01, b'f', 0x00, 0x00, // import
        ];
        let err = KcModule::from_bytes(imports, None).err().unwrap();
        assert_eq!(
            err.to_string(),
            "the module imports env::f, but a kuraCloud module must be self-contained"
        );
    }
}
