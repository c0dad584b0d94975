//! The relay split over worker threads (feature `net`), on real UDP sockets on 127.0.0.1:
//! sessions spread over the workers and each forwards; a flood on one session's port is
//! dropped and counted while other sessions, on the same worker and on the other, are still
//! forwarded; a stalled worker's bounded job queue refuses (and counts) the excess instead of
//! stalling its callers, the other worker goes on serving, and the stalled one recovers; a
//! session placed without waiting passes a stalled or full worker and is answered once; held
//! jobs (and placements) wait for their release, run before any later job of their worker,
//! take one queue slot together, and are dropped and counted when the queue stays full.
//!
//! Asserts counters, not rates (CI shares two cores): paced streams must arrive whole, a
//! flood must be counted and never forwarded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use roomgate_media::relay::workers::{RelayWorkers, JOB_QUEUE};
use roomgate_media::relay::{
    Leg, LegConfig, RelayConfig, SessionId, StreamConfig, StreamKind, StreamMode,
};
use roomgate_media::rtp::RtpBuilder;
use tokio::net::UdpSocket;

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const WAIT: Duration = Duration::from_secs(10);
/// Pairs per test relay (16 per worker).
const PAIRS: u16 = 32;

/// Stalls worker `k` on a job that waits (bounded) for a word on the sender returned, once
/// that job has started.
fn stall(w: &RelayWorkers, k: usize) -> mpsc::Sender<()> {
    let (started_tx, started) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    assert!(w.post_on(k, move |_| {
        started_tx.send(()).unwrap();
        let _ = released.recv_timeout(WAIT);
    }));
    started.recv_timeout(WAIT).unwrap();
    release
}

/// Two workers on a free-looking port range (retrying elsewhere if taken).
async fn start() -> (RelayWorkers, u16) {
    let pid = std::process::id();
    for attempt in 0..40u32 {
        let first = 24000 + ((pid.wrapping_mul(7919) + attempt * 997) % 500) as u16 * 64;
        let cfg = RelayConfig {
            port_min: first,
            port_max: first + PAIRS * 2 - 1,
            max_sessions: 16,
            ..RelayConfig::default()
        };
        if let Ok(w) = RelayWorkers::start(LOCAL, Instant::now(), cfg, 2).await {
            return (w, first);
        }
    }
    panic!("no free port range");
}

async fn endpoint() -> (UdpSocket, SocketAddr) {
    let s = UdpSocket::bind((LOCAL, 0)).await.unwrap();
    let a = s.local_addr().unwrap();
    (s, a)
}

fn rtp(seq: u16, ssrc: u32) -> Vec<u8> {
    let mut buf = vec![0u8; 256];
    let n = RtpBuilder {
        payload_type: 0,
        sequence_number: seq,
        timestamp: u32::from(seq) * 160,
        ssrc,
        ..RtpBuilder::default()
    }
    .write(&[0xd5; 160], &mut buf)
    .unwrap();
    buf.truncate(n);
    buf
}

/// A plain audio session between two test endpoints, added on whichever worker has room.
struct Call {
    id: SessionId,
    a: UdpSocket,
    b: UdpSocket,
    relay_a: SocketAddr,
}

async fn call(w: &RelayWorkers) -> Call {
    let (a, a_addr) = endpoint().await;
    let (b, b_addr) = endpoint().await;
    let leg = |addr| LegConfig {
        remote_rtp: Some(addr),
        pt_map: vec![(0, 0)],
        ..LegConfig::default()
    };
    let cfg = StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a: leg(a_addr),
        b: leg(b_addr),
    };
    let id = w.add_session(vec![cfg]).unwrap();
    let port = w
        .run(id, move |r, _| r.local_ports(id, Leg::A, StreamKind::Audio))
        .flatten()
        .unwrap();
    Call {
        id,
        a,
        b,
        relay_a: SocketAddr::new(LOCAL, port.rtp),
    }
}

