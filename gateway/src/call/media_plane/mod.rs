//! The relay as the call layer reaches it: jobs on the core that owns a session, and frames
//! built and sent where that core runs (prompt frames, keyframe requests).
//!
//! `roomgate serve` runs the relay on worker threads ([`RelayWorkers`]: one core per worker,
//! reached through bounded job queues, never a lock shared with the packet path); the call
//! scenarios run one core with no socket at all ([`LocalRelay`]), on the clock the test sets,
//! so a whole call — SIP legs, PIN entry, media events — runs on a virtual clock. Jobs are
//! `'static` because they run on another thread.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tokio::sync::mpsc;

use roomgate_media::relay::workers::RelayWorkers;
use roomgate_media::relay::{
    Leg, LegStreamStats, LocalPorts, Relay, RelayError, RelayStats, SessionId, StreamConfig,
    StreamKind, Transmit,
};

mod local;

pub use local::{LocalRelay, Sent};

/// Where the relay cores live.
pub enum MediaPlane {
    /// Worker threads, each a core with its sockets.
    Workers(Box<WorkerPlane>),
    /// The core alone: time set by the owner, datagrams and events kept for the owner.
    Local(Box<LocalRelay>),
}

/// Largest datagram a job builds for sending (prompt frames, RTCP feedback).
const BUILT: usize = 1500;

/// A session's audio counters by leg (A, B).
pub type AudioStats = [Option<LegStreamStats>; 2];

/// A session's local ports: by leg (A, B), then stream (audio, main video).
type SessionPorts = [[Option<LocalPorts>; 2]; 2];

/// What a worker reports about work the calls did not wait for. The channel it comes on
/// is unbounded, but each result answers one job of one call in admission or set-up, so
/// there are never more than calls being set up (bounded by `gateway.max_calls` and the
/// overload control).
#[derive(Debug)]
pub enum PlaneResult {
    /// The session [`MediaPlane::add_session_for`] asked for, for call `call`.
    Placed {
        call: u64,
        result: Result<SessionId, RelayError>,
    },
    /// A reconfiguration [`MediaPlane::reconfigure`] posted for call `call` was refused;
    /// the session is as it was.
    Refused {
        call: u64,
        session: SessionId,
        error: RelayError,
    },
}

/// Whether a session asked for is there yet.
#[derive(Debug)]
pub enum Placed {
    /// Made (or refused) at once.
    Now(Result<SessionId, RelayError>),
    /// The answer comes as a [`PlaneResult::Placed`].
    Later,
}

/// The workers, and the local ports of their sessions as last read.
///
/// Our SDP toward each leg needs the session's ports, and building it is on every call's
/// path; a round trip to the worker each time costs the SIP core a wait. Ports change only
/// when a session is created or reconfigured, so they are read with the creation and
/// forgotten whenever a job may have changed the session ([`MediaPlane::on_session`],
/// [`MediaPlane::post`]); the next read fetches them again.
pub struct WorkerPlane {
    workers: RelayWorkers,
    /// Shared with the workers: a session placed without waiting has its ports written
    /// here before its result is sent.
    ports: Arc<Mutex<HashMap<SessionId, SessionPorts>>>,
    results: mpsc::UnboundedSender<PlaneResult>,
    results_rx: Mutex<Option<mpsc::UnboundedReceiver<PlaneResult>>>,
}

impl WorkerPlane {
    fn ports(&self) -> std::sync::MutexGuard<'_, HashMap<SessionId, SessionPorts>> {
        self.ports.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn forget(&self, session: SessionId) {
        self.ports().remove(&session);
    }

    /// Keeps the cached ports of `session` true across a reconfiguration to `streams` that
    /// is queued, not yet run: a kind the session has keeps its RTP ports (and its RTCP
    /// port follows the leg's mux), a kind dropped loses them; a kind new to the session
    /// gets ports only the core can name, so then the entry is forgotten and the next read
    /// asks the core (after the job, which is ahead of it in the queue).
    fn expect_ports(&self, session: SessionId, streams: &[StreamConfig]) {
        let mut cache = self.ports();
        let Some(old) = cache.get(&session).copied() else {
            return;
        };
        let mut new: SessionPorts = [[None; 2]; 2];
        for s in streams {
            let Some(i) = stream_index(s.kind) else {
                cache.remove(&session);
                return;
            };
            for (leg, cfg) in [(0, &s.a), (1, &s.b)] {
                let rtp = old.get(leg).and_then(|l| l.get(i)).copied().flatten();
                let slot = new.get_mut(leg).and_then(|l| l.get_mut(i));
                match (rtp, slot) {
                    (Some(p), Some(slot)) => {
                        *slot = Some(LocalPorts {
                            rtp: p.rtp,
                            rtcp: (!cfg.rtcp_mux).then(|| p.rtp.wrapping_add(1)),
                        })
                    }
                    _ => {
                        cache.remove(&session);
                        return;
                    }
                }
            }
        }
        cache.insert(session, new);
    }
}

