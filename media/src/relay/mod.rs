//! The media relay engine: sessions of two legs (A, B), each with up to three streams
//! (audio, main video, content), forwarding RTP between the legs with re-encryption and
//! header rewriting, or transcoding audio.
//!
//! Sans-IO, driven like quinn-proto / str0m (ARCHITECTURE.md "The sans-IO contract"):
//!
//! ```
//! use std::time::Instant;
//! use roomgate_media::relay::{Relay, RelayConfig};
//!
//! let now = Instant::now();
//! let mut relay = Relay::new(now, RelayConfig::default());
//! let mut buf = vec![0u8; 2048];
//! // 1. a datagram arrived on one of the pool's ports: copy it into `buf` and
//! //    let the core forward it in place.
//! # let (port, source, len) = (40000u16, std::net::SocketAddr::from(([127, 0, 0, 1], 5000)), 0usize);
//! if let Some(t) = relay.handle_datagram(now, port, source, &mut buf, len) {
//!     // send buf[..t.len] from local port t.from_port to t.to
//! }
//! // 2. timers: sleep until poll_timeout(), then handle_timeout().
//! if relay.poll_timeout().is_some_and(|t| t <= now) {
//!     relay.handle_timeout(now);
//! }
//! // 3. packets the core generated (RTCP reports), and events.
//! while let Some(t) = relay.poll_transmit(now, &mut buf) { /* send */ }
//! while let Some(ev) = relay.poll_event() { /* act */ }
//! ```
//!
//! Hot path (pass-through): one hash lookup for the port, one for the session, SRTP
//! unprotect in place, four header stores, SRTP protect in place, no allocation
//! (`media/tests/relay_alloc.rs` proves it). Every drop is counted by [`DropReason`].
//!
//! Latching rules: see [`latch`]. RTCP is terminated per leg: see [`rtcp_term`].

mod config;
mod fuzz;
pub mod latch;
mod play;
pub mod pool;
pub mod rewrite;
pub mod rtcp_term;
mod seed;
mod session;
pub mod stats;
mod tone;
mod transcode;

#[cfg(feature = "net")]
pub mod net;
#[cfg(feature = "net")]
pub mod workers;

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::rtp::{classify_mux, MuxKind};
use crate::srtp::SrtpContext;

pub use config::{
    DtmfConfig, LegConfig, LegUpdate, LocalPorts, PlayFrame, RelayConfig, RelayError, StreamConfig,
    StreamMode, MAX_ALTERNATES,
};
#[doc(hidden)]
pub use fuzz::fuzz_relay;
pub use pool::PortPool;
use rtcp_term::RecvStats;
use seed::SeedRng;
use session::{drain_dtmf, Ctx, LegState, Session, StreamState, SCRATCH_LEN};
pub use stats::{DropCounters, DropReason, LegStreamStats, RelayStats};
pub use tone::{OutEvent, MAX_QUEUED_EVENTS};
use transcode::AudioPipe;

/// Events kept when the caller does not poll (beyond that they are counted and dropped,
/// so a stalled application cannot grow the core's memory).
pub const MAX_EVENTS: usize = 4096;

/// Session handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u32);

impl SessionId {
    /// The relay core (of `shards`, see [`RelayConfig::shard`]) that handed this id out.
    pub fn shard(self, shards: u32) -> usize {
        (self.0.wrapping_sub(1) % shards.max(1)) as usize
    }
}

/// One side of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leg {
    /// First leg.
    A,
    /// Second leg.
    B,
}

impl Leg {
    /// The other leg.
    pub fn other(self) -> Leg {
        match self {
            Leg::A => Leg::B,
            Leg::B => Leg::A,
        }
    }

    fn index(self) -> usize {
        match self {
            Leg::A => 0,
            Leg::B => 1,
        }
    }
}

/// Which media stream of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// Audio.
    Audio,
    /// Main video.
    Video,
    /// Content (H.239 / BFCP presentation) video.
    Content,
}

