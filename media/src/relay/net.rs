//! Thin tokio socket layer for [`Relay`] (feature `net`).
//!
//! Binds the RTP port of every pair of the relay's pool at start (a session's ports are then
//! always ready when its SDP/H.245 goes out, and no RTP bind can fail mid-call), runs one
//! receive task per socket and one timer task. The RTCP port of a pair is bound only while a
//! leg without rtcp-mux uses it ([`Relay::poll_rtcp_port`]), and closed after: with mux
//! (RFC 5761, what WebRTC-era peers and most SBCs offer) a call holds half the descriptors,
//! so the file limit allows twice the calls. Such a bind happens in the job that made the
//! leg, before its SDP leaves; if it fails (a foreign process took a port of our range) the
//! leg has no RTCP, its RTP still flows, and the failure is counted
//! ([`NetRelay::rtcp_bind_errors`]). The core sits behind one `std::sync::Mutex`, held only for the
//! synchronous core call (never across an `.await`); sends use `try_send_to`, so a full
//! socket buffer drops (and counts) a datagram instead of stalling every session.
//!
//! Receiving is batched where Linux allows: `quinn-udp` (the QUIC stack's well-kept, safe
//! wrapper) reads up to [`quinn_udp::BATCH_SIZE`] datagrams per `recvmmsg` and splits GRO
//! coalesced segments, into buffers owned by the runtime thread and reused by every socket
//! task it polls (per socket they would cost more resident memory than a call's whole state).
//! Each datagram then goes through the core, which forwards it in place — no allocation per
//! packet. The core is locked once per batch (never across an `.await`).
//!
//! Sending is batched the same way: the datagrams of one read all arrived on one port, so
//! what the core forwards of them mostly leaves from one port to one far end with one size
//! (a call's audio). Such a run goes out as one GSO `sendmsg` (the kernel cuts it into
//! datagrams) where the kernel offers UDP GSO; anything else, or a GSO send the device
//! refuses, goes datagram by datagram with a non-blocking `try_send_to`.
//!
//! Under [`workers`](super::workers) each worker runs one of these on its own thread, so the
//! lock is only ever taken by that thread.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

use super::{Event, Relay, Transmit};

/// Receive buffer size: an MTU-sized datagram plus room for the largest SRTP trailer the
/// other leg may add when it is re-protected in place.
const BUF_LEN: usize = 2048;
/// Bytes kept free after a received datagram for that trailer (tag + MKI + SRTCP index).
const HEADROOM: usize = 64;
/// Most octets one GSO send carries (the kernel's limit is one IP datagram's 64 KiB).
const GSO_BYTES: usize = 60_000;
/// Timer task wake-up when the core has no deadline (config changes also wake it).
const IDLE_TICK: Duration = Duration::from_secs(1);
/// Least time between two timer passes (RTCP reports and DTMF end detection tolerate it).
const TIMER_GRANULARITY: Duration = Duration::from_millis(10);
/// Core events waiting for the application; past this they are dropped and counted
/// ([`NetRelay::events_dropped`]) rather than grow without bound behind a stalled reader.
pub const EVENT_QUEUE: usize = 4096;

/// A bound port: its socket and quinn-udp's state for it (GSO and GRO support).
#[derive(Clone)]
struct Port {
    sock: Arc<UdpSocket>,
    state: Arc<quinn_udp::UdpSocketState>,
}

impl Port {
    fn new(sock: UdpSocket) -> io::Result<Self> {
        let state = quinn_udp::UdpSocketState::new((&sock).into())?;
        Ok(Self {
            sock: Arc::new(sock),
            state: Arc::new(state),
        })
    }
}

/// An RTCP port bound while a leg without mux uses it, and the task reading it.
struct RtcpPort {
    port: Port,
    task: JoinHandle<()>,
}

