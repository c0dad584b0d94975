//! The H.225.0 messages a call sends: a Q.931 message whose user-user element carries the
//! `H323-UserInformation`, with the UU-PDU's tunnelling flag and tunnelled H.245 filled in by
//! the caller.

use crate::h225::{
    AlertingUuie, CallProceedingUuie, ConnectUuie, FacilityUuie, MessageBody, ReleaseCompleteUuie,
    SetupUuie, StatusUuie, UserInformation, UuPdu,
};
use crate::h245::OpenLogicalChannel;
use crate::per::ObjectIdentifier;
use crate::q931::{
    BearerCapability, CallReference, Cause, InformationElement, Message, MessageType, PartyNumber,
};
use crate::ras::{
    AliasAddress, CallIdentifier, EndpointType, Extensions, Reason, TransportAddress,
};

use super::CallError;

/// H.225.0 version 4's protocol identifier {itu-t(0) recommendation(0) h(8) 2250 0 4}: the
/// version chan_ooh323 and most room systems of its generation speak; later versions only
/// add components we do not send.
const H225_V4: [u64; 6] = [0, 0, 8, 2250, 0, 4];

/// FacilityReason's extension alternatives (after the four root ones): conferenceListChoice
/// 0, startH245 1, noH245 2, newTokens 3, featureSetUpdate 4, forwardedElements 5,
/// transportedInformation 6. transportedInformation marks a Facility that only carries
/// tunnelled H.245 (chan_ooh323 reads h245Control of a Facility only with this reason or
/// an empty body); startH245 one that offers our H.245 address.
const FACILITY_START_H245: usize = 1;
const FACILITY_TRANSPORTED_INFORMATION: usize = 6;

/// Q.931 Call state element (§4.5.7): the answer to a Status Enquiry names the state.
const IE_CALL_STATE: u8 = 0x14;

/// Q.850 cause "response to STATUS ENQUIRY".
const CAUSE_STATUS_RESPONSE: u8 = 30;

pub(super) fn protocol() -> Result<ObjectIdentifier, CallError> {
    ObjectIdentifier::from_arcs(&H225_V4).ok_or(CallError::Internal("protocol identifier"))
}

/// What goes in every UU-PDU a call sends besides the body.
pub(super) struct PduExtras<'a> {
    pub tunnelling: bool,
    pub h245: &'a [Vec<u8>],
}

pub(super) fn user_information(
    body: MessageBody,
    extras: &PduExtras<'_>,
) -> Result<UserInformation, CallError> {
    let mut pdu = UuPdu {
        h323_message_body: body,
        non_standard_data: None,
        extensions: Extensions::default(),
    };
    pdu.set_h245_tunneling(Some(&extras.tunnelling))?;
    if !extras.h245.is_empty() {
        pdu.set_h245_control(Some(&extras.h245.to_vec()))?;
    }
    Ok(UserInformation {
        h323_uu_pdu: pdu,
        user_data: None,
        extensions: Extensions::default(),
    })
}

/// Wraps a UU-PDU into its Q.931 message, the elements in ascending identifier order
/// (Q.931 §4.5.1) with the user-user element last.
pub(super) fn q931(
    reference: CallReference,
    message_type: MessageType,
    mut elements: Vec<InformationElement>,
    ui: &UserInformation,
) -> Result<Vec<u8>, CallError> {
    elements.push(InformationElement::UserUser(crate::q931::UserUser::h225(
        ui.encode()?,
    )));
    let mut m = Message::new(reference, message_type);
    m.elements = elements;
    Ok(m.encode()?)
}

pub(super) fn encode_fast_start(
    channels: &[OpenLogicalChannel],
) -> Result<Vec<Vec<u8>>, CallError> {
    channels
        .iter()
        .map(|c| c.encode().map_err(CallError::from))
        .collect()
}

/// What an outgoing Setup says.
pub(super) struct SetupParts<'a> {
    pub endpoint: &'a EndpointType,
    pub dial: &'a super::Dial,
    pub fast_start: Vec<Vec<u8>>,
    pub display: Option<&'a str>,
}

