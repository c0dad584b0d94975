//! Setting up the benchmark's calls through the relay by offer/answer, the tool playing the
//! proxy and both endpoints: A offers (its own loopback port, and in SRTP modes an SDES line
//! of A's suite with A's key), B answers the relay's offer by picking the relay's line of B's
//! suite and adding B's key. The relay's SDP is read defensively: a missing port, address or
//! crypto line is an error naming the call, never a panic.

use std::net::{IpAddr, SocketAddr, UdpSocket};

use rand::RngCore;
use roomgate_media::srtp::Policy;
use roomgate_sip::sdp::{
    AttributeValue, Connection, Crypto, CryptoSuite, Direction, Host, KeyMaterial,
    MediaDescription, MediaType, Proto, Rtpmap, SessionDescription,
};

use super::ng::{local_ip_for, printable, text, NgClient};
use super::{BenchError, Mode};
use crate::call::negotiate::origin;
use crate::call::sdes::{line_policy, srtp_suite};
use crate::ng::Value;

/// Receive buffer asked for on each endpoint socket, so a burst from the relay is queued
/// rather than dropped by the generator's own kernel queue.
const ENDPOINT_RCVBUF: usize = 256 * 1024;

/// SRTP keys of one call, as each endpoint uses them.
pub struct CallKeys {
    pub a_send: Policy,
    pub a_recv: Policy,
    pub b_send: Policy,
    pub b_recv: Policy,
}

/// One call set up through the relay.
pub struct Call {
    pub call_id: String,
    pub a: UdpSocket,
    pub b: UdpSocket,
    /// Where A sends: the relay's port in its answer to A.
    pub a_to: SocketAddr,
    /// Where B sends: the relay's port in its offer to B.
    pub b_to: SocketAddr,
    pub keys: Option<CallKeys>,
}

/// The SDES suites of A and B in a mode (`None`: plain RTP on both sides).
pub fn suites(mode: Mode) -> Option<(CryptoSuite, CryptoSuite)> {
    match mode {
        Mode::Plain => None,
        Mode::Srtp => Some((
            CryptoSuite::AesCm128HmacSha1_80,
            CryptoSuite::Aes256CmHmacSha1_80,
        )),
        Mode::Gcm => Some((CryptoSuite::AeadAes128Gcm, CryptoSuite::AeadAes256Gcm)),
    }
}

fn endpoint(ip: IpAddr) -> Result<UdpSocket, BenchError> {
    let s = socket2::Socket::new(
        socket2::Domain::for_address(SocketAddr::new(ip, 0)),
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )
    .map_err(BenchError::Io)?;
    // Best effort: the kernel caps it at net.core.rmem_max.
    let _ = s.set_recv_buffer_size(ENDPOINT_RCVBUF);
    s.bind(&SocketAddr::new(ip, 0).into())
        .map_err(BenchError::Io)?;
    Ok(s.into())
}

/// A fresh key||salt for `suite` and its SDES line (tag `tag`).
fn our_line(tag: u32, suite: &CryptoSuite) -> Result<(Crypto, Policy), BenchError> {
    let s = srtp_suite(suite).ok_or(BenchError::Internal("suite without a context"))?;
    let mut bytes = vec![0u8; s.master_key_len() + s.master_salt_len()];
    rand::rng().fill_bytes(&mut bytes);
    let line = Crypto::new(tag, suite.clone(), KeyMaterial::new(bytes));
    let policy = line_policy(&line).map_err(|_| BenchError::Internal("our own SDES line"))?;
    Ok((line, policy))
}

/// An endpoint's SDP: one PCMU audio m-line at `ip`:`port`, SAVP with `line` when keyed,
/// offering (or answering) rtcp-mux when `mux`.
fn endpoint_sdp(owner: &str, ip: IpAddr, port: u16, line: Option<&Crypto>, mux: bool) -> String {
    let mut sdp = SessionDescription::new(origin(owner, ip, 1, 1));
    sdp.connection = Some(Connection::internet(ip));
    let proto = if line.is_some() {
        Proto::RtpSavp
    } else {
        Proto::RtpAvp
    };
    let mut m = MediaDescription::new(MediaType::Audio, port, proto, vec!["0".into()]);
    m.push_attribute(AttributeValue::Rtpmap(Rtpmap {
        payload_type: 0,
        encoding_name: "PCMU".into(),
        clock_rate: 8000,
        channels: None,
    }));
    if let Some(c) = line {
        m.push_attribute(AttributeValue::Crypto(c.clone()));
    }
    if mux {
        m.push_attribute(AttributeValue::RtcpMux);
    }
    m.push_attribute(AttributeValue::Direction(Direction::SendRecv));
    sdp.media.push(m);
    sdp.to_string()
}

