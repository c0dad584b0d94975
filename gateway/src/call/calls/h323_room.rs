//! The H.323 side of the calls: a room system's call signalling connection becomes a call of
//! the core like a SIP INVITE does — its Setup read, its dial string routed, screening,
//! lockout, PIN entry and the cloud leg exactly as for SIP — and the core's commands are
//! carried out with H.225.0/H.245 (Call Proceeding, Alerting, Connect with our media, Release
//! Complete with a Q.931 cause). Sans-IO like the rest of the calls: connection events in
//! ([`Calls::on_h323`]), [`H323Output`]s out for the driver to perform on its H.323
//! transport.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use roomgate_core::call::{DigitSource, EndCause, Incoming};
use roomgate_core::media_spec::{Codec, StreamRole};
use roomgate_h323::call::{CallConfig, CallEvent, IncomingSetup};
use roomgate_h323::endpoint::{Event, H323Call, Transmit};
use roomgate_h323::h245::session::SessionConfig;
use roomgate_h323::ras::{AliasAddress, TransportAddress};
use roomgate_media::codec::AudioCodec;
use roomgate_media::relay::{Leg, SessionId, StreamKind};
use roomgate_sip::sdp::offer_answer::SrtpPolicy;
use roomgate_sip::sdp::Direction;
use roomgate_sip::transaction::{Destination, TransactionLayer, Transport};

use super::admission::{Admission, H323Admitted, Placing};
use super::core_glue::{time, NewCall, Pending, PendingFrom};
use super::gatekeeper::GkCall;
use super::room_leg::{offered_relay_codecs, H323Room, RoomLeg};
use super::{Calls, Phase, Side};
use crate::call::h323_leg::media_map;
use crate::call::h323_leg::room::{dial_string, H323RoomLeg, OurMedia, RoomEvent};
use crate::call::sip_leg::DialogLeg;
use crate::sip::rate_limit::RateLimiter;
use crate::transport::ConnId;

/// Accepted call signalling connections still waiting for their Setup (or for the H.245
/// listener it needs); beyond this new connections are closed at once. The transport's
/// connection limits bound it too; this keeps the core's own table bounded whatever they are.
pub const MAX_WAITING_SETUPS: usize = 4096;

/// How long an accepted connection may take to send its Setup.
pub const SETUP_WAIT: Duration = Duration::from_secs(10);

/// Longest calling identity carried to the upstream's From.
const MAX_CALLER: usize = 64;

/// What the H.323 transport reports to the calls, per connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum H323Input {
    /// A call signalling connection was accepted.
    Accepted { peer: SocketAddr, local: SocketAddr },
    /// One TPKT payload (call signalling, or H.245 on the call's separate connection).
    Payload(Vec<u8>),
    /// The separate H.245 connection of this call connection is up as `h245`.
    H245Opened { h245: ConnId },
    /// It could not be made.
    H245Failed,
    /// The connection is gone.
    Closed,
}

/// What the driver must do on the H.323 transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum H323Output {
    /// Write a TPKT packet.
    Send { conn: ConnId, bytes: Vec<u8> },
    /// Open the separate H.245 connection of call connection `call` to `to`.
    ConnectH245 { call: ConnId, to: SocketAddr },
    /// Offer an H.245 port for call connection `call` (on `local_ip`, accepting `peer_ip`
    /// only) and report it with [`Calls::on_h245_listening`].
    ListenH245 {
        call: ConnId,
        local_ip: IpAddr,
        peer_ip: IpAddr,
    },
    /// Close the connection once what is queued is written.
    Close(ConnId),
    /// Connect to `host:port` (a name is resolved) for call `call`'s H.323 upstream and
    /// report with [`Calls::on_h323_dialed`].
    Dial { call: u64, host: String, port: u16 },
    /// Send a RAS datagram to the gatekeeper from our RAS socket.
    Ras { to: SocketAddr, bytes: Vec<u8> },
}

/// H.323 settings of the calls.
#[derive(Debug, Clone, Copy)]
pub struct H323CallSettings {
    /// Setups accepted per source address per second (and the burst above it); beyond,
    /// Release Complete before any work.
    pub setups_per_source_per_second: u32,
    pub setups_burst: u32,
}

impl Default for H323CallSettings {
    fn default() -> Self {
        H323CallSettings {
            setups_per_source_per_second: 5,
            setups_burst: 20,
        }
    }
}

