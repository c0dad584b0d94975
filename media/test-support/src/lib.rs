//! Test and bench support for `roomgate-media`; the only place unsafe code is allowed (see
//! Cargo.toml), and no shipped crate depends on it.
//!
//! - [`libsrtp`] (feature `libsrtp`): a minimal safe wrapper over the system `libsrtp2`
//!   (Debian package `libsrtp2-dev`), an independent SRTP implementation to cross-test and
//!   benchmark against.
//! - [`alloc_count`]: a counting global allocator to prove the hot path allocates nothing.
//! - [`c_alloc_count`]: the same for C-level `malloc` (C libraries bypass the global
//!   allocator), and glibc's heap usage.

pub mod alloc_count;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub mod c_alloc_count;
#[cfg(feature = "libsrtp")]
pub mod libsrtp;
