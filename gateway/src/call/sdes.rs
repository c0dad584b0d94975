//! SDES (RFC 4568) key lines to SRTP policies of our media crate, and the one rule that keeps
//! SRTP from failing open.
//!
//! **The rule.** A stream whose SDP says it is encrypted (an `RTP/SAVP(F)` profile on either
//! side, or crypto lines on both) gets SRTP contexts for both directions, or the stream is
//! refused; a stream without contexts never carries SAVP or a crypto line. [`stream_keys`] is
//! where that is decided for every leg and every offer/answer exchange: the B2BUA (room and
//! cloud legs, initial offers, delayed offers, re-offers) and the echo service both go
//! through it. [`usable_offer`] runs before we answer, so that the line we pick is one the
//! media layer will really apply: an offer's unusable lines are dropped and the next line is
//! tried; with none left the offer/answer code refuses the stream (SAVP, or SRTP mandatory)
//! or answers it plain (`RTP/AVP` best-effort offers when the policy allows plain media).
//!
//! **What we apply.** A suite of [`srtp_suite`]; exactly one `inline:` key of the suite's
//! key||salt length (several keys mean switching by MKI, which our contexts do not do); an
//! MKI of at most [`MAX_MKI_LEN`] bytes whose value fits it; a lifetime of at least
//! [`MIN_KEY_LIFETIME`] packets (enforced by the context: packets after it are refused);
//! and only these session parameters: `KDR=0` (our key derivation), `FEC_ORDER=FEC_SRTP`
//! (the default order; we send no FEC), `WSH=n` with n ≥ 64 (applied as our replay window).
//! Everything else — `UNENCRYPTED_SRTP`, `UNENCRYPTED_SRTCP`, `UNAUTHENTICATED_SRTP`, a
//! non-zero KDR, `FEC_KEY`, unknown parameters (RFC 4568 §6.3: an unknown one makes the line
//! unusable) — makes the line unusable.

use std::borrow::Cow;

use roomgate_media::srtp::{Policy, Suite, MAX_MKI_LEN, MAX_REPLAY_WINDOW};
use roomgate_sip::sdp::{
    AttributeValue, Crypto, CryptoSuite, KeyParam, MediaDescription, Mki, SessionDescription,
    SessionParam,
};

/// Shortest key lifetime we accept: 2^20 packets, over five hours of 20 ms audio. Shorter
/// keys would have to be replaced mid-call by a re-offer, which the peer would have to drive;
/// a line that would stop the media within minutes is refused instead.
pub const MIN_KEY_LIFETIME: u64 = 1 << 20;

/// Smallest replay window RFC 4568 §6.3.7 allows a `WSH` to ask for.
const MIN_WSH: u32 = 64;

/// The SRTP suite of our media crate for an SDES suite, when we implement it.
pub fn srtp_suite(suite: &CryptoSuite) -> Option<Suite> {
    Some(match suite {
        CryptoSuite::AesCm128HmacSha1_80 => Suite::AesCm128HmacSha1_80,
        CryptoSuite::AesCm128HmacSha1_32 => Suite::AesCm128HmacSha1_32,
        CryptoSuite::Aes256CmHmacSha1_80 => Suite::AesCm256HmacSha1_80,
        CryptoSuite::Aes256CmHmacSha1_32 => Suite::AesCm256HmacSha1_32,
        CryptoSuite::AeadAes128Gcm => Suite::AeadAes128Gcm,
        CryptoSuite::AeadAes256Gcm => Suite::AeadAes256Gcm,
        _ => return None,
    })
}

/// Why a crypto line (or a stream's crypto as a whole) cannot be applied. The label names
/// the metric and security-event reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Unusable {
    #[error("crypto suite not implemented")]
    Suite,
    #[error("a=crypto line does not parse (e.g. key length wrong for its suite)")]
    Syntax,
    #[error("more than one master key")]
    KeyCount,
    #[error("master key length does not fit the suite")]
    KeyLength,
    #[error("MKI longer than {MAX_MKI_LEN} bytes or its value does not fit")]
    Mki,
    #[error("key lifetime shorter than 2^20 packets")]
    Lifetime,
    #[error("key derivation rate other than 0")]
    Kdr,
    #[error("unencrypted or unauthenticated SRTP/SRTCP requested")]
    Weakened,
    #[error("FEC parameters not supported")]
    Fec,
    #[error("unknown or invalid session parameter")]
    SessionParam,
    #[error("encrypted profile but no crypto line")]
    Missing,
    #[error("the answer's crypto line matches none of the offer's")]
    NoMatch,
}

