//! `roomgate serve` registered with an H.323 gatekeeper (`[h323.gatekeeper]`), against a small
//! gatekeeper of the test (RAS on its own UDP socket, free loopback ports): discovery and
//! registration with our aliases and call signalling address, the lightweight keep-alive
//! before the time to live, a full registration after the keep-alive is refused, IRQ
//! answered with IRR, URQ from the gatekeeper answered and followed by a new registration,
//! URQ when the gateway stops; every H.323 call admitted (ARQ/ACF) and disengaged (DRQ) with
//! its own call identifier, a refused one released; RIP honoured; a meeting's H.323 upstream
//! called where the ACF points; an alternate gatekeeper taking over. The registration shows
//! in the admin API and metrics. Every RAS datagram the gateway sent is dissected by tshark:
//! the right RasMessage alternative, the fields the message is for, nothing malformed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

#[path = "common/h323_caller.rs"]
mod h323_caller;

#[path = "common/test_gatekeeper.rs"]
mod test_gatekeeper;

#[path = "../../h323/tests/common/tshark.rs"]
mod tshark;

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use common::{admin_get, free_port, ServeOptions, Server, UdpPeer, LOCALHOST};
use roomgate_h323::h225::{MessageBody, UserInformation};
use roomgate_h323::q931::Message;
use roomgate_h323::ras::{AliasAddress, RasMessage, TransportAddress};
use roomgate_h323::tpkt::TpktDecoder;
use test_gatekeeper::{Policy, Seen, TestGatekeeper, ENDPOINT_ID};

const WAIT: Duration = Duration::from_secs(10);

/// A gateway registering with `gk` (keys added to `[h323.gatekeeper]`), its admin API on
/// `admin`.
fn gateway(gk: SocketAddr, keys: &str, admin: u16) -> Server {
    let h323 = free_port();
    Server::start_with(ServeOptions {
        extra: format!(
            "[admin]\nlisten = \"127.0.0.1:{admin}\"\n\
             [h323]\nlisten = [\"127.0.0.1:{h323}\"]\n\
             [h323.gatekeeper]\nenabled = true\naddress = \"{gk}\"\n\
             ras_listen = \"127.0.0.1:0\"\nh323_ids = [\"roomgate-test\"]\ne164 = [\"4930\"]\n\
             {keys}\n"
        ),
        ..ServeOptions::default()
    })
}

fn h323_addr(server: &Server) -> SocketAddr {
    let log = server.log();
    // `H.323 listening local=127.0.0.1:port`
    let at = log
        .find("H.323 listening")
        .expect("H.323 listener in the log");
    let rest = &log[at..];
    let addr = rest
        .split_whitespace()
        .find_map(|w| w.strip_prefix("local="))
        .expect("local= in the H.323 listening line");
    addr.parse().unwrap()
}

fn is_rrq(m: &RasMessage, keep_alive: bool) -> bool {
    matches!(m, RasMessage::RegistrationRequest(r)
        if r.keep_alive().and_then(Result::ok).unwrap_or(false) == keep_alive)
}

/// Waits until the gateway is registered (GRQ, full RRQ seen and confirmed).
fn registered(gk: &TestGatekeeper) -> Seen {
    gk.wait_for(0, WAIT, |m| matches!(m, RasMessage::GatekeeperRequest(_)))
        .expect("GRQ");
    let rrq = gk.wait_for(0, WAIT, |m| is_rrq(m, false)).expect("RRQ");
    std::thread::sleep(Duration::from_millis(200));
    rrq
}

/// Calls meeting `dialled` from loopback as call `id`: `Ok` once connected (held `hold`,
/// then released by us), `Err(cause)` when released, `Err(0)` on timeout.
fn call_meeting(to: SocketAddr, dialled: &str, id: u8, hold: Duration) -> Result<(), u8> {
    let call = h323_caller::caller(dialled, u16::from(id) + 100, [id; 16], "gk-test-room");
    h323_caller::call_meeting(LOCALHOST, to, call, hold, Duration::from_secs(20))
}

