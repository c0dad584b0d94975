//! REMB, the receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb §2.2): an
//! application-layer feedback message (PSFB, FMT 15) whose FCI starts with the ASCII
//! `REMB`. WebRTC receivers send it instead of RFC 5104 TMMBR to cap what a sender sends;
//! it reaches us as [`RtcpPacket::Other`] and is read here.

use super::{RtcpPacket, PT_PSFB};
use crate::rtp::be::u32_at;

/// FMT of application-layer feedback (RFC 4585 §6.4).
pub const FMT_AFB: u8 = 15;

/// Most SSRCs one REMB may name (its count is 8 bits; the rest would be noise to us).
pub const MAX_REMB_SSRCS: usize = 255;

/// A REMB: the bitrate the receiver wants all named sources together to stay under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remb {
    /// Sender of the feedback.
    pub sender_ssrc: u32,
    /// Bit/s (mantissa shifted by the exponent, saturating).
    pub bitrate: u64,
    /// The media sources the estimate applies to.
    pub ssrcs: Vec<u32>,
}

impl Remb {
    /// The REMB a packet of a compound is, if it is one.
    pub fn of(p: &RtcpPacket<'_>) -> Option<Remb> {
        let RtcpPacket::Other {
            pt: PT_PSFB,
            count: FMT_AFB,
            body,
        } = p
        else {
            return None;
        };
        // Sender SSRC, media SSRC (0), then the FCI.
        let sender_ssrc = u32_at(body, 0)?;
        let fci = body.get(8..)?;
        if fci.get(..4)? != b"REMB" {
            return None;
        }
        let n = usize::from(*fci.get(4)?);
        let exp = fci.get(5)? >> 2;
        let mantissa = (u32::from(fci.get(5)? & 0x03) << 16)
            | (u32::from(*fci.get(6)?) << 8)
            | u32::from(*fci.get(7)?);
        let bitrate = u64::from(mantissa)
            .checked_shl(u32::from(exp))
            .filter(|b| b >> u32::from(exp) == u64::from(mantissa))
            .unwrap_or(u64::MAX);
        let ssrcs = (0..n.min(MAX_REMB_SSRCS))
            .map(|i| u32_at(fci, 8 + 4 * i))
            .collect::<Option<Vec<u32>>>()?;
        Some(Remb {
            sender_ssrc,
            bitrate,
            ssrcs,
        })
    }

    /// The packet's wire form (for peers in tests and benches): header, sender SSRC, media
    /// SSRC 0, `REMB`, the count, the bitrate with the smallest exponent whose mantissa fits
    /// 18 bits, the SSRCs.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut exp = 0u8;
        let mut m = self.bitrate;
        while m > 0x3_ffff && exp < 63 {
            m >>= 1;
            exp += 1;
        }
        let n = self.ssrcs.len().min(MAX_REMB_SSRCS);
        let words = 4 + n; // sender, media, REMB, count/exp/mantissa, SSRCs
        let mut out = Vec::with_capacity(4 + 4 * words);
        out.push(0x80 | FMT_AFB);
        out.push(PT_PSFB);
        out.extend_from_slice(&(words as u16).to_be_bytes());
        out.extend_from_slice(&self.sender_ssrc.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(b"REMB");
        out.push(n as u8);
        out.push((exp << 2) | ((m >> 16) as u8 & 0x03));
        out.push((m >> 8) as u8);
        out.push(m as u8);
        for s in self.ssrcs.iter().take(n) {
            out.extend_from_slice(&s.to_be_bytes());
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::super::parse_compound;
    use super::*;

    #[test]
    fn remb_round_trips_and_other_feedback_is_not_remb() {
        let r = Remb {
            sender_ssrc: 0x1111,
            bitrate: 1_500_000,
            ssrcs: vec![0xabcd, 0x1234],
        };
        let bytes = r.to_bytes();
        let p = parse_compound(&bytes).next().unwrap().unwrap();
        let back = Remb::of(&p).unwrap();
        // 1 500 000 needs exponent 3: the mantissa keeps all but the low 3 bits.
        assert_eq!(back.bitrate, 1_500_000 & !0x7);
        assert_eq!(
            (back.sender_ssrc, back.ssrcs),
            (0x1111, vec![0xabcd, 0x1234])
        );
        // Same shape, another identifier: not a REMB.
        let mut other = bytes.clone();
        other[12..16].copy_from_slice(b"XXXX");
        let p = parse_compound(&other).next().unwrap().unwrap();
        assert!(Remb::of(&p).is_none());
        // A count larger than the SSRCs present is malformed, not a REMB.
        let mut short = bytes;
        short[16] = 9;
        let p = parse_compound(&short).next().unwrap().unwrap();
        assert!(Remb::of(&p).is_none());
    }
}
