//! Stateless, self-authenticating nonces and the bounded nonce-count table.
//!
//! A nonce is `base64url(timestamp_be64 || random[16] || HMAC-SHA256(secret, label ||
//! timestamp || random || realm))`: the server keeps no per-challenge state, yet it can tell
//! its own nonces (for this realm) from forged ones and knows their age. The random part,
//! supplied by the caller, keeps two challenges issued in the same second distinct, so two
//! clients never share a nonce and with it a nonce-count sequence.
//!
//! Replay protection needs state: [`NonceCounts`] remembers the highest `nc` accepted per
//! nonce, for at most a fixed number of nonces.

use std::collections::HashMap;
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::digest::generic_array::GenericArray;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

/// Random bytes the caller supplies per challenge.
pub const NONCE_RANDOM_LEN: usize = 16;
/// Shortest server secret accepted: 128 bits, so the HMAC cannot be brute-forced.
pub const MIN_SECRET_LEN: usize = 16;
/// Longest server secret accepted: one SHA-256 block, so HMAC uses the key as given.
pub const MAX_SECRET_LEN: usize = 64;

const TS_LEN: usize = 8;
const ID_LEN: usize = TS_LEN + NONCE_RANDOM_LEN;
const MAC_LEN: usize = 32;
const RAW_LEN: usize = ID_LEN + MAC_LEN;
/// Length of our nonce text (76); anything else is not ours and is refused before decoding.
const NONCE_TEXT_LEN: usize = (RAW_LEN * 4).div_ceil(3);

/// Domain separation between the nonce MAC and the opaque value.
const NONCE_LABEL: &[u8] = b"roomgate digest nonce v1\0";
const OPAQUE_LABEL: &[u8] = b"roomgate digest opaque v1\0";

/// Identifies one nonce: its timestamp and random part (the MAC is a function of these).
pub(crate) type NonceId = [u8; ID_LEN];

/// The server's nonce key. Zeroized on drop, never printed. Restarting with the same secret
/// keeps outstanding nonces valid; a new secret invalidates them (clients then see a fresh
/// challenge).
pub struct NonceSecret {
    /// The secret zero-padded to the HMAC block: identical to HMAC with the secret itself.
    key: Zeroizing<[u8; MAX_SECRET_LEN]>,
}

/// A server secret of the wrong size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("nonce secret must be {MIN_SECRET_LEN} to {MAX_SECRET_LEN} bytes, got {0}")]
pub struct SecretError(pub usize);

impl NonceSecret {
    /// Takes 16 to 64 bytes of key material (32 random bytes recommended).
    pub fn new(secret: &[u8]) -> Result<Self, SecretError> {
        if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&secret.len()) {
            return Err(SecretError(secret.len()));
        }
        let mut key = Zeroizing::new([0u8; MAX_SECRET_LEN]);
        for (k, s) in key.iter_mut().zip(secret) {
            *k = *s;
        }
        Ok(NonceSecret { key })
    }

    fn mac(&self) -> HmacSha256 {
        // The key is exactly one block, so this is infallible. (The hmac crate does not zeroize
        // its keyed state; we clear what we own.)
        let key: &[u8; MAX_SECRET_LEN] = &self.key;
        <HmacSha256 as hmac::digest::KeyInit>::new(GenericArray::from_slice(key))
    }

    /// A nonce for `realm` issued at `now`.
    pub(crate) fn issue(&self, realm: &str, now: u64, random: &[u8; NONCE_RANDOM_LEN]) -> String {
        let mut raw = Vec::with_capacity(RAW_LEN);
        raw.extend_from_slice(&now.to_be_bytes());
        raw.extend_from_slice(random);
        let mut mac = self.mac();
        mac.update(NONCE_LABEL);
        mac.update(&raw);
        mac.update(realm.as_bytes());
        raw.extend_from_slice(&mac.finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// Checks a nonce came from us for `realm`; returns its id and issue time.
    pub(crate) fn open(&self, realm: &str, nonce: &str) -> Option<(NonceId, u64)> {
        if nonce.len() != NONCE_TEXT_LEN {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(nonce).ok()?;
        let (id, tag) = raw.split_at_checked(ID_LEN)?;
        let mut mac = self.mac();
        mac.update(NONCE_LABEL);
        mac.update(id);
        mac.update(realm.as_bytes());
        // Constant-time tag comparison.
        mac.verify_slice(tag).ok()?;
        let id: NonceId = id.try_into().ok()?;
        let (ts, _) = id.split_first_chunk::<TS_LEN>()?;
        Some((id, u64::from_be_bytes(*ts)))
    }

    /// The `opaque` value for `realm`: fixed per secret and realm, so it needs no state.
    pub(crate) fn opaque(&self, realm: &str) -> String {
        let mut mac = self.mac();
        mac.update(OPAQUE_LABEL);
        mac.update(realm.as_bytes());
        let tag = mac.finalize().into_bytes();
        // 16 bytes as 32 hex characters: short enough for peers with small buffers (sipp keeps
        // at most 63 characters of opaque).
        super::algorithm::to_hex(tag.get(..16).unwrap_or(&[]))
    }
}

impl fmt::Debug for NonceSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NonceSecret(<redacted>)")
    }
}

/// Constant-time equality of two byte strings (lengths are not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// What the nonce-count table says about one use of a nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NcOutcome {
    Accepted,
    /// `nc` not above the highest accepted for this nonce: a replay, or requests that
    /// overtook each other.
    Replay,
    /// The nonce was already used without qop (RFC 2069 style, single use), or its entry was
    /// evicted: the client needs a fresh nonce.
    NeedFresh,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    issued: u64,
    /// Highest nc accepted; `None` once used without qop (single use).
    last_nc: Option<u32>,
}