/// A connection accepted, its call not yet handed to the core.
pub(super) struct Waiting {
    pub(super) call: H323Call,
    peer: SocketAddr,
    local: SocketAddr,
    setup: Option<Box<IncomingSetup>>,
}

/// An H.323 room's call while the core decides on it.
pub(super) struct H323Pending {
    leg: H323RoomLeg,
    conn: ConnId,
    peer: SocketAddr,
    h245_listener: Option<SocketAddr>,
    offered: Vec<AudioCodec>,
    caller: Option<String>,
    display: Option<String>,
}

/// The H.323 state of the calls.
pub(super) struct H323State {
    pub(super) waiting: HashMap<ConnId, Waiting>,
    /// When each waiting connection's Setup is due, oldest first (entries of connections
    /// gone since are skipped).
    setup_due: VecDeque<(Instant, ConnId)>,
    /// Signalling and H.245 connections of calls (pending or made) → call.
    pub(super) by_conn: HashMap<ConnId, u64>,
    pub(super) out: VecDeque<H323Output>,
    setups: RateLimiter,
}

impl H323State {
    pub(super) fn new(settings: H323CallSettings) -> Self {
        H323State {
            waiting: HashMap::new(),
            setup_due: VecDeque::new(),
            by_conn: HashMap::new(),
            out: VecDeque::new(),
            setups: RateLimiter::new(settings.setups_per_source_per_second, settings.setups_burst),
        }
    }

    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        self.setup_due.front().map(|(at, _)| *at)
    }
}

/// Moves what the call queued onto the output: packets to its connections, H.245
/// connections to open.
pub(super) fn flush(
    now: Instant,
    call: &mut H323Call,
    conn: ConnId,
    h245: Option<ConnId>,
    out: &mut VecDeque<H323Output>,
) {
    call.pump(now);
    while let Some(t) = call.poll_transmit() {
        match t {
            Transmit::Signalling(bytes) => out.push_back(H323Output::Send { conn, bytes }),
            Transmit::H245(bytes) => match h245 {
                Some(h) => out.push_back(H323Output::Send { conn: h, bytes }),
                None => tracing::debug!(conn = conn.0, "H.245 packet with no connection: dropped"),
            },
            Transmit::ConnectH245(a) => match a.socket_addr() {
                Some(to) => out.push_back(H323Output::ConnectH245 { call: conn, to }),
                None => call.h245_lost(now),
            },
        }
    }
}

/// Keeps a waiting connection's Setup.
fn w_setup(waiting: &mut HashMap<ConnId, Waiting>, conn: ConnId, setup: Box<IncomingSetup>) {
    if let Some(w) = waiting.get_mut(&conn) {
        w.setup = Some(setup);
    }
}

/// The codec an H.323 room speaks for a relay codec, when H.245 can name it.
pub(super) fn h323_codec(c: AudioCodec) -> Option<Codec> {
    let codec = match c {
        AudioCodec::Pcmu => Codec::new("PCMU", 8000, 1, 0),
        AudioCodec::Pcma => Codec::new("PCMA", 8000, 1, 8),
        AudioCodec::G722 => Codec::new("G722", 8000, 1, 9),
        _ => return None,
    };
    media_map::capability_of(&codec).map(|_| codec)
}

/// The caller's identity for the upstream: its number, else its first H.323-ID or
/// dialled-digits alias.
fn caller_of(setup: &IncomingSetup) -> Option<String> {
    setup
        .calling_number
        .clone()
        .or_else(|| {
            setup.source.iter().find_map(|a| match a {
                AliasAddress::DialedDigits(s) | AliasAddress::H323Id(s) => Some(s.clone()),
                _ => None,
            })
        })
        .filter(|s| s.len() <= MAX_CALLER)
}

/// The core's key for an H.323 call: its CallIdentifier (or conference id) in hex.
fn call_key(setup: &IncomingSetup) -> String {
    let id = setup.call_identifier.unwrap_or(setup.conference_id);
    let mut key = String::with_capacity(5 + 32);
    key.push_str("h323:");
    for b in id {
        key.push_str(&format!("{b:02x}"));
    }
    key
}

impl Calls {
    /// H.323 settings (Setups per source); the defaults otherwise.
    pub fn with_h323(mut self, settings: H323CallSettings) -> Self {
        self.h323 = H323State::new(settings);
        self
    }

