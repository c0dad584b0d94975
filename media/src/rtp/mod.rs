//! RTP packets (RFC 3550 §5.1) as zero-copy views and caller-buffer builders.
//!
//! Why our own code rather than the `rtp-rs` crate: `rtp-rs` offers a read-only view and a
//! builder, but no in-place setters (the relay rewrites SSRC / sequence / timestamp / PT on
//! every forwarded packet without copying), no RFC 8285 element parsing, no RTP/RTCP mux
//! classification, and its errors are not `thiserror` types carrying offsets. Adding those on
//! top would have been more code than this module, so it is not used.
//!
//! Nothing here allocates: views borrow the caller's buffer, builders write into it.

pub(crate) mod be;

use be::{put, put_u16, put_u32, u16_at, u32_at};

/// The only RTP version in use (RFC 3550 §5.1).
pub const RTP_VERSION: u8 = 2;
/// Length of the fixed RTP header (before CSRCs and extension).
pub const RTP_FIXED_HEADER_LEN: usize = 12;
/// CSRC count is a 4-bit field, so at most 15 contributing sources.
pub const MAX_CSRCS: usize = 15;
/// RFC 8285 one-byte header extension profile (`0xBEDE`).
pub const EXT_PROFILE_ONE_BYTE: u16 = 0xBEDE;
/// RFC 8285 two-byte header extension profile (`0x100` followed by 4 "appbits").
pub const EXT_PROFILE_TWO_BYTE_MASK: u16 = 0xFFF0;
/// RFC 8285 two-byte header extension profile value after masking the appbits.
pub const EXT_PROFILE_TWO_BYTE: u16 = 0x1000;
/// Bound on the elements one extension block may yield: 255 one-byte-element headers is
/// already more than any sane sender uses; the iterator stops with an error past it.
pub const MAX_EXTENSION_ELEMENTS: usize = 255;

/// Why an RTP packet was refused. Offsets are byte positions in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtpError {
    /// Fewer bytes than the fixed header, the CSRC list or the extension announce.
    #[error("RTP packet too short: need {needed} bytes, have {len}")]
    TooShort {
        /// Bytes the header fields require.
        needed: usize,
        /// Bytes present.
        len: usize,
    },
    /// Version field is not 2.
    #[error("RTP version {0} (only 2 is valid)")]
    BadVersion(u8),
    /// The padding count is zero or larger than the payload.
    #[error("RTP padding count {count} invalid with {available} bytes after the header")]
    BadPadding {
        /// Padding count from the last byte.
        count: u8,
        /// Bytes between the header and the end of the packet.
        available: usize,
    },
    /// An RFC 8285 element runs past the end of its extension block.
    #[error("RTP header extension element at offset {offset} overruns the block")]
    ExtensionElementOverrun {
        /// Offset of the element within the extension data.
        offset: usize,
    },
    /// More elements than [`MAX_EXTENSION_ELEMENTS`].
    #[error("RTP header extension has more than {MAX_EXTENSION_ELEMENTS} elements")]
    TooManyExtensionElements,
    /// Builder input out of range (CSRC count, extension length, padding).
    #[error("RTP builder: {0}")]
    InvalidField(&'static str),
    /// The output buffer cannot hold the packet.
    #[error("output buffer too small: need {needed} bytes, have {capacity}")]
    BufferTooSmall {
        /// Bytes the packet needs.
        needed: usize,
        /// Bytes available.
        capacity: usize,
    },
}

/// Header geometry shared by the read and write views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    header_len: usize,
    ext_start: Option<usize>,
}

/// Validates the version and computes the header length (fixed + CSRCs + extension) without
/// looking at the padding. SRTP uses this, because there the padding is encrypted.
pub fn header_len(buf: &[u8]) -> Result<usize, RtpError> {
    layout(buf).map(|l| l.header_len)
}

fn layout(buf: &[u8]) -> Result<Layout, RtpError> {
    let fixed = buf
        .first_chunk::<RTP_FIXED_HEADER_LEN>()
        .ok_or(RtpError::TooShort {
            needed: RTP_FIXED_HEADER_LEN,
            len: buf.len(),
        })?;
    let version = fixed[0] >> 6;
    if version != RTP_VERSION {
        return Err(RtpError::BadVersion(version));
    }
    let cc = usize::from(fixed[0] & 0x0f);
    let mut len = RTP_FIXED_HEADER_LEN + 4 * cc;
    if buf.len() < len {
        return Err(RtpError::TooShort {
            needed: len,
            len: buf.len(),
        });
    }
    let mut ext_start = None;
    if fixed[0] & 0x10 != 0 {
        let words = u16_at(buf, len + 2).ok_or(RtpError::TooShort {
            needed: len + 4,
            len: buf.len(),
        })?;
        ext_start = Some(len);
        len += 4 + 4 * usize::from(words);
        if buf.len() < len {
            return Err(RtpError::TooShort {
                needed: len,
                len: buf.len(),
            });
        }
    }
    Ok(Layout {
        header_len: len,
        ext_start,
    })
}

