//! The RFC 8856 / RFC 4145 tables, one case per row.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use FloorCtrl::{ClientOnly as C, ClientServer as CS, ServerOnly as S};

const BOTH_PREFER_SERVER: RoleCapability = RoleCapability {
    client: true,
    server: true,
    prefer: Role::Server,
};
const BOTH_PREFER_CLIENT: RoleCapability = RoleCapability {
    client: true,
    server: true,
    prefer: Role::Client,
};
const SERVER_ONLY: RoleCapability = RoleCapability {
    client: false,
    server: true,
    prefer: Role::Server,
};
const CLIENT_ONLY: RoleCapability = RoleCapability {
    client: true,
    server: false,
    prefer: Role::Client,
};

#[test]
fn answer_role_table() {
    // RFC 8856 §4: offer c-only → answer s-only; s-only → c-only; c-s → either.
    assert_eq!(answer_role(&[C], SERVER_ONLY).unwrap(), (Role::Server, S));
    assert_eq!(answer_role(&[S], CLIENT_ONLY).unwrap(), (Role::Client, C));
    assert_eq!(
        answer_role(&[CS], BOTH_PREFER_SERVER).unwrap(),
        (Role::Server, S)
    );
    assert_eq!(
        answer_role(&[CS], BOTH_PREFER_CLIENT).unwrap(),
        (Role::Client, C)
    );
    // Preference yields to what the offerer can do.
    assert_eq!(
        answer_role(&[C], BOTH_PREFER_CLIENT).unwrap(),
        (Role::Server, S)
    );
    assert_eq!(
        answer_role(&[S], BOTH_PREFER_SERVER).unwrap(),
        (Role::Client, C)
    );
    // RFC 4583 style list means c-s.
    assert_eq!(
        answer_role(&[C, S], BOTH_PREFER_CLIENT).unwrap(),
        (Role::Client, C)
    );
    // No a=floorctrl: offerer is client, so we must be able to serve.
    assert_eq!(
        answer_role(&[], CLIENT_ONLY).unwrap_err(),
        NegotiationError::NoRole {
            offered: vec![],
            client: true,
            server: false,
        }
    );
    assert_eq!(
        answer_role(&[], BOTH_PREFER_CLIENT).unwrap(),
        (Role::Server, S)
    );
    // Both want the same single role.
    assert!(answer_role(&[C], CLIENT_ONLY).is_err());
    assert!(answer_role(&[S], SERVER_ONLY).is_err());
}

#[test]
fn offer_lists_what_we_can_be() {
    assert_eq!(BOTH_PREFER_SERVER.offer(), [CS]);
    assert_eq!(SERVER_ONLY.offer(), [S]);
    assert_eq!(CLIENT_ONLY.offer(), [C]);
}

#[test]
fn offerer_role_from_the_answer() {
    assert_eq!(offerer_role(&[CS], &[S]).unwrap(), Role::Client);
    assert_eq!(offerer_role(&[CS], &[C]).unwrap(), Role::Server);
    assert_eq!(offerer_role(&[S], &[C]).unwrap(), Role::Server);
    assert_eq!(offerer_role(&[C], &[]).unwrap(), Role::Client);
    assert_eq!(offerer_role(&[], &[]).unwrap(), Role::Client);
    // The answer must pick one role, and one we offered.
    assert!(offerer_role(&[CS], &[CS]).is_err());
    assert!(offerer_role(&[CS], &[C, S]).is_err());
    assert!(offerer_role(&[C], &[C]).is_err());
    assert!(offerer_role(&[S], &[]).is_err());
}

#[test]
fn transport_is_kept_or_refused() {
    let ours = [Transport::Tcp, Transport::TcpTls];
    assert_eq!(
        answer_transport(Transport::TcpTls, &ours).unwrap(),
        Transport::TcpTls
    );
    assert_eq!(
        answer_transport(Transport::Udp, &ours).unwrap_err(),
        NegotiationError::Transport(Transport::Udp)
    );
}