    /// The next thing to do on the H.323 transport.
    pub fn poll_h323(&mut self) -> Option<H323Output> {
        self.h323.out.pop_front()
    }

    /// An event of H.323 connection `conn`.
    pub fn on_h323(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        conn: ConnId,
        input: H323Input,
    ) {
        self.h323_input(layer, now, conn, input);
        self.drive(layer, now);
    }

    fn h323_input(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        conn: ConnId,
        input: H323Input,
    ) {
        match input {
            H323Input::Accepted { peer, local } => {
                if self.h323.waiting.len() >= MAX_WAITING_SETUPS {
                    tracing::info!(%peer, "H.323 connection closed: too many waiting for a Setup");
                    self.h323.out.push_back(H323Output::Close(conn));
                    return;
                }
                let call = H323Call::incoming(now, CallConfig::default(), SessionConfig::default());
                self.h323.waiting.insert(
                    conn,
                    Waiting {
                        call,
                        peer,
                        local,
                        setup: None,
                    },
                );
                // Entries of connections gone since stay until due; a churn of short
                // connections cannot grow the queue past a bound: then the stale go at once.
                if self.h323.setup_due.len() >= 2 * MAX_WAITING_SETUPS {
                    let waiting = &self.h323.waiting;
                    self.h323.setup_due.retain(|(_, c)| waiting.contains_key(c));
                }
                self.h323.setup_due.push_back((now + SETUP_WAIT, conn));
            }
            H323Input::Payload(bytes) => {
                if let Some(w) = self.h323.waiting.get_mut(&conn) {
                    if w.setup.is_none() {
                        w.call.handle_signalling(now, &bytes);
                        self.waiting_events(layer, now, conn);
                    }
                    return;
                }
                let Some(&id) = self.h323.by_conn.get(&conn) else {
                    return;
                };
                if let Some(up) = self.h323_up_of(id, conn) {
                    let signalling = up.conn == Some(conn);
                    if let Some(leg) = up.leg.as_mut() {
                        if signalling {
                            leg.call().handle_signalling(now, &bytes);
                        } else {
                            leg.call().handle_h245(now, &bytes);
                        }
                    }
                    self.h323_up_events(layer, now, id);
                    return;
                }
                let Some(h) = self.h323_room(id) else { return };
                if conn == h.conn {
                    h.leg.call().handle_signalling(now, &bytes);
                } else {
                    h.leg.call().handle_h245(now, &bytes);
                }
                self.h323_events(layer, now, id);
            }
            H323Input::H245Opened { h245 } => {
                let Some(&id) = self.h323.by_conn.get(&conn) else {
                    self.h323.out.push_back(H323Output::Close(h245));
                    return;
                };
                if let Some(up) = self.h323_up_of(id, conn) {
                    up.h245 = Some(h245);
                    if let Some(leg) = up.leg.as_mut() {
                        leg.call().h245_connected(now);
                    }
                    self.h323.by_conn.insert(h245, id);
                    self.h323_up_events(layer, now, id);
                    return;
                }
                let Some(h) = self.h323_room(id) else { return };
                h.h245 = Some(h245);
                h.leg.call().h245_connected(now);
                self.h323.by_conn.insert(h245, id);
                self.h323_events(layer, now, id);
            }
            H323Input::H245Failed => {
                let Some(&id) = self.h323.by_conn.get(&conn) else {
                    return;
                };
                if let Some(up) = self.h323_up_of(id, conn) {
                    if let Some(leg) = up.leg.as_mut() {
                        leg.call().h245_lost(now);
                    }
                    self.h323_up_events(layer, now, id);
                    return;
                }
                let Some(h) = self.h323_room(id) else { return };
                h.leg.call().h245_lost(now);
                self.h323_events(layer, now, id);
            }
            H323Input::Closed => {
                if self.h323.waiting.remove(&conn).is_some() {
                    self.gk_disengage(now, GkCall::Waiting(conn));
                    return;
                }
                let Some(id) = self.h323.by_conn.remove(&conn) else {
                    return;
                };
                if let Some(up) = self.h323_up_of(id, conn) {
                    let signalling = up.conn == Some(conn);
                    if !signalling {
                        up.h245 = None;
                    }
                    if let Some(leg) = up.leg.as_mut() {
                        if signalling {
                            leg.call().connection_lost(now);
                        } else {
                            leg.call().h245_lost(now);
                        }
                    }
                    self.h323_up_events(layer, now, id);
                    return;
                }
                if self.pending_h323_on(id, conn) {
                    // The room left while the core decides (meeting, admission, its relay
                    // session on the way): refused, so nothing is placed for a room that
                    // is gone and a session that comes later is removed.
                    tracing::info!(call = id, "H.323 room left before its call was made");
                    self.core.end(time(now, self.wall), id, EndCause::Cancelled);
                    return;
                }
                let Some(h) = self.h323_room(id) else { return };
                if conn == h.conn {
                    h.leg.call().connection_lost(now);
                } else if h.h245 == Some(conn) {
                    h.h245 = None;
                    h.leg.call().h245_lost(now);
                }
                self.h323_events(layer, now, id);
            }
        }
    }