/// The relay's SDP in an ng answer: its first m-line's address (an unspecified or named
/// host means the ng address's host) and the m-line itself.
fn relay_sdp(
    answer: &Value,
    ng: SocketAddr,
    call: &str,
) -> Result<(SocketAddr, SessionDescription), BenchError> {
    let bad = |what: &str| BenchError::RelaySdp {
        call: call.to_owned(),
        what: what.to_owned(),
    };
    let raw = answer
        .get("sdp")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no sdp in the answer"))?;
    let sdp = SessionDescription::parse(raw.as_bytes())
        .map_err(|e| bad(&format!("does not parse: {}", printable(&e.to_string()))))?;
    let m = sdp.media.first().ok_or_else(|| bad("no m-line"))?;
    if m.port == 0 {
        return Err(bad("m-line refused (port 0)"));
    }
    let conn = m.connections.first().or(sdp.connection.as_ref());
    let ip = match conn.map(|c| &c.address.host) {
        Some(Host::Ip4(a)) if !a.is_unspecified() => IpAddr::V4(*a),
        Some(Host::Ip6(a)) if !a.is_unspecified() => IpAddr::V6(*a),
        _ => ng.ip(),
    };
    Ok((SocketAddr::new(ip, m.port), sdp))
}

/// The relay's line of `suite` in its first m-line, and its policy.
fn relay_line<'a>(
    sdp: &'a SessionDescription,
    suite: &CryptoSuite,
    call: &str,
) -> Result<(&'a Crypto, Policy), BenchError> {
    let m = sdp.media.first();
    let line = m
        .into_iter()
        .flat_map(|m| m.cryptos())
        .find(|c| &c.suite == suite)
        .ok_or_else(|| BenchError::RelaySdp {
            call: call.to_owned(),
            what: format!("no {} line from the relay", suite.name()),
        })?;
    let policy = line_policy(line).map_err(|e| BenchError::RelaySdp {
        call: call.to_owned(),
        what: format!("its {} line is unusable: {e}", suite.name()),
    })?;
    Ok((line, policy))
}

/// Offer from A, answer from B: the call is set up, or an error says why (the caller deletes
/// what was set up, this call included).
pub fn set_up(
    ng: &mut NgClient,
    relay: SocketAddr,
    call_id: String,
    mode: Mode,
    mux: bool,
) -> Result<Call, BenchError> {
    let ip = local_ip_for(relay);
    let (a, b) = (endpoint(ip)?, endpoint(ip)?);
    let (ap, bp) = (
        a.local_addr().map_err(BenchError::Io)?.port(),
        b.local_addr().map_err(BenchError::Io)?.port(),
    );
    let suites = suites(mode);
    let a_line = match &suites {
        Some((sa, _)) => Some(our_line(1, sa)?),
        None => None,
    };
    let offer = ng.request(vec![
        ("command", text("offer")),
        ("call-id", text(&call_id)),
        ("from-tag", text("bench-a")),
        (
            "sdp",
            text(&endpoint_sdp(
                "a",
                ip,
                ap,
                a_line.as_ref().map(|l| &l.0),
                mux,
            )),
        ),
        (
            "replace",
            Value::List(vec![text("origin"), text("session-connection")]),
        ),
        ("ICE", text("remove")),
        // rtpengine leaves base64 padding off SDES keys unless asked (RFC 4568 is read
        // both ways); our SDP parser accepts only canonical padded keys.
        ("SDES", Value::List(vec![text("pad")])),
    ])?;
    let (b_to, to_b) = relay_sdp(&offer, relay, &call_id)?;
    let (b_line, b_recv) = match &suites {
        Some((_, sb)) => {
            let (line, recv) = relay_line(&to_b, sb, &call_id)?;
            (Some(our_line(line.tag, sb)?), Some(recv))
        }
        None => {
            if to_b
                .media
                .first()
                .is_some_and(|m| m.cryptos().next().is_some())
            {
                return Err(BenchError::RelaySdp {
                    call: call_id,
                    what: "SRTP offered to B on a plain call".into(),
                });
            }
            (None, None)
        }
    };
    let answer = ng.request(vec![
        ("command", text("answer")),
        ("call-id", text(&call_id)),
        ("from-tag", text("bench-a")),
        ("to-tag", text("bench-b")),
        (
            "sdp",
            text(&endpoint_sdp(
                "b",
                ip,
                bp,
                b_line.as_ref().map(|l| &l.0),
                mux,
            )),
        ),
        (
            "replace",
            Value::List(vec![text("origin"), text("session-connection")]),
        ),
        ("ICE", text("remove")),
        // rtpengine leaves base64 padding off SDES keys unless asked (RFC 4568 is read
        // both ways); our SDP parser accepts only canonical padded keys.
        ("SDES", Value::List(vec![text("pad")])),
    ])?;
    let (a_to, to_a) = relay_sdp(&answer, relay, &call_id)?;
    let keys = match (suites, a_line, b_line, b_recv) {
        (Some((sa, _)), Some((_, a_send)), Some((_, b_send)), Some(b_recv)) => {
            let (_, a_recv) = relay_line(&to_a, &sa, &call_id)?;
            Some(CallKeys {
                a_send,
                a_recv,
                b_send,
                b_recv,
            })
        }
        _ => None,
    };
    Ok(Call {
        call_id,
        a,
        b,
        a_to,
        b_to,
        keys,
    })
}

