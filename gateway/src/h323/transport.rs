//! H.323 over TCP: the call signalling listener, H.245 connections (to the address a peer
//! gave, or one accepted on a port we offer), and one task per connection that only frames
//! TPKT packets in and writes what the core queues. Protocol state lives in the core's
//! sans-IO machines (`roomgate_h323::endpoint`), never here.
//!
//! Limits hold before a byte is read (connections per source and in total, shared by
//! signalling and H.245), a packet has a size bound (the TPKT decoder's), and a peer that
//! starts a packet and stalls, or sends nothing at all, is disconnected.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use roomgate_h323::tpkt::TpktDecoder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::transport::{ConnId, ConnectError, ConnectionLimits, Connections, Proto, SendError};

/// What every H.323 connection obeys.
#[derive(Debug, Clone, Copy)]
pub struct H323Settings {
    /// Connections per source address and in total (signalling and H.245 together).
    pub limits: ConnectionLimits,
    /// A connection that sends nothing for this long is closed (a call's signalling stays
    /// quiet between messages for long stretches, so this is generous).
    pub idle_timeout: Duration,
    /// A packet begun but not finished within this long is a stalled peer: closed.
    pub partial_timeout: Duration,
    /// How long a peer has to connect to the H.245 port we offered, and we to connect to its.
    pub connect_timeout: Duration,
}

impl Default for H323Settings {
    fn default() -> Self {
        H323Settings {
            // A call holds up to two connections (signalling, H.245); an MCU or a PBX trunk
            // brings many calls from one address.
            limits: ConnectionLimits {
                per_source: 128,
                total: 4096,
            },
            idle_timeout: Duration::from_secs(3600),
            partial_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// What a connection reports to the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnEvent {
    /// A call signalling connection was accepted.
    Accepted { peer: SocketAddr, local: SocketAddr },
    /// One TPKT payload.
    Payload(Vec<u8>),
    /// The connection is gone (closed by either side, timed out, or sent what cannot be
    /// framed).
    Closed,
    /// The H.245 connection of call connection `call` is up as `h245`.
    H245Opened { h245: ConnId },
    /// The H.245 connection of call connection `call` could not be made.
    H245Failed,
}

/// One report: which connection (for the H.245 ones, the call's signalling connection)
/// and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H323Received {
    pub conn: ConnId,
    pub event: ConnEvent,
}

/// The H.323 connections of one gateway.
#[derive(Clone)]
pub struct H323Transport {
    connections: Connections,
    inbound: mpsc::Sender<H323Received>,
    settings: Arc<H323Settings>,
}

impl H323Transport {
    pub fn new(settings: H323Settings, inbound: mpsc::Sender<H323Received>) -> Self {
        H323Transport {
            connections: Connections::new(settings.limits),
            inbound,
            settings: Arc::new(settings),
        }
    }

    /// Live connections (a gauge, and the tests' way to see one close).
    pub fn count(&self) -> usize {
        self.connections.count()
    }

