//! The echo service's media plane: one UDP socket and one task per accepted `m=` line, which
//! sends every authenticated SRTP packet back where it came from.
//!
//! Per packet, all in one 2048-byte buffer made when the stream starts (nothing is
//! allocated per packet): receive, unprotect with the offerer's key, rewrite the SSRC to
//! ours, protect with our key, send to the packet's source. Sequence numbers and timestamps
//! are kept, so the peer sees its own stream come back under another SSRC.
//!
//! Choices, and why:
//! - **Symmetric RTP, authenticate first.** The SDP's `c=`/port of the peer is not used at
//!   all: a packet is answered to its source address only after it authenticated, so
//!   NAT-rebound peers work and forged or stray packets are never reflected (the echo cannot
//!   be used as an amplifier). The first authenticated source is "latched" for the logs; a
//!   later authenticated source takes over (the replay window already stops a copied packet).
//! - **RTCP is received, not answered.** With `a=rtcp-mux` SRTCP on the RTP port is
//!   authenticated and counted; without mux no RTCP port is bound, so the peer's RTCP to
//!   port+1 is lost (or lands on another stream's socket and fails authentication there).
//!   The echo never sends RTCP: the peer gets its own media back, which is the point.
//! - **One echo SSRC per source SSRC.** Up to [`MAX_SOURCES`] source SSRCs are tracked at
//!   once (least recently used is replaced), so interleaved streams (RTX, a renegotiated
//!   source) each come back under their own SSRC and the peer's replay window never sees two
//!   sources' sequence numbers mixed. Our outbound SRTP context protects at most
//!   [`MAX_ECHO_SSRCS`] SSRCs in its life; beyond that packets are dropped and counted.
//! - **Re-keying without a gap.** When a re-INVITE brings a new offerer key, the old inbound
//!   context stays as a fallback until the first packet authenticates under the new key
//!   (RFC 4568 §7.1.4: the offerer may switch before or after our answer arrives).

use std::net::{IpAddr, SocketAddr};

use roomgate_media::rtp::{classify_mux, MuxKind, RtpPacketMut};
use roomgate_media::srtp::{Policy, SrtpContext};
use tokio::net::UdpSocket;
use tokio::sync::watch;
use tracing::Instrument;

pub use crate::call::sdes::{policy, srtp_suite};

/// Receive buffer per stream. A datagram that fills it may have been truncated and is
/// dropped, so the largest SRTP packet echoed is one byte less.
pub const PACKET_BUF: usize = 2048;
/// Source SSRCs one stream maps to echo SSRCs at the same time.
pub const MAX_SOURCES: usize = 4;
/// SSRCs our outbound context of one stream protects in its life (see module docs).
pub const MAX_ECHO_SSRCS: usize = 64;

/// What a stream task runs with. The generations change exactly when a key does, so the
/// task rebuilds a context (losing its replay and rollover state) only then.
#[derive(Clone)]
pub struct StreamSetup {
    pub inbound: Policy,
    pub inbound_gen: u64,
    pub outbound: Policy,
    pub outbound_gen: u64,
    /// RTCP may arrive on the RTP port.
    pub rtcp_mux: bool,
    /// Our direction allows sending (sendrecv or sendonly).
    pub send: bool,
}

/// The control side of one running stream. Dropping it ends the task and closes the socket.
pub struct MediaStream {
    port: u16,
    control: watch::Sender<Option<StreamSetup>>,
}

impl std::fmt::Debug for MediaStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStream")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl MediaStream {
    /// Binds a UDP socket on `ip`, port 0, and starts its task, which drops everything until
    /// [`MediaStream::configure`] gives it keys. Must run inside a tokio runtime.
    pub fn bind(ip: IpAddr, call_id: &str) -> std::io::Result<MediaStream> {
        let std_socket = std::net::UdpSocket::bind(SocketAddr::new(ip, 0))?;
        std_socket.set_nonblocking(true)?;
        let socket = UdpSocket::from_std(std_socket)?;
        let port = socket.local_addr()?.port();
        let (control, rx) = watch::channel(None);
        let span = tracing::debug_span!("echo_media", call_id = %call_id, port);
        tokio::spawn(run(socket, rx).instrument(span));
        Ok(MediaStream { port, control })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Hands new keys and flags to the task.
    pub fn configure(&self, setup: StreamSetup) {
        // Cannot fail while we hold the sender and the task holds the receiver; if the task
        // is gone the stream is dead anyway.
        let _ = self.control.send(Some(setup));
    }
}

/// Counters of one stream, logged when it ends.
#[derive(Debug, Default, Clone, Copy)]
struct EchoStats {
    echoed: u64,
    /// Authenticated but not sent back: our direction is recvonly or inactive.
    received_not_sent: u64,
    rtcp_received: u64,
    /// Before any keys were configured.
    before_keys: u64,
    /// Possibly truncated by the receive buffer.
    too_large: u64,
    not_rtp: u64,
    not_authenticated: u64,
    protect_failed: u64,
    send_failed: u64,
}

