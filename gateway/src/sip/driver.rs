//! Drives the transaction user and layer with real time and real sockets: received messages
//! in, timers fired when due, outputs sent, until a drain after shutdown completes.
//!
//! What the B2BUA needs from the network beyond sending also happens here, off the core's
//! loop: resolving a cloud URI and opening a TCP/TLS connection run as tasks and report back
//! through a queue, so one slow or silent upstream never stalls other calls. Requests for a
//! connection still being opened wait in a bounded per-destination queue.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use roomgate_media::relay::Event as MediaEvent;
use roomgate_sip::transaction::{Destination, Output, TransactionId, Transport};
use tokio::sync::{mpsc, watch};

use super::overload::{classify, Inbox};
use super::tu::Tu;
use crate::call::{Action, H323Input, H323Output};
use crate::resolve::Resolver;
use crate::transport::outbound::Outbound;
use crate::transport::{ConnId, Proto, Received, Sender, Target};

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

/// Longest the relay jobs of a busy loop are held (see `Calls::release_media`).
const MEDIA_HOLD: Duration = Duration::from_millis(5);

/// Received messages handled per pass of the loop at most. A pass polls every source of the
/// loop (a dozen queues and timers); under load, one message per pass spent a good part of
/// the SIP core's time on that. Their outputs are sent together after them. An INVITE ends
/// a batch (see the loop).
const INBOX_BATCH: usize = 16;

/// Longest a drain may take before we exit anyway (a stuck peer must not keep us alive).
pub const MAX_DRAIN: Duration = Duration::from_secs(40);
/// Messages held for one destination while its connection is being opened.
pub const MAX_QUEUED_PER_CONNECT: usize = 32;

/// How often resource gauges are logged (when they changed).
pub const GAUGE_INTERVAL: Duration = Duration::from_secs(2);

/// What the B2BUA side of the driver needs (absent in a plain SIP element).
pub struct Network {
    pub outbound: Outbound,
    pub resolver: Option<Arc<Resolver>>,
    pub media_events: Option<mpsc::Receiver<MediaEvent>>,
    /// The relay workers' answers to jobs the calls did not wait for.
    pub media_results: Option<mpsc::UnboundedReceiver<crate::call::media_plane::PlaneResult>>,
    /// Wrong-PIN budgets, for the PIN attempts the B2BUA hands out.
    pub guard: Option<Arc<crate::lockout::Guard>>,
    /// Questions from the admin API, answered between events.
    pub admin: Option<mpsc::Receiver<crate::observe::AdminQuery>>,
    /// Where ended calls' CDRs go (a writer task stores them); full: the CDR is dropped and
    /// counted rather than stalling calls.
    pub cdrs: Option<mpsc::Sender<crate::observe::Cdr>>,
    /// H.323 rooms' connections, when H.323 is enabled.
    pub h323: Option<H323Net>,
}

/// The H.323 transport and what its connections report.
pub struct H323Net {
    pub transport: crate::h323::H323Transport,
    pub inbound: mpsc::Receiver<crate::h323::H323Received>,
    /// The RAS socket and its datagrams, when registered with a gatekeeper.
    pub ras: Option<RasNet>,
}

/// Our RAS socket: datagrams to the gatekeeper go out on it, its datagrams come in through
/// `inbound` (a reader task fills it; full, the datagram is dropped like a lost one).
pub struct RasNet {
    pub socket: Arc<tokio::net::UdpSocket>,
    pub inbound: mpsc::Receiver<(SocketAddr, Vec<u8>)>,
}

/// A connection event of the H.323 transport as the calls take it.
fn h323_input(event: crate::h323::ConnEvent) -> H323Input {
    use crate::h323::ConnEvent;
    match event {
        ConnEvent::Accepted { peer, local } => H323Input::Accepted { peer, local },
        ConnEvent::Payload(p) => H323Input::Payload(p),
        ConnEvent::Closed => H323Input::Closed,
        ConnEvent::H245Opened { h245 } => H323Input::H245Opened { h245 },
        ConnEvent::H245Failed => H323Input::H245Failed,
    }
}