/// The answer of a held reconfiguration ([`MediaPlane::reconfigure`]): dropped with an error
/// — the core refused the change, or the job never ran (its worker's queue stayed full) — it
/// sends [`PlaneResult::Refused`], and the call ends as for any refusal. Either way the
/// session's cached ports, predicted for the change, are forgotten.
struct RefusalOnDrop {
    results: mpsc::UnboundedSender<PlaneResult>,
    ports: Arc<Mutex<HashMap<SessionId, SessionPorts>>>,
    call: u64,
    session: SessionId,
    error: Option<RelayError>,
}

impl Drop for RefusalOnDrop {
    fn drop(&mut self) {
        if let Some(error) = self.error.take() {
            self.ports
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&self.session);
            let _ = self.results.send(PlaneResult::Refused {
                call: self.call,
                session: self.session,
                error,
            });
        }
    }
}

/// A held job of [`MediaPlane::post`] that says so when it is dropped without running.
struct LostOnDrop {
    session: SessionId,
    what: &'static str,
    ran: bool,
}

impl Drop for LostOnDrop {
    fn drop(&mut self) {
        if !self.ran {
            tracing::warn!(
                session = self.session.0,
                "relay worker overloaded: {} lost",
                self.what
            );
        }
    }
}

/// The ports of `session` as the core has them.
fn read_ports(r: &Relay, session: SessionId) -> SessionPorts {
    [Leg::A, Leg::B]
        .map(|leg| [StreamKind::Audio, StreamKind::Video].map(|k| r.local_ports(session, leg, k)))
}

fn stream_index(kind: StreamKind) -> Option<usize> {
    match kind {
        StreamKind::Audio => Some(0),
        StreamKind::Video => Some(1),
        _ => None,
    }
}

/// Where leg `leg` is in the per-leg arrays ([`AudioStats`], the cached ports).
pub(crate) fn leg_index(leg: Leg) -> usize {
    match leg {
        Leg::A => 0,
        Leg::B => 1,
    }
}

impl MediaPlane {
    /// Creates a session on the core with the most room.
    pub fn add_session(&self, streams: Vec<StreamConfig>) -> Result<SessionId, RelayError> {
        match self {
            MediaPlane::Workers(w) => {
                let (id, ports) = w
                    .workers
                    .add_session_with(streams, |r: &mut Relay, id| read_ports(r, id))?;
                w.ports().insert(id, ports);
                Ok(id)
            }
            MediaPlane::Local(l) => l.with_relay(|r, now| r.add_session(now, &streams)),
        }
    }

    /// Creates a session for call `call` on the core with the most room without waiting for
    /// a worker: [`Placed::Later`] means the answer comes as a [`PlaneResult::Placed`] (its
    /// ports already cached by then). The placement is held like [`post`](Self::post)'s
    /// jobs, until [`release`](Self::release).
    pub fn add_session_for(&self, call: u64, streams: Vec<StreamConfig>) -> Placed {
        match self {
            MediaPlane::Workers(w) => {
                let (ports, results) = (w.ports.clone(), w.results.clone());
                w.workers.add_session_held(
                    streams,
                    |r: &mut Relay, id| read_ports(r, id),
                    move |r| {
                        let result = r.map(|(id, p)| {
                            ports
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .insert(id, p);
                            id
                        });
                        let _ = results.send(PlaneResult::Placed { call, result });
                    },
                );
                Placed::Later
            }
            MediaPlane::Local(l) => {
                let result = l.with_relay(|r, now| r.add_session(now, &streams));
                if l.defers() {
                    l.keep(PlaneResult::Placed { call, result });
                    Placed::Later
                } else {
                    Placed::Now(result)
                }
            }
        }
    }

