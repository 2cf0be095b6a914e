//! `kuracloud` PHP extension: runs the kuraCloud `.wasm` module in PHP with wasmtime.
//!
//! ```php
//! // Cached per process; on disk too with a directory and a secret key (>= 32 bytes)
//! // kept outside that directory.
//! $module = new \KuracloudWasm\Module('/path/kuracloud.wasm', $cachedir, $cachekey);
//! $instance = $module->instantiate(256, 30000);   // memory MiB, time limit per call (ms)
//! $step = $instance->start('{"workflow":"connection.verify","input":{...}}');
//! $step = $instance->resumeHttp(200, $body);      // or ->resume('{"transport_error":...}')
//! ```
//!
//! Every failure (invalid module, trap, limit overrun, misuse) throws
//! `KuracloudWasm\Exception`; an instance that trapped refuses further calls. A Rust
//! panic never crosses into PHP (ext-php-rs catches it at every entry point).

// PHP's parameter names are the Rust ones (`$cacheDir`, `$cacheKey`), also in the code
// `#[php_impl]` generates outside the impl block.
#![allow(non_snake_case)]

use ext_php_rs::binary::Binary;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;
use ext_php_rs::zend::ce;
use kuracloud_loader::{DiskCache, KcInstance, KcModule, Limits};
use kuracloud_loader::{MIN_CACHE_KEY_BYTES, WASMTIME_VERSION};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// `KuracloudWasm\Exception`: everything this extension throws.
#[php_class]
#[php(name = "KuracloudWasm\\Exception")]
#[php(extends(ce = ce::exception, stub = "\\Exception"))]
#[derive(Default)]
pub struct KcException;

fn fail(message: impl std::fmt::Display) -> PhpException {
    PhpException::from_class::<KcException>(message.to_string())
}

/// The loader's error as one line, with its causes (`message: cause`).
fn failed(e: kuracloud_loader::Error) -> PhpException {
    fail(e.chain())
}

/// The bytes of a PHP string argument (binary-safe: HTTP bodies need not be UTF-8).
fn bytes<'a>(value: &'a Zval, what: &str) -> PhpResult<&'a [u8]> {
    value
        .zend_str()
        .map(|s| s.as_bytes())
        .ok_or_else(|| fail(format!("{what} must be a string")))
}

/// Compiled modules of this PHP process, by content hash: a worker compiles (or loads
/// from the disk cache) once, then every request reuses the compiled code.
fn process_cache() -> &'static Mutex<HashMap<String, KcModule>> {
    static CACHE: OnceLock<Mutex<HashMap<String, KcModule>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// `KuracloudWasm\Module`: a compiled kuraCloud module.
#[php_class]
#[php(name = "KuracloudWasm\\Module")]
pub struct PhpModule {
    module: KcModule,
    source: &'static str,
}

#[php_impl]
impl PhpModule {
    /// Loads the module at `$path`. With `$cacheDir` and `$cacheKey` (a secret of at
    /// least 32 bytes, binary-safe, kept outside that directory), compiled code is kept
    /// in the directory, each file authenticated with an HMAC-SHA256 under the key; a
    /// file whose tag does not verify is never loaded, but removed and rewritten.
    /// Without a key, no file is read or written: compiled code is kept per process only.
    pub fn __construct(
        path: String,
        cacheDir: Option<String>,
        cacheKey: Option<Binary<u8>>,
    ) -> PhpResult<Self> {
        let (cache_dir, cache_key) = (cacheDir, cacheKey);
        if let Some(key) = &cache_key {
            if key.len() < MIN_CACHE_KEY_BYTES {
                return Err(fail(format!(
                    "the cache key must be at least {MIN_CACHE_KEY_BYTES} bytes long (it has {})",
                    key.len()
                )));
            }
        }
        let bytes = std::fs::read(&path)
            .map_err(|e| fail(format!("cannot read the kuraCloud module {path}: {e}")))?;
        let hash = kuracloud_loader::sha256_hex(&bytes);
        let mut cache = process_cache()
            .lock()
            .map_err(|_| fail("the module cache is unusable"))?;
        if let Some(module) = cache.get(&hash) {
            return Ok(Self {
                module: module.clone(),
                source: "process",
            });
        }
        let disk = match (cache_dir.filter(|d| !d.is_empty()), &cache_key) {
            (Some(dir), Some(key)) => Some(DiskCache::new(dir, key).map_err(failed)?),
            _ => None,
        };
        let module = KcModule::from_bytes(&bytes, disk.as_ref()).map_err(failed)?;
        let source = if module.from_cache {
            "disk"
        } else {
            "compiled"
        };
        cache.insert(hash, module.clone());
        Ok(Self { module, source })
    }

