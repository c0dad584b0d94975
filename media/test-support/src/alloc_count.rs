//! A counting global allocator. A test binary installs it with
//! `#[global_allocator] static A: CountingAlloc = CountingAlloc;` and wraps the code under
//! test in [`count_allocations`].

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    // `const` thread-locals without destructors: touching them never allocates.
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static NET_BYTES: Cell<i64> = const { Cell::new(0) };
}

fn add_bytes(n: usize, sign: i64) {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    NET_BYTES.with(|c| c.set(c.get().saturating_add(sign.saturating_mul(n))));
}

/// Counts `alloc`/`realloc` calls made by the current thread inside [`count_allocations`],
/// and the bytes it holds inside [`net_bytes`].
pub struct CountingAlloc;

// SAFETY: defers every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCHING.with(Cell::get) {
            ALLOCS.with(|c| c.set(c.get() + 1));
            add_bytes(layout.size(), 1);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.with(Cell::get) {
            add_bytes(layout.size(), -1);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if WATCHING.with(Cell::get) {
            ALLOCS.with(|c| c.set(c.get() + 1));
            add_bytes(new_size, 1);
            add_bytes(layout.size(), -1);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f` and returns how many allocations this thread made during it.
pub fn count_allocations(f: impl FnOnce()) -> u64 {
    ALLOCS.with(|c| c.set(0));
    WATCHING.with(|w| w.set(true));
    f();
    WATCHING.with(|w| w.set(false));
    ALLOCS.with(Cell::get)
}

/// Runs `f` and returns what it returned and the bytes this thread allocated during it and
/// did not free (negative when it freed more than it allocated).
pub fn net_bytes<R>(f: impl FnOnce() -> R) -> (R, i64) {
    NET_BYTES.with(|c| c.set(0));
    WATCHING.with(|w| w.set(true));
    let r = f();
    WATCHING.with(|w| w.set(false));
    (r, NET_BYTES.with(Cell::get))
}
