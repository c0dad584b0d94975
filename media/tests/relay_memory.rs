//! Resident memory of the relay's socket layer (feature `net`): the RTP port of every pair
//! of the range is bound at start, so whatever each socket keeps is paid for every pair,
//! used or not — a per-call cost of capacity. Its own test binary, so no other test's allocations share the
//! process while RSS is read.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use roomgate_media::relay::net::NetRelay;
use roomgate_media::relay::{Relay, RelayConfig};

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// Ports in the range (half of them, the RTP ports, bound at start): enough that a
/// per-socket cost stands out of the noise, few enough for a default descriptor limit of 1024.
const PORTS: u16 = 400;
/// Sockets bound at start: one per pair.
const SOCKETS: u16 = PORTS / 2;
/// Resident memory one bound socket may add (its task and its share of the core's tables;
/// the kernel's socket buffers are not in RSS). Receive buffers kept per socket were about
/// 280 KiB each.
const MAX_PER_SOCKET: u64 = 16 * 1024;

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bound_port_costs_kilobytes_not_a_receive_batch() {
    // Warm the runtime and the allocator's arenas on both workers with a small relay first,
    // so what is measured is what more ports add.
    let pid = std::process::id();
    let mut bound = None;
    for attempt in 0..40u32 {
        let first = 10000 + ((pid.wrapping_mul(7919) + attempt * 997) % 40) as u16 * 512;
        let warm = RelayConfig {
            port_min: first,
            port_max: first + 7,
            ..RelayConfig::default()
        };
        let Ok(small) = NetRelay::bind(LOCAL, Relay::new(Instant::now(), warm)).await else {
            continue;
        };
        poke(first, 4).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let before = rss_bytes();
        let cfg = RelayConfig {
            port_min: first + 8,
            port_max: first + 8 + PORTS - 1,
            ..RelayConfig::default()
        };
        let Ok(relay) = NetRelay::bind(LOCAL, Relay::new(Instant::now(), cfg)).await else {
            drop(small);
            continue;
        };
        // Every socket task runs and receives (a datagram from no session: dropped and
        // counted), so buffers a task would allocate or touch are resident now.
        poke(first + 8, SOCKETS).await;
        let deadline = Instant::now() + Duration::from_secs(20);
        while relay.receive_batching().1 < u64::from(SOCKETS) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let after = rss_bytes();
        bound = Some((before, after, relay.receive_batching().1, small, relay));
        break;
    }
    let (before, after, received, _small, relay) = bound.expect("no free port range");
    assert_eq!(
        relay.bound_ports(),
        (usize::from(SOCKETS), 0),
        "RTP ports bound, RTCP ports not while no leg needs them"
    );
    assert!(
        received >= u64::from(SOCKETS),
        "every socket received: {received} datagrams"
    );
    let per_socket = after.saturating_sub(before) / u64::from(SOCKETS);
    assert!(
        per_socket <= MAX_PER_SOCKET,
        "{SOCKETS} bound sockets grew RSS from {before} to {after} bytes: {per_socket} per socket"
    );
}

/// Sends one datagram to each of `count` RTP (even) ports from `first` (even).
async fn poke(first: u16, count: u16) {
    let s = tokio::net::UdpSocket::bind((LOCAL, 0)).await.unwrap();
    for p in (0..count).map(|i| first + 2 * i) {
        let _ = s.send_to(b"not rtp", SocketAddr::new(LOCAL, p)).await;
        if p % 64 == 0 {
            tokio::task::yield_now().await;
        }
    }
}