/// Read-only view of an RTP packet.
#[derive(Debug, Clone, Copy)]
pub struct RtpPacket<'a> {
    buf: &'a [u8],
    fixed: &'a [u8; RTP_FIXED_HEADER_LEN],
    layout: Layout,
    payload_end: usize,
}

impl<'a> RtpPacket<'a> {
    /// Parses and validates header, CSRCs, extension block and padding.
    pub fn parse(buf: &'a [u8]) -> Result<Self, RtpError> {
        let layout = layout(buf)?;
        let fixed = buf
            .first_chunk::<RTP_FIXED_HEADER_LEN>()
            .ok_or(RtpError::TooShort {
                needed: RTP_FIXED_HEADER_LEN,
                len: buf.len(),
            })?;
        let mut payload_end = buf.len();
        if fixed[0] & 0x20 != 0 {
            let available = buf.len() - layout.header_len;
            let count = buf.last().copied().unwrap_or(0);
            if count == 0 || usize::from(count) > available {
                return Err(RtpError::BadPadding { count, available });
            }
            payload_end -= usize::from(count);
        }
        Ok(Self {
            buf,
            fixed,
            layout,
            payload_end,
        })
    }

    /// Version (always 2 after a successful parse).
    pub fn version(&self) -> u8 {
        self.fixed[0] >> 6
    }
    /// Padding bit.
    pub fn has_padding(&self) -> bool {
        self.fixed[0] & 0x20 != 0
    }
    /// Extension bit.
    pub fn has_extension(&self) -> bool {
        self.fixed[0] & 0x10 != 0
    }
    /// Number of CSRCs.
    pub fn csrc_count(&self) -> u8 {
        self.fixed[0] & 0x0f
    }
    /// Marker bit.
    pub fn marker(&self) -> bool {
        self.fixed[1] & 0x80 != 0
    }
    /// Payload type (7 bits).
    pub fn payload_type(&self) -> u8 {
        self.fixed[1] & 0x7f
    }
    /// Sequence number.
    pub fn sequence_number(&self) -> u16 {
        u16::from_be_bytes([self.fixed[2], self.fixed[3]])
    }
    /// RTP timestamp.
    pub fn timestamp(&self) -> u32 {
        u32::from_be_bytes([self.fixed[4], self.fixed[5], self.fixed[6], self.fixed[7]])
    }
    /// Synchronisation source.
    pub fn ssrc(&self) -> u32 {
        u32::from_be_bytes([self.fixed[8], self.fixed[9], self.fixed[10], self.fixed[11]])
    }
    /// Contributing sources, in order.
    pub fn csrcs(&self) -> impl Iterator<Item = u32> + 'a {
        let buf = self.buf;
        (0..usize::from(self.csrc_count()))
            .filter_map(move |i| u32_at(buf, RTP_FIXED_HEADER_LEN + 4 * i))
    }
    /// The header extension block, if the X bit is set.
    pub fn extension(&self) -> Option<HeaderExtension<'a>> {
        let start = self.layout.ext_start?;
        let profile = u16_at(self.buf, start)?;
        let data = self.buf.get(start + 4..self.layout.header_len)?;
        Some(HeaderExtension { profile, data })
    }
    /// Offset of the payload (= header length).
    pub fn payload_offset(&self) -> usize {
        self.layout.header_len
    }
    /// Payload without padding.
    pub fn payload(&self) -> &'a [u8] {
        self.buf
            .get(self.layout.header_len..self.payload_end)
            .unwrap_or_default()
    }
    /// Number of padding bytes (0 without the P bit).
    pub fn padding_len(&self) -> usize {
        self.buf.len() - self.payload_end
    }
    /// The whole packet.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }
}

/// An RTP header extension block (RFC 3550 §5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderExtension<'a> {
    /// "defined by profile" field; `0xBEDE` / `0x100x` select RFC 8285 formats.
    pub profile: u16,
    /// Extension data (length × 4 bytes).
    pub data: &'a [u8],
}

