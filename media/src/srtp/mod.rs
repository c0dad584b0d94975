//! SRTP and SRTCP (RFC 3711) with the SDES suites the gateway negotiates:
//! `AES_CM_128_HMAC_SHA1_80/32`, `AES_256_CM_HMAC_SHA1_80/32` (RFC 6188) and
//! `AEAD_AES_128_GCM` / `AEAD_AES_256_GCM` (RFC 7714, 16-octet tags).
//!
//! One [`SrtpContext`] per direction (SDES gives each direction its own master key): the
//! outbound one is used with `protect_*`, the inbound one with `unprotect_*`.
//!
//! Design rules this module keeps (ARCHITECTURE.md, "The data path"):
//! - **In place, no allocation per packet.** Packets are transformed inside the caller's
//!   buffer; `protect_*` needs [`SrtpContext::rtp_overhead`] / [`SrtpContext::rtcp_overhead`]
//!   spare bytes after the packet. Per-SSRC state lives in a vector with room for
//!   [`INITIAL_SSRC_SLOTS`] at creation, doubled (up to [`Policy::max_ssrcs`]) only when an
//!   authenticated packet brings a new SSRC; replay bitmaps are inline arrays. Reserving every
//!   slot up front cost about 10 KiB per context, 43 KiB per SRTP audio call, for SSRCs a
//!   call almost never has.
//! - **Authenticate first.** On receive, the replay window is *checked* (read-only), then the
//!   tag is verified in constant time, then the payload is decrypted (AES-GCM does both in
//!   one pass and wipes the payload on a mismatch), and only then are the
//!   window, the ROC and the SSRC table updated. A forged packet changes no state (except
//!   the drop counters), and cannot create SSRC entries.
//! - **Every drop has a reason**, returned as [`SrtpError`] and counted in [`SrtpStats`].
//! - **Keys are zeroized**: [`Policy`] on drop, derived keys inside the cipher objects (see
//!   `crypto.rs` for the HMAC state and aws-lc's AES-GCM context).
//! - **MKI** (RFC 3711 §3.1) is supported with one master key per context: the configured
//!   MKI is written on protect and must match on unprotect (mismatch is a counted drop).
//! - Key derivation rate is 0 (the only value SDES-SRTP uses in practice; RFC 4568 allows
//!   others, they are refused by the SDP layer).

mod crypto;
mod replay;
#[cfg(test)]
mod tests;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::rtp;
use crypto::{AuthFail, Session, GCM_TAG_LEN};
use replay::{ReplayReject, ReplayWindow};
pub use replay::{DEFAULT_REPLAY_WINDOW, MAX_REPLAY_WINDOW};

/// Default bound on distinct SSRCs one context tracks (audio, video, content, RTX and a
/// few renegotiations). Packets from further SSRCs are dropped and counted.
pub const DEFAULT_MAX_SSRCS: usize = 32;
/// Hard upper bound on [`Policy::max_ssrcs`], so a configuration cannot make per-context
/// memory or the linear SSRC lookup unbounded.
pub const MAX_SSRCS_LIMIT: usize = 1024;

/// SSRC slots a context has room for at creation: one stream per direction is the common
/// call, and a second covers one change of source (a re-INVITE, a transcoder switching in).
pub const INITIAL_SSRC_SLOTS: usize = 2;
/// Longest accepted MKI (RFC 4568 allows 1–128; real devices use 1–4).
pub const MAX_MKI_LEN: usize = 16;
/// Largest SRTCP index (31 bits, RFC 3711 §3.4).
pub const MAX_SRTCP_INDEX: u32 = 0x7fff_ffff;
/// Largest SRTP packet index (48 bits) before the master key must be replaced.
pub const MAX_SRTP_INDEX: u64 = (1 << 48) - 1;
/// Length of the SRTCP E-flag + index word.
pub const SRTCP_INDEX_LEN: usize = 4;
/// RTCP header + sender SSRC, left in clear by SRTCP.
const RTCP_CLEAR_LEN: usize = 8;

/// An SRTP protection profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suite {
    /// AES-128 counter mode, HMAC-SHA1 80-bit tag (RFC 3711 / 4568).
    AesCm128HmacSha1_80,
    /// AES-128 counter mode, HMAC-SHA1 32-bit SRTP tag (80-bit SRTCP tag).
    AesCm128HmacSha1_32,
    /// AES-256 counter mode, HMAC-SHA1 80-bit tag (RFC 6188).
    AesCm256HmacSha1_80,
    /// AES-256 counter mode, HMAC-SHA1 32-bit SRTP tag (80-bit SRTCP tag) (RFC 6188).
    AesCm256HmacSha1_32,
    /// AES-128-GCM, 16-octet tag (RFC 7714).
    AeadAes128Gcm,
    /// AES-256-GCM, 16-octet tag (RFC 7714).
    AeadAes256Gcm,
}

impl Suite {
    /// All supported suites.
    pub const ALL: [Suite; 6] = [
        Suite::AesCm128HmacSha1_80,
        Suite::AesCm128HmacSha1_32,
        Suite::AesCm256HmacSha1_80,
        Suite::AesCm256HmacSha1_32,
        Suite::AeadAes128Gcm,
        Suite::AeadAes256Gcm,
    ];

