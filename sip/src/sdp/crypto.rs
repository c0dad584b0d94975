//! SDES `a=crypto` (RFC 4568), with the suites of RFC 6188 and RFC 7714.
//!
//! The key travels in the clear inside the SDP, so this module is where a gateway most
//! easily leaks it into a log: [`KeyMaterial`] never shows its bytes in `Debug` or serde
//! output, and is overwritten when dropped.

use std::fmt;

use super::base64;
use super::connection::{is_digits, parse_decimal};
use super::limits::{MAX_KEY_PARAMS, MAX_SESSION_PARAMS};

/// Why an `a=crypto` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    #[error("malformed: {0}")]
    Syntax(&'static str),
    #[error("tag must be 1 to 9 decimal digits")]
    BadTag,
    #[error("key method is not 'inline'")]
    UnsupportedKeyMethod,
    #[error("key is not valid base64")]
    BadBase64,
    #[error("{suite} needs {expected} bytes of key and salt, got {actual}")]
    KeyLength {
        suite: String,
        expected: usize,
        actual: usize,
    },
    #[error("bad key lifetime")]
    BadLifetime,
    #[error("bad MKI (expected <value>:<length 1..128>)")]
    BadMki,
    #[error("more than {0} key parameters")]
    TooManyKeyParams(usize),
    #[error("more than {0} session parameters")]
    TooManySessionParams(usize),
}

/// SRTP crypto suite.
///
/// The AES-192/256 counter-mode suites have two spellings in the wild: RFC 6188's
/// `AES_256_CM_HMAC_SHA1_80` and the pre-standard `AES_CM_256_HMAC_SHA1_80` that older
/// room systems still send. Both map to one variant; [`Crypto::legacy_spelling`] remembers
/// which one a peer used so that we answer in its dialect.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CryptoSuite {
    AesCm128HmacSha1_80,
    AesCm128HmacSha1_32,
    Aes192CmHmacSha1_80,
    Aes192CmHmacSha1_32,
    Aes256CmHmacSha1_80,
    Aes256CmHmacSha1_32,
    F8_128HmacSha1_80,
    AeadAes128Gcm,
    AeadAes256Gcm,
    /// No encryption, authentication only (libsrtp's `NULL_HMAC_SHA1_*`).
    NullHmacSha1_80,
    NullHmacSha1_32,
    /// A suite we do not know, kept verbatim so it can be declined by name.
    Other(String),
}

/// (suite, standard name, legacy name)
const SUITES: &[(CryptoSuite, &str, Option<&str>)] = &[
    (
        CryptoSuite::AesCm128HmacSha1_80,
        "AES_CM_128_HMAC_SHA1_80",
        None,
    ),
    (
        CryptoSuite::AesCm128HmacSha1_32,
        "AES_CM_128_HMAC_SHA1_32",
        None,
    ),
    (
        CryptoSuite::Aes192CmHmacSha1_80,
        "AES_192_CM_HMAC_SHA1_80",
        Some("AES_CM_192_HMAC_SHA1_80"),
    ),
    (
        CryptoSuite::Aes192CmHmacSha1_32,
        "AES_192_CM_HMAC_SHA1_32",
        Some("AES_CM_192_HMAC_SHA1_32"),
    ),
    (
        CryptoSuite::Aes256CmHmacSha1_80,
        "AES_256_CM_HMAC_SHA1_80",
        Some("AES_CM_256_HMAC_SHA1_80"),
    ),
    (
        CryptoSuite::Aes256CmHmacSha1_32,
        "AES_256_CM_HMAC_SHA1_32",
        Some("AES_CM_256_HMAC_SHA1_32"),
    ),
    (CryptoSuite::F8_128HmacSha1_80, "F8_128_HMAC_SHA1_80", None),
    (CryptoSuite::AeadAes128Gcm, "AEAD_AES_128_GCM", None),
    (CryptoSuite::AeadAes256Gcm, "AEAD_AES_256_GCM", None),
    (CryptoSuite::NullHmacSha1_80, "NULL_HMAC_SHA1_80", None),
    (CryptoSuite::NullHmacSha1_32, "NULL_HMAC_SHA1_32", None),
];