enum Done {
    Resolved {
        call: u64,
        result: Result<(Destination, String), String>,
    },
    Connected {
        key: (SocketAddr, Proto),
        result: Result<ConnId, String>,
    },
    Pin {
        call: u64,
        outcome: roomgate_core::call::Outcome,
    },
    H323Dialed {
        call: u64,
        result: Result<(ConnId, SocketAddr), String>,
    },
}

/// A message waiting for its connection, with the transaction to fail if it never opens.
type Queued = (Option<TransactionId>, Vec<u8>);

struct Driver {
    sender: Sender,
    network: Option<Network>,
    tls_names: HashMap<SocketAddr, String>,
    pending: HashMap<(SocketAddr, Proto), Vec<Queued>>,
    done_tx: mpsc::Sender<Done>,
}

pub async fn run(
    tu: Tu,
    inbound: mpsc::Receiver<Received>,
    sender: Sender,
    shutdown: watch::Receiver<bool>,
) -> Tu {
    run_with(tu, inbound, sender, shutdown, None).await
}

pub async fn run_with(
    mut tu: Tu,
    mut inbound: mpsc::Receiver<Received>,
    sender: Sender,
    mut shutdown: watch::Receiver<bool>,
    mut network: Option<Network>,
) -> Tu {
    let (done_tx, mut done_rx) = mpsc::channel(256);
    let mut media_events = network.as_mut().and_then(|n| n.media_events.take());
    let mut media_results = network.as_mut().and_then(|n| n.media_results.take());
    let mut admin = network.as_mut().and_then(|n| n.admin.take());
    let (h323, mut h323_inbound, ras) = match network.as_mut().and_then(|n| n.h323.take()) {
        Some(H323Net {
            transport,
            inbound,
            ras,
        }) => (Some(transport), Some(inbound), ras),
        None => (None, None, None),
    };
    let (ras_socket, mut ras_inbound) = match ras {
        Some(RasNet { socket, inbound }) => (Some(socket), Some(inbound)),
        None => (None, None),
    };
    let cdrs = network.as_ref().and_then(|n| n.cdrs.clone());
    let mut d = Driver {
        sender,
        network,
        tls_names: HashMap::new(),
        pending: HashMap::new(),
        done_tx,
    };
    let mut drain_deadline: Option<Instant> = None;
    let mut gauges = tokio::time::interval(GAUGE_INTERVAL);
    gauges.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_gauges = String::new();
    // Received messages taken from the transports' queue, existing calls' first; and the
    // longest any waited since the last gauges line.
    let mut inbox: Inbox<Received> = Inbox::default();
    let mut worst_delay = Duration::ZERO;
    let mut released = Instant::now();
    let timer = tokio::time::sleep(Duration::from_secs(3600));
    tokio::pin!(timer);
    loop {
        let now = Instant::now();
        loop {
            let mut progressed = false;
            while let Some(out) = tu.layer.poll_output() {
                progressed = true;
                match out {
                    Output::Transmit(t) => {
                        d.transmit(&mut tu, t.transaction, t.destination, t.bytes)
                            .await
                    }
                    Output::Event(e) => tu.handle_event(now, e),
                }
            }
            while let Some(a) = tu.calls.as_mut().and_then(|c| c.poll_action()) {
                progressed = true;
                d.act(a);
            }
            while let Some(o) = tu.calls.as_mut().and_then(|c| c.poll_h323()) {
                progressed = true;
                if let Some(t) = &h323 {
                    h323_output(&mut tu, t, ras_socket.as_deref(), o, &d.done_tx).await;
                }
            }
            while let Some(cdr) = tu.calls.as_mut().and_then(|c| c.poll_cdr()) {
                if let Some(tx) = &cdrs {
                    if tx.try_send(cdr).is_err() {
                        if let Some(c) = tu.calls.as_mut() {
                            c.cdr_dropped();
                        }
                    }
                }
            }
            if !progressed {
                break;
            }
        }
        if tu.finished() || drain_deadline.is_some_and(|dl| now >= dl) {
            return tu;
        }
        if tu.calls.as_ref().is_some_and(|c| c.has_h323_output()) {
            // Finishing queued something (the URQ): send it before waiting.
            continue;
        }
        if inbox.is_empty() || now >= released + MEDIA_HOLD {
            // Nothing received is waiting (or a backlog has lasted): the relay jobs held
            // since the last time go now, one per worker — a burst's jobs wake each worker
            // once, not once a job.
            if let Some(c) = tu.calls.as_ref() {
                c.release_media();
            }
            released = now;
        }
        let wake = tu
            .poll_timeout()
            .into_iter()
            .chain(drain_deadline)
            .min()
            .unwrap_or(now + Duration::from_secs(3600));
        // One timer, moved only when the deadline moves: a new timer per pass registered
        // itself anew each time, and one earlier than the runtime had planned for made it
        // wake its own thread through its event fd (a third of the SIP core's writes).
        let wake = tokio::time::Instant::from_std(wake);
        if timer.deadline() != wake {
            timer.as_mut().reset(wake);
        }
        tokio::select! {
            received = inbound.recv(), if inbox.has_room() => {
                let Some(r) = received else { return tu };
                inbox.push(classify(&r.bytes), r);
                // Whatever else is waiting, so a BYE behind a burst of INVITEs goes first.
                while inbox.has_room() {
                    let Ok(r) = inbound.try_recv() else { break };
                    inbox.push(classify(&r.bytes), r);
                }
            }
            _ = std::future::ready(()), if !inbox.is_empty() => {
                for _ in 0..INBOX_BATCH {
                    let Some(r) = inbox.pop() else { break };
                    let now = Instant::now();
                    let queued = super::overload::Queued {
                        delay: now.saturating_duration_since(r.at),
                        backlog: inbox.len() + inbound.len(),
                    };
                    worst_delay = worst_delay.max(queued.delay);
                    let source = Destination { addr: r.peer, transport: to_transport(r.proto) };
                    tu.handle_received_after(now, queued, &r.bytes, source);
                    if r.bytes.starts_with(b"INVITE ") {
                        // The core takes it up (and counts it in set-up) at the next pass,
                        // before the next INVITE is weighed against the overload limits.
                        break;
                    }
                }
            }
            () = &mut timer => tu.handle_timeout(Instant::now()),
            Some(done) = done_rx.recv() => d.on_done(&mut tu, done).await,
            Some(ev) = async { match media_events.as_mut() { Some(rx) => rx.recv().await, None => std::future::pending().await } } => {
                if let Some(calls) = tu.calls.as_mut() {
                    calls.on_relay_event(&mut tu.layer, Instant::now(), ev);
                }
            }
            Some(r) = async { match media_results.as_mut() { Some(rx) => rx.recv().await, None => std::future::pending().await } } => {
                if let Some(calls) = tu.calls.as_mut() {
                    calls.on_plane_result(&mut tu.layer, Instant::now(), r);
                }
            }
            Some(r) = async { match h323_inbound.as_mut() { Some(rx) => rx.recv().await, None => std::future::pending().await } } => {
                if let Some(calls) = tu.calls.as_mut() {
                    calls.on_h323(&mut tu.layer, Instant::now(), r.conn, h323_input(r.event));
                }
            }
            Some((from, datagram)) = async { match ras_inbound.as_mut() { Some(rx) => rx.recv().await, None => std::future::pending().await } } => {
                if let Some(calls) = tu.calls.as_mut() {
                    calls.on_ras(&mut tu.layer, Instant::now(), from, &datagram);
                }
            }
            Some(q) = async { match admin.as_mut() { Some(rx) => rx.recv().await, None => std::future::pending().await } } => {
                match q {
                    crate::observe::AdminQuery::Snapshot(reply) => {
                        if let Some(calls) = tu.calls.as_ref() {
                            let mut snapshot = calls.snapshot();
                            snapshot.overload_refused = tu.stats.overload_refused;
                            let _ = reply.send(snapshot);
                        }
                    }
                }
            }
            _ = gauges.tick() => {
                let line = gauge_line(&tu, &d.sender, worst_delay);
                worst_delay = Duration::ZERO;
                if line != last_gauges {
                    // Operators and the load test read these to see resources return to
                    // their baseline after traffic.
                    tracing::info!(target: "roomgate::gauges", "gauges {line}");
                    last_gauges = line;
                }
            }
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

/// Carries out one thing the calls need done on an H.323 connection.
async fn h323_output(
    tu: &mut Tu,
    transport: &crate::h323::H323Transport,
    ras: Option<&tokio::net::UdpSocket>,
    out: H323Output,
    done: &mpsc::Sender<Done>,
) {
    match out {
        H323Output::Ras { to, bytes } => {
            // UDP: a full socket buffer loses the datagram like the network would; RAS
            // retransmits.
            if let Some(Err(e)) = ras.map(|s| s.try_send_to(&bytes, to)) {
                tracing::debug!(%to, error = %e, "RAS send failed");
            }
        }
        H323Output::Send { conn, bytes } => {
            if let Err(e) = transport.send(conn, bytes) {
                tracing::debug!(conn = conn.0, error = %e, "H.323 send failed");
            }
        }
        H323Output::ConnectH245 { call, to } => transport.connect_h245(call, to),
        H323Output::ListenH245 {
            call,
            local_ip,
            peer_ip,
        } => {
            // Binding is immediate; the accept waits in the transport's own task.
            let result = transport
                .listen_h245(call, local_ip, peer_ip)
                .await
                .map_err(|e| e.to_string());
            if let Some(calls) = tu.calls.as_mut() {
                calls.on_h245_listening(&mut tu.layer, Instant::now(), call, result);
            }
        }
        H323Output::Close(conn) => transport.close(conn),
        H323Output::Dial { call, host, port } => {
            // Resolving and connecting take their time: a task, so other calls go on.
            let transport = transport.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let result = dial_h323(&transport, &host, port).await;
                let _ = done.send(Done::H323Dialed { call, result }).await;
            });
        }
    }
}

/// Connects to an H.323 upstream: the first address `host` resolves to.
async fn dial_h323(
    transport: &crate::h323::H323Transport,
    host: &str,
    port: u16,
) -> Result<(ConnId, SocketAddr), String> {
    let to = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("{host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}: no address"))?;
    let conn = transport.dial(to).await.map_err(|e| e.to_string())?;
    Ok((conn, to))
}

