//! Transaction matching keys (RFC 3261 §17.1.3 and §17.2.3).
//!
//! A server transaction is found by the top Via's branch and sent-by plus the method (ACK
//! counting as INVITE). When the branch lacks the `z9hG4bK` cookie — an RFC 2543 peer — the
//! key falls back to Request-URI, From tag, To tag, Call-ID, CSeq and the whole top Via. A
//! branch that is only the cookie (RFC 4475 `badbranch`) carries no identifier, so it is
//! treated like an RFC 2543 branch. A client transaction is found by the branch and the CSeq
//! method of the response.
//!
//! Two requests with the same branch but a different sent-by (a merged request, §8.2.2.2)
//! get different keys, so they do not match; detecting the merge is the TU's job.

use crate::error::HeaderError;
use crate::message::Message;
use crate::method::Method;

/// The RFC 3261 magic cookie.
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// Matches requests to server transactions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServerKey {
    /// §17.2.3 rule 1: branch, sent-by and method.
    Rfc3261 {
        /// Compared exactly: RFC 3261 generators make it unique, not case-insensitive.
        branch: String,
        /// Host (lower case) and port as written in the top Via.
        sent_by: String,
        /// The request method, ACK counted as INVITE.
        method: String,
    },
    /// §17.2.3 fallback for RFC 2543 peers.
    Rfc2543 {
        /// As received; retransmissions repeat it byte for byte.
        request_uri: String,
        from_tag: Option<String>,
        /// The To tag of the request; for ACK see [`ServerKey::without_to_tag`].
        to_tag: Option<String>,
        call_id: String,
        cseq: u32,
        /// The request method, ACK counted as INVITE.
        method: String,
        /// The top Via, re-serialized so that white space does not matter.
        top_via: String,
    },
}

/// True when `branch` identifies a transaction by itself: the cookie and something after it.
pub fn is_rfc3261_branch(branch: &str) -> bool {
    branch.len() > MAGIC_COOKIE.len() && branch.starts_with(MAGIC_COOKIE)
}

fn key_method(method: &Method<'_>) -> String {
    match method {
        Method::Ack => Method::Invite.as_str().to_owned(),
        m => m.as_str().to_owned(),
    }
}

impl ServerKey {
    /// The key of a received request.
    pub fn from_request(msg: &Message<'_>) -> Result<Self, HeaderError> {
        let line = msg.request_line().ok_or(HeaderError {
            header: "Request-Line",
            what: "not a request",
        })?;
        let via = msg.top_via()?;
        let method = key_method(&line.method);
        if let Some(branch) = via.branch().filter(|b| is_rfc3261_branch(b)) {
            let mut sent_by = via.host.to_string().to_ascii_lowercase();
            if let Some(port) = via.port {
                sent_by.push(':');
                sent_by.push_str(&port.to_string());
            }
            return Ok(ServerKey::Rfc3261 {
                branch: branch.to_owned(),
                sent_by,
                method,
            });
        }
        let cseq = msg.cseq()?;
        Ok(ServerKey::Rfc2543 {
            request_uri: line.uri_text.to_owned(),
            from_tag: msg.from_header()?.tag().map(str::to_owned),
            to_tag: msg.to_header()?.tag().map(str::to_owned),
            call_id: msg.call_id()?.to_owned(),
            cseq: cseq.seq,
            method,
            top_via: via.to_string(),
        })
    }

    /// The same key with another method: a CANCEL's key with `INVITE` finds the transaction
    /// it cancels (§9.2).
    pub fn with_method(&self, new: &str) -> Self {
        let mut key = self.clone();
        match &mut key {
            ServerKey::Rfc3261 { method, .. } | ServerKey::Rfc2543 { method, .. } => {
                new.clone_into(method);
            }
        }
        key
    }

    /// The key without a To tag. An RFC 2543 ACK for a non-2xx carries the tag our response
    /// added, while the INVITE had none; the layer then checks the tag against the response.
    pub fn without_to_tag(&self) -> Self {
        let mut key = self.clone();
        if let ServerKey::Rfc2543 { to_tag, .. } = &mut key {
            *to_tag = None;
        }
        key
    }

