//! Session keys and the per-packet transforms, built only from library primitives, each
//! primitive from the library measured fastest for it (`cargo bench -p roomgate-benches
//! --features libsrtp --bench srtp`, and the README's Benchmarks section):
//!
//! - AES-CM (and the KDF): RustCrypto `aes` + `ctr` (AES-NI detected at run time). aws-lc's
//!   `AES_ctr128_encrypt` was level with it at 1200 B and slower at 160 B.
//! - HMAC-SHA1: RustCrypto `hmac` + `sha1` (SHA-NI detected at run time); aws-lc's was
//!   slower at both sizes, ring's several times slower (no SHA-NI path for SHA-1).
//! - AES-GCM (RFC 7714): aws-lc through `aws-lc-rs` (`LessSafeKey`: in place, tag apart,
//!   header as AAD): its VAES/VPCLMULQDQ code is 5-6x faster at 1200 B than RustCrypto
//!   `aes-gcm` 0.10 (and 3x faster than 0.11, which also needs Rust 1.89). ring is as fast
//!   but keeps the key schedule in Rust memory it never wipes; aws-lc frees its AEAD context
//!   with `OPENSSL_free`, which clears it, so keys stay zeroized on drop.
//!
//! Every key schedule is built once per context. Every per-packet operation works on the
//! caller's buffer and on stack copies of the key state (a cloned AES key schedule for the
//! CTR stream, a cloned HMAC pad state) or on aws-lc's context, which seals and opens
//! without touching the heap; nothing here allocates, in Rust or in C (`tests/srtp_alloc.rs`
//! counts both).

use aes::cipher::{KeyInit, KeyIvInit, StreamCipher};
use aes::{Aes128, Aes128Enc, Aes256, Aes256Enc};
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::Suite;

type HmacSha1 = Hmac<Sha1>;
type Ctr128 = ctr::Ctr128BE<Aes128>;
type Ctr256 = ctr::Ctr128BE<Aes256>;

/// HMAC-SHA1 authentication key length (RFC 3711 §8.2: n_a = 160).
pub(crate) const AUTH_KEY_LEN: usize = 20;
/// Full HMAC-SHA1 output; tags are truncations of it.
pub(crate) const HMAC_LEN: usize = 20;
/// RFC 7714 tag length (we only do the 16-octet-tag suites).
pub(crate) const GCM_TAG_LEN: usize = 16;

/// KDF labels (RFC 3711 §4.3.1).
pub(crate) mod label {
    pub const RTP_ENC: u8 = 0;
    pub const RTP_AUTH: u8 = 1;
    pub const RTP_SALT: u8 = 2;
    pub const RTCP_ENC: u8 = 3;
    pub const RTCP_AUTH: u8 = 4;
    pub const RTCP_SALT: u8 = 5;
}

/// RFC 3711 §4.3 key derivation with key_derivation_rate 0 (so r = 0): the PRF is AES-CM
/// keyed with the master key (AES-128 or, per RFC 6188, AES-256), IV = (salt XOR label<<48)
/// << 16. A 12-octet AEAD master salt (RFC 7714 §11) is zero-extended to 14 octets, as
/// libsrtp does.
pub(crate) fn kdf(master_key: &[u8], master_salt: &[u8], label: u8, out: &mut [u8]) {
    let mut iv = [0u8; 16];
    for (d, s) in iv.iter_mut().zip(master_salt.iter().take(14)) {
        *d = *s;
    }
    iv[7] ^= label;
    out.fill(0);
    match master_key.len() {
        32 => {
            if let Ok(mut c) = Ctr256::new_from_slices(master_key, iv.as_slice()) {
                c.apply_keystream(out);
            }
        }
        _ => {
            if let Ok(mut c) = Ctr128::new_from_slices(master_key, iv.as_slice()) {
                c.apply_keystream(out);
            }
        }
    }
    iv.zeroize();
}

/// AES block cipher of either key size, kept expanded for the CTR stream of each packet.
/// Encryption round keys only (CTR never decrypts a block): the per-packet copy of the
/// schedule is half the size of `Aes128`/`Aes256`'s, which also carry the inverse keys.
// One per context and direction; boxing the larger variant would add a pointer chase to
// every packet for no memory that matters.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum CmCipher {
    A128(Aes128Enc),
    A256(Aes256Enc),
}

