//! What our INVITE toward the upstream says about the path the call took: whether the
//! caller's identity is asserted (RFC 3325: only inside the trust domain), how many hops are
//! left (RFC 3261 §16.6, RFC 7332: a B2BUA passes Max-Forwards on, decremented, so a loop
//! through B2BUAs still runs out), and the loop tokens of the gateways it went through.
//!
//! A loop token is a random value per call that our INVITE carries in [`LOOP_HEADER`] and
//! the call core holds as one of the call's keys. A B2BUA or SBC renews Call-ID, tags and Via
//! (so neither the Call-ID key nor a Via check sees the call come back) but commonly passes
//! unknown headers on; when the INVITE returns still naming a live call's token, the core's
//! "same leg twice" check refuses it 482. Tokens are random, so a caller cannot name another
//! caller's call; naming its own only gets its own call refused. Tokens from earlier gateways
//! are passed on, so a loop through several gateways is caught where it began.

use roomgate_sip::{HeaderName, Host, Message, Uri};

/// The header carrying loop tokens (comma-separated, oldest first).
pub(crate) const LOOP_HEADER: HeaderName<'static> = HeaderName::Other("Roomgate-Loop");
/// Loop tokens we pass on, ours included; more from the room are dropped (oldest kept).
pub(crate) const MAX_LOOP_TOKENS: usize = 8;
/// Bytes of randomness in our token (hex: twice as many digits).
pub(crate) const LOOP_TOKEN_BYTES: usize = 16;
/// Max-Forwards of a request we originate, and the most we pass on (RFC 3261 §8.1.1.6).
pub(crate) const MAX_FORWARDS: u8 = 70;

/// The loop tokens `msg` carries that look like ours (hex, our length), lower-cased, at most
/// [`MAX_LOOP_TOKENS`] - 1 so ours still fits.
pub(crate) fn loop_tokens(msg: &Message<'_>) -> Vec<String> {
    msg.headers_named(LOOP_HEADER)
        .flat_map(|h| h.value.split(',').map(str::trim).collect::<Vec<_>>())
        .filter(|t| t.len() == 2 * LOOP_TOKEN_BYTES && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
        .take(MAX_LOOP_TOKENS - 1)
        .collect()
}

/// The call core's key for loop token `token` (apart from Call-IDs, which are keys too).
pub(crate) fn loop_key(token: &str) -> String {
    format!("loop:{token}")
}

/// Max-Forwards for our INVITE: the room's less one, at most [`MAX_FORWARDS`]; a room that
/// sent none gets the default. (A room INVITE with 0 was refused 483 before it got here.)
pub(crate) fn forwarded_hops(room: Option<&Message<'_>>) -> u8 {
    match room.and_then(|m| m.max_forwards().ok().flatten()) {
        Some(n) => n.saturating_sub(1).min(MAX_FORWARDS),
        None => MAX_FORWARDS,
    }
}

/// Whether the host of upstream `uri` is one of `trusted` (names compared without case or a
/// trailing dot, addresses by value, so `[2001:db8::1]` matches `2001:db8::1`).
pub(crate) fn is_trusted(uri: &str, trusted: &[String]) -> bool {
    let host = match Uri::parse(uri) {
        Ok(Uri::Sip(u)) => u.host,
        _ => return false,
    };
    trusted.iter().any(|t| host_matches(&host, t))
}

fn host_matches(host: &Host<'_>, entry: &str) -> bool {
    let entry = entry.trim().trim_start_matches('[').trim_end_matches(']');
    match (host, entry.parse::<std::net::IpAddr>()) {
        (Host::Ipv4(a), Ok(e)) => std::net::IpAddr::V4(*a) == e,
        (Host::Ipv6(a), Ok(e)) => std::net::IpAddr::V6(*a) == e,
        (Host::Domain(d), Err(_)) => d
            .trim_end_matches('.')
            .eq_ignore_ascii_case(entry.trim_end_matches('.')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn trust_is_by_the_upstream_host_alone() {
        let t = list(&["Cloud.Example.com.", "203.0.113.5", "[2001:db8::1]"]);
        assert!(is_trusted("sips:123@cloud.example.COM;transport=tls", &t));
        assert!(is_trusted("sip:123@203.0.113.5:5070", &t));
        assert!(is_trusted("sip:123@[2001:db8:0::1]:5061", &t));
        assert!(!is_trusted("sip:123@evil.cloud.example.com", &t));
        assert!(!is_trusted("sip:cloud.example.com@203.0.113.6", &t));
        assert!(!is_trusted("sip:123@203.0.113.50", &t));
        assert!(!is_trusted("tel:+15551234", &t));
        assert!(!is_trusted("not a uri", &t));
        assert!(!is_trusted("sip:123@cloud.example.com", &[]));
    }
}