impl Unusable {
    /// Short stable name, for metrics labels and security events.
    pub fn label(self) -> &'static str {
        match self {
            Unusable::Suite => "suite",
            Unusable::Syntax => "syntax",
            Unusable::KeyCount => "key_count",
            Unusable::KeyLength => "key_length",
            Unusable::Mki => "mki",
            Unusable::Lifetime => "lifetime",
            Unusable::Kdr => "kdr",
            Unusable::Weakened => "unencrypted_or_unauthenticated",
            Unusable::Fec => "fec",
            Unusable::SessionParam => "session_param",
            Unusable::Missing => "missing",
            Unusable::NoMatch => "no_match",
        }
    }

    /// Every reason, for metrics that list each label.
    pub const ALL: [Unusable; 12] = [
        Unusable::Suite,
        Unusable::Syntax,
        Unusable::KeyCount,
        Unusable::KeyLength,
        Unusable::Mki,
        Unusable::Lifetime,
        Unusable::Kdr,
        Unusable::Weakened,
        Unusable::Fec,
        Unusable::SessionParam,
        Unusable::Missing,
        Unusable::NoMatch,
    ];
}

/// A policy from SDES key||salt, or `None` when the length does not fit the suite.
pub fn policy(suite: Suite, key_salt: &[u8], mki: Option<Vec<u8>>) -> Option<Policy> {
    if key_salt.len() != suite.master_key_len() + suite.master_salt_len() {
        return None;
    }
    let (key, salt) = key_salt.split_at_checked(suite.master_key_len())?;
    let mut policy = Policy::new(suite, key, salt);
    policy.mki = mki;
    Some(policy)
}

/// The policy of one `inline:` key parameter: key, salt, MKI and lifetime.
pub fn key_policy(suite: Suite, key: &KeyParam) -> Result<Policy, Unusable> {
    let mki = match key.mki {
        Some(m) => Some(mki_bytes(m).ok_or(Unusable::Mki)?),
        None => None,
    };
    let lifetime = key.lifetime.map(|l| l.packets());
    if lifetime.is_some_and(|l| l < MIN_KEY_LIFETIME) {
        return Err(Unusable::Lifetime);
    }
    let mut p = policy(suite, key.key.expose_secret(), mki).ok_or(Unusable::KeyLength)?;
    p.lifetime = lifetime;
    Ok(p)
}

/// The policy a crypto line asks for, or why our contexts cannot apply it.
pub fn line_policy(c: &Crypto) -> Result<Policy, Unusable> {
    let suite = srtp_suite(&c.suite).ok_or(Unusable::Suite)?;
    let [key] = c.key_params.as_slice() else {
        return Err(Unusable::KeyCount);
    };
    let mut policy = key_policy(suite, key)?;
    for param in &c.session_params {
        match param {
            SessionParam::Kdr(0) => {}
            SessionParam::Kdr(_) => return Err(Unusable::Kdr),
            SessionParam::UnencryptedSrtp
            | SessionParam::UnencryptedSrtcp
            | SessionParam::UnauthenticatedSrtp => return Err(Unusable::Weakened),
            SessionParam::Other(text) if text == "FEC_ORDER=FEC_SRTP" => {}
            SessionParam::Other(text)
                if text.starts_with("FEC_ORDER=") || text.starts_with("FEC_KEY=") =>
            {
                return Err(Unusable::Fec)
            }
            other => match other.window_size_hint() {
                Some(w) if w >= MIN_WSH => {
                    let w = usize::try_from(w).unwrap_or(MAX_REPLAY_WINDOW);
                    policy.replay_window = policy.replay_window.max(w.min(MAX_REPLAY_WINDOW));
                }
                _ => return Err(Unusable::SessionParam),
            },
        }
    }
    Ok(policy)
}

/// Whether a crypto attribute is one our contexts can apply.
fn attribute_usable(value: &AttributeValue) -> Option<Result<(), Unusable>> {
    match value {
        AttributeValue::Crypto(c) => Some(line_policy(c).map(|_| ())),
        AttributeValue::Malformed { name, .. } if name == "crypto" => Some(Err(Unusable::Syntax)),
        _ => None,
    }
}

/// Whether the section carries any crypto line, readable or not.
fn has_crypto(m: &MediaDescription) -> bool {
    m.values().any(|v| attribute_usable(v).is_some())
}

/// Why each crypto line of `sdp` that our contexts cannot apply is unusable, in order (empty
/// when every line is usable). Reads only: for the counters and security events.
pub fn unusable_lines(sdp: &SessionDescription) -> Vec<Unusable> {
    sdp.media
        .iter()
        .flat_map(|m| m.values())
        .filter_map(|v| attribute_usable(v)?.err())
        .collect()
}