/// Ethernet/IPv4/UDP around a RAS datagram, both ports 1719 (so tshark dissects it as RAS).
fn frame(payload: &[u8], id: u16) -> Vec<u8> {
    let mut f = tshark::ethernet_ipv4(17, 8 + payload.len(), id);
    f.extend_from_slice(&1719u16.to_be_bytes());
    f.extend_from_slice(&1719u16.to_be_bytes());
    f.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

/// The tshark field a message of ours must carry, by what it is for.
fn expected_field(m: &RasMessage) -> &'static str {
    match m {
        RasMessage::GatekeeperRequest(_) => "h225.rasAddress",
        RasMessage::RegistrationRequest(r) if r.keep_alive().and_then(Result::ok) == Some(true) => {
            "h225.keepAlive"
        }
        RasMessage::RegistrationRequest(_) => "h225.terminalAlias",
        RasMessage::AdmissionRequest(_) => "h225.answerCall",
        RasMessage::DisengageRequest(_) => "h225.disengageReason",
        RasMessage::InfoRequestResponse(_) => "h225.perCallInfo",
        RasMessage::UnregistrationRequest(_) => "h225.endpointIdentifier",
        _ => "h225.requestSeqNum",
    }
}

/// tshark dissects every datagram the gateway sent as H.225.0 RAS: the alternative we
/// encoded, its sequence number, the field the message is for, nothing malformed.
fn assert_tshark_dissects(seen: &[Seen]) {
    let fields = [
        "frame.protocols",
        "h225.RasMessage",
        "h225.requestSeqNum",
        "_ws.malformed",
        "_ws.expert.severity",
        "h225.rasAddress",
        "h225.keepAlive",
        "h225.terminalAlias",
        "h225.answerCall",
        "h225.disengageReason",
        "h225.perCallInfo",
        "h225.endpointIdentifier",
    ];
    let frames: Vec<Vec<u8>> = seen
        .iter()
        .enumerate()
        .map(|(i, s)| frame(&s.bytes, i as u16))
        .collect();
    let lines = tshark::dissect("gk-e2e", &frames, &fields);
    for (line, s) in lines.iter().zip(seen) {
        let f: Vec<&str> = line.split('|').collect();
        let what = format!("{:?}: {line}", s.msg);
        assert!(f[0].contains(":udp:h225"), "not RAS: {what}");
        assert_eq!(
            f[1],
            s.msg.root_index().unwrap().to_string(),
            "alternative: {what}"
        );
        assert_eq!(
            f[2].split(',').next().unwrap(),
            s.msg.request_seq_num().unwrap().to_string(),
            "seq: {what}"
        );
        assert_eq!(f[3], "", "malformed: {what}");
        for sev in f[4].split(',').filter(|x| !x.is_empty()) {
            assert!(
                sev.parse::<u32>().unwrap() < 0x0080_0000,
                "expert error: {what}"
            );
        }
        let want = expected_field(&s.msg);
        let at = fields.iter().position(|x| *x == want).unwrap();
        assert!(!f[at].is_empty(), "{want} missing: {what}");
    }
}

