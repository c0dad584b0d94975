//! SDES (RFC 4568) key lines to SRTP policies of our media crate: one mapping for the B2BUA
//! and the echo service, so both legs of every call honour suites, key lengths and MKIs the
//! same way.

use roomgate_media::srtp::{Policy, Suite, MAX_MKI_LEN};
use roomgate_sip::sdp::{CryptoSuite, KeyParam, Mki};

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

/// The policy of one `inline:` key parameter, with its MKI when it has one.
pub fn key_policy(suite: Suite, key: &KeyParam) -> Option<Policy> {
    let mki = match key.mki {
        Some(m) => Some(mki_bytes(m)?),
        None => None,
    };
    policy(suite, key.key.expose_secret(), mki)
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
