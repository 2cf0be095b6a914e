//! Loading the kuraCloud module with wasmtime: an on-disk cache of compiled code, and
//! instances bounded by a memory limit and a time limit per call (epoch deadlines).

use anyhow::{anyhow, bail, Context, Result};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use wasmtime::{
    Config, Engine, Instance, Memory, Module, Store, StoreLimits, StoreLimitsBuilder, Trap,
    TypedFunc,
};

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
    engine: Engine,
    module: Module,
    /// SHA-256 of the `.wasm` bytes.
    pub hash: String,
    /// Whether the compiled code came from the disk cache.
    pub from_cache: bool,
}

/// The process-wide engine. Time limits use epoch interruption (a check at loop heads
/// and calls, far cheaper than fuel); one background thread advances the epoch.
pub fn engine() -> Result<Engine> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.epoch_interruption(true);
        // For profiling the module with `perf` (developers only).
        if std::env::var_os("KURACLOUD_PERFMAP").is_some() {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config).map_err(|e| format!("cannot start wasmtime: {e}"))?;
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
            .map_err(|e| format!("cannot start the epoch thread: {e}"))?;
        Ok(engine)
    });
    engine.clone().map_err(|e| anyhow!(e))
}

fn deadline_ticks(limits: Limits) -> u64 {
    (limits.time_per_call.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64 + 1
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl KcModule {
    /// Loads `path`, using `cache_dir` for compiled code when given.
    pub fn load(path: &Path, cache_dir: Option<&Path>) -> Result<Self> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the module {}", path.display()))?;
        Self::from_bytes(&bytes, cache_dir)
    }

    pub fn from_bytes(bytes: &[u8], cache_dir: Option<&Path>) -> Result<Self> {
        let engine = engine()?;
        let hash = sha256_hex(bytes);
        if let Some(dir) = cache_dir {
            let file = cache_file(&engine, dir, &hash);
            // Read, then deserialize from memory: a mapped file that another process
            // truncates would crash us (SIGBUS); a copy cannot.
            if let Ok(compiled) = std::fs::read(&file) {
                // SAFETY: the bytes are ours: written atomically below from our own
                // compilation and named by the module hash, wasmtime version and engine
                // settings; wasmtime still checks the header and refuses a mismatch.
                match unsafe { Module::deserialize(&engine, &compiled) } {
                    Ok(module) => {
                        return Ok(Self {
                            engine,
                            module,
                            hash,
                            from_cache: true,
                        })
                    }
                    Err(_) => {
                        let _ = std::fs::remove_file(&file);
                    }
                }
            }
        }
        let module = Module::new(&engine, bytes)
            .map_err(|e| anyhow!("the file is not a valid kuraCloud module: {e}"))?;
        if let Some(import) = module.imports().next() {
            bail!(
                "the module imports {}::{}, but a kuraCloud module must be self-contained",
                import.module(),
                import.name()
            );
        }
        if let Some(dir) = cache_dir {
            // A cache we cannot write is not an error: we only lose speed.
            let _ = write_cache(&module, &cache_file(&engine, dir, &hash));
        }
        Ok(Self {
            engine,
            module,
            hash,
            from_cache: false,
        })
    }

    pub fn instantiate(&self, limits: Limits) -> Result<KcInstance> {
        KcInstance::new(self, limits)
    }
}

fn cache_file(engine: &Engine, dir: &Path, hash: &str) -> PathBuf {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    dir.join(format!(
        "kuracloud-{}-wasmtime-{WASMTIME_VERSION}-{:016x}.cwasm",
        &hash[..16],
        h.finish()
    ))
}

fn write_cache(module: &Module, file: &Path) -> Result<()> {
    let dir = file.parent().context("cache file has no directory")?;
    std::fs::create_dir_all(dir)?;
    let bytes = module.serialize()?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        file.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, file)?;
    Ok(())
}

struct StoreData {
    limits: StoreLimits,
}

/// One instance of the module. After a trap it is poisoned and refuses further calls.
pub struct KcInstance {
    store: Store<StoreData>,
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    free: TypedFunc<(u32, u32), ()>,
    start: TypedFunc<(u32, u32), u64>,
    resume: TypedFunc<(u32, u32), u64>,
    info: TypedFunc<(), u64>,
    limits: Limits,
    poisoned: Option<String>,
}

