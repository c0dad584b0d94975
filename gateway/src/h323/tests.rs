//! The H.323 transport on loopback: framing across arbitrary TCP segments, packets both
//! ways, closing from the core, the limits and timeouts a hostile peer meets, and H.245
//! connections made and accepted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::SocketAddr;
use std::time::Duration;

use roomgate_h323::tpkt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::*;
use crate::transport::ConnectionLimits;

const WAIT: Duration = Duration::from_secs(5);

fn settings() -> H323Settings {
    H323Settings {
        limits: ConnectionLimits {
            per_source: 2,
            total: 8,
        },
        idle_timeout: Duration::from_millis(800),
        partial_timeout: Duration::from_millis(300),
        connect_timeout: Duration::from_millis(500),
    }
}

async fn next(rx: &mut mpsc::Receiver<H323Received>) -> H323Received {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("an event within the wait")
        .expect("transport alive")
}

async fn start() -> (H323Transport, mpsc::Receiver<H323Received>, SocketAddr) {
    start_with(settings()).await
}

async fn start_with(
    settings: H323Settings,
) -> (H323Transport, mpsc::Receiver<H323Received>, SocketAddr) {
    let (tx, rx) = mpsc::channel(64);
    let t = H323Transport::new(settings, tx);
    let addr = t.listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    (t, rx, addr)
}

/// Reads until EOF (bounded by the wait); true when the peer closed.
async fn closed(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    loop {
        match tokio::time::timeout(WAIT, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn packets_are_framed_across_segments_and_written_back() {
    let (t, mut rx, addr) = start().await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    let ev = next(&mut rx).await;
    let conn = ev.conn;
    assert!(matches!(ev.event, ConnEvent::Accepted { .. }));
    let mut wire = tpkt::encode(b"first").unwrap();
    wire.extend(tpkt::encode(b"second packet").unwrap());
    // One byte at a time, then the rest: framing does not depend on segments.
    for b in &wire[..6] {
        client.write_all(&[*b]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    client.write_all(&wire[6..]).await.unwrap();
    assert_eq!(
        next(&mut rx).await.event,
        ConnEvent::Payload(b"first".to_vec())
    );
    assert_eq!(
        next(&mut rx).await.event,
        ConnEvent::Payload(b"second packet".to_vec())
    );

    let out = tpkt::encode(b"answer").unwrap();
    t.send(conn, out.clone()).unwrap();
    let mut got = vec![0u8; out.len()];
    tokio::time::timeout(WAIT, client.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, out);

    // Closed by the core: what was queued is written first.
    t.send(conn, tpkt::encode(b"last").unwrap()).unwrap();
    t.close(conn);
    let mut last = vec![0u8; 8];
    client.read_exact(&mut last).await.unwrap();
    assert_eq!(&last[4..], b"last");
    assert!(closed(&mut client).await);
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn,
            event: ConnEvent::Closed
        }
    );
    assert!(t.send(conn, vec![1]).is_err());
}

#[tokio::test]
async fn dialled_connections_carry_packets_both_ways() {
    let (t, mut rx, _) = start().await;
    let peer = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let conn = t.dial(peer.local_addr().unwrap()).await.unwrap();
    let (mut far, _) = peer.accept().await.unwrap();
    t.send(conn, tpkt::encode(b"setup").unwrap()).unwrap();
    let mut got = [0u8; 9];
    far.read_exact(&mut got).await.unwrap();
    assert_eq!(&got[4..], b"setup");
    far.write_all(&tpkt::encode(b"connect").unwrap())
        .await
        .unwrap();
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn,
            event: ConnEvent::Payload(b"connect".to_vec())
        }
    );
    drop(far);
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn,
            event: ConnEvent::Closed
        }
    );
    // Nobody listening: an error, no connection left behind.
    let gone = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone_addr = gone.local_addr().unwrap();
    drop(gone);
    assert!(t.dial(gone_addr).await.is_err());
    assert_eq!(t.count(), 0);
}