    /// The H.245 port the driver opened for call connection `call` (after
    /// [`H323Output::ListenH245`]).
    pub fn on_h245_listening(
        &mut self,
        layer: &mut TransactionLayer,
        now: Instant,
        call: ConnId,
        result: Result<SocketAddr, String>,
    ) {
        match result {
            Ok(addr) => self.h323_incoming(now, call, Some(addr)),
            Err(e) => {
                tracing::warn!(conn = call.0, error = %e, "no H.245 port for an H.323 call");
                self.gk_disengage(now, GkCall::Waiting(call));
                if let Some(mut w) = self.h323.waiting.remove(&call) {
                    w.call.call().release(41);
                    flush(now, &mut w.call, call, None, &mut self.h323.out);
                    self.h323.out.push_back(H323Output::Close(call));
                }
            }
        }
        self.drive(layer, now);
    }

    /// Closes waiting connections whose Setup is overdue (part of the calls' timeout).
    pub(super) fn h323_timeouts(&mut self, now: Instant) {
        while let Some(&(at, conn)) = self.h323.setup_due.front() {
            if at > now {
                break;
            }
            self.h323.setup_due.pop_front();
            if let Some(w) = self.h323.waiting.get(&conn) {
                if w.setup.is_none() {
                    tracing::info!(peer = %w.peer, "H.323 connection sent no Setup: closed");
                    self.h323.waiting.remove(&conn);
                    self.h323.out.push_back(H323Output::Close(conn));
                }
            }
        }
    }

    /// What a waiting connection's call made of its input: a Setup to route, or its end.
    fn waiting_events(&mut self, _layer: &mut TransactionLayer, now: Instant, conn: ConnId) {
        let Some(w) = self.h323.waiting.get_mut(&conn) else {
            return;
        };
        w.call.pump(now);
        let mut setup = None;
        while let Some(e) = w.call.poll_event() {
            if let Event::Call(CallEvent::Setup(s)) = e {
                setup = Some(s);
            }
        }
        flush(now, &mut w.call, conn, None, &mut self.h323.out);
        if w.call.is_released() {
            self.h323.waiting.remove(&conn);
            self.h323.out.push_back(H323Output::Close(conn));
            return;
        }
        let Some(s) = setup else { return };
        let peer = w.peer;
        if !self.h323.setups.admit(peer.ip(), now) {
            tracing::info!(%peer, "H.323 Setup refused: over the per-source rate");
            if let Some(mut w) = self.h323.waiting.remove(&conn) {
                w.call.call().release(41); // temporary failure
                flush(now, &mut w.call, conn, None, &mut self.h323.out);
                self.h323.out.push_back(H323Output::Close(conn));
            }
            return;
        }
        // Registered with a gatekeeper: the Setup waits for its admission.
        let waits = self.gk_admit_room(now, conn, &s, peer);
        w_setup(&mut self.h323.waiting, conn, s);
        if !waits {
            self.h323_admitted(now, conn);
        }
    }

    /// A waiting Setup may go on (admitted, or no admission needed): an H.245 port first
    /// when the room needs ours, then the core.
    pub(super) fn h323_admitted(&mut self, now: Instant, conn: ConnId) {
        let Some(w) = self.h323.waiting.get(&conn) else {
            return;
        };
        let Some(s) = w.setup.as_ref() else {
            return;
        };
        // A room that neither tunnels H.245 nor gave its own address needs ours in Connect.
        let needs_port = !s.tunnelling && s.h245_address.is_none();
        if needs_port {
            self.h323.out.push_back(H323Output::ListenH245 {
                call: conn,
                local_ip: w.local.ip(),
                peer_ip: w.peer.ip(),
            });
        } else {
            self.h323_incoming(now, conn, None);
        }
    }