    /// SDES (RFC 4568 / 6188 / 7714) crypto-suite name.
    pub fn name(self) -> &'static str {
        match self {
            Suite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Suite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
            Suite::AesCm256HmacSha1_80 => "AES_256_CM_HMAC_SHA1_80",
            Suite::AesCm256HmacSha1_32 => "AES_256_CM_HMAC_SHA1_32",
            Suite::AeadAes128Gcm => "AEAD_AES_128_GCM",
            Suite::AeadAes256Gcm => "AEAD_AES_256_GCM",
        }
    }

    /// Looks a suite up by its SDES name.
    pub fn from_name(name: &str) -> Option<Suite> {
        Suite::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Master (and session) key length in octets.
    pub fn master_key_len(self) -> usize {
        match self {
            Suite::AesCm128HmacSha1_80 | Suite::AesCm128HmacSha1_32 | Suite::AeadAes128Gcm => 16,
            _ => 32,
        }
    }

    /// Master salt length: 112 bits for AES-CM, 96 bits for AEAD (RFC 7714 §12).
    pub fn master_salt_len(self) -> usize {
        if self.is_aead() {
            12
        } else {
            14
        }
    }

    /// Authentication tag length of SRTP packets.
    pub fn srtp_tag_len(self) -> usize {
        match self {
            Suite::AesCm128HmacSha1_80 | Suite::AesCm256HmacSha1_80 => 10,
            Suite::AesCm128HmacSha1_32 | Suite::AesCm256HmacSha1_32 => 4,
            Suite::AeadAes128Gcm | Suite::AeadAes256Gcm => GCM_TAG_LEN,
        }
    }

    /// Authentication tag length of SRTCP packets: the `_32` suites still use 80 bits for
    /// SRTCP (RFC 4568 §6.2.1 / RFC 6188 §6).
    pub fn srtcp_tag_len(self) -> usize {
        if self.is_aead() {
            GCM_TAG_LEN
        } else {
            10
        }
    }

    /// True for the RFC 7714 AEAD suites.
    pub fn is_aead(self) -> bool {
        matches!(self, Suite::AeadAes128Gcm | Suite::AeadAes256Gcm)
    }
}

impl std::fmt::Display for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Keys and limits of one direction. Zeroized on drop; `Debug` never prints key material.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Policy {
    /// Protection profile.
    #[zeroize(skip)]
    pub suite: Suite,
    /// Master key ([`Suite::master_key_len`] octets).
    pub master_key: Vec<u8>,
    /// Master salt ([`Suite::master_salt_len`] octets).
    pub master_salt: Vec<u8>,
    /// Replay window in packets, 1..=[`MAX_REPLAY_WINDOW`].
    pub replay_window: usize,
    /// Master key identifier carried in every packet, 1..=[`MAX_MKI_LEN`] octets.
    pub mki: Option<Vec<u8>>,
    /// Bound on SSRCs tracked, 1..=[`MAX_SSRCS_LIMIT`].
    pub max_ssrcs: usize,
    /// Master key lifetime (RFC 4568 §6.1): packets this key may protect or accept, counted
    /// for SRTP and SRTCP separately. `None`: only the index space bounds it. Once used up
    /// every packet is refused with [`SrtpError::KeyExpired`], never sent under a spent key.
    #[zeroize(skip)]
    pub lifetime: Option<u64>,
}

impl Policy {
    /// A policy with default replay window, no MKI and [`DEFAULT_MAX_SSRCS`].
    pub fn new(suite: Suite, master_key: &[u8], master_salt: &[u8]) -> Self {
        Self {
            suite,
            master_key: master_key.to_vec(),
            master_salt: master_salt.to_vec(),
            replay_window: DEFAULT_REPLAY_WINDOW,
            mki: None,
            max_ssrcs: DEFAULT_MAX_SSRCS,
            lifetime: None,
        }
    }
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("suite", &self.suite)
            .field("master_key", &"<redacted>")
            .field("master_salt", &"<redacted>")
            .field("replay_window", &self.replay_window)
            .field("mki", &self.mki)
            .field("max_ssrcs", &self.max_ssrcs)
            .finish()
    }
}

/// A policy the context cannot be built from (our misuse or the peer's bad SDP).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrtpConfigError {
    /// Master key length does not match the suite.
    #[error("{suite}: master key must be {expected} octets, got {got}")]
    KeyLength {
        /// Suite.
        suite: Suite,
        /// Required length.
        expected: usize,
        /// Given length.
        got: usize,
    },
    /// Master salt length does not match the suite.
    #[error("{suite}: master salt must be {expected} octets, got {got}")]
    SaltLength {
        /// Suite.
        suite: Suite,
        /// Required length.
        expected: usize,
        /// Given length.
        got: usize,
    },
    /// Replay window out of 1..=MAX_REPLAY_WINDOW.
    #[error("replay window {0} out of range 1..={MAX_REPLAY_WINDOW}")]
    ReplayWindow(usize),
    /// MKI empty or longer than MAX_MKI_LEN.
    #[error("MKI length {0} out of range 1..={MAX_MKI_LEN}")]
    MkiLength(usize),
    /// max_ssrcs out of 1..=MAX_SSRCS_LIMIT.
    #[error("max_ssrcs {0} out of range 1..={MAX_SSRCS_LIMIT}")]
    MaxSsrcs(usize),
    /// The crypto library refused a derived session key (cannot happen with the suites'
    /// key lengths; an error rather than a panic all the same).
    #[error("{0}: crypto library refused the session key")]
    CipherKey(Suite),
}