#[test]
fn registers_keeps_alive_answers_the_gatekeeper_and_unregisters_when_stopped() {
    let gk = TestGatekeeper::start(Policy {
        time_to_live: Some(4),
        ..Policy::default()
    });
    let admin = free_port();
    let mut server = gateway(
        gk.addr,
        "time_to_live_s = 4\nrequest_timeout_ms = 500\n",
        admin,
    );
    let rrq = registered(&gk);
    let RasMessage::RegistrationRequest(r) = &rrq.msg else {
        unreachable!()
    };
    // Our aliases and where Setups for us go.
    let aliases = r.terminal_alias.clone().unwrap();
    assert!(aliases.contains(&AliasAddress::H323Id("roomgate-test".into())));
    assert!(aliases.contains(&AliasAddress::DialedDigits("4930".into())));
    assert_eq!(
        r.call_signal_address,
        vec![TransportAddress::from_socket_addr(h323_addr(&server))]
    );
    assert_eq!(r.time_to_live().unwrap().unwrap(), 4);

    // Admin API and metrics show the registration.
    let (status, body) = admin_get(&server, admin, "/v1/h323/gatekeeper");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("\"state\":\"registered\""), "{body}");
    assert!(body.contains(ENDPOINT_ID), "{body}");
    let (_, metrics) = admin_get(&server, admin, "/metrics");
    assert!(
        metrics
            .lines()
            .any(|l| l == "roomgate_h323_gatekeeper_registered 1"),
        "{metrics}"
    );

    // Keep-alive: a lightweight RRQ within the 4 s time to live (at three quarters).
    let n = gk.seen().len();
    let ka = gk
        .wait_for(n, Duration::from_secs(5), |m| is_rrq(m, true))
        .expect("a keep-alive RRQ");
    assert!(ka.at.duration_since(rrq.at) < Duration::from_secs(4));
    let RasMessage::RegistrationRequest(k) = &ka.msg else {
        unreachable!()
    };
    assert_eq!(
        k.endpoint_identifier().unwrap().unwrap(),
        ENDPOINT_ID,
        "{k:?}"
    );

    // The next keep-alive is refused as fullRegistrationRequired (a restarted gatekeeper):
    // a full RRQ follows at once.
    gk.set(|p| p.reject_next_keep_alive = true);
    let n = gk.seen().len();
    let refused = gk
        .wait_for(n, Duration::from_secs(5), |m| is_rrq(m, true))
        .expect("second keep-alive");
    let full = gk
        .wait_for(n, Duration::from_secs(2), |m| is_rrq(m, false))
        .expect("a full RRQ after the refusal");
    assert!(full.at.duration_since(refused.at) < Duration::from_secs(1));

    // IRQ → IRR to the reply address.
    let n = gk.seen().len();
    gk.irq(777);
    let irr = gk
        .wait_for(n, WAIT, |m| matches!(m, RasMessage::InfoRequestResponse(_)))
        .expect("IRR");
    assert_eq!(irr.msg.request_seq_num(), Some(777));

    // URQ from the gatekeeper: UCF, then a new full registration.
    let n = gk.seen().len();
    gk.urq(778);
    gk.wait_for(
        n,
        WAIT,
        |m| matches!(m, RasMessage::UnregistrationConfirm(u) if u.request_seq_num == 778),
    )
    .expect("UCF");
    gk.wait_for(n, WAIT, |m| is_rrq(m, false))
        .expect("RRQ after the URQ");
    std::thread::sleep(Duration::from_millis(200));

    // Stopping: URQ before the process ends.
    let n = gk.seen().len();
    server.process.terminate();
    let status = server.process.wait_timeout(Duration::from_secs(20));
    assert!(status.is_some(), "gateway did not stop:\n{}", server.log());
    let urq = gk
        .wait_for(n, Duration::from_secs(1), |m| {
            matches!(m, RasMessage::UnregistrationRequest(_))
        })
        .expect("URQ on stop");
    let RasMessage::UnregistrationRequest(u) = &urq.msg else {
        unreachable!()
    };
    assert_eq!(u.endpoint_identifier.as_deref(), Some(ENDPOINT_ID));
    assert!(server
        .log()
        .contains("unregistered from the H.323 gatekeeper"));

    let ours: Vec<Seen> = gk
        .seen()
        .into_iter()
        .filter(|s| s.msg.request_seq_num().is_some())
        .collect();
    assert_tshark_dissects(&ours);
}

