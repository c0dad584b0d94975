//! The options of an ng `offer` or `answer`, read once into what the call does with them.
//! Kamailio's and OpenSIPS's modules send most options as their own keys (`replace`,
//! `transport-protocol`, `rtcp-mux`, `SDES`, `codec`), older ones as words in `flags`
//! (`replace-origin`, `SDES-off`, `codec-strip-G729`); both spellings are read, with spaces,
//! dashes and underscores taken as the same (rtpengine does the same).

use std::net::IpAddr;

use roomgate_sip::sdp::{CryptoSuite, Proto, SessionDescription};

use super::message::{CodecOps, OfferAnswer};
use crate::call::sdes::srtp_suite;

/// Why an offer's or answer's options cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlagError {
    #[error("unsupported transport-protocol {0} (RTP/AVP, RTP/AVPF, RTP/SAVP, RTP/SAVPF)")]
    Transport(String),
    #[error("ICE {0} is not supported: the relay is not an ICE agent (use ICE=remove)")]
    Ice(String),
    #[error("unknown or unsupported SDES suite {0}")]
    Suite(String),
}

/// What `rtcp-mux` asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MuxFlags {
    /// Offer multiplexing to the answerer.
    pub offer: bool,
    /// Accept the offerer's multiplexing whatever the answerer does.
    pub accept: bool,
    /// Take multiplexing out toward the answerer, accept it from the offerer.
    pub demux: bool,
    /// Never multiplex, on either side.
    pub reject: bool,
}

/// Which SDES suites we offer or accept (`SDES`: `off`, `no-<suite>`, `only-<suite>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sdes {
    /// No SDES at all: an SRTP profile toward a side is then refused.
    pub off: bool,
    pub only: Vec<CryptoSuite>,
    pub no: Vec<CryptoSuite>,
}

impl Sdes {
    /// Whether `suite` may be used.
    pub fn allows(&self, suite: &CryptoSuite) -> bool {
        !self.off
            && srtp_suite(suite).is_some()
            && !self.no.contains(suite)
            && (self.only.is_empty() || self.only.contains(suite))
    }
}

/// An offer's or answer's options, digested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// The RTP profile toward the recipient; `None` keeps the endpoint's.
    pub transport: Option<Proto>,
    pub replace_origin: bool,
    pub replace_session_connection: bool,
    pub mux: MuxFlags,
    pub sdes: Sdes,
    pub codec: CodecOps,
    /// `SIP-source-address` with `received-from`: the endpoint's media is taken to come
    /// from the address its SIP came from, not the one in its SDP.
    pub sip_source: Option<IpAddr>,
}

/// Lowercase, with spaces and underscores as dashes.
fn norm(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' | '_' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn suite(name: &str) -> Result<CryptoSuite, FlagError> {
    match CryptoSuite::parse(name).0 {
        CryptoSuite::Other(_) => Err(FlagError::Suite(name.chars().take(64).collect())),
        s => Ok(s),
    }
}

impl Sdes {
    /// One `SDES` option (`off`, `no-X`, `only-X`; others such as `pad` are ignored).
    fn read(&mut self, option: &str) -> Result<(), FlagError> {
        let lower = option.to_ascii_lowercase();
        if lower == "off" || lower == "no" {
            self.off = true;
        } else if let Some(name) = lower.strip_prefix("no-").or(lower.strip_prefix("no_")) {
            self.no.push(suite(name)?);
        } else if let Some(name) = lower.strip_prefix("only-").or(lower.strip_prefix("only_")) {
            self.only.push(suite(name)?);
        }
        Ok(())
    }
}

fn transport(name: &str) -> Result<Proto, FlagError> {
    match name.to_ascii_uppercase().as_str() {
        "RTP/AVP" => Ok(Proto::RtpAvp),
        "RTP/AVPF" => Ok(Proto::RtpAvpf),
        "RTP/SAVP" => Ok(Proto::RtpSavp),
        "RTP/SAVPF" => Ok(Proto::RtpSavpf),
        _ => Err(FlagError::Transport(name.chars().take(64).collect())),
    }
}

impl Flags {
    /// Reads the options of `oa`.
    pub fn read(oa: &OfferAnswer) -> Result<Flags, FlagError> {
        let mut f = Flags {
            codec: oa.codec.clone(),
            ..Flags::default()
        };
        if let Some(t) = &oa.transport_protocol {
            f.transport = Some(transport(t)?);
        }
        match oa.ice.as_deref().map(norm).as_deref() {
            None | Some("remove") | Some("default") => {}
            Some(other) => return Err(FlagError::Ice(other.chars().take(32).collect())),
        }
        for r in &oa.replace {
            match norm(r).as_str() {
                "origin" => f.replace_origin = true,
                "session-connection" => f.replace_session_connection = true,
                _ => {}
            }
        }
        for m in &oa.rtcp_mux {
            match norm(m).as_str() {
                "offer" | "require" => f.mux.offer = true,
                "accept" => f.mux.accept = true,
                "demux" => f.mux.demux = true,
                "reject" => f.mux.reject = true,
                _ => {}
            }
        }
        for s in &oa.sdes {
            f.sdes.read(s)?;
        }
        let mut sip_source = false;
        for flag in &oa.flags {
            let n = norm(flag);
            match n.as_str() {
                "replace-origin" => f.replace_origin = true,
                "replace-session-connection" => f.replace_session_connection = true,
                "sip-source-address" => sip_source = true,
                "rtp/avp" | "rtp/avpf" | "rtp/savp" | "rtp/savpf" => {
                    f.transport = Some(transport(flag)?)
                }
                _ => {
                    // Suite names keep their underscores: read from the original word.
                    if let Some(opt) = flag.get(5..).filter(|_| n.starts_with("sdes-")) {
                        f.sdes.read(opt)?;
                    } else if let Some(rest) = n.strip_prefix("codec-") {
                        let (op, name) = rest.split_once('-').unwrap_or((rest, ""));
                        let name = flag.get(flag.len() - name.len()..).unwrap_or(name);
                        let list = match op {
                            "strip" => &mut f.codec.strip,
                            "offer" => &mut f.codec.offer,
                            "transcode" => &mut f.codec.transcode,
                            "mask" => &mut f.codec.mask,
                            _ => continue,
                        };
                        if !name.is_empty() {
                            list.push(name.to_owned());
                        }
                    }
                }
            }
        }
        if sip_source {
            // `received-from` is the address family and the address.
            f.sip_source = oa.received_from.get(1).and_then(|a| a.parse().ok());
        }
        Ok(f)
    }

    /// Puts the SIP source address in place of the SDP's connection addresses, when asked.
    pub fn apply_source(&self, sdp: &mut SessionDescription) {
        let Some(ip) = self.sip_source else {
            return;
        };
        let c = roomgate_sip::sdp::Connection::internet(ip);
        if sdp.connection.is_some() {
            sdp.connection = Some(c.clone());
        }
        for m in &mut sdp.media {
            for conn in &mut m.connections {
                *conn = c.clone();
            }
        }
    }
}