    /// Points `session` at `streams` (call `call`'s legs as negotiated), at `now`. The
    /// workers are not waited for: the job is held like [`post`](Self::post)'s, and a
    /// refusal — or the job lost to a full queue — comes back as a [`PlaneResult::Refused`]
    /// (the session unchanged). The local plane answers at once (`Err` here) unless it
    /// defers its answers.
    pub fn reconfigure(
        &self,
        call: u64,
        session: SessionId,
        now: Instant,
        streams: Vec<StreamConfig>,
    ) -> Result<(), RelayError> {
        match self {
            MediaPlane::Workers(w) => {
                w.expect_ports(session, &streams);
                let k = session.shard(u32::try_from(w.workers.workers()).unwrap_or(1));
                // Held with the loop's other jobs; a job that never runs (its worker's queue
                // stayed full) answers Refused all the same, when it is dropped.
                let refusal = RefusalOnDrop {
                    results: w.results.clone(),
                    ports: w.ports.clone(),
                    call,
                    session,
                    error: Some(RelayError::Overloaded),
                };
                w.workers.post_held(k, move |net| {
                    let mut refusal = refusal;
                    net.with_relay(|r, _| {
                        refusal.error = r.reconfigure_session(now, session, &streams).err();
                    });
                });
                Ok(())
            }
            MediaPlane::Local(l) => {
                let refused = l.refuses_reconfigurations();
                let done = if refused {
                    Err(RelayError::PortsExhausted)
                } else {
                    l.with_relay(|r, _| r.reconfigure_session(now, session, &streams))
                };
                match done {
                    Err(error) if l.defers() => {
                        l.keep(PlaneResult::Refused {
                            call,
                            session,
                            error,
                        });
                        Ok(())
                    }
                    done => done,
                }
            }
        }
    }

    /// The workers' answers to what was not waited for, for one consumer (the SIP core's
    /// loop); `None` on the local plane and on later calls.
    pub fn take_results(&self) -> Option<mpsc::UnboundedReceiver<PlaneResult>> {
        match self {
            MediaPlane::Workers(w) => w
                .results_rx
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
            MediaPlane::Local(_) => None,
        }
    }