/// Highest `nc` accepted per nonce, for at most `max` nonces.
///
/// Only requests whose response was correct are recorded, so an attacker without the
/// password cannot fill the table or advance a victim's count. When full, expired entries go
/// first, then the oldest-issued one; `evicted_up_to` remembers the newest issue time evicted
/// so that a forgotten nonce cannot be replayed from `nc=1` again: an untracked nonce issued
/// at or before it gets [`NcOutcome::NeedFresh`] (a re-challenge, never an acceptance).
/// Eviction scans the table, so its cost is bounded by `max`.
#[derive(Debug)]
pub(crate) struct NonceCounts {
    entries: HashMap<NonceId, Entry>,
    max: usize,
    evicted_up_to: Option<u64>,
}

impl NonceCounts {
    pub(crate) fn new(max: usize) -> Self {
        NonceCounts {
            entries: HashMap::new(),
            max: max.max(1),
            evicted_up_to: None,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Records one authenticated use of nonce `id` with `nc` (`None`: no qop).
    pub(crate) fn record(
        &mut self,
        id: NonceId,
        issued: u64,
        nc: Option<u32>,
        now: u64,
        lifetime: u64,
    ) -> NcOutcome {
        if let Some(entry) = self.entries.get_mut(&id) {
            return match (entry.last_nc, nc) {
                (Some(last), Some(nc)) if nc > last => {
                    entry.last_nc = Some(nc);
                    NcOutcome::Accepted
                }
                (Some(_), Some(_)) => NcOutcome::Replay,
                (None, Some(_)) | (_, None) => NcOutcome::NeedFresh,
            };
        }
        if self.evicted_up_to.is_some_and(|floor| issued <= floor) {
            return NcOutcome::NeedFresh;
        }
        if nc == Some(0) {
            return NcOutcome::Replay;
        }
        if self.entries.len() >= self.max {
            self.entries
                .retain(|_, e| now.abs_diff(e.issued) <= lifetime);
        }
        if self.entries.len() >= self.max {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.issued)
                .map(|(k, e)| (*k, e.issued));
            if let Some((key, oldest_issued)) = oldest {
                self.entries.remove(&key);
                self.evicted_up_to = Some(
                    self.evicted_up_to
                        .map_or(oldest_issued, |f| f.max(oldest_issued)),
                );
            }
            if self.evicted_up_to.is_some_and(|floor| issued <= floor) {
                return NcOutcome::NeedFresh;
            }
        }
        self.entries.insert(
            id,
            Entry {
                issued,
                last_nc: nc,
            },
        );
        NcOutcome::Accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(b: u8) -> NonceSecret {
        NonceSecret::new(&[b; 32]).unwrap()
    }

    #[test]
    fn nonce_opens_only_with_its_secret_and_realm() {
        let s = secret(1);
        let n = s.issue("r", 1000, &[3; NONCE_RANDOM_LEN]);
        assert_eq!(n.len(), NONCE_TEXT_LEN);
        let (id, ts) = s.open("r", &n).unwrap();
        assert_eq!(ts, 1000);
        assert_eq!(&id[8..], &[3; NONCE_RANDOM_LEN]);
        assert!(s.open("other", &n).is_none());
        assert!(secret(2).open("r", &n).is_none());
        // A flipped character in the timestamp is refused.
        let mut forged = n.clone().into_bytes();
        forged[3] = if forged[3] == b'A' { b'B' } else { b'A' };
        assert!(s.open("r", std::str::from_utf8(&forged).unwrap()).is_none());
        assert!(s.open("r", "short").is_none());
        assert_ne!(n, s.issue("r", 1000, &[4; NONCE_RANDOM_LEN]));
        assert!(s.opaque("r").len() < 64);
        assert!(NonceSecret::new(&[0; 8]).is_err());
        assert!(!format!("{s:?}").contains('1'));
    }

    #[test]
    fn nonce_counts_reject_replays_and_bound_memory() {
        let mut t = NonceCounts::new(2);
        let id = |b: u8| [b; ID_LEN];
        assert_eq!(t.record(id(1), 10, Some(1), 10, 300), NcOutcome::Accepted);
        assert_eq!(t.record(id(1), 10, Some(1), 10, 300), NcOutcome::Replay);
        assert_eq!(t.record(id(1), 10, Some(3), 10, 300), NcOutcome::Accepted);
        assert_eq!(t.record(id(1), 10, Some(2), 10, 300), NcOutcome::Replay);
        assert_eq!(t.record(id(2), 11, None, 11, 300), NcOutcome::Accepted);
        assert_eq!(t.record(id(2), 11, None, 11, 300), NcOutcome::NeedFresh);
        // Full: the oldest (issued 10) goes, and cannot come back from nc=1.
        assert_eq!(t.record(id(3), 12, Some(1), 12, 300), NcOutcome::Accepted);
        assert_eq!(t.len(), 2);
        assert_eq!(t.record(id(1), 10, Some(1), 12, 300), NcOutcome::NeedFresh);
        assert_eq!(t.record(id(1), 10, Some(9), 12, 300), NcOutcome::NeedFresh);
        // Expired entries are dropped first.
        assert_eq!(t.record(id(4), 900, Some(1), 900, 300), NcOutcome::Accepted);
        assert_eq!(t.record(id(5), 901, Some(1), 901, 300), NcOutcome::Accepted);
        assert_eq!(t.len(), 2);
        assert_eq!(t.record(id(6), 902, Some(0), 902, 300), NcOutcome::Replay);
    }
}