/// Why a packet was not protected or was dropped on unprotect. Every variant is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrtpError {
    /// Shorter than header + trailer.
    #[error("packet too short ({len} bytes, need {needed})")]
    TooShort {
        /// Bytes present.
        len: usize,
        /// Minimum for this suite and header.
        needed: usize,
    },
    /// RTP/RTCP header malformed (version, CSRC count, extension length).
    #[error("malformed header")]
    MalformedHeader,
    /// Tag mismatch (or AEAD open failure).
    #[error("authentication failed")]
    AuthFailed,
    /// Index already received.
    #[error("replayed packet (index {index})")]
    Replayed {
        /// The duplicate index.
        index: u64,
    },
    /// Index older than the replay window.
    #[error("packet older than the replay window (index {index})")]
    TooOld {
        /// The stale index.
        index: u64,
    },
    /// New SSRC while [`Policy::max_ssrcs`] are already tracked.
    #[error("SSRC {ssrc:08x} unknown and the context tracks its maximum of SSRCs")]
    SsrcLimit {
        /// The SSRC refused.
        ssrc: u32,
    },
    /// MKI in the packet is not ours.
    #[error("MKI does not match the context's master key")]
    MkiMismatch,
    /// No room after the packet for the trailer.
    #[error("buffer too small: need {needed} bytes, have {capacity}")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Buffer length.
        capacity: usize,
    },
    /// SRTP index or SRTCP index space exhausted: the master key must be replaced.
    #[error("packet index space exhausted; rekey")]
    IndexExhausted,
    /// The master key's signalled lifetime is used up: the key must be replaced.
    #[error("master key lifetime used up; rekey")]
    KeyExpired,
}

/// Counters of one context. Returned, never logged from here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SrtpStats {
    /// SRTP packets protected.
    pub rtp_protected: u64,
    /// SRTP packets accepted.
    pub rtp_unprotected: u64,
    /// SRTCP packets protected.
    pub rtcp_protected: u64,
    /// SRTCP packets accepted.
    pub rtcp_unprotected: u64,
    /// Drops: too short.
    pub too_short: u64,
    /// Drops: malformed header.
    pub malformed_header: u64,
    /// Drops: authentication failure.
    pub auth_failures: u64,
    /// Drops: replay (duplicate).
    pub replayed: u64,
    /// Drops: older than the window.
    pub too_old: u64,
    /// Drops: unknown SSRC over [`Policy::max_ssrcs`].
    pub ssrc_limit: u64,
    /// Drops: MKI mismatch.
    pub mki_mismatch: u64,
    /// Refusals: caller buffer too small.
    pub buffer_too_small: u64,
    /// Refusals: index exhausted.
    pub index_exhausted: u64,
    /// Refusals: master key lifetime used up.
    pub key_expired: u64,
}

impl SrtpStats {
    fn count(&mut self, e: &SrtpError) {
        let c = match e {
            SrtpError::TooShort { .. } => &mut self.too_short,
            SrtpError::MalformedHeader => &mut self.malformed_header,
            SrtpError::AuthFailed => &mut self.auth_failures,
            SrtpError::Replayed { .. } => &mut self.replayed,
            SrtpError::TooOld { .. } => &mut self.too_old,
            SrtpError::SsrcLimit { .. } => &mut self.ssrc_limit,
            SrtpError::MkiMismatch => &mut self.mki_mismatch,
            SrtpError::BufferTooSmall { .. } => &mut self.buffer_too_small,
            SrtpError::IndexExhausted => &mut self.index_exhausted,
            SrtpError::KeyExpired => &mut self.key_expired,
        };
        *c += 1;
    }

    /// Sum of all drops and refusals.
    pub fn dropped(&self) -> u64 {
        self.too_short
            + self.malformed_header
            + self.auth_failures
            + self.replayed
            + self.too_old
            + self.ssrc_limit
            + self.mki_mismatch
            + self.buffer_too_small
            + self.index_exhausted
            + self.key_expired
    }
}

/// Per-SSRC stream state (RFC 3711 §3.2.1 "cryptographic context" minus the keys, which
/// are shared because KDR = 0).
#[derive(Debug, Clone)]
struct Stream {
    ssrc: u32,
    /// Highest SRTP index seen/sent: ROC << 16 | s_l. `None` before the first packet.
    rtp_highest: Option<u64>,
    rtp_replay: ReplayWindow,
    /// Last SRTCP index sent (the first packet uses 1, as libsrtp does).
    rtcp_sent: u32,
    rtcp_replay: ReplayWindow,
}

impl Stream {
    fn new(ssrc: u32, window: usize) -> Self {
        Self {
            ssrc,
            rtp_highest: None,
            rtp_replay: ReplayWindow::new(window),
            rtcp_sent: 0,
            rtcp_replay: ReplayWindow::new(window),
        }
    }