/// A source SSRC and the echo SSRC it maps to, with when it was last used.
#[derive(Debug, Clone, Copy, Default)]
struct Source {
    from: u32,
    to: u32,
    last_used: u64,
}

struct Echo {
    socket: UdpSocket,
    buf: Vec<u8>,
    /// A copy of the packet for the fallback context (used only while re-keying).
    scratch: Vec<u8>,
    inbound: Option<SrtpContext>,
    inbound_prev: Option<SrtpContext>,
    outbound: Option<SrtpContext>,
    gens: (u64, u64),
    rtcp_mux: bool,
    send: bool,
    sources: [Source; MAX_SOURCES],
    sources_used: usize,
    tick: u64,
    latched: Option<SocketAddr>,
    stats: EchoStats,
}

async fn run(socket: UdpSocket, mut control: watch::Receiver<Option<StreamSetup>>) {
    let mut echo = Echo {
        socket,
        buf: vec![0; PACKET_BUF],
        scratch: vec![0; PACKET_BUF],
        inbound: None,
        inbound_prev: None,
        outbound: None,
        gens: (0, 0),
        rtcp_mux: false,
        send: false,
        sources: [Source::default(); MAX_SOURCES],
        sources_used: 0,
        tick: 0,
        latched: None,
        stats: EchoStats::default(),
    };
    loop {
        tokio::select! {
            changed = control.changed() => {
                if changed.is_err() {
                    break;
                }
                let setup = control.borrow_and_update().clone();
                if let Some(setup) = setup {
                    echo.apply(&setup);
                }
            }
            received = echo.socket.recv_from(&mut echo.buf) => match received {
                Ok((n, source)) => echo.on_datagram(n, source).await,
                Err(e) => {
                    // Unconnected UDP sockets rarely fail here; do not spin if one does.
                    tracing::debug!(error = %e, "receive failed");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
        }
    }
    let srtp_in = echo.inbound.as_ref().map(|c| *c.stats());
    let srtp_out = echo.outbound.as_ref().map(|c| *c.stats());
    tracing::debug!(stats = ?echo.stats, ?srtp_in, ?srtp_out, "echo stream ended");
}

fn context(policy: &Policy, what: &str) -> Option<SrtpContext> {
    match SrtpContext::new(policy) {
        Ok(c) => Some(c),
        Err(e) => {
            // The SDP layer checked the lengths, so this is our bug; the stream stays mute.
            tracing::warn!(error = %e, what, "cannot build SRTP context");
            None
        }
    }
}

impl Echo {
    fn apply(&mut self, setup: &StreamSetup) {
        if self.inbound.is_none() || setup.inbound_gen != self.gens.0 {
            let new = context(&setup.inbound, "inbound");
            // Keep the old key until the new one is seen in use.
            self.inbound_prev = std::mem::replace(&mut self.inbound, new);
            self.gens.0 = setup.inbound_gen;
        }
        if self.outbound.is_none() || setup.outbound_gen != self.gens.1 {
            let mut outbound = setup.outbound.clone();
            outbound.max_ssrcs = MAX_ECHO_SSRCS;
            self.outbound = context(&outbound, "outbound");
            self.gens.1 = setup.outbound_gen;
            // New key, new context: every source gets a fresh echo SSRC.
            self.sources_used = 0;
        }
        self.rtcp_mux = setup.rtcp_mux;
        self.send = setup.send;
    }

    async fn on_datagram(&mut self, n: usize, source: SocketAddr) {
        if n >= self.buf.len() {
            self.stats.too_large += 1;
            return;
        }
        let Some(len) = self.unprotect(n) else {
            return;
        };
        if self.latched != Some(source) {
            match self.latched {
                None => tracing::debug!(%source, "latched"),
                Some(old) => tracing::info!(%old, %source, "re-latched to a new source"),
            }
            self.latched = Some(source);
        }
        if !self.send {
            self.stats.received_not_sent += 1;
            return;
        }
        let Some(out_len) = self.reprotect(len) else {
            self.stats.protect_failed += 1;
            return;
        };
        let Some(packet) = self.buf.get(..out_len) else {
            return;
        };
        match self.socket.send_to(packet, source).await {
            Ok(_) => self.stats.echoed += 1,
            Err(e) => {
                self.stats.send_failed += 1;
                tracing::debug!(%source, error = %e, "send failed");
            }
        }
    }

    /// Authenticates and decrypts `buf[..n]`; the RTP length, or `None` when the packet is
    /// to be dropped (RTCP included: it is consumed here).
    fn unprotect(&mut self, n: usize) -> Option<usize> {
        let Echo {
            buf,
            scratch,
            inbound,
            inbound_prev,
            stats,
            rtcp_mux,
            ..
        } = self;
        let Some(ctx) = inbound.as_mut() else {
            stats.before_keys += 1;
            return None;
        };
        let packet = buf.get_mut(..n)?;
        match classify_mux(packet) {
            MuxKind::Other => {
                stats.not_rtp += 1;
                return None;
            }
            MuxKind::Rtcp if *rtcp_mux => {
                let ok = ctx.unprotect_rtcp(packet).is_ok()
                    || inbound_prev
                        .as_mut()
                        .is_some_and(|prev| prev.unprotect_rtcp(packet).is_ok());
                if ok {
                    stats.rtcp_received += 1;
                } else {
                    stats.not_authenticated += 1;
                }
                return None;
            }
            _ => {}
        }
        let Some(prev) = inbound_prev.as_mut() else {
            return match ctx.unprotect_rtp(packet) {
                Ok(len) => Some(len),
                Err(_) => {
                    stats.not_authenticated += 1;
                    None
                }
            };
        };
        // Re-keying: a failed unprotect leaves the bytes unspecified, so try the old key on
        // a copy.
        let copy = scratch.get_mut(..n)?;
        copy.copy_from_slice(packet);
        if let Ok(len) = ctx.unprotect_rtp(packet) {
            *inbound_prev = None;
            return Some(len);
        }
        match prev.unprotect_rtp(copy) {
            Ok(len) => {
                buf.get_mut(..len)?.copy_from_slice(copy.get(..len)?);
                Some(len)
            }
            Err(_) => {
                stats.not_authenticated += 1;
                None
            }
        }
    }

    /// Rewrites the SSRC of the RTP packet `buf[..len]` and protects it with our key.
    fn reprotect(&mut self, len: usize) -> Option<usize> {
        let mut header = RtpPacketMut::new(self.buf.get_mut(..len)?).ok()?;
        let ssrc = echo_ssrc(
            &mut self.sources,
            &mut self.sources_used,
            &mut self.tick,
            header.ssrc(),
        );
        header.set_ssrc(ssrc);
        self.outbound.as_mut()?.protect_rtp(&mut self.buf, len).ok()
    }
}

/// The echo SSRC for `from`: its mapping if known, else a new random one, replacing the
/// least recently used mapping when all [`MAX_SOURCES`] are taken.
fn echo_ssrc(
    sources: &mut [Source; MAX_SOURCES],
    used: &mut usize,
    tick: &mut u64,
    from: u32,
) -> u32 {
    *tick += 1;
    let live = sources.get_mut(..*used).unwrap_or_default();
    if let Some(s) = live.iter_mut().find(|s| s.from == from) {
        s.last_used = *tick;
        return s.to;
    }
    let mut to = rand::random::<u32>();
    // Distinct from the source and from every echo SSRC in use (RFC 3550 §8.2 collisions
    // are the peer's problem to detect; we simply never make one ourselves).
    while to == from || live.iter().any(|s| s.to == to) {
        to = rand::random::<u32>();
    }
    let entry = Source {
        from,
        to,
        last_used: *tick,
    };
    if let Some(slot) = sources.get_mut(*used) {
        *slot = entry;
        *used += 1;
    } else if let Some(oldest) = sources.iter_mut().min_by_key(|s| s.last_used) {
        *oldest = entry;
    }
    to
}

#[cfg(test)]
mod tests {
    use super::*;
    use roomgate_media::srtp::Suite;
    use roomgate_sip::sdp::CryptoSuite;

    #[test]
    fn suites_map() {
        assert_eq!(
            srtp_suite(&CryptoSuite::AeadAes256Gcm),
            Some(Suite::AeadAes256Gcm)
        );
        assert_eq!(
            srtp_suite(&CryptoSuite::Aes256CmHmacSha1_80),
            Some(Suite::AesCm256HmacSha1_80)
        );
        assert_eq!(srtp_suite(&CryptoSuite::F8_128HmacSha1_80), None);
        assert_eq!(srtp_suite(&CryptoSuite::Other("X".into())), None);
    }

    #[test]
    fn policy_checks_lengths() {
        assert!(policy(Suite::AeadAes256Gcm, &[1; 44], None).is_some());
        assert!(policy(Suite::AeadAes256Gcm, &[1; 46], None).is_none());
        let p = policy(Suite::AesCm128HmacSha1_80, &[2; 30], Some(vec![1])).unwrap();
        assert_eq!((p.master_key.len(), p.master_salt.len()), (16, 14));
    }

    #[test]
    fn ssrc_map_is_stable_bounded_and_lru() {
        let mut sources = [Source::default(); MAX_SOURCES];
        let (mut used, mut tick) = (0, 0);
        let a = echo_ssrc(&mut sources, &mut used, &mut tick, 1);
        assert_eq!(echo_ssrc(&mut sources, &mut used, &mut tick, 1), a);
        let others: Vec<u32> = (2..=4)
            .map(|s| echo_ssrc(&mut sources, &mut used, &mut tick, s))
            .collect();
        assert_eq!(used, MAX_SOURCES);
        assert!(!others.contains(&a));
        // Touch 1 again; the fifth source replaces 2, the least recently used.
        assert_eq!(echo_ssrc(&mut sources, &mut used, &mut tick, 1), a);
        echo_ssrc(&mut sources, &mut used, &mut tick, 5);
        assert!(sources.iter().all(|s| s.from != 2));
        assert!(sources.iter().any(|s| s.from == 1 && s.to == a));
    }
}