    /// Listens for call signalling on `addr`; returns the bound address.
    pub async fn listen(&self, addr: SocketAddr) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(%local, error = %e, "H.323 accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok((registration, rx)) = this.connections.admit(peer, Proto::Tcp) else {
                    tracing::info!(%peer, "H.323 connection refused by limit");
                    continue;
                };
                let id = registration.id;
                let accepted = H323Received {
                    conn: id,
                    event: ConnEvent::Accepted { peer, local },
                };
                if this.inbound.send(accepted).await.is_err() {
                    return;
                }
                tokio::spawn(serve(stream, registration, rx, this.clone(), id));
            }
        });
        Ok(local)
    }

    /// Opens a call signalling connection to `to`, for a call we place; its payloads are
    /// reported under the returned id.
    pub async fn dial(&self, to: SocketAddr) -> Result<ConnId, ConnectError> {
        let timeout = self.settings.connect_timeout;
        let stream = tokio::time::timeout(timeout, TcpStream::connect(to))
            .await
            .map_err(|_| ConnectError::Timeout)??;
        let (registration, rx) = self
            .connections
            .admit(to, Proto::Tcp)
            .map_err(|_| ConnectError::Limit)?;
        let id = registration.id;
        tokio::spawn(serve(stream, registration, rx, self.clone(), id));
        Ok(id)
    }

    /// Queues a packet for connection `conn`.
    pub fn send(&self, conn: ConnId, bytes: Vec<u8>) -> Result<(), SendError> {
        self.connections.send(conn, bytes)
    }

    /// Closes connection `conn` once what is queued for it is written.
    pub fn close(&self, conn: ConnId) {
        self.connections.close(conn);
    }

    /// Opens the H.245 connection of call `call` to `to`; reports `H245Opened` or
    /// `H245Failed` under `call`, then the connection's payloads under its own id.
    pub fn connect_h245(&self, call: ConnId, to: SocketAddr) {
        let this = self.clone();
        tokio::spawn(async move {
            let timeout = this.settings.connect_timeout;
            let stream = match tokio::time::timeout(timeout, TcpStream::connect(to)).await {
                Ok(Ok(s)) => s,
                _ => {
                    this.report(call, ConnEvent::H245Failed).await;
                    return;
                }
            };
            this.adopt_h245(call, stream, to).await;
        });
    }

    /// Offers an H.245 port for call `call` on `local_ip`: accepts one connection, from
    /// `peer_ip` only, within the connect timeout; reports like [`Self::connect_h245`].
    pub async fn listen_h245(
        &self,
        call: ConnId,
        local_ip: IpAddr,
        peer_ip: IpAddr,
    ) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(SocketAddr::new(local_ip, 0)).await?;
        let local = listener.local_addr()?;
        let this = self.clone();
        tokio::spawn(async move {
            let deadline = tokio::time::Instant::now() + this.settings.connect_timeout;
            loop {
                match tokio::time::timeout_at(deadline, listener.accept()).await {
                    Ok(Ok((stream, peer))) if peer.ip() == peer_ip => {
                        this.adopt_h245(call, stream, peer).await;
                        return;
                    }
                    // Someone else: not the call's peer; keep waiting for it.
                    Ok(Ok(_)) => continue,
                    _ => {
                        this.report(call, ConnEvent::H245Failed).await;
                        return;
                    }
                }
            }
        });
        Ok(local)
    }

    async fn adopt_h245(&self, call: ConnId, stream: TcpStream, peer: SocketAddr) {
        let Ok((registration, rx)) = self.connections.admit(peer, Proto::Tcp) else {
            self.report(call, ConnEvent::H245Failed).await;
            return;
        };
        let h245 = registration.id;
        self.report(call, ConnEvent::H245Opened { h245 }).await;
        serve(stream, registration, rx, self.clone(), h245).await;
    }

    async fn report(&self, conn: ConnId, event: ConnEvent) {
        // The core gone means shutdown: nothing to report to.
        let _ = self.inbound.send(H323Received { conn, event }).await;
    }
}

/// One connection: TPKT payloads to the core, queued packets to the peer.
async fn serve(
    stream: TcpStream,
    registration: crate::transport::Registration,
    mut outgoing: mpsc::Receiver<Vec<u8>>,
    transport: H323Transport,
    id: ConnId,
) {
    let _ = stream.set_nodelay(true);
    let settings = *transport.settings;
    let (mut reader, mut writer) = stream.into_split();
    let mut decoder = TpktDecoder::default();
    let mut chunk = vec![0u8; 8 * 1024];
    let reason: &str = loop {
        // A packet begun must finish soon; between packets the idle timeout applies.
        let wait = if decoder.buffered() > 0 {
            settings.partial_timeout
        } else {
            settings.idle_timeout
        };
        tokio::select! {
            read = tokio::time::timeout(wait, reader.read(&mut chunk)) => {
                let n = match read {
                    Err(_) if decoder.buffered() > 0 => break "packet stalled",
                    Err(_) => break "idle",
                    Ok(Err(_)) => break "read error",
                    Ok(Ok(0)) => break "closed by peer",
                    Ok(Ok(n)) => n,
                };
                decoder.push(chunk.get(..n).unwrap_or_default());
                let mut fatal = None;
                loop {
                    match decoder.next_payload() {
                        Ok(Some(p)) => {
                            let r = H323Received { conn: id, event: ConnEvent::Payload(p) };
                            // Back-pressure: a busy core slows this reader, TCP the peer.
                            if transport.inbound.send(r).await.is_err() {
                                fatal = Some("core stopped");
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            tracing::info!(conn = id.0, error = %e, "closing H.323 connection: bad TPKT");
                            fatal = Some("unframeable input");
                            break;
                        }
                    }
                }
                if let Some(r) = fatal {
                    break r;
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
    tracing::debug!(conn = id.0, reason, "H.323 connection closed");
    let _ = writer.shutdown().await;
    drop(registration);
    transport.report(id, ConnEvent::Closed).await;
}
