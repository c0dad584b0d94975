//! UDP: one task per socket reads datagrams and hands each to the core's queue. When the queue
//! is full the datagram is dropped and counted: UDP senders retransmit, and blocking here would
//! only let the socket buffer overflow instead.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use tokio::net::UdpSocket;
use tokio::sync::mpsc::error::TrySendError;

use super::{Inbound, Proto, Received};
use crate::stats::Stats;

/// Receive buffer asked for on SIP UDP sockets, so a burst is not dropped by the kernel while
/// the reader catches up (the kernel caps it at net.core.rmem_max).
pub const UDP_RECEIVE_BUFFER: usize = 4 << 20;

fn bind(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    let s = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )?;
    if let Err(e) = s.set_recv_buffer_size(UDP_RECEIVE_BUFFER) {
        tracing::warn!(error = %e, "cannot enlarge the UDP receive buffer");
    }
    s.set_nonblocking(true)?;
    s.bind(&addr.into())?;
    UdpSocket::from_std(s.into())
}

/// Binds `addr` and starts reading; returns the socket for sending.
pub async fn spawn_udp(
    addr: SocketAddr,
    inbound: Inbound,
    max_message: usize,
    stats: Arc<Stats>,
) -> std::io::Result<Arc<UdpSocket>> {
    let socket = Arc::new(bind(addr)?);
    let local = socket.local_addr()?;
    let reader = socket.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65_536];
        loop {
            let (n, peer) = match reader.recv_from(&mut buf).await {
                Ok(r) => r,
                Err(e) => {
                    // ICMP errors surface here on some systems; they concern one peer only.
                    tracing::debug!(%local, error = %e, "UDP receive error");
                    continue;
                }
            };
            stats.udp_datagrams.fetch_add(1, Ordering::Relaxed);
            if n > max_message {
                stats.dropped_too_large.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            // A lone CRLF (or CRLFCRLF) is a keep-alive, not a message.
            let Some(data) = buf.get(..n) else { continue };
            if data.iter().all(|b| *b == b'\r' || *b == b'\n') {
                continue;
            }
            let received = Received {
                proto: Proto::Udp,
                peer,
                local,
                conn: None,
                bytes: data.to_vec(),
                at: Instant::now(),
            };
            match inbound.try_send(received) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    stats.dropped_queue_full.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Closed(_)) => break,
            }
        }
    });
    Ok(socket)
}
