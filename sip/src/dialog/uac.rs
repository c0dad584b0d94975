//! Dialog creation on the UAC side (RFC 3261 §12.1.2, §13.2.2.4): from the INVITE we sent
//! and a 1xx with a To tag (early dialog) or a 2xx (confirmed). Every response with a new To
//! tag is a new dialog, so forked early dialogs stay distinct.

use super::reinvite::SessionState;
use super::route_set::RouteSet;
use super::{Dialog, DialogError, DialogId, DialogState, Role};
use crate::headers::{Contact, NameAddr};
use crate::message::Message;
use crate::method::Method;
use crate::transaction::Transport;
use crate::uri::Uri;

impl Dialog {
    /// The dialog that `response` (101–299 with a To tag) to our `invite` creates. A 1xx
    /// makes it early, a 2xx confirmed; later responses go to [`Dialog::on_response`].
    /// `transport` is the one the INVITE went out on (the secure flag needs TLS).
    pub fn uac(
        invite: &Message<'_>,
        response: &Message<'_>,
        transport: Transport,
    ) -> Result<Dialog, DialogError> {
        let request = invite
            .request_line()
            .ok_or(DialogError::NotDialogCreating("not a request"))?;
        if request.method != Method::Invite {
            return Err(DialogError::NotDialogCreating(
                "only INVITE creates dialogs here",
            ));
        }
        let code = response
            .status_line()
            .ok_or(DialogError::NotDialogCreating("not a response"))?
            .code;
        if !(101..300).contains(&code) {
            return Err(DialogError::NotDialogCreating(
                "only a 101-299 response creates a dialog",
            ));
        }
        let id = DialogId::for_received_response(response)?;
        let invite_cseq = invite.cseq()?.seq;
        let from = invite.from_header()?;
        if id.call_id != invite.call_id()?
            || from.tag() != Some(id.local_tag.as_str())
            || response.cseq()?.seq != invite_cseq
        {
            return Err(DialogError::UnknownDialog);
        }
        let local_contact = match invite.contacts()? {
            Some(Contact::Addresses(list)) => list
                .first()
                .map(ToString::to_string)
                .ok_or(DialogError::MissingContact)?,
            _ => return Err(DialogError::MissingContact),
        };
        // A 1xx without Contact still makes an early dialog; the INVITE's target stands in
        // until a response with Contact arrives.
        let remote_target = match contact_target(response)? {
            Some(t) => t,
            None => request.uri.to_string(),
        };
        let secure = is_secure(&request.uri, transport);
        let mut session = SessionState::default();
        session.on_request_sent(true, invite_cseq, !invite.body.is_empty());
        let mut dialog = Dialog {
            id,
            role: Role::Uac,
            state: DialogState::Early,
            local_uri: without_tag(&from),
            remote_uri: without_tag(&invite.to_header()?),
            remote_target,
            route_set: RouteSet::from_record_route(&response.record_routes()?, true)?,
            local_cseq: Some(invite_cseq),
            remote_cseq: None,
            local_contact,
            secure,
            initial_invite_cseq: invite_cseq,
            session,
        };
        dialog.on_response(response)?;
        Ok(dialog)
    }
}

/// RFC 3261 §12.1.1/§12.1.2: a dialog is secure when the Request-URI was SIPS and the request
/// went over TLS.
pub(crate) fn is_secure(uri: &Uri<'_>, transport: Transport) -> bool {
    uri.as_sip().is_some_and(|u| u.secure) && matches!(transport, Transport::Tls | Transport::Wss)
}

/// The name-addr with every parameter but the tag, as header text.
pub(crate) fn without_tag(addr: &NameAddr<'_>) -> String {
    let mut addr = addr.clone();
    addr.params.retain(|p| !p.name.eq_ignore_ascii_case("tag"));
    addr.to_string()
}

/// The URI of the (first) Contact, `None` when there is no Contact. A wildcard or an empty
/// list cannot be a target.
pub(crate) fn contact_target(msg: &Message<'_>) -> Result<Option<String>, DialogError> {
    match msg.contacts()? {
        None => Ok(None),
        Some(Contact::Addresses(list)) => list
            .first()
            .map(|a| Some(a.uri.to_string()))
            .ok_or(DialogError::MissingContact),
        Some(Contact::Wildcard(_)) => Err(DialogError::MissingContact),
    }
}