impl CmCipher {
    fn apply(&self, iv: &[u8; 16], data: &mut [u8]) {
        use aes::cipher::InnerIvInit;
        match self {
            Self::A128(c) => {
                let core = ctr::CtrCore::<Aes128Enc, ctr::flavors::Ctr128BE>::inner_iv_init(
                    c.clone(),
                    iv.into(),
                );
                ctr::Ctr128BE::<Aes128Enc>::from_core(core).apply_keystream(data)
            }
            Self::A256(c) => {
                let core = ctr::CtrCore::<Aes256Enc, ctr::flavors::Ctr128BE>::inner_iv_init(
                    c.clone(),
                    iv.into(),
                );
                ctr::Ctr128BE::<Aes256Enc>::from_core(core).apply_keystream(data)
            }
        }
    }
}

/// AES-CM + HMAC-SHA1 session (RFC 3711 §4.1.1, §4.2.1).
pub(crate) struct CmSession {
    cipher: CmCipher,
    salt: Zeroizing<[u8; 14]>,
    auth: HmacSha1,
}

impl Drop for CmSession {
    fn drop(&mut self) {
        // `hmac`/`sha1` 0.12/0.10 have no zeroize support, and the HMAC state holds the
        // hashed key pads (key-equivalent). Overwrite it with a state keyed by zeros; the
        // `black_box` keeps the store from being optimised away. The AES key schedule
        // zeroizes itself (aes "zeroize" feature), the salt via `Zeroizing`.
        self.auth = <HmacSha1 as KeyInit>::new(&[0u8; 64].into());
        std::hint::black_box(&mut self.auth);
    }
}

/// AES-GCM session (RFC 7714): the AEAD key (aws-lc context, expanded once) and the
/// 12-octet session salt.
pub(crate) struct GcmSession {
    aead: LessSafeKey,
    salt: Zeroizing<[u8; 12]>,
}

/// The aws-lc AES-GCM key for a 16- or 32-octet session key. aws-lc only refuses a key of
/// another length, which the suite table never produces; that refusal still surfaces as an
/// error instead of a panic.
fn gcm_key(key: &[u8]) -> Result<LessSafeKey, AuthFail> {
    let alg = if key.len() == 32 {
        &AES_256_GCM
    } else {
        &AES_128_GCM
    };
    UnboundKey::new(alg, key)
        .map(LessSafeKey::new)
        .map_err(|_| AuthFail)
}

/// The session keys of one packet kind (SRTP or SRTCP) of a context.
// Inline as for `CmCipher`: a box would put a pointer chase on every AES-CM packet, and the
// GCM variant (aws-lc keeps its context on the heap) wastes ~1 KiB per context at most.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Session {
    Cm(CmSession),
    Gcm(GcmSession),
}

/// Authentication or AEAD open failure (deliberately carries no detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AuthFail;

impl Session {
    /// Derives the session for `rtcp == false` (labels 0,1,2) or SRTCP (labels 3,4,5).
    /// Fails only if the AEAD library refuses the derived key (it cannot for our suites).
    pub(crate) fn derive(
        suite: Suite,
        master_key: &[u8],
        master_salt: &[u8],
        rtcp: bool,
    ) -> Result<Self, AuthFail> {
        let (l_enc, l_auth, l_salt) = if rtcp {
            (label::RTCP_ENC, label::RTCP_AUTH, label::RTCP_SALT)
        } else {
            (label::RTP_ENC, label::RTP_AUTH, label::RTP_SALT)
        };
        let key_len = suite.master_key_len();
        let mut key_buf = Zeroizing::new([0u8; 32]);
        let key = key_buf.get_mut(..key_len).unwrap_or_default();
        kdf(master_key, master_salt, l_enc, key);
        if suite.is_aead() {
            let mut salt = Zeroizing::new([0u8; 12]);
            kdf(master_key, master_salt, l_salt, salt.as_mut_slice());
            let aead = gcm_key(key);
            key.zeroize();
            Ok(Session::Gcm(GcmSession { aead: aead?, salt }))
        } else {
            let mut salt = Zeroizing::new([0u8; 14]);
            kdf(master_key, master_salt, l_salt, salt.as_mut_slice());
            let mut auth_key = Zeroizing::new([0u8; AUTH_KEY_LEN]);
            kdf(master_key, master_salt, l_auth, auth_key.as_mut_slice());
            let cipher = if key_len == 32 {
                CmCipher::A256(Aes256Enc::new(key[..].into()))
            } else {
                CmCipher::A128(Aes128Enc::new(key[..].into()))
            };
            key.zeroize();
            // An HMAC key shorter than the SHA-1 block is zero-padded (RFC 2104 §2), so
            // keying with the padded block is the same HMAC and has no failure path.
            let mut padded = Zeroizing::new([0u8; 64]);
            if let Some(d) = padded.get_mut(..AUTH_KEY_LEN) {
                d.copy_from_slice(auth_key.as_slice());
            }
            let auth = <HmacSha1 as KeyInit>::new(padded.as_slice().into());
            Ok(Session::Cm(CmSession { cipher, salt, auth }))
        }
    }
}

