//! Drives the transaction user and layer with real time and real sockets: received messages
//! in, timers fired when due, outputs sent, until a drain after shutdown completes.

use std::time::{Duration, Instant};

use roomgate_sip::transaction::{Destination, Output, Transport};
use tokio::sync::{mpsc, watch};

use super::tu::Tu;
use crate::transport::{Proto, Received, Sender, Target};

pub fn to_transport(p: Proto) -> Transport {
    match p {
        Proto::Udp => Transport::Udp,
        Proto::Tcp => Transport::Tcp,
        Proto::Tls => Transport::Tls,
    }
}

fn to_proto(t: Transport) -> Option<Proto> {
    match t {
        Transport::Udp => Some(Proto::Udp),
        Transport::Tcp => Some(Proto::Tcp),
        Transport::Tls => Some(Proto::Tls),
        _ => None,
    }
}

/// Longest a drain may take before we exit anyway (a stuck peer must not keep us alive).
pub const MAX_DRAIN: Duration = Duration::from_secs(40);

pub async fn run(
    mut tu: Tu,
    mut inbound: mpsc::Receiver<Received>,
    sender: Sender,
    mut shutdown: watch::Receiver<bool>,
) -> Tu {
    let mut drain_deadline: Option<Instant> = None;
    loop {
        let now = Instant::now();
        while let Some(out) = tu.layer.poll_output() {
            match out {
                Output::Transmit(t) => transmit(&sender, t.destination, t.bytes).await,
                Output::Event(e) => tu.handle_event(now, e),
            }
        }
        if tu.finished() || drain_deadline.is_some_and(|d| now >= d) {
            return tu;
        }
        let wake = tu
            .layer
            .poll_timeout()
            .into_iter()
            .chain(drain_deadline)
            .min()
            .unwrap_or(now + Duration::from_secs(3600));
        tokio::select! {
            received = inbound.recv() => {
                let Some(r) = received else { return tu };
                let source = Destination { addr: r.peer, transport: to_transport(r.proto) };
                tu.handle_received(Instant::now(), &r.bytes, source);
            }
            _ = tokio::time::sleep_until(wake.into()) => tu.layer.handle_timeout(Instant::now()),
            changed = shutdown.changed(), if !tu.is_draining() => {
                if changed.is_ok() {
                    tracing::info!(transactions = tu.layer.len(), "draining: new INVITEs get 503");
                    tu.start_draining();
                    drain_deadline = Some(Instant::now() + MAX_DRAIN);
                }
            }
        }
    }
}

async fn transmit(sender: &Sender, dest: Destination, bytes: Vec<u8>) {
    let Some(proto) = to_proto(dest.transport) else {
        return;
    };
    let target = match proto {
        Proto::Udp => Target::Udp {
            to: dest.addr,
            local: None,
        },
        _ => match sender.connections.find(dest.addr, proto) {
            Some(id) => Target::Conn(id),
            None => {
                // RFC 3261 §18.2.2 would open a new connection to the sent-by; a peer that
                // closed its connection before our answer simply does not get one.
                tracing::debug!(peer = %dest.addr, ?proto, "no connection for response");
                return;
            }
        },
    };
    if let Err(e) = sender.send(&target, bytes).await {
        tracing::debug!(peer = %dest.addr, ?proto, error = %e, "send failed");
    }
}
