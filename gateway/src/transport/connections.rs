//! The table of live stream connections: who is connected, how many per source, and the
//! per-connection send queues. Limits are enforced at accept, before any byte is read.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::{Proto, SendError};

/// Identifies one stream connection for its whole life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ConnId(pub u64);

/// Bytes queued to one connection's writer; bounded so a peer that stops reading cannot make
/// us buffer without limit (the send fails and the core treats it as a transport error).
pub const CONNECTION_SEND_QUEUE: usize = 256;

#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub per_source: usize,
    pub total: usize,
}

struct Entry {
    peer: SocketAddr,
    proto: Proto,
    tx: mpsc::Sender<Vec<u8>>,
}

#[derive(Default)]
struct Table {
    by_id: HashMap<ConnId, Entry>,
    per_ip: HashMap<IpAddr, usize>,
}

/// Shared connection table.
#[derive(Clone)]
pub struct Connections {
    table: Arc<Mutex<Table>>,
    next: Arc<AtomicU64>,
    limits: ConnectionLimits,
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    TooManyFromSource,
    TooManyTotal,
}

/// Removes the connection from the table when its task ends, however it ends.
pub struct Registration {
    pub id: ConnId,
    connections: Connections,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.connections.remove(self.id);
    }
}

impl Connections {
    pub fn new(limits: ConnectionLimits) -> Self {
        Connections {
            table: Arc::new(Mutex::new(Table::default())),
            next: Arc::new(AtomicU64::new(1)),
            limits,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        // A poisoned lock only means another task panicked mid-update of plain counters; the
        // table is still usable.
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Admits a new connection, or says why not.
    pub fn admit(
        &self,
        peer: SocketAddr,
        proto: Proto,
    ) -> Result<(Registration, mpsc::Receiver<Vec<u8>>), Refused> {
        let mut t = self.lock();
        if t.by_id.len() >= self.limits.total {
            return Err(Refused::TooManyTotal);
        }
        let count = t.per_ip.entry(peer.ip()).or_insert(0);
        if *count >= self.limits.per_source {
            return Err(Refused::TooManyFromSource);
        }
        *count += 1;
        let id = ConnId(self.next.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = mpsc::channel(CONNECTION_SEND_QUEUE);
        t.by_id.insert(id, Entry { peer, proto, tx });
        Ok((
            Registration {
                id,
                connections: self.clone(),
            },
            rx,
        ))
    }

    fn remove(&self, id: ConnId) {
        let mut t = self.lock();
        if let Some(e) = t.by_id.remove(&id) {
            if let Some(c) = t.per_ip.get_mut(&e.peer.ip()) {
                *c = c.saturating_sub(1);
                if *c == 0 {
                    t.per_ip.remove(&e.peer.ip());
                }
            }
        }
    }

    /// Closes `id` from the core's side: its entry goes (so its writer ends once what is
    /// queued is written) and it stops counting against the limits.
    pub fn close(&self, id: ConnId) {
        self.remove(id);
    }

    pub fn send(&self, id: ConnId, bytes: Vec<u8>) -> Result<(), SendError> {
        let tx = self
            .lock()
            .by_id
            .get(&id)
            .map(|e| e.tx.clone())
            .ok_or(SendError::ConnectionGone)?;
        tx.try_send(bytes).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => SendError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => SendError::ConnectionGone,
        })
    }

    /// A live connection to `peer` over `proto`, for reuse (RFC 3261 §18.1.1).
    pub fn find(&self, peer: SocketAddr, proto: Proto) -> Option<ConnId> {
        self.lock()
            .by_id
            .iter()
            .find(|(_, e)| e.peer == peer && e.proto == proto)
            .map(|(id, _)| *id)
    }

    pub fn count(&self) -> usize {
        self.lock().by_id.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_source_and_total_and_release_on_drop() {
        let c = Connections::new(ConnectionLimits {
            per_source: 2,
            total: 3,
        });
        let a: SocketAddr = "127.0.0.1:1000".parse().unwrap();
        let b: SocketAddr = "127.0.0.2:1000".parse().unwrap();
        let r1 = c.admit(a, Proto::Tcp).unwrap();
        let _r2 = c.admit(a, Proto::Tcp).unwrap();
        assert_eq!(
            c.admit(a, Proto::Tcp).err(),
            Some(Refused::TooManyFromSource)
        );
        let _r3 = c.admit(b, Proto::Tcp).unwrap();
        assert_eq!(c.admit(b, Proto::Tcp).err(), Some(Refused::TooManyTotal));
        assert!(c.find(a, Proto::Tcp).is_some());
        drop(r1);
        assert_eq!(c.count(), 2);
        assert!(c.admit(a, Proto::Tcp).is_ok());
    }
}