/// The offer with only the crypto lines we can apply (borrowed as is when all are).
/// Answering the result picks the first usable line of our preferred suite, so an unusable
/// first line falls through to the next.
pub fn usable_offer(offer: &SessionDescription) -> Cow<'_, SessionDescription> {
    let all_usable = offer
        .media
        .iter()
        .flat_map(|m| m.values())
        .all(|v| !matches!(attribute_usable(v), Some(Err(_))));
    if all_usable {
        return Cow::Borrowed(offer);
    }
    let mut out = offer.clone();
    for m in &mut out.media {
        m.attributes
            .retain(|a| !matches!(attribute_usable(a.value()), Some(Err(_))));
    }
    Cow::Owned(out)
}

/// The SRTP contexts of one negotiated stream.
#[derive(Debug, Clone)]
pub struct StreamKeys {
    /// For what the far end sends (its key).
    pub inbound: Policy,
    /// For what we send (our key).
    pub outbound: Policy,
    pub suite: CryptoSuite,
    /// The key lines the policies came from (the echo service compares them on re-offers).
    pub our_key: KeyParam,
    pub their_key: KeyParam,
}

/// The one decision of the SRTP rule (see the module doc) for one negotiated stream: `ours`
/// and `theirs` are the two sides' sections of it, whichever was the offer. `Ok(None)` means
/// plain RTP, and only happens when neither side signalled encryption; a stream that says
/// encrypted gets both contexts or an error, never `None`.
pub fn stream_keys(
    ours: &MediaDescription,
    theirs: &MediaDescription,
) -> Result<Option<StreamKeys>, Unusable> {
    let encrypted = ours.proto.is_sdes_srtp()
        || theirs.proto.is_sdes_srtp()
        || (has_crypto(ours) && has_crypto(theirs));
    if !encrypted {
        return Ok(None);
    }
    if !has_crypto(theirs) || !has_crypto(ours) {
        return Err(Unusable::Missing);
    }
    // One line on the answer's side; the offer's line with the same tag and suite is the
    // other direction's key. A hostile SDP may repeat a tag, so a pair that fails does not
    // end the search.
    let mut failure = None;
    for t in theirs.cryptos() {
        for o in ours
            .cryptos()
            .filter(|o| o.tag == t.tag && o.suite == t.suite)
        {
            match (line_policy(t), line_policy(o)) {
                (Ok(inbound), Ok(outbound)) => {
                    // A usable line has exactly one key (see `line_policy`).
                    let (Some(their_key), Some(our_key)) =
                        (t.key_params.first(), o.key_params.first())
                    else {
                        continue;
                    };
                    return Ok(Some(StreamKeys {
                        inbound,
                        outbound,
                        suite: t.suite.clone(),
                        our_key: our_key.clone(),
                        their_key: their_key.clone(),
                    }));
                }
                (Err(why), _) | (_, Err(why)) => failure = failure.or(Some(why)),
            }
        }
    }
    if let Some(why) = failure {
        return Err(why);
    }
    // Their lines matched none of ours: report what is wrong with theirs when something is.
    for v in theirs.values() {
        if let Some(Err(why)) = attribute_usable(v) {
            return Err(why);
        }
    }
    Err(Unusable::NoMatch)
}

/// An MKI as the bytes each packet carries, when it fits [`MAX_MKI_LEN`].
pub fn mki_bytes(mki: Mki) -> Option<Vec<u8>> {
    let len = usize::from(mki.length);
    if len == 0 || len > MAX_MKI_LEN {
        return None;
    }
    let be = mki.value.to_be_bytes();
    if len < be.len() {
        if mki.value.checked_shr(8 * len as u32).unwrap_or(0) != 0 {
            return None;
        }
        be.get(be.len() - len..).map(<[u8]>::to_vec)
    } else {
        let mut bytes = vec![0u8; len - be.len()];
        bytes.extend_from_slice(&be);
        Some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mki_encoding() {
        assert_eq!(
            mki_bytes(Mki {
                value: 1,
                length: 4
            }),
            Some(vec![0, 0, 0, 1])
        );
        assert_eq!(
            mki_bytes(Mki {
                value: 256,
                length: 1
            }),
            None
        );
        assert_eq!(
            mki_bytes(Mki {
                value: 0x0102,
                length: 10
            }),
            Some(vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 2])
        );
        assert_eq!(
            mki_bytes(Mki {
                value: 1,
                length: 17
            }),
            None
        );
    }
}
