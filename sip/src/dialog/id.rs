//! The dialog identifier (RFC 3261 §12): Call-ID, local tag and remote tag. Which header
//! holds which tag depends on the direction of the message, so the identifier is always
//! derived here and never assembled by hand.

use super::DialogError;
use crate::message::Message;

/// Identifies a dialog from our side: `local_tag` is the tag we chose.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogId {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: String,
}

impl DialogId {
    /// The dialog a received request belongs to (§12.2.2): our tag is in To, the peer's in
    /// From. A request without a To tag is outside any dialog.
    pub fn for_received_request(request: &Message<'_>) -> Result<Self, DialogError> {
        let to = request.to_header()?;
        let from = request.from_header()?;
        Ok(DialogId {
            call_id: request.call_id()?.to_owned(),
            local_tag: to
                .tag()
                .ok_or(DialogError::MissingTag { header: "To" })?
                .to_owned(),
            remote_tag: from
                .tag()
                .ok_or(DialogError::MissingTag { header: "From" })?
                .to_owned(),
        })
    }

    /// The dialog a received response belongs to: our tag is in From, the peer's in To.
    pub fn for_received_response(response: &Message<'_>) -> Result<Self, DialogError> {
        let to = response.to_header()?;
        let from = response.from_header()?;
        Ok(DialogId {
            call_id: response.call_id()?.to_owned(),
            local_tag: from
                .tag()
                .ok_or(DialogError::MissingTag { header: "From" })?
                .to_owned(),
            remote_tag: to
                .tag()
                .ok_or(DialogError::MissingTag { header: "To" })?
                .to_owned(),
        })
    }

    /// Tags compare case-sensitively and Call-IDs byte for byte (§19.3, §20.8).
    pub fn matches(&self, other: &DialogId) -> bool {
        self == other
    }
}

impl std::fmt::Display for DialogId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{};local-tag={};remote-tag={}",
            self.call_id, self.local_tag, self.remote_tag
        )
    }
}
