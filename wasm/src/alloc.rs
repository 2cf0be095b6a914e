//! The module's allocator: size classes in front of the system allocator.
//!
//! Reading a roster makes tens of thousands of small strings, and dlmalloc spent more
//! time on them than the JSON parser did. Rust hands the size back on free, so a small
//! block needs no header: a freed block goes onto the free list of its 8-byte size
//! class and is handed out again at once; new blocks are cut from 64 KiB chunks. Larger
//! blocks, and any alignment above 8, go to the system allocator, which grows big
//! buffers (HTTP bodies, the outcome) in place.
//!
//! Small blocks are never given back to the system allocator; an instance lives for one
//! sync, so what a workflow freed is only ever reused by the same workflow.

// An allocator is `unsafe` by nature (raw pointers, `GlobalAlloc`); each block says why it
// is sound.
#![allow(unsafe_code)]

// The allocator is sound only because wasm32 without threads runs one thread: its state
// sits in an `UnsafeCell` with no lock. A build with wasm threads (atomics) must not
// compile rather than race.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!("the module's allocator (wasm/src/alloc.rs) is not thread-safe: build without wasm threads (the atomics target feature)");

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::ptr;

const GRANULE: usize = 8;
const MAX_SMALL: usize = 256;
const CLASSES: usize = MAX_SMALL / GRANULE;
const CHUNK: usize = 64 * 1024;

struct State {
    /// Per class, the first free block; each free block holds a pointer to the next.
    free: [*mut u8; CLASSES],
    /// The unused rest of the current chunk.
    next: *mut u8,
    end: *mut u8,
}

pub struct SizeClassAlloc<A: GlobalAlloc = System> {
    state: UnsafeCell<State>,
    backing: A,
}

// SAFETY: wasm32-unknown-unknown without the threads proposal runs one thread, so the
// state is never touched concurrently. Native builds (tests) use private instances.
#[cfg(target_arch = "wasm32")]
unsafe impl<A: GlobalAlloc + Sync> Sync for SizeClassAlloc<A> {}

impl SizeClassAlloc<System> {
    pub const fn new() -> Self {
        Self::with_backing(System)
    }
}

impl Default for SizeClassAlloc<System> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: GlobalAlloc> SizeClassAlloc<A> {
    pub const fn with_backing(backing: A) -> Self {
        Self {
            state: UnsafeCell::new(State {
                free: [ptr::null_mut(); CLASSES],
                next: ptr::null_mut(),
                end: ptr::null_mut(),
            }),
            backing,
        }
    }

    /// The size class of a block, or `None` for the system allocator.
    #[inline]
    fn class_of(size: usize, align: usize) -> Option<usize> {
        if size <= MAX_SMALL && align <= GRANULE {
            Some(size.max(1).div_ceil(GRANULE) - 1)
        } else {
            None
        }
    }

    /// # Safety
    /// `class < CLASSES`; single-threaded use.
    #[inline]
    // Exception to the crate's no-indexing rule: `class < CLASSES` is this function's
    // contract (every class comes from `class_of`), and this is the hottest path.
    #[allow(clippy::indexing_slicing)]
    unsafe fn alloc_small(&self, class: usize) -> *mut u8 {
        // SAFETY: no other reference to the state exists while this runs (one thread,
        // and the allocator never re-enters itself except through `backing`).
        let st = unsafe { &mut *self.state.get() };
        let head = st.free[class];
        if !head.is_null() {
            // SAFETY: a free block's first word is the next free block (see `dealloc`).
            st.free[class] = unsafe { head.cast::<*mut u8>().read() };
            return head;
        }
        let size = (class + 1) * GRANULE;
        if (st.end as usize) - (st.next as usize) < size {
            // The old chunk's tail (under 256 bytes) is left unused.
            // SAFETY: CHUNK is non-zero and GRANULE a power of two.
            let chunk = unsafe {
                self.backing
                    .alloc(Layout::from_size_align_unchecked(CHUNK, GRANULE))
            };
            if chunk.is_null() {
                return chunk;
            }
            st.next = chunk;
            // SAFETY: within (one past the end of) the chunk just allocated.
            st.end = unsafe { chunk.add(CHUNK) };
        }
        let block = st.next;
        // SAFETY: at most `end`, checked above.
        st.next = unsafe { block.add(size) };
        block
    }
}