impl CryptoSuite {
    /// Parses a suite name (case-insensitively, as ABNF literals are); the flag says
    /// whether the legacy spelling was used.
    pub fn parse(name: &str) -> (Self, bool) {
        for (suite, standard, legacy) in SUITES {
            if name.eq_ignore_ascii_case(standard) {
                return (suite.clone(), false);
            }
            if legacy.is_some_and(|l| name.eq_ignore_ascii_case(l)) {
                return (suite.clone(), true);
            }
        }
        (Self::Other(name.to_owned()), false)
    }

    /// The standard (RFC 4568/6188/7714) name.
    pub fn name(&self) -> &str {
        match self {
            Self::Other(name) => name,
            known => SUITES
                .iter()
                .find(|(s, _, _)| s == known)
                .map_or("", |(_, standard, _)| standard),
        }
    }

    /// The pre-RFC 6188 name, for the suites that have one.
    pub fn legacy_name(&self) -> Option<&'static str> {
        SUITES
            .iter()
            .find(|(s, _, _)| s == self)
            .and_then(|(_, _, legacy)| *legacy)
    }

    /// Master key and master salt lengths in bytes, when we know the suite.
    pub fn key_salt_len(&self) -> Option<(usize, usize)> {
        match self {
            Self::AesCm128HmacSha1_80 | Self::AesCm128HmacSha1_32 | Self::F8_128HmacSha1_80 => {
                Some((16, 14))
            }
            Self::Aes192CmHmacSha1_80 | Self::Aes192CmHmacSha1_32 => Some((24, 14)),
            Self::Aes256CmHmacSha1_80 | Self::Aes256CmHmacSha1_32 => Some((32, 14)),
            Self::AeadAes128Gcm => Some((16, 12)),
            Self::AeadAes256Gcm => Some((32, 12)),
            Self::NullHmacSha1_80 | Self::NullHmacSha1_32 | Self::Other(_) => None,
        }
    }
}

impl fmt::Display for CryptoSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// SRTP master key || master salt. Redacted in `Debug` and serde, zeroed on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyMaterial(Vec<u8>);

impl KeyMaterial {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The raw key||salt. Named so that every use stands out in review.
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for KeyMaterial {
    fn drop(&mut self) {
        // Best effort without `unsafe` or a zeroize crate: black_box keeps the optimizer
        // from proving the writes dead.
        self.0.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&self.0);
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyMaterial(<redacted {} bytes>)", self.0.len())
    }
}

impl serde::Serialize for KeyMaterial {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("KeyMaterial", 2)?;
        st.serialize_field("redacted", &true)?;
        st.serialize_field("length", &self.0.len())?;
        st.end()
    }
}

/// Master key lifetime, in the form it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Lifetime {
    /// `2^N` packets.
    PowerOfTwo(u8),
    /// A decimal packet count.
    Packets(u64),
}

impl Lifetime {
    /// Packet count, saturating at `u64::MAX`.
    pub fn packets(&self) -> u64 {
        match *self {
            Self::PowerOfTwo(n) => 1u64.checked_shl(u32::from(n)).unwrap_or(u64::MAX),
            Self::Packets(p) => p,
        }
    }

    fn parse(text: &str) -> Result<Self, CryptoError> {
        if let Some(exp) = text.strip_prefix("2^") {
            let n: u8 = parse_decimal(exp).ok_or(CryptoError::BadLifetime)?;
            if n > 63 {
                return Err(CryptoError::BadLifetime);
            }
            return Ok(Self::PowerOfTwo(n));
        }
        parse_decimal(text)
            .map(Self::Packets)
            .ok_or(CryptoError::BadLifetime)
    }
}

impl fmt::Display for Lifetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PowerOfTwo(n) => write!(f, "2^{n}"),
            Self::Packets(p) => write!(f, "{p}"),
        }
    }
}

/// Master key identifier: value and its length on the wire in bytes (1 to 128).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Mki {
    pub value: u64,
    pub length: u8,
}

impl Mki {
    fn parse(text: &str) -> Result<Self, CryptoError> {
        let (value, length) = text.split_once(':').ok_or(CryptoError::BadMki)?;
        let value = parse_decimal(value).ok_or(CryptoError::BadMki)?;
        let length: u8 = parse_decimal(length).ok_or(CryptoError::BadMki)?;
        if !(1..=128).contains(&length) {
            return Err(CryptoError::BadMki);
        }
        Ok(Self { value, length })
    }
}

/// One `inline:<key||salt>[|lifetime][|MKI:length]` key parameter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyParam {
    pub key: KeyMaterial,
    pub lifetime: Option<Lifetime>,
    pub mki: Option<Mki>,
}

