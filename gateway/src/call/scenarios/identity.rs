//! What the upstream learns of the caller: P-Asserted-Identity only toward an upstream we
//! trust (RFC 3325).

use super::sip_text::{pcmu, room_invite};
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