    /// RFC 3711 Appendix A index estimate from the highest index and `seq`.
    ///
    /// While the ROC is 0, a guess of ROC - 1 is taken as ROC 0 (a forward jump) instead of
    /// a negative index, as libsrtp does (`srtp_rdbx_estimate_index`); both ends then agree
    /// on the index of a stream whose first packets jump by more than 2^15.
    fn estimate(&self, seq: u16) -> u64 {
        let Some(highest) = self.rtp_highest else {
            // First packet: s_l := seq, ROC := 0 (RFC 3711 §3.3.1).
            return u64::from(seq);
        };
        let roc = highest >> 16;
        let s_l = (highest & 0xffff) as u16;
        let v = if s_l < 0x8000 {
            if u32::from(seq) > u32::from(s_l) + 0x8000 {
                roc.saturating_sub(1)
            } else {
                roc
            }
        } else if u32::from(s_l) - 0x8000 > u32::from(seq) {
            roc + 1
        } else {
            roc
        };
        (v << 16) | u64::from(seq)
    }

    fn advance(&mut self, index: u64) {
        if self.rtp_highest.is_none_or(|h| index > h) {
            self.rtp_highest = Some(index);
        }
    }
}

/// SRTP/SRTCP context for one direction.
pub struct SrtpContext {
    suite: Suite,
    rtp: Session,
    rtcp: Session,
    mki: [u8; MAX_MKI_LEN],
    mki_len: usize,
    window: usize,
    max_ssrcs: usize,
    /// Packets allowed under the master key, per protocol (see [`Policy::lifetime`]).
    lifetime: u64,
    streams: Vec<Stream>,
    stats: SrtpStats,
}

