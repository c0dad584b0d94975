//! The built-in echo service: the "cloud meeting" the demo meetings bridge to in the embedded
//! default. It is a SIP user agent server on its own TLS listener that answers every call
//! with AES-256 SRTP and sends each caller's media back to it.
//!
//! It is deliberately a real peer, not a shortcut inside the gateway: the gateway reaches it
//! through its ordinary outbound SIP/TLS leg with SDES-SRTP, so the demo exercises the same
//! code a real cloud meeting service would.
//!
//! ```text
//!  gateway outbound leg --SIP/TLS--> accept loop --> one task per connection:
//!                                                   StreamFramer -> Uas -> responses
//!  gateway media --SRTP, its key-->  UDP socket per m= line  (media.rs)
//!                <--SRTP, our key, our SSRC--
//! ```
//!
//! Design:
//! - **Pieces from the protocol crates.** Messages are framed with
//!   [`roomgate_sip::StreamFramer`] and decoded with [`roomgate_sip::decode_datagram`];
//!   responses are built with `Message::response_to`; dialogs are
//!   [`roomgate_sip::Dialog`]; SDP offers and answers are the call legs' own
//!   ([`crate::call::negotiate`], [`crate::call::sdes`]); SRTP is [`roomgate_media::srtp`].
//!   This module only decides what to answer ([`uas`]) and moves bytes.
//! - **TLS only, no retransmissions.** TLS is reliable (RFC 3261 §17.2.1: no response
//!   retransmission timers), the caller connects directly (no UDP hop for which §13.3.1.4
//!   would have us re-send the 2xx), and every INVITE is answered at once, so no transaction
//!   layer or timer is needed.
//! - **Calls belong to their connection.** Each connection task owns the calls made on it
//!   (no shared lock); when the connection closes — the caller hung up its transport or
//!   vanished — its calls and media end with it. A caller cannot leak calls by
//!   disappearing, and [`EchoConfig::max_calls`] bounds what all connections hold together.
//! - **Bounded everywhere.** At most [`MAX_CONNECTIONS`] connections; a TLS handshake must
//!   finish within [`HANDSHAKE_TIMEOUT`]; a connection without calls is closed after
//!   [`IDLE_TIMEOUT`] of silence (one with calls is kept: a call may be silent for hours);
//!   a message may not exceed [`MAX_MESSAGE`] bytes; unframeable input closes the
//!   connection (a SIP stream cannot be resynchronised); a write that does not finish within
//!   [`WRITE_TIMEOUT`] closes it too. Media buffers are fixed at 2048 bytes per stream.
//! - **Certificates** are made once and kept (see [`cert`]); the gateway trusts
//!   [`EchoHandle::ca_der`] (or the PEM at [`EchoHandle::ca_pem_path`]) and verifies the
//!   name `localhost` or the IP address it dials: the leaf carries both.
//!
//! Stopping: set the `shutdown` watch to `true` (or drop its sender). The listener closes,
//! every connection closes, every call ends; [`EchoHandle::join`] waits for that.

pub mod cert;
pub mod media;
pub mod uas;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use roomgate_sip::sdp::CryptoSuite;
use roomgate_sip::{Frame, StreamFramer};
use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::transport::tls::{server_config, TlsError};
use uas::{Settings, Uas};

pub use media::srtp_suite;

/// Simultaneous TLS connections. The gateway needs one per outbound leg at most; this only
/// stops a local misbehaving client from exhausting file descriptors.
pub const MAX_CONNECTIONS: usize = 256;
/// Time for a TLS handshake, from accept.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Silence after which a connection that carries no call is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Time for writing one response; a peer that does not read is dropped.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest SIP message (headers and body). SDP offers with audio, video and content are a
/// few kilobytes; this leaves room without letting a peer make us buffer much.
pub const MAX_MESSAGE: usize = 32 * 1024;
/// How long [`EchoHandle::join`] lets connections finish after shutdown before aborting them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// Where and how the echo service runs.
#[derive(Debug, Clone)]
pub struct EchoConfig {
    /// The TLS listener; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Address of the media sockets (and of the SDP `c=` line).
    pub media_ip: IpAddr,
    /// Where the certificates are made and kept.
    pub cert_dir: PathBuf,
    /// SDES suites in our order of preference; every one must be one
    /// [`roomgate_media::srtp`] implements.
    pub suites: Vec<CryptoSuite>,
    /// Calls at once over all connections; more INVITEs get 486 Busy Here.
    pub max_calls: usize,
}

