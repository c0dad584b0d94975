//! A message we send, serialized and decoded once.
//!
//! Decoding what we send is its check: a TU mistake is caught at the call, not by the peer.
//! Several elements read the same message we send (the server transaction for its status and
//! To tag, the dialog for its tag and Contact, the client transaction for its key), and each
//! used to serialize and decode it again. An [`Outgoing`] is made once and read by all of them.

use std::sync::Arc;

use super::Decoded;
use crate::error::DecodeError;
use crate::message::Message;
use crate::owned::OwnedMessage;

/// The bytes of a message we send and their decoded view. Only a message that decodes can be
/// made into one; cloning shares it.
#[derive(Clone)]
pub struct Outgoing(Arc<Decoded>);

impl Outgoing {
    /// Serializes `msg` and decodes the result (the check of what we send).
    pub fn encode(msg: &OwnedMessage) -> Result<Outgoing, DecodeError> {
        Decoded::try_new(msg.to_bytes(), |b| crate::decode_datagram(b))
            .map(|d| Outgoing(Arc::new(d)))
    }

    /// The same check without keeping the result, for a message the caller sends (or
    /// changes) itself afterwards.
    pub fn check(msg: &OwnedMessage) -> Result<(), DecodeError> {
        crate::decode_datagram(&msg.to_bytes()).map(drop)
    }

    /// The bytes to put on the wire.
    pub fn bytes(&self) -> &[u8] {
        self.0.borrow_owner()
    }

    /// The decoded view of [`Outgoing::bytes`].
    pub fn message(&self) -> &Message<'_> {
        self.0.borrow_dependent()
    }

    /// The status code, for a server transaction sending it (a request is the TU's mistake).
    pub(crate) fn response_code(&self) -> Result<u16, super::TransactionError> {
        self.message()
            .status_line()
            .map(|s| s.code)
            .ok_or(super::TransactionError::WrongKind {
                expected: "response",
            })
    }
}

impl PartialEq for Outgoing {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Outgoing {}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Outgoing")
            .field(&String::from_utf8_lossy(self.bytes()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::Outgoing;
    use crate::{HeaderName, OwnedMessage};

    #[test]
    fn an_outgoing_message_is_its_serialization_decoded_and_a_broken_one_is_refused() {
        let msg = OwnedMessage::response(200, "OK")
            .with(HeaderName::Via, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa1")
            .with(HeaderName::From, "<sip:a@example.com>;tag=1")
            .with(HeaderName::To, "<sip:b@example.com>;tag=2")
            .with(HeaderName::CallId, "c1")
            .with(HeaderName::CSeq, "1 INVITE");
        let out = Outgoing::encode(&msg).unwrap();
        assert_eq!(out.bytes(), msg.to_bytes().as_slice());
        assert_eq!(out.message().status_line().unwrap().code, 200);
        assert_eq!(out.message().to_header().unwrap().tag(), Some("2"));
        let shared = out.clone();
        assert_eq!(shared, out);
        assert!(std::ptr::eq(shared.bytes(), out.bytes()));

        // Without a CSeq the response does not decode: it is refused, not sent.
        let mut broken = msg.clone();
        broken.headers.retain(|(n, _)| n != "CSeq");
        assert!(Outgoing::encode(&broken).is_err());
        assert!(Outgoing::check(&msg).is_ok());
        assert!(Outgoing::check(&broken).is_err());
    }
}