    /// Runs `f` on the core that owns `session` (at that core's time) and returns what it
    /// returns; [`RelayError::Overloaded`] when the worker could not take the job.
    pub fn on_session<T: Send + 'static>(
        &self,
        session: SessionId,
        f: impl FnOnce(&mut Relay, Instant) -> Result<T, RelayError> + Send + 'static,
    ) -> Result<T, RelayError> {
        match self {
            MediaPlane::Workers(w) => {
                w.forget(session);
                w.workers
                    .run(session, f)
                    .unwrap_or(Err(RelayError::Overloaded))
            }
            MediaPlane::Local(l) => l.with_relay(f),
        }
    }

    /// Queues `f` for the core that owns `session` without waiting for it (jobs of one
    /// session run in the order given); an error it returns is logged there as `what`. The
    /// job is held until [`release`](Self::release) (see [`RelayWorkers::post_held`]); when
    /// its worker's queue stays full then, it is dropped unrun and a warning says so (what
    /// `f` owns is dropped with it: a job that must not be lost acts in its own `Drop`).
    pub fn post(
        &self,
        session: SessionId,
        what: &'static str,
        f: impl FnOnce(&mut Relay, Instant) -> Result<(), RelayError> + Send + 'static,
    ) {
        let logged = move |r: &mut Relay, now: Instant| {
            if let Err(e) = f(r, now) {
                tracing::debug!(session = session.0, error = %e, "relay: {what}");
            }
        };
        match self {
            MediaPlane::Workers(w) => {
                w.forget(session);
                let k = session.shard(u32::try_from(w.workers.workers()).unwrap_or(1));
                // A job that never runs (its worker's queue stayed full) says so when dropped.
                let lost = LostOnDrop {
                    session,
                    what,
                    ran: false,
                };
                w.workers.post_held(k, move |net| {
                    let mut lost = lost;
                    net.with_relay(logged);
                    lost.ran = true;
                });
            }
            MediaPlane::Local(l) => l.with_relay(logged),
        }
    }

    /// Sends the jobs [`post`](Self::post) and [`reconfigure`](Self::reconfigure) held: the
    /// SIP core's loop calls this before it waits, so what one pass of the loop posted to a
    /// worker wakes it once.
    pub fn release(&self) {
        if let MediaPlane::Workers(w) = self {
            w.workers.release();
        }
    }

    /// Our ports of one stream of one leg of `session` (from the cache when the workers
    /// run it; see [`WorkerPlane`]).
    pub fn local_ports(
        &self,
        session: SessionId,
        leg: Leg,
        kind: StreamKind,
    ) -> Option<LocalPorts> {
        let MediaPlane::Workers(w) = self else {
            return self.query(session, move |r, _| r.local_ports(session, leg, kind));
        };
        let Some(k) = stream_index(kind) else {
            return self.query(session, move |r, _| r.local_ports(session, leg, kind));
        };
        let cached = w.ports().get(&session).copied();
        let ports = match cached {
            Some(p) => p,
            None => {
                let p = w.workers.run(session, move |r, _| read_ports(r, session))?;
                w.ports().insert(session, p);
                p
            }
        };
        ports
            .get(leg_index(leg))
            .and_then(|l| l.get(k))
            .copied()
            .flatten()
    }

    /// Reads something of `session` from its core (`f` must not change the session: see
    /// [`WorkerPlane`]); `None` also when the worker could not take the job.
    pub fn query<T: Send + 'static>(
        &self,
        session: SessionId,
        f: impl FnOnce(&mut Relay, Instant) -> Option<T> + Send + 'static,
    ) -> Option<T> {
        match self {
            MediaPlane::Workers(w) => w.workers.run(session, f).flatten(),
            MediaPlane::Local(l) => l.with_relay(f),
        }
    }

    /// Has the core that owns `session` build a datagram (a prompt frame, a keyframe
    /// request) and sends it from there, without waiting; a refusal is traced as `what`
    /// (a prompt before the room's address is known has nobody to go to, every 20 ms).
    /// Dropped, and counted, when the worker's queue is full: a frame is not worth a wait.
    pub fn send_built(
        &self,
        session: SessionId,
        what: &'static str,
        f: impl FnOnce(&mut Relay, Instant, &mut [u8]) -> Result<Transmit, RelayError> + Send + 'static,
    ) {
        let traced = move |e: RelayError| {
            tracing::trace!(session = session.0, error = %e, "relay: {what}");
        };
        match self {
            MediaPlane::Workers(w) => {
                let k = session.shard(u32::try_from(w.workers.workers()).unwrap_or(1));
                w.workers.post_on(k, move |net| {
                    let mut buf = [0u8; BUILT];
                    match net.with_relay(|r, now| f(r, now, &mut buf)) {
                        Ok(t) => net.send(t, &buf),
                        Err(e) => traced(e),
                    }
                });
            }
            MediaPlane::Local(l) => {
                let mut buf = [0u8; BUILT];
                match l.with_relay(|r, now| f(r, now, &mut buf)) {
                    Ok(t) => l.send(t, &buf),
                    Err(e) => traced(e),
                }
            }
        }
    }

    /// The audio counters of both legs of each of `sessions`, one job per worker that owns
    /// any of them (the admin API's call list would otherwise cost two round trips a call).
    pub fn audio_stats(&self, sessions: &[SessionId]) -> HashMap<SessionId, AudioStats> {
        fn read(r: &Relay, ids: &[SessionId]) -> Vec<(SessionId, AudioStats)> {
            ids.iter()
                .map(|&id| {
                    let legs = [Leg::A, Leg::B].map(|l| r.leg_stats(id, l, StreamKind::Audio));
                    (id, legs)
                })
                .collect()
        }
        match self {
            MediaPlane::Workers(w) => {
                let n = w.workers.workers();
                let shards = u32::try_from(n).unwrap_or(1);
                let mut by_worker: Vec<Vec<SessionId>> = vec![Vec::new(); n];
                for &id in sessions {
                    if let Some(v) = by_worker.get_mut(id.shard(shards)) {
                        v.push(id);
                    }
                }
                let mut out = HashMap::with_capacity(sessions.len());
                for (k, ids) in by_worker.into_iter().enumerate() {
                    if ids.is_empty() {
                        continue;
                    }
                    let got = w
                        .workers
                        .run_on(k, move |net| net.with_relay(|r, _| read(r, &ids)));
                    out.extend(got.into_iter().flatten());
                }
                out
            }
            MediaPlane::Local(l) => l.with_relay(|r, _| read(r, sessions).into_iter().collect()),
        }
    }

    /// Live sessions and free port pairs over all cores.
    pub fn gauges(&self) -> (usize, usize) {
        match self {
            MediaPlane::Workers(w) => {
                let t = w.workers.totals();
                (t.sessions, t.free_pairs)
            }
            MediaPlane::Local(l) => l.with_relay(|r, _| (r.session_count(), r.pool().available())),
        }
    }

    /// Live sessions over all cores.
    pub fn session_count(&self) -> usize {
        self.gauges().0
    }

    /// The workers' gauges and queue counters (`None` on the local plane).
    pub fn totals(&self) -> Option<roomgate_media::relay::workers::WorkerTotals> {
        match self {
            MediaPlane::Workers(w) => Some(w.workers.totals()),
            MediaPlane::Local(_) => None,
        }
    }

    /// Relay counters summed over all cores.
    pub fn stats(&self) -> RelayStats {
        match self {
            MediaPlane::Workers(w) => w.workers.stats(),
            MediaPlane::Local(l) => l.with_relay(|r, _| *r.stats()),
        }
    }
}

