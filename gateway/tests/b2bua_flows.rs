//! The B2BUA with real SIP peers on loopback: sipp plays the room system and the cloud
//! meeting (a plain-RTP meeting, since sipp 3.6 has no SRTP), or a raw UDP socket plays the
//! room where the exact status matters. The gateway runs in-process on real sockets with a
//! fixed set of meetings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::inproc::route;
use common::inproc::Gateway;
use common::{free_port, header, status_of, unique, Sipp, UdpPeer, LOCALHOST};
use roomgate_sip::sdp::offer_answer::SrtpPolicy;

const LIMIT: Duration = Duration::from_secs(40);

fn invite(peer: &UdpPeer, to: SocketAddr, user: &str, call_id: &str, sdp: &str) -> String {
    let local = peer.local();
    format!(
        "INVITE sip:{user}@{to} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{call_id};rport\r\n\
         From: \"Room\" <sip:room@{local}>;tag=r{call_id}\r\nTo: <sip:{user}@{to}>\r\n\
         Call-ID: {call_id}\r\nCSeq: 1 INVITE\r\nContact: <sip:room@{local}>\r\nMax-Forwards: 70\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
}

/// The CANCEL for an INVITE we sent (same Via branch, CSeq number, no body).
fn cancel_for(invite: &str) -> String {
    invite
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .replacen("INVITE sip:", "CANCEL sip:", 1)
        .replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL")
        .replace("Content-Type: application/sdp\r\n", "")
        .lines()
        .filter(|l| !l.starts_with("Content-Length"))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\nContent-Length: 0\r\n\r\n"
}

fn pcmu_offer(port: u16) -> String {
    format!(
        "v=0\r\no=room 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
    )
}

/// Final status of a room INVITE sent from a raw socket (1xx skipped).
fn room_status(gw: &Gateway, user: &str, sdp: &str, limit: Duration) -> (u16, String) {
    let peer = UdpPeer::bind(LOCALHOST);
    let id = unique("room");
    let req = invite(&peer, gw.udp, user, &id, sdp);
    let resp = peer
        .transact(gw.udp, &req, limit)
        .unwrap_or_else(|| panic!("no final response to the INVITE for {user}"));
    (status_of(&resp).unwrap(), resp)
}

#[test]
fn room_call_is_bridged_to_the_cloud_and_hung_up_on_both_legs() {
    bridged_and_hung_up("cloud_uas.xml", &["127.0.0.1"]);
}

/// An upstream outside `trusted_upstreams` gets the caller in From only (RFC 3325).
#[test]
fn an_untrusted_cloud_gets_no_asserted_identity() {
    bridged_and_hung_up("cloud_uas_untrusted.xml", &["cloud.example.com"]);
}

/// Three room calls (SIPp room_call.xml) to a SIPp cloud running `cloud_scenario`, with
/// `trusted` as the gateway's trusted upstreams.
fn bridged_and_hung_up(cloud_scenario: &str, trusted: &[&str]) {
    let cloud_port = free_port();
    let cloud = Sipp::uas(cloud_scenario, cloud_port)
        .args(&["-m", "3", "-mp", &common::sipp_media_port().to_string()])
        .spawn();
    let gw = Gateway::start(
        &[("2000", format!("sip:meeting@127.0.0.1:{cloud_port}"))],
        |c| c.gateway.trusted_upstreams = trusted.iter().map(|t| (*t).to_owned()).collect(),
    );
    let room = Sipp::new("room_call.xml", gw.udp)
        .args(&[
            "-s",
            "2000",
            "-m",
            "3",
            "-r",
            "3",
            "-d",
            "300",
            "-mp",
            &common::sipp_media_port().to_string(),
        ])
        .run(LIMIT);
    let cloud = cloud.wait(LIMIT);
    assert_eq!(
        room.code,
        Some(0),
        "{}\n=== cloud:\n{}",
        room.report(),
        cloud.report()
    );
    cloud.assert_success();
    let tu = gw.stop();
    let stats = tu.calls.as_ref().unwrap().stats();
    assert_eq!(stats.started, 3);
    assert_eq!(stats.connected, 3);
    assert_eq!(stats.ended, 3);
    assert!(tu.calls.unwrap().is_empty());
}

#[test]
fn cloud_refusal_reaches_the_room_with_the_meaningful_status() {
    let cloud_port = free_port();
    let cloud = Sipp::uas("cloud_busy.xml", cloud_port)
        .args(&["-m", "1"])
        .spawn();
    let gw = Gateway::start(
        &[("2001", format!("sip:meeting@127.0.0.1:{cloud_port}"))],
        |_| {},
    );
    let (code, _) = room_status(&gw, "2001", &pcmu_offer(30000), Duration::from_secs(10));
    assert_eq!(code, 486, "busy passes through");
    cloud.wait(LIMIT).assert_success();
    let stats = gw.stop().calls.unwrap().stats();
    assert_eq!(stats.cloud_failed, 1);
    assert_eq!(stats.connected, 0);
}

#[test]
fn silent_cloud_gets_cancelled_and_the_room_504() {
    // Nothing listens: the INVITE goes out and nothing ever answers.
    let silent = std::net::UdpSocket::bind((LOCALHOST, 0)).unwrap();
    let port = silent.local_addr().unwrap().port();
    let gw = Gateway::start(&[("2002", format!("sip:meeting@127.0.0.1:{port}"))], |c| {
        c.gateway.setup_timeout_s = 2;
    });
    let started = Instant::now();
    let (code, _) = room_status(&gw, "2002", &pcmu_offer(30000), Duration::from_secs(10));
    assert_eq!(code, 504);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(6),
        "504 after the 2 s setup timeout, took {took:?}"
    );
    // The cloud did receive the INVITE (and retransmissions).
    let mut buf = [0u8; 4096];
    silent
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let (n, _) = silent.recv_from(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"INVITE sip:meeting@127.0.0.1"));
    gw.stop();
}

