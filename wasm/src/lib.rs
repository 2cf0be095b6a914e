//! The kuraCloud module's C ABI: a thin adapter over `kuracloud-core`.
//!
//! Exports (all plain wasm32 C ABI, so any runtime can call them without glue):
//! - `kc_alloc(len) -> ptr`: a buffer of `len` bytes in linear memory for the host.
//! - `kc_free(ptr, len)`: frees a buffer from `kc_alloc` or one the module returned,
//!   given its exact length (the allocator files blocks by size).
//! - `kc_start(ptr, len) -> packed`: `{"workflow": "...", "input": {...}}`.
//! - `kc_resume(ptr, len) -> packed`: the result of the effect performed last.
//! - `kc_info() -> packed`: module version, ABI version, workflows.
//!
//! `kc_start` and `kc_resume` take ownership of their input buffer (the host must not
//! free it). Every return value is a buffer holding JSON, packed as `(ptr << 32) | len`;
//! the host frees it with `kc_free` once read. A step is `{"effect": ...}`,
//! `{"done": ...}` or `{"error": {"code", "message"}}`. One workflow runs per instance at
//! a time; `kc_start` replaces a running one.
//!
//! A large HTTP body may follow the result instead of sitting inside it as an escaped
//! JSON string: `{"status": 200, "body_follows": true}` + `\n` + the raw body bytes.
//! The module then reads the body in place, without a second copy.

// As in `core`: no panic reachable from input outside tests.
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

mod abi;
pub mod alloc;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: alloc::SizeClassAlloc = alloc::SizeClassAlloc::new();

pub use abi::{handle_info, handle_resume, handle_start};

// The exports take and return raw buffers in linear memory: `unsafe` by nature, each use
// documented with the contract the host keeps (docs/abi.md).
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod exports {
    use super::abi;

    fn pack(bytes: Box<[u8]>) -> u64 {
        let len = bytes.len() as u64;
        let ptr = Box::into_raw(bytes) as *mut u8 as usize as u64;
        (ptr << 32) | len
    }

    /// # Safety
    /// `ptr`/`len` must come from `kc_alloc` (or a module return value) and be freed once.
    unsafe fn take(ptr: u32, len: u32) -> Vec<u8> {
        if len == 0 {
            return Vec::new();
        }
        let slice = std::ptr::slice_from_raw_parts_mut(ptr as usize as *mut u8, len as usize);
        // SAFETY: the host hands back a buffer we allocated as a Box<[u8]> of this length.
        unsafe { Box::from_raw(slice) }.into_vec()
    }

    /// A zeroed buffer of `len` bytes (a `Box<[u8]>` that `take` reclaims).
    #[no_mangle]
    pub extern "C" fn kc_alloc(len: u32) -> u32 {
        if len == 0 {
            return 0;
        }
        // 2 GiB and more is no valid `Layout` on wasm32 (at most `isize::MAX` bytes).
        let block = std::alloc::Layout::array::<u8>(len as usize)
            .ok()
            // SAFETY: the layout's size is non-zero.
            .map(|layout| unsafe { std::alloc::alloc_zeroed(layout) })
            .filter(|block| !block.is_null());
        match block {
            Some(block) => block as usize as u32,
            None => out_of_memory(len),
        }
    }

    /// An allocation that cannot be had ends as every allocation beyond the host's
    /// memory limit does: the memory is asked of the host all the same, so a host that
    /// limits memory answers as it does for any request above its limit (host-runner
    /// and the PHP extension stop the instance with "memory limit"); a host that only
    /// refuses the growth sees the allocator's abort, as for any other failed
    /// allocation. Before, a request of 2 GiB or more trapped on a capacity-overflow
    /// panic, reported as a bug in the module.
    fn out_of_memory(len: u32) -> ! {
        let pages = (len as usize).div_ceil(65_536);
        core::arch::wasm32::memory_grow(0, pages);
        std::process::abort()
    }

    /// # Safety
    /// See [`take`].
    #[no_mangle]
    pub unsafe extern "C" fn kc_free(ptr: u32, len: u32) {
        // SAFETY: forwarded contract.
        drop(unsafe { take(ptr, len) });
    }

    /// # Safety
    /// See [`take`]; the input buffer is consumed.
    #[no_mangle]
    pub unsafe extern "C" fn kc_start(ptr: u32, len: u32) -> u64 {
        // SAFETY: forwarded contract.
        let input = unsafe { take(ptr, len) };
        pack(abi::handle_start(&input).into_bytes().into_boxed_slice())
    }

    /// # Safety
    /// See [`take`]; the input buffer is consumed.
    #[no_mangle]
    pub unsafe extern "C" fn kc_resume(ptr: u32, len: u32) -> u64 {
        // SAFETY: forwarded contract.
        let input = unsafe { take(ptr, len) };
        pack(abi::handle_resume(input).into_bytes().into_boxed_slice())
    }

    #[no_mangle]
    pub extern "C" fn kc_info() -> u64 {
        pack(abi::handle_info().into_bytes().into_boxed_slice())
    }
}
