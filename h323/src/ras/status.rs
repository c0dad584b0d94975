//! Status and the rest (H.225.0 §7.15 to §7.17): InfoRequest, InfoRequestResponse with its
//! per-call information, NonStandardMessage, UnknownMessageResponse (XRS, the answer to a
//! message we cannot decode) and RequestInProgress (RIP).

use serde::Serialize;

use super::address::{AliasAddress, TransportAddress};
use super::common::{CallIdentifier, CallModel, CallType, Extensions};
use super::endpoint::EndpointType;
use super::field::{
    ras_additions, ras_sequence, BandWidth, Bool, CallRef, Field, Guid, Identifier, Null, Octets,
    SeqNum, SeqOf, Ssrc, U16NonZero, U8NonZero,
};
use super::generic::GenericData;
use super::NonStandardParameter;
use crate::per::{Alphabet, PerError, PerErrorKind, Reader, Writer};

ras_sequence! {
    /// InfoRequest (IRQ): the gatekeeper asking about one call (or all, reference 0).
    pub struct InfoRequest {
        request_seq_num: req SeqNum,
        call_reference_value: req CallRef,
        non_standard: opt NonStandardParameter,
        reply_address: opt TransportAddress,
    }
}

ras_additions!(InfoRequest {
    0 => call_identifier, set_call_identifier: CallIdentifier,
    7 => segmented_response_supported, set_segmented_response_supported: Null,
    10 => generic_data, set_generic_data: SeqOf<GenericData>,
});

ras_sequence! {
    /// TransportChannelInfo: a channel's send and receive addresses.
    pub struct TransportChannelInfo {
        send_address: opt TransportAddress,
        recv_address: opt TransportAddress,
    }
}

/// PrintableString's alphabet (X.680 §41.4), sorted.
const PRINTABLE: Alphabet = Alphabet::from_sorted(
    b" '()+,-./0123456789:=?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
);

/// RTPSession's cname: PrintableString without a size constraint.
pub struct Cname;

impl Field for Cname {
    type Value = String;
    const NAME: &'static str = "cname";
    fn decode(r: &mut Reader<'_>) -> Result<String, PerError> {
        r.restricted_string(0, 65_536, &PRINTABLE, Self::NAME)
    }
    fn encode(w: &mut Writer, v: &String) -> Result<(), PerError> {
        w.restricted_string(v, 0, 65_536, &PRINTABLE, Self::NAME)
    }
}

ras_sequence! {
    /// RTPSession: one media session of a call, as an IRR reports it.
    pub struct RtpSession {
        rtp_address: req TransportChannelInfo,
        rtcp_address: req TransportChannelInfo,
        cname: req Cname,
        ssrc: req Ssrc,
        session_id: req U8NonZero,
        associated_session_ids: req SeqOf<U8NonZero>,
    }
}

ras_sequence! {
    /// One entry of IRR's perCallInfo.
    pub struct PerCallInfo {
        non_standard: opt NonStandardParameter,
        call_reference_value: req CallRef,
        conference_id: req Guid,
        originator: opt Bool,
        audio: opt SeqOf<RtpSession>,
        video: opt SeqOf<RtpSession>,
        data: opt SeqOf<TransportChannelInfo>,
        h245: req TransportChannelInfo,
        call_signaling: req TransportChannelInfo,
        call_type: req CallType,
        band_width: req BandWidth,
        call_model: req CallModel,
    }
}

ras_additions!(PerCallInfo {
    0 => call_identifier, set_call_identifier: CallIdentifier,
});

ras_sequence! {
    /// InfoRequestResponse (IRR): an endpoint's registration and calls.
    pub struct InfoRequestResponse {
        non_standard: opt NonStandardParameter,
        request_seq_num: req SeqNum,
        endpoint_type: req EndpointType,
        endpoint_identifier: req Identifier,
        ras_address: req TransportAddress,
        call_signal_address: req SeqOf<TransportAddress>,
        endpoint_alias: opt SeqOf<AliasAddress>,
        per_call_info: opt SeqOf<PerCallInfo>,
    }
}

ras_additions!(InfoRequestResponse {
    3 => need_response, set_need_response: Bool,
    6 => unsolicited, set_unsolicited: Bool,
    7 => generic_data, set_generic_data: SeqOf<GenericData>,
});

ras_sequence! {
    /// NonStandardMessage: vendor data outside any request.
    pub struct NonStandardMessage {
        request_seq_num: req SeqNum,
        non_standard: req NonStandardParameter,
    }
}

ras_additions!(NonStandardMessage {
    4 => generic_data, set_generic_data: SeqOf<GenericData>,
});

ras_sequence! {
    /// UnknownMessageResponse (XRS): the answer to a RAS message not understood; the
    /// message itself goes in `messageNotUnderstood` (addition 3).
    pub struct UnknownMessageResponse {
        request_seq_num: req SeqNum,
    }
}

ras_additions!(UnknownMessageResponse {
    3 => message_not_understood, set_message_not_understood: Octets,
});

/// RequestInProgress (RIP): "wait `delay` ms for the answer". Its root also holds H.235
/// tokens, which are not typed yet: a RIP carrying them is refused here, and
/// [`super::RasMessage`] keeps it as octets (it is an extension alternative).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestInProgress {
    pub request_seq_num: u16,
    pub non_standard: Option<NonStandardParameter>,
    pub delay: u16,
    pub extensions: Extensions,
}

impl Field for RequestInProgress {
    type Value = Self;
    const NAME: &'static str = "RequestInProgress";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        let ext = r.extension_bit()?;
        let at = r.bit_offset();
        let opt = r.bitmap(4, "RequestInProgress optionals")?;
        if let Some(index) = opt.skip(1).position(|b| b) {
            return Err(PerError {
                kind: PerErrorKind::UnknownAlternative {
                    what: "RequestInProgress tokens (H.235 not typed yet)",
                    index: index + 1,
                },
                bit_offset: at + index + 1,
            });
        }
        let request_seq_num = SeqNum::decode(r)?;
        let non_standard = opt
            .get(0)
            .then(|| NonStandardParameter::decode(r))
            .transpose()?;
        let delay = U16NonZero::decode(r)?;
        Ok(Self {
            request_seq_num,
            non_standard,
            delay,
            extensions: Extensions::decode(r, ext)?,
        })
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        w.extension_bit(v.extensions.is_extended());
        w.bitmap(&[v.non_standard.is_some(), false, false, false]);
        SeqNum::encode(w, &v.request_seq_num)?;
        if let Some(n) = &v.non_standard {
            n.encode(w)?;
        }
        U16NonZero::encode(w, &v.delay)?;
        v.extensions.encode(w)
    }
}
