//! The SSH client side of endpoint control, on russh (pure Rust, tokio; its crypto comes from
//! aws-lc-rs and RustCrypto).
//!
//! One console session per operation: TCP connect and key exchange within the connect
//! timeout, the server's host key checked against the pinned SHA-256 fingerprint (an unknown
//! or changed key ends the connection before authentication, so no signature of ours reaches
//! an impostor), public-key authentication only (russh never falls back to a password or
//! keyboard-interactive unless asked, and we never ask), then a shell channel: the dialect's
//! lines go in, and output is read until the console closes the channel, the dialect sees a
//! complete answer, the output bound is reached (the rest is cut) or the command timeout
//! passes. Flow control keeps what the server can push ahead of us to one window.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use russh::client;
use russh::keys::ssh_key::HashAlg;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::ChannelMsg;
use tokio::time::{timeout, timeout_at, Instant};
use zeroize::Zeroizing;

use super::{Endpoint, Fingerprint};

/// Largest private key file read; OpenSSH keys are a few kilobytes even for RSA-16384.
pub const MAX_KEY_FILE_LEN: u64 = 64 * 1024;

/// Channel window and packet size: how much a console may send ahead of our reading.
const WINDOW: u32 = 64 * 1024;
const MAX_PACKET: u32 = 32 * 1024;
/// Completeness checks per session; past this only close, the bound or the timeout end the
/// read, so a console sending one-byte lines cannot make the checks quadratic.
const MAX_COMPLETENESS_CHECKS: usize = 256;

/// Timeouts and the output bound of one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// TCP connect plus key exchange, and then authentication, each.
    pub connect: Duration,
    /// From sending the command until the answer is complete.
    pub command: Duration,
    /// Most bytes of console output kept; the rest is cut.
    pub max_output: usize,
}

/// Why a session failed. No variant holds a passphrase or key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SshError {
    #[error("cannot connect to {address}: {source}")]
    Connect {
        address: String,
        source: std::io::Error,
    },
    #[error("{address} did not answer within {seconds} s ({phase})")]
    Timeout {
        address: String,
        phase: &'static str,
        seconds: u64,
    },
    /// The room's host key is not the pinned one: a replaced system, or someone in between.
    #[error("host key of {address} has CHANGED: pinned {expected}, presented {presented}; refusing to connect (if the room was replaced, remove and add it again after checking the new fingerprint on its console)")]
    HostKeyChanged {
        address: String,
        expected: Fingerprint,
        presented: String,
    },
    /// No fingerprint was given to pin: the caller shows `presented` to the operator.
    #[error("host key of {address} is not pinned yet: it presents {presented}; check it on the room's console, then add again with --accept-host-key {presented}")]
    HostKeyUnknown { address: String, presented: String },
    #[error("SSH handshake with {address} failed: {reason}")]
    Handshake { address: String, reason: String },
    #[error("{address} refused public-key authentication as {user}")]
    AuthRefused { address: String, user: String },
    #[error("key file {path}: {reason}")]
    KeyFile { path: PathBuf, reason: String },
    #[error(
        "key file {0} is encrypted: give its passphrase on standard input (--passphrase-stdin)"
    )]
    KeyNeedsPassphrase(PathBuf),
    #[error("SSH channel to {address}: {reason}")]
    Channel { address: String, reason: String },
}

impl SshError {
    /// A short name for audit events.
    pub fn kind(&self) -> &'static str {
        match self {
            SshError::Connect { .. } => "connect_failed",
            SshError::Timeout { .. } => "timeout",
            SshError::HostKeyChanged { .. } => "host_key_changed",
            SshError::HostKeyUnknown { .. } => "host_key_unknown",
            SshError::Handshake { .. } => "handshake_failed",
            SshError::AuthRefused { .. } => "auth_refused",
            SshError::KeyFile { .. } | SshError::KeyNeedsPassphrase(_) => "key_file",
            SshError::Channel { .. } => "channel_failed",
        }
    }
}

