//! Call scenarios on a virtual network and a virtual clock: the real transaction user, the
//! real SIP UAS and UAC legs, the call core and the relay core (no socket: [`LocalRelay`])
//! between a scripted room system and a scripted cloud meeting. Each scenario asserts the
//! SIP messages that leave the gateway — status codes, SDP profile and crypto, BYE and
//! CANCEL — and the RTP it sends, and runs in milliseconds: minutes of call time (session
//! timers, PIN entry, setup timeouts) pass on the clock the world moves.
//!
//! The world is deterministic: time moves only when a scenario says so, requests the call
//! layer makes (upstream resolution, PIN attempts) are answered by the world at once from
//! its script, and nothing is sent anywhere but into the world's mailboxes.

mod dialog;
mod gatekeeper;
mod h323;
mod h323_video;
mod h323_video_control;
mod identity;
mod media;
mod meeting_id;
mod negotiation;
mod pin;
mod placement;
mod setup;
mod signalling;
mod sip_text;
mod video;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use roomgate_media::relay::{Relay, RelayConfig};
use roomgate_sip::sdp::offer_answer::SrtpPolicy;
use roomgate_sip::transaction::{Destination, LayerConfig, TransactionLayer, Transport};

use super::media_plane::{LocalRelay, MediaPlane, Sent};
use super::negotiate::{default_suites, room_suites, MediaPolicy};
use super::{Action, BridgeSettings, Calls, MeetingRoute, StaticDirectory, Upstream};
use crate::lockout::{Guard, LocalGuard, LockoutConfig, SecuritySink};
use crate::sip::rate_limit::RateLimiter;
use crate::sip::tu::Tu;
use roomgate_core::call::{Outcome, PinTimeouts};

pub(crate) use sip_text::{Dialog, Sip};

/// The gateway's SIP address and media address.
pub(crate) const GW: &str = "198.51.100.1:5060";
const GW_IP: &str = "198.51.100.1";
/// The room system.
pub(crate) const ROOM: &str = "192.0.2.20:5060";
/// The cloud meeting.
pub(crate) const CLOUD: &str = "203.0.113.5:5060";
/// An address nobody answers on.
pub(crate) const SILENT: &str = "203.0.113.99:5060";

/// A meeting every scenario has: open, plain RTP toward the cloud.
pub(crate) const OPEN: &str = "1001";
/// A meeting with a PIN (see [`PIN`]).
pub(crate) const LOCKED: &str = "2002";
/// The PIN of [`LOCKED`].
pub(crate) const PIN: &str = "4321";
/// A meeting whose cloud never answers.
pub(crate) const QUIET: &str = "3003";
/// A meeting whose cloud wants SRTP (AES-256 first).
pub(crate) const SECURE: &str = "4004";

pub(crate) fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// What a scenario changes before the world starts.
pub(crate) struct Setup {
    pub settings: BridgeSettings,
    pub meetings: HashMap<String, MeetingRoute>,
    pub relay: RelayConfig,
    /// The meeting store answers every lookup with an error.
    pub directory_down: bool,
    /// Seed of the gateway's tags, branches and Call-IDs.
    pub seed: u64,
}

/// A meeting store that cannot be read.
struct DownDirectory;

impl super::Directory for DownDirectory {
    fn meeting(&self, _: &str) -> Result<Option<MeetingRoute>, String> {
        Err("database is locked".into())
    }
}

fn route(uri: &str, srtp: SrtpPolicy, pin: bool) -> MeetingRoute {
    MeetingRoute {
        upstream: Upstream::Uri(uri.to_owned()),
        policy: MediaPolicy {
            srtp,
            suites: default_suites(),
        },
        credentials: None,
        // The world decides PIN attempts itself (argon2 is the driver's work, not the call
        // layer's); any string marks the meeting as protected.
        pin_hash: pin.then(|| "$argon2id$scenario".to_owned()),
    }
}