impl StreamKind {
    fn index(self) -> usize {
        match self {
            StreamKind::Audio => 0,
            StreamKind::Video => 1,
            StreamKind::Content => 2,
        }
    }
}

/// A datagram for the socket layer: `buf[..len]` from local port `from_port` to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// Local port to send from (the leg's RTP or RTCP port: symmetric RTP).
    pub from_port: u16,
    /// Destination.
    pub to: SocketAddr,
    /// Bytes at the start of the buffer.
    pub len: usize,
}

/// What the application hears from the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A leg latched to a far-end source.
    Latched {
        /// Session.
        session: SessionId,
        /// Leg.
        leg: Leg,
        /// Stream.
        stream: StreamKind,
        /// The source latched to.
        source: SocketAddr,
        /// RTCP flow (else RTP).
        rtcp: bool,
    },
    /// No accepted packet for [`RelayConfig::inactivity_timeout`]; reported once per silence.
    Inactive(SessionId),
    /// An RFC 4733 event finished on a leg.
    DtmfDigit {
        /// Session.
        session: SessionId,
        /// Leg it was received on.
        leg: Leg,
        /// Event code.
        event: u8,
        /// DTMF symbol when the event is one.
        digit: Option<char>,
        /// Duration.
        duration: Duration,
    },
    /// Leg `leg` asked for a keyframe on a stream the relay does not pass through, or whose
    /// other far end takes keyframe requests by signalling
    /// ([`LegConfig::control_by_signalling`]): the application must make whatever feeds
    /// that leg send one.
    KeyframeNeeded {
        /// Session.
        session: SessionId,
        /// Leg that asked.
        leg: Leg,
        /// Stream.
        stream: StreamKind,
    },
    /// Leg `leg` limited what we send it (RFC 5104 TMMBR, or REMB) on a stream whose other
    /// far end takes such limits by signalling ([`LegConfig::control_by_signalling`]): the
    /// application passes the limit to whatever feeds that leg (the relay answered a TMMBR
    /// with its TMMBN).
    BitrateLimit {
        /// Session.
        session: SessionId,
        /// Leg that asked.
        leg: Leg,
        /// Stream.
        stream: StreamKind,
        /// Bit/s.
        bitrate: u64,
    },
}

#[derive(Debug, Clone, Copy)]
struct Route {
    session: SessionId,
    leg: Leg,
    stream: StreamKind,
    rtcp: bool,
}

/// The relay core. See the module doc for the driving loop.
pub struct Relay {
    cfg: RelayConfig,
    epoch: Instant,
    pool: PortPool,
    /// Indexed by `port - pool.base()`: the per-packet lookup is an array index, no hash.
    routes: Vec<Option<Route>>,
    sessions: HashMap<SessionId, Session, BuildHasherDefault<IdHasher>>,
    next_id: u32,
    rng: SeedRng,
    events: VecDeque<Event>,
    /// Reports due, filled by `handle_timeout`, drained by `poll_transmit`.
    due: VecDeque<(SessionId, StreamKind, Leg)>,
    /// Transcoded streams with more 20 ms frames waiting for the given output leg.
    flush: VecDeque<(SessionId, StreamKind, Leg)>,
    /// Legs with an RFC 4733 packet of ours due, filled by `handle_timeout`.
    tones: VecDeque<(SessionId, StreamKind, Leg)>,
    /// RTCP (odd) ports whose use changed since the socket layer last looked, and by pair a
    /// flag saying a port is listed (so the list never holds more than one entry per pair).
    rtcp_changed: Vec<u16>,
    rtcp_listed: Vec<bool>,
    stats: RelayStats,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("sessions", &self.sessions.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Identity hasher for [`SessionId`]s: ids are handed out sequentially by us, not chosen
/// by the network, so SipHash's flooding protection buys nothing on the per-packet lookup.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n);
    }
}

/// The first session id of this core's share (ids start at 1: 0 is never handed out).
fn first_id(cfg: &RelayConfig) -> u32 {
    cfg.shard % cfg.shards.max(1) + 1
}