/// Deletes a call; whether the relay confirmed it.
pub fn delete(ng: &mut NgClient, call_id: &str) -> bool {
    ng.request(vec![
        ("command", text("delete")),
        ("call-id", text(call_id)),
        // rtpengine otherwise keeps a deleted call (and its ports) for 30 s.
        ("delete-delay", Value::Int(0)),
    ])
    .is_ok()
}

/// How many of `ours` the relay still lists (ng `list`), or `None` when it does not answer.
pub fn still_listed(ng: &mut NgClient, ours: &[String]) -> Option<usize> {
    let v = ng
        .request(vec![
            ("command", text("list")),
            ("limit", Value::Int(100_000)),
        ])
        .ok()?;
    let listed: Vec<&str> = match v.get("calls") {
        Some(Value::List(l)) => l.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    Some(ours.iter().filter(|c| listed.contains(&c.as_str())).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NG: &str = "127.0.0.1:2223";

    fn answer_with(sdp: &str) -> Value {
        Value::Dict(vec![
            (b"result".to_vec(), text("ok")),
            (b"sdp".to_vec(), text(sdp)),
        ])
    }

    #[test]
    fn our_endpoint_sdp_reads_back_with_its_port_and_key() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let (line, policy) = our_line(1, &CryptoSuite::AeadAes128Gcm).unwrap();
        let text = endpoint_sdp("a", ip, 40_000, Some(&line), false);
        let (addr, sdp) = relay_sdp(&answer_with(&text), NG.parse().unwrap(), "c").unwrap();
        assert_eq!(addr, "127.0.0.1:40000".parse().unwrap());
        assert_eq!(sdp.media[0].proto, Proto::RtpSavp);
        let (_, back) = relay_line(&sdp, &CryptoSuite::AeadAes128Gcm, "c").unwrap();
        assert_eq!(back.master_key, policy.master_key);
        let plain = endpoint_sdp("b", ip, 40_002, None, true);
        assert!(plain.contains("m=audio 40002 RTP/AVP 0\r\n"), "{plain}");
        assert!(!plain.contains("a=crypto"));
    }

    #[test]
    fn a_relay_sdp_without_what_we_need_is_an_error_naming_the_call() {
        let ng: SocketAddr = NG.parse().unwrap();
        let no_sdp = Value::Dict(vec![(b"result".to_vec(), text("ok"))]);
        let ip: IpAddr = "0.0.0.0".parse().unwrap();
        for (answer, what) in [
            (no_sdp, "no sdp"),
            (answer_with("v=0\r\nm=x\r\n"), "does not parse"),
            (
                answer_with(&endpoint_sdp("r", ip, 0, None, false)),
                "port 0",
            ),
        ] {
            let e = relay_sdp(&answer, ng, "call-7").unwrap_err().to_string();
            assert!(e.contains(what) && e.contains("call-7"), "{e}");
        }
        // An unspecified address means the ng address's host.
        let (addr, sdp) = relay_sdp(
            &answer_with(&endpoint_sdp("r", ip, 5000, None, false)),
            ng,
            "c",
        )
        .unwrap();
        assert_eq!(addr, "127.0.0.1:5000".parse().unwrap());
        let e = relay_line(&sdp, &CryptoSuite::Aes256CmHmacSha1_80, "c")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("no AES_256_CM_HMAC_SHA1_80 line"), "{e}");
    }
}