impl<'a> HeaderExtension<'a> {
    /// RFC 8285 elements, when the profile is one-byte or two-byte; `None` otherwise.
    pub fn elements(&self) -> Option<ExtensionElements<'a>> {
        let two_byte = if self.profile == EXT_PROFILE_ONE_BYTE {
            false
        } else if self.profile & EXT_PROFILE_TWO_BYTE_MASK == EXT_PROFILE_TWO_BYTE {
            true
        } else {
            return None;
        };
        Some(ExtensionElements {
            data: self.data,
            pos: 0,
            two_byte,
            count: 0,
            done: false,
        })
    }
}

/// One RFC 8285 element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionElement<'a> {
    /// Local identifier (1–14 one-byte, 1–255 two-byte).
    pub id: u8,
    /// Element data.
    pub data: &'a [u8],
}

/// Iterator over RFC 8285 elements; yields an error once and then stops on malformed data.
#[derive(Debug, Clone)]
pub struct ExtensionElements<'a> {
    data: &'a [u8],
    pos: usize,
    two_byte: bool,
    count: usize,
    done: bool,
}

impl<'a> Iterator for ExtensionElements<'a> {
    type Item = Result<ExtensionElement<'a>, RtpError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let offset = self.pos;
            let Some(&b0) = self.data.get(offset) else {
                self.done = true;
                return None;
            };
            if b0 == 0 {
                // Padding byte between elements (both formats).
                self.pos += 1;
                continue;
            }
            self.count += 1;
            if self.count > MAX_EXTENSION_ELEMENTS {
                self.done = true;
                return Some(Err(RtpError::TooManyExtensionElements));
            }
            let (id, len, hdr) = if self.two_byte {
                let Some(&l) = self.data.get(offset + 1) else {
                    self.done = true;
                    return Some(Err(RtpError::ExtensionElementOverrun { offset }));
                };
                (b0, usize::from(l), 2)
            } else {
                let id = b0 >> 4;
                if id == 15 {
                    // RFC 8285 §4.2: ID 15 is reserved; stop processing the block.
                    self.done = true;
                    return None;
                }
                (id, usize::from(b0 & 0x0f) + 1, 1)
            };
            let start = offset + hdr;
            let Some(data) = self.data.get(start..start + len) else {
                self.done = true;
                return Some(Err(RtpError::ExtensionElementOverrun { offset }));
            };
            self.pos = start + len;
            return Some(Ok(ExtensionElement { id, data }));
        }
        None
    }
}

/// Mutable view for the relay: rewrites header fields in place, nothing is copied.
#[derive(Debug)]
pub struct RtpPacketMut<'a> {
    fixed: &'a mut [u8; RTP_FIXED_HEADER_LEN],
    header_len: usize,
}

impl<'a> RtpPacketMut<'a> {
    /// Validates the header (not the padding, which may be encrypted) and borrows it.
    pub fn new(buf: &'a mut [u8]) -> Result<Self, RtpError> {
        let header_len = header_len(buf)?;
        let len = buf.len();
        let fixed = buf
            .first_chunk_mut::<RTP_FIXED_HEADER_LEN>()
            .ok_or(RtpError::TooShort {
                needed: RTP_FIXED_HEADER_LEN,
                len,
            })?;
        Ok(Self { fixed, header_len })
    }
    /// Header length (payload offset).
    pub fn header_len(&self) -> usize {
        self.header_len
    }
    /// Sets the SSRC.
    pub fn set_ssrc(&mut self, ssrc: u32) {
        let [a, b, c, d] = ssrc.to_be_bytes();
        self.fixed[8] = a;
        self.fixed[9] = b;
        self.fixed[10] = c;
        self.fixed[11] = d;
    }
    /// Sets the sequence number.
    pub fn set_sequence_number(&mut self, seq: u16) {
        let [a, b] = seq.to_be_bytes();
        self.fixed[2] = a;
        self.fixed[3] = b;
    }
    /// Sets the timestamp.
    pub fn set_timestamp(&mut self, ts: u32) {
        let [a, b, c, d] = ts.to_be_bytes();
        self.fixed[4] = a;
        self.fixed[5] = b;
        self.fixed[6] = c;
        self.fixed[7] = d;
    }
    /// Sets the payload type (the high bit is ignored; the marker is kept).
    pub fn set_payload_type(&mut self, pt: u8) {
        self.fixed[1] = (self.fixed[1] & 0x80) | (pt & 0x7f);
    }
    /// Sets the marker bit.
    pub fn set_marker(&mut self, marker: bool) {
        self.fixed[1] = (self.fixed[1] & 0x7f) | if marker { 0x80 } else { 0 };
    }
    /// Sequence number.
    pub fn sequence_number(&self) -> u16 {
        u16::from_be_bytes([self.fixed[2], self.fixed[3]])
    }
    /// Timestamp.
    pub fn timestamp(&self) -> u32 {
        u32::from_be_bytes([self.fixed[4], self.fixed[5], self.fixed[6], self.fixed[7]])
    }
    /// SSRC.
    pub fn ssrc(&self) -> u32 {
        u32::from_be_bytes([self.fixed[8], self.fixed[9], self.fixed[10], self.fixed[11]])
    }
    /// Payload type.
    pub fn payload_type(&self) -> u8 {
        self.fixed[1] & 0x7f
    }
}