impl Relay {
    /// A relay whose clock starts at `now`.
    pub fn new(now: Instant, cfg: RelayConfig) -> Self {
        let pool = PortPool::new(cfg.port_min, cfg.port_max);
        let cap = pool.capacity();
        Self {
            epoch: now,
            pool,
            routes: vec![None; cap * 2],
            sessions: HashMap::with_capacity_and_hasher(
                cfg.max_sessions.min(cap),
                BuildHasherDefault::default(),
            ),
            next_id: first_id(&cfg),
            rng: SeedRng::new(cfg.ssrc_seed),
            events: VecDeque::with_capacity(64),
            due: VecDeque::with_capacity(64),
            flush: VecDeque::with_capacity(64),
            tones: VecDeque::with_capacity(64),
            rtcp_changed: Vec::new(),
            rtcp_listed: vec![false; cap],
            stats: RelayStats::default(),
            cfg,
        }
    }

    /// The port pool (the socket layer binds its ports).
    pub fn pool(&self) -> &PortPool {
        &self.pool
    }

    /// Relay-wide counters.
    pub fn stats(&self) -> &RelayStats {
        &self.stats
    }

    /// Number of live sessions.
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// Creates a session; each leg of each stream gets a port pair from the pool.
    pub fn add_session(
        &mut self,
        now: Instant,
        streams: &[StreamConfig],
    ) -> Result<SessionId, RelayError> {
        if self.sessions.len() >= self.cfg.max_sessions {
            return Err(RelayError::TooManySessions);
        }
        let mut ports = Vec::with_capacity(streams.len() * 2);
        let r = self.build_session(now, streams, &[], &mut ports);
        match r {
            Ok(s) => {
                let id = SessionId(self.next_id);
                self.next_id = self
                    .next_id
                    .checked_add(self.cfg.shards.max(1))
                    .unwrap_or_else(|| first_id(&self.cfg));
                self.install(id, s);
                Ok(id)
            }
            Err(e) => {
                for p in ports {
                    self.pool.release(p);
                }
                Err(e)
            }
        }
    }

    /// Points every port of session `s` at it and stores it.
    fn install(&mut self, id: SessionId, s: Session) {
        for st in s.streams.iter().flatten() {
            for (leg, l) in [Leg::A, Leg::B].into_iter().zip(st.legs.iter()) {
                let route = |rtcp| Route {
                    session: id,
                    leg,
                    stream: st.kind,
                    rtcp,
                };
                self.set_route(l.rtp_port, Some(route(false)));
                if l.rtcp_port_needed {
                    self.set_route(l.rtp_port.wrapping_add(1), Some(route(true)));
                }
            }
        }
        self.sessions.insert(id, s);
    }

    /// Replaces the streams of session `id` after an answer fixed what the legs speak
    /// (modes, codecs, keys, addresses), keeping the local ports already signalled: a
    /// gateway must put its ports in the offer to one leg before it knows what the other
    /// leg will answer. Streams of a kind that existed keep their ports; new kinds get new
    /// pairs; kinds no longer listed release theirs. On error the session is unchanged.
    pub fn reconfigure_session(
        &mut self,
        now: Instant,
        id: SessionId,
        streams: &[StreamConfig],
    ) -> Result<(), RelayError> {
        let old = self.sessions.get(&id).ok_or(RelayError::UnknownSession)?;
        let reuse: Vec<(StreamKind, [u16; 2])> = old
            .streams
            .iter()
            .flatten()
            .map(|s| (s.kind, [s.legs[0].rtp_port, s.legs[1].rtp_port]))
            .collect();
        let mut fresh = Vec::new();
        let built = match self.build_session(now, streams, &reuse, &mut fresh) {
            Ok(s) => s,
            Err(e) => {
                for p in fresh {
                    self.pool.release(p);
                }
                return Err(e);
            }
        };
        let Some(old) = self.sessions.remove(&id) else {
            return Err(RelayError::UnknownSession);
        };
        let kept: Vec<u16> = built.rtp_ports().collect();
        for p in old.rtp_ports() {
            self.set_route(p, None);
            self.set_route(p.wrapping_add(1), None);
            if !kept.contains(&p) {
                self.pool.release(p);
            }
        }
        self.due.retain(|d| d.0 != id);
        self.flush.retain(|d| d.0 != id);
        self.tones.retain(|d| d.0 != id);
        let mut built = built;
        // Each leg's output goes on as one stream across the change.
        for (new, old) in built.streams.iter_mut().zip(old.streams.iter()) {
            if let (Some(new), Some(old)) = (new, old) {
                for (n, o) in new.legs.iter_mut().zip(old.legs.iter()) {
                    n.rewriter.continue_from(&o.rewriter);
                    n.counters.out_ssrc = n.rewriter.out_ssrc();
                }
            }
        }
        built.last_activity = now;
        self.install(id, built);
        Ok(())
    }

