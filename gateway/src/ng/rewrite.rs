//! The SDP a proxy gets back from an ng `offer` or `answer`: the endpoint's SDP with the
//! media moved to our relay ports and edited as the proxy's flags ask (origin and
//! session-level connection replaced, ICE removed, rtcp-mux offered or taken out, the
//! transport protocol switched between RTP/AVP and RTP/SAVP with our own SDES keys, codecs
//! stripped). Pure: the caller allocates ports and keys.

use std::net::IpAddr;

use roomgate_sip::sdp::{
    Attribute, AttributeValue, Connection, Crypto, MediaDescription, Proto, SessionDescription,
};

/// ICE attributes `ICE=remove` takes out (RFC 8839).
const ICE_ATTRIBUTES: [&str; 8] = [
    "candidate",
    "ice-ufrag",
    "ice-pwd",
    "ice-options",
    "ice-lite",
    "ice-mismatch",
    "end-of-candidates",
    "remote-candidates",
];

/// What to do with rtcp-mux toward the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RtcpMux {
    /// As the endpoint had it.
    #[default]
    Keep,
    /// Offer it (`rtcp-mux=offer`): the recipient may take it.
    Offer,
    /// Take it out (`rtcp-mux=demux`): RTCP on its own port.
    Remove,
}

/// Our relay ports for one m-line toward the recipient; `None` rejects the stream (port 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    pub rtp: u16,
    pub rtcp: u16,
}

/// How to rewrite one SDP.
#[derive(Debug, Clone, Default)]
pub struct Rewrite {
    pub media_ip: Option<IpAddr>,
    /// Per m-line, in order.
    pub ports: Vec<Option<Ports>>,
    pub replace_origin: bool,
    pub replace_session_connection: bool,
    pub remove_ice: bool,
    pub rtcp_mux: RtcpMux,
    /// The RTP profile toward the recipient (`transport-protocol`); `None` keeps the
    /// endpoint's. Going to an SAVP profile needs `cryptos` for every kept m-line.
    pub transport: Option<Proto>,
    /// Our `a=crypto` lines per m-line, when the recipient's side is SDES-SRTP: they replace
    /// the endpoint's (its keys are between it and us, never passed on).
    pub cryptos: Vec<Vec<Crypto>>,
    /// Encoding names to take out (`codec-strip`, case-insensitive; `all` for every one).
    pub strip: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RewriteError {
    #[error("no relay address to put in the SDP")]
    NoMediaIp,
    #[error("m-line {0} goes to SRTP without keys of ours: refused rather than sent in the clear")]
    NoKeys(usize),
    #[error("m-line {0} would keep no codec")]
    NoCodecLeft(usize),
}

fn is_srtp(p: &Proto) -> bool {
    matches!(p, Proto::RtpSavp | Proto::RtpSavpf)
}

/// The encoding name of format `pt` of a media description (rtpmap, or the static name).
fn encoding(m: &MediaDescription, format: &str) -> Option<String> {
    let pt: u8 = format.parse().ok()?;
    if let Some(r) = m.rtpmap(pt) {
        return Some(r.encoding_name.clone());
    }
    Some(
        match pt {
            0 => "PCMU",
            8 => "PCMA",
            9 => "G722",
            18 => "G729",
            _ => return None,
        }
        .to_owned(),
    )
}

/// Applies `r` to `sdp`.
pub fn rewrite(sdp: &SessionDescription, r: &Rewrite) -> Result<SessionDescription, RewriteError> {
    let ip = r.media_ip.ok_or(RewriteError::NoMediaIp)?;
    let mut out = sdp.clone();
    if r.replace_origin {
        let c = Connection::internet(ip);
        out.origin.addr_type = c.addr_type;
        out.origin.address = c.address;
    }
    if r.replace_session_connection || out.connection.is_some() {
        out.connection = Some(Connection::internet(ip));
    }
    if r.remove_ice {
        out.attributes
            .retain(|a| !ICE_ATTRIBUTES.contains(&a.name()));
    }
    for (i, m) in out.media.iter_mut().enumerate() {
        let ports = r.ports.get(i).copied().flatten();
        let Some(ports) = ports else {
            m.port = 0;
            continue;
        };
        if m.port == 0 {
            continue;
        }
        m.port = ports.rtp;
        m.port_count = None;
        m.connections = vec![Connection::internet(ip)];
        if let Some(p) = &r.transport {
            if m.proto.is_rtp() {
                m.proto = p.clone();
            }
        }
        // Strip codecs and their attributes.
        if !r.strip.is_empty() {
            let all = r.strip.iter().any(|s| s.eq_ignore_ascii_case("all"));
            let dropped: Vec<String> = m
                .formats
                .iter()
                .filter(|f| {
                    let name = encoding(m, f);
                    all || name.is_some_and(|n| r.strip.iter().any(|s| s.eq_ignore_ascii_case(&n)))
                })
                .cloned()
                .collect();
            m.formats.retain(|f| !dropped.contains(f));
            m.attributes.retain(|a| match a.value() {
                AttributeValue::Rtpmap(rm) => !dropped.contains(&rm.payload_type.to_string()),
                AttributeValue::Fmtp(f) => !dropped.contains(&f.format),
                AttributeValue::RtcpFb(fb) => !dropped.contains(&fb.format),
                _ => true,
            });
            if m.formats.is_empty() {
                return Err(RewriteError::NoCodecLeft(i));
            }
        }
        // Keys: the endpoint's never pass on; ours only toward an SRTP profile.
        m.attributes
            .retain(|a| !matches!(a.value(), AttributeValue::Crypto(_)));
        if is_srtp(&m.proto) {
            let ours = r
                .cryptos
                .get(i)
                .filter(|c| !c.is_empty())
                .ok_or(RewriteError::NoKeys(i))?;
            for c in ours {
                m.push_attribute(AttributeValue::Crypto(c.clone()));
            }
        }
        if r.remove_ice {
            m.attributes.retain(|a| !ICE_ATTRIBUTES.contains(&a.name()));
        }
        let had_mux = m.has_rtcp_mux();
        m.attributes
            .retain(|a| !matches!(a.value(), AttributeValue::RtcpMux | AttributeValue::Rtcp(_)));
        let mux = match r.rtcp_mux {
            RtcpMux::Keep => had_mux,
            RtcpMux::Offer => true,
            RtcpMux::Remove => false,
        };
        if mux {
            m.push_attribute(AttributeValue::RtcpMux);
        }
        if !mux || ports.rtcp != ports.rtp {
            m.attributes.push(Attribute::new(AttributeValue::Rtcp(
                roomgate_sip::sdp::Rtcp {
                    port: ports.rtcp,
                    connection: None,
                },
            )));
        }
    }
    out.origin.bump_version();
    Ok(out)
}
