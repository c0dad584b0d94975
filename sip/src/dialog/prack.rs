//! RFC 3262 (100rel) decision: **refused**. We never send reliable provisional responses,
//! never list `100rel` in Supported, answer an INVITE that requires it with 420 and
//! `Unsupported: 100rel`, and answer any PRACK with 481 (§3: no unacknowledged reliable
//! provisional matches).
//!
//! Why: the gateway bridges a SIP leg to an H.323 leg or to another SIP leg, and sends its
//! SDP answer in the 2xx; early media it relays works with unreliable 183s. Reliable 1xx
//! would add a retransmission timer per 1xx, RSeq/RAck matching and offer/answer in
//! PRACK — all untested state for a feature room systems and PBXs use only when the far end
//! insists, and an endpoint that insists (`Require: 100rel`) gets a clear 420 to retry
//! without it (RFC 3261 §8.2.2.3). Note: [`crate::UasCapabilities::default`] still lists
//! `100rel`; the gateway must use [`SUPPORTED_OPTION_TAGS`] for dialog-creating INVITEs.

use super::DialogError;
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::method::Method;

/// The option tags our dialogs support: session timers (RFC 4028) only. This is what goes
/// in Supported, and what a Require may ask for.
pub const SUPPORTED_OPTION_TAGS: &[&str] = &["timer"];

/// RFC 3261 §8.2.2.3: the option tags `request` requires that we do not support, as a
/// [`DialogError::BadExtension`] (→ 420 with Unsupported). ACK and CANCEL are never refused
/// for extensions.
pub fn check_required(request: &Message<'_>) -> Result<(), DialogError> {
    let Some(line) = request.request_line() else {
        return Ok(());
    };
    if matches!(line.method, Method::Ack | Method::Cancel) {
        return Ok(());
    }
    let unsupported: Vec<String> = request
        .tokens(HeaderName::Require)?
        .into_iter()
        .filter(|t| {
            !SUPPORTED_OPTION_TAGS
                .iter()
                .any(|s| s.eq_ignore_ascii_case(t))
        })
        .map(str::to_owned)
        .collect();
    if unsupported.is_empty() {
        Ok(())
    } else {
        Err(DialogError::BadExtension { unsupported })
    }
}

/// A provisional response sent reliably (RFC 3262 §7.1: `Require: 100rel` and RSeq). We
/// never ask for one; a peer that sends one anyway breaks RFC 3262 §3, gets no PRACK and
/// will end the call itself. The gateway may log it or count it with this check.
pub fn is_reliable_provisional(response: &Message<'_>) -> bool {
    response
        .status_line()
        .is_some_and(|s| (101..200).contains(&s.code))
        && response.header(HeaderName::RSeq).is_some()
        && response
            .tokens(HeaderName::Require)
            .is_ok_and(|t| t.iter().any(|t| t.eq_ignore_ascii_case("100rel")))
}