/// Sends `n` packets A → relay, lightly paced, and counts what reaches B.
async fn stream(c: &Call, n: u16, ssrc: u32) -> usize {
    let recv = async {
        let mut got = 0;
        let mut buf = [0u8; 2048];
        let deadline = tokio::time::Instant::now() + WAIT;
        while got < usize::from(n) {
            match tokio::time::timeout_at(deadline, c.b.recv_from(&mut buf)).await {
                Ok(Ok((len, _))) if len > 1 && !(64..=95).contains(&(buf[1] & 0x7f)) => got += 1,
                Ok(Ok(_)) => {}
                _ => break,
            }
        }
        got
    };
    let send = async {
        for seq in 0..n {
            c.a.send_to(&rtp(seq, ssrc), c.relay_a).await.unwrap();
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    };
    let (got, ()) = tokio::join!(recv, send);
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_spread_over_the_workers_and_each_forwards_on_its_own_ports() {
    let (w, first) = start().await;
    assert_eq!(w.workers(), 2);
    let mut calls = Vec::new();
    for _ in 0..4 {
        calls.push(call(&w).await);
    }
    let shards: BTreeSet<usize> = calls.iter().map(|c| c.id.shard(2)).collect();
    assert_eq!(
        shards,
        BTreeSet::from([0, 1]),
        "new sessions go to the emptier worker"
    );
    for (i, c) in calls.iter().enumerate() {
        // Worker k binds the k-th half of the range: the id says which half the ports are in.
        let half = (c.relay_a.port() - first) / PAIRS;
        assert_eq!(usize::from(half), c.id.shard(2), "session {:?}", c.id);
        let got = stream(c, 50, 0x1000 + i as u32).await;
        assert_eq!(got, 50, "session {:?} forwarded {got} of 50", c.id);
    }
    let t = w.totals();
    assert_eq!(t.sessions, 4);
    assert_eq!(t.capacity, usize::from(PAIRS));
    assert_eq!(t.free_pairs, usize::from(PAIRS) - 8);
    assert!(w.stats().rtp_forwarded >= 200);
    for c in &calls {
        let id = c.id;
        w.run(id, move |r, _| r.remove_session(id))
            .unwrap()
            .unwrap();
    }
    assert_eq!(w.totals().free_pairs, usize::from(PAIRS));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_on_one_sessions_port_is_dropped_and_counted_while_others_forward() {
    let (w, _) = start().await;
    let mut calls = Vec::new();
    // Until two sessions share a worker (the flooded one and a neighbour) and one is on the
    // other worker.
    while calls.len() < 6 {
        calls.push(call(&w).await);
    }
    let target = calls.remove(0);
    let shard = target.id.shard(2);
    let neighbour = calls.iter().position(|c| c.id.shard(2) == shard).unwrap();
    let neighbour = calls.remove(neighbour);
    let other = calls.iter().position(|c| c.id.shard(2) != shard).unwrap();
    let other = calls.remove(other);

    let (spoofer, _) = endpoint().await;
    let flood_to = target.relay_a;
    const FLOOD: usize = 20_000;
    let flood = tokio::spawn(async move {
        let pkt = rtp(1, 0xbad);
        for _ in 0..FLOOD {
            // Sent as fast as the socket takes them; the kernel may drop some itself.
            let _ = spoofer.send_to(&pkt, flood_to).await;
        }
    });
    let (n, o) = tokio::join!(stream(&neighbour, 100, 0x2001), stream(&other, 100, 0x2002));
    flood.await.unwrap();
    assert_eq!(n, 100, "same worker as the flood: {n} of 100 forwarded");
    assert_eq!(o, 100, "other worker: {o} of 100 forwarded");

    // Let the worker finish what the kernel queued, then read the counters.
    let deadline = Instant::now() + WAIT;
    let mut dropped = 0;
    while Instant::now() < deadline {
        dropped = w.stats().drops.not_latched_source;
        tokio::time::sleep(Duration::from_millis(100)).await;
        if w.stats().drops.not_latched_source == dropped {
            break;
        }
    }
    assert!(
        dropped > 0 && dropped <= FLOOD as u64,
        "flood packets counted as not latched: {dropped}"
    );
    // Nothing of the flood went on to the target's other leg.
    let mut buf = [0u8; 2048];
    let leaked = tokio::time::timeout(Duration::from_millis(200), target.b.recv_from(&mut buf));
    assert!(leaked.await.is_err(), "a flood packet was forwarded");
    let t = w.totals();
    assert_eq!(t.events_dropped, 0);
    assert_eq!(t.jobs_refused, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_workers_queue_refuses_the_excess_and_the_worker_recovers() {
    let (w, _) = start().await;
    let w = Arc::new(w);
    let mut calls = Vec::new();
    while calls.len() < 2 {
        calls.push(call(&w).await);
    }
    let on = |k: usize| calls.iter().find(|c| c.id.shard(2) == k).unwrap().id;
    let (stalled_id, free_id) = (on(0), on(1));

    // Worker 0 runs a job that waits for our word (bounded), so its queue fills up.
    let release = stall(&w, 0);
    let ran = Arc::new(AtomicUsize::new(0));
    let mut accepted = 0;
    for _ in 0..JOB_QUEUE * 2 {
        let ran = ran.clone();
        if w.post_on(0, move |_| {
            ran.fetch_add(1, Ordering::Relaxed);
        }) {
            accepted += 1;
        }
    }
    assert_eq!(accepted, JOB_QUEUE, "the queue holds exactly its bound");
    assert_eq!(w.totals().jobs_refused, JOB_QUEUE as u64);

    // A caller that waits is refused after a short while, not stalled for good.
    let w2 = w.clone();
    let refused =
        tokio::task::spawn_blocking(move || w2.run(stalled_id, move |r, _| r.session_count()));
    assert_eq!(refused.await.unwrap(), None);

    // The other worker serves meanwhile: a session of its own still forwards.
    let free = calls.iter().find(|c| c.id == free_id).unwrap();
    assert_eq!(stream(free, 20, 0x3001).await, 20);

    // Released, worker 0 runs every job it accepted, then serves again.
    release.send(()).unwrap();
    let w3 = w.clone();
    let count =
        tokio::task::spawn_blocking(move || w3.run(stalled_id, move |r, _| r.session_count()));
    assert_eq!(count.await.unwrap(), Some(1));
    assert_eq!(ran.load(Ordering::Relaxed), JOB_QUEUE);
    let stalled = calls.iter().find(|c| c.id == stalled_id).unwrap();
    assert_eq!(stream(stalled, 20, 0x3002).await, 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_read_in_one_batch_leaves_in_gso_sends_whole_and_in_order() {
    let (w, _) = start().await;
    let c = call(&w).await;
    let k = c.id.shard(2);
    // Hold the worker so that the datagrams queue up in its socket, then let it read them
    // in one batch.
    let release = stall(&w, k);
    // 12 of one size, one shorter (ends a GSO run), 4 longer (start another), 3 shorter.
    let sizes: Vec<usize> = [vec![160; 12], vec![80], vec![320; 4], vec![40; 3]].concat();
    let mut sent = Vec::new();
    for (seq, len) in sizes.iter().enumerate() {
        let mut buf = vec![0u8; 512];
        let payload: Vec<u8> = (0..*len).map(|i| (i + seq) as u8).collect();
        let n = RtpBuilder {
            payload_type: 0,
            sequence_number: seq as u16,
            timestamp: seq as u32 * 160,
            ssrc: 0x4242,
            ..RtpBuilder::default()
        }
        .write(&payload, &mut buf)
        .unwrap();
        buf.truncate(n);
        c.a.send_to(&buf, c.relay_a).await.unwrap();
        sent.push(buf);
    }
    let before = w.totals().gso_datagrams;
    release.send(()).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 2048];
    while got.len() < sent.len() {
        let (n, _) = tokio::time::timeout(WAIT, c.b.recv_from(&mut buf))
            .await
            .expect("every datagram forwarded")
            .unwrap();
        if (64..=95).contains(&(buf[1] & 0x7f)) {
            continue;
        }
        got.push(buf[..n].to_vec());
    }
    // Each datagram arrives whole and in order, one by one (the kernel cut the GSO sends at
    // the segment size): same length, same payload, sequence numbers one apart (the relay
    // rewrote the headers into its own stream).
    assert_eq!(got.len(), sent.len());
    for (i, (g, s)) in got.iter().zip(&sent).enumerate() {
        assert_eq!(g.len(), s.len(), "datagram {i}: length");
        assert!(g[12..] == s[12..], "datagram {i}: payload differs");
    }
    let seqs: Vec<u16> = got
        .iter()
        .map(|g| u16::from_be_bytes([g[2], g[3]]))
        .collect();
    for w in seqs.windows(2) {
        assert_eq!(w[1], w[0].wrapping_add(1), "out of order: {seqs:?}");
    }
    // A job after the batch makes the worker publish its counters.
    w.run(c.id, |r, _| r.session_count()).unwrap();
    let gso = w.totals().gso_datagrams - before;
    assert!(
        gso >= 12,
        "the run of same-size datagrams left in GSO sends ({gso} datagrams did)"
    );
}

/// An audio session's streams, plain both ways, no far ends yet.
fn plain_audio() -> Vec<StreamConfig> {
    vec![StreamConfig {
        kind: StreamKind::Audio,
        mode: StreamMode::PassThrough,
        clock_rate: 8000,
        a: LegConfig::default(),
        b: LegConfig::default(),
    }]
}

/// Places one session without waiting; the answer comes back on `tx`.
fn place(w: &RelayWorkers, tx: &mpsc::Sender<Result<(SessionId, Option<u16>), String>>) {
    let tx = tx.clone();
    w.add_session_async(
        plain_audio(),
        |r, id| r.local_ports(id, Leg::A, StreamKind::Audio).map(|p| p.rtp),
        move |r| {
            tx.send(r.map_err(|e| e.to_string())).unwrap();
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_placed_without_waiting_passes_a_stalled_or_full_worker_and_is_answered_once() {
    let (w, first) = start().await;
    // Worker 0 stalls on a job that waits for our word, and its queue is filled behind it.
    let release = stall(&w, 0);
    while w.post_on(0, |_| {}) {}

    // Placements go to worker 1 while worker 0 is still stalled: nobody waited for it.
    // Worker 1 takes its share of the session limit (8 of 16), each answered once, with
    // ports from its own half of the range.
    let (tx, rx) = mpsc::channel();
    for _ in 0..8 {
        place(&w, &tx);
    }
    let mut placed = Vec::new();
    for _ in 0..8 {
        let (id, port) = rx.recv_timeout(WAIT).unwrap().unwrap();
        assert_eq!(id.shard(2), 1, "placed on the worker that could take it");
        let port = port.unwrap();
        assert!(port >= first + PAIRS && port < first + 2 * PAIRS, "{port}");
        placed.push(id);
    }
    // A ninth finds worker 1 full and worker 0's queue full: refused, not waited for.
    place(&w, &tx);
    let refused = rx.recv_timeout(WAIT).unwrap();
    assert!(refused.is_err(), "{refused:?}");
    assert!(w.totals().jobs_refused > 0);

    // Released, worker 0 runs its backlog and takes the next placement itself, handed on
    // by worker 1 (full) if that one was tried first.
    release.send(()).unwrap();
    let w2 = Arc::new(w);
    let w3 = w2.clone();
    tokio::task::spawn_blocking(move || w3.run_on(0, |_| ()))
        .await
        .unwrap()
        .unwrap();
    place(&w2, &tx);
    let (id, port) = rx.recv_timeout(WAIT).unwrap().unwrap();
    assert_eq!(id.shard(2), 0);
    assert!(port.is_some_and(|p| p >= first && p < first + PAIRS));
    // Exactly one answer per placement.
    assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
    placed.push(id);
    assert_eq!(
        placed.iter().collect::<BTreeSet<_>>().len(),
        9,
        "{placed:?}"
    );
    assert_eq!(w2.totals().sessions, 9);
}

/// Counts its drops: a job that owns one is seen to go, run or not.
struct Dropped(Arc<AtomicUsize>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_jobs_wait_for_release_keep_their_order_and_take_one_queue_slot() {
    let (w, _) = start().await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let push = |n: u32| {
        let seen = seen.clone();
        move |_: &roomgate_media::relay::net::NetRelay| seen.lock().unwrap().push(n)
    };

    // Held: nothing runs until released, or until another job for that worker is sent,
    // which goes after them.
    w.post_held(0, push(1));
    w.post_held(0, push(2));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(seen.lock().unwrap().is_empty(), "held jobs ran unreleased");
    let s = seen.clone();
    let read = w.run_on(0, move |_| s.lock().unwrap().clone());
    assert_eq!(read, Some(vec![1, 2]), "held jobs run first, in order");
    w.post_held(1, push(3));
    // A held placement: answered only once released, with a session on a worker.
    let (placed_tx, placed) = mpsc::channel();
    w.add_session_held(
        plain_audio(),
        |_, _| (),
        move |r| {
            placed_tx.send(r.map(|(id, ())| id)).unwrap();
        },
    );
    assert!(placed.recv_timeout(Duration::from_millis(100)).is_err());
    w.release();
    let deadline = Instant::now() + WAIT;
    while !seen.lock().unwrap().contains(&3) {
        assert!(Instant::now() < deadline, "a released job never ran");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let id = placed.recv_timeout(WAIT).unwrap().unwrap();
    assert_eq!(w.run(id, move |r, _| r.session_count()), Some(1));

    // Worker 0 stalled with one free slot in its queue: ten held jobs take that slot as
    // one; five more find the queue full when released and are dropped unrun, counted.
    let go = stall(&w, 0);
    for _ in 0..JOB_QUEUE - 1 {
        assert!(w.post_on(0, |_| {}));
    }
    let refused = w.totals().jobs_refused;
    let ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..10 {
        let ran = ran.clone();
        w.post_held(0, move |_| {
            ran.fetch_add(1, Ordering::Relaxed);
        });
    }
    w.release();
    assert_eq!(
        w.totals().jobs_refused,
        refused,
        "ten held jobs fit one slot"
    );
    let dropped = Arc::new(AtomicUsize::new(0));
    for _ in 0..5 {
        let d = Dropped(dropped.clone());
        let ran = ran.clone();
        w.post_held(0, move |_| {
            let _keep = &d;
            ran.fetch_add(100, Ordering::Relaxed);
        });
    }
    w.release();
    assert_eq!(
        w.totals().jobs_refused,
        refused + 5,
        "each lost job counted"
    );
    assert_eq!(
        dropped.load(Ordering::Relaxed),
        5,
        "lost jobs dropped unrun"
    );

    go.send(()).unwrap();
    let count = w.run_on(0, |_| ());
    assert_eq!(count, Some(()));
    assert_eq!(
        ran.load(Ordering::Relaxed),
        10,
        "the ten ran, the five did not"
    );
}
