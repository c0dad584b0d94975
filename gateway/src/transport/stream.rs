//! TCP and TLS: an accept loop that enforces connection limits before reading a byte, and one
//! task per connection that frames messages, answers keep-alive pings, writes what the core
//! queues for it, and closes on idle, slow start, oversize or unframeable input.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use roomgate_sip::{Frame, StreamFramer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::connections::{Connections, Registration};
use super::{ConnId, Inbound, Proto, Received};
use crate::stats::Stats;

/// What every stream connection obeys.
#[derive(Clone)]
pub struct StreamSettings {
    pub max_message: usize,
    pub idle_timeout: Duration,
    pub handshake_timeout: Duration,
    pub stats: Arc<Stats>,
}

pub async fn spawn_tcp_listener(
    addr: SocketAddr,
    inbound: Inbound,
    connections: Connections,
    settings: StreamSettings,
) -> std::io::Result<SocketAddr> {
    spawn_listener(addr, inbound, connections, settings, None).await
}

pub async fn spawn_tls_listener(
    addr: SocketAddr,
    inbound: Inbound,
    connections: Connections,
    settings: StreamSettings,
    acceptor: tokio_rustls::TlsAcceptor,
) -> std::io::Result<SocketAddr> {
    spawn_listener(addr, inbound, connections, settings, Some(acceptor)).await
}

async fn spawn_listener(
    addr: SocketAddr,
    inbound: Inbound,
    connections: Connections,
    settings: StreamSettings,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let proto = if tls.is_some() {
        Proto::Tls
    } else {
        Proto::Tcp
    };
    tokio::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(s) => s,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(%local, error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let (registration, rx) = match connections.admit(peer, proto) {
                Ok(r) => r,
                Err(why) => {
                    settings
                        .stats
                        .connections_refused
                        .fetch_add(1, Ordering::Relaxed);
                    tracing::info!(%peer, ?why, ?proto, "connection refused by limit");
                    drop(stream);
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let inbound = inbound.clone();
            let settings = settings.clone();
            let tls = tls.clone();
            let handshake_timeout = settings.handshake_timeout;
            let conn = Conn {
                peer,
                local,
                proto,
                registration,
                outgoing: rx,
                inbound,
                settings,
            };
            tokio::spawn(async move {
                match tls {
                    None => serve(stream, conn).await,
                    Some(acceptor) => {
                        let handshake =
                            tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await;
                        match handshake {
                            Ok(Ok(tls_stream)) => serve(tls_stream, conn).await,
                            Ok(Err(e)) => tracing::info!(%peer, error = %e, "TLS handshake failed"),
                            Err(_) => tracing::info!(%peer, "TLS handshake timed out"),
                        }
                    }
                }
            });
        }
    });
    Ok(local)
}

/// Opens an outbound TCP or TLS connection and serves it like an accepted one.
pub async fn connect(
    peer: SocketAddr,
    server_name: Option<rustls_pki_types::ServerName<'static>>,
    tls: Option<tokio_rustls::TlsConnector>,
    inbound: Inbound,
    connections: Connections,
    settings: StreamSettings,
) -> Result<ConnId, ConnectError> {
    let proto = if tls.is_some() {
        Proto::Tls
    } else {
        Proto::Tcp
    };
    let stream = tokio::time::timeout(settings.handshake_timeout, TcpStream::connect(peer))
        .await
        .map_err(|_| ConnectError::Timeout)??;
    let local = stream.local_addr()?;
    let _ = stream.set_nodelay(true);
    let (registration, rx) = connections
        .admit(peer, proto)
        .map_err(|_| ConnectError::Limit)?;
    let id = registration.id;
    let handshake_timeout = settings.handshake_timeout;
    let conn = Conn {
        peer,
        local,
        proto,
        registration,
        outgoing: rx,
        inbound,
        settings,
    };
    match tls {
        None => {
            tokio::spawn(serve(stream, conn));
        }
        Some(connector) => {
            let name = server_name.ok_or(ConnectError::NoServerName)?;
            let tls_stream =
                tokio::time::timeout(handshake_timeout, connector.connect(name, stream))
                    .await
                    .map_err(|_| ConnectError::Timeout)??;
            tokio::spawn(serve(tls_stream, conn));
        }
    }
    Ok(id)
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("connect timed out")]
    Timeout,
    #[error("connection limit reached")]
    Limit,
    #[error("TLS needs a server name")]
    NoServerName,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One admitted connection: who it is with, its table entry, its send queue and where its
/// messages go.
struct Conn {
    peer: SocketAddr,
    local: SocketAddr,
    proto: Proto,
    registration: Registration,
    outgoing: mpsc::Receiver<Vec<u8>>,
    inbound: Inbound,
    settings: StreamSettings,
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(stream: S, conn: Conn) {
    let Conn {
        peer,
        local,
        proto,
        registration,
        mut outgoing,
        inbound,
        settings,
    } = conn;
    let id = registration.id;
    let (mut reader, mut writer) = tokio::io::split(stream);
    let framer = StreamFramer::new(settings.max_message);
    // One read can complete a message and start the next, so leave room for a read beyond it.
    let mut buf: Vec<u8> = Vec::with_capacity(8 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    let started = Instant::now();
    let mut got_message = false;
    let close_reason: &str = loop {
        let wait = if got_message {
            settings.idle_timeout
        } else {
            settings.handshake_timeout.saturating_sub(started.elapsed())
        };
        tokio::select! {
            read = tokio::time::timeout(wait, reader.read(&mut chunk)) => {
                let n = match read {
                    Err(_) if got_message => break "idle timeout",
                    Err(_) => break "no message within the handshake timeout",
                    Ok(Err(_)) => break "read error",
                    Ok(Ok(0)) => break "closed by peer",
                    Ok(Ok(n)) => n,
                };
                buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
                let mut fatal = None;
                loop {
                    match framer.next_frame(&buf) {
                        Ok(None) => break,
                        Ok(Some((frame, used))) => {
                            match frame {
                                Frame::Ping => {
                                    if writer.write_all(b"\r\n").await.is_err() {
                                        fatal = Some("write error");
                                        break;
                                    }
                                }
                                Frame::Pong => {}
                                Frame::Message(_) => {
                                    got_message = true;
                                    let received = Received {
                                        proto,
                                        peer,
                                        local,
                                        conn: Some(id),
                                        bytes: buf.get(..used).unwrap_or_default().to_vec(),
                                        at: Instant::now(),
                                    };
                                    // Back-pressure: a busy core slows this reader, and TCP
                                    // flow control slows the peer.
                                    if inbound.send(received).await.is_err() {
                                        fatal = Some("core stopped");
                                        break;
                                    }
                                }
                            }
                            buf.drain(..used);
                        }
                        Err(e) => {
                            settings.stats.streams_closed_bad_framing.fetch_add(1, Ordering::Relaxed);
                            tracing::info!(%peer, ?proto, error = %e, "closing stream: cannot frame");
                            fatal = Some("unframeable input");
                            break;
                        }
                    }
                }
                if let Some(reason) = fatal {
                    break reason;
                }
            }
            out = outgoing.recv() => {
                let Some(bytes) = out else { break "closed by core" };
                if writer.write_all(&bytes).await.is_err() {
                    break "write error";
                }
            }
        }
    };
    tracing::debug!(%peer, ?proto, conn = id.0, reason = close_reason, "stream closed");
    let _ = writer.shutdown().await;
    drop(registration);
}