fn gauge_line(tu: &Tu, sender: &Sender, worst_delay: Duration) -> String {
    let (calls, sessions, free_pairs, in_setup) = match tu.calls.as_ref() {
        Some(c) => {
            let (s, f) = c.relay_gauges();
            (c.len(), s, f, c.calls_in_setup())
        }
        None => (0, 0, 0, 0),
    };
    let tasks = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    format!(
        "calls={calls} relay_sessions={sessions} free_port_pairs={free_pairs} transactions={} connections={} tasks={tasks} calls_in_setup={in_setup} queue_delay_ms={} overload_refused={} overload_refused_queue_delay={} overload_refused_calls_in_setup={} overload_refused_transactions={}",
        tu.layer.len(),
        sender.connections.count(),
        worst_delay.as_millis(),
        tu.stats.overload_refused.total(),
        tu.stats.overload_refused.queue_delay,
        tu.stats.overload_refused.calls_in_setup,
        tu.stats.overload_refused.transactions
    )
}

impl Driver {
    fn act(&mut self, action: Action) {
        match action {
            Action::TlsName { addr, name } => {
                self.tls_names.insert(addr, name);
            }
            Action::PinAttempt {
                call,
                meeting,
                source,
                hash,
                pin,
            } => {
                let guard = self.network.as_ref().and_then(|n| n.guard.clone());
                let tx = self.done_tx.clone();
                tokio::spawn(async move {
                    let outcome =
                        crate::call::pin_check::attempt(guard, meeting, source, hash, pin).await;
                    let _ = tx.send(Done::Pin { call, outcome }).await;
                });
            }
            Action::Resolve { call, uri } => {
                let resolver = self.network.as_ref().and_then(|n| n.resolver.clone());
                let tx = self.done_tx.clone();
                tokio::spawn(async move {
                    let result = resolve(resolver, &uri).await;
                    let _ = tx.send(Done::Resolved { call, result }).await;
                });
            }
        }
    }

