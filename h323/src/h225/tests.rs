#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;
use crate::per::ObjectIdentifier;
use crate::ras::{CallIdentifier, EndpointType, Extensions, Reason, TransportAddress};

/// H.225.0 v4's protocol identifier {itu-t(0) recommendation(0) h(8) 2250 0 4}.
fn protocol() -> ObjectIdentifier {
    ObjectIdentifier::from_arcs(&[0, 0, 8, 2250, 0, 4]).unwrap()
}

fn pdu(body: MessageBody) -> UserInformation {
    UserInformation {
        h323_uu_pdu: UuPdu {
            h323_message_body: body,
            non_standard_data: None,
            extensions: Extensions::default(),
        },
        user_data: None,
        extensions: Extensions::default(),
    }
}

fn round_trip(ui: &UserInformation) -> Vec<u8> {
    let bytes = ui.encode().unwrap();
    assert_eq!(&UserInformation::decode(&bytes).unwrap(), ui);
    bytes
}

#[test]
fn built_setup_with_fast_start_and_tunnelling_round_trips() {
    let mut setup = SetupUuie {
        protocol_identifier: protocol(),
        h245_address: None,
        source_address: None,
        source_info: Box::new(EndpointType::terminal()),
        destination_address: None,
        dest_call_signal_address: Some(TransportAddress::Ip {
            ip: [192, 0, 2, 7],
            port: 1720,
        }),
        dest_extra_call_info: None,
        dest_extra_crv: Some(vec![45]),
        active_mc: false,
        conference_id: [7; 16],
        conference_goal: Reason::Root(0),
        call_services: None,
        call_type: Reason::Root(0),
        extensions: Extensions::default(),
    };
    setup
        .set_call_identifier(Some(&CallIdentifier::new([9; 16])))
        .unwrap();
    setup
        .set_fast_start(Some(&vec![vec![1, 2, 3], vec![4]]))
        .unwrap();
    setup.set_multiple_calls(Some(&false)).unwrap();
    setup.set_maintain_connection(Some(&false)).unwrap();
    let mut ui = pdu(MessageBody::Setup(Box::new(setup)));
    ui.h323_uu_pdu.set_h245_tunneling(Some(&true)).unwrap();
    ui.h323_uu_pdu
        .set_h245_control(Some(&vec![vec![0x02, 0x70, 0x01]]))
        .unwrap();
    let bytes = round_trip(&ui);
    let back = UserInformation::decode(&bytes).unwrap();
    let MessageBody::Setup(setup) = back.body() else {
        panic!("not a setup: {back:?}");
    };
    assert_eq!(setup.fast_start().unwrap().unwrap().len(), 2);
    assert_eq!(setup.call_identifier().unwrap().unwrap().guid, [9; 16]);
    assert_eq!(setup.media_wait_for_connect(), None);
    assert_eq!(back.h323_uu_pdu.h245_tunneling(), Some(Ok(true)));
}

#[test]
fn release_complete_reason_and_user_data_round_trip() {
    for reason in [
        None,
        Some(Reason::Root(11)),
        // securityDenied, an extension alternative (NULL).
        Some(Reason::extension(1)),
    ] {
        let mut ui = pdu(MessageBody::ReleaseComplete(Box::new(
            ReleaseCompleteUuie {
                protocol_identifier: protocol(),
                reason,
                extensions: Extensions::default(),
            },
        )));
        ui.user_data = Some(UserData {
            protocol_discriminator: 4,
            user_information: b"hi".to_vec(),
            extensions: Extensions::default(),
        });
        round_trip(&ui);
    }
}

#[test]
fn empty_and_unknown_bodies_keep_their_octets() {
    let empty = round_trip(&pdu(MessageBody::Empty));
    assert_eq!(
        UserInformation::decode(&empty).unwrap().body(),
        &MessageBody::Empty
    );
    // notify (extension 5) contents that are no Notify-UUIE come back as they were.
    let notify = pdu(MessageBody::Unknown {
        index: 5,
        contents: vec![0x80, 0x12, 0x34],
    });
    let bytes = round_trip(&notify);
    assert!(matches!(
        UserInformation::decode(&bytes).unwrap().body(),
        MessageBody::Unknown { index: 5, .. }
    ));
    // An alternative added after H.225.0 v8 is kept too.
    round_trip(&pdu(MessageBody::Unknown {
        index: 9,
        contents: vec![0],
    }));
}