/// Reads a private key (OpenSSH or PEM format). Refused like OpenSSH refuses it: a key file
/// that group or others can read is not used. The passphrase is wiped when dropped.
pub fn load_key(
    path: &Path,
    passphrase: Option<&Zeroizing<String>>,
) -> Result<PrivateKey, SshError> {
    let bad = |reason: String| SshError::KeyFile {
        path: path.to_owned(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?;
    if !meta.is_file() {
        return Err(bad("not a regular file".to_owned()));
    }
    if meta.len() > MAX_KEY_FILE_LEN {
        return Err(bad(format!("larger than {MAX_KEY_FILE_LEN} bytes")));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(bad(
                "readable by group or others; chmod 600 it (a private key must be private)"
                    .to_owned(),
            ));
        }
    }
    match russh::keys::load_secret_key(path, passphrase.map(|p| p.as_str())) {
        Ok(key) => Ok(key),
        Err(russh::keys::Error::KeyIsEncrypted) => {
            Err(SshError::KeyNeedsPassphrase(path.to_owned()))
        }
        // The error names the problem (e.g. a wrong passphrase shows as a corrupt key), never
        // the passphrase.
        Err(e) => Err(bad(format!("cannot read the key: {e}"))),
    }
}

/// Checks the server's host key against the pin and remembers what it presented.
struct Pin {
    expected: Option<Fingerprint>,
    presented: Arc<Mutex<Option<String>>>,
}

impl client::Handler for Pin {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        // A certificate is judged by the key it certifies: the pin is on the key.
        let fingerprint = match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.fingerprint(HashAlg::Sha256),
            PublicKeyOrCertificate::Certificate(cert) => {
                cert.public_key().fingerprint(HashAlg::Sha256)
            }
        }
        .to_string();
        let ok = self
            .expected
            .as_ref()
            .is_some_and(|e| e.as_str() == fingerprint);
        *self
            .presented
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(fingerprint);
        Ok(ok)
    }
}

fn config(limits: &Limits) -> Arc<client::Config> {
    Arc::new(client::Config {
        client_id: russh::SshId::Standard(Cow::Borrowed("SSH-2.0-roomgate")),
        window_size: WINDOW,
        maximum_packet_size: MAX_PACKET,
        channel_buffer_size: 16,
        inactivity_timeout: Some(limits.connect.saturating_add(limits.command)),
        nodelay: true,
        ..client::Config::default()
    })
}

fn secs(d: Duration) -> u64 {
    d.as_secs().max(1)
}

/// A connected, host-key-checked session.
struct Connected {
    handle: client::Handle<Pin>,
    address: String,
}

/// Connects to `address` and checks the host key against `expected` (`None`: only learn it,
/// and fail with [`SshError::HostKeyUnknown`]).
async fn connect(
    address: &str,
    expected: Option<&Fingerprint>,
    limits: &Limits,
) -> Result<Connected, SshError> {
    let deadline = Instant::now() + limits.connect;
    let timed_out = |phase| SshError::Timeout {
        address: address.to_owned(),
        phase,
        seconds: secs(limits.connect),
    };
    let stream = timeout_at(deadline, tokio::net::TcpStream::connect(address))
        .await
        .map_err(|_| timed_out("connect"))?
        .map_err(|source| SshError::Connect {
            address: address.to_owned(),
            source,
        })?;
    let presented = Arc::new(Mutex::new(None));
    let pin = Pin {
        expected: expected.cloned(),
        presented: presented.clone(),
    };
    let result = timeout_at(
        deadline,
        client::connect_stream(config(limits), stream, pin),
    )
    .await
    .map_err(|_| timed_out("key exchange"))?;
    let seen = presented
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    match (result, seen, expected) {
        (Ok(handle), _, _) => Ok(Connected {
            handle,
            address: address.to_owned(),
        }),
        (Err(_), Some(presented), None) => Err(SshError::HostKeyUnknown {
            address: address.to_owned(),
            presented,
        }),
        (Err(_), Some(presented), Some(expected)) if expected.as_str() != presented => {
            Err(SshError::HostKeyChanged {
                address: address.to_owned(),
                expected: expected.clone(),
                presented,
            })
        }
        (Err(e), _, _) => Err(SshError::Handshake {
            address: address.to_owned(),
            reason: e.to_string(),
        }),
    }
}

/// The fingerprint `endpoint`'s address presents, learned without authenticating: for an
/// operator adding a room without `--accept-host-key`. Always an error: either
/// [`SshError::HostKeyUnknown`] with the fingerprint, or why it could not be learned.
pub async fn learn_host_key(address: &str, limits: &Limits) -> SshError {
    match connect(address, None, limits).await {
        Ok(c) => {
            // Not reachable: the pin refuses every key when none is expected.
            let _ = c
                .handle
                .disconnect(russh::Disconnect::ByApplication, "", "en")
                .await;
            SshError::Handshake {
                address: address.to_owned(),
                reason: "host key accepted without a pin".to_owned(),
            }
        }
        Err(e) => e,
    }
}

/// What a console printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    /// Decoded lossily as UTF-8; still hostile text (see [`super::printable`]).
    pub output: String,
    /// The console sent more than [`Limits::max_output`]; the rest was cut.
    pub truncated: bool,
}