/// The RTCP port of a pair.
enum RtcpSlot {
    Bound(RtcpPort),
    /// No leg uses it: its task was aborted, and the socket closes when the runtime drops
    /// that task — after the job that aborted it returns, since jobs run on the same thread.
    /// Until then it can be taken back (a pair reused at once: the pool is last-in
    /// first-out), where binding the port again would find it still in use.
    Closing(Weak<UdpSocket>),
}

impl RtcpSlot {
    fn bound(&self) -> Option<&Port> {
        match self {
            Self::Bound(r) => Some(&r.port),
            Self::Closing(..) => None,
        }
    }
}

struct Shared {
    relay: Mutex<Relay>,
    ip: IpAddr,
    base: u16,
    /// The RTP (even) port of each pair, bound at start.
    rtp: Vec<Port>,
    /// The RTCP (odd) port of each pair, bound while used. Locked after `relay` when both
    /// are held, never the other way round; only RTCP (a packet every few seconds per leg)
    /// and session changes take it.
    rtcp: Mutex<Vec<Option<RtcpSlot>>>,
    /// quinn-udp's state for every RTCP socket: made with the first one, since making one
    /// probes the kernel (two throw-away sockets and their options: ten system calls, most of
    /// an RTCP bind's cost) and says the same for every socket of the relay. RTCP never
    /// needs GRO; a GSO send that fails falls back to single sends.
    rtcp_state: std::sync::OnceLock<Arc<quinn_udp::UdpSocketState>>,
    rtcp_bind_errors: AtomicU64,
    /// RTCP slots bound now (read after every worker job, so not counted by a scan).
    rtcp_bound: AtomicUsize,
    wake: Notify,
    events: mpsc::Sender<Event>,
    events_dropped: AtomicU64,
    send_errors: AtomicU64,
    /// Socket reads (each a `recvmmsg` batch) and the datagrams they returned.
    batches: AtomicU64,
    datagrams: AtomicU64,
    /// GSO sends, and the datagrams they carried.
    gso_sends: AtomicU64,
    gso_datagrams: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Relay> {
        // A panic while holding the lock cannot leave the core half-updated in a way that
        // matters more than stopping media; keep serving.
        self.relay.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the socket bound to `port`, if one is.
    fn with_port<R>(&self, port: u16, f: impl FnOnce(&Port) -> R) -> Option<R> {
        let off = usize::from(port.checked_sub(self.base)?);
        if off % 2 == 0 {
            self.rtp.get(off / 2).map(f)
        } else {
            let rtcp = self.rtcp.lock().unwrap_or_else(|e| e.into_inner());
            rtcp.get(off / 2)?.as_ref()?.bound().map(f)
        }
    }

    fn send(&self, t: Transmit, buf: &[u8]) {
        let ok = buf.get(..t.len).is_some_and(|data| {
            self.with_port(t.from_port, |p| p.sock.try_send_to(data, t.to).is_ok())
                .unwrap_or(false)
        });
        if !ok {
            self.send_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Sends `count` datagrams of `seg` octets each (the last may be shorter), laid end to end
    /// in `data`, from `from_port` to `to`: one GSO send, or one by one when that fails.
    fn send_run(&self, from_port: u16, to: SocketAddr, seg: usize, count: usize, data: &[u8]) {
        if count > 1 {
            let t = quinn_udp::Transmit {
                destination: to,
                ecn: None,
                contents: data,
                segment_size: Some(seg),
                src_ip: None,
            };
            let sent = self.with_port(from_port, |p| {
                p.sock.try_io(tokio::io::Interest::WRITABLE, || {
                    p.state.try_send(p.sock.as_ref().into(), &t)
                })
            });
            if matches!(sent, Some(Ok(()))) {
                self.gso_sends.fetch_add(1, Ordering::Relaxed);
                self.gso_datagrams
                    .fetch_add(count as u64, Ordering::Relaxed);
                return;
            }
            // A device without GSO (quinn-udp then stops offering it) or a full buffer: each
            // datagram on its own below.
        }
        for d in data.chunks(seg.max(1)) {
            self.send(
                Transmit {
                    from_port,
                    to,
                    len: d.len(),
                },
                d,
            );
        }
    }

    /// Most datagrams one GSO send may carry from socket `from_port` (1: no GSO).
    fn gso_segments(&self, from_port: u16) -> usize {
        self.with_port(from_port, |p| p.state.max_gso_segments())
            .unwrap_or(1)
            .min(quinn_udp::BATCH_SIZE)
    }

    fn drain_events(&self, relay: &mut Relay) {
        while let Some(e) = relay.poll_event() {
            if self.events.try_send(e).is_err() {
                self.events_dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Binds the RTCP ports legs without mux now use and closes those no leg uses any more
    /// (must run on the relay's runtime: a bound port gets its receive task there).
    fn sync_rtcp(self: &Arc<Self>, relay: &mut Relay) {
        while let Some((port, used)) = relay.poll_rtcp_port() {
            let Some(pair) = port.checked_sub(self.base).map(|o| usize::from(o / 2)) else {
                continue;
            };
            let mut rtcp = self.rtcp.lock().unwrap_or_else(|e| e.into_inner());
            let Some(slot) = rtcp.get_mut(pair) else {
                continue;
            };
            match (used, slot.take()) {
                (false, Some(RtcpSlot::Bound(r))) => {
                    self.rtcp_bound.fetch_sub(1, Ordering::Relaxed);
                    r.task.abort();
                    *slot = Some(RtcpSlot::Closing(Arc::downgrade(&r.port.sock)));
                }
                (false, other) => *slot = other,
                (true, Some(RtcpSlot::Bound(r))) => *slot = Some(RtcpSlot::Bound(r)),
                (true, closing) => {
                    let open = match closing {
                        Some(RtcpSlot::Closing(sock)) => sock.upgrade(),
                        _ => None,
                    };
                    match self.open_rtcp(port, open) {
                        Ok(r) => {
                            *slot = Some(RtcpSlot::Bound(r));
                            self.rtcp_bound.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            self.rtcp_bind_errors.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(
                                port,
                                error = %e,
                                "RTCP port not bound: that leg has no RTCP"
                            );
                        }
                    }
                }
            }
        }
    }

    /// Starts reading RTCP port `port`: on `open`, the socket of a closing slot that was
    /// still open, or on a freshly bound one.
    fn open_rtcp(
        self: &Arc<Self>,
        port: u16,
        open: Option<Arc<UdpSocket>>,
    ) -> io::Result<RtcpPort> {
        let rt = tokio::runtime::Handle::try_current().map_err(io::Error::other)?;
        let sock = match open {
            Some(sock) => sock,
            None => {
                let std = self.bind_rtcp(port)?;
                let _in_runtime = rt.enter();
                Arc::new(UdpSocket::from_std(std)?)
            }
        };
        let state = match self.rtcp_state.get() {
            Some(s) => s.clone(),
            None => {
                let s = Arc::new(quinn_udp::UdpSocketState::new(sock.as_ref().into())?);
                self.rtcp_state.get_or_init(|| s).clone()
            }
        };
        let p = Port { sock, state };
        let task = rt.spawn(recv_loop(self.clone(), p.clone(), port));
        Ok(RtcpPort { port: p, task })
    }

    fn bind_rtcp(&self, port: u16) -> io::Result<std::net::UdpSocket> {
        let addr = SocketAddr::new(self.ip, port);
        let mut tries = 0;
        let std = loop {
            match std::net::UdpSocket::bind(addr) {
                // See `bind_port`: another worker's quinn-udp probe may sit on it briefly.
                Err(e) if e.kind() == io::ErrorKind::AddrInUse && tries < RTCP_BIND_RETRIES => {
                    tries += 1;
                    std::thread::sleep(BIND_RETRY_PAUSE);
                }
                done => break done?,
            }
        };
        std.set_nonblocking(true)?;
        Ok(std)
    }
}

/// A running relay on UDP sockets.
pub struct NetRelay {
    shared: Arc<Shared>,
    events: mpsc::Receiver<Event>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for NetRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetRelay")
            .field("base", &self.shared.base)
            .field("pairs", &self.shared.rtp.len())
            .finish_non_exhaustive()
    }
}

/// Tries after the first when a port of the range is taken (see [`bind_port`]).
pub const BIND_RETRIES: u32 = 20;
/// The same for an RTCP port bound in a job: fewer, since the worker waits for them.
const RTCP_BIND_RETRIES: u32 = 3;
/// Pause between those tries.
const BIND_RETRY_PAUSE: Duration = Duration::from_millis(5);

/// Binds `addr`, trying again for a short while when it is taken. Ports of our range can be
/// held for microseconds by sockets that are not ours to keep: quinn-udp binds two
/// ephemeral sockets (`[::]:0`) to probe GSO and GRO every time a socket's state is made,
/// and the workers bind their slices at the same time, so one worker's probe can sit on a
/// port another is about to bind (`roomgate serve` failed to start about once in twenty
/// this way). A port held for longer than the retries (another process) is still an error.
async fn bind_port(addr: SocketAddr) -> io::Result<UdpSocket> {
    let mut tries = 0;
    loop {
        match UdpSocket::bind(addr).await {
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && tries < BIND_RETRIES => {
                tries += 1;
                tokio::time::sleep(BIND_RETRY_PAUSE).await;
            }
            done => return done,
        }
    }
}

impl NetRelay {
    /// Binds every pool port on `ip` and starts the tasks (needs a tokio runtime).
    pub async fn bind(ip: IpAddr, relay: Relay) -> io::Result<Self> {
        let (tx, rx) = mpsc::channel(EVENT_QUEUE);
        let mut net = Self::bind_with_events(ip, relay, tx).await?;
        net.events = rx;
        Ok(net)
    }

    /// As [`bind`](Self::bind), with events going to `events` (several relays can share
    /// one consumer); [`take_events`](Self::take_events) then yields a closed queue.
    pub async fn bind_with_events(
        ip: IpAddr,
        relay: Relay,
        events: mpsc::Sender<Event>,
    ) -> io::Result<Self> {
        let base = relay.pool().base();
        let pairs = relay.pool().capacity();
        let ports: Vec<u16> = relay.pool().rtp_ports().collect();
        let mut rtp = Vec::with_capacity(pairs);
        for &port in &ports {
            rtp.push(Port::new(bind_port(SocketAddr::new(ip, port)).await?)?);
        }
        let (_closed, rx) = mpsc::channel(1);
        let shared = Arc::new(Shared {
            relay: Mutex::new(relay),
            ip,
            base,
            rtp,
            rtcp: Mutex::new((0..pairs).map(|_| None).collect()),
            rtcp_state: std::sync::OnceLock::new(),
            rtcp_bind_errors: AtomicU64::new(0),
            rtcp_bound: AtomicUsize::new(0),
            wake: Notify::new(),
            events,
            events_dropped: AtomicU64::new(0),
            send_errors: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            datagrams: AtomicU64::new(0),
            gso_sends: AtomicU64::new(0),
            gso_datagrams: AtomicU64::new(0),
        });
        let mut tasks = Vec::with_capacity(shared.rtp.len() + 1);
        for (&port, p) in ports.iter().zip(shared.rtp.iter()) {
            tasks.push(tokio::spawn(recv_loop(shared.clone(), p.clone(), port)));
        }
        tasks.push(tokio::spawn(timer_loop(shared.clone())));
        // Sessions made before binding (none in practice) get their RTCP ports now.
        shared.sync_rtcp(&mut shared.lock());
        Ok(Self {
            shared,
            events: rx,
            tasks,
        })
    }

    /// Reads the core without changing it: no event to drain, no timer to re-arm.
    pub fn inspect<R>(&self, f: impl FnOnce(&Relay) -> R) -> R {
        f(&self.shared.lock())
    }

    /// Runs `f` on the core (add/update/remove sessions, stats, play), then sends what it
    /// produced and re-arms the timer.
    pub fn with_relay<R>(&self, f: impl FnOnce(&mut Relay, Instant) -> R) -> R {
        let r = {
            let mut relay = self.shared.lock();
            let r = f(&mut relay, Instant::now());
            self.shared.drain_events(&mut relay);
            self.shared.sync_rtcp(&mut relay);
            r
        };
        self.shared.wake.notify_one();
        r
    }

    /// Hands the event queue to a consumer of its own (the SIP core's loop), so the relay
    /// can be shared behind an `Arc` while its events are read elsewhere. Later calls get a
    /// closed queue.
    pub fn take_events(&mut self) -> mpsc::Receiver<Event> {
        let (_tx, closed) = mpsc::channel(1);
        std::mem::replace(&mut self.events, closed)
    }

    /// Sends a datagram the caller built with the core (e.g. from [`Relay::play`]).
    pub fn send(&self, t: Transmit, buf: &[u8]) {
        self.shared.send(t, buf);
    }

    /// The next core event.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// (socket reads, datagrams received): more datagrams than reads means batching worked.
    pub fn receive_batching(&self) -> (u64, u64) {
        (
            self.shared.batches.load(Ordering::Relaxed),
            self.shared.datagrams.load(Ordering::Relaxed),
        )
    }

    /// (GSO sends, datagrams they carried): forwarded runs that left in one `sendmsg`.
    pub fn send_batching(&self) -> (u64, u64) {
        (
            self.shared.gso_sends.load(Ordering::Relaxed),
            self.shared.gso_datagrams.load(Ordering::Relaxed),
        )
    }

    /// Datagrams the socket layer could not send (full socket buffer, unroutable).
    pub fn send_errors(&self) -> u64 {
        self.shared.send_errors.load(Ordering::Relaxed)
    }

    /// Core events dropped because the application's queue was full.
    pub fn events_dropped(&self) -> u64 {
        self.shared.events_dropped.load(Ordering::Relaxed)
    }

    /// (RTP ports bound, RTCP ports bound now): the sockets this relay holds.
    pub fn bound_ports(&self) -> (usize, usize) {
        let rtcp = self.shared.rtcp_bound.load(Ordering::Relaxed);
        (self.shared.rtp.len(), rtcp)
    }

    /// RTCP ports a leg without mux needed that could not be bound (that leg had no RTCP).
    pub fn rtcp_bind_errors(&self) -> u64 {
        self.shared.rtcp_bind_errors.load(Ordering::Relaxed)
    }
}

impl Drop for NetRelay {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        let mut rtcp = self.shared.rtcp.lock().unwrap_or_else(|e| e.into_inner());
        for slot in rtcp.iter_mut().filter_map(Option::take) {
            if let RtcpSlot::Bound(r) = slot {
                r.task.abort();
            }
        }
    }
}

/// Receive buffers of one runtime thread, shared by every socket task that thread polls.
///
/// A task only uses them between two `.await`s (receive, forward, send all happen without
/// yielding), so one set per thread serves every socket. Kept per socket, GRO-sized batches
/// cost about 280 KiB of resident memory each (4 MiB of address space), for every port the
/// relay binds at start whether a call uses it or not.
#[derive(Default)]
struct RxBuffers {
    /// One per datagram of a batch, each as long as the largest GRO train seen.
    bufs: Vec<Vec<u8>>,
    meta: Vec<quinn_udp::RecvMeta>,
    /// One datagram with headroom for in-place re-protection.
    work: Vec<u8>,
    /// Forwarded datagrams waiting to leave together (see [`OutRun`]).
    out: Vec<u8>,
}

impl RxBuffers {
    /// Sized for `rx_len` per buffer (grown, never shrunk; allocated on first use).
    fn ready(&mut self, rx_len: usize) {
        const BATCH: usize = quinn_udp::BATCH_SIZE;
        if self.bufs.len() != BATCH || self.bufs.iter().any(|b| b.len() < rx_len) {
            self.bufs = (0..BATCH).map(|_| vec![0u8; rx_len]).collect();
        }
        if self.meta.len() != BATCH {
            self.meta = vec![quinn_udp::RecvMeta::default(); BATCH];
        }
        if self.work.len() != BUF_LEN {
            self.work = vec![0u8; BUF_LEN];
        }
        if self.out.capacity() < GSO_BYTES {
            self.out = Vec::with_capacity(GSO_BYTES);
        }
    }
}

thread_local! {
    static RX: std::cell::RefCell<RxBuffers> = std::cell::RefCell::new(RxBuffers::default());
}

/// What one readiness of a socket came to.
enum Received {
    /// Datagrams read and forwarded (or the socket's readiness was spurious).
    Done,
    /// A socket error (e.g. an ICMP error surfacing): let other tasks run, then go on.
    Error,
}

/// One socket: receive into the thread's buffers, forward through the core, send.
async fn recv_loop(shared: Arc<Shared>, p: Port, port: u16) {
    let Port { sock, state } = p;
    let state = state.as_ref();
    // GRO may coalesce several datagrams into one buffer, so receive buffers are larger than
    // one datagram; each datagram is then copied to `work`, which has the headroom the
    // in-place re-protection needs.
    let gro = state.gro_segments().max(1);
    let rx_len = (BUF_LEN - HEADROOM) * gro;
    loop {
        if sock.readable().await.is_err() {
            return;
        }
        let received = RX.with(|rx| match rx.try_borrow_mut() {
            Ok(mut rx) => receive(&shared, &sock, state, port, rx_len, &mut rx),
            // Not reachable (nothing here re-enters while the buffers are out); if it were,
            // yielding and trying again is safe.
            Err(_) => Received::Error,
        });
        if let Received::Error = received {
            tokio::task::yield_now().await;
        }
    }
}

/// Reads one batch from `sock` into `rx` and forwards it; never yields.
fn receive(
    shared: &Shared,
    sock: &UdpSocket,
    state: &quinn_udp::UdpSocketState,
    port: u16,
    rx_len: usize,
    rx: &mut RxBuffers,
) -> Received {
    rx.ready(rx_len);
    let RxBuffers {
        bufs,
        meta,
        work,
        out,
    } = rx;
    // Inline storage: building the slice list allocates nothing.
    let mut slices: smallvec::SmallVec<[std::io::IoSliceMut<'_>; quinn_udp::BATCH_SIZE]> = bufs
        .iter_mut()
        .map(|b| std::io::IoSliceMut::new(b))
        .collect();
    // A non-blocking `recvmmsg` returns less than a batch only when nothing more is queued:
    // the socket's readiness is then cleared at once (by answering `WouldBlock` to tokio,
    // with the count kept aside) instead of by one more read that would only say EAGAIN —
    // a third of the syscalls per packet when every wake-up brings one datagram. A datagram
    // arriving after the read sets readiness again: tokio clears only the readiness event
    // it saw before the read.
    let mut got = 0;
    let received = sock.try_io(tokio::io::Interest::READABLE, || {
        let n = state.recv(sock.into(), &mut slices, meta)?;
        got = n;
        if n < quinn_udp::BATCH_SIZE.min(meta.len()) {
            Err(io::ErrorKind::WouldBlock.into())
        } else {
            Ok(n)
        }
    });
    drop(slices);
    let count = match received {
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock && got > 0 => got,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Received::Done,
        Err(_) => return Received::Error,
    };
    shared.batches.fetch_add(1, Ordering::Relaxed);
    let mut relay = shared.lock();
    let now = Instant::now();
    let mut run = OutRun::new(out);
    for (m, buf) in meta.iter().zip(bufs.iter()).take(count) {
        let stride = m.stride.max(1);
        let data = buf.get(..m.len.min(buf.len())).unwrap_or_default();
        for datagram in data.chunks(stride) {
            let n = datagram.len();
            let Some(dst) = work.get_mut(..n) else {
                continue;
            };
            dst.copy_from_slice(datagram);
            shared.datagrams.fetch_add(1, Ordering::Relaxed);
            if let Some(t) = relay.handle_datagram(now, port, m.addr, work, n) {
                run.push(shared, t, work);
            }
            // Sends do not block, so sending under the lock is fine and lets the same buffer
            // carry the extra frames a transcoded packet may produce (after what is waiting,
            // to keep each stream in order).
            let mut first = true;
            while let Some(t) = relay.poll_transmit(now, work) {
                if first {
                    run.flush(shared);
                    first = false;
                }
                shared.send(t, work);
            }
        }
    }
    run.flush(shared);
    shared.drain_events(&mut relay);
    Received::Done
}

/// Forwarded datagrams from one port to one far end, all of one size but perhaps the last:
/// what one GSO send can carry.
struct OutRun<'a> {
    buf: &'a mut Vec<u8>,
    from_port: u16,
    to: Option<SocketAddr>,
    seg: usize,
    count: usize,
    /// The last datagram was shorter than `seg`: nothing may follow it in this run.
    closed: bool,
    max: usize,
}

impl<'a> OutRun<'a> {
    fn new(buf: &'a mut Vec<u8>) -> Self {
        buf.clear();
        Self {
            buf,
            from_port: 0,
            to: None,
            seg: 0,
            count: 0,
            closed: false,
            max: 1,
        }
    }

    /// Adds `work[..t.len]`, sending what was waiting first when it cannot join it.
    fn push(&mut self, shared: &Shared, t: Transmit, work: &[u8]) {
        let Some(data) = work.get(..t.len) else {
            return;
        };
        let joins = self.to == Some(t.to)
            && self.from_port == t.from_port
            && !self.closed
            && t.len <= self.seg
            && self.count < self.max
            && self.buf.len() + t.len <= GSO_BYTES;
        if !joins {
            self.flush(shared);
            self.to = Some(t.to);
            self.from_port = t.from_port;
            self.seg = t.len;
            self.max = shared.gso_segments(t.from_port);
        }
        self.buf.extend_from_slice(data);
        self.count += 1;
        self.closed = t.len < self.seg;
    }

    /// Sends what is waiting.
    fn flush(&mut self, shared: &Shared) {
        if let Some(to) = self.to.take() {
            shared.send_run(self.from_port, to, self.seg, self.count, self.buf);
        }
        self.buf.clear();
        self.count = 0;
        self.closed = false;
    }
}

/// Timers from `poll_timeout`; generated packets (RTCP reports) go out from here.
async fn timer_loop(shared: Arc<Shared>) {
    let mut buf = vec![0u8; BUF_LEN];
    let mut last_pass: Option<Instant> = None;
    loop {
        let deadline = shared.lock().poll_timeout();
        // One pass over the sessions serves every deadline that is due, so passes are spaced
        // at least TIMER_GRANULARITY apart: with thousands of sessions whose report times
        // are all different, a pass per deadline would cost O(sessions) each time.
        let earliest = last_pass.map(|t| t + TIMER_GRANULARITY);
        let wake_at = match (deadline, earliest) {
            (Some(d), Some(e)) => Some(d.max(e)),
            (d, _) => d,
        };
        let sleep = match wake_at {
            Some(d) => tokio::time::sleep_until(d.into()),
            None => tokio::time::sleep(IDLE_TICK),
        };
        tokio::select! {
            _ = sleep => {}
            // A configuration change may have brought a deadline forward: look again, after
            // a short pause so that a burst of changes (call setups) costs one look.
            _ = shared.wake.notified() => {
                tokio::time::sleep(TIMER_GRANULARITY).await;
                continue;
            }
        }
        let mut relay = shared.lock();
        let now = Instant::now();
        last_pass = Some(now);
        relay.handle_timeout(now);
        while let Some(t) = relay.poll_transmit(now, &mut buf) {
            shared.send(t, &buf);
        }
        shared.drain_events(&mut relay);
        shared.sync_rtcp(&mut relay);
    }
}