    /// A Setup becomes an incoming call of the core (Call Proceeding sent while it decides).
    fn h323_incoming(&mut self, now: Instant, conn: ConnId, h245_listener: Option<SocketAddr>) {
        let Some(w) = self.h323.waiting.remove(&conn) else {
            return;
        };
        let Some(setup) = w.setup else {
            self.gk_disengage(now, GkCall::Waiting(conn));
            self.h323.out.push_back(H323Output::Close(conn));
            return;
        };
        let mut leg = H323RoomLeg::new(w.call, &setup);
        if let Err(e) = leg.call().call().proceeding() {
            tracing::debug!(conn = conn.0, error = %e, "no Call Proceeding");
        }
        flush(now, leg.call(), conn, None, &mut self.h323.out);
        let offered = leg.offer().map(offered_relay_codecs).unwrap_or_default();
        let incoming = Incoming {
            key: call_key(&setup),
            source: w.peer.ip(),
            // The gateway's own name as the alias names no meeting: meeting-ID entry.
            dialled: dial_string(&setup).filter(|d| !self.is_own_name(d)),
        };
        tracing::info!(peer = %w.peer, faststart = !setup.fast_start.is_empty(), tunnelling = setup.tunnelling, "H.323 Setup");
        let id = self.core.incoming(time(now, self.wall), incoming);
        self.gk_waiting_became(conn, id);
        self.h323.by_conn.insert(conn, id);
        self.pending.insert(
            id,
            Pending {
                route: None,
                from: PendingFrom::H323(Box::new(H323Pending {
                    leg,
                    conn,
                    peer: w.peer,
                    h245_listener,
                    offered,
                    caller: caller_of(&setup),
                    display: setup.display.clone().filter(|d| d.len() <= MAX_CALLER),
                })),
            },
        );
    }

    /// The core refused a pending H.323 call: Release Complete with the cause.
    pub(super) fn refuse_h323(&mut self, now: Instant, id: u64, mut p: H323Pending, why: EndCause) {
        tracing::info!(peer = %p.peer, cause = why.label(), "H.323 call refused");
        p.leg.end(now, why);
        flush(now, p.leg.call(), p.conn, None, &mut self.h323.out);
        self.h323.by_conn.remove(&p.conn);
        // Admitted before the core refused it (its connection may be gone already).
        self.gk_disengage(now, GkCall::Room(id));
        self.h323.out.push_back(H323Output::Close(p.conn));
    }

    /// The H.323 room's part of admission. Its media is RTP (H.235 is not carried yet), so a
    /// room policy that requires SRTP refuses it: never a clear leg where encryption is
    /// required.
    pub(super) fn admit_h323(
        &mut self,
        now: Instant,
        id: u64,
        meeting: String,
        needs_pin: bool,
    ) -> Result<Admission, EndCause> {
        let Some(Pending {
            from: PendingFrom::H323(p),
            ..
        }) = self.pending.get(&id)
        else {
            return Err(EndCause::Internal);
        };
        let room_policy = self.room_policy_for(p.peer.ip());
        if room_policy.srtp == SrtpPolicy::Mandatory {
            tracing::info!(peer = %p.peer, "H.323 call refused: the room policy requires SRTP");
            self.local_stats.refused_media += 1;
            return Err(EndCause::NotAcceptable);
        }
        // Main video when the room proposed H.264 by fastStart, or made no offer (a slow-start
        // room says what it receives only in its capabilities, after the answer: the cloud is
        // offered video, and the room's channels are opened by H.245 if it can take the
        // format the cloud agreed).
        let video = p.leg.offer().is_none_or(|m| m.has(StreamRole::MainVideo));
        let uri = self.upstream_uri(id, &meeting)?;
        let placing = Placing::H323(H323Admitted {
            meeting,
            needs_pin,
            room_policy,
            video,
            uri,
        });
        self.place(now, id, video, placing)
    }