    fn build_session(
        &mut self,
        now: Instant,
        streams: &[StreamConfig],
        reuse: &[(StreamKind, [u16; 2])],
        ports: &mut Vec<u16>,
    ) -> Result<Session, RelayError> {
        let mut out: [Option<Box<StreamState>>; 3] = [None, None, None];
        for sc in streams {
            let slot = out
                .get_mut(sc.kind.index())
                .ok_or(RelayError::UnknownStream)?;
            if slot.is_some() {
                return Err(RelayError::DuplicateStream);
            }
            let kept = reuse.iter().find(|(k, _)| *k == sc.kind).map(|(_, p)| *p);
            let mut leg = |cfg: &LegConfig, which: usize, ports: &mut Vec<u16>| {
                let port = match kept.and_then(|p| p.get(which).copied()) {
                    Some(p) => p,
                    None => {
                        let p = self.pool.allocate().ok_or(RelayError::PortsExhausted)?;
                        ports.push(p);
                        p
                    }
                };
                let ssrc = self.rng.next_u32();
                let first = (self.rng.next_u16(), self.rng.next_u32());
                let delay =
                    rtcp_term::report_delay(self.cfg.report_interval, true, self.rng.unit());
                LegState::new(now, port, cfg, ssrc, first, now + delay)
            };
            let a = leg(&sc.a, 0, ports)?;
            let b = leg(&sc.b, 1, ports)?;
            let pipes = match sc.mode {
                StreamMode::PassThrough => None,
                StreamMode::Transcode => {
                    let (ca, cb) = match (sc.a.codec, sc.b.codec) {
                        (Some((ca, _)), Some((cb, _))) => (ca, cb),
                        _ => return Err(RelayError::NoCodec),
                    };
                    Some(Box::new([AudioPipe::new(ca, cb)?, AudioPipe::new(cb, ca)?]))
                }
            };
            *slot = Some(Box::new(StreamState {
                kind: sc.kind,
                mode: sc.mode,
                clock_rate: sc.clock_rate.max(1),
                legs: [a, b],
                pipes,
                switched: [None, None],
                transcoding: [false, false],
                scratch: vec![0; SCRATCH_LEN],
            }));
        }
        Ok(Session {
            streams: out,
            last_activity: now,
            inactive_reported: false,
            paused: false,
        })
    }

    fn set_route(&mut self, port: u16, route: Option<Route>) {
        let Some(off) = port.checked_sub(self.pool.base()).map(usize::from) else {
            return;
        };
        let Some(slot) = self.routes.get_mut(off) else {
            return;
        };
        let changed = slot.is_some() != route.is_some();
        *slot = route;
        if changed && off % 2 == 1 {
            if let Some(listed) = self.rtcp_listed.get_mut(off / 2) {
                if !*listed {
                    *listed = true;
                    self.rtcp_changed.push(port);
                }
            }
        }
    }

