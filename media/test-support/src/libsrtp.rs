//! FFI to the system libsrtp2: the handful of `extern "C"` functions and the
//! `srtp_policy_t` layout of libsrtp 2.x, wrapped in a type whose methods check buffer
//! lengths before handing pointers to C.

use std::ffi::{c_int, c_uint, c_ulong, c_void};
use std::sync::Once;

/// `srtp_crypto_policy_t` (srtp2/srtp.h).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
struct CryptoPolicy {
    cipher_type: u32,
    cipher_key_len: c_int,
    auth_type: u32,
    auth_key_len: c_int,
    auth_tag_len: c_int,
    sec_serv: c_int,
}

/// `srtp_ssrc_t`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
struct Ssrc {
    kind: c_int,
    value: c_uint,
}

/// `srtp_master_key_t`.
#[repr(C)]
struct MasterKey {
    key: *mut u8,
    mki_id: *mut u8,
    mki_size: c_uint,
}

/// `srtp_policy_t`.
#[repr(C)]
struct Policy {
    ssrc: Ssrc,
    rtp: CryptoPolicy,
    rtcp: CryptoPolicy,
    key: *mut u8,
    keys: *mut *mut MasterKey,
    num_master_keys: c_ulong,
    deprecated_ekt: *mut c_void,
    window_size: c_ulong,
    allow_repeat_tx: c_int,
    enc_xtn_hdr: *mut c_int,
    enc_xtn_hdr_count: c_int,
    next: *mut Policy,
}

const SSRC_ANY_INBOUND: c_int = 2;
const SSRC_ANY_OUTBOUND: c_int = 3;

#[link(name = "srtp2")]
extern "C" {
    fn srtp_init() -> c_int;
    fn srtp_create(session: *mut *mut c_void, policy: *const Policy) -> c_int;
    fn srtp_dealloc(session: *mut c_void) -> c_int;
    fn srtp_protect(ctx: *mut c_void, hdr: *mut c_void, len: *mut c_int) -> c_int;
    fn srtp_unprotect(ctx: *mut c_void, hdr: *mut c_void, len: *mut c_int) -> c_int;
    fn srtp_protect_rtcp(ctx: *mut c_void, hdr: *mut c_void, len: *mut c_int) -> c_int;
    fn srtp_unprotect_rtcp(ctx: *mut c_void, hdr: *mut c_void, len: *mut c_int) -> c_int;
    fn srtp_protect_mki(
        ctx: *mut c_void,
        hdr: *mut c_void,
        len: *mut c_int,
        use_mki: c_uint,
        mki_index: c_uint,
    ) -> c_int;
    fn srtp_unprotect_mki(
        ctx: *mut c_void,
        hdr: *mut c_void,
        len: *mut c_int,
        use_mki: c_uint,
    ) -> c_int;
    fn srtp_protect_rtcp_mki(
        ctx: *mut c_void,
        hdr: *mut c_void,
        len: *mut c_int,
        use_mki: c_uint,
        mki_index: c_uint,
    ) -> c_int;
    fn srtp_unprotect_rtcp_mki(
        ctx: *mut c_void,
        hdr: *mut c_void,
        len: *mut c_int,
        use_mki: c_uint,
    ) -> c_int;
    fn srtp_crypto_policy_set_rtp_default(p: *mut CryptoPolicy);
    fn srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(p: *mut CryptoPolicy);
    fn srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(p: *mut CryptoPolicy);
    fn srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(p: *mut CryptoPolicy);
    fn srtp_crypto_policy_set_aes_gcm_128_16_auth(p: *mut CryptoPolicy);
    fn srtp_crypto_policy_set_aes_gcm_256_16_auth(p: *mut CryptoPolicy);
}

/// libsrtp error codes we look at (`srtp_err_status_t`).
pub mod status {
    /// Authentication failure.
    pub const AUTH_FAIL: i32 = 7;
    /// Replay (duplicate index).
    pub const REPLAY_FAIL: i32 = 9;
    /// Replay (index too old).
    pub const REPLAY_OLD: i32 = 10;
}

