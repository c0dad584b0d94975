//! The relay core with no socket at all, on the clock its owner sets: what the call
//! scenarios and the `call_legs` fuzz target run a whole call on. Its answers can be deferred
//! (and held) as the workers' are, so scenarios reach what happens between a request to the
//! relay and its answer.

use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use roomgate_media::relay::{Event, Relay, Transmit};

use super::PlaneResult;

/// A relay core with no sockets: the owner moves its clock, feeds it datagrams and collects
/// what it sends and reports.
pub struct LocalRelay {
    inner: Mutex<LocalInner>,
}

struct LocalInner {
    relay: Relay,
    now: Instant,
    sent: Vec<Sent>,
    events: Vec<Event>,
    /// Answers held back as the workers' would be (see [`LocalRelay::defer_answers`]).
    deferred: Option<Vec<PlaneResult>>,
    /// Deferred answers are not handed out (see [`LocalRelay::hold_answers`]).
    held: bool,
    /// See [`LocalRelay::refuse_reconfigurations`].
    refuse_reconfigurations: bool,
}

/// One datagram the relay (or the call layer through it) sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// When, on the plane's clock.
    pub at: Instant,
    pub from_port: u16,
    pub to: std::net::SocketAddr,
    pub bytes: Vec<u8>,
}

/// Largest datagram the local plane drains from the core at once (the core's own MTU-sized
/// packets fit).
const DATAGRAM: usize = 2048;

impl LocalRelay {
    pub fn new(relay: Relay, now: Instant) -> Self {
        LocalRelay {
            inner: Mutex::new(LocalInner {
                relay,
                now,
                sent: Vec::new(),
                events: Vec::new(),
                deferred: None,
                held: false,
                refuse_reconfigurations: false,
            }),
        }
    }

    /// From now on, sessions asked for and refused reconfigurations are answered later,
    /// through [`take_results`](Self::take_results), as the workers answer them: scenarios
    /// and the `call_legs` fuzz target use it to put a room's hang-up between a request and
    /// its answer.
    pub fn defer_answers(&self) {
        self.lock().deferred.get_or_insert_with(Vec::new);
    }

    /// While `held`, deferred answers stay here: the scenario decides when they come.
    pub fn hold_answers(&self, held: bool) {
        self.lock().held = held;
    }

    /// Every reconfiguration from now on is refused as if the core had run out of ports
    /// (the session unchanged): how a scenario reaches a refusal that comes after the
    /// answer, as the workers' does.
    pub fn refuse_reconfigurations(&self) {
        self.lock().refuse_reconfigurations = true;
    }

    /// See [`refuse_reconfigurations`](Self::refuse_reconfigurations).
    pub(super) fn refuses_reconfigurations(&self) -> bool {
        self.lock().refuse_reconfigurations
    }

    /// Whether answers are deferred (else the caller answers at once).
    pub(super) fn defers(&self) -> bool {
        self.lock().deferred.is_some()
    }

    /// Keeps `r` for [`take_results`](Self::take_results) (answers are deferred).
    pub(super) fn keep(&self, r: PlaneResult) {
        if let Some(kept) = &mut self.lock().deferred {
            kept.push(r);
        }
    }

    /// Deferred answers, oldest first (none while held).
    pub fn take_results(&self) -> Vec<PlaneResult> {
        let mut inner = self.lock();
        if inner.held {
            return Vec::new();
        }
        inner
            .deferred
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LocalInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn with_relay<R>(&self, f: impl FnOnce(&mut Relay, Instant) -> R) -> R {
        let mut inner = self.lock();
        let now = inner.now;
        let r = f(&mut inner.relay, now);
        inner.drain();
        r
    }

    /// The relay's counters.
    #[cfg(test)]
    pub fn relay_stats(&self) -> roomgate_media::relay::RelayStats {
        *self.lock().relay.stats()
    }

    pub(super) fn send(&self, t: Transmit, buf: &[u8]) {
        let bytes = buf.get(..t.len).unwrap_or(buf).to_vec();
        let mut inner = self.lock();
        let at = inner.now;
        inner.sent.push(Sent {
            at,
            from_port: t.from_port,
            to: t.to,
            bytes,
        });
    }

    /// Moves the clock to `now` and fires the core's timers due by then.
    pub fn advance(&self, now: Instant) {
        let mut inner = self.lock();
        if now > inner.now {
            inner.now = now;
        }
        let now = inner.now;
        inner.relay.handle_timeout(now);
        inner.drain();
    }

    /// A datagram from `source` arriving on our port `port`; what the core forwards is
    /// kept with the rest of what was sent.
    pub fn receive(&self, port: u16, source: std::net::SocketAddr, datagram: &[u8]) {
        let mut inner = self.lock();
        let now = inner.now;
        let mut buf = [0u8; DATAGRAM];
        let Some(room) = buf.get_mut(..datagram.len()) else {
            return;
        };
        room.copy_from_slice(datagram);
        if let Some(t) = inner
            .relay
            .handle_datagram(now, port, source, &mut buf, datagram.len())
        {
            let bytes = buf.get(..t.len).unwrap_or(&buf).to_vec();
            inner.sent.push(Sent {
                at: now,
                from_port: t.from_port,
                to: t.to,
                bytes,
            });
        }
        inner.drain();
    }

    /// The earliest timer of the core.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.lock().relay.poll_timeout()
    }

    /// What was sent since the last call.
    pub fn take_sent(&self) -> Vec<Sent> {
        std::mem::take(&mut self.lock().sent)
    }

    /// What the core reported since the last call.
    pub fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut self.lock().events)
    }
}

impl LocalInner {
    fn drain(&mut self) {
        let mut buf = [0u8; DATAGRAM];
        while let Some(t) = self.relay.poll_transmit(self.now, &mut buf) {
            let bytes = buf.get(..t.len).unwrap_or(&buf).to_vec();
            self.sent.push(Sent {
                at: self.now,
                from_port: t.from_port,
                to: t.to,
                bytes,
            });
        }
        while let Some(e) = self.relay.poll_event() {
            self.events.push(e);
        }
    }
}