impl From<RelayWorkers> for MediaPlane {
    fn from(workers: RelayWorkers) -> Self {
        let (results, rx) = mpsc::unbounded_channel();
        MediaPlane::Workers(Box::new(WorkerPlane {
            workers,
            ports: Arc::new(Mutex::new(HashMap::new())),
            results,
            results_rx: Mutex::new(Some(rx)),
        }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use roomgate_media::relay::workers::RelayWorkers;
    use roomgate_media::relay::RelayConfig;

    /// Two workers on a free-looking range of loopback ports.
    async fn plane() -> MediaPlane {
        for attempt in 0..40u16 {
            let first = 33000 + (std::process::id() as u16 % 100 + attempt * 7) % 400 * 32;
            let cfg = RelayConfig {
                port_min: first,
                port_max: first + 31,
                max_sessions: 8,
                ..RelayConfig::default()
            };
            let ip = std::net::IpAddr::from([127, 0, 0, 1]);
            if let Ok(w) = RelayWorkers::start(ip, Instant::now(), cfg, 2).await {
                return w.into();
            }
        }
        panic!("no free port range");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cached_ports_follow_a_reconfiguration_and_go_with_the_session() {
        let plane = plane().await;
        let id = plane
            .add_session(crate::call::negotiate::reserve_streams(false))
            .unwrap();
        let audio = plane.local_ports(id, Leg::A, StreamKind::Audio).unwrap();
        assert_eq!(plane.local_ports(id, Leg::A, StreamKind::Video), None);
        // The cache says what the core says.
        let core = plane.query(id, move |r, _| r.local_ports(id, Leg::A, StreamKind::Audio));
        assert_eq!(core, Some(audio));

        // Video added by a reconfiguration: its ports appear, audio keeps its own.
        plane
            .on_session(id, move |r, now| {
                r.reconfigure_session(now, id, &crate::call::negotiate::reserve_streams(true))
            })
            .unwrap();
        assert_eq!(
            plane.local_ports(id, Leg::A, StreamKind::Audio),
            Some(audio)
        );
        let video = plane.local_ports(id, Leg::B, StreamKind::Video).unwrap();
        assert_eq!(
            plane.query(id, move |r, _| r.local_ports(id, Leg::B, StreamKind::Video)),
            Some(video)
        );

        // Removed: no ports, in the cache or the core.
        plane.post(id, "remove", move |r, _| r.remove_session(id));
        assert_eq!(plane.local_ports(id, Leg::A, StreamKind::Audio), None);
        assert_eq!(plane.session_count(), 0);
    }

    /// A held reconfiguration the core refuses (its session removed by a job held before
    /// it) comes back as Refused once released; so does one that is dropped unrun.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_held_reconfiguration_refused_or_lost_comes_back_as_refused() {
        let plane = plane().await;
        let mut results = plane.take_results().unwrap();
        let streams = crate::call::negotiate::reserve_streams(false);
        let id = plane.add_session(streams.clone()).unwrap();
        plane.post(id, "remove", move |r, _| r.remove_session(id));
        plane.reconfigure(7, id, Instant::now(), streams).unwrap();
        let wait = std::time::Duration::from_secs(10);
        let held = tokio::time::timeout(std::time::Duration::from_millis(100), results.recv());
        assert!(held.await.is_err(), "nothing runs before the release");
        plane.release();
        let r = tokio::time::timeout(wait, results.recv()).await.unwrap();
        assert!(
            matches!(r, Some(PlaneResult::Refused { call: 7, session, .. }) if session == id),
            "{r:?}"
        );
        assert_eq!(plane.session_count(), 0);

        let MediaPlane::Workers(w) = &plane else {
            panic!("a worker plane")
        };
        drop(RefusalOnDrop {
            results: w.results.clone(),
            ports: w.ports.clone(),
            call: 8,
            session: id,
            error: Some(RelayError::Overloaded),
        });
        let r = tokio::time::timeout(wait, results.recv()).await.unwrap();
        assert!(
            matches!(
                r,
                Some(PlaneResult::Refused {
                    call: 8,
                    error: RelayError::Overloaded,
                    ..
                })
            ),
            "{r:?}"
        );
    }
}