#[test]
fn room_cancel_cancels_the_cloud_invite() {
    let cloud_port = free_port();
    let cloud = Sipp::uas("cloud_ringing_cancel.xml", cloud_port)
        .args(&["-m", "1"])
        .spawn();
    let gw = Gateway::start(
        &[("2003", format!("sip:meeting@127.0.0.1:{cloud_port}"))],
        |_| {},
    );
    let peer = UdpPeer::bind(LOCALHOST);
    let id = unique("cancel");
    let req = invite(&peer, gw.udp, "2003", &id, &pcmu_offer(30000));
    peer.send(gw.udp, req.as_bytes());
    // Wait for the 180 the cloud's ringing turns into.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut ringing = false;
    while let Some(r) = peer.response_for(&id, deadline) {
        if status_of(&r) == Some(180) {
            ringing = true;
            break;
        }
    }
    assert!(ringing, "the room hears ringing");
    let cancel = cancel_for(&req);
    peer.send(gw.udp, cancel.as_bytes());
    let mut codes = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while let Some(r) = peer.response_for(&id, deadline) {
        let code = status_of(&r).unwrap();
        codes.push((code, header(&r, "CSeq").unwrap().to_owned()));
        if code == 487 {
            break;
        }
    }
    assert!(codes.contains(&(200, "1 CANCEL".to_owned())), "{codes:?}");
    assert!(codes.contains(&(487, "1 INVITE".to_owned())), "{codes:?}");
    cloud.wait(LIMIT).assert_success();
    assert_eq!(gw.stop().calls.unwrap().stats().connected, 0);
}