impl Default for EchoConfig {
    fn default() -> Self {
        EchoConfig {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            media_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            cert_dir: PathBuf::from("./roomgate-data"),
            // What a leg offers a cloud meeting (AES-256 first), since the echo stands in
            // for one.
            suites: crate::call::negotiate::default_suites(),
            max_calls: 64,
        }
    }
}

/// Why the echo service did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EchoError {
    #[error("echo service configuration: {0}")]
    Config(&'static str),
    #[error("echo service: {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("echo service: cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("echo service certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("echo service: {0}")]
    Tls(#[from] TlsError),
}

/// A running echo service.
#[derive(Debug)]
pub struct EchoHandle {
    /// The TLS listener's address.
    pub addr: SocketAddr,
    /// The CA certificate (PEM) that signed the service's certificate.
    pub ca_pem_path: PathBuf,
    /// The same CA certificate, for a client's root store.
    pub ca_der: CertificateDer<'static>,
    /// The name to verify (SNI): `localhost`. The certificate also holds the IP SANs
    /// `127.0.0.1` and `::1`.
    pub server_name: String,
    settings: Arc<Settings>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl EchoHandle {
    /// Calls established and not yet ended.
    pub fn active_calls(&self) -> usize {
        self.settings.active_calls()
    }

    /// The SIPS URI that reaches `user` on this service:
    /// `sips:{user}@{ip}:{port};transport=tls` (the echo answers any user).
    pub fn uri(&self, user: &str) -> String {
        format!("sips:{user}@{};transport=tls", self.addr)
    }

    /// A rustls client configuration that trusts this service's CA only (ring provider).
    pub fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, EchoError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone()).map_err(TlsError::from)?;
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(TlsError::from)?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(Arc::new(config))
    }

    /// Waits until the service has stopped (after `shutdown`): listener closed, every
    /// connection closed, every call ended. Returns at once when already awaited.
    pub async fn join(&mut self) {
        if let Some(task) = self.task.take() {
            if let Err(e) = task.await {
                tracing::warn!(error = %e, "echo service task failed");
            }
        }
    }
}

/// Starts the echo service: makes or loads the certificates, binds the TLS listener and
/// spawns the accept loop. Returns once the listener is bound.
pub async fn start(
    cfg: EchoConfig,
    shutdown: watch::Receiver<bool>,
) -> Result<EchoHandle, EchoError> {
    if cfg.suites.is_empty() {
        return Err(EchoError::Config("at least one SRTP suite is needed"));
    }
    if cfg.suites.iter().any(|s| srtp_suite(s).is_none()) {
        return Err(EchoError::Config(
            "a configured SRTP suite is not implemented by roomgate-media",
        ));
    }
    if cfg.max_calls == 0 {
        return Err(EchoError::Config("max_calls must be at least 1"));
    }
    let pki = cert::load_or_create(&cfg.cert_dir)?;
    let tls = server_config(&pki.cert_path, &pki.key_path)?;
    let listener = TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| EchoError::Listen {
            addr: cfg.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| EchoError::Listen {
        addr: cfg.listen,
        source,
    })?;
    // An unspecified listen address cannot be a Contact: name the media address instead.
    let contact_addr = if addr.ip().is_unspecified() {
        SocketAddr::new(cfg.media_ip, addr.port())
    } else {
        addr
    };
    let settings = Arc::new(Settings::new(
        cfg.media_ip,
        cfg.suites.clone(),
        cfg.max_calls,
        format!("<sips:echo@{contact_addr};transport=tls>"),
    ));
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let span = tracing::info_span!("echo", %addr);
    let task =
        tokio::spawn(accept_loop(listener, acceptor, settings.clone(), shutdown).instrument(span));
    tracing::info!(%addr, cert_dir = %cfg.cert_dir.display(), "echo service listening");
    Ok(EchoHandle {
        addr,
        ca_pem_path: pki.ca_pem_path,
        ca_der: pki.ca_der,
        server_name: "localhost".to_owned(),
        settings,
        task: Some(task),
    })
}

