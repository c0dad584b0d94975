//! Dialog creation on the UAS side (RFC 3261 §12.1.1): from a received INVITE and the 1xx or
//! 2xx we answer it with, which carries our To tag, our Contact and the Record-Route copy.

use super::reinvite::SessionState;
use super::route_set::RouteSet;
use super::uac::{contact_target, is_secure, without_tag};
use super::{Dialog, DialogError, DialogId, DialogState, Role};
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::method::Method;
use crate::owned::OwnedMessage;
use crate::transaction::{Outgoing, Transport};

/// Our dialog-creating response to `invite` (§12.1.1): the §8.2.6 copy with `local_tag`
/// added to To, every Record-Route field copied in order, and `contact` (a name-addr) as
/// Contact. The caller adds a body (SDP) and other headers.
pub fn dialog_response(
    invite: &Message<'_>,
    code: u16,
    reason: &str,
    local_tag: &str,
    contact: &str,
) -> OwnedMessage {
    let mut response = invite.response_to(code, reason, Some(local_tag));
    for rr in invite.headers_named(HeaderName::RecordRoute) {
        response.push(HeaderName::RecordRoute, &rr.value);
    }
    response.push(HeaderName::Contact, contact);
    response
}

impl Dialog {
    /// The dialog our `response` (101–299, with our To tag and Contact) to the received
    /// `invite` creates: early for a 1xx, confirmed for a 2xx. Later responses we send on the
    /// INVITE go to [`Dialog::on_response_sent`]. `transport` is the one the INVITE came on.
    pub fn uas(
        invite: &Message<'_>,
        response: &OwnedMessage,
        transport: Transport,
    ) -> Result<Dialog, DialogError> {
        Self::uas_encoded(invite, &Outgoing::encode(response)?, transport)
    }

    /// [`Dialog::uas`] with the response already encoded (and checked): the same
    /// [`Outgoing`] then goes to the server transaction, decoded once for both.
    pub fn uas_encoded(
        invite: &Message<'_>,
        response: &Outgoing,
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
        let to = invite.to_header()?;
        if to.tag().is_some() {
            return Err(DialogError::NotDialogCreating(
                "the INVITE has a To tag: it belongs to an existing dialog",
            ));
        }
        let from = invite.from_header()?;
        let remote_tag = from
            .tag()
            .ok_or(DialogError::MissingTag { header: "From" })?;
        let remote_target = contact_target(invite)?.ok_or(DialogError::MissingContact)?;
        let route_set = RouteSet::from_record_route(&invite.record_routes()?, false)?;
        let cseq = invite.cseq()?.seq;

        let resp = response.message();
        let code = resp
            .status_line()
            .ok_or(DialogError::NotDialogCreating("not a response"))?
            .code;
        if !(101..300).contains(&code) {
            return Err(DialogError::NotDialogCreating(
                "only a 101-299 response creates a dialog",
            ));
        }
        let local_tag = resp
            .to_header()?
            .tag()
            .ok_or(DialogError::MissingTag { header: "To" })?
            .to_owned();
        let local_contact = resp
            .header_value(HeaderName::Contact)
            .ok_or(DialogError::MissingContact)?
            .to_owned();

        let mut session = SessionState::default();
        session.accept_incoming(true, cseq, !invite.body.is_empty());
        let mut dialog = Dialog {
            id: DialogId {
                call_id: invite.call_id()?.to_owned(),
                local_tag,
                remote_tag: remote_tag.to_owned(),
            },
            role: Role::Uas,
            state: DialogState::Early,
            local_uri: without_tag(&to),
            remote_uri: without_tag(&from),
            remote_target,
            route_set,
            local_cseq: None,
            remote_cseq: Some(cseq),
            local_contact,
            secure: is_secure(&request.uri, transport),
            initial_invite_cseq: cseq,
            session,
        };
        dialog.apply_sent_response(resp)?;
        Ok(dialog)
    }
}