    pub fn is_rfc2543(&self) -> bool {
        matches!(self, ServerKey::Rfc2543 { .. })
    }
}

/// Matches responses to client transactions (§17.1.3): branch of the top Via and CSeq method.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientKey {
    pub branch: String,
    pub method: String,
}

impl ClientKey {
    /// The key of a request we send (its top Via must carry an RFC 3261 branch).
    pub fn from_request(msg: &Message<'_>) -> Result<Option<Self>, HeaderError> {
        let Some(line) = msg.request_line() else {
            return Ok(None);
        };
        let via = msg.top_via()?;
        Ok(via
            .branch()
            .filter(|b| is_rfc3261_branch(b))
            .map(|branch| ClientKey {
                branch: branch.to_owned(),
                method: line.method.as_str().to_owned(),
            }))
    }

    /// The key of a received response.
    pub fn from_response(msg: &Message<'_>) -> Result<Option<Self>, HeaderError> {
        let via = msg.top_via()?;
        let cseq = msg.cseq()?;
        Ok(via.branch().map(|branch| ClientKey {
            branch: branch.to_owned(),
            method: cseq.method.as_str().to_owned(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transaction::test_support::conformance;

    fn req(via: &str, method: &str) -> Vec<u8> {
        format!(
            "{method} sip:b@example.com SIP/2.0\r\nVia: {via}\r\nFrom: <sip:a@example.com>;tag=1\r\n\
             To: <sip:b@example.com>\r\nCall-ID: k1\r\nCSeq: 1 {method}\r\nMax-Forwards: 70\r\n\
             Content-Length: 0\r\n\r\n"
        )
        .into_bytes()
    }

    fn key(bytes: &[u8]) -> ServerKey {
        ServerKey::from_request(&crate::decode_datagram(bytes).unwrap()).unwrap()
    }

    #[test]
    fn ack_counts_as_invite_and_cancel_maps_to_invite() {
        let via = "SIP/2.0/UDP Host.example.com:5060;branch=z9hG4bKx1";
        let invite = key(&req(via, "INVITE"));
        assert_eq!(invite, key(&req(via, "ACK")));
        let cancel = key(&req(via, "CANCEL"));
        assert_ne!(invite, cancel);
        assert_eq!(cancel.with_method("INVITE"), invite);
        // sent-by host compares case-insensitively.
        assert_eq!(
            invite,
            key(&req(
                "SIP/2.0/UDP host.EXAMPLE.com:5060;branch=z9hG4bKx1",
                "INVITE"
            ))
        );
    }

    #[test]
    fn merged_requests_do_not_match() {
        let a = key(&req(
            "SIP/2.0/UDP a.example.com;branch=z9hG4bKsame",
            "INVITE",
        ));
        let b = key(&req(
            "SIP/2.0/UDP b.example.com;branch=z9hG4bKsame",
            "INVITE",
        ));
        assert_ne!(a, b);
    }

    #[test]
    fn rfc2543_fallback_for_inv2543_and_badbranch() {
        let inv = conformance("inv2543.dat");
        let k = key(&inv);
        let ServerKey::Rfc2543 {
            request_uri,
            cseq,
            method,
            call_id,
            ..
        } = &k
        else {
            panic!("expected RFC 2543 key, got {k:?}");
        };
        assert_eq!(request_uri, "sip:UserB@example.com");
        assert_eq!((*cseq, method.as_str()), (56, "INVITE"));
        assert_eq!(call_id, "inv2543.1717@ift.client.example.com");
        let bad = conformance("badbranch.dat");
        assert!(key(&bad).is_rfc2543());
        assert!(!is_rfc3261_branch("z9hG4bK"));
        assert!(is_rfc3261_branch("z9hG4bK1"));
    }

    #[test]
    fn client_key_uses_cseq_method() {
        let resp =
            b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKc\r\nFrom: <sip:a@h>;tag=1\r\n\
            To: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 4 CANCEL\r\nContent-Length: 0\r\n\r\n";
        let k = ClientKey::from_response(&crate::decode_datagram(resp).unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(
            k,
            ClientKey {
                branch: "z9hG4bKc".into(),
                method: "CANCEL".into()
            }
        );
    }
}