impl KeyParam {
    pub fn new(key: KeyMaterial) -> Self {
        Self {
            key,
            lifetime: None,
            mki: None,
        }
    }

    fn parse(text: &str, suite: &CryptoSuite) -> Result<Self, CryptoError> {
        let (method, info) = text
            .split_once(':')
            .ok_or(CryptoError::Syntax("no key method"))?;
        if !method.eq_ignore_ascii_case("inline") {
            return Err(CryptoError::UnsupportedKeyMethod);
        }
        let mut fields = info.split('|');
        let key =
            base64::decode(fields.next().unwrap_or_default()).ok_or(CryptoError::BadBase64)?;
        let key = KeyMaterial(key);
        if let Some((k, s)) = suite.key_salt_len() {
            if key.len() != k + s {
                return Err(CryptoError::KeyLength {
                    suite: suite.name().to_owned(),
                    expected: k + s,
                    actual: key.len(),
                });
            }
        }
        let mut param = Self::new(key);
        // Lifetime and MKI are both optional; only the MKI contains ':'.
        for field in fields {
            if field.contains(':') {
                if param.mki.is_some() {
                    return Err(CryptoError::BadMki);
                }
                param.mki = Some(Mki::parse(field)?);
            } else {
                if param.lifetime.is_some() || param.mki.is_some() {
                    return Err(CryptoError::BadLifetime);
                }
                param.lifetime = Some(Lifetime::parse(field)?);
            }
        }
        Ok(param)
    }
}

impl fmt::Display for KeyParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "inline:{}", base64::encode(&self.key.0))?;
        if let Some(lifetime) = self.lifetime {
            write!(f, "|{lifetime}")?;
        }
        if let Some(mki) = self.mki {
            write!(f, "|{}:{}", mki.value, mki.length)?;
        }
        Ok(())
    }
}

/// RFC 4568 §6.3 session parameters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum SessionParam {
    UnencryptedSrtp,
    UnencryptedSrtcp,
    UnauthenticatedSrtp,
    /// `KDR=n`: key derivation rate 2^n.
    Kdr(u8),
    /// `FEC_ORDER=`, `FEC_KEY=`, `WSH=` and anything else, verbatim.
    Other(String),
}

impl SessionParam {
    fn parse(text: &str) -> Self {
        match text {
            "UNENCRYPTED_SRTP" => Self::UnencryptedSrtp,
            "UNENCRYPTED_SRTCP" => Self::UnencryptedSrtcp,
            "UNAUTHENTICATED_SRTP" => Self::UnauthenticatedSrtp,
            _ => match text.strip_prefix("KDR=").and_then(parse_decimal) {
                Some(kdr) => Self::Kdr(kdr),
                None => Self::Other(text.to_owned()),
            },
        }
    }

    /// The window size hint of `WSH=`, if this is one.
    pub fn window_size_hint(&self) -> Option<u32> {
        match self {
            Self::Other(text) => text.strip_prefix("WSH=").and_then(parse_decimal),
            _ => None,
        }
    }
}

impl fmt::Display for SessionParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnencryptedSrtp => f.write_str("UNENCRYPTED_SRTP"),
            Self::UnencryptedSrtcp => f.write_str("UNENCRYPTED_SRTCP"),
            Self::UnauthenticatedSrtp => f.write_str("UNAUTHENTICATED_SRTP"),
            Self::Kdr(n) => write!(f, "KDR={n}"),
            Self::Other(text) => f.write_str(text),
        }
    }
}

/// The value of one `a=crypto` line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Crypto {
    /// Identifies the line; the answer echoes the tag of the offer line it accepts.
    pub tag: u32,
    pub suite: CryptoSuite,
    /// Serialize the suite as `AES_CM_256_…` instead of `AES_256_CM_…`.
    pub legacy_spelling: bool,
    pub key_params: Vec<KeyParam>,
    pub session_params: Vec<SessionParam>,
}

impl Crypto {
    /// A line with one inline key, in RFC 6188 spelling.
    pub fn new(tag: u32, suite: CryptoSuite, key: KeyMaterial) -> Self {
        Self {
            tag,
            suite,
            legacy_spelling: false,
            key_params: vec![KeyParam::new(key)],
            session_params: Vec::new(),
        }
    }