/// Builds an RTP packet into a caller buffer.
#[derive(Debug, Clone, Copy, Default)]
pub struct RtpBuilder<'a> {
    /// Marker bit.
    pub marker: bool,
    /// Payload type (0–127).
    pub payload_type: u8,
    /// Sequence number.
    pub sequence_number: u16,
    /// Timestamp.
    pub timestamp: u32,
    /// SSRC.
    pub ssrc: u32,
    /// CSRCs (at most [`MAX_CSRCS`]).
    pub csrcs: &'a [u32],
    /// Extension block: profile and data (length a multiple of 4, at most 65535 words).
    pub extension: Option<HeaderExtension<'a>>,
    /// Padding bytes to append (0 = none; the P bit is set otherwise).
    pub padding: u8,
}

impl RtpBuilder<'_> {
    /// Bytes [`Self::write`] will produce for `payload_len`.
    pub fn len(&self, payload_len: usize) -> usize {
        RTP_FIXED_HEADER_LEN
            + 4 * self.csrcs.len()
            + self.extension.map_or(0, |e| 4 + e.data.len())
            + payload_len
            + usize::from(self.padding)
    }

    /// Writes header, `payload` and padding into `out`; returns the packet length.
    pub fn write(&self, payload: &[u8], out: &mut [u8]) -> Result<usize, RtpError> {
        if self.csrcs.len() > MAX_CSRCS {
            return Err(RtpError::InvalidField("more than 15 CSRCs"));
        }
        if self.payload_type > 0x7f {
            return Err(RtpError::InvalidField("payload type above 127"));
        }
        let ext_words = match self.extension {
            Some(e) if e.data.len() % 4 != 0 || e.data.len() / 4 > usize::from(u16::MAX) => {
                return Err(RtpError::InvalidField("extension length"))
            }
            Some(e) => Some(u16::try_from(e.data.len() / 4).unwrap_or(u16::MAX)),
            None => None,
        };
        let needed = self.len(payload.len());
        if out.len() < needed {
            return Err(RtpError::BufferTooSmall {
                needed,
                capacity: out.len(),
            });
        }
        let too_small = RtpError::BufferTooSmall {
            needed,
            capacity: out.len(),
        };
        let b0 = (RTP_VERSION << 6)
            | if self.padding > 0 { 0x20 } else { 0 }
            | if self.extension.is_some() { 0x10 } else { 0 }
            | (self.csrcs.len() as u8);
        let b1 = if self.marker { 0x80 } else { 0 } | self.payload_type;
        put(out, 0, &[b0, b1]).ok_or(too_small)?;
        put_u16(out, 2, self.sequence_number).ok_or(too_small)?;
        put_u32(out, 4, self.timestamp).ok_or(too_small)?;
        put_u32(out, 8, self.ssrc).ok_or(too_small)?;
        let mut pos = RTP_FIXED_HEADER_LEN;
        for &c in self.csrcs {
            put_u32(out, pos, c).ok_or(too_small)?;
            pos += 4;
        }
        if let (Some(e), Some(words)) = (self.extension, ext_words) {
            put_u16(out, pos, e.profile).ok_or(too_small)?;
            put_u16(out, pos + 2, words).ok_or(too_small)?;
            put(out, pos + 4, e.data).ok_or(too_small)?;
            pos += 4 + e.data.len();
        }
        put(out, pos, payload).ok_or(too_small)?;
        pos += payload.len();
        if self.padding > 0 {
            let pad = out
                .get_mut(pos..pos + usize::from(self.padding))
                .ok_or(too_small)?;
            pad.fill(0);
            if let Some(last) = pad.last_mut() {
                *last = self.padding;
            }
            pos += usize::from(self.padding);
        }
        Ok(pos)
    }
}