/// `true` once shutdown is asked for; a dropped sender counts as asking.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    settings: Arc<Settings>,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = stopped(&mut shutdown) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(s) => s,
                    Err(e) => {
                        // EMFILE and friends: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    tracing::info!(%peer, "connection refused: limit reached");
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let acceptor = acceptor.clone();
                let settings = settings.clone();
                let shutdown = shutdown.clone();
                let span = tracing::debug_span!("echo_conn", %peer);
                connections.spawn(
                    async move {
                        connection(stream, acceptor, settings, shutdown).await;
                        drop(slot);
                    }
                    .instrument(span),
                );
            }
        }
    }
    drop(listener);
    tracing::info!("echo service stopping");
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
}

async fn connection(
    stream: TcpStream,
    acceptor: tokio_rustls::TlsAcceptor,
    settings: Arc<Settings>,
    mut shutdown: watch::Receiver<bool>,
) {
    let handshake = tokio::select! {
        () = stopped(&mut shutdown) => return,
        h = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)) => h,
    };
    let tls = match handshake {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            tracing::info!(error = %e, "TLS handshake failed");
            return;
        }
        Err(_) => {
            tracing::info!("TLS handshake timed out");
            return;
        }
    };
    let reason = serve(tls, Uas::new(settings), shutdown).await;
    tracing::debug!(reason, "connection closed");
}

/// Reads, frames and answers until the stream ends; returns why it ended. Dropping the
/// [`Uas`] on return ends this connection's calls.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    mut uas: Uas,
    mut shutdown: watch::Receiver<bool>,
) -> &'static str {
    let framer = StreamFramer::new(MAX_MESSAGE);
    let mut buf: Vec<u8> = Vec::with_capacity(8 * 1024);
    let mut chunk = vec![0u8; 8 * 1024];
    let reason = loop {
        let read = async {
            if uas.call_count() > 0 {
                Ok(stream.read(&mut chunk).await)
            } else {
                tokio::time::timeout(IDLE_TIMEOUT, stream.read(&mut chunk)).await
            }
        };
        let n = tokio::select! {
            () = stopped(&mut shutdown) => break "shutdown",
            read = read => match read {
                Err(_) => break "idle timeout",
                Ok(Err(_)) => break "read error",
                Ok(Ok(0)) => break "closed by peer",
                Ok(Ok(n)) => n,
            },
        };
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        let mut fatal = None;
        loop {
            let (used, is_message, is_ping) = match framer.next_frame(&buf) {
                Ok(None) => break,
                Ok(Some((frame, used))) => (
                    used,
                    matches!(frame, Frame::Message(_)),
                    matches!(frame, Frame::Ping),
                ),
                Err(e) => {
                    tracing::info!(error = %e, "closing: cannot frame input");
                    fatal = Some("unframeable input");
                    break;
                }
            };
            let reply = if is_message {
                buf.get(..used).and_then(|bytes| uas.handle(bytes))
            } else if is_ping {
                // RFC 5626 §4.4.1 keep-alive: answer CRLFCRLF with CRLF.
                Some(b"\r\n".to_vec())
            } else {
                None
            };
            buf.drain(..used.min(buf.len()));
            if let Some(reply) = reply {
                let write = async {
                    stream.write_all(&reply).await?;
                    stream.flush().await
                };
                match tokio::time::timeout(WRITE_TIMEOUT, write).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => fatal = Some("write error"),
                    Err(_) => fatal = Some("write timeout"),
                }
                if fatal.is_some() {
                    break;
                }
            }
        }
        if let Some(reason) = fatal {
            break reason;
        }
    };
    let _ = tokio::time::timeout(WRITE_TIMEOUT, stream.shutdown()).await;
    reason
}
