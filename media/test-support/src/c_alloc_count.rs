//! Counts C-level heap allocations (`malloc` and friends), which the Rust counting global
//! allocator ([`crate::alloc_count`]) cannot see: a C library linked into the process (aws-lc,
//! behind roomgate-media's AES-GCM) calls `malloc` directly.
//!
//! How, without `LD_PRELOAD`: this crate defines `malloc`, `calloc`, `realloc`,
//! `memalign`, `aligned_alloc` and `posix_memalign` itself. A program that links it defines
//! them in its executable, which glibc supports as "replacing malloc": the executable's
//! definitions take precedence over libc's for every caller, the program's own C code and
//! Rust's `System` allocator included. Each one notes the call when the current thread is
//! watching, then hands it to glibc's own allocator (`__libc_malloc` & co., exported for
//! exactly this), so memory and behaviour are unchanged. `free` is forwarded uncounted.
//!
//! The workspace builds this crate as one codegen unit (root Cargo.toml), so referencing
//! any item of it (as every allocation test does) links these definitions in. Tests check
//! that the counter works by making a C library allocate ([`count_c_allocations`] must see
//! it), so a build where the interposition did not take effect fails instead of passing
//! vacuously. Linux/glibc only.
//!
//! [`c_heap_in_use`] reads glibc's `mallinfo2()`: bytes in use, to check that a loop leaks
//! nothing on the C heap either.

use std::cell::Cell;
use std::ffi::{c_int, c_void};

thread_local! {
    // `const` thread-locals without destructors: touching them never allocates (ELF TLS).
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static CALLS: Cell<u64> = const { Cell::new(0) };
}

extern "C" {
    fn __libc_malloc(size: usize) -> *mut c_void;
    fn __libc_calloc(n: usize, size: usize) -> *mut c_void;
    fn __libc_realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
    fn __libc_memalign(align: usize, size: usize) -> *mut c_void;
    fn __libc_free(ptr: *mut c_void);
    fn mallinfo2() -> MallInfo2;
}

/// glibc's `struct mallinfo2` (all `size_t`).
#[repr(C)]
struct MallInfo2 {
    arena: usize,
    ordblks: usize,
    smblks: usize,
    hblks: usize,
    hblkhd: usize,
    usmblks: usize,
    fsmblks: usize,
    uordblks: usize,
    fordblks: usize,
    keepcost: usize,
}

fn note() {
    // `try_with`: never panics inside malloc, even during thread teardown.
    let _ = WATCHING.try_with(|w| {
        if w.get() {
            let _ = CALLS.try_with(|c| c.set(c.get() + 1));
        }
    });
}

/// # Safety
/// The C `malloc` contract.
#[no_mangle]
pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
    note();
    // SAFETY: same contract as the caller's.
    unsafe { __libc_malloc(size) }
}

/// # Safety
/// The C `calloc` contract.
#[no_mangle]
pub unsafe extern "C" fn calloc(n: usize, size: usize) -> *mut c_void {
    note();
    // SAFETY: same contract as the caller's.
    unsafe { __libc_calloc(n, size) }
}

/// # Safety
/// The C `realloc` contract.
#[no_mangle]
pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    note();
    // SAFETY: same contract as the caller's.
    unsafe { __libc_realloc(ptr, size) }
}

/// # Safety
/// The C `free` contract.
#[no_mangle]
pub unsafe extern "C" fn free(ptr: *mut c_void) {
    // SAFETY: same contract as the caller's; every block came from glibc's allocator.
    unsafe { __libc_free(ptr) }
}

/// # Safety
/// The C `memalign` contract.
#[no_mangle]
pub unsafe extern "C" fn memalign(align: usize, size: usize) -> *mut c_void {
    note();
    // SAFETY: same contract as the caller's.
    unsafe { __libc_memalign(align, size) }
}

/// # Safety
/// The C `aligned_alloc` contract.
#[no_mangle]
pub unsafe extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut c_void {
    note();
    // SAFETY: same contract as the caller's.
    unsafe { __libc_memalign(align, size) }
}

/// # Safety
/// The C `posix_memalign` contract (`out` valid for a write).
#[no_mangle]
pub unsafe extern "C" fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> c_int {
    const EINVAL: c_int = 22;
    const ENOMEM: c_int = 12;
    note();
    if !align.is_power_of_two() || align % std::mem::size_of::<usize>() != 0 {
        return EINVAL;
    }
    // SAFETY: alignment checked as posix_memalign requires; same contract otherwise.
    let p = unsafe { __libc_memalign(align, size) };
    if p.is_null() {
        return ENOMEM;
    }
    // SAFETY: the caller guarantees `out` is valid for a write.
    unsafe { *out = p };
    0
}

/// Runs `f` and returns how many C heap allocations (`malloc`, `calloc`, `realloc`,
/// aligned variants) this thread made during it, from Rust or from C code.
pub fn count_c_allocations(f: impl FnOnce()) -> u64 {
    CALLS.with(|c| c.set(0));
    WATCHING.with(|w| w.set(true));
    f();
    WATCHING.with(|w| w.set(false));
    CALLS.with(Cell::get)
}

/// Bytes in use on glibc's heap (`mallinfo2()`: `uordblks` + `hblkhd`, the mmap'd blocks).
pub fn c_heap_in_use() -> usize {
    // SAFETY: no arguments; returns a struct by value.
    let m = unsafe { mallinfo2() };
    m.uordblks + m.hblkhd
}