impl Session {
    /// Test hook: an AEAD session from a given session key and salt (RFC 7714 §16–17
    /// vectors skip the KDF).
    #[cfg(test)]
    #[allow(clippy::unwrap_used)]
    pub(crate) fn gcm_from_session_keys(key: &[u8], salt: &[u8; 12]) -> Self {
        Session::Gcm(GcmSession {
            aead: gcm_key(key).unwrap(),
            salt: Zeroizing::new(*salt),
        })
    }
}

impl Session {
    /// Test hook: an AES-CM session from a given session key and salt (RFC 3711 B.2).
    #[cfg(test)]
    pub(crate) fn cm_from_session_keys(key: &[u8], salt: &[u8; 14]) -> Self {
        let cipher = if key.len() == 32 {
            CmCipher::A256(Aes256Enc::new(key.into()))
        } else {
            CmCipher::A128(Aes128Enc::new(key.into()))
        };
        Session::Cm(CmSession {
            cipher,
            salt: Zeroizing::new(*salt),
            auth: <HmacSha1 as KeyInit>::new(&[0u8; 64].into()),
        })
    }
}

impl CmSession {
    /// AES-CM IV (RFC 3711 §4.1.1): (salt << 16) XOR (SSRC << 64) XOR (index << 16).
    fn iv(&self, ssrc: u32, index: u64) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv[..14].copy_from_slice(self.salt.as_slice());
        let s = ssrc.to_be_bytes();
        for (d, x) in iv[4..8].iter_mut().zip(s) {
            *d ^= x;
        }
        let i = (index << 16).to_be_bytes();
        for (d, x) in iv[8..16].iter_mut().zip(i) {
            *d ^= x;
        }
        iv
    }

    pub(crate) fn crypt(&self, ssrc: u32, index: u64, data: &mut [u8]) {
        let iv = self.iv(ssrc, index);
        self.cipher.apply(&iv, data);
    }

    /// Full HMAC-SHA1 over `a || b` (b is the ROC for SRTP, E||index is already in `a` for
    /// SRTCP, in which case `b` is empty).
    pub(crate) fn mac(&self, a: &[u8], b: &[u8]) -> [u8; HMAC_LEN] {
        let mut m = self.auth.clone();
        m.update(a);
        m.update(b);
        m.finalize().into_bytes().into()
    }

    /// Constant-time tag comparison of the truncated MAC.
    pub(crate) fn verify(&self, a: &[u8], b: &[u8], tag: &[u8]) -> Result<(), AuthFail> {
        let full = self.mac(a, b);
        match full.get(..tag.len()) {
            Some(t) if !tag.is_empty() && bool::from(t.ct_eq(tag)) => Ok(()),
            _ => Err(AuthFail),
        }
    }
}

impl GcmSession {
    /// RFC 7714 §8.1 / §9.1 IV: salt XOR (0x0000 || SSRC || 32-bit ROC or 0 || 16-bit seq),
    /// where for SRTCP the last six octets are 0x0000 || 31-bit index.
    pub(crate) fn nonce(&self, ssrc: u32, hi: u32, lo: u16) -> [u8; 12] {
        let mut n = [0u8; 12];
        n[2..6].copy_from_slice(&ssrc.to_be_bytes());
        n[6..10].copy_from_slice(&hi.to_be_bytes());
        n[10..12].copy_from_slice(&lo.to_be_bytes());
        for (d, s) in n.iter_mut().zip(self.salt.iter()) {
            *d ^= s;
        }
        n
    }