#[test]
fn h323_calls_are_admitted_disengaged_or_refused_by_the_gatekeeper() {
    let gk = TestGatekeeper::start(Policy::default());
    let admin = free_port();
    let server = gateway(gk.addr, "request_timeout_ms = 500\n", admin);
    registered(&gk);
    let to = h323_addr(&server);

    // Admitted: the room reaches the echo meeting; the ARQ names its call.
    let n = gk.seen().len();
    call_meeting(to, "1001", 0x31, Duration::from_millis(300))
        .unwrap_or_else(|c| panic!("admitted call failed with {c}:\n{}", server.log()));
    let arq = gk
        .wait_for(n, WAIT, |m| matches!(m, RasMessage::AdmissionRequest(_)))
        .expect("ARQ");
    let RasMessage::AdmissionRequest(a) = &arq.msg else {
        unreachable!()
    };
    assert!(a.answer_call);
    assert_eq!(a.endpoint_identifier, ENDPOINT_ID);
    assert_eq!(a.call_identifier().unwrap().unwrap().guid, [0x31; 16]);
    assert_eq!(a.call_reference_value, 0x31 + 100);
    // Hung up: DRQ for the same call.
    let drq = gk
        .wait_for(n, WAIT, |m| matches!(m, RasMessage::DisengageRequest(_)))
        .unwrap_or_else(|| panic!("no DRQ:\n{}", server.log()));
    let RasMessage::DisengageRequest(d) = &drq.msg else {
        unreachable!()
    };
    assert_eq!(d.call_identifier().unwrap().unwrap().guid, [0x31; 16]);
    assert!(d.answered_call().unwrap().unwrap());

    // Request in progress: the ACF comes 1.5 s later (three request timeouts): admitted.
    gk.set(|p| p.rip = Some(Duration::from_millis(1500)));
    let n = gk.seen().len();
    call_meeting(to, "1001", 0x32, Duration::from_millis(100))
        .unwrap_or_else(|c| panic!("call after RIP failed with {c}:\n{}", server.log()));
    let arqs = gk
        .seen()
        .into_iter()
        .skip(n)
        .filter(|s| matches!(s.msg, RasMessage::AdmissionRequest(_)))
        .count();
    assert_eq!(arqs, 1, "RIP: the ARQ was not retransmitted");

    // Refused: Release Complete with "call rejected", no call.
    gk.set(|p| {
        p.rip = None;
        p.reject_admissions = true;
    });
    assert_eq!(call_meeting(to, "1001", 0x33, Duration::ZERO), Err(21));
    let (_, body) = admin_get(&server, admin, "/v1/calls");
    assert_eq!(body.trim(), "[]", "{body}");
    let (_, metrics) = admin_get(&server, admin, "/metrics");
    assert!(
        metrics
            .lines()
            .any(|l| l == "roomgate_h323_admissions_total{outcome=\"refused\"} 1"),
        "{metrics}"
    );

    let ours: Vec<Seen> = gk
        .seen()
        .into_iter()
        .filter(|s| s.msg.request_seq_num().is_some())
        .collect();
    assert_tshark_dissects(&ours);
}