    /// The next RTCP port whose use changed since the last call, and whether a leg now
    /// receives on it. A leg with rtcp-mux (RFC 5761) needs only its RTP port, so a socket
    /// layer binds the RTCP port of a pair only while a leg without mux uses it, and closes it
    /// after: with mux a call costs half the descriptors. A port that changed twice (taken
    /// back by a re-offer in the same job) comes once, with its state at the time of asking.
    pub fn poll_rtcp_port(&mut self) -> Option<(u16, bool)> {
        let port = self.rtcp_changed.pop()?;
        let off = port.checked_sub(self.pool.base()).map(usize::from)?;
        if let Some(listed) = self.rtcp_listed.get_mut(off / 2) {
            *listed = false;
        }
        let used = self.routes.get(off).is_some_and(Option::is_some);
        Some((port, used))
    }

    /// Ends a session and returns its ports to the pool.
    pub fn remove_session(&mut self, id: SessionId) -> Result<(), RelayError> {
        let s = self
            .sessions
            .remove(&id)
            .ok_or(RelayError::UnknownSession)?;
        for p in s.rtp_ports() {
            self.set_route(p, None);
            self.set_route(p.wrapping_add(1), None);
            self.pool.release(p);
        }
        self.due.retain(|d| d.0 != id);
        self.flush.retain(|d| d.0 != id);
        self.tones.retain(|d| d.0 != id);
        Ok(())
    }

    /// Pauses (drops and counts everything, e.g. on hold) or resumes a session.
    pub fn set_paused(&mut self, id: SessionId, paused: bool) -> Result<(), RelayError> {
        self.sessions
            .get_mut(&id)
            .map(|s| s.paused = paused)
            .ok_or(RelayError::UnknownSession)
    }

    /// Whether the RFC 4733 events `leg` sends on `kind` pass through to the other leg on a
    /// pass-through stream (they are reported as digits either way): off when the call
    /// takes that leg's key presses from another source, so none arrives twice.
    pub fn set_event_forwarding(
        &mut self,
        id: SessionId,
        leg: Leg,
        kind: StreamKind,
        forward: bool,
    ) -> Result<(), RelayError> {
        let s = self.stream_mut(id, kind)?;
        let l = s
            .legs
            .get_mut(leg.index())
            .ok_or(RelayError::UnknownStream)?;
        if let Some(d) = l.dtmf.as_mut() {
            d.forward = forward;
        }
        Ok(())
    }

    /// Whether `leg` is sending an RFC 4733 event on `kind` right now (started, not ended).
    pub fn event_in_progress(&self, id: SessionId, leg: Leg, kind: StreamKind) -> bool {
        self.leg_ref(id, leg, kind)
            .and_then(|l| l.dtmf.as_ref())
            .is_some_and(|d| d.rx.in_event())
    }

    fn stream_mut(
        &mut self,
        id: SessionId,
        kind: StreamKind,
    ) -> Result<&mut StreamState, RelayError> {
        self.sessions
            .get_mut(&id)
            .ok_or(RelayError::UnknownSession)?
            .streams
            .get_mut(kind.index())
            .and_then(Option::as_deref_mut)
            .ok_or(RelayError::UnknownStream)
    }

    fn leg_ref(&self, id: SessionId, leg: Leg, kind: StreamKind) -> Option<&LegState> {
        self.sessions
            .get(&id)?
            .streams
            .get(kind.index())?
            .as_ref()?
            .legs
            .get(leg.index())
    }

    /// Local ports of a leg of a stream (to put in SDP / H.245).
    pub fn local_ports(&self, id: SessionId, leg: Leg, kind: StreamKind) -> Option<LocalPorts> {
        let l = self.leg_ref(id, leg, kind)?;
        Some(LocalPorts {
            rtp: l.rtp_port,
            rtcp: (!l.mux).then(|| l.rtp_port.wrapping_add(1)),
        })
    }

    /// Counters and quality of a leg of a stream.
    pub fn leg_stats(&self, id: SessionId, leg: Leg, kind: StreamKind) -> Option<LegStreamStats> {
        self.leg_ref(id, leg, kind).map(LegState::snapshot)
    }

