//! What the upstream learns of the caller and of the path: P-Asserted-Identity only toward an
//! upstream we trust (RFC 3325), Max-Forwards carried over from the room (RFC 3261 §16.6,
//! RFC 7332), and a meeting whose upstream leads back into this gateway refused 482 on its
//! second pass instead of multiplying until `max_calls`.

use super::sip_text::{pcmu, room_invite, room_invite_hops};
use super::*;

/// A meeting whose upstream is this gateway itself, dialling the same meeting again.
const LOOPED: &str = "5005";

fn looped_world() -> World {
    World::with(|s| {
        let me = format!("sip:{LOOPED}@{GW}");
        s.meetings
            .insert(LOOPED.into(), route(&me, SrtpPolicy::Off, false));
    })
}

/// The INVITE the cloud gets when the room calls the open meeting with `invite`.
fn cloud_invite(w: &mut World, invite: &str) -> Sip {
    w.send(ROOM, invite);
    w.request(CLOUD, "INVITE")
}

#[test]
fn an_untrusted_upstream_gets_from_but_no_asserted_identity() {
    let mut w = World::new();
    let inv = cloud_invite(
        &mut w,
        &room_invite("pai-1", OPEN, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    assert_eq!(
        inv.header("P-Asserted-Identity"),
        None,
        "identity asserted to an upstream outside the trust domain:\n{inv:?}"
    );
    let from = inv.header("From").unwrap_or_default();
    assert!(
        from.starts_with("\"Room\" <sip:room@gw.example>;tag="),
        "From still names the caller in our domain: {from}"
    );
}

#[test]
fn a_trusted_upstream_gets_the_asserted_identity() {
    let mut w = World::with(|s| {
        s.settings.trusted_upstreams = vec!["cloud.example.com".into(), "203.0.113.5".into()];
    });
    let inv = cloud_invite(
        &mut w,
        &room_invite("pai-2", OPEN, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    assert_eq!(
        inv.header("P-Asserted-Identity").as_deref(),
        Some("\"Room\" <sip:room@gw.example>"),
        "{inv:?}"
    );
    // Another upstream of the same gateway is not trusted because this one is.
    let mut w = World::with(|s| s.settings.trusted_upstreams = vec!["203.0.113.6".into()]);
    let inv = cloud_invite(
        &mut w,
        &room_invite("pai-3", OPEN, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    assert_eq!(inv.header("P-Asserted-Identity"), None, "{inv:?}");
}

#[test]
fn max_forwards_toward_the_upstream_is_the_rooms_minus_one_capped_at_70() {
    let mut w = World::new();
    let sdp = pcmu(1, ROOM_RTP);
    let inv = cloud_invite(
        &mut w,
        &room_invite_hops("mf-1", OPEN, Some(&sdp), "12", ""),
    );
    assert_eq!(inv.header("Max-Forwards").as_deref(), Some("11"), "{inv:?}");
    let inv = cloud_invite(
        &mut w,
        &room_invite_hops("mf-2", OPEN, Some(&sdp), "255", ""),
    );
    assert_eq!(inv.header("Max-Forwards").as_deref(), Some("70"), "{inv:?}");
    let inv = cloud_invite(&mut w, &room_invite_hops("mf-3", OPEN, Some(&sdp), "1", ""));
    assert_eq!(inv.header("Max-Forwards").as_deref(), Some("0"), "{inv:?}");
}

#[test]
fn a_room_invite_with_no_hops_left_is_483_and_nothing_goes_upstream() {
    let mut w = World::new();
    let sdp = pcmu(1, ROOM_RTP);
    w.send(ROOM, &room_invite_hops("mf-0", OPEN, Some(&sdp), "0", ""));
    let r = w.final_response(ROOM);
    assert_eq!(r.status(), Some(483), "{r:?}");
    assert!(!w.has_request(CLOUD, "INVITE"), "{}", w.trace());
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn an_absurd_max_forwards_is_a_bad_request_not_a_call() {
    let mut w = World::new();
    let sdp = pcmu(1, ROOM_RTP);
    for (i, mf) in ["4294967296", "abc", "-1", "256"].iter().enumerate() {
        w.send(
            ROOM,
            &room_invite_hops(&format!("mf-bad-{i}"), OPEN, Some(&sdp), mf, ""),
        );
        let r = w.final_response(ROOM);
        assert_eq!(r.status(), Some(400), "Max-Forwards {mf}: {r:?}");
    }
    assert!(!w.has_request(CLOUD, "INVITE"), "{}", w.trace());
    assert_eq!(w.live_calls(), 0);
}

#[test]
fn our_invite_coming_straight_back_is_482_and_one_call_stays() {
    let mut w = looped_world();
    w.send(
        ROOM,
        &room_invite("loop-1", LOOPED, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    let out = w.request(GW, "INVITE");
    // The upstream is this gateway: what it sent arrives at its own SIP port.
    w.send(GW, &out.0);
    let r = w.final_response(GW);
    assert_eq!(r.status(), Some(482), "{r:?}\n{}", w.trace());
    assert!(!w.has_request(GW, "INVITE"), "{}", w.trace());
    assert_eq!(w.live_calls(), 1);
}

/// `invite` as a B2BUA (an SBC in front of the upstream) passes it on: a dialog of its own
/// (Call-ID, From tag, Via, Contact), Max-Forwards one lower, every other header kept.
fn through_b2bua(invite: &Sip, call_id: &str) -> String {
    let (head, body) = invite.0.split_once("\r\n\r\n").unwrap_or((&invite.0, ""));
    let mut out = String::new();
    for (i, line) in head.split("\r\n").enumerate() {
        let name = line
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let line = match name.as_str() {
            _ if i == 0 => line.to_owned(),
            "via" | "v" => format!("Via: SIP/2.0/UDP {CLOUD};branch=z9hG4bK{call_id}"),
            "call-id" | "i" => format!("Call-ID: {call_id}"),
            "contact" | "m" => format!("Contact: <sip:sbc@{CLOUD}>"),
            "from" | "f" => {
                let keep = line.split(";tag=").next().unwrap_or(line);
                format!("{keep};tag=sbc-{call_id}")
            }
            "max-forwards" => {
                let n: u8 = line
                    .split(':')
                    .nth(1)
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or_else(|| panic!("no Max-Forwards in {invite:?}"));
                format!("Max-Forwards: {}", n - 1)
            }
            _ => line.to_owned(),
        };
        out.push_str(&line);
        out.push_str("\r\n");
    }
    format!("{out}\r\n{body}")
}

#[test]
fn our_invite_coming_back_through_a_b2bua_is_482_not_another_call() {
    let mut w = looped_world();
    w.send(
        ROOM,
        &room_invite("loop-2", LOOPED, Some(&pcmu(1, ROOM_RTP)), ""),
    );
    let out = w.request(GW, "INVITE");
    assert_eq!(out.header("Max-Forwards").as_deref(), Some("69"));
    w.send(CLOUD, &through_b2bua(&out, "sbc-leg-1"));
    let r = w.final_response(CLOUD);
    assert_eq!(r.status(), Some(482), "{r:?}\n{}", w.trace());
    assert!(
        !w.has_request(GW, "INVITE"),
        "the loop went round again:\n{}",
        w.trace()
    );
    assert_eq!(w.live_calls(), 1);
}

#[test]
fn loop_tokens_of_earlier_gateways_are_passed_on_and_junk_is_not() {
    let mut w = World::new();
    let earlier = "00112233445566778899aabbccddeeff";
    let extra = format!(
        "Roomgate-Loop: {earlier}, not-a-token!, {}\r\n",
        "a".repeat(300)
    );
    let inv = cloud_invite(
        &mut w,
        &room_invite("tok-1", OPEN, Some(&pcmu(1, ROOM_RTP)), &extra),
    );
    let tokens: Vec<String> = inv
        .header("Roomgate-Loop")
        .unwrap_or_default()
        .split(',')
        .map(|t| t.trim().to_owned())
        .collect();
    assert_eq!(tokens.len(), 2, "the earlier gateway's and ours: {inv:?}");
    assert_eq!(tokens.first().map(String::as_str), Some(earlier));
    assert!(
        tokens
            .iter()
            .all(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit())),
        "{tokens:?}"
    );
}