#[test]
fn a_meetings_h323_upstream_is_called_where_the_acf_points() {
    // The ACF sends the gateway to this listener, not to the meeting's own (dead) address.
    let mcu = TcpListener::bind("127.0.0.1:0").unwrap();
    let mcu_addr = mcu.local_addr().unwrap();
    let gk = TestGatekeeper::start(Policy {
        acf_dest: Some(mcu_addr),
        ..Policy::default()
    });
    let server = gateway(gk.addr, "", free_port());
    registered(&gk);
    let dead = free_port();
    common::add_meeting(
        &server,
        &[
            "2000",
            "--upstream",
            &format!("h323:200@127.0.0.1:{dead}"),
            "--srtp",
            "off",
        ],
    );

    let peer = UdpPeer::bind(LOCALHOST);
    let local = peer.local();
    let gw = server.udp;
    let sdp = "v=0\r\no=room 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
               m=audio 40200 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    let invite = format!(
        "INVITE sip:2000@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKgk1;rport\r\n\
         From: <sip:5551234@{local}>;tag=rgk\r\nTo: <sip:2000@{gw}>\r\n\
         Call-ID: gk-upstream-1\r\nCSeq: 1 INVITE\r\nContact: <sip:room@{local}>\r\n\
         Max-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    peer.send(gw, invite.as_bytes());

    let arq = gk
        .wait_for(0, WAIT, |m| matches!(m, RasMessage::AdmissionRequest(_)))
        .unwrap_or_else(|| panic!("no ARQ:\n{}", server.log()));
    let RasMessage::AdmissionRequest(a) = &arq.msg else {
        unreachable!()
    };
    assert!(!a.answer_call);
    assert_eq!(
        a.destination_info.as_deref(),
        Some(&[AliasAddress::DialedDigits("200".into())][..])
    );
    // The Setup arrives where the ACF pointed, for the alias dialled, as the ARQ's call.
    mcu.set_nonblocking(false).unwrap();
    let (mut conn, _) = {
        let (tx, rx) = std::sync::mpsc::channel();
        let l = mcu.try_clone().unwrap();
        std::thread::spawn(move || {
            let _ = tx.send(l.accept());
        });
        rx.recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("no connection to the ACF's address:\n{}", server.log()))
            .unwrap()
    };
    conn.set_read_timeout(Some(WAIT)).unwrap();
    let mut decoder = TpktDecoder::default();
    let mut buf = [0u8; 4096];
    let payload = loop {
        let n = conn.read(&mut buf).unwrap();
        assert!(n > 0, "closed before a Setup");
        decoder.push(&buf[..n]);
        if let Ok(Some(p)) = decoder.next_payload() {
            break p;
        }
    };
    let q931 = Message::decode(&payload).unwrap();
    let uu = UserInformation::decode(&q931.user_user().unwrap().data).unwrap();
    let MessageBody::Setup(setup) = uu.body() else {
        panic!("not a Setup: {uu:?}")
    };
    assert_eq!(
        setup.destination_address.as_deref(),
        Some(&[AliasAddress::DialedDigits("200".into())][..])
    );
    assert_eq!(
        setup.call_identifier().and_then(Result::ok).map(|c| c.guid),
        a.call_identifier().and_then(Result::ok).map(|c| c.guid)
    );
}

#[test]
fn an_alternate_gatekeeper_takes_over_when_the_first_stops_answering() {
    let alt = TestGatekeeper::start(Policy::default());
    // Confirms discovery (listing the alternate), then never answers a registration.
    let first = TestGatekeeper::start(Policy {
        alternates: vec![alt.addr],
        ignore_registrations: true,
        ..Policy::default()
    });
    let admin = free_port();
    let server = gateway(first.addr, "request_timeout_ms = 300\nretries = 1\n", admin);
    first
        .wait_for(0, WAIT, |m| matches!(m, RasMessage::GatekeeperRequest(_)))
        .expect("GRQ");
    let tries = first.wait_for(0, WAIT, |m| is_rrq(m, false)).expect("RRQ");
    let rrq = alt
        .wait_for(0, WAIT, |m| is_rrq(m, false))
        .unwrap_or_else(|| panic!("no RRQ at the alternate:\n{}", server.log()));
    // Two tries 300 ms apart at the first, then the alternate.
    let at_first = first
        .seen()
        .iter()
        .filter(|s| is_rrq(&s.msg, false))
        .count();
    assert_eq!(at_first, 2);
    assert!(rrq.at.duration_since(tries.at) >= Duration::from_millis(500));
    let RasMessage::RegistrationRequest(r) = &rrq.msg else {
        unreachable!()
    };
    assert_eq!(r.gatekeeper_identifier.as_deref(), Some("AltGK0"));
    std::thread::sleep(Duration::from_millis(300));
    let (_, body) = admin_get(&server, admin, "/v1/h323/gatekeeper");
    assert!(body.contains("\"state\":\"registered\""), "{body}");
    assert!(body.contains(&alt.addr.to_string()), "{body}");
}
