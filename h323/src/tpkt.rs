//! TPKT (RFC 1006 §6) framing of H.225.0 call signalling and H.245 on TCP.
//!
//! Every PDU on those connections travels in a packet of four header octets — version 3, a
//! reserved octet, and a 16-bit big-endian length that counts the header too — followed by
//! the payload. A stream cannot be resynchronised after a bad header, so every error here
//! means "close the connection".
//!
//! [`TpktDecoder`] is sans-IO: the transport pushes whatever it read and pulls whole payloads
//! out. Each step looks at most at one header, so a peer sending one octet at a time costs
//! linear work, and the buffer never holds more than one packet beyond what the transport
//! pushed in a single call.

use crate::limits::{MAX_TPKT_LEN, TPKT_HEADER_LEN};

/// The only TPKT version (RFC 1006 §6).
pub const TPKT_VERSION: u8 = 3;

/// Why a TPKT stream must be closed, or a payload cannot be framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[non_exhaustive]
pub enum TpktError {
    #[error("TPKT version {found} at stream offset {offset}, expected 3")]
    BadVersion { found: u8, offset: u64 },
    #[error("TPKT length {length} at stream offset {offset} is shorter than its own header")]
    LengthBelowHeader { length: usize, offset: u64 },
    #[error("TPKT length {length} at stream offset {offset} exceeds the limit of {limit}")]
    TooLong {
        length: usize,
        limit: usize,
        offset: u64,
    },
    #[error("payload of {length} octets does not fit one TPKT packet (limit {limit} with header)")]
    PayloadTooLong { length: usize, limit: usize },
}