#[test]
fn version_choice() {
    let both = [Version::V1, Version::V2];
    assert_eq!(offer_versions(Transport::Tcp, &both), [1, 2]);
    assert_eq!(offer_versions(Transport::Udp, &both), [2]);
    assert_eq!(
        offer_versions(Transport::TcpTls, &[Version::V2, Version::V1]),
        [1, 2]
    );
    // Highest common.
    assert_eq!(
        answer_version(Transport::Tcp, &[1, 2], &both).unwrap(),
        Version::V2
    );
    assert_eq!(
        answer_version(Transport::Tcp, &[1, 2], &[Version::V1]).unwrap(),
        Version::V1
    );
    // Absent a=bfcpver: 1 over TCP, 2 over UDP (RFC 8856 §5).
    assert_eq!(
        answer_version(Transport::Tcp, &[], &both).unwrap(),
        Version::V1
    );
    assert_eq!(
        answer_version(Transport::Udp, &[], &both).unwrap(),
        Version::V2
    );
    assert!(answer_version(Transport::Tcp, &[], &[Version::V2]).is_err());
    // Version 1 is not permitted over UDP (RFC 8855 §5.1); unknown versions are skipped.
    assert_eq!(
        answer_version(Transport::Udp, &[1], &both).unwrap_err(),
        NegotiationError::NoVersion {
            transport: Transport::Udp,
            peer: vec![1]
        }
    );
    assert_eq!(
        answer_version(Transport::Tcp, &[3, 1, 9], &both).unwrap(),
        Version::V1
    );
    // Offerer side.
    assert_eq!(
        offerer_version(Transport::Tcp, &[2], &both).unwrap(),
        Version::V2
    );
    assert_eq!(
        offerer_version(Transport::Tcp, &[], &both).unwrap(),
        Version::V1
    );
    assert!(offerer_version(Transport::Tcp, &[2], &[Version::V1]).is_err());
}

#[test]
fn setup_table_rfc4145() {
    use Setup::*;
    assert_eq!(answer_setup(Some(Active), Active).unwrap(), Passive);
    assert_eq!(answer_setup(Some(Passive), Passive).unwrap(), Active);
    assert_eq!(answer_setup(Some(ActPass), Active).unwrap(), Active);
    assert_eq!(answer_setup(Some(ActPass), Passive).unwrap(), Passive);
    assert_eq!(answer_setup(Some(HoldConn), Active).unwrap(), HoldConn);
    assert_eq!(answer_setup(None, Active).unwrap(), Passive);
    assert!(answer_setup(Some(ActPass), ActPass).is_err());

    assert_eq!(offerer_setup(ActPass, Some(Active)).unwrap(), Passive);
    assert_eq!(offerer_setup(ActPass, Some(Passive)).unwrap(), Active);
    assert_eq!(offerer_setup(Active, None).unwrap(), Active);
    assert_eq!(offerer_setup(HoldConn, Some(Passive)).unwrap(), HoldConn);
    assert!(offerer_setup(ActPass, Some(ActPass)).is_err());
    assert!(offerer_setup(Active, Some(Active)).is_err());
    assert!(offerer_setup(Passive, Some(Passive)).is_err());
    assert!(Active.connects() && !Passive.connects());
    for s in [Active, Passive, ActPass, HoldConn] {
        assert_eq!(Setup::from_token(s.token()), Some(s));
    }
}

#[test]
fn connection_reuse() {
    assert_eq!(answer_connection(None, true), ConnectionAttr::New);
    assert_eq!(
        answer_connection(Some(ConnectionAttr::New), true),
        ConnectionAttr::New
    );
    assert_eq!(
        answer_connection(Some(ConnectionAttr::Existing), true),
        ConnectionAttr::Existing
    );
    assert_eq!(
        answer_connection(Some(ConnectionAttr::Existing), false),
        ConnectionAttr::New
    );
}

#[test]
fn ids_and_floor_bindings() {
    assert_eq!(parse_conference_id("4321").unwrap(), 4321);
    assert_eq!(parse_conference_id("4294967295").unwrap(), u32::MAX);
    assert!(parse_conference_id("4294967296").is_err());
    assert!(parse_conference_id("-1").is_err());
    assert!(parse_conference_id("+1").is_err());
    assert!(parse_conference_id("").is_err());
    assert_eq!(parse_user_id("65535").unwrap(), u16::MAX);
    assert!(parse_user_id("65536").is_err());

    let floors = vec![
        (1, vec!["3".to_owned()]),
        (2, vec!["4".to_owned(), "5".to_owned()]),
    ];
    let b = bind_floors(&floors, &["3", "4", "5"]).unwrap();
    assert_eq!(b.len(), 3);
    assert_eq!(
        b[2],
        FloorBinding {
            floor_id: 2,
            label: "5".into()
        }
    );
    assert_eq!(
        bind_floors(&floors, &["3", "4"]).unwrap_err(),
        NegotiationError::UnknownLabel {
            floor_id: 2,
            label: "5".into()
        }
    );
    let dup = vec![(1, vec![]), (1, vec![])];
    assert_eq!(
        bind_floors(&dup, &[]).unwrap_err(),
        NegotiationError::DuplicateFloor(1)
    );
    let many: Vec<(u16, Vec<String>)> = (0..=16).map(|i| (i, vec![])).collect();
    assert!(matches!(
        bind_floors(&many, &[]),
        Err(NegotiationError::TooManyFloors { .. })
    ));
    for r in [C, S, CS] {
        assert_eq!(FloorCtrl::from_token(r.token()), Some(r));
    }
}