impl KcInstance {
    fn new(module: &KcModule, limits: Limits) -> Result<Self> {
        let data = StoreData {
            limits: StoreLimitsBuilder::new()
                .memory_size(limits.memory_bytes)
                .trap_on_grow_failure(true)
                .build(),
        };
        let mut store = Store::new(&module.engine, data);
        store.limiter(|d| &mut d.limits);
        store.set_epoch_deadline(deadline_ticks(limits));
        store.epoch_deadline_trap();
        let instance = Instance::new(&mut store, &module.module, &[])
            .map_err(|e| anyhow!("cannot instantiate the module: {e}"))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .context("the module exports no memory")?;
        macro_rules! func {
            ($name:literal) => {
                instance.get_typed_func(&mut store, $name).map_err(|e| {
                    anyhow!(
                        "the module lacks the export {} (is it a kuraCloud module?): {e}",
                        $name
                    )
                })?
            };
        }
        Ok(Self {
            alloc: func!("kc_alloc"),
            free: func!("kc_free"),
            start: func!("kc_start"),
            resume: func!("kc_resume"),
            info: func!("kc_info"),
            store,
            memory,
            limits,
            poisoned: None,
        })
    }

    /// Peak linear memory so far, in bytes (memories only grow).
    pub fn memory_bytes(&self) -> usize {
        self.memory.data_size(&self.store)
    }

    pub fn info(&mut self) -> Result<String> {
        self.guarded(|s| {
            let packed = s.info.call(&mut s.store, ())?;
            s.take_output(packed)
        })
    }

    pub fn start(&mut self, request: &[u8]) -> Result<String> {
        self.guarded(|s| {
            let (ptr, len) = s.write_input(request)?;
            let packed = s.start.call(&mut s.store, (ptr, len))?;
            s.take_output(packed)
        })
    }

    pub fn resume(&mut self, result: &[u8]) -> Result<String> {
        self.guarded(|s| {
            let (ptr, len) = s.write_input(result)?;
            let packed = s.resume.call(&mut s.store, (ptr, len))?;
            s.take_output(packed)
        })
    }

    /// `resume` for an HTTP answer, with the body raw after a header line.
    pub fn resume_http(&mut self, status: u16, body: &[u8]) -> Result<String> {
        let header = format!("{{\"status\":{status},\"body_follows\":true}}\n");
        let mut buf = Vec::with_capacity(header.len() + body.len());
        buf.extend_from_slice(header.as_bytes());
        buf.extend_from_slice(body);
        self.resume(&buf)
    }

    fn write_input(&mut self, bytes: &[u8]) -> Result<(u32, u32)> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| anyhow!("input of {} bytes is too large for the module", bytes.len()))?;
        let ptr = self.alloc.call(&mut self.store, len)?;
        self.memory
            .write(&mut self.store, ptr as usize, bytes)
            .map_err(|_| anyhow!("the module returned an invalid buffer"))?;
        Ok((ptr, len))
    }

    fn take_output(&mut self, packed: u64) -> Result<String> {
        let ptr = (packed >> 32) as u32;
        let len = (packed & 0xffff_ffff) as u32;
        let mut out = vec![0u8; len as usize];
        self.memory
            .read(&self.store, ptr as usize, &mut out)
            .map_err(|_| anyhow!("the module returned an output outside its memory"))?;
        self.free.call(&mut self.store, (ptr, len))?;
        String::from_utf8(out).map_err(|_| anyhow!("the module returned output that is not UTF-8"))
    }

    fn guarded<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if let Some(why) = &self.poisoned {
            bail!("this module instance is unusable after an earlier failure: {why}");
        }
        self.store.set_epoch_deadline(deadline_ticks(self.limits));
        match f(self) {
            Ok(v) => Ok(v),
            Err(e) => {
                let message = explain(&e, self.limits);
                self.poisoned = Some(message.clone());
                Err(anyhow!(message))
            }
        }
    }
}

/// A trap or limit overrun, said plainly.
fn explain(e: &anyhow::Error, limits: Limits) -> String {
    if let Some(trap) = e.downcast_ref::<Trap>() {
        return match trap {
            Trap::Interrupt | Trap::OutOfFuel => format!(
                "the kuraCloud module exceeded its time limit of {} ms per call and was stopped",
                limits.time_per_call.as_millis()
            ),
            Trap::UnreachableCodeReached => {
                "the kuraCloud module stopped on an internal error (a panic); this is a bug, please report it".into()
            }
            other => format!("the kuraCloud module trapped: {other}"),
        };
    }
    let text = format!("{e:#}");
    if text.contains("grow") || text.contains("memory") && text.contains("limit") {
        return format!(
            "the kuraCloud module exceeded its memory limit of {} MiB and was stopped",
            limits.memory_bytes >> 20
        );
    }
    format!("the kuraCloud module failed: {text}")
}