/// Connects, authenticates with `key` and, with `lines` empty, stops there (to check a new
/// endpoint); otherwise sends `lines` to a console shell and reads its answer until
/// `complete` says it is whole, the console closes, or a limit is reached.
pub async fn session(
    endpoint: &Endpoint,
    key: Arc<PrivateKey>,
    lines: &[String],
    complete: &(dyn Fn(&str) -> bool + Sync),
    limits: &Limits,
) -> Result<Transcript, SshError> {
    let address = endpoint.address();
    let Connected {
        mut handle,
        address,
    } = connect(&address, Some(&endpoint.host_key), limits).await?;
    let result = async {
        authenticate(&mut handle, &address, &endpoint.user, key, limits).await?;
        if lines.is_empty() {
            return Ok(Transcript {
                output: String::new(),
                truncated: false,
            });
        }
        converse(&handle, &address, lines, complete, limits).await
    }
    .await;
    // Best effort, bounded: a console that does not take the goodbye is dropped anyway.
    let _ = timeout(
        Duration::from_secs(1),
        handle.disconnect(russh::Disconnect::ByApplication, "", "en"),
    )
    .await;
    result
}

async fn authenticate(
    handle: &mut client::Handle<Pin>,
    address: &str,
    user: &str,
    key: Arc<PrivateKey>,
    limits: &Limits,
) -> Result<(), SshError> {
    let timed_out = || SshError::Timeout {
        address: address.to_owned(),
        phase: "authentication",
        seconds: secs(limits.connect),
    };
    let handshake = |e: russh::Error| SshError::Handshake {
        address: address.to_owned(),
        reason: e.to_string(),
    };
    let deadline = Instant::now() + limits.connect;
    // For RSA keys: rsa-sha2-512/256 when the server says it takes them.
    let hash = timeout_at(deadline, handle.best_supported_rsa_hash())
        .await
        .map_err(|_| timed_out())?
        .map_err(handshake)?
        .flatten();
    let auth = timeout_at(
        deadline,
        handle.authenticate_publickey(user, PrivateKeyWithHashAlg::new(key, hash)),
    )
    .await
    .map_err(|_| timed_out())?
    .map_err(handshake)?;
    if auth.success() {
        Ok(())
    } else {
        Err(SshError::AuthRefused {
            address: address.to_owned(),
            user: user.to_owned(),
        })
    }
}

async fn converse(
    handle: &client::Handle<Pin>,
    address: &str,
    lines: &[String],
    complete: &(dyn Fn(&str) -> bool + Sync),
    limits: &Limits,
) -> Result<Transcript, SshError> {
    let channel_err = |e: russh::Error| SshError::Channel {
        address: address.to_owned(),
        reason: e.to_string(),
    };
    let deadline = Instant::now() + limits.command;
    let timed_out = || SshError::Timeout {
        address: address.to_owned(),
        phase: "command",
        seconds: secs(limits.command),
    };
    let mut channel = timeout_at(deadline, handle.channel_open_session())
        .await
        .map_err(|_| timed_out())?
        .map_err(channel_err)?;
    timeout_at(deadline, channel.request_shell(false))
        .await
        .map_err(|_| timed_out())?
        .map_err(channel_err)?;
    let mut input = Vec::new();
    for line in lines {
        input.extend_from_slice(line.as_bytes());
        input.push(b'\n');
    }
    timeout_at(deadline, channel.data(&input[..]))
        .await
        .map_err(|_| timed_out())?
        .map_err(channel_err)?;
    let mut output: Vec<u8> = Vec::new();
    let mut truncated = false;
    let mut checks = 0usize;
    loop {
        let msg = timeout_at(deadline, channel.wait())
            .await
            .map_err(|_| timed_out())?;
        let data = match msg {
            None | Some(ChannelMsg::Eof) | Some(ChannelMsg::Close) => break,
            Some(ChannelMsg::Data { data }) | Some(ChannelMsg::ExtendedData { data, .. }) => data,
            Some(_) => continue,
        };
        let room = limits.max_output.saturating_sub(output.len());
        if data.len() > room {
            output.extend_from_slice(data.get(..room).unwrap_or(&[]));
            truncated = true;
            break;
        }
        output.extend_from_slice(&data);
        if data.contains(&b'\n') && checks < MAX_COMPLETENESS_CHECKS {
            checks += 1;
            if complete(&String::from_utf8_lossy(&output)) {
                break;
            }
        }
    }
    let _ = timeout(Duration::from_millis(500), channel.close()).await;
    Ok(Transcript {
        output: String::from_utf8_lossy(&output).into_owned(),
        truncated,
    })
}