pub(super) fn setup(p: SetupParts<'_>, extras: &PduExtras<'_>) -> Result<Vec<u8>, CallError> {
    let d = p.dial;
    let mut uuie = SetupUuie {
        protocol_identifier: protocol()?,
        h245_address: d.h245_address.clone(),
        source_address: (!d.source.is_empty()).then(|| d.source.clone()),
        source_info: Box::new(p.endpoint.clone()),
        destination_address: (!d.destination.is_empty()).then(|| d.destination.clone()),
        dest_call_signal_address: d.dest_call_signal_address.clone(),
        dest_extra_call_info: None,
        dest_extra_crv: None,
        active_mc: false,
        conference_id: d.conference_id,
        conference_goal: Reason::Root(0),
        call_services: None,
        call_type: Reason::Root(0),
        extensions: Extensions::default(),
    };
    uuie.set_call_identifier(Some(&CallIdentifier::new(d.call_identifier)))?;
    if let Some(a) = &d.source_call_signal_address {
        uuie.set_source_call_signal_address(Some(a))?;
    }
    if !p.fast_start.is_empty() {
        uuie.set_fast_start(Some(&p.fast_start))?;
    }
    uuie.set_media_wait_for_connect(Some(&false))?;
    uuie.set_can_overlap_send(Some(&false))?;
    uuie.set_multiple_calls(Some(&false))?;
    uuie.set_maintain_connection(Some(&false))?;
    let ui = user_information(MessageBody::Setup(Box::new(uuie)), extras)?;

    // H.225.0 §7.3.1 makes bearer capability mandatory in Setup: unrestricted digital,
    // packet mode, multirate at 6 x 64 kbit/s (384 kbit/s, what video room systems send).
    let mut elements = vec![InformationElement::BearerCapability(BearerCapability {
        coding_standard: 0,
        transfer_capability: 0x08,
        transfer_mode: 0,
        transfer_rate: crate::q931::RATE_MULTIRATE,
        rate_multiplier: Some(6),
        layer1_protocol: None,
        rest: Vec::new(),
    })];
    if let Some(name) = p.display {
        elements.push(display(name));
    }
    if let Some(n) = &d.calling_number {
        elements.push(InformationElement::CallingPartyNumber(PartyNumber::e164(n)));
    }
    if let Some(n) = &d.called_number {
        elements.push(InformationElement::CalledPartyNumber(PartyNumber::e164(n)));
    }
    q931(d.reference(), MessageType::Setup, elements, &ui)
}

pub(super) fn display(name: &str) -> InformationElement {
    // The Display element holds at most 82 IA5 characters (Q.931 §4.5.16); keep ASCII only.
    let octets: Vec<u8> = name
        .bytes()
        .filter(|b| b.is_ascii() && !b.is_ascii_control())
        .take(82)
        .collect();
    InformationElement::Display { octets }
}

/// The answers an incoming call sends, in the order H.225.0 allows them.
pub(super) enum Answer {
    Proceeding,
    Alerting,
    Connect { conference_id: [u8; 16] },
    Facility,
    Release { cause: u8 },
    Status { state: u8 },
}

/// What every answer and mid-call message carries.
pub(super) struct AnswerParts {
    pub reference: CallReference,
    pub call_identifier: [u8; 16],
    pub fast_start: Option<Vec<Vec<u8>>>,
    pub fast_connect_refused: bool,
    pub h245_address: Option<TransportAddress>,
}

/// Who we are in every answer: our EndpointType and the name for the Display element.
pub(super) struct Us<'a> {
    pub endpoint: &'a EndpointType,
    pub display: Option<&'a str>,
}