    /// A new offer/answer on a leg: new address and keys; the leg may latch again (the
    /// only way to re-latch), and the NAT window reopens. Our SSRC and sequence numbers on
    /// the leg continue; the other leg's output re-bases on the next packet from this one.
    pub fn update_leg(
        &mut self,
        now: Instant,
        id: SessionId,
        leg: Leg,
        kind: StreamKind,
        upd: LegUpdate,
    ) -> Result<(), RelayError> {
        let rx = upd.srtp_in.as_ref().map(SrtpContext::new).transpose()?;
        let tx = upd.srtp_out.as_ref().map(SrtpContext::new).transpose()?;
        let st = self.stream_mut(id, kind)?;
        let [a, b] = &mut st.legs;
        let (l, other) = match leg {
            Leg::A => (a, b),
            Leg::B => (b, a),
        };
        let srtp = rx.is_some();
        l.latch.reset(now, upd.remote_rtp, srtp);
        let rtcp = if l.mux {
            upd.remote_rtp
        } else {
            upd.remote_rtcp.or_else(|| {
                upd.remote_rtp
                    .map(|a| SocketAddr::new(a.ip(), a.port().wrapping_add(1)))
            })
        };
        l.rtcp_latch.reset(now, rtcp, srtp);
        l.rx = rx;
        l.tx = tx;
        l.recv = RecvStats::default();
        other.rewriter.rebase();
        if let Some(s) = self.sessions.get_mut(&id) {
            s.last_activity = now;
            s.inactive_reported = false;
        }
        Ok(())
    }