/// The six suites, named as in SDES.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// AES_CM_128_HMAC_SHA1_80
    AesCm128HmacSha1_80,
    /// AES_CM_128_HMAC_SHA1_32
    AesCm128HmacSha1_32,
    /// AES_256_CM_HMAC_SHA1_80
    AesCm256HmacSha1_80,
    /// AES_256_CM_HMAC_SHA1_32
    AesCm256HmacSha1_32,
    /// AEAD_AES_128_GCM
    AeadAes128Gcm,
    /// AEAD_AES_256_GCM
    AeadAes256Gcm,
}

/// Bytes libsrtp may append (SRTP_MAX_TRAILER_LEN = 16 + 128).
pub const MAX_TRAILER: usize = 16 + 128 + 4;

static INIT: Once = Once::new();

/// An `srtp_t` session with one wildcard stream (any inbound or any outbound SSRC).
pub struct LibSrtp {
    ctx: *mut c_void,
    use_mki: bool,
}

// SAFETY: the libsrtp session is only touched through `&mut self`.
unsafe impl Send for LibSrtp {}

impl LibSrtp {
    /// Creates a session. `key_salt` is master key || master salt; `mki` optional.
    pub fn new(
        profile: Profile,
        key_salt: &[u8],
        outbound: bool,
        window: usize,
        mki: Option<&[u8]>,
    ) -> Result<Self, i32> {
        INIT.call_once(|| {
            // SAFETY: no arguments; libsrtp initialises its global crypto kernel.
            unsafe {
                srtp_init();
            }
        });
        let mut rtp = CryptoPolicy::default();
        let mut rtcp = CryptoPolicy::default();
        // SAFETY: the setters only write the struct they are given.
        unsafe {
            match profile {
                Profile::AesCm128HmacSha1_80 => {
                    srtp_crypto_policy_set_rtp_default(&mut rtp);
                    srtp_crypto_policy_set_rtp_default(&mut rtcp);
                }
                Profile::AesCm128HmacSha1_32 => {
                    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&mut rtp);
                    srtp_crypto_policy_set_rtp_default(&mut rtcp);
                }
                Profile::AesCm256HmacSha1_80 => {
                    srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&mut rtp);
                    srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&mut rtcp);
                }
                Profile::AesCm256HmacSha1_32 => {
                    srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&mut rtp);
                    srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&mut rtcp);
                }
                Profile::AeadAes128Gcm => {
                    srtp_crypto_policy_set_aes_gcm_128_16_auth(&mut rtp);
                    srtp_crypto_policy_set_aes_gcm_128_16_auth(&mut rtcp);
                }
                Profile::AeadAes256Gcm => {
                    srtp_crypto_policy_set_aes_gcm_256_16_auth(&mut rtp);
                    srtp_crypto_policy_set_aes_gcm_256_16_auth(&mut rtcp);
                }
            }
        }
        let mut key = key_salt.to_vec();
        key.resize(64, 0);
        let mut mki_buf = mki.map(<[u8]>::to_vec).unwrap_or_default();
        let mut mk = MasterKey {
            key: key.as_mut_ptr(),
            mki_id: mki_buf.as_mut_ptr(),
            mki_size: mki_buf.len() as c_uint,
        };
        let mut mk_ptr: *mut MasterKey = &mut mk;
        let policy = Policy {
            ssrc: Ssrc {
                kind: if outbound {
                    SSRC_ANY_OUTBOUND
                } else {
                    SSRC_ANY_INBOUND
                },
                value: 0,
            },
            rtp,
            rtcp,
            key: if mki.is_some() {
                std::ptr::null_mut()
            } else {
                key.as_mut_ptr()
            },
            keys: if mki.is_some() {
                &mut mk_ptr
            } else {
                std::ptr::null_mut()
            },
            num_master_keys: if mki.is_some() { 1 } else { 0 },
            deprecated_ekt: std::ptr::null_mut(),
            window_size: window as c_ulong,
            allow_repeat_tx: 0,
            enc_xtn_hdr: std::ptr::null_mut(),
            enc_xtn_hdr_count: 0,
            next: std::ptr::null_mut(),
        };
        let mut ctx = std::ptr::null_mut();
        // SAFETY: `policy` and the key/MKI buffers it points to outlive the call; libsrtp
        // copies what it keeps.
        let rc = unsafe { srtp_create(&mut ctx, &policy) };
        if rc != 0 {
            return Err(rc);
        }
        Ok(Self {
            ctx,
            use_mki: mki.is_some(),
        })
    }

    fn call(
        &mut self,
        buf: &mut [u8],
        len: usize,
        protect: bool,
        rtcp: bool,
    ) -> Result<usize, i32> {
        // libsrtp writes up to MAX_TRAILER bytes after the packet without a bound check.
        if len > buf.len() || (protect && buf.len() < len + MAX_TRAILER) {
            return Err(-1);
        }
        let mut l = c_int::try_from(len).map_err(|_| -1)?;
        let p = buf.as_mut_ptr().cast::<c_void>();
        let m = c_uint::from(self.use_mki);
        // SAFETY: `buf` is valid for `buf.len()` bytes, which covers the packet and (for
        // protect) the trailer libsrtp appends; `l` is the packet length.
        let rc = unsafe {
            match (protect, rtcp) {
                (true, false) => srtp_protect_mki(self.ctx, p, &mut l, m, 0),
                (false, false) => srtp_unprotect_mki(self.ctx, p, &mut l, m),
                (true, true) => srtp_protect_rtcp_mki(self.ctx, p, &mut l, m, 0),
                (false, true) => srtp_unprotect_rtcp_mki(self.ctx, p, &mut l, m),
            }
        };
        if rc != 0 {
            return Err(rc);
        }
        usize::try_from(l).map_err(|_| -1)
    }

    /// Protects RTP `buf[..len]`; `buf` needs `len + MAX_TRAILER` bytes.
    pub fn protect(&mut self, buf: &mut [u8], len: usize) -> Result<usize, i32> {
        if self.use_mki {
            return self.call(buf, len, true, false);
        }
        self.plain(buf, len, srtp_protect, true)
    }

    /// Unprotects SRTP `buf[..len]`.
    pub fn unprotect(&mut self, buf: &mut [u8], len: usize) -> Result<usize, i32> {
        if self.use_mki {
            return self.call(buf, len, false, false);
        }
        self.plain(buf, len, srtp_unprotect, false)
    }

    /// Protects RTCP `buf[..len]`; `buf` needs `len + MAX_TRAILER` bytes.
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, i32> {
        if self.use_mki {
            return self.call(buf, len, true, true);
        }
        self.plain(buf, len, srtp_protect_rtcp, true)
    }

    /// Unprotects SRTCP `buf[..len]`.
    pub fn unprotect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, i32> {
        if self.use_mki {
            return self.call(buf, len, false, true);
        }
        self.plain(buf, len, srtp_unprotect_rtcp, false)
    }

    /// The non-MKI entry points (what real deployments call, and what the bench measures).
    fn plain(
        &mut self,
        buf: &mut [u8],
        len: usize,
        f: unsafe extern "C" fn(*mut c_void, *mut c_void, *mut c_int) -> c_int,
        protect: bool,
    ) -> Result<usize, i32> {
        if len > buf.len() || (protect && buf.len() < len + MAX_TRAILER) {
            return Err(-1);
        }
        let mut l = c_int::try_from(len).map_err(|_| -1)?;
        // SAFETY: as in `call`.
        let rc = unsafe { f(self.ctx, buf.as_mut_ptr().cast(), &mut l) };
        if rc != 0 {
            return Err(rc);
        }
        usize::try_from(l).map_err(|_| -1)
    }
}

impl Drop for LibSrtp {
    fn drop(&mut self) {
        // SAFETY: `ctx` came from a successful `srtp_create` and is freed once.
        unsafe {
            srtp_dealloc(self.ctx);
        }
    }
}