    /// Parses the value after `a=crypto:`, checking key lengths against the suite.
    pub fn parse(value: &str) -> Result<Self, CryptoError> {
        let mut parts = value.split(' ');
        let tag = parts.next().unwrap_or_default();
        if !is_digits(tag) || tag.len() > 9 {
            return Err(CryptoError::BadTag);
        }
        let tag = parse_decimal(tag).ok_or(CryptoError::BadTag)?;
        let suite_name = parts
            .next()
            .ok_or(CryptoError::Syntax("missing crypto suite"))?;
        if suite_name.is_empty() {
            return Err(CryptoError::Syntax("empty crypto suite"));
        }
        let (suite, legacy_spelling) = CryptoSuite::parse(suite_name);
        let key_text = parts
            .next()
            .ok_or(CryptoError::Syntax("missing key parameters"))?;
        let mut key_params = Vec::new();
        for param in key_text.split(';') {
            if key_params.len() >= MAX_KEY_PARAMS {
                return Err(CryptoError::TooManyKeyParams(MAX_KEY_PARAMS));
            }
            key_params.push(KeyParam::parse(param, &suite)?);
        }
        let mut session_params = Vec::new();
        for param in parts {
            if param.is_empty() {
                return Err(CryptoError::Syntax("empty session parameter"));
            }
            if session_params.len() >= MAX_SESSION_PARAMS {
                return Err(CryptoError::TooManySessionParams(MAX_SESSION_PARAMS));
            }
            session_params.push(SessionParam::parse(param));
        }
        Ok(Self {
            tag,
            suite,
            legacy_spelling,
            key_params,
            session_params,
        })
    }

    fn suite_text(&self) -> &str {
        match self.suite.legacy_name() {
            Some(legacy) if self.legacy_spelling => legacy,
            _ => self.suite.name(),
        }
    }
}

