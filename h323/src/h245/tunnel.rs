//! H.245 carried inside H.225.0: tunnelled PDUs in the UU-PDU's `h245Control` and fastStart
//! OpenLogicalChannel proposals in the UUIEs. The H.225.0 types keep these as octets (so
//! they round-trip whatever the H.245 codec makes of them); these helpers decode them.

use super::{MultimediaSystemControlMessage, OpenLogicalChannel};
use crate::h225::{MessageBody, UserInformation};
use crate::per::PerError;

/// The H.245 messages tunnelled in this H.225.0 message (`h245Control`), when it has any.
/// One element that does not decode fails the whole list: tunnelled PDUs are ordered, and
/// skipping one would desynchronise the H.245 state machines.
pub fn tunnelled(
    ui: &UserInformation,
) -> Option<Result<Vec<MultimediaSystemControlMessage>, PerError>> {
    let elements = ui.h323_uu_pdu.h245_control()?;
    Some(elements.and_then(|list| {
        list.iter()
            .map(|e| MultimediaSystemControlMessage::decode(e))
            .collect()
    }))
}

/// The fastStart proposals (or, in an answer, the accepted channels) of this H.225.0
/// message, when its body carries any.
pub fn fast_start(ui: &UserInformation) -> Option<Result<Vec<OpenLogicalChannel>, PerError>> {
    let elements = match ui.body() {
        MessageBody::Setup(m) => m.fast_start()?,
        MessageBody::CallProceeding(m) => m.fast_start()?,
        MessageBody::Connect(m) => m.fast_start()?,
        MessageBody::Alerting(m) => m.fast_start()?,
        MessageBody::Information(m) => m.fast_start()?,
        MessageBody::Facility(m) => m.fast_start()?,
        MessageBody::Progress(m) => Ok(m.fast_start.clone()?),
        // These bodies have no fastStart component.
        MessageBody::Empty
        | MessageBody::ReleaseComplete(_)
        | MessageBody::Status(_)
        | MessageBody::StatusInquiry(_)
        | MessageBody::SetupAcknowledge(_)
        | MessageBody::Notify(_)
        | MessageBody::Unknown { .. } => return None,
    };
    Some(elements.and_then(|list| list.iter().map(|e| OpenLogicalChannel::decode(e)).collect()))
}