    async fn on_done(&mut self, tu: &mut Tu, done: Done) {
        let now = Instant::now();
        match done {
            Done::Resolved { call, result } => {
                if let Some(calls) = tu.calls.as_mut() {
                    calls.on_resolved(&mut tu.layer, now, call, result);
                }
            }
            Done::H323Dialed { call, result } => {
                if let Some(calls) = tu.calls.as_mut() {
                    calls.on_h323_dialed(&mut tu.layer, now, call, result);
                }
            }
            Done::Pin { call, outcome } => {
                if let Some(calls) = tu.calls.as_mut() {
                    calls.on_pin_outcome(&mut tu.layer, now, call, outcome);
                }
            }
            Done::Connected { key, result } => {
                let queued = self.pending.remove(&key).unwrap_or_default();
                match result {
                    Ok(conn) => {
                        for (_, bytes) in queued {
                            if let Err(e) = self.sender.send(&Target::Conn(conn), bytes).await {
                                tracing::debug!(peer = %key.0, error = %e, "send failed");
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(peer = %key.0, proto = ?key.1, error = %e, "connection failed");
                        for (tx, _) in queued {
                            if let Some(tx) = tx {
                                tu.layer.handle_transport_error(now, tx);
                            }
                        }
                    }
                }
            }
        }
    }

    async fn transmit(
        &mut self,
        tu: &mut Tu,
        transaction: Option<TransactionId>,
        dest: Destination,
        bytes: Vec<u8>,
    ) {
        let Some(proto) = to_proto(dest.transport) else {
            return;
        };
        let target = match proto {
            Proto::Udp => Target::Udp {
                to: dest.addr,
                local: None,
            },
            _ => match self.sender.connections.find(dest.addr, proto) {
                Some(id) => Target::Conn(id),
                None => {
                    let is_request = !bytes.starts_with(b"SIP/2.0 ");
                    if is_request && self.network.is_some() {
                        self.connect_then_send(tu, transaction, dest.addr, proto, bytes);
                    } else {
                        // RFC 3261 §18.2.2 would open a new connection to the sent-by; a peer
                        // that closed its connection before our answer simply does not get one.
                        tracing::debug!(peer = %dest.addr, ?proto, "no connection for response");
                    }
                    return;
                }
            },
        };
        if let Err(e) = self.sender.send(&target, bytes).await {
            tracing::debug!(peer = %dest.addr, ?proto, error = %e, "send failed");
            if let Some(tx) = transaction {
                tu.layer.handle_transport_error(Instant::now(), tx);
            }
        }
    }

    fn connect_then_send(
        &mut self,
        tu: &mut Tu,
        transaction: Option<TransactionId>,
        addr: SocketAddr,
        proto: Proto,
        bytes: Vec<u8>,
    ) {
        let key = (addr, proto);
        if let Some(q) = self.pending.get_mut(&key) {
            if q.len() < MAX_QUEUED_PER_CONNECT {
                q.push((transaction, bytes));
            } else if let Some(tx) = transaction {
                tu.layer.handle_transport_error(Instant::now(), tx);
            }
            return;
        }
        let Some(net) = self.network.as_ref() else {
            return;
        };
        self.pending.insert(key, vec![(transaction, bytes)]);
        let outbound = net.outbound.clone();
        let name = self
            .tls_names
            .get(&addr)
            .cloned()
            .unwrap_or_else(|| addr.ip().to_string());
        let tx = self.done_tx.clone();
        tokio::spawn(async move {
            let result = match outbound.route(proto, addr, &name, 0).await {
                Ok(crate::transport::outbound::Route::Stream { conn, .. }) => Ok(conn),
                Ok(_) => Err("no stream route".to_owned()),
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(Done::Connected { key, result }).await;
        });
    }
}

/// RFC 3263 for a cloud URI: the first destination, and the name TLS verifies.
async fn resolve(
    resolver: Option<Arc<Resolver>>,
    uri: &str,
) -> Result<(Destination, String), String> {
    let parsed = roomgate_sip::Uri::parse(uri).map_err(|e| format!("bad URI: {e}"))?;
    let roomgate_sip::Uri::Sip(sip) = parsed else {
        return Err("not a sip: or sips: URI".to_owned());
    };
    let resolver = resolver.ok_or("no resolver")?;
    let found = resolver.resolve(&sip).await.map_err(|e| e.to_string())?;
    let first = found.into_iter().next().ok_or("no destination")?;
    Ok((
        Destination {
            addr: first.addr,
            transport: to_transport(first.proto),
        },
        first.server_name,
    ))
}