#[test]
fn unknown_meetings_bad_sdp_and_refused_media_get_their_statuses() {
    let gw = Gateway::start(&[("2004", "sip:meeting@127.0.0.1:9".to_owned())], |c| {
        c.gateway.room_srtp = roomgate::config::SrtpMode::Mandatory;
    });
    // An unknown meeting is treated like one with a PIN (no existence leak): here its plain
    // offer meets the mandatory SRTP policy first, exactly as for meeting 2004 below.
    assert_eq!(room_status(&gw, "9999", &pcmu_offer(30000), LIMIT).0, 488);
    // A dial string no meeting ID can have says nothing about which meetings exist.
    assert_eq!(room_status(&gw, "bad/id", &pcmu_offer(30000), LIMIT).0, 404);
    let (code, resp) = room_status(&gw, "2004", "v=0\r\nthis is not sdp\r\n", LIMIT);
    assert_eq!(code, 488);
    assert!(
        header(&resp, "Warning").unwrap().contains("malformed SDP"),
        "{resp}"
    );
    // Mandatory SRTP toward rooms: a plain offer is refused before the cloud is called.
    let (code, resp) = room_status(&gw, "2004", &pcmu_offer(30000), LIMIT);
    assert_eq!(code, 488, "{resp}");
    // An offer with only a suite we do not run.
    let f8 = "v=0\r\no=r 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
              m=audio 30000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
    assert_eq!(room_status(&gw, "2004", f8, LIMIT).0, 488);
    let stats = gw.stop().calls.unwrap().stats();
    assert_eq!(stats.refused_unknown, 1);
    assert_eq!(stats.refused_media, 4);
    assert_eq!(stats.started, 0, "nothing was placed upstream");
}

#[test]
fn cloud_hangup_reaches_the_room() {
    let cloud_port = free_port();
    let cloud = Sipp::uas("cloud_hangs_up.xml", cloud_port)
        .args(&[
            "-m",
            "1",
            "-d",
            "500",
            "-mp",
            &common::sipp_media_port().to_string(),
        ])
        .spawn();
    let gw = Gateway::start(
        &[("2005", format!("sip:meeting@127.0.0.1:{cloud_port}"))],
        |_| {},
    );
    let peer = UdpPeer::bind(LOCALHOST);
    let id = unique("hup");
    let req = invite(&peer, gw.udp, "2005", &id, &pcmu_offer(30000));
    let ok = peer
        .transact(gw.udp, &req, Duration::from_secs(10))
        .unwrap();
    assert_eq!(status_of(&ok), Some(200));
    assert!(ok.contains("m=audio "), "answer in the 200");
    // Transcoding: the room offered only PCMU, the cloud answered only PCMA.
    assert!(ok.contains("RTP/AVP 0"), "{ok}");
    let to = header(&ok, "To").unwrap().to_owned();
    let ack = format!(
        "ACK sip:roomgate@{} SIP/2.0\r\nVia: SIP/2.0/UDP {};branch=z9hG4bK{id}ack\r\n\
         From: \"Room\" <sip:room@{}>;tag=r{id}\r\nTo: {to}\r\nCall-ID: {id}\r\nCSeq: 1 ACK\r\n\
         Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        gw.udp,
        peer.local(),
        peer.local()
    );
    peer.send(gw.udp, ack.as_bytes());
    // The cloud hangs up after 500 ms: the room gets a BYE in its dialog.
    let deadline = Instant::now() + Duration::from_secs(10);
    let bye = loop {
        let m = peer.recv_until(deadline).expect("a BYE for the room");
        if m.starts_with("BYE ") {
            break m;
        }
    };
    assert_eq!(header(&bye, "Call-ID"), Some(id.as_str()));
    assert!(header(&bye, "From")
        .unwrap()
        .contains(to.split("tag=").nth(1).unwrap()));
    cloud.wait(LIMIT).assert_success();
    let tu = gw.stop();
    let calls = tu.calls.unwrap();
    assert_eq!(calls.stats().ended, 1);
}

