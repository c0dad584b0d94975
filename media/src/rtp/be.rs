//! Checked big-endian reads and writes shared by the RTP, RTCP and SRTP code.
//!
//! Every access goes through `get`/`get_mut` so malformed input can only ever produce
//! `None`, never a panic (the workspace lints forbid indexing on packet data).

/// Reads a big-endian `u16` at `off`, or `None` when the buffer is too short.
#[inline]
pub(crate) fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    let a: [u8; 2] = b.get(off..off.checked_add(2)?)?.try_into().ok()?;
    Some(u16::from_be_bytes(a))
}

/// Reads a big-endian `u32` at `off`, or `None` when the buffer is too short.
#[inline]
pub(crate) fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    let a: [u8; 4] = b.get(off..off.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(a))
}

/// Reads a big-endian `u64` at `off`, or `None` when the buffer is too short.
#[inline]
pub(crate) fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    let a: [u8; 8] = b.get(off..off.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_be_bytes(a))
}

/// Copies `src` into `b` at `off`; `None` when it does not fit.
#[inline]
pub(crate) fn put(b: &mut [u8], off: usize, src: &[u8]) -> Option<()> {
    b.get_mut(off..off.checked_add(src.len())?)?
        .copy_from_slice(src);
    Some(())
}

/// Writes a big-endian `u16` at `off`; `None` when it does not fit.
#[inline]
pub(crate) fn put_u16(b: &mut [u8], off: usize, v: u16) -> Option<()> {
    put(b, off, &v.to_be_bytes())
}

/// Writes a big-endian `u32` at `off`; `None` when it does not fit.
#[inline]
pub(crate) fn put_u32(b: &mut [u8], off: usize, v: u32) -> Option<()> {
    put(b, off, &v.to_be_bytes())
}

/// Writes a big-endian `u64` at `off`; `None` when it does not fit.
#[inline]
pub(crate) fn put_u64(b: &mut [u8], off: usize, v: u64) -> Option<()> {
    put(b, off, &v.to_be_bytes())
}
