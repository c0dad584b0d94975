//! RFC 3263 resolution against a real DNS server on loopback (dnsmasq, Debian package
//! dnsmasq-base) serving NAPTR, SRV and A records, plus the static overrides from config.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use roomgate::resolve::Resolver;
use roomgate::transport::Proto;
use roomgate_sip::Uri;

struct Dns(Child);
impl Drop for Dns {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_dnsmasq() -> (Dns, SocketAddr) {
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let records = [
        // cloud.test: NAPTR says TLS, SRV gives two hosts in priority order.
        "--naptr-record=cloud.test,10,50,s,SIPS+D2T,,_sips._tcp.cloud.test",
        "--naptr-record=cloud.test,20,50,s,SIP+D2U,,_sip._udp.cloud.test",
        "--srv-host=_sips._tcp.cloud.test,sip2.cloud.test,5062,20,10",
        "--srv-host=_sips._tcp.cloud.test,sip1.cloud.test,5061,10,60",
        "--srv-host=_sip._udp.cloud.test,sip1.cloud.test,5060,10,60",
        "--host-record=sip1.cloud.test,127.0.0.11",
        "--host-record=sip2.cloud.test,127.0.0.12",
        // srvonly.test: no NAPTR, only a UDP SRV record.
        "--srv-host=_sip._udp.srvonly.test,a.srvonly.test,5070,0,0",
        "--host-record=a.srvonly.test,127.0.0.13",
        // plain.test: only an A record.
        "--host-record=plain.test,127.0.0.14",
    ];
    let child = Command::new("dnsmasq")
        .args([
            "--keep-in-foreground",
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
        ])
        .args([
            "--no-resolv",
            "--no-hosts",
            "--conf-file=/dev/null",
            "--user=root",
            "--pid-file=",
        ])
        .arg(format!("--port={port}"))
        .args(records)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dnsmasq must be installed (Debian package dnsmasq-base)");
    let dns = Dns(child);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    // Ready when it answers a query (an empty DNS header is enough to get a reply).
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    probe
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let query = [0x12, 0x34, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    loop {
        probe.send_to(&query, addr).unwrap();
        if probe.recv_from(&mut [0u8; 512]).is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "dnsmasq did not start");
    }
    (dns, addr)
}

async fn resolve(r: &Resolver, uri: &str) -> Vec<(Proto, SocketAddr)> {
    let parsed = Uri::parse(uri).unwrap();
    let sip = parsed.as_sip().unwrap();
    r.resolve(sip)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.proto, d.addr))
        .collect()
}

fn a(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[tokio::test]
async fn naptr_srv_a_and_overrides() {
    let (_dns, server) = start_dnsmasq();
    let mut overrides = BTreeMap::new();
    overrides.insert("fixed.test".to_owned(), vec![a("127.0.0.20:7000")]);
    let r = Resolver::new(overrides, Some(server)).unwrap();

    // NAPTR picks TLS first; SRV orders by priority.
    assert_eq!(
        resolve(&r, "sip:1001@cloud.test").await,
        vec![
            (Proto::Tls, a("127.0.0.11:5061")),
            (Proto::Tls, a("127.0.0.12:5062"))
        ]
    );
    // An explicit transport skips NAPTR.
    assert_eq!(
        resolve(&r, "sip:1001@cloud.test;transport=udp").await,
        vec![(Proto::Udp, a("127.0.0.11:5060"))]
    );
    // No NAPTR: SRV queried per transport.
    assert_eq!(
        resolve(&r, "sip:x@srvonly.test").await,
        vec![(Proto::Udp, a("127.0.0.13:5070"))]
    );
    // Neither: the A record on the default port.
    assert_eq!(
        resolve(&r, "sip:x@plain.test").await,
        vec![(Proto::Udp, a("127.0.0.14:5060"))]
    );
    assert_eq!(
        resolve(&r, "sips:x@plain.test").await,
        vec![(Proto::Tls, a("127.0.0.14:5061"))]
    );
    // An explicit port: A only, no SRV.
    assert_eq!(
        resolve(&r, "sip:x@plain.test:5099;transport=tcp").await,
        vec![(Proto::Tcp, a("127.0.0.14:5099"))]
    );
    // Overrides bypass DNS.
    assert_eq!(
        resolve(&r, "sips:x@fixed.test").await,
        vec![(Proto::Tls, a("127.0.0.20:7000"))]
    );
    // IP literals need no DNS.
    assert_eq!(
        resolve(&r, "sip:x@127.0.0.1:5080").await,
        vec![(Proto::Udp, a("127.0.0.1:5080"))]
    );
    // A name that does not exist is an error, not a hang.
    let missing = Uri::parse("sip:x@nowhere.test").unwrap();
    let started = Instant::now();
    assert!(r.resolve(missing.as_sip().unwrap()).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(15));
}