/// Writes one TPKT packet holding `payload` onto the end of `out`.
pub fn encode_into(payload: &[u8], out: &mut Vec<u8>) -> Result<(), TpktError> {
    let total = payload.len().saturating_add(TPKT_HEADER_LEN);
    let length = u16::try_from(total)
        .ok()
        .filter(|_| total <= MAX_TPKT_LEN)
        .ok_or(TpktError::PayloadTooLong {
            length: payload.len(),
            limit: MAX_TPKT_LEN,
        })?;
    out.reserve(total);
    out.extend_from_slice(&[TPKT_VERSION, 0]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

/// One TPKT packet holding `payload`.
pub fn encode(payload: &[u8]) -> Result<Vec<u8>, TpktError> {
    let mut out = Vec::new();
    encode_into(payload, &mut out)?;
    Ok(out)
}

/// Stream decoder: push received octets with [`TpktDecoder::push`], then call
/// [`TpktDecoder::next_payload`] until it returns `Ok(None)`.
///
/// After an error the decoder keeps returning that error: the connection is unusable. A
/// packet of length 4 (no payload) is returned as an empty payload; some endpoints send one
/// as a keep-alive, and the caller decides what it means.
#[derive(Debug, Clone)]
pub struct TpktDecoder {
    buf: Vec<u8>,
    /// Octets at the front of `buf` already handed out; dropped lazily so taking many small
    /// packets from one large push does not move the rest of the buffer each time.
    start: usize,
    /// Stream offset of `buf[start]`, for error reports.
    offset: u64,
    max_len: usize,
    failed: Option<TpktError>,
}

impl Default for TpktDecoder {
    fn default() -> Self {
        Self::new(MAX_TPKT_LEN)
    }
}

impl TpktDecoder {
    /// `max_len` (header included) is capped at [`MAX_TPKT_LEN`].
    pub fn new(max_len: usize) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            offset: 0,
            max_len: max_len.clamp(TPKT_HEADER_LEN, MAX_TPKT_LEN),
            failed: None,
        }
    }

    /// Appends octets read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_some() || bytes.is_empty() {
            return;
        }
        // Drop what was handed out once it is at least half the buffer: amortised linear.
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Octets pushed but not yet returned in a payload.
    pub fn buffered(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// Stream offset of the first octet not yet returned (the next packet's header).
    pub fn stream_offset(&self) -> u64 {
        self.offset
    }

    /// The next whole payload (without its header), `Ok(None)` if more octets are needed.
    pub fn next_payload(&mut self) -> Result<Option<Vec<u8>>, TpktError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        match self.take() {
            Err(err) => {
                self.failed = Some(err.clone());
                self.buf = Vec::new();
                self.start = 0;
                Err(err)
            }
            ok => ok,
        }
    }

    fn take(&mut self) -> Result<Option<Vec<u8>>, TpktError> {
        let pending = self.buf.get(self.start..).unwrap_or_default();
        // The version is checked as soon as it arrives, so garbage is refused at once.
        let Some(&version) = pending.first() else {
            return Ok(None);
        };
        if version != TPKT_VERSION {
            return Err(TpktError::BadVersion {
                found: version,
                offset: self.offset,
            });
        }
        let Some(&[_, _, hi, lo]) = pending.get(..TPKT_HEADER_LEN) else {
            return Ok(None);
        };
        let length = usize::from(u16::from_be_bytes([hi, lo]));
        if length < TPKT_HEADER_LEN {
            return Err(TpktError::LengthBelowHeader {
                length,
                offset: self.offset,
            });
        }
        if length > self.max_len {
            return Err(TpktError::TooLong {
                length,
                limit: self.max_len,
                offset: self.offset,
            });
        }
        let Some(payload) = pending.get(TPKT_HEADER_LEN..length) else {
            return Ok(None);
        };
        let payload = payload.to_vec();
        self.start = self.start.saturating_add(length);
        self.offset = self.offset.saturating_add(length as u64);
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        Ok(Some(payload))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn stream() -> Vec<u8> {
        let mut s = Vec::new();
        encode_into(b"first", &mut s).unwrap();
        encode_into(b"", &mut s).unwrap();
        encode_into(&[7u8; 300], &mut s).unwrap();
        s
    }

    fn drain(dec: &mut TpktDecoder) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(p) = dec.next_payload().unwrap() {
            out.push(p);
        }
        out
    }

    #[test]
    fn header_is_version_reserved_and_total_length() {
        assert_eq!(encode(b"ab").unwrap(), [3, 0, 0, 6, b'a', b'b']);
    }

    #[test]
    fn byte_at_a_time_equals_one_push() {
        let s = stream();
        let mut whole = TpktDecoder::default();
        whole.push(&s);
        let expected = drain(&mut whole);
        assert_eq!(expected.len(), 3);
        assert_eq!(expected[1], b"");
        let mut dec = TpktDecoder::default();
        let mut got = Vec::new();
        for b in &s {
            dec.push(std::slice::from_ref(b));
            got.extend(drain(&mut dec));
        }
        assert_eq!(got, expected);
        assert_eq!(dec.buffered(), 0);
        assert_eq!(dec.stream_offset(), s.len() as u64);
    }

    #[test]
    fn bad_version_is_refused_at_its_offset_and_sticks() {
        let mut s = encode(b"x").unwrap();
        s.push(0x45);
        let mut dec = TpktDecoder::default();
        dec.push(&s);
        assert_eq!(dec.next_payload().unwrap().unwrap(), b"x");
        let err = TpktError::BadVersion {
            found: 0x45,
            offset: 5,
        };
        assert_eq!(dec.next_payload(), Err(err.clone()));
        dec.push(&encode(b"y").unwrap());
        assert_eq!(dec.next_payload(), Err(err));
    }

    #[test]
    fn hostile_lengths_are_refused_before_buffering() {
        let mut dec = TpktDecoder::default();
        dec.push(&[3, 0, 0xff, 0xff]);
        assert!(matches!(
            dec.next_payload(),
            Err(TpktError::TooLong { length: 65535, .. })
        ));
        let mut dec = TpktDecoder::default();
        dec.push(&[3, 0, 0, 3]);
        assert!(matches!(
            dec.next_payload(),
            Err(TpktError::LengthBelowHeader { length: 3, .. })
        ));
        let mut small = TpktDecoder::new(100);
        small.push(&[3, 0, 0, 101]);
        assert!(matches!(
            small.next_payload(),
            Err(TpktError::TooLong { limit: 100, .. })
        ));
    }

    #[test]
    fn encoder_refuses_oversized_payloads() {
        let big = vec![0u8; MAX_TPKT_LEN - TPKT_HEADER_LEN + 1];
        assert!(matches!(
            encode(&big),
            Err(TpktError::PayloadTooLong { .. })
        ));
        assert!(encode(&big[1..]).is_ok());
    }
}