    /// The H.323 room's call made, once its relay session is there.
    pub(super) fn make_h323_call(
        &mut self,
        now: Instant,
        id: u64,
        admitted: H323Admitted,
        session: SessionId,
    ) -> Result<(), EndCause> {
        let H323Admitted {
            meeting,
            needs_pin,
            room_policy,
            video,
            uri,
        } = admitted;
        let Some(Pending {
            from: PendingFrom::H323(p),
            route,
        }) = self.pending.remove(&id)
        else {
            return Err(EndCause::Internal);
        };
        let p = *p;
        let media = DialogLeg::new(
            Some(Destination {
                addr: p.peer,
                transport: Transport::Tcp,
            }),
            Direction::SendRecv,
            self.ids.fork(),
        );
        let room = RoomLeg::H323(Box::new(H323Room {
            leg: p.leg,
            conn: p.conn,
            h245: None,
            peer: p.peer,
            h245_listener: p.h245_listener,
            offered: p.offered,
            caller: p.caller,
            display: p.display,
            media,
            answered: false,
        }));
        let new = NewCall {
            meeting,
            needs_pin,
            room,
            room_policy,
            room_direction: Direction::SendRecv,
            video,
            room_key: None,
            loop_tokens: Vec::new(),
        };
        self.make_call(now, id, new, session, uri, route);
        Ok(())
    }

    /// Whether call `id` is an H.323 room still pending in the core on connection `conn`.
    fn pending_h323_on(&self, id: u64, conn: ConnId) -> bool {
        matches!(
            self.pending.get(&id),
            Some(Pending { from: PendingFrom::H323(p), .. }) if p.conn == conn
        )
    }

    /// The H.323 room of call `id`.
    fn h323_room(&mut self, id: u64) -> Option<&mut H323Room> {
        self.calls.get_mut(&id)?.room.h323_mut()
    }

    /// Sends what call `id`'s H.323 room queued.
    pub(super) fn h323_flush(&mut self, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if let Some(h) = call.room.h323_mut() {
            let (conn, h245) = (h.conn, h.h245);
            flush(now, h.leg.call(), conn, h245, &mut self.h323.out);
        }
    }

    /// Answers the H.323 room with `codec` at our relay ports (Connect; fastStart answered
    /// or H.245 procedures started). False when it could not be answered.
    fn connect_h323(&mut self, now: Instant, id: u64, codec: Codec) -> bool {
        let media_ip = self.settings.media_ip;
        let random = self.ids.below(1 << 24);
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        let session = call.session;
        let ports = self.media.local_ports(session, Leg::A, StreamKind::Audio);
        let Some(ports) = ports else {
            return false;
        };
        let rtp = SocketAddr::new(media_ip, ports.rtp);
        let rtcp = SocketAddr::new(media_ip, ports.rtcp.unwrap_or(ports.rtp));
        let video = self.h323_our_video(id);
        let Some(h) = self.calls.get_mut(&id).and_then(|c| c.room.h323_mut()) else {
            return false;
        };
        let listener = h.h245_listener.map(TransportAddress::from_socket_addr);
        let ours = OurMedia {
            codec,
            rtp,
            rtcp,
            video,
        };
        match h.leg.answer(now, ours, listener, random) {
            Ok(()) => {
                h.answered = true;
                true
            }
            Err(e) => {
                tracing::warn!(call = id, error = %e, "H.323 room not answered");
                false
            }
        }
    }

    /// PIN entry for an H.323 room: answered by us in its first codec we speak (G.711 µ-law
    /// for a slow-start room), prompts at that codec's rate.
    pub(super) fn start_pin_h323(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let codec = call
            .room
            .offered_audio()
            .into_iter()
            .find_map(h323_codec)
            .unwrap_or_else(|| Codec::new("PCMU", 8000, 1, 0));
        let rate = roomgate_core::codecs::relay_codec(&codec.name, codec.clock_rate)
            .map_or(8000, |c| c.pcm_rate());
        if !self.connect_h323(now, id, codec) {
            self.end(now, id, EndCause::Internal);
            return;
        }
        self.h323_events(layer, now, id);
        self.core.pin_ready(time(now, self.wall), id, rate);
    }