impl Setup {
    fn new() -> Self {
        let ip: IpAddr = GW_IP.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let settings = BridgeSettings {
            media_ip: ip,
            gateway_domain: "gw.example".into(),
            trusted_upstreams: Vec::new(),
            sip_host: GW.into(),
            room_policy: MediaPolicy {
                srtp: SrtpPolicy::Optional,
                suites: room_suites(),
            },
            trunks: Vec::new(),
            max_calls: 8,
            setup_timeout: Duration::from_secs(30),
            echo: None,
            t1: Duration::from_millis(500),
            pin_timeouts: PinTimeouts {
                inter_digit: Duration::from_secs(5),
                total: Duration::from_secs(60),
            },
        };
        let mut meetings = HashMap::new();
        let cloud = format!("sip:meeting@{CLOUD}");
        meetings.insert(OPEN.into(), route(&cloud, SrtpPolicy::Off, false));
        meetings.insert(LOCKED.into(), route(&cloud, SrtpPolicy::Off, true));
        meetings.insert(
            QUIET.into(),
            route(&format!("sip:meeting@{SILENT}"), SrtpPolicy::Off, false),
        );
        meetings.insert(
            SECURE.into(),
            route(
                &format!("sips:meeting@{CLOUD}"),
                SrtpPolicy::Mandatory,
                false,
            ),
        );
        let relay = RelayConfig {
            port_min: 40000,
            port_max: 40199,
            inactivity_timeout: Duration::from_secs(30),
            ..RelayConfig::default()
        };
        Setup {
            settings,
            meetings,
            relay,
            directory_down: false,
            seed: 1,
        }
    }
}

/// One SIP datagram the gateway sent, in the order sent.
#[derive(Debug, Clone)]
pub(crate) struct Wire {
    pub at: Instant,
    pub to: SocketAddr,
    pub msg: Sip,
}

pub(crate) struct World {
    pub now: Instant,
    start: Instant,
    pub tu: Tu,
    plane: Arc<MediaPlane>,
    /// SIP the gateway sent, per destination, not yet taken by the scenario.
    mail: HashMap<SocketAddr, Vec<Sip>>,
    /// Every SIP datagram the gateway sent.
    pub wire: Vec<Wire>,
    /// RTP and RTCP the relay sent, not yet taken.
    rtp: Vec<Sent>,
    /// Upstream resolution fails (no address for the URI).
    pub resolve_fails: bool,
    /// The lockout store is down: every PIN attempt comes back unavailable.
    pub pin_store_down: bool,
    /// Meetings locked by earlier wrong PINs: every attempt counts as wrong.
    pub locked: HashSet<String>,
    /// PIN attempts the call layer asked for.
    pub pin_attempts: Vec<(String, Option<String>)>,
    /// Addresses whose datagrams are lost (a host that never answers).
    silent: HashSet<SocketAddr>,
    data_dir: std::path::PathBuf,
    /// H.323 rooms and their connections.
    h323: h323::Rooms,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Steps a scenario may take at one instant before the world calls it a livelock.
const MAX_STEPS: usize = 100_000;

impl World {
    pub fn new() -> World {
        World::with(|_| {})
    }