impl std::fmt::Debug for SrtpContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrtpContext")
            .field("suite", &self.suite)
            .field("streams", &self.streams.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Where a stream is: an existing slot or a fresh state not yet inserted (kept on the
/// stack, so a flood of forged packets for unknown SSRCs allocates nothing either).
#[allow(clippy::large_enum_variant)]
enum Slot {
    Existing(usize),
    New(Stream),
}

impl SrtpContext {
    /// Validates the policy and derives the six session keys (KDR 0).
    pub fn new(policy: &Policy) -> Result<Self, SrtpConfigError> {
        let suite = policy.suite;
        if policy.master_key.len() != suite.master_key_len() {
            return Err(SrtpConfigError::KeyLength {
                suite,
                expected: suite.master_key_len(),
                got: policy.master_key.len(),
            });
        }
        if policy.master_salt.len() != suite.master_salt_len() {
            return Err(SrtpConfigError::SaltLength {
                suite,
                expected: suite.master_salt_len(),
                got: policy.master_salt.len(),
            });
        }
        if !(1..=MAX_REPLAY_WINDOW).contains(&policy.replay_window) {
            return Err(SrtpConfigError::ReplayWindow(policy.replay_window));
        }
        if !(1..=MAX_SSRCS_LIMIT).contains(&policy.max_ssrcs) {
            return Err(SrtpConfigError::MaxSsrcs(policy.max_ssrcs));
        }
        let mut mki = [0u8; MAX_MKI_LEN];
        let mut mki_len = 0;
        if let Some(m) = &policy.mki {
            let dst = mki
                .get_mut(..m.len())
                .filter(|_| !m.is_empty())
                .ok_or(SrtpConfigError::MkiLength(m.len()))?;
            dst.copy_from_slice(m);
            mki_len = m.len();
        }
        let derive = |rtcp| {
            Session::derive(suite, &policy.master_key, &policy.master_salt, rtcp)
                .map_err(|AuthFail| SrtpConfigError::CipherKey(suite))
        };
        Ok(Self {
            suite,
            rtp: derive(false)?,
            rtcp: derive(true)?,
            mki,
            mki_len,
            window: policy.replay_window,
            max_ssrcs: policy.max_ssrcs,
            lifetime: policy.lifetime.unwrap_or(u64::MAX),
            streams: Vec::with_capacity(INITIAL_SSRC_SLOTS.min(policy.max_ssrcs)),
            stats: SrtpStats::default(),
        })
    }

    /// Test hook: replaces both sessions with directly given AEAD session keys.
    #[cfg(test)]
    fn with_gcm_session_keys(mut self, key: &[u8], salt: &[u8; 12]) -> Self {
        self.rtp = Session::gcm_from_session_keys(key, salt);
        self.rtcp = Session::gcm_from_session_keys(key, salt);
        self
    }

    /// Test hook: replaces both sessions with directly given AES-CM session keys.
    #[cfg(test)]
    fn with_cm_session_keys(mut self, key: &[u8], salt: &[u8; 14]) -> Self {
        self.rtp = Session::cm_from_session_keys(key, salt);
        self.rtcp = Session::cm_from_session_keys(key, salt);
        self
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// Counters.
    pub fn stats(&self) -> &SrtpStats {
        &self.stats
    }

    /// Bytes `protect_rtp` appends (tag + MKI).
    pub fn rtp_overhead(&self) -> usize {
        self.suite.srtp_tag_len() + self.mki_len
    }

    /// Bytes `protect_rtcp` appends (E||index + tag + MKI).
    pub fn rtcp_overhead(&self) -> usize {
        SRTCP_INDEX_LEN + self.suite.srtcp_tag_len() + self.mki_len
    }

    /// Rollover counter of `ssrc`'s SRTP stream, if known.
    pub fn roc(&self, ssrc: u32) -> Option<u32> {
        self.streams
            .iter()
            .find(|s| s.ssrc == ssrc)
            .and_then(|s| s.rtp_highest)
            .map(|h| (h >> 16) as u32)
    }

    /// Number of SSRCs tracked.
    pub fn ssrc_count(&self) -> usize {
        self.streams.len()
    }

    fn mki(&self) -> &[u8] {
        self.mki.get(..self.mki_len).unwrap_or_default()
    }

    fn fail<T>(&mut self, e: SrtpError) -> Result<T, SrtpError> {
        self.stats.count(&e);
        Err(e)
    }

    fn slot(&self, ssrc: u32) -> Result<Slot, SrtpError> {
        match self.streams.iter().position(|s| s.ssrc == ssrc) {
            Some(i) => Ok(Slot::Existing(i)),
            None if self.streams.len() >= self.max_ssrcs => Err(SrtpError::SsrcLimit { ssrc }),
            None => Ok(Slot::New(Stream::new(ssrc, self.window))),
        }
    }

    /// Returns the slot index, inserting a new stream. Only an authenticated packet with a
    /// new SSRC gets here with [`Slot::New`], so the table grows (doubling, never past
    /// `max_ssrcs`) at most a few times per context and never for forged packets.
    fn commit(&mut self, slot: Slot) -> usize {
        match slot {
            Slot::Existing(i) => i,
            Slot::New(s) => {
                let len = self.streams.len();
                if len == self.streams.capacity() {
                    self.streams
                        .reserve_exact(len.max(1).min(self.max_ssrcs.saturating_sub(len).max(1)));
                }
                self.streams.push(s);
                self.streams.len() - 1
            }
        }
    }

    /// Protects the RTP packet `buf[..len]` in place; writes the trailer after it and
    /// returns the SRTP length. `buf.len()` must be at least `len + rtp_overhead()`.
    pub fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        if self.stats.rtp_protected >= self.lifetime {
            return self.fail(SrtpError::KeyExpired);
        }
        match self.protect_rtp_inner(buf, len) {
            Ok(n) => {
                self.stats.rtp_protected += 1;
                Ok(n)
            }
            Err(e) => self.fail(e),
        }
    }

    fn protect_rtp_inner(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let capacity = buf.len();
        let pkt = buf.get(..len).ok_or(SrtpError::TooShort {
            len: capacity,
            needed: len,
        })?;
        let hdr_len = rtp::header_len(pkt).map_err(|_| SrtpError::MalformedHeader)?;
        let (seq, ssrc) = rtp_seq_ssrc(pkt).ok_or(SrtpError::MalformedHeader)?;
        let tag_len = self.suite.srtp_tag_len();
        let needed = len + tag_len + self.mki_len;
        if capacity < needed {
            return Err(SrtpError::BufferTooSmall { needed, capacity });
        }
        let slot = self.slot(ssrc)?;
        let index = match &slot {
            Slot::Existing(i) => self.streams.get(*i).map(|s| s.estimate(seq)),
            Slot::New(s) => Some(s.estimate(seq)),
        }
        .ok_or(SrtpError::MalformedHeader)?;
        if index > MAX_SRTP_INDEX {
            return Err(SrtpError::IndexExhausted);
        }
        let i = self.commit(slot);
        if let Some(s) = self.streams.get_mut(i) {
            s.advance(index);
        }
        let roc = (index >> 16) as u32;
        let mki_len = self.mki_len;
        let (pkt, trailer) = buf.split_at_mut(len);
        let trailer = trailer
            .get_mut(..tag_len + mki_len)
            .ok_or(SrtpError::MalformedHeader)?;
        match &self.rtp {
            Session::Cm(cm) => {
                // Encrypt, then MAC header || ciphertext || ROC (RFC 3711 §4.2).
                cm.crypt(ssrc, index, pkt.get_mut(hdr_len..).unwrap_or_default());
                let (mki, tag) = trailer.split_at_mut(mki_len);
                mki.copy_from_slice(self.mki.get(..mki_len).unwrap_or_default());
                let full = cm.mac(pkt, &roc.to_be_bytes());
                tag.copy_from_slice(full.get(..tag_len).unwrap_or_default());
            }
            Session::Gcm(g) => {
                let (hdr, payload) = pkt.split_at_mut(hdr_len);
                let nonce = g.nonce(ssrc, roc, seq);
                let t = g
                    .seal(&nonce, hdr, payload)
                    .map_err(|_| SrtpError::BufferTooSmall { needed, capacity })?;
                let (tag, mki) = trailer.split_at_mut(GCM_TAG_LEN.min(tag_len));
                tag.copy_from_slice(&t);
                mki.copy_from_slice(self.mki.get(..mki_len).unwrap_or_default());
            }
        }
        Ok(needed)
    }

    /// Verifies and decrypts the SRTP packet filling `buf` in place; returns the RTP length.
    /// On error the packet must be dropped (its bytes are unspecified); no state changed
    /// except the drop counter.
    pub fn unprotect_rtp(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        if self.stats.rtp_unprotected >= self.lifetime {
            return self.fail(SrtpError::KeyExpired);
        }
        match self.unprotect_rtp_inner(buf) {
            Ok(n) => {
                self.stats.rtp_unprotected += 1;
                Ok(n)
            }
            Err(e) => self.fail(e),
        }
    }

    fn unprotect_rtp_inner(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let len = buf.len();
        let hdr_len = rtp::header_len(buf).map_err(|e| match e {
            rtp::RtpError::TooShort { needed, len } => SrtpError::TooShort { len, needed },
            _ => SrtpError::MalformedHeader,
        })?;
        let (seq, ssrc) = rtp_seq_ssrc(buf).ok_or(SrtpError::MalformedHeader)?;
        let tag_len = self.suite.srtp_tag_len();
        let mki_len = self.mki_len;
        let needed = hdr_len + tag_len + mki_len;
        let Some(body_end) = len.checked_sub(tag_len + mki_len).filter(|&e| e >= hdr_len) else {
            return Err(SrtpError::TooShort { len, needed });
        };
        let (pkt, trailer) = buf.split_at_mut(body_end);
        let (mki, tag) = if self.suite.is_aead() {
            let (t, m) = trailer.split_at(tag_len);
            (m, t)
        } else {
            trailer.split_at(mki_len)
        };
        if mki != self.mki() {
            return Err(SrtpError::MkiMismatch);
        }
        let slot = self.slot(ssrc)?;
        let stream = match &slot {
            Slot::Existing(i) => self.streams.get(*i).ok_or(SrtpError::MalformedHeader)?,
            Slot::New(s) => s,
        };
        let index = stream.estimate(seq);
        replay_check(&stream.rtp_replay, index)?;
        let roc = (index >> 16) as u32;
        match &self.rtp {
            Session::Cm(cm) => {
                cm.verify(pkt, &roc.to_be_bytes(), tag)
                    .map_err(|AuthFail| SrtpError::AuthFailed)?;
                cm.crypt(ssrc, index, pkt.get_mut(hdr_len..).unwrap_or_default());
            }
            Session::Gcm(g) => {
                let (hdr, payload) = pkt.split_at_mut(hdr_len);
                let nonce = g.nonce(ssrc, roc, seq);
                let tag: &[u8; GCM_TAG_LEN] = tag.try_into().map_err(|_| SrtpError::AuthFailed)?;
                g.open(&nonce, hdr, payload, tag)
                    .map_err(|AuthFail| SrtpError::AuthFailed)?;
            }
        }
        let i = self.commit(slot);
        if let Some(s) = self.streams.get_mut(i) {
            s.rtp_replay.update(index);
            s.advance(index);
        }
        Ok(body_end)
    }

    /// Protects the RTCP compound `buf[..len]` in place (always encrypted, E = 1); returns
    /// the SRTCP length. `buf.len()` must be at least `len + rtcp_overhead()`.
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        if self.stats.rtcp_protected >= self.lifetime {
            return self.fail(SrtpError::KeyExpired);
        }
        match self.protect_rtcp_inner(buf, len) {
            Ok(n) => {
                self.stats.rtcp_protected += 1;
                Ok(n)
            }
            Err(e) => self.fail(e),
        }
    }

    fn protect_rtcp_inner(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let capacity = buf.len();
        let pkt = buf.get(..len).ok_or(SrtpError::TooShort {
            len: capacity,
            needed: len,
        })?;
        let ssrc = rtcp_ssrc(pkt)?;
        let tag_len = self.suite.srtcp_tag_len();
        let mki_len = self.mki_len;
        let needed = len + SRTCP_INDEX_LEN + tag_len + mki_len;
        if capacity < needed {
            return Err(SrtpError::BufferTooSmall { needed, capacity });
        }
        let slot = self.slot(ssrc)?;
        let sent = match &slot {
            Slot::Existing(i) => self.streams.get(*i).map_or(0, |s| s.rtcp_sent),
            Slot::New(s) => s.rtcp_sent,
        };
        if sent >= MAX_SRTCP_INDEX {
            return Err(SrtpError::IndexExhausted);
        }
        let index = sent + 1;
        let i = self.commit(slot);
        if let Some(s) = self.streams.get_mut(i) {
            s.rtcp_sent = index;
        }
        let e_index = (0x8000_0000 | index).to_be_bytes();
        let (pkt, trailer) = buf.split_at_mut(len);
        let trailer = trailer
            .get_mut(..SRTCP_INDEX_LEN + tag_len + mki_len)
            .ok_or(SrtpError::MalformedHeader)?;
        let mki = self.mki.get(..mki_len).unwrap_or_default();
        match &self.rtcp {
            Session::Cm(cm) => {
                // header | encrypted | E||index | MKI | tag ; tag over header..E||index.
                let payload = pkt.get_mut(RTCP_CLEAR_LEN..).unwrap_or_default();
                cm.crypt(ssrc, u64::from(index), payload);
                let (ei, rest) = trailer.split_at_mut(SRTCP_INDEX_LEN);
                ei.copy_from_slice(&e_index);
                let (m, tag) = rest.split_at_mut(mki_len);
                m.copy_from_slice(mki);
                let full = cm.mac(pkt, &e_index);
                tag.copy_from_slice(full.get(..tag_len).unwrap_or_default());
            }
            Session::Gcm(g) => {
                // header | ciphertext | tag | E||index | MKI ; AAD = header || E||index.
                let (clear, payload) = pkt.split_at_mut(RTCP_CLEAR_LEN);
                let nonce = rtcp_gcm_nonce(g, ssrc, index);
                let mut aad = [0u8; RTCP_CLEAR_LEN + SRTCP_INDEX_LEN];
                let (a, b) = aad.split_at_mut(RTCP_CLEAR_LEN);
                a.copy_from_slice(clear);
                b.copy_from_slice(&e_index);
                let t = g
                    .seal(&nonce, &aad, payload)
                    .map_err(|_| SrtpError::BufferTooSmall { needed, capacity })?;
                let (tag, rest) = trailer.split_at_mut(GCM_TAG_LEN);
                tag.copy_from_slice(&t);
                let (ei, m) = rest.split_at_mut(SRTCP_INDEX_LEN);
                ei.copy_from_slice(&e_index);
                m.copy_from_slice(mki);
            }
        }
        Ok(needed)
    }

    /// Verifies and (when E = 1) decrypts the SRTCP packet filling `buf`; returns the RTCP
    /// length. Accepts E = 0 (authenticated-only) packets from peers that send them.
    pub fn unprotect_rtcp(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        if self.stats.rtcp_unprotected >= self.lifetime {
            return self.fail(SrtpError::KeyExpired);
        }
        match self.unprotect_rtcp_inner(buf) {
            Ok(n) => {
                self.stats.rtcp_unprotected += 1;
                Ok(n)
            }
            Err(e) => self.fail(e),
        }
    }

    fn unprotect_rtcp_inner(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let len = buf.len();
        let tag_len = self.suite.srtcp_tag_len();
        let mki_len = self.mki_len;
        let needed = RTCP_CLEAR_LEN + SRTCP_INDEX_LEN + tag_len + mki_len;
        if len < needed {
            return Err(SrtpError::TooShort { len, needed });
        }
        let ssrc = rtcp_ssrc(buf)?;
        let aead = self.suite.is_aead();
        // Positions of the trailer fields.
        let (ei_at, mki_at, tag_at, body_end) = if aead {
            let mki_at = len - mki_len;
            let ei_at = mki_at - SRTCP_INDEX_LEN;
            let tag_at = ei_at - tag_len;
            (ei_at, mki_at, tag_at, tag_at)
        } else {
            let tag_at = len - tag_len;
            let mki_at = tag_at - mki_len;
            let ei_at = mki_at - SRTCP_INDEX_LEN;
            (ei_at, mki_at, tag_at, ei_at)
        };
        let mki = buf.get(mki_at..mki_at + mki_len).unwrap_or_default();
        if mki != self.mki() {
            return Err(SrtpError::MkiMismatch);
        }
        let e_index: [u8; 4] = buf
            .get(ei_at..ei_at + SRTCP_INDEX_LEN)
            .and_then(|s| s.try_into().ok())
            .ok_or(SrtpError::MalformedHeader)?;
        let word = u32::from_be_bytes(e_index);
        let encrypted = word & 0x8000_0000 != 0;
        let index = word & MAX_SRTCP_INDEX;
        let slot = self.slot(ssrc)?;
        let stream = match &slot {
            Slot::Existing(i) => self.streams.get(*i).ok_or(SrtpError::MalformedHeader)?,
            Slot::New(s) => s,
        };
        replay_check(&stream.rtcp_replay, u64::from(index))?;
        match &self.rtcp {
            Session::Cm(cm) => {
                let (authed, rest) = buf.split_at_mut(mki_at);
                let tag = rest.get(tag_at - mki_at..).unwrap_or_default();
                cm.verify(authed, &[], tag)
                    .map_err(|AuthFail| SrtpError::AuthFailed)?;
                if encrypted {
                    let payload = authed
                        .get_mut(RTCP_CLEAR_LEN..ei_at)
                        .ok_or(SrtpError::MalformedHeader)?;
                    cm.crypt(ssrc, u64::from(index), payload);
                }
            }
            Session::Gcm(g) => {
                let nonce = rtcp_gcm_nonce(g, ssrc, index);
                let tag: [u8; GCM_TAG_LEN] = buf
                    .get(tag_at..tag_at + GCM_TAG_LEN)
                    .and_then(|s| s.try_into().ok())
                    .ok_or(SrtpError::MalformedHeader)?;
                if encrypted {
                    let mut aad = [0u8; RTCP_CLEAR_LEN + SRTCP_INDEX_LEN];
                    let (a, b) = aad.split_at_mut(RTCP_CLEAR_LEN);
                    a.copy_from_slice(buf.get(..RTCP_CLEAR_LEN).unwrap_or_default());
                    b.copy_from_slice(&e_index);
                    let payload = buf
                        .get_mut(RTCP_CLEAR_LEN..body_end)
                        .ok_or(SrtpError::MalformedHeader)?;
                    g.open(&nonce, &aad, payload, &tag)
                        .map_err(|AuthFail| SrtpError::AuthFailed)?;
                } else {
                    // E = 0: AAD = whole RTCP packet || E||index (RFC 7714 §9.2), empty
                    // plaintext. Move E||index next to the packet to make the AAD one
                    // slice; the tag was copied out above.
                    buf.copy_within(ei_at..ei_at + SRTCP_INDEX_LEN, body_end);
                    let aad = buf
                        .get(..body_end + SRTCP_INDEX_LEN)
                        .ok_or(SrtpError::MalformedHeader)?;
                    g.open(&nonce, aad, &mut [], &tag)
                        .map_err(|AuthFail| SrtpError::AuthFailed)?;
                }
            }
        }
        let i = self.commit(slot);
        if let Some(s) = self.streams.get_mut(i) {
            s.rtcp_replay.update(u64::from(index));
        }
        Ok(body_end)
    }

    /// [`Self::protect_rtp`] on a `Vec`: grows it by the overhead (no allocation when the
    /// capacity was reserved).
    pub fn protect_rtp_vec(&mut self, pkt: &mut Vec<u8>) -> Result<(), SrtpError> {
        let len = pkt.len();
        pkt.resize(len + self.rtp_overhead(), 0);
        match self.protect_rtp(pkt, len) {
            Ok(n) => {
                pkt.truncate(n);
                Ok(())
            }
            Err(e) => {
                pkt.truncate(len);
                Err(e)
            }
        }
    }

    /// [`Self::unprotect_rtp`] on a `Vec`: truncates it to the RTP packet.
    pub fn unprotect_rtp_vec(&mut self, pkt: &mut Vec<u8>) -> Result<(), SrtpError> {
        let n = self.unprotect_rtp(pkt)?;
        pkt.truncate(n);
        Ok(())
    }

    /// [`Self::protect_rtcp`] on a `Vec`.
    pub fn protect_rtcp_vec(&mut self, pkt: &mut Vec<u8>) -> Result<(), SrtpError> {
        let len = pkt.len();
        pkt.resize(len + self.rtcp_overhead(), 0);
        match self.protect_rtcp(pkt, len) {
            Ok(n) => {
                pkt.truncate(n);
                Ok(())
            }
            Err(e) => {
                pkt.truncate(len);
                Err(e)
            }
        }
    }

    /// [`Self::unprotect_rtcp`] on a `Vec`.
    pub fn unprotect_rtcp_vec(&mut self, pkt: &mut Vec<u8>) -> Result<(), SrtpError> {
        let n = self.unprotect_rtcp(pkt)?;
        pkt.truncate(n);
        Ok(())
    }
}

fn replay_check(w: &ReplayWindow, index: u64) -> Result<(), SrtpError> {
    w.check(index).map_err(|r| match r {
        ReplayReject::Duplicate => SrtpError::Replayed { index },
        ReplayReject::TooOld => SrtpError::TooOld { index },
    })
}

fn rtp_seq_ssrc(pkt: &[u8]) -> Option<(u16, u32)> {
    Some((rtp::be::u16_at(pkt, 2)?, rtp::be::u32_at(pkt, 8)?))
}

fn rtcp_ssrc(pkt: &[u8]) -> Result<u32, SrtpError> {
    let first = *pkt.first().ok_or(SrtpError::TooShort {
        len: pkt.len(),
        needed: RTCP_CLEAR_LEN,
    })?;
    if first >> 6 != 2 {
        return Err(SrtpError::MalformedHeader);
    }
    rtp::be::u32_at(pkt, 4).ok_or(SrtpError::TooShort {
        len: pkt.len(),
        needed: RTCP_CLEAR_LEN,
    })
}

/// RFC 7714 §9.1 SRTCP IV: salt XOR (0x0000 || SSRC || 0x0000 || 0 || 31-bit index).
fn rtcp_gcm_nonce(g: &crypto::GcmSession, ssrc: u32, index: u32) -> [u8; 12] {
    g.nonce(ssrc, index >> 16, (index & 0xffff) as u16)
}

/// Fuzz entry: unprotects arbitrary bytes as SRTP and SRTCP with fixed keys for every
/// suite (with and without MKI), then parses them as RTP/RTCP. Must never panic.
#[doc(hidden)]
pub fn fuzz_srtp(data: &[u8]) {
    let mut buf = [0u8; 2048];
    let Some(len) = (data.len() <= buf.len()).then_some(data.len()) else {
        return;
    };
    for suite in Suite::ALL {
        let key = [0x11u8; 32];
        let salt = [0x22u8; 14];
        let mut policy = Policy::new(
            suite,
            key.get(..suite.master_key_len()).unwrap_or_default(),
            salt.get(..suite.master_salt_len()).unwrap_or_default(),
        );
        for mki in [None, Some(vec![1u8, 2])] {
            policy.mki = mki;
            let Ok(mut ctx) = SrtpContext::new(&policy) else {
                continue;
            };
            for rtcp in [false, true] {
                let Some(dst) = buf.get_mut(..len) else {
                    return;
                };
                dst.copy_from_slice(data);
                let _ = if rtcp {
                    ctx.unprotect_rtcp(dst)
                } else {
                    ctx.unprotect_rtp(dst)
                };
                // And protect the same bytes as if they were a plaintext packet.
                dst.copy_from_slice(data);
                let _ = if rtcp {
                    ctx.protect_rtcp(&mut buf, len)
                } else {
                    ctx.protect_rtp(&mut buf, len)
                };
            }
        }
    }
    rtp::fuzz_rtp_rtcp(data);
}