// SAFETY: small blocks are disjoint pieces of chunks, 8-aligned, at least as large as
// asked; a block is on a free list only after its owner freed it. Everything else is
// the backing allocator's.
unsafe impl<A: GlobalAlloc> GlobalAlloc for SizeClassAlloc<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match Self::class_of(layout.size(), layout.align()) {
            // SAFETY: class_of returns classes below CLASSES.
            Some(class) => unsafe { self.alloc_small(class) },
            // SAFETY: forwarded contract.
            None => unsafe { self.backing.alloc(layout) },
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match Self::class_of(layout.size(), layout.align()) {
            Some(class) => {
                // SAFETY: as in `alloc`; the block holds at least `layout.size()` bytes.
                let block = unsafe { self.alloc_small(class) };
                if !block.is_null() {
                    unsafe { block.write_bytes(0, layout.size()) };
                }
                block
            }
            // SAFETY: forwarded contract.
            None => unsafe { self.backing.alloc_zeroed(layout) },
        }
    }

    #[inline]
    // Exception to the crate's no-indexing rule: `class_of` returns classes below
    // `CLASSES`, the length of `free`.
    #[allow(clippy::indexing_slicing)]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        match Self::class_of(layout.size(), layout.align()) {
            Some(class) => {
                // SAFETY: single-threaded; the block is ours, 8-aligned and at least 8
                // bytes, so it can hold the free-list link.
                let st = unsafe { &mut *self.state.get() };
                unsafe { block.cast::<*mut u8>().write(st.free[class]) };
                st.free[class] = block;
            }
            // SAFETY: forwarded contract.
            None => unsafe { self.backing.dealloc(block, layout) },
        }
    }

    #[inline]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = Self::class_of(layout.size(), layout.align());
        let new = Self::class_of(new_size, layout.align());
        match (old, new) {
            // Same class: the block already has room.
            (Some(a), Some(b)) if a == b => block,
            // SAFETY: forwarded contract; the system allocator may grow in place.
            (None, None) => unsafe { self.backing.realloc(block, layout, new_size) },
            _ => {
                // SAFETY: the caller guarantees a valid non-zero size for this alignment.
                let new_layout =
                    unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
                let moved = unsafe { self.alloc(new_layout) };
                if !moved.is_null() {
                    // SAFETY: both blocks hold at least the copied length; distinct blocks.
                    unsafe {
                        ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                        self.dealloc(block, layout);
                    }
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn layout(size: usize) -> Layout {
        Layout::from_size_align(size, 1).unwrap()
    }

    #[test]
    fn small_blocks_are_distinct_aligned_and_reused() {
        let a = SizeClassAlloc::new();
        let size = |i: usize| i % 300 + 1; // small and large alike
        unsafe {
            let blocks: Vec<*mut u8> = (0..600).map(|i| a.alloc(layout(size(i)))).collect();
            let mut seen = HashSet::new();
            for (i, &b) in blocks.iter().enumerate() {
                assert!(!b.is_null());
                assert!(seen.insert(b as usize), "block handed out twice");
                if size(i) <= MAX_SMALL {
                    assert_eq!(b as usize % GRANULE, 0);
                }
                b.write_bytes(0xAB, size(i));
            }
            let freed = blocks[41]; // 42 bytes
            a.dealloc(freed, layout(42));
            // Same class (41..=48 bytes): the freed block comes back first.
            assert_eq!(a.alloc(layout(48)), freed);
            assert_ne!(a.alloc(layout(48)), freed);
            for (i, &b) in blocks.iter().enumerate().filter(|(i, _)| *i != 41) {
                a.dealloc(b, layout(size(i)));
            }
        }
    }

    #[test]
    fn blocks_do_not_overlap_across_chunks() {
        let a = SizeClassAlloc::new();
        unsafe {
            // More than a chunk's worth of 200-byte blocks, each filled with its index.
            let blocks: Vec<*mut u8> = (0..1000).map(|_| a.alloc(layout(200))).collect();
            for (i, &b) in blocks.iter().enumerate() {
                b.write_bytes(i as u8, 200);
            }
            for (i, &b) in blocks.iter().enumerate() {
                assert!(std::slice::from_raw_parts(b, 200)
                    .iter()
                    .all(|&x| x == i as u8));
            }
        }
    }

    #[test]
    fn realloc_keeps_contents_across_classes_and_to_the_system() {
        let a = SizeClassAlloc::new();
        unsafe {
            let mut b = a.alloc(layout(5));
            b.copy_from_nonoverlapping(b"hello".as_ptr(), 5);
            // Same class: same block.
            assert_eq!(a.realloc(b, layout(5), 8), b);
            let mut prev = 8;
            for size in [100, 256, 5000, 70_000, 300, 16] {
                b = a.realloc(b, layout(prev), size);
                assert!(!b.is_null());
                assert_eq!(std::slice::from_raw_parts(b, 5), b"hello");
                prev = size;
            }
            a.dealloc(b, layout(16));
        }
    }

    #[test]
    fn zeroed_and_overaligned_requests() {
        let a = SizeClassAlloc::new();
        unsafe {
            let b = a.alloc(layout(64));
            b.write_bytes(0xFF, 64);
            a.dealloc(b, layout(64));
            let z = a.alloc_zeroed(layout(64));
            assert_eq!(z, b, "the freed block is reused");
            assert!(std::slice::from_raw_parts(z, 64).iter().all(|&x| x == 0));
            let big = Layout::from_size_align(32, 64).unwrap();
            let o = a.alloc(big);
            assert_eq!(o as usize % 64, 0);
            a.dealloc(o, big);
            a.dealloc(z, layout(64));
        }
    }
}
