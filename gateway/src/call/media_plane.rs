//! The relay as the call layer reaches it: its synchronous core, and a way to send what the
//! core built (prompt frames, generated DTMF).
//!
//! `roomgate serve` runs the core behind sockets ([`NetRelay`]); the call scenarios run the
//! same core with no socket at all ([`LocalRelay`]), on the clock the test sets, so a whole
//! call — SIP legs, PIN entry, media events — runs on a virtual clock.

use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use roomgate_media::relay::net::NetRelay;
use roomgate_media::relay::{Event, Relay, Transmit};

/// Where the relay core lives.
pub enum MediaPlane {
    /// Sockets (tokio tasks) around the core.
    Net(NetRelay),
    /// The core alone: time set by the owner, datagrams and events kept for the owner.
    Local(Box<LocalRelay>),
}

impl MediaPlane {
    /// Runs `f` on the core at the plane's current time (add, update, remove sessions,
    /// stats, play).
    pub fn with_relay<R>(&self, f: impl FnOnce(&mut Relay, Instant) -> R) -> R {
        match self {
            MediaPlane::Net(n) => n.with_relay(f),
            MediaPlane::Local(l) => l.with_relay(f),
        }
    }

    /// Sends a datagram the caller built with the core: the first `t.len` octets of `buf`.
    pub fn send(&self, t: Transmit, buf: &[u8]) {
        match self {
            MediaPlane::Net(n) => n.send(t, buf),
            MediaPlane::Local(l) => l.send(t, buf),
        }
    }
}

impl From<NetRelay> for MediaPlane {
    fn from(n: NetRelay) -> Self {
        MediaPlane::Net(n)
    }
}

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
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LocalInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn with_relay<R>(&self, f: impl FnOnce(&mut Relay, Instant) -> R) -> R {
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

    fn send(&self, t: Transmit, buf: &[u8]) {
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