/// An in-dialog request from the room (CSeq `cseq`, To with the gateway's tag).
fn in_dialog(
    peer: &UdpPeer,
    gw: SocketAddr,
    method: &str,
    id: &str,
    to: &str,
    cseq: u32,
    sdp: Option<&str>,
) -> String {
    let local = peer.local();
    let (ctype, body) = match sdp {
        Some(b) => ("Content-Type: application/sdp\r\n", b),
        None => ("", ""),
    };
    format!(
        "{method} sip:roomgate@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{id}{cseq}{method}\r\n\
         From: \"Room\" <sip:room@{local}>;tag=r{id}\r\nTo: {to}\r\nCall-ID: {id}\r\nCSeq: {cseq} {method}\r\n\
         Contact: <sip:room@{local}>\r\nMax-Forwards: 70\r\n{ctype}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn room_hold_is_answered_locally_and_mirrored_to_the_cloud() {
    let cloud_port = free_port();
    let cloud = Sipp::uas("cloud_hold.xml", cloud_port)
        .args(&["-m", "1", "-mp", &common::sipp_media_port().to_string()])
        .spawn();
    let gw = Gateway::start(
        &[("2006", format!("sip:meeting@127.0.0.1:{cloud_port}"))],
        |_| {},
    );
    let peer = UdpPeer::bind(LOCALHOST);
    let id = unique("hold");
    // RFC 4028: the room asks for a 90 s session and to refresh it itself.
    let with_timer = invite(&peer, gw.udp, "2006", &id, &pcmu_offer(30000)).replacen(
        "Max-Forwards: 70\r\n",
        "Max-Forwards: 70\r\nSupported: timer\r\nSession-Expires: 90;refresher=uac\r\n",
        1,
    );
    let ok = peer
        .transact(gw.udp, &with_timer, Duration::from_secs(10))
        .unwrap();
    assert_eq!(status_of(&ok), Some(200));
    assert_eq!(
        header(&ok, "Session-Expires"),
        Some("90;refresher=uac"),
        "{ok}"
    );
    assert_eq!(header(&ok, "Require"), Some("timer"), "{ok}");
    let to = header(&ok, "To").unwrap().to_owned();
    let send = |method: &str, cseq: u32, sdp: Option<&str>| {
        in_dialog(&peer, gw.udp, method, &id, &to, cseq, sdp)
    };
    peer.send(gw.udp, send("ACK", 1, None).as_bytes());
    // Hold: the same offer, sendonly, new version.
    let hold = pcmu_offer(30000).replace("o=room 1 1", "o=room 1 2") + "a=sendonly\r\n";
    let answer = peer
        .transact(
            gw.udp,
            &send("INVITE", 2, Some(&hold)),
            Duration::from_secs(10),
        )
        .unwrap();
    assert_eq!(status_of(&answer), Some(200), "{answer}");
    assert!(
        answer.contains("a=recvonly"),
        "hold answered recvonly: {answer}"
    );
    peer.send(gw.udp, send("ACK", 2, None).as_bytes());
    std::thread::sleep(Duration::from_millis(500));
    // Resume, and change codec: the room now offers only PCMA. The answer takes it (the
    // bridge now transcodes to the cloud's PCMU) and the resume is mirrored.
    let resume = "v=0\r\no=room 1 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                  m=audio 30000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";
    let answer = peer
        .transact(
            gw.udp,
            &send("INVITE", 3, Some(resume)),
            Duration::from_secs(10),
        )
        .unwrap();
    assert_eq!(status_of(&answer), Some(200), "{answer}");
    assert!(answer.contains(" RTP/AVP 8\r\n"), "PCMA taken: {answer}");
    assert!(answer.contains("a=sendrecv"), "{answer}");
    peer.send(gw.udp, send("ACK", 3, None).as_bytes());
    std::thread::sleep(Duration::from_millis(500));
    let bye = peer
        .transact(gw.udp, &send("BYE", 4, None), Duration::from_secs(10))
        .unwrap();
    assert_eq!(status_of(&bye), Some(200));
    cloud.wait(LIMIT).assert_success();
    assert_eq!(gw.stop().calls.unwrap().stats().ended, 1);
}

#[test]
fn above_max_calls_invites_get_503_with_retry_after() {
    let cloud_port = free_port();
    // The first call rings at the cloud (and is cancelled at the end).
    let cloud = Sipp::uas("cloud_ringing_cancel.xml", cloud_port)
        .args(&["-m", "1"])
        .spawn();
    let gw = Gateway::start(
        &[("2007", format!("sip:meeting@127.0.0.1:{cloud_port}"))],
        |c| {
            c.gateway.max_calls = 1;
        },
    );
    let first = UdpPeer::bind(LOCALHOST);
    let id = unique("first");
    let req = invite(&first, gw.udp, "2007", &id, &pcmu_offer(30000));
    first.send(gw.udp, req.as_bytes());
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Some(r) = first.response_for(&id, deadline) {
        if status_of(&r) == Some(180) {
            break;
        }
    }
    let (code, resp) = room_status(&gw, "2007", &pcmu_offer(30002), Duration::from_secs(5));
    assert_eq!(code, 503, "{resp}");
    assert!(header(&resp, "Retry-After").is_some(), "{resp}");
    // The first call is unaffected and can still be cancelled cleanly.
    let cancel = cancel_for(&req);
    first.send(gw.udp, cancel.as_bytes());
    let mut got_487 = false;
    let deadline = Instant::now() + Duration::from_secs(5);
    while let Some(r) = first.response_for(&id, deadline) {
        if status_of(&r) == Some(487) {
            got_487 = true;
            break;
        }
    }
    assert!(got_487);
    cloud.wait(LIMIT).assert_success();
    assert_eq!(gw.stop().calls.unwrap().stats().refused_capacity, 1);
}

#[test]
fn upstream_digest_credentials_are_sent_after_a_challenge() {
    let cloud_port = free_port();
    let cloud = Sipp::uas("cloud_digest.xml", cloud_port)
        .args(&["-m", "1", "-mp", &common::sipp_media_port().to_string()])
        .spawn();
    let mut routes = HashMap::new();
    routes.insert(
        "2008".to_owned(),
        roomgate::call::MeetingRoute {
            credentials: Some(("gw-user".into(), "s3cret-cloud".into())),
            ..route(
                &format!("sip:meeting@127.0.0.1:{cloud_port}"),
                SrtpPolicy::Off,
            )
        },
    );
    let gw = Gateway::start_routes(routes, |_| {});
    let peer = UdpPeer::bind(LOCALHOST);
    let id = unique("digest");
    let ok = peer
        .transact(
            gw.udp,
            &invite(&peer, gw.udp, "2008", &id, &pcmu_offer(30000)),
            Duration::from_secs(10),
        )
        .unwrap();
    assert_eq!(
        status_of(&ok),
        Some(200),
        "the cloud accepted our credentials: {ok}"
    );
    let to = header(&ok, "To").unwrap().to_owned();
    peer.send(
        gw.udp,
        in_dialog(&peer, gw.udp, "ACK", &id, &to, 1, None).as_bytes(),
    );
    let bye = peer
        .transact(
            gw.udp,
            &in_dialog(&peer, gw.udp, "BYE", &id, &to, 2, None),
            Duration::from_secs(10),
        )
        .unwrap();
    assert_eq!(status_of(&bye), Some(200));
    let run = cloud.wait(LIMIT);
    run.assert_success();
    assert!(
        run.messages
            .contains("Authorization: Digest username=\"gw-user\""),
        "{}",
        run.report()
    );
    assert!(
        !run.messages.contains("s3cret-cloud"),
        "the password never goes on the wire"
    );
    gw.stop();
}

#[test]
fn delayed_offer_room_gets_our_offer_and_answers_in_the_ack() {
    let cloud_port = free_port();
    let cloud = Sipp::uas("cloud_hangs_up.xml", cloud_port)
        .args(&[
            "-m",
            "1",
            "-d",
            "2500",
            "-mp",
            &common::sipp_media_port().to_string(),
        ])
        .spawn();
    let gw = Gateway::start(
        &[("2009", format!("sip:meeting@127.0.0.1:{cloud_port}"))],
        |_| {},
    );
    let peer = UdpPeer::bind(LOCALHOST);
    let id = unique("late");
    // No SDP in the INVITE (delayed offer).
    let req =
        invite(&peer, gw.udp, "2009", &id, "").replace("Content-Type: application/sdp\r\n", "");
    peer.send(gw.udp, req.as_bytes());
    // The 200 carries our offer; without an ACK it is retransmitted (T1 = 100 ms here).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut oks = Vec::new();
    while let Some(r) = peer.response_for(&id, deadline) {
        if status_of(&r) == Some(200) {
            oks.push(r);
            if oks.len() == 3 {
                break;
            }
        }
    }
    assert_eq!(oks.len(), 3, "the 200 is retransmitted until the ACK");
    let ok = &oks[0];
    assert!(
        ok.contains("o=roomgate ") && ok.contains("m=audio "),
        "an offer: {ok}"
    );
    assert!(
        ok.contains("a=rtpmap:8 PCMA/8000"),
        "the cloud's codec offered first: {ok}"
    );
    let to = header(ok, "To").unwrap().to_owned();
    let offered_port = ok
        .lines()
        .find(|l| l.starts_with("m=audio "))
        .and_then(|l| l.split(' ').nth(1))
        .unwrap();
    assert_ne!(offered_port, "0");
    let answer = "v=0\r\no=room 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                  m=audio 30000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";
    peer.send(
        gw.udp,
        in_dialog(&peer, gw.udp, "ACK", &id, &to, 1, Some(answer)).as_bytes(),
    );
    // The ACK stops the retransmissions; the cloud hangs up later and the room hears of it.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut late_oks = 0;
    let bye = loop {
        let m = peer.recv_until(deadline).expect("a BYE for the room");
        if m.starts_with("BYE ") {
            break m;
        }
        if status_of(&m) == Some(200) {
            late_oks += 1;
        }
    };
    assert!(
        late_oks <= 1,
        "retransmissions stop at the ACK ({late_oks} after it)"
    );
    assert_eq!(header(&bye, "Call-ID"), Some(id.as_str()));
    cloud.wait(LIMIT).assert_success();
    let stats = gw.stop().calls.unwrap().stats();
    assert_eq!((stats.connected, stats.ended), (1, 1));
}

#[test]
fn trunk_policy_applies_to_its_sources_only() {
    let cloud_port = free_port();
    let cloud = Sipp::uas("cloud_busy.xml", cloud_port)
        .args(&["-m", "1"])
        .spawn();
    let gw = Gateway::start(
        &[("2010", format!("sip:meeting@127.0.0.1:{cloud_port}"))],
        |c| {
            c.gateway.trunks = vec![roomgate::config::TrunkConfig {
                name: "pbx".into(),
                sources: vec![common::loopback(3)],
                srtp: roomgate::config::SrtpMode::Mandatory,
                suites: vec![],
            }];
        },
    );
    let status_from = |ip| {
        let peer = UdpPeer::bind(ip);
        let id = unique("trunk");
        let req = invite(&peer, gw.udp, "2010", &id, &pcmu_offer(30000));
        status_of(
            &peer
                .transact(gw.udp, &req, Duration::from_secs(10))
                .unwrap(),
        )
        .unwrap()
    };
    // The trunk (127.0.0.3) must use SRTP: its plain offer is refused before the cloud.
    assert_eq!(status_from(common::loopback(3)), 488);
    // Anyone else gets the default (optional) policy: the call goes up (and the cloud is busy).
    assert_eq!(status_from(common::loopback(2)), 486);
    cloud.wait(LIMIT).assert_success();
    let stats = gw.stop().calls.unwrap().stats();
    assert_eq!((stats.refused_media, stats.started), (1, 1));
}
