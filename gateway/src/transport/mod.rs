//! SIP transports: UDP sockets, TCP and TLS listeners and outbound connections. They move
//! bytes only: stream framing comes from `roomgate_sip::StreamFramer`, and every received
//! message goes to the SIP core through one bounded queue.

mod connections;
pub mod outbound;
mod stream;
pub mod tls;
mod udp;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

pub use connections::{ConnId, ConnectionLimits, Connections, Registration};
pub use stream::{connect, spawn_tcp_listener, spawn_tls_listener, ConnectError, StreamSettings};
pub use udp::spawn_udp;

/// Transport protocol of a listener or connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Proto {
    Udp,
    Tcp,
    Tls,
}

impl Proto {
    /// The token used in Via.
    pub fn via_token(self) -> &'static str {
        match self {
            Proto::Udp => "UDP",
            Proto::Tcp => "TCP",
            Proto::Tls => "TLS",
        }
    }

    pub fn is_reliable(self) -> bool {
        !matches!(self, Proto::Udp)
    }
}

/// One message (or datagram) received, on its way to the SIP core.
#[derive(Debug)]
pub struct Received {
    pub proto: Proto,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    /// The stream it came on, for answers that must use the same connection.
    pub conn: Option<ConnId>,
    pub bytes: Vec<u8>,
    pub at: Instant,
}

/// Where to send bytes.
#[derive(Debug, Clone)]
pub enum Target {
    /// A datagram from our UDP socket bound to `local` (or the first one).
    Udp {
        to: SocketAddr,
        local: Option<SocketAddr>,
    },
    /// An existing stream connection.
    Conn(ConnId),
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("no UDP socket to send from")]
    NoUdpSocket,
    #[error("connection is gone")]
    ConnectionGone,
    #[error("connection send queue is full")]
    QueueFull,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Handles the SIP core uses to send.
#[derive(Clone)]
pub struct Sender {
    /// The UDP listeners with their local addresses, read once (choosing the socket by
    /// asking the kernel cost a `getsockname` per datagram sent).
    udp: Arc<Vec<(Option<SocketAddr>, Arc<tokio::net::UdpSocket>)>>,
    pub connections: Connections,
}

impl Sender {
    pub fn new(udp: Vec<Arc<tokio::net::UdpSocket>>, connections: Connections) -> Self {
        let udp = udp.into_iter().map(|s| (s.local_addr().ok(), s)).collect();
        Sender {
            udp: Arc::new(udp),
            connections,
        }
    }

    pub async fn send(&self, target: &Target, bytes: Vec<u8>) -> Result<(), SendError> {
        match target {
            Target::Udp { to, local } => {
                let (_, socket) = local
                    .and_then(|l| self.udp.iter().find(|(a, _)| *a == Some(l)))
                    .or_else(|| {
                        self.udp
                            .iter()
                            .find(|(a, _)| a.is_some_and(|a| a.is_ipv4() == to.is_ipv4()))
                    })
                    .or_else(|| self.udp.first())
                    .ok_or(SendError::NoUdpSocket)?;
                socket.send_to(&bytes, to).await?;
                Ok(())
            }
            Target::Conn(id) => self.connections.send(*id, bytes),
        }
    }
}

/// The queue from transports to the SIP core.
pub type Inbound = mpsc::Sender<Received>;