    /// The cloud answered: the H.323 room is answered (or, answered for PIN entry already,
    /// bridged) in the cloud's codec when it offered it, else in its own first (the relay
    /// transcodes).
    pub(super) fn answer_h323_room(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        super::set_phase(&mut self.in_setup, &mut call.phase, Phase::Active);
        if call.room.answered() {
            // Answered for PIN entry, before the cloud existed: its video now, by H.245.
            self.h323_video_after_answer(now, id);
        } else {
            let offered = call.room.offered_audio();
            let cloud = call.cloud.leg.streams.audio_codec();
            let codec = cloud
                .filter(|c| {
                    offered.is_empty()
                        || offered.iter().any(|o| super::negotiate::same_codec(*o, *c))
                })
                .and_then(h323_codec)
                .or_else(|| offered.into_iter().find_map(h323_codec))
                .unwrap_or_else(|| Codec::new("PCMU", 8000, 1, 0));
            if !self.connect_h323(now, id, codec) {
                self.end(now, id, EndCause::Internal);
                return;
            }
        }
        self.connected(now, id);
        self.h323_events(layer, now, id);
        // A room whose media is known already (fastStart, or opened during PIN entry) is
        // bridged now; a slow-start one when its channels are open.
        let unbridged = self
            .calls
            .get(&id)
            .is_some_and(|c| c.audio.is_none() && c.room.leg().streams.has(StreamRole::Audio));
        if unbridged && !self.configure_relay(now, id) {
            self.set_reason(id, "bridge_failed");
            self.end(now, id, EndCause::Normal);
        }
    }

    /// Hangs the H.323 room up with the cause for `why` (Release Complete).
    pub(super) fn h323_release(&mut self, now: Instant, id: u64, why: EndCause) {
        if let Some(h) = self.h323_room(id) {
            h.leg.end(now, why);
        }
        self.h323_flush(now, id);
    }

    /// A removed call's connections: closed once what is queued is written.
    pub(super) fn h323_forget(&mut self, h: &H323Room) {
        self.h323.by_conn.remove(&h.conn);
        self.h323.out.push_back(H323Output::Close(h.conn));
        if let Some(h245) = h.h245 {
            self.h323.by_conn.remove(&h245);
            self.h323.out.push_back(H323Output::Close(h245));
        }
    }

    /// Runs the H.323 room's events into the call: digits to PIN entry or on to the cloud,
    /// its media to the relay, its hang-up to the core; then sends what it queued.
    pub(super) fn h323_events(&mut self, layer: &mut TransactionLayer, now: Instant, id: u64) {
        let mut events = Vec::new();
        if let Some(h) = self.h323_room(id) {
            h.leg.pump(now);
            while let Some(e) = h.leg.poll_event() {
                events.push(e);
            }
        }
        self.h323_flush(now, id);
        for e in events {
            match e {
                RoomEvent::Digit(d) => {
                    // H.245 user input and Q.931 keypad are signalling digits, like INFO.
                    let taken = self
                        .core
                        .digit(time(now, self.wall), id, DigitSource::Info, d);
                    if !taken && self.key_source_is(id, Side::Room, DigitSource::Info) {
                        if let Some(event) = crate::call::ivr::event_code(d) {
                            let duration = Duration::from_millis(100);
                            self.forward_digit(layer, now, id, Side::Cloud, event, duration);
                        }
                    }
                }
                RoomEvent::Media(spec) => self.h323_media(now, id, spec),
                RoomEvent::KeyframeRequested => self.h323_keyframe_requested(id, Side::Room),
                RoomEvent::BitrateLimit(bps) => self.h323_bitrate_limited(now, id, Side::Room, bps),
                RoomEvent::HungUp { cause } => {
                    tracing::info!(call = id, cause, "H.323 room released the call");
                    self.core
                        .leg_ended(time(now, self.wall), id, Side::Room.neutral());
                }
            }
        }
        self.schedule(id);
    }

    /// The room's media is known or changed: the relay follows (prompts during PIN entry,
    /// the bridge once connected).
    fn h323_media(&mut self, now: Instant, id: u64, spec: roomgate_core::media_spec::MediaSpec) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.room.leg_mut().streams = spec;
        let cloud_audio = call.cloud.leg.streams.has(StreamRole::Audio);
        let ok = match call.phase {
            Phase::Pin => self.configure_pin_relay(now, id),
            Phase::Active if cloud_audio => self.configure_relay(now, id),
            _ => true,
        };
        if !ok {
            tracing::info!(call = id, "H.323 room media cannot be relayed");
            self.set_reason(id, "media");
            self.end(now, id, EndCause::NotAcceptable);
        }
    }
}
