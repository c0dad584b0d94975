//! Thin tokio socket layer for [`Relay`] (feature `net`).
//!
//! Binds every port of the relay's pool at start (a session's ports are then always ready
//! when its SDP/H.245 goes out, and no bind can fail mid-call), runs one receive task per
//! socket and one timer task. The core sits behind one `std::sync::Mutex`, held only for the
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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
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

struct Shared {
    relay: Mutex<Relay>,
    base: u16,
    sockets: Vec<Arc<UdpSocket>>,
    /// quinn-udp's per-socket state (GSO support), by the same index.
    states: Vec<quinn_udp::UdpSocketState>,
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

    fn send(&self, t: Transmit, buf: &[u8]) {
        let sock = t
            .from_port
            .checked_sub(self.base)
            .and_then(|i| self.sockets.get(usize::from(i)));
        let ok = match (sock, buf.get(..t.len)) {
            (Some(s), Some(data)) => s.try_send_to(data, t.to).is_ok(),
            _ => false,
        };
        if !ok {
            self.send_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Sends `count` datagrams of `seg` octets each (the last may be shorter), laid end to end
    /// in `data`, from `from_port` to `to`: one GSO send, or one by one when that fails.
    fn send_run(&self, from_port: u16, to: SocketAddr, seg: usize, count: usize, data: &[u8]) {
        let i = from_port.checked_sub(self.base).map(usize::from);
        if count > 1 {
            if let Some((sock, state)) =
                i.and_then(|i| Some((self.sockets.get(i)?, self.states.get(i)?)))
            {
                let t = quinn_udp::Transmit {
                    destination: to,
                    ecn: None,
                    contents: data,
                    segment_size: Some(seg),
                    src_ip: None,
                };
                let sent = sock.try_io(tokio::io::Interest::WRITABLE, || {
                    state.try_send(sock.as_ref().into(), &t)
                });
                if sent.is_ok() {
                    self.gso_sends.fetch_add(1, Ordering::Relaxed);
                    self.gso_datagrams
                        .fetch_add(count as u64, Ordering::Relaxed);
                    return;
                }
                // A device without GSO (quinn-udp then stops offering it) or a full buffer:
                // each datagram on its own below.
            }
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
        from_port
            .checked_sub(self.base)
            .and_then(|i| self.states.get(usize::from(i)))
            .map_or(1, |s| s.max_gso_segments())
            .min(quinn_udp::BATCH_SIZE)
    }

    fn drain_events(&self, relay: &mut Relay) {
        while let Some(e) = relay.poll_event() {
            if self.events.try_send(e).is_err() {
                self.events_dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
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
            .field("sockets", &self.shared.sockets.len())
            .finish_non_exhaustive()
    }
}

/// Tries after the first when a port of the range is taken (see [`bind_port`]).
pub const BIND_RETRIES: u32 = 20;
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
        let mut sockets = Vec::with_capacity(relay.pool().capacity() * 2);
        let mut states = Vec::with_capacity(relay.pool().capacity() * 2);
        for port in relay.pool().ports() {
            let sock = bind_port(SocketAddr::new(ip, port)).await?;
            states.push(quinn_udp::UdpSocketState::new((&sock).into())?);
            sockets.push(Arc::new(sock));
        }
        let (_closed, rx) = mpsc::channel(1);
        let shared = Arc::new(Shared {
            relay: Mutex::new(relay),
            base,
            sockets,
            states,
            wake: Notify::new(),
            events,
            events_dropped: AtomicU64::new(0),
            send_errors: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            datagrams: AtomicU64::new(0),
            gso_sends: AtomicU64::new(0),
            gso_datagrams: AtomicU64::new(0),
        });
        let mut tasks = Vec::with_capacity(shared.sockets.len() + 1);
        for i in 0..shared.sockets.len() {
            let port = base.wrapping_add(u16::try_from(i).unwrap_or(u16::MAX));
            tasks.push(tokio::spawn(recv_loop(shared.clone(), i, port)));
        }
        tasks.push(tokio::spawn(timer_loop(shared.clone())));
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
}

impl Drop for NetRelay {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
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
async fn recv_loop(shared: Arc<Shared>, index: usize, port: u16) {
    let Some(sock) = shared.sockets.get(index).cloned() else {
        return;
    };
    let Some(state) = shared.states.get(index) else {
        return;
    };
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
    }
}