/// Writes RFC 8285 one-byte elements (`id` 1–14, data 1–16 bytes) into `out`, zero-padded
/// to a multiple of 4; returns the length to pass as [`HeaderExtension::data`].
pub fn write_one_byte_elements(
    elements: &[ExtensionElement<'_>],
    out: &mut [u8],
) -> Result<usize, RtpError> {
    let mut pos = 0usize;
    for e in elements {
        if !(1..=14).contains(&e.id) || e.data.is_empty() || e.data.len() > 16 {
            return Err(RtpError::InvalidField("one-byte extension element"));
        }
        let needed = pos + 1 + e.data.len();
        let hdr = (e.id << 4) | (e.data.len() as u8 - 1);
        put(out, pos, &[hdr]).ok_or(RtpError::BufferTooSmall {
            needed,
            capacity: out.len(),
        })?;
        put(out, pos + 1, e.data).ok_or(RtpError::BufferTooSmall {
            needed,
            capacity: out.len(),
        })?;
        pos = needed;
    }
    let padded = pos.div_ceil(4) * 4;
    let capacity = out.len();
    out.get_mut(pos..padded)
        .ok_or(RtpError::BufferTooSmall {
            needed: padded,
            capacity,
        })?
        .fill(0);
    Ok(padded)
}

/// What a datagram on a muxed RTP/RTCP port is (RFC 5761 §4, RFC 7983 first-byte ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MuxKind {
    /// RTP (version 2 and second byte's low 7 bits outside 64–95).
    Rtp,
    /// RTCP (version 2 and packet type 192–223, i.e. low 7 bits 64–95).
    Rtcp,
    /// Not RTP/RTCP (STUN, DTLS, garbage, or too short).
    Other,
}

/// Classifies a datagram received on an RTP/RTCP-muxed port (RFC 5761 §4): RTCP packet types
/// 192–223 collide with RTP payload types 64–95 with the marker set, which is why those RTP
/// payload types must not be used with mux.
pub fn classify_mux(buf: &[u8]) -> MuxKind {
    match buf {
        [b0, b1, ..] if b0 >> 6 == RTP_VERSION => {
            if (64..=95).contains(&(b1 & 0x7f)) {
                MuxKind::Rtcp
            } else {
                MuxKind::Rtp
            }
        }
        _ => MuxKind::Other,
    }
}