impl fmt::Display for Crypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.tag, self.suite_text())?;
        for (i, param) in self.key_params.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            param.fmt(f)?;
        }
        for param in &self.session_params {
            write!(f, " {param}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    fn key(len: usize) -> String {
        base64::encode(&(0..len).map(|i| i as u8).collect::<Vec<_>>())
    }

    #[test]
    fn every_suite_spelling() {
        let cases = [
            (
                "AES_CM_128_HMAC_SHA1_80",
                CryptoSuite::AesCm128HmacSha1_80,
                false,
                30,
            ),
            (
                "AES_CM_128_HMAC_SHA1_32",
                CryptoSuite::AesCm128HmacSha1_32,
                false,
                30,
            ),
            (
                "AES_192_CM_HMAC_SHA1_80",
                CryptoSuite::Aes192CmHmacSha1_80,
                false,
                38,
            ),
            (
                "AES_CM_192_HMAC_SHA1_80",
                CryptoSuite::Aes192CmHmacSha1_80,
                true,
                38,
            ),
            (
                "AES_192_CM_HMAC_SHA1_32",
                CryptoSuite::Aes192CmHmacSha1_32,
                false,
                38,
            ),
            (
                "AES_CM_192_HMAC_SHA1_32",
                CryptoSuite::Aes192CmHmacSha1_32,
                true,
                38,
            ),
            (
                "AES_256_CM_HMAC_SHA1_80",
                CryptoSuite::Aes256CmHmacSha1_80,
                false,
                46,
            ),
            (
                "AES_CM_256_HMAC_SHA1_80",
                CryptoSuite::Aes256CmHmacSha1_80,
                true,
                46,
            ),
            (
                "AES_256_CM_HMAC_SHA1_32",
                CryptoSuite::Aes256CmHmacSha1_32,
                false,
                46,
            ),
            (
                "AES_CM_256_HMAC_SHA1_32",
                CryptoSuite::Aes256CmHmacSha1_32,
                true,
                46,
            ),
            (
                "F8_128_HMAC_SHA1_80",
                CryptoSuite::F8_128HmacSha1_80,
                false,
                30,
            ),
            ("AEAD_AES_128_GCM", CryptoSuite::AeadAes128Gcm, false, 28),
            ("AEAD_AES_256_GCM", CryptoSuite::AeadAes256Gcm, false, 44),
            ("NULL_HMAC_SHA1_80", CryptoSuite::NullHmacSha1_80, false, 30),
            ("NULL_HMAC_SHA1_32", CryptoSuite::NullHmacSha1_32, false, 30),
            (
                "SEED_CTR_128_HMAC_SHA1_80",
                CryptoSuite::Other("SEED_CTR_128_HMAC_SHA1_80".into()),
                false,
                30,
            ),
        ];
        for (name, suite, legacy, len) in cases {
            let text = format!("1 {name} inline:{}", key(len));
            let c = Crypto::parse(&text).unwrap();
            assert_eq!((&c.suite, c.legacy_spelling), (&suite, legacy), "{name}");
            assert_eq!(c.key_params[0].key.len(), len);
            assert_eq!(c.to_string(), text, "spelling kept for {name}");
        }
        let built = Crypto::new(
            2,
            CryptoSuite::Aes256CmHmacSha1_80,
            KeyMaterial::new(vec![7; 46]),
        );
        assert!(built
            .to_string()
            .starts_with("2 AES_256_CM_HMAC_SHA1_80 inline:"));
    }

    #[test]
    fn lifetimes_and_mki() {
        let k = key(30);
        let c = Crypto::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k}|2^20|1:4")).unwrap();
        let p = &c.key_params[0];
        assert_eq!(p.lifetime, Some(Lifetime::PowerOfTwo(20)));
        assert_eq!(p.lifetime.unwrap().packets(), 1 << 20);
        assert_eq!(
            p.mki,
            Some(Mki {
                value: 1,
                length: 4
            })
        );
        let c = Crypto::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k}|1048576")).unwrap();
        assert_eq!(c.key_params[0].lifetime, Some(Lifetime::Packets(1_048_576)));
        let c = Crypto::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k}|7:2")).unwrap();
        assert_eq!(
            c.key_params[0].mki,
            Some(Mki {
                value: 7,
                length: 2
            })
        );
        assert_eq!(c.key_params[0].lifetime, None);
        let two = format!("5 AES_CM_128_HMAC_SHA1_32 inline:{k}|2^20|1:4;inline:{k}|2^20|2:4 KDR=2 UNENCRYPTED_SRTCP FEC_ORDER=FEC_SRTP WSH=64");
        let c = Crypto::parse(&two).unwrap();
        assert_eq!(c.key_params.len(), 2);
        assert_eq!(c.session_params[0], SessionParam::Kdr(2));
        assert_eq!(c.session_params[1], SessionParam::UnencryptedSrtcp);
        assert_eq!(c.session_params[3].window_size_hint(), Some(64));
        assert_eq!(c.to_string(), two);
        for bad in ["2^64", "2^x", "x", "1:0", "1:129", "a:4", "1:4|2^20"] {
            assert!(
                Crypto::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k}|{bad}")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn wrong_key_and_syntax() {
        assert_eq!(
            Crypto::parse(&format!("1 AES_256_CM_HMAC_SHA1_80 inline:{}", key(30))),
            Err(CryptoError::KeyLength {
                suite: "AES_256_CM_HMAC_SHA1_80".into(),
                expected: 46,
                actual: 30
            })
        );
        assert!(matches!(
            Crypto::parse(&format!("1 AEAD_AES_256_GCM inline:{}", key(46))),
            Err(CryptoError::KeyLength { expected: 44, .. })
        ));
        assert_eq!(
            Crypto::parse("1 AES_CM_128_HMAC_SHA1_80 inline:not*base64"),
            Err(CryptoError::BadBase64)
        );
        assert_eq!(
            Crypto::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 uri:{}", key(30))),
            Err(CryptoError::UnsupportedKeyMethod)
        );
        assert_eq!(
            Crypto::parse(&format!(
                "1234567890 AES_CM_128_HMAC_SHA1_80 inline:{}",
                key(30)
            )),
            Err(CryptoError::BadTag)
        );
        assert!(Crypto::parse("1 AES_CM_128_HMAC_SHA1_80").is_err());
        assert!(Crypto::parse("").is_err());
        let many = vec![format!("inline:{}", key(30)); MAX_KEY_PARAMS + 1].join(";");
        assert_eq!(
            Crypto::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 {many}")),
            Err(CryptoError::TooManyKeyParams(MAX_KEY_PARAMS))
        );
    }

    #[test]
    fn key_is_redacted() {
        let k = key(30);
        let c = Crypto::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k}")).unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains(&k));
        assert!(debug.contains("redacted 30 bytes"));
        assert!(!debug.contains("[0, 1, 2"));
    }
}
