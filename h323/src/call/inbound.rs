//! One received H.225.0 message reduced to what the call state machine acts on: which
//! message it is, the tunnelling flag, tunnelled H.245, fastStart, the peer's H.245 address,
//! keypad digits and the cause — read once, whatever body carried them.

use crate::h225::{MessageBody, UserInformation};
use crate::h245::{self, MultimediaSystemControlMessage, OpenLogicalChannel};
use crate::q931::{InformationElement, Message, MessageType};
use crate::ras::{AliasAddress, TransportAddress};

use super::build::alias_text;
use super::IncomingSetup;

/// The longest text we keep from a received alias, number or display: dial strings and
/// names are short, and an event must not carry a peer's kilobytes on to the gateway.
pub const MAX_TEXT: usize = 128;

/// Most aliases kept from one alias list (the decoder already bounds lists at 64).
pub const MAX_ALIASES: usize = 16;

pub(super) struct Received {
    pub message_type: MessageType,
    pub reference: u16,
    pub from_destination: bool,
    pub ui: Option<UserInformation>,
    /// `h245Tunneling` as the PDU states it (absent reads as false, H.225.0 §7.4.1.1).
    pub tunnelling: bool,
    /// Tunnelled H.245; `Err` when an element did not decode.
    pub h245: Result<Vec<MultimediaSystemControlMessage>, ()>,
    /// fastStart elements, when the body has any; `Err` when one did not decode.
    pub fast_start: Option<Result<Vec<OpenLogicalChannel>, ()>>,
    pub fast_connect_refused: bool,
    pub h245_address: Option<TransportAddress>,
    pub keypad: Option<String>,
    pub cause: Option<u8>,
}

impl Received {
    pub(super) fn read(m: &Message) -> Self {
        let ui = m
            .user_user()
            .and_then(|u| UserInformation::decode(&u.data).ok());
        let tunnelling = ui
            .as_ref()
            .and_then(|ui| ui.h323_uu_pdu.h245_tunneling())
            .and_then(Result::ok)
            .unwrap_or(false);
        let h245 = match ui.as_ref().map(h245::tunnelled) {
            Some(Some(Err(_))) => Err(()),
            Some(Some(Ok(list))) => Ok(list),
            _ => Ok(Vec::new()),
        };
        let fast_start = ui
            .as_ref()
            .and_then(h245::fast_start)
            .map(|r| r.map_err(|_| ()));
        let (fast_connect_refused, h245_address) = ui
            .as_ref()
            .map(|ui| body_flags(ui.body()))
            .unwrap_or((false, None));
        let keypad = m.elements.iter().find_map(|e| match e {
            InformationElement::Keypad { octets } => Some(text(octets)),
            _ => None,
        });
        Self {
            message_type: m.message_type,
            reference: m.call_reference.value,
            from_destination: m.call_reference.from_destination,
            ui,
            tunnelling,
            h245,
            fast_start,
            fast_connect_refused,
            h245_address,
            keypad,
            cause: m.cause().map(|c| c.value),
        }
    }

    /// The H.225.0 body, when the user-user element decoded.
    pub(super) fn body(&self) -> Option<&MessageBody> {
        self.ui.as_ref().map(UserInformation::body)
    }
}

/// fastConnectRefused and the H.245 address, from whichever body carries them.
fn body_flags(body: &MessageBody) -> (bool, Option<TransportAddress>) {
    let ok = |r: Option<Result<(), _>>| matches!(r, Some(Ok(())));
    match body {
        MessageBody::CallProceeding(u) => (ok(u.fast_connect_refused()), u.h245_address.clone()),
        MessageBody::Alerting(u) => (ok(u.fast_connect_refused()), u.h245_address.clone()),
        MessageBody::Connect(u) => (ok(u.fast_connect_refused()), u.h245_address.clone()),
        MessageBody::Facility(u) => (
            ok(u.fast_connect_refused()),
            u.h245_address().and_then(Result::ok),
        ),
        MessageBody::Progress(u) => (ok(u.fast_connect_refused()), u.h245_address.clone()),
        MessageBody::Setup(u) => (false, u.h245_address.clone()),
        _ => (false, None),
    }
}

/// Printable ASCII of at most [`MAX_TEXT`] characters: what a peer sends as IA5 often ends in
/// a NUL or carries bytes no dial plan needs.
pub(super) fn text(octets: &[u8]) -> String {
    octets
        .iter()
        .filter(|b| b.is_ascii_graphic() || **b == b' ')
        .take(MAX_TEXT)
        .map(|&b| char::from(b))
        .collect()
}

fn bounded(s: &str) -> String {
    s.chars().take(MAX_TEXT).collect()
}

fn aliases(list: Option<&Vec<AliasAddress>>) -> Vec<AliasAddress> {
    list.map(|l| {
        l.iter()
            .take(MAX_ALIASES)
            .map(|a| match a {
                AliasAddress::DialedDigits(s) => AliasAddress::DialedDigits(bounded(s)),
                AliasAddress::H323Id(s) => AliasAddress::H323Id(bounded(s)),
                AliasAddress::UrlId(s) => AliasAddress::UrlId(bounded(s)),
                AliasAddress::EmailId(s) => AliasAddress::EmailId(bounded(s)),
                other => other.clone(),
            })
            .collect()
    })
    .unwrap_or_default()
}

/// What the gateway needs from an incoming Setup; `None` when the message is not a Setup
/// with a decodable H.225.0 body.
pub(super) fn incoming_setup(m: &Message, r: &Received) -> Option<IncomingSetup> {
    let MessageBody::Setup(u) = r.body()? else {
        return None;
    };
    let number = |called: bool| {
        m.elements.iter().find_map(|e| match e {
            InformationElement::CalledPartyNumber(n) if called => Some(bounded(&n.digits)),
            InformationElement::CallingPartyNumber(n) if !called => Some(bounded(&n.digits)),
            _ => None,
        })
    };
    let display = m.elements.iter().find_map(|e| match e {
        InformationElement::Display { octets } => Some(text(octets)),
        _ => None,
    });
    let vendor = u.source_info.vendor.as_ref().map(|v| {
        (
            v.product_id.as_deref().map(text).unwrap_or_default(),
            v.version_id.as_deref().map(text).unwrap_or_default(),
        )
    });
    let (fast_start, fast_start_error) = match &r.fast_start {
        Some(Ok(list)) => (list.clone(), false),
        Some(Err(())) => (Vec::new(), true),
        None => (Vec::new(), false),
    };
    Some(IncomingSetup {
        call_reference: r.reference,
        call_identifier: u.call_identifier().and_then(Result::ok).map(|c| c.guid),
        conference_id: u.conference_id,
        destination: aliases(u.destination_address.as_ref()),
        called_number: number(true),
        source: aliases(u.source_address.as_ref()),
        calling_number: number(false),
        display,
        fast_start,
        fast_start_error,
        tunnelling: r.tunnelling,
        h245_address: u.h245_address.clone(),
        vendor,
        media_wait_for_connect: matches!(u.media_wait_for_connect(), Some(Ok(true))),
    })
}

impl IncomingSetup {
    /// Every text the caller dialled, in the order a dial plan should try them: the called
    /// party number, then the destination aliases (dialedDigits, h323-ID, url-ID, email-ID).
    pub fn dialled(&self) -> impl Iterator<Item = &str> {
        self.called_number
            .as_deref()
            .into_iter()
            .chain(self.destination.iter().filter_map(alias_text))
    }
}