/// Fuzz entry: parses arbitrary bytes as RTP, RTCP compound and muxed input; must not panic.
#[doc(hidden)]
pub fn fuzz_rtp_rtcp(data: &[u8]) {
    let _ = classify_mux(data);
    if let Ok(p) = RtpPacket::parse(data) {
        let _ = (p.ssrc(), p.payload().len(), p.csrcs().count());
        if let Some(e) = p.extension() {
            if let Some(it) = e.elements() {
                for el in it {
                    let _ = el;
                }
            }
        }
    }
    let mut copy = [0u8; 2048];
    if let Some(dst) = copy.get_mut(..data.len()) {
        dst.copy_from_slice(data);
        if let Ok(mut m) = RtpPacketMut::new(dst) {
            m.set_ssrc(1);
            m.set_sequence_number(2);
            m.set_timestamp(3);
            m.set_payload_type(4);
        }
    }
    crate::rtcp::fuzz_rtcp(data);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn build_parse_round_trip_with_everything() {
        let mut ext = [0u8; 16];
        let n = write_one_byte_elements(
            &[
                ExtensionElement {
                    id: 1,
                    data: &[0xaa],
                },
                ExtensionElement {
                    id: 3,
                    data: &[1, 2, 3],
                },
            ],
            &mut ext,
        )
        .unwrap();
        assert_eq!(n, 8);
        let b = RtpBuilder {
            marker: true,
            payload_type: 96,
            sequence_number: 0xfffe,
            timestamp: 0xdeadbeef,
            ssrc: 0x12345678,
            csrcs: &[1, 2],
            extension: Some(HeaderExtension {
                profile: EXT_PROFILE_ONE_BYTE,
                data: &ext[..n],
            }),
            padding: 3,
        };
        let mut out = [0u8; 64];
        let len = b.write(b"hello", &mut out).unwrap();
        assert_eq!(len, b.len(5));
        let p = RtpPacket::parse(&out[..len]).unwrap();
        assert_eq!(p.version(), 2);
        assert!(p.marker() && p.has_padding() && p.has_extension());
        assert_eq!(p.payload_type(), 96);
        assert_eq!(p.sequence_number(), 0xfffe);
        assert_eq!(p.timestamp(), 0xdeadbeef);
        assert_eq!(p.ssrc(), 0x12345678);
        assert_eq!(p.csrcs().collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(p.payload(), b"hello");
        assert_eq!(p.padding_len(), 3);
        assert_eq!(p.payload_offset(), 12 + 8 + 4 + 8);
        let els: Vec<_> = p
            .extension()
            .unwrap()
            .elements()
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(els.len(), 2);
        assert_eq!(els[1].id, 3);
        assert_eq!(els[1].data, &[1, 2, 3]);
    }

    #[test]
    fn two_byte_extension() {
        let data = [5u8, 2, 9, 9, 0, 7, 0, 0];
        let e = HeaderExtension {
            profile: 0x1000,
            data: &data,
        };
        let els: Vec<_> = e.elements().unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(els.len(), 2);
        assert_eq!((els[0].id, els[0].data), (5, &[9u8, 9][..]));
        assert_eq!((els[1].id, els[1].data), (7, &[][..]));
        let bad = [5u8, 9, 1];
        let e = HeaderExtension {
            profile: 0x1000,
            data: &bad,
        };
        assert!(matches!(
            e.elements().unwrap().next(),
            Some(Err(RtpError::ExtensionElementOverrun { offset: 0 }))
        ));
    }

    #[test]
    fn rewrite_in_place() {
        let mut buf = [0x80u8, 0x80 | 8, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xff];
        let mut m = RtpPacketMut::new(&mut buf).unwrap();
        m.set_ssrc(0xa1a2a3a4);
        m.set_sequence_number(0xb1b2);
        m.set_timestamp(0xc1c2c3c4);
        m.set_payload_type(0);
        let p = RtpPacket::parse(&buf).unwrap();
        assert!(p.marker());
        assert_eq!(p.payload_type(), 0);
        assert_eq!(p.ssrc(), 0xa1a2a3a4);
        assert_eq!(p.sequence_number(), 0xb1b2);
        assert_eq!(p.timestamp(), 0xc1c2c3c4);
        assert_eq!(p.payload(), &[0xff]);
    }

    #[test]
    fn malformed() {
        assert!(matches!(
            RtpPacket::parse(&[0x80; 11]),
            Err(RtpError::TooShort { .. })
        ));
        assert_eq!(
            RtpPacket::parse(&[0x40; 12]).unwrap_err(),
            RtpError::BadVersion(1)
        );
        // CC=2 but no CSRCs.
        assert!(RtpPacket::parse(&[0x82, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        // X set, extension length 1 word but no data.
        let mut x = [0u8; 16];
        x[0] = 0x90;
        x[15] = 1;
        assert!(matches!(
            RtpPacket::parse(&x),
            Err(RtpError::TooShort { needed: 20, .. })
        ));
        // Padding count too large / zero.
        let mut p = [0u8; 14];
        p[0] = 0xa0;
        p[13] = 3;
        assert!(matches!(
            RtpPacket::parse(&p),
            Err(RtpError::BadPadding { .. })
        ));
        p[13] = 0;
        assert!(RtpPacket::parse(&p).is_err());
    }

    #[test]
    fn mux_classification() {
        assert_eq!(classify_mux(&[0x80, 0xc8]), MuxKind::Rtcp); // SR 200
        assert_eq!(classify_mux(&[0x80, 0xdf]), MuxKind::Rtcp); // 223
        assert_eq!(classify_mux(&[0x80, 0xe0]), MuxKind::Rtp); // PT 96 marker
        assert_eq!(classify_mux(&[0x80, 0x00]), MuxKind::Rtp);
        assert_eq!(classify_mux(&[0x80, 0xbf]), MuxKind::Rtp); // PT 63 with marker
        assert_eq!(classify_mux(&[0x00, 0x01]), MuxKind::Other); // STUN
        assert_eq!(classify_mux(&[0x80]), MuxKind::Other);
    }

    #[test]
    fn fuzz_entry_survives_garbage() {
        for seed in 0u32..2000 {
            let mut v = Vec::new();
            let mut x = seed.wrapping_mul(2654435761);
            for _ in 0..(seed % 80) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                v.push(x as u8);
            }
            if let Some(b) = v.first_mut() {
                *b = 0x80 | (*b & 0x3f);
            }
            fuzz_rtp_rtcp(&v);
        }
    }
}