#[tokio::test]
async fn stalled_oversized_and_silent_peers_are_disconnected() {
    let (t, mut rx, addr) = start().await;
    // Half a TPKT header, then nothing: closed after the partial timeout, well before idle.
    let mut stall = TcpStream::connect(addr).await.unwrap();
    let a = next(&mut rx).await.conn;
    stall.write_all(&[3, 0, 0]).await.unwrap();
    let t0 = tokio::time::Instant::now();
    assert!(closed(&mut stall).await);
    assert!(t0.elapsed() < settings().idle_timeout, "{:?}", t0.elapsed());
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn: a,
            event: ConnEvent::Closed
        }
    );

    // A header announcing more than the limit: closed at once, nothing delivered.
    let mut big = TcpStream::connect(addr).await.unwrap();
    let b = next(&mut rx).await.conn;
    big.write_all(&[3, 0, 0xff, 0xff, 1, 2, 3]).await.unwrap();
    assert!(closed(&mut big).await);
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn: b,
            event: ConnEvent::Closed
        }
    );

    // Connected and silent: closed after the idle timeout.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let c = next(&mut rx).await.conn;
    assert!(closed(&mut silent).await);
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn: c,
            event: ConnEvent::Closed
        }
    );
    assert_eq!(t.count(), 0);
}

#[tokio::test]
async fn connections_past_the_per_source_limit_are_refused() {
    let (t, mut rx, addr) = start().await;
    let _a = TcpStream::connect(addr).await.unwrap();
    let _b = TcpStream::connect(addr).await.unwrap();
    next(&mut rx).await;
    next(&mut rx).await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    assert!(closed(&mut third).await, "refused before any byte");
    assert_eq!(t.count(), 2);
    assert!(
        tokio::time::timeout(Duration::from_millis(200), rx.recv())
            .await
            .is_err(),
        "no event for a refused connection"
    );
}

#[tokio::test]
async fn h245_connections_made_and_accepted_report_under_their_call() {
    // H.245 connections count against the per-source limit like signalling ones.
    let mut s = settings();
    s.limits.per_source = 3;
    let (t, mut rx, addr) = start_with(s).await;
    let _signalling = TcpStream::connect(addr).await.unwrap();
    let call = next(&mut rx).await.conn;

    // We offer a port; the peer connects and sends an H.245 packet.
    let offered = t
        .listen_h245(
            call,
            "127.0.0.1".parse().unwrap(),
            "127.0.0.1".parse().unwrap(),
        )
        .await
        .unwrap();
    let mut peer_h245 = TcpStream::connect(offered).await.unwrap();
    let ev = next(&mut rx).await;
    assert_eq!(ev.conn, call);
    let ConnEvent::H245Opened { h245 } = ev.event else {
        panic!("{ev:?}")
    };
    peer_h245
        .write_all(&tpkt::encode(&[1, 2]).unwrap())
        .await
        .unwrap();
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn: h245,
            event: ConnEvent::Payload(vec![1, 2])
        }
    );

    // We connect to the peer's address.
    let theirs = TcpListener::bind("127.0.0.1:0").await.unwrap();
    t.connect_h245(call, theirs.local_addr().unwrap());
    let (mut accepted, _) = theirs.accept().await.unwrap();
    let ev = next(&mut rx).await;
    let ConnEvent::H245Opened { h245: out } = ev.event else {
        panic!("{ev:?}")
    };
    t.send(out, tpkt::encode(b"tcs").unwrap()).unwrap();
    let mut got = [0u8; 7];
    accepted.read_exact(&mut got).await.unwrap();
    assert_eq!(&got[4..], b"tcs");

    // Past the per-source limit (signalling and two H.245 from 127.0.0.1): refused.
    let more = TcpListener::bind("127.0.0.1:0").await.unwrap();
    t.connect_h245(call, more.local_addr().unwrap());
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn: call,
            event: ConnEvent::H245Failed
        }
    );
    drop(accepted);
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn: out,
            event: ConnEvent::Closed
        }
    );

    // Nobody at the address, or nobody connecting in time: H245Failed for the call.
    let gone = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone_addr = gone.local_addr().unwrap();
    drop(gone);
    t.connect_h245(call, gone_addr);
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn: call,
            event: ConnEvent::H245Failed
        }
    );
    t.listen_h245(
        call,
        "127.0.0.1".parse().unwrap(),
        "127.0.0.1".parse().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        next(&mut rx).await,
        H323Received {
            conn: call,
            event: ConnEvent::H245Failed
        }
    );
}