    /// SHA-256 of the module's bytes.
    pub fn hash(&self) -> String {
        self.module.hash.clone()
    }

    /// Where the compiled code came from: `compiled`, `disk` or `process`.
    pub fn source(&self) -> String {
        self.source.to_string()
    }

    /// The wasmtime version compiled code is cached for.
    pub fn wasmtime_version() -> String {
        WASMTIME_VERSION.to_string()
    }

    /// A fresh instance with a memory limit (MiB) and a time limit per call (ms).
    pub fn instantiate(
        &self,
        memory_mb: Option<i64>,
        time_limit_ms: Option<i64>,
    ) -> PhpResult<PhpInstance> {
        let memory_mb = memory_mb.unwrap_or(512);
        let time_ms = time_limit_ms.unwrap_or(30_000);
        if !(1..=4096).contains(&memory_mb) {
            return Err(fail("the memory limit must be between 1 and 4096 MiB"));
        }
        if !(1..=3_600_000).contains(&time_ms) {
            return Err(fail("the time limit must be between 1 ms and one hour"));
        }
        let limits = Limits {
            memory_bytes: (memory_mb as usize) << 20,
            time_per_call: Duration::from_millis(time_ms as u64),
        };
        let instance = self.module.instantiate(limits).map_err(failed)?;
        Ok(PhpInstance { instance })
    }
}

/// `KuracloudWasm\Instance`: one instance of the module, running one workflow at a time.
#[php_class]
#[php(name = "KuracloudWasm\\Instance")]
pub struct PhpInstance {
    instance: KcInstance,
}

#[php_impl]
impl PhpInstance {
    /// `kc_info`: module version, ABI version, workflows (JSON).
    pub fn info(&mut self) -> PhpResult<String> {
        self.instance.info().map_err(failed)
    }

    /// `kc_start` with `{"workflow": ..., "input": ...}`; returns the first step (JSON).
    pub fn start(&mut self, request: &Zval) -> PhpResult<String> {
        let request = bytes(request, "the request")?;
        self.instance.start(request).map_err(failed)
    }

    /// `kc_resume` with an effect result (JSON); returns the next step.
    pub fn resume(&mut self, result: &Zval) -> PhpResult<String> {
        let result = bytes(result, "the effect result")?;
        self.instance.resume(result).map_err(failed)
    }

    /// `kc_resume` for an HTTP answer, passing the body raw (no JSON escaping).
    pub fn resume_http(&mut self, status: i64, body: &Zval) -> PhpResult<String> {
        let body = bytes(body, "the body")?;
        let status = u16::try_from(status)
            .ok()
            .filter(|s| (100..=599).contains(s))
            .ok_or_else(|| fail("an HTTP status must be between 100 and 599"))?;
        self.instance.resume_http(status, body).map_err(failed)
    }

    /// Peak linear memory so far, in bytes.
    pub fn memory_bytes(&self) -> i64 {
        self.instance.memory_bytes() as i64
    }
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    // `extension_loaded('kuracloud')`, and what environment.xml names.
    module
        .name("kuracloud")
        .class::<KcException>()
        .class::<PhpModule>()
        .class::<PhpInstance>()
}