    pub(crate) fn seal(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        data: &mut [u8],
    ) -> Result<[u8; GCM_TAG_LEN], AuthFail> {
        let tag = self
            .aead
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), data)
            .map_err(|_| AuthFail)?;
        tag.as_ref().try_into().map_err(|_| AuthFail)
    }

    /// Decrypts in place and checks the tag in constant time (aws-lc computes GHASH over the
    /// ciphertext in the same pass). On a mismatch aws-lc leaves unauthenticated plaintext in
    /// `data`; it is wiped here so no caller can ever read it.
    pub(crate) fn open(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8; GCM_TAG_LEN],
    ) -> Result<(), AuthFail> {
        let r = self.aead.open_in_place_separate_tag(
            Nonce::assume_unique_for_key(*nonce),
            Aad::from(aad),
            tag,
            data,
        );
        match r {
            Ok(_) => Ok(()),
            Err(_) => {
                data.fill(0);
                Err(AuthFail)
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Keystream block for counter low 16 bits = `ctr` with the given IV prefix.
    fn keystream_block(key: &[u8], iv: &[u8], ctr: u16) -> Vec<u8> {
        let mut full_iv = [0u8; 16];
        full_iv.copy_from_slice(iv);
        full_iv[14..].copy_from_slice(&ctr.to_be_bytes());
        let c = if key.len() == 32 {
            CmCipher::A256(Aes256Enc::new_from_slice(key).unwrap())
        } else {
            CmCipher::A128(Aes128Enc::new_from_slice(key).unwrap())
        };
        let mut block = vec![0u8; 16];
        c.apply(&full_iv, &mut block);
        block
    }

    /// VECTORS.md §1 (RFC 3711 B.2) and §3 (RFC 6188 §7.1), including the counter values
    /// around 0xFF00 that catch a 16-bit counter carry bug.
    #[test]
    fn aes_cm_keystream_vectors() {
        let iv = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
        let k128 = hex("2B7E151628AED2A6ABF7158809CF4F3C");
        for (ctr, want) in [
            (0x0000, "E03EAD0935C95E80E166B16DD92B4EB4"),
            (0x0001, "D23513162B02D0F72A43A2FE4A5F97AB"),
            (0x0002, "41E95B3BB0A2E8DD477901E4FCA894C0"),
            (0xFEFF, "EC8CDF7398607CB0F2D21675EA9EA1E4"),
            (0xFF00, "362B7C3C6773516318A077D7FC5073AE"),
            (0xFF01, "6A2CC3787889374FBEB4C81B17BA6C44"),
        ] {
            assert_eq!(
                keystream_block(&k128, &iv, ctr),
                hex(want),
                "128 ctr {ctr:04x}"
            );
        }
        let k256 = hex("57f82fe3613fd170a85ec93c40b1f0922ec4cb0dc025b58272147cc438944a98");
        for (ctr, want) in [
            (0x0000, "92bdd28a93c3f52511c677d08b5515a4"),
            (0x0001, "9da71b2378a854f67050756ded165bac"),
            (0x0002, "63c4868b7096d88421b563b8c94c9a31"),
            (0xFEFF, "cea518c90fd91ced9cbb18c078a54711"),
            (0xFF00, "3dbc4814f4da5f00a08772b63c6a046d"),
            (0xFF01, "6eb246913062a16891433e97dd01a57f"),
        ] {
            assert_eq!(
                keystream_block(&k256, &iv, ctr),
                hex(want),
                "256 ctr {ctr:04x}"
            );
        }
        // A multi-block stream through one CTR instance equals the per-block values.
        let c = CmCipher::A128(Aes128Enc::new_from_slice(&k128).unwrap());
        let mut ks = vec![0u8; 48];
        c.apply(&iv.clone().try_into().unwrap(), &mut ks);
        assert_eq!(
            ks,
            hex("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0")
        );
    }

    /// VECTORS.md §2 (RFC 3711 B.3) and §4 (RFC 6188 §7.2), SRTP and SRTCP labels.
    #[test]
    #[allow(clippy::type_complexity)]
    fn kdf_vectors() {
        let cases: [(&str, &str, [(u8, &str); 6]); 2] = [
            (
                "E1F97A0D3E018BE0D64FA32C06DE4139",
                "0EC675AD498AFEEBB6960B3AABE6",
                [
                    (0, "C61E7A93744F39EE10734AFE3FF7A087"),
                    (2, "30CBBC08863D8C85D49DB34A9AE1"),
                    (1, "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25 6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2"),
                    (3, "4C1AA45A81F73D61C800BBB00FBB1EAA"),
                    (4, "8D54534FEB49AE8E7993A6BD0B844FC323A93DFD"),
                    (5, "9581C7AD87B3E530BF3E4454A8B3"),
                ],
            ),
            (
                "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6",
                "3b04803de51ee7c96423ab5b78d2",
                [
                    (0, "5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4"),
                    (2, "fa31791685ca444a9e07c6c64e93"),
                    (1, "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05"),
                    (3, "8ee75f2de53606ebfb9aabce0b530213ce0966976277ff918700903dcc406073"),
                    (4, "0235c1262ca7178cf9d8180fa6574a1d997fdc7a"),
                    (5, "b174376e041b45cd4031056e44ba"),
                ],
            ),
        ];
        for (mk, ms, labels) in cases {
            let (mk, ms) = (hex(mk), hex(ms));
            for (l, want) in labels {
                let want = hex(want);
                let mut out = vec![0u8; want.len()];
                kdf(&mk, &ms, l, &mut out);
                assert_eq!(out, want, "label {l} key len {}", mk.len());
            }
        }
    }
}
