//! Messages the transaction layer builds itself: the ACK for a non-2xx final response
//! (§17.1.1.3), CANCEL (§9.1), responses copied from a request (§8.2.6: the 100 Trying and
//! the TU's stateless 503), and where a response goes (§18.2.2 with RFC 3581 rport).

use std::net::SocketAddr;

use super::{Destination, Transport};
use crate::error::HeaderError;
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::owned::OwnedMessage;

/// Max-Forwards of the requests we generate (RFC 3261 §8.1.1.6).
const MAX_FORWARDS: &str = "70";

fn request_uri<'m>(msg: &'m Message<'_>) -> Result<&'m str, HeaderError> {
    msg.request_line().map(|r| r.uri_text).ok_or(HeaderError {
        header: "Request-Line",
        what: "not a request",
    })
}

fn required<'m>(msg: &'m Message<'_>, name: HeaderName<'static>) -> Result<&'m str, HeaderError> {
    msg.header_value(name).ok_or(HeaderError {
        header: name.static_name(),
        what: "missing",
    })
}

/// Request-URI, top Via, Max-Forwards, From, Call-ID, CSeq number and the Route set of
/// `invite` — the common part of ACK and CANCEL. `to` is the To value to use.
fn in_transaction_request(
    invite: &Message<'_>,
    method: &str,
    to: &str,
) -> Result<OwnedMessage, HeaderError> {
    let mut msg = OwnedMessage::request(method, request_uri(invite)?)
        .with(HeaderName::Via, invite.top_via()?)
        .with(HeaderName::MaxForwards, MAX_FORWARDS)
        .with(HeaderName::From, required(invite, HeaderName::From)?)
        .with(HeaderName::To, to)
        .with(HeaderName::CallId, invite.call_id()?)
        .with(
            HeaderName::CSeq,
            format_args!("{} {method}", invite.cseq()?.seq),
        );
    for route in invite.headers_named(HeaderName::Route) {
        msg.push(HeaderName::Route, &route.value);
    }
    Ok(msg)
}

/// The ACK for a non-2xx final response (§17.1.1.3): Request-URI, Call-ID, From, CSeq number
/// and top Via of the INVITE, the To of the response (with its tag), the INVITE's Route set.
pub fn build_ack(
    invite: &Message<'_>,
    response: &Message<'_>,
) -> Result<OwnedMessage, HeaderError> {
    in_transaction_request(invite, "ACK", required(response, HeaderName::To)?)
}

/// A CANCEL for `invite` (§9.1): same Request-URI, Call-ID, To, From, CSeq number, top Via
/// (so it reaches the same hop and matches there) and Route set.
pub fn build_cancel(invite: &Message<'_>) -> Result<OwnedMessage, HeaderError> {
    in_transaction_request(invite, "CANCEL", required(invite, HeaderName::To)?)
}

/// A response to `request` with its Via fields, From, To, Call-ID, CSeq and Timestamp
/// copied (§8.2.6.2). `to_tag` is added to To when To has no tag yet; 100 Trying takes none.
pub fn build_response(
    request: &Message<'_>,
    code: u16,
    reason: &str,
    to_tag: Option<&str>,
) -> Result<OwnedMessage, HeaderError> {
    let mut msg = OwnedMessage::response(code, reason);
    for via in request.headers_named(HeaderName::Via) {
        msg.push(HeaderName::Via, &via.value);
    }
    let to = required(request, HeaderName::To)?;
    let to = match to_tag {
        Some(tag) if request.to_header()?.tag().is_none() => format!("{to};tag={tag}"),
        _ => to.to_owned(),
    };
    msg = msg
        .with(HeaderName::From, required(request, HeaderName::From)?)
        .with(HeaderName::To, to)
        .with(HeaderName::CallId, request.call_id()?)
        .with(HeaderName::CSeq, required(request, HeaderName::CSeq)?);
    if code == 100 {
        if let Some(ts) = request.header_value(HeaderName::Timestamp) {
            msg.push(HeaderName::Timestamp, ts);
        }
    }
    Ok(msg)
}

/// SIP's default port for UDP/TCP (RFC 3261 §19.1.2).
const DEFAULT_PORT: u16 = 5060;

/// Where the responses to `request`, received from `source`, go (§18.2.2, RFC 3581):
/// reliable transports answer on the connection the request came in on; unreliable ones
/// answer to the source address when `rport` was asked for, else to the source IP (the
/// `received` address) and the sent-by port. Multicast `maddr` is not supported and falls
/// back to the same rule.
pub fn response_destination(request: &Message<'_>, source: Destination) -> Destination {
    if source.transport.is_reliable() {
        return source;
    }
    let Ok(via) = request.top_via() else {
        return source;
    };
    if matches!(via.rport(), Ok(Some(_))) {
        return source;
    }
    let port = via.port.unwrap_or(DEFAULT_PORT);
    Destination {
        addr: SocketAddr::new(source.addr.ip(), port),
        transport: Transport::Udp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_datagram;

    const INVITE: &[u8] = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=z9hG4bKnashds8;rport\r\n\
        Via: SIP/2.0/UDP older.example.com;branch=z9hG4bKold\r\n\
        Route: <sip:p1.example.com;lr>\r\nRoute: <sip:p2.example.com;lr>\r\n\
        Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\n\
        From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
        Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nTimestamp: 54\r\n\
        Content-Length: 0\r\n\r\n";

    #[test]
    fn response_copies_and_tags() {
        let inv = decode_datagram(INVITE).unwrap();
        let r = build_response(&inv, 100, "Trying", Some("x"))
            .unwrap()
            .to_bytes();
        let r = decode_datagram(&r).unwrap();
        assert_eq!(r.vias().unwrap().len(), 2);
        assert_eq!(r.to_header().unwrap().tag(), Some("x"));
        assert_eq!(r.header_value(HeaderName::Timestamp), Some("54"));
        assert_eq!(r.cseq().unwrap().seq, 314159);
    }

    #[test]
    fn response_destination_rules() {
        let inv = decode_datagram(INVITE).unwrap();
        let src = Destination {
            addr: "192.0.2.7:40000".parse().unwrap(),
            transport: Transport::Udp,
        };
        assert_eq!(response_destination(&inv, src), src);
        let bytes = String::from_utf8_lossy(INVITE)
            .replace(";rport", "")
            .into_bytes();
        let no_rport = decode_datagram(&bytes).unwrap();
        assert_eq!(
            response_destination(&no_rport, src).addr,
            "192.0.2.7:5062".parse().unwrap()
        );
        let tcp = Destination {
            transport: Transport::Tcp,
            ..src
        };
        assert_eq!(response_destination(&no_rport, tcp), tcp);
    }
}