    pub fn with(change: impl FnOnce(&mut Setup)) -> World {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let mut setup = Setup::new();
        change(&mut setup);
        let start = Instant::now();
        let plane = Arc::new(MediaPlane::Local(Box::new(LocalRelay::new(
            Relay::new(start, setup.relay),
            start,
        ))));
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let data_dir =
            std::env::temp_dir().join(format!("roomgate-scenario-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&data_dir).unwrap_or_else(|e| panic!("{e}"));
        let guard = LocalGuard::open(
            LockoutConfig::default(),
            &data_dir,
            1_800_000_000,
            Arc::new(SecuritySink::default()),
        )
        .unwrap_or_else(|e| panic!("guard: {e}"));
        // The scripted peers speak G.711 and G.711 only: the prompts at their recorded 8 kHz
        // (resampling them for G.722 and Opus, unoptimised, would cost each scenario more
        // than the whole call).
        let prompts = crate::prompts::embedded().unwrap_or_else(|e| panic!("prompts: {e}"));
        let rated = vec![(8_000, Arc::new(prompts))];
        let directory: Box<dyn super::Directory> = if setup.directory_down {
            Box::new(DownDirectory)
        } else {
            Box::new(StaticDirectory(setup.meetings))
        };
        // Seeded identifiers and a wall clock that moves with the virtual one: the same
        // scenario sends the same bytes every run.
        let wall = super::calls::WallClock::Anchored {
            since: start,
            at: std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        };
        let calls = Calls::new(setup.settings, directory, plane.clone())
            .with_sources(super::sip_leg::Ids::seeded(setup.seed), wall)
            .with_pin_prompts(Arc::new(Guard::Local(guard)), rated);
        let tu = Tu::new(
            TransactionLayer::new(LayerConfig::default()),
            RateLimiter::new(1000, 1000),
        )
        .with_calls(calls);
        World {
            now: start,
            start,
            tu,
            plane,
            mail: HashMap::new(),
            wire: Vec::new(),
            rtp: Vec::new(),
            resolve_fails: false,
            pin_store_down: false,
            locked: HashSet::new(),
            pin_attempts: Vec::new(),
            silent: [addr(SILENT)].into(),
            data_dir,
            h323: h323::Rooms::default(),
        }
    }

    fn local(&self) -> &LocalRelay {
        match &*self.plane {
            MediaPlane::Local(l) => l,
            MediaPlane::Workers(_) => unreachable!("the world has no sockets"),
        }
    }

    /// The relay's counters.
    pub fn relay_stats(&self) -> roomgate_media::relay::RelayStats {
        self.local().relay_stats()
    }

    pub fn calls(&self) -> &Calls {
        self.tu.calls.as_ref().unwrap_or_else(|| unreachable!())
    }

    /// `from` sends `text` to the gateway's SIP port.
    pub fn send(&mut self, from: &str, text: &str) {
        let source = Destination {
            addr: addr(from),
            transport: Transport::Udp,
        };
        self.tu.handle_received(self.now, text.as_bytes(), source);
        self.settle();
    }

    /// `from` sends an RTP/RTCP datagram to the relay's port `port`.
    pub fn send_rtp(&mut self, from: SocketAddr, port: u16, datagram: &[u8]) {
        self.local().receive(port, from, datagram);
        self.settle();
    }

    /// Runs everything due now until nothing moves.
    pub(super) fn settle(&mut self) {
        for _ in 0..MAX_STEPS {
            if !self.step() {
                return;
            }
        }
        panic!("the gateway kept working at one instant (livelock)");
    }

    fn step(&mut self) -> bool {
        let MediaPlane::Local(relay) = &*self.plane else {
            unreachable!("the world has no sockets")
        };
        let turn = super::sim::turn(&mut self.tu, relay, self.now);
        self.rtp.extend(relay.take_sent());
        for (to, bytes) in turn.sip {
            self.deliver(to, &bytes);
        }
        for a in turn.actions {
            self.act(a);
        }
        turn.moved | self.h323_step()
    }

    fn deliver(&mut self, to: SocketAddr, bytes: &[u8]) {
        let msg = Sip::from_wire(bytes);
        self.wire.push(Wire {
            at: self.now,
            to,
            msg: msg.clone(),
        });
        if !self.silent.contains(&to) {
            self.mail.entry(to).or_default().push(msg);
        }
    }

    /// Carries out what the call layer asked the driver for, at once.
    fn act(&mut self, action: Action) {
        let now = self.now;
        match action {
            Action::TlsName { .. } => {}
            Action::Resolve { call, uri } => {
                let result = if self.resolve_fails {
                    Err(format!("{uri}: no address"))
                } else {
                    uri_host(&uri).map(|(a, host)| {
                        let transport = if uri.starts_with("sips:") {
                            Transport::Tls
                        } else {
                            Transport::Udp
                        };
                        (Destination { addr: a, transport }, host)
                    })
                };
                if let Some(calls) = self.tu.calls.as_mut() {
                    calls.on_resolved(&mut self.tu.layer, now, call, result);
                }
            }
            Action::PinAttempt {
                call, meeting, pin, ..
            } => {
                let entered = pin.as_ref().map(|p| p.expose().to_owned());
                let outcome = if self.pin_store_down {
                    Outcome::Unavailable
                } else if !self.locked.contains(&meeting)
                    && meeting == LOCKED
                    && entered.as_deref() == Some(PIN)
                {
                    Outcome::Correct
                } else {
                    Outcome::Wrong
                };
                self.pin_attempts.push((meeting, entered));
                if let Some(calls) = self.tu.calls.as_mut() {
                    calls.on_pin_outcome(&mut self.tu.layer, now, call, outcome);
                }
            }
        }
    }

    /// Moves the clock by `by`, firing every timer due on the way at its own time.
    pub fn advance(&mut self, by: Duration) {
        let until = self.now + by;
        for _ in 0..MAX_STEPS {
            let next = [self.tu.poll_timeout(), self.local().poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= until => {
                    self.now = self.now.max(t);
                    self.local().advance(self.now);
                    self.tu.handle_timeout(self.now);
                    self.settle();
                }
                _ => {
                    self.now = until;
                    self.local().advance(until);
                    self.tu.handle_timeout(until);
                    self.settle();
                    return;
                }
            }
        }
        panic!("more than {MAX_STEPS} timers before {by:?} passed");
    }

    /// SIP the gateway sent to `to` since the last look.
    pub fn take(&mut self, to: &str) -> Vec<Sip> {
        self.mail.remove(&addr(to)).unwrap_or_default()
    }

    /// The first request `method` among what `to` got, taken out of its mailbox (the rest
    /// stays for later looks); fails the scenario when there is none.
    pub fn request(&mut self, to: &str, method: &str) -> Sip {
        let mailbox = self.mail.entry(addr(to)).or_default();
        if let Some(i) = mailbox.iter().position(|m| m.method() == Some(method)) {
            return mailbox.remove(i);
        }
        panic!(
            "{to} got no {method}; waiting: {:#?}\nwire:\n{}",
            self.mail.get(&addr(to)),
            self.trace()
        )
    }

    /// The statuses `to` received, in order (the responses are taken, requests stay).
    pub fn statuses(&mut self, to: &str) -> Vec<u16> {
        let mailbox = self.mail.entry(addr(to)).or_default();
        let (responses, requests): (Vec<Sip>, Vec<Sip>) = std::mem::take(mailbox)
            .into_iter()
            .partition(|m| m.status().is_some());
        *mailbox = requests;
        responses.iter().filter_map(|m| m.status()).collect()
    }

    /// The last final response `to` got; the responses are taken out of its mailbox, the
    /// requests stay. Fails when there is none.
    pub fn final_response(&mut self, to: &str) -> Sip {
        let mailbox = self.mail.entry(addr(to)).or_default();
        let (responses, requests): (Vec<Sip>, Vec<Sip>) = std::mem::take(mailbox)
            .into_iter()
            .partition(|m| m.status().is_some());
        *mailbox = requests;
        responses
            .iter()
            .rev()
            .find(|m| m.status().is_some_and(|s| s >= 200))
            .cloned()
            .unwrap_or_else(|| panic!("{to} got no final response; got {responses:#?}"))
    }

    /// Whether `to` has a request `method` waiting (nothing is taken).
    pub fn has_request(&self, to: &str, method: &str) -> bool {
        self.mail
            .get(&addr(to))
            .is_some_and(|m| m.iter().any(|m| m.method() == Some(method)))
    }

    /// RTP/RTCP the relay sent to `to` since the last look.
    pub fn take_rtp(&mut self, to: SocketAddr) -> Vec<Sent> {
        let (mine, rest) = std::mem::take(&mut self.rtp)
            .into_iter()
            .partition(|s| s.to == to);
        self.rtp = rest;
        mine
    }

    /// The SIP the gateway sent, a line per message (time, destination, first line), for
    /// failure messages.
    pub fn trace(&self) -> String {
        self.wire
            .iter()
            .map(|m| {
                let first = m.msg.0.lines().next().unwrap_or("");
                format!(
                    "{:>8.3}s → {} {first}\n",
                    (m.at - self.start).as_secs_f64(),
                    m.to
                )
            })
            .collect()
    }

    /// Calls in the gateway's table.
    pub fn live_calls(&self) -> usize {
        self.calls().len()
    }
}

/// host:port of a `sip:`/`sips:` URI (scenario URIs carry literal addresses).
fn uri_host(uri: &str) -> Result<(SocketAddr, String), String> {
    let rest = uri
        .strip_prefix("sips:")
        .or_else(|| uri.strip_prefix("sip:"))
        .ok_or_else(|| format!("{uri}: not a SIP URI"))?;
    let host = rest.rsplit('@').next().unwrap_or(rest);
    let host = host.split([';', '>']).next().unwrap_or(host);
    let a: SocketAddr = host.parse().map_err(|e| format!("{uri}: {e}"))?;
    Ok((a, a.ip().to_string()))
}

/// Ports of the scripted peers' media.
pub(crate) const ROOM_RTP: u16 = 30000;
pub(crate) const CLOUD_RTP: u16 = 32000;

/// A call bridged end to end by [`World::connect`].
pub(crate) struct Bridged {
    pub room: Dialog,
    pub cloud: Dialog,
    /// The gateway's INVITE to the cloud.
    pub cloud_invite: Sip,
    /// The relay ports the gateway gave each side (audio RTP).
    pub room_port: u16,
    pub cloud_port: u16,
}

/// The audio port of the first m-line of an SDP body.
pub(crate) fn audio_port(sdp: &Sip) -> u16 {
    sdp.sdp()
        .media
        .first()
        .map(|m| m.port)
        .unwrap_or_else(|| panic!("no m-line in\n{}", sdp.0))
}

impl World {
    /// The room calls `user` with `room_sdp`; the cloud rings and answers with
    /// `cloud_codec` (e.g. "0 PCMU/8000"); both ACKs are sent. Returns both dialogs.
    pub fn connect_with(
        &mut self,
        call_id: &str,
        user: &str,
        room_sdp: &str,
        cloud_sdp: impl FnOnce(&Sip) -> String,
    ) -> Bridged {
        let invite = sip_text::room_invite(call_id, user, Some(room_sdp), "");
        self.send(ROOM, &invite);
        let cloud_invite = self.request(CLOUD, "INVITE");
        let answer = cloud_sdp(&cloud_invite);
        self.send(
            CLOUD,
            &cloud_invite.reply(180, "Ringing", "c1", CLOUD, None),
        );
        self.send(
            CLOUD,
            &cloud_invite.reply(200, "OK", "c1", CLOUD, Some(&answer)),
        );
        let ok = self.final_response(ROOM);
        assert_eq!(ok.status(), Some(200), "room answered: {ok:?}");
        let mut room = Dialog::room(&invite, &ok);
        let ack = room.ack(1, None);
        self.send(ROOM, &ack);
        let acked = self.request(CLOUD, "ACK");
        assert_eq!(acked.header("Call-ID"), cloud_invite.header("Call-ID"));
        let cloud = Dialog::cloud(&cloud_invite, "c1");
        Bridged {
            room,
            cloud,
            room_port: audio_port(&ok),
            cloud_port: audio_port(&cloud_invite),
            cloud_invite,
        }
    }

    /// [`World::connect_with`] for the open meeting, PCMU on both sides.
    pub fn connect(&mut self, call_id: &str) -> Bridged {
        self.connect_with(call_id, OPEN, &sip_text::pcmu(1, ROOM_RTP), |inv| {
            sip_text::cloud_answer(inv, 1, CLOUD_RTP, "sendrecv")
        })
    }
}
