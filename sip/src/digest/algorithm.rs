//! Digest algorithms (RFC 7616 §3.2, registered for SIP by RFC 8760) and the hash
//! computations of RFC 7616 §3.4.1–3.4.3. Hashing is RustCrypto's; this file only arranges
//! the colon-separated inputs and the lowercase hex that the RFCs prescribe.

use md5::Md5;
use sha2::{Digest, Sha256, Sha512_256};
use zeroize::Zeroizing;

/// A digest algorithm token. `-sess` variants hash the nonce and cnonce into HA1 (RFC 7616
/// §3.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
    Sha512_256,
    Sha512_256Sess,
}

impl Algorithm {
    /// Every algorithm we implement, strongest first.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Sha512_256,
        Algorithm::Sha512_256Sess,
        Algorithm::Sha256,
        Algorithm::Sha256Sess,
        Algorithm::Md5,
        Algorithm::Md5Sess,
    ];

    /// Parses an `algorithm` token; tokens compare case-insensitively (RFC 7616 §3.3).
    pub fn parse(token: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(token))
    }

    /// The token as RFC 7616 spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
            Algorithm::Sha512_256 => "SHA-512-256",
            Algorithm::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// Whether HA1 is the session form H(H(user:realm:password):nonce:cnonce).
    pub fn is_session(self) -> bool {
        matches!(
            self,
            Algorithm::Md5Sess | Algorithm::Sha256Sess | Algorithm::Sha512_256Sess
        )
    }

    /// The non-session algorithm with the same hash: the one a stored HA1 is computed with.
    pub fn base(self) -> Algorithm {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => Algorithm::Md5,
            Algorithm::Sha256 | Algorithm::Sha256Sess => Algorithm::Sha256,
            Algorithm::Sha512_256 | Algorithm::Sha512_256Sess => Algorithm::Sha512_256,
        }
    }

    /// Preference when a peer offers several (RFC 8760 §2.4: the strongest we support).
    pub fn strength(self) -> u8 {
        match self.base() {
            Algorithm::Sha512_256 => 3,
            Algorithm::Sha256 => 2,
            _ => 1,
        }
    }

    /// Length of a hash in lowercase hex: the length of HA1 and of `response`.
    pub fn hex_len(self) -> usize {
        match self.base() {
            Algorithm::Md5 => 32,
            _ => 64,
        }
    }

    /// H(p1 ":" p2 ":" ...), as lowercase hex. Zeroized on drop because HA1 is
    /// password-equivalent.
    pub(crate) fn hash_hex(self, parts: &[&[u8]]) -> Zeroizing<String> {
        match self.base() {
            Algorithm::Md5 => hash_parts::<Md5>(parts),
            Algorithm::Sha256 => hash_parts::<Sha256>(parts),
            _ => hash_parts::<Sha512_256>(parts),
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn hash_parts<D: Digest>(parts: &[&[u8]]) -> Zeroizing<String> {
    let mut hasher = D::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b":");
        }
        hasher.update(part);
    }
    let out = hasher.finalize();
    let hex = Zeroizing::new(to_hex(&out));
    // The hash output itself may be HA1; clear it before it goes out of scope.
    let mut out = out;
    zeroize::Zeroize::zeroize(out.as_mut_slice());
    hex
}

/// Lowercase hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(b & 0x0f), 16).unwrap_or('0'));
    }
    s
}

/// Quality of protection (RFC 7616 §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qop {
    /// Authentication of method and URI.
    Auth,
    /// Authentication of method, URI and body.
    AuthInt,
}

impl Qop {
    /// Parses one qop token (case-insensitive).
    pub fn parse(token: &str) -> Option<Self> {
        if token.eq_ignore_ascii_case("auth") {
            Some(Qop::Auth)
        } else if token.eq_ignore_ascii_case("auth-int") {
            Some(Qop::AuthInt)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
        }
    }
}

/// The inputs of one `response` computation. `ha1` is the base HA1, H(user:realm:password),
/// in lowercase hex of `algorithm`'s hash; the session form is derived here.
pub(crate) struct ResponseInput<'a> {
    pub algorithm: Algorithm,
    pub ha1: &'a str,
    pub nonce: &'a str,
    /// `(nc text as sent, cnonce, qop)`; `None` is the RFC 2069 form without qop.
    pub qop: Option<(&'a str, &'a str, Qop)>,
    pub method: &'a str,
    pub uri: &'a str,
    pub body: &'a [u8],
}

/// `request-digest` of RFC 7616 §3.4.1 (and RFC 2069 §2.1.2 when there is no qop).
pub(crate) fn compute_response(i: &ResponseInput<'_>) -> Zeroizing<String> {
    let alg = i.algorithm;
    let session_ha1;
    let ha1: &str = match (alg.is_session(), i.qop) {
        (true, Some((_, cnonce, _))) => {
            session_ha1 = alg.hash_hex(&[i.ha1.as_bytes(), i.nonce.as_bytes(), cnonce.as_bytes()]);
            &session_ha1
        }
        _ => i.ha1,
    };
    let ha2 = match i.qop {
        Some((_, _, Qop::AuthInt)) => {
            let body = alg.hash_hex(&[i.body]);
            alg.hash_hex(&[i.method.as_bytes(), i.uri.as_bytes(), body.as_bytes()])
        }
        _ => alg.hash_hex(&[i.method.as_bytes(), i.uri.as_bytes()]),
    };
    match i.qop {
        Some((nc, cnonce, qop)) => alg.hash_hex(&[
            ha1.as_bytes(),
            i.nonce.as_bytes(),
            nc.as_bytes(),
            cnonce.as_bytes(),
            qop.as_str().as_bytes(),
            ha2.as_bytes(),
        ]),
        None => alg.hash_hex(&[ha1.as_bytes(), i.nonce.as_bytes(), ha2.as_bytes()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_case_insensitively() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::parse(a.as_str()), Some(a));
            assert_eq!(Algorithm::parse(&a.as_str().to_lowercase()), Some(a));
            assert_eq!(a.hash_hex(&[b"x"]).len(), a.hex_len());
        }
        assert_eq!(Algorithm::parse("AKAv1-MD5"), None);
        assert_eq!(Qop::parse("AUTH-INT"), Some(Qop::AuthInt));
    }

    #[test]
    fn known_hashes() {
        // MD5("") and SHA-256("abc") from RFC 1321 / FIPS 180-2.
        assert_eq!(
            *Algorithm::Md5.hash_hex(&[b""]),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(
            *Algorithm::Sha256.hash_hex(&[b"a", b"c"]),
            *Algorithm::Sha256.hash_hex(&[b"a:c"])
        );
        assert_eq!(
            *Algorithm::Sha256.hash_hex(&[b"abc"]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