#[test]
fn status_inquiry_setup_acknowledge_and_notify_are_typed() {
    let call = CallIdentifier::new([3; 16]);
    let status = StatusUuie {
        protocol_identifier: protocol(),
        call_identifier: call.clone(),
        tokens: None,
        crypto_tokens: None,
        extensions: Extensions::default(),
    };
    let inquiry = StatusInquiryUuie {
        protocol_identifier: protocol(),
        call_identifier: call.clone(),
        tokens: None,
        crypto_tokens: None,
        extensions: Extensions::default(),
    };
    let ack = SetupAcknowledgeUuie {
        protocol_identifier: protocol(),
        call_identifier: call.clone(),
        tokens: None,
        crypto_tokens: None,
        extensions: Extensions::default(),
    };
    let mut notify = NotifyUuie {
        protocol_identifier: protocol(),
        call_identifier: call,
        tokens: None,
        crypto_tokens: None,
        extensions: Extensions::default(),
    };
    notify
        .set_connected_address(Some(&vec![crate::ras::AliasAddress::DialedDigits(
            "2001".into(),
        )]))
        .unwrap();
    let bodies = [
        (MessageBody::Status(Box::new(status)), 2, 0x7d),
        (MessageBody::StatusInquiry(Box::new(inquiry)), 3, 0x75),
        (MessageBody::SetupAcknowledge(Box::new(ack)), 4, 0x0d),
        (MessageBody::Notify(Box::new(notify)), 5, 0x6e),
    ];
    for (body, index, q931) in bodies {
        assert_eq!(body.q931_message_type(), Some(q931));
        let bytes = round_trip(&pdu(body.clone()));
        // Extension bits and optionals clear, then the body's CHOICE extension bit set, the
        // normally-small bit clear and the 6-bit extension index.
        assert_eq!(bytes[0] >> 2, 0b00_0010, "{body:?}");
        assert_eq!(
            usize::from((bytes[0] & 0x3) << 4 | bytes[1] >> 4),
            index,
            "{body:?}"
        );
        let MessageBody::Notify(n) = UserInformation::decode(&bytes).unwrap().body().clone() else {
            continue;
        };
        assert_eq!(
            n.connected_address().unwrap().unwrap(),
            vec![crate::ras::AliasAddress::DialedDigits("2001".into())]
        );
    }
}

#[test]
fn a_progress_with_tokens_is_kept_as_octets() {
    let progress = ProgressUuie {
        protocol_identifier: protocol(),
        destination_info: EndpointType::terminal(),
        h245_address: None,
        call_identifier: CallIdentifier::new([1; 16]),
        h245_security_mode: None,
        tokens: None,
        crypto_tokens: None,
        fast_start: None,
        extensions: Extensions::default(),
    };
    let bytes = round_trip(&pdu(MessageBody::Progress(Box::new(progress.clone()))));
    // Writing a value for an untyped component is refused, not guessed.
    let mut with_tokens = progress;
    with_tokens.tokens = Some(vec![0]);
    let err = pdu(MessageBody::Progress(Box::new(with_tokens)))
        .encode()
        .unwrap_err();
    assert!(matches!(err.kind, PerErrorKind::NotTyped { .. }), "{err}");
    // Set the tokens presence bit by hand: the body decodes as Unknown with its octets.
    let mut ui = UserInformation::decode(&bytes).unwrap();
    let MessageBody::Progress(p) = ui.body().clone() else {
        panic!("not a progress");
    };
    let mut contents = crate::ras::field::encode_whole::<ProgressUuie>(&p).unwrap();
    // Progress: extension bit, then the optionals h245Address, h245SecurityMode, tokens,
    // cryptoTokens, fastStart: the tokens bit is the fourth.
    contents[0] |= 0x10;
    ui.h323_uu_pdu.h323_message_body = MessageBody::Unknown {
        index: PROGRESS_EXTENSION,
        contents: contents.clone(),
    };
    let bytes = ui.encode().unwrap();
    assert_eq!(
        UserInformation::decode(&bytes).unwrap().body(),
        &MessageBody::Unknown {
            index: PROGRESS_EXTENSION,
            contents
        }
    );
}

#[test]
fn a_root_alternative_beyond_facility_is_a_typed_error() {
    // Extension bits clear, no user-data, no nonStandardData, body index 7 of 0..=6.
    let err = UserInformation::decode(&[0x07]).unwrap_err();
    assert!(
        matches!(
            err.kind,
            PerErrorKind::OutOfRange { .. } | PerErrorKind::UnknownAlternative { .. }
        ),
        "{err}"
    );
    assert!(err.bit_offset <= 8, "{err}");
}

#[test]
fn trailing_octets_are_refused() {
    let mut bytes = pdu(MessageBody::Empty).encode().unwrap();
    bytes.push(0);
    let err = UserInformation::decode(&bytes).unwrap_err();
    assert!(matches!(err.kind, PerErrorKind::BadLength { .. }), "{err}");
}

/// A NULL extension addition (e.g. `provisionalRespToH245Tunneling`) is encoded as one zero
/// octet in its open type; reading it back must give the value, not "octets after the value"
/// (the getter failed on every such addition before).
#[test]
fn null_extension_additions_read_back() {
    let mut ui = pdu(MessageBody::Empty);
    ui.h323_uu_pdu
        .set_provisional_resp_to_h245_tunneling(Some(&()))
        .unwrap();
    assert_eq!(ui.h323_uu_pdu.extensions.addition(6), Some(&[0u8][..]));
    let bytes = round_trip(&ui);
    let back = UserInformation::decode(&bytes).unwrap();
    assert_eq!(
        back.h323_uu_pdu.provisional_resp_to_h245_tunneling(),
        Some(Ok(()))
    );
    // An absent addition reads as absent.
    let mut none = ui.clone();
    none.h323_uu_pdu.extensions = Extensions::default();
    assert!(none
        .h323_uu_pdu
        .provisional_resp_to_h245_tunneling()
        .is_none());
}
