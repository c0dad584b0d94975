//! What the upstream learns of the caller and of the path: P-Asserted-Identity only toward an
//! upstream we trust (RFC 3325), and Max-Forwards carried over from the room (RFC 3261
//! §16.6, RFC 7332).

use super::sip_text::{pcmu, room_invite, room_invite_hops};
use super::*;

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
