//! An instance of the module ([`KcInstance`]): its limits and the ABI's step calls.

use crate::{deadline_ticks, AbiError, CallError, Error, KcModule, Limits, Result};
use wasmtime::{Instance, Memory, Store, StoreLimits, StoreLimitsBuilder, Trap, TypedFunc};

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
    /// The failure that ended this instance's usefulness.
    poisoned: Option<CallError>,
}

/// What stopped a call, before [`explain`] says it plainly.
enum Fault {
    Wasm(wasmtime::Error),
    Abi(AbiError),
}

impl From<wasmtime::Error> for Fault {
    fn from(e: wasmtime::Error) -> Self {
        Fault::Wasm(e)
    }
}

impl From<AbiError> for Fault {
    fn from(e: AbiError) -> Self {
        Fault::Abi(e)
    }
}

impl KcInstance {
    pub(crate) fn new(module: &KcModule, limits: Limits) -> Result<Self> {
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
        let instance =
            Instance::new(&mut store, &module.module, &[]).map_err(Error::Instantiate)?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or(Error::NoMemory)?;
        macro_rules! func {
            ($name:literal) => {
                instance
                    .get_typed_func(&mut store, $name)
                    .map_err(|error| Error::MissingExport { name: $name, error })?
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

    /// `kc_info`: the module's version, ABI version and workflows (JSON).
    pub fn info(&mut self) -> Result<String> {
        self.guarded(|s| {
            let packed = s.info.call(&mut s.store, ())?;
            s.take_output(packed)
        })
    }

    /// `kc_start` with `{"workflow": ..., "input": ...}`; the first step (JSON).
    pub fn start(&mut self, request: &[u8]) -> Result<String> {
        self.guarded(|s| {
            let (ptr, len) = s.write_input(request)?;
            let packed = s.start.call(&mut s.store, (ptr, len))?;
            s.take_output(packed)
        })
    }

    /// `kc_resume` with an effect's result (JSON); the next step.
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

    fn write_input(&mut self, bytes: &[u8]) -> Result<(u32, u32), Fault> {
        let len = u32::try_from(bytes.len()).map_err(|_| AbiError::InputTooLarge(bytes.len()))?;
        let ptr = self.alloc.call(&mut self.store, len)?;
        self.memory
            .write(&mut self.store, ptr as usize, bytes)
            .map_err(|_| AbiError::InvalidBuffer)?;
        Ok((ptr, len))
    }

    fn take_output(&mut self, packed: u64) -> Result<String, Fault> {
        let ptr = (packed >> 32) as u32;
        let len = (packed & 0xffff_ffff) as u32;
        let mut out = vec![0u8; len as usize];
        self.memory
            .read(&self.store, ptr as usize, &mut out)
            .map_err(|_| AbiError::OutputOutsideMemory)?;
        self.free.call(&mut self.store, (ptr, len))?;
        Ok(String::from_utf8(out).map_err(|_| AbiError::OutputNotUtf8)?)
    }

    /// Runs one call under the time limit; a failure poisons the instance.
    fn guarded<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, Fault>) -> Result<T> {
        if let Some(why) = &self.poisoned {
            return Err(Error::Poisoned(why.clone()));
        }
        self.store.set_epoch_deadline(deadline_ticks(self.limits));
        match f(self) {
            Ok(v) => Ok(v),
            Err(fault) => {
                let error = explain(fault, self.limits);
                self.poisoned = Some(error.clone());
                Err(Error::Call(error))
            }
        }
    }
}

/// A trap or limit overrun, said plainly. The time limit is an epoch deadline
/// (`Trap::Interrupt`); the engine has no fuel.
fn explain(fault: Fault, limits: Limits) -> CallError {
    let e = match fault {
        Fault::Abi(e) => return CallError::Abi(e),
        Fault::Wasm(e) => e,
    };
    if let Some(trap) = e.downcast_ref::<Trap>() {
        return match trap {
            Trap::Interrupt => CallError::TimeLimit {
                ms: limits.time_per_call.as_millis(),
            },
            Trap::UnreachableCodeReached => CallError::Panicked,
            other => CallError::Trapped(*other),
        };
    }
    let text = format!("{e:#}");
    if text.contains("grow") || text.contains("memory") && text.contains("limit") {
        return CallError::MemoryLimit {
            mib: limits.memory_bytes >> 20,
        };
    }
    CallError::Failed(text)
}

#[cfg(test)]
mod tests {
    use crate::{CallError, Error, KcModule, Limits};
    use std::time::Duration;

    /// A module with the ABI's exports whose `kc_start` runs `start` (an `i64` result:
    /// the output's pointer and length); `kc_info` answers `{}`.
    fn module(start: &str) -> KcModule {
        let wat = format!(
            r#"(module
                 (memory (export "memory") 1)
                 (data (i32.const 0) "{{}}")
                 (func (export "kc_alloc") (param i32) (result i32) i32.const 1024)
                 (func (export "kc_free") (param i32 i32))
                 (func (export "kc_start") (param i32 i32) (result i64) {start})
                 (func (export "kc_resume") (param i32 i32) (result i64) i64.const 2)
                 (func (export "kc_info") (result i64) i64.const 2))"#
        );
        KcModule::from_bytes(&wat::parse_str(wat).unwrap(), None).unwrap()
    }

    const LIMITS: Limits = Limits {
        memory_bytes: 1 << 20,
        time_per_call: Duration::from_millis(20),
    };

    /// `start`'s error, and the error of the call after it.
    fn failure(start: &str) -> (Error, Error) {
        let mut instance = module(start).instantiate(LIMITS).unwrap();
        assert_eq!(instance.info().unwrap(), "{}");
        let first = instance.start(b"{}").unwrap_err();
        (first, instance.info().unwrap_err())
    }

    #[test]
    fn each_failure_is_said_plainly_and_poisons_the_instance() {
        let cases = [
            (
                "(loop (br 0)) i64.const 0",
                "the kuraCloud module exceeded its time limit of 20 ms per call and was stopped",
            ),
            (
                "(drop (memory.grow (i32.const 100))) i64.const 0",
                "the kuraCloud module exceeded its memory limit of 1 MiB and was stopped",
            ),
            (
                "unreachable",
                "the kuraCloud module stopped on an internal error (a panic); this is a bug, please report it",
            ),
            (
                "(drop (i32.div_u (i32.const 1) (i32.const 0))) i64.const 0",
                "the kuraCloud module trapped: wasm trap: integer divide by zero",
            ),
            (
                "i64.const 0x0001000000000004",
                "the kuraCloud module failed: the module returned an output outside its memory",
            ),
            (
                "(i32.store8 (i32.const 8) (i32.const 255)) i64.const 0x0000000800000001",
                "the kuraCloud module failed: the module returned output that is not UTF-8",
            ),
        ];
        for (start, message) in cases {
            let (first, next) = failure(start);
            assert!(matches!(first, Error::Call(_)), "{start}: {first:?}");
            assert_eq!(first.to_string(), message, "{start}");
            assert!(matches!(next, Error::Poisoned(_)), "{start}: {next:?}");
            assert_eq!(
                next.to_string(),
                format!("this module instance is unusable after an earlier failure: {message}")
            );
        }
        let (first, _) = failure("(loop (br 0)) i64.const 0");
        assert!(matches!(
            first,
            Error::Call(CallError::TimeLimit { ms: 20 })
        ));
    }

    #[test]
    fn a_module_without_the_abi_is_refused() {
        let bare = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
        let err = KcModule::from_bytes(&bare, None)
            .unwrap()
            .instantiate(LIMITS)
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .starts_with("the module lacks the export kc_alloc (is it a kuraCloud module?): "),
            "{err}"
        );
        let no_memory = wat::parse_str("(module)").unwrap();
        let err = KcModule::from_bytes(&no_memory, None)
            .unwrap()
            .instantiate(LIMITS)
            .err()
            .unwrap();
        assert_eq!(err.to_string(), "the module exports no memory");
    }
}