    /// Feeds one received datagram (`buf[..len]`, with spare room after it for the SRTP
    /// trailer of the other leg). Returns the packet to send, written into `buf`.
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        local_port: u16,
        source: SocketAddr,
        buf: &mut [u8],
        len: usize,
    ) -> Option<Transmit> {
        self.stats.datagrams_in = self.stats.datagrams_in.saturating_add(1);
        match self.route(now, local_port, source, buf, len) {
            Ok(t) => t,
            Err(r) => {
                self.stats.drops.count(r);
                None
            }
        }
    }

    fn route(
        &mut self,
        now: Instant,
        local_port: u16,
        source: SocketAddr,
        buf: &mut [u8],
        len: usize,
    ) -> Result<Option<Transmit>, DropReason> {
        let route = local_port
            .checked_sub(self.pool.base())
            .and_then(|i| self.routes.get(usize::from(i)))
            .copied()
            .flatten()
            .ok_or(DropReason::UnknownPort)?;
        if len > buf.len() {
            return Err(DropReason::BufferTooSmall);
        }
        let session = self
            .sessions
            .get_mut(&route.session)
            .ok_or(DropReason::UnknownPort)?;
        if session.paused {
            return Err(DropReason::InactiveSession);
        }
        let st = session
            .streams
            .get_mut(route.stream.index())
            .and_then(Option::as_mut)
            .ok_or(DropReason::UnknownPort)?;
        let mux = st.legs.get(route.leg.index()).is_some_and(|l| l.mux);
        let rtcp = if route.rtcp {
            true
        } else if mux {
            match classify_mux(buf.get(..len).unwrap_or(&[])) {
                MuxKind::Rtp => false,
                MuxKind::Rtcp => true,
                MuxKind::Other => return Err(DropReason::MalformedRtp),
            }
        } else {
            false
        };
        let mut ctx = Ctx::new(&mut self.events, &mut self.stats, &self.cfg, self.epoch);
        let r = if rtcp {
            st.on_rtcp(now, route.session, route.leg, source, buf, len, &mut ctx)
        } else {
            st.on_rtp(now, route.session, route.leg, source, buf, len, &mut ctx)
        };
        if r.is_ok() {
            session.last_activity = now;
            session.inactive_reported = false;
        }
        if ctx.more {
            self.flush
                .push_back((route.session, route.stream, route.leg.other()));
        }
        r
    }

    /// The next instant [`handle_timeout`](Self::handle_timeout) has work. O(sessions).
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut t: Option<Instant> = None;
        let mut consider = |x: Instant| t = Some(t.map_or(x, |t| t.min(x)));
        for s in self.sessions.values() {
            if !s.inactive_reported {
                consider(s.last_activity + self.cfg.inactivity_timeout);
            }
            for st in s.streams.iter().flatten() {
                for l in &st.legs {
                    if l.rtcp_destination().is_some() {
                        consider(l.next_report);
                    }
                    if let Some(d) = l.dtmf.as_ref().and_then(|d| d.rx.poll_timeout()) {
                        consider(d);
                    }
                    if let Some(t) = l.tones.poll_timeout() {
                        consider(t);
                    }
                }
            }
        }
        t
    }

    /// Runs timers: inactivity, report scheduling, DTMF end timeouts.
    pub fn handle_timeout(&mut self, now: Instant) {
        let mut ctx = Ctx::new(&mut self.events, &mut self.stats, &self.cfg, self.epoch);
        for (&id, s) in self.sessions.iter_mut() {
            if !s.inactive_reported
                && now.saturating_duration_since(s.last_activity) >= self.cfg.inactivity_timeout
            {
                s.inactive_reported = true;
                ctx.event(Event::Inactive(id));
            }
            for st in s.streams.iter_mut().flatten() {
                for (leg, l) in [Leg::A, Leg::B].into_iter().zip(st.legs.iter_mut()) {
                    if now >= l.next_report {
                        l.next_report = now
                            + rtcp_term::report_delay(
                                self.cfg.report_interval,
                                false,
                                self.rng.unit(),
                            );
                        if l.rtcp_destination().is_some() {
                            self.due.push_back((id, st.kind, leg));
                        }
                    }
                    if !l.tones.listed && l.tones.poll_timeout().is_some_and(|t| t <= now) {
                        l.tones.listed = true;
                        self.tones.push_back((id, st.kind, leg));
                    }
                    if let Some(d) = l.dtmf.as_mut() {
                        d.rx.handle_timeout(now);
                        drain_dtmf(&mut d.rx, id, leg, &mut ctx);
                    }
                }
            }
        }
    }

    /// Packets generated by the core (further 20 ms frames of a transcoded packet, RTCP
    /// reports), written into `buf`. Call after every `handle_datagram` and timeout.
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        while let Some((id, kind, leg)) = self.flush.pop_front() {
            let mut ctx = Ctx::new(&mut self.events, &mut self.stats, &self.cfg, self.epoch);
            let Some(st) = self
                .sessions
                .get_mut(&id)
                .and_then(|s| s.streams.get_mut(kind.index()))
                .and_then(Option::as_mut)
            else {
                continue;
            };
            let (t, more) = st.flush(now, leg, buf, &mut ctx);
            if more {
                self.flush.push_front((id, kind, leg));
            }
            if t.is_some() {
                return t;
            }
        }
        while let Some((id, kind, leg)) = self.tones.pop_front() {
            let Some(l) = self
                .sessions
                .get_mut(&id)
                .and_then(|s| s.streams.get_mut(kind.index()))
                .and_then(Option::as_mut)
                .and_then(|st| st.legs.get_mut(leg.index()))
            else {
                continue;
            };
            let (t, more) = l.send_tone(now, buf, &mut self.stats);
            if more {
                self.tones.push_front((id, kind, leg));
            } else {
                l.tones.listed = false;
            }
            if t.is_some() {
                return t;
            }
        }
        while let Some((id, kind, leg)) = self.due.pop_front() {
            let mut ctx = Ctx::new(&mut self.events, &mut self.stats, &self.cfg, self.epoch);
            let Some(st) = self
                .sessions
                .get_mut(&id)
                .and_then(|s| s.streams.get_mut(kind.index()))
                .and_then(Option::as_mut)
            else {
                continue;
            };
            if let Some(t) = st.report(now, leg, buf, &mut ctx) {
                return Some(t);
            }
        }
        None
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}

#[cfg(test)]
mod path_tests;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod timing_tests;

#[cfg(test)]
mod tone_tests;