pub(super) fn answer(
    kind: Answer,
    us: &Us<'_>,
    p: AnswerParts,
    extras: &PduExtras<'_>,
) -> Result<Vec<u8>, CallError> {
    let call_id = CallIdentifier::new(p.call_identifier);
    let protocol_identifier = protocol()?;
    let fast_start = p.fast_start.as_ref().filter(|f| !f.is_empty());
    let refused = p.fast_connect_refused.then_some(());
    let mut elements = Vec::new();
    // What Call Proceeding, Alerting and Connect all carry in their additions: the call
    // identifier, our fastStart answer or refusal, and one call per connection, closed with
    // the call (multipleCalls and maintainConnection false).
    macro_rules! answer_additions {
        ($u:ident) => {
            $u.set_call_identifier(Some(&call_id))?;
            $u.set_fast_start(fast_start)?;
            $u.set_fast_connect_refused(refused.as_ref())?;
            $u.set_multiple_calls(Some(&false))?;
            $u.set_maintain_connection(Some(&false))?;
        };
    }
    let (message_type, body) = match kind {
        Answer::Proceeding => {
            let mut u = CallProceedingUuie {
                protocol_identifier,
                destination_info: us.endpoint.clone(),
                h245_address: p.h245_address.clone(),
                extensions: Extensions::default(),
            };
            answer_additions!(u);
            (
                MessageType::CallProceeding,
                MessageBody::CallProceeding(Box::new(u)),
            )
        }
        Answer::Alerting => {
            let mut u = AlertingUuie {
                protocol_identifier,
                destination_info: us.endpoint.clone(),
                h245_address: p.h245_address.clone(),
                extensions: Extensions::default(),
            };
            answer_additions!(u);
            (MessageType::Alerting, MessageBody::Alerting(Box::new(u)))
        }
        Answer::Connect { conference_id } => {
            let mut u = ConnectUuie {
                protocol_identifier,
                h245_address: p.h245_address.clone(),
                destination_info: us.endpoint.clone(),
                conference_id,
                extensions: Extensions::default(),
            };
            answer_additions!(u);
            (MessageType::Connect, MessageBody::Connect(Box::new(u)))
        }
        Answer::Facility => {
            let reason = if p.h245_address.is_some() {
                // The address is where the peer reaches our H.245.
                Reason::extension(FACILITY_START_H245)
            } else {
                Reason::extension(FACILITY_TRANSPORTED_INFORMATION)
            };
            let mut u = FacilityUuie {
                protocol_identifier,
                alternative_address: None,
                alternative_alias_address: None,
                conference_id: None,
                reason,
                extensions: Extensions::default(),
            };
            u.set_call_identifier(Some(&call_id))?;
            u.set_h245_address(p.h245_address.as_ref())?;
            u.set_fast_start(fast_start)?;
            (MessageType::Facility, MessageBody::Facility(Box::new(u)))
        }
        Answer::Release { cause } => {
            elements.push(InformationElement::Cause(Cause::new(0, cause)));
            let mut u = ReleaseCompleteUuie {
                protocol_identifier,
                reason: None,
                extensions: Extensions::default(),
            };
            u.set_call_identifier(Some(&call_id))?;
            (
                MessageType::ReleaseComplete,
                MessageBody::ReleaseComplete(Box::new(u)),
            )
        }
        Answer::Status { state } => {
            elements.push(InformationElement::Cause(Cause::new(
                0,
                CAUSE_STATUS_RESPONSE,
            )));
            elements.push(InformationElement::Raw {
                id: IE_CALL_STATE,
                contents: vec![state & 0x3f],
            });
            let u = StatusUuie {
                protocol_identifier,
                call_identifier: call_id,
                tokens: None,
                crypto_tokens: None,
                extensions: Extensions::default(),
            };
            (MessageType::Status, MessageBody::Status(Box::new(u)))
        }
    };
    if let Some(name) = us.display {
        if !matches!(message_type, MessageType::Facility | MessageType::Status) {
            elements.insert(0, display(name));
        }
    }
    let ui = user_information(body, extras)?;
    q931(p.reference, message_type, elements, &ui)
}

/// The aliases of an alias list that a dial string can be read from, in the order room
/// systems put the meeting number in them.
pub(super) fn alias_text(a: &AliasAddress) -> Option<&str> {
    match a {
        AliasAddress::DialedDigits(s)
        | AliasAddress::H323Id(s)
        | AliasAddress::UrlId(s)
        | AliasAddress::EmailId(s) => Some(s),
        _ => None,
    }
}
