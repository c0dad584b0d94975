//! What an ng call decides per SDP before [`super::rewrite`] writes it: which relay ports
//! each m-line gets, our SDES lines toward a side (every suite we may use in an offer; the
//! offerer's chosen line, answered with a fresh key of ours, in an answer), the codec edits
//! the proxy asked for (`strip`, `mask`, `offer`, `transcode`), and, when the answerer chose
//! a codec the offerer never offered, the offerer's own codec in its answer so the relay
//! transcodes between them. Randomness comes from the caller's [`Ids`].

use roomgate_media::relay::{LocalPorts, StreamKind};
use roomgate_sip::sdp::{
    AttributeValue, Crypto, KeyMaterial, MediaDescription, MediaType, Rtpmap, SessionDescription,
};

use super::flags::Sdes;
use super::message::CodecOps;
use super::rewrite::Ports;
use crate::call::negotiate::{relay_codec, room_suites, stream_kind};
use crate::call::sdes::{line_policy, srtp_suite};
use crate::call::sip_leg::Ids;

/// Most codecs `transcode` adds to one m-line.
pub const MAX_ADDED_CODECS: usize = 4;

/// Why an SDP of an ng call cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SideError {
    #[error("m-line {0} uses DTLS-SRTP, which the relay does not terminate")]
    Dtls(usize),
    #[error("m-line {0} signals SRTP without an SDES line the relay can apply")]
    NoUsableKey(usize),
    #[error("no random source for an SRTP key")]
    NoKey,
    #[error("m-line {0}: the offerer has no codec the relay can transcode to")]
    NoCommonCodec(usize),
}

/// Whether an m-line says its media is encrypted.
pub fn signals_srtp(m: &MediaDescription) -> bool {
    m.proto.is_sdes_srtp() || m.proto.is_dtls_srtp() || m.cryptos().next().is_some()
}

/// An endpoint's SDP must be one we can run: DTLS is refused, and an m-line that signals
/// SRTP needs at least one line our contexts apply (never relayed in the clear instead).
pub fn check_keys(sdp: &SessionDescription) -> Result<(), SideError> {
    for (i, m) in sdp.media.iter().enumerate() {
        if m.port == 0 || !m.proto.is_rtp() {
            continue;
        }
        if m.proto.is_dtls_srtp() {
            return Err(SideError::Dtls(i));
        }
        if signals_srtp(m) && !m.cryptos().any(|c| line_policy(c).is_ok()) {
            return Err(SideError::NoUsableKey(i));
        }
    }
    Ok(())
}

/// Our relay ports per m-line on one leg: the first audio and the first main video m-line
/// get the leg's ports (`local[0]` audio, `local[1]` video); other streams are refused.
pub fn ports_of(sdp: &SessionDescription, local: [Option<LocalPorts>; 2]) -> Vec<Option<Ports>> {
    let mut seen = Vec::new();
    sdp.media
        .iter()
        .map(|m| {
            let kind = stream_kind(m).filter(|k| !seen.contains(k))?;
            seen.push(kind);
            let l = match kind {
                StreamKind::Audio => local[0],
                StreamKind::Video => local[1],
                StreamKind::Content => None,
            }?;
            Some(Ports {
                rtp: l.rtp,
                rtcp: l.rtcp.unwrap_or(l.rtp),
            })
        })
        .collect()
}

fn new_key(
    ids: &mut Ids,
    suite: &roomgate_sip::sdp::CryptoSuite,
) -> Result<KeyMaterial, SideError> {
    let s = srtp_suite(suite).ok_or(SideError::NoKey)?;
    let mut bytes = vec![0u8; s.master_key_len() + s.master_salt_len()];
    ids.fill(&mut bytes);
    Ok(KeyMaterial::new(bytes))
}

/// Our SDES lines for an offer, per m-line: one per suite `sdes` allows, strongest first,
/// each with a fresh key (tags 1, 2, …).
pub fn offer_cryptos(
    sdp: &SessionDescription,
    sdes: &Sdes,
    ids: &mut Ids,
) -> Result<Vec<Vec<Crypto>>, SideError> {
    let suites: Vec<_> = room_suites()
        .into_iter()
        .filter(|s| sdes.allows(s))
        .collect();
    let mut out = Vec::with_capacity(sdp.media.len());
    for m in &sdp.media {
        let mut lines = Vec::new();
        if m.port != 0 && m.proto.is_rtp() {
            for (tag, s) in (1u32..).zip(suites.iter()) {
                lines.push(Crypto::new(tag, s.clone(), new_key(ids, s)?));
            }
        }
        out.push(lines);
    }
    Ok(out)
}

/// Our SDES line answering each m-line of `offer` that signals SRTP: the offer's first line
/// that our contexts apply and `sdes` allows, same tag and suite, our fresh key. An m-line
/// that signals SRTP with no such line is an error, never a plain answer.
pub fn answer_cryptos(
    offer: &SessionDescription,
    sdes: &Sdes,
    ids: &mut Ids,
) -> Result<Vec<Vec<Crypto>>, SideError> {
    let mut out = Vec::with_capacity(offer.media.len());
    for (i, m) in offer.media.iter().enumerate() {
        if m.port == 0 || !m.proto.is_rtp() || !signals_srtp(m) {
            out.push(Vec::new());
            continue;
        }
        let line = m
            .cryptos()
            .find(|c| sdes.allows(&c.suite) && line_policy(c).is_ok())
            .ok_or(SideError::NoUsableKey(i))?;
        let key = new_key(ids, &line.suite)?;
        out.push(vec![Crypto::new(line.tag, line.suite.clone(), key)]);
    }
    Ok(out)
}

/// Encoding name and clock rate of format `f` (rtpmap, or the RFC 3551 static assignment).
pub fn name_rate(m: &MediaDescription, f: &str) -> Option<(String, u32)> {
    let pt: u8 = f.parse().ok()?;
    if let Some(r) = m.rtpmap(pt) {
        return Some((r.encoding_name.clone(), r.clock_rate));
    }
    let name = match pt {
        0 => "PCMU",
        3 => "GSM",
        4 => "G723",
        8 => "PCMA",
        9 => "G722",
        13 => "CN",
        18 => "G729",
        _ => return None,
    };
    Some((name.to_owned(), 8000))
}

fn named(list: &[String], name: &str) -> bool {
    list.iter().any(|s| {
        let s = s.split('/').next().unwrap_or(s);
        s.eq_ignore_ascii_case(name) || s.eq_ignore_ascii_case("all")
    })
}

/// An RTP format of ours for a codec `transcode` names: payload type, rtpmap, when the relay
/// can encode it.
fn transcode_format(name: &str, used: &[String]) -> Option<(u8, Rtpmap)> {
    let base = name.split('/').next().unwrap_or(name);
    let (pt, encoding, rate, channels) = match base.to_ascii_lowercase().as_str() {
        "pcmu" => (0, "PCMU", 8000, None),
        "pcma" => (8, "PCMA", 8000, None),
        "g722" => (9, "G722", 8000, None),
        "opus" => (0, "opus", 48_000, Some(2)),
        _ => return None,
    };
    relay_codec(encoding, rate)?;
    let free = |p: &u8| !used.iter().any(|u| u == &p.to_string());
    let pt = if pt != 0 || encoding == "PCMU" {
        Some(pt).filter(free)?
    } else {
        (96u8..=127).find(free)?
    };
    Some((
        pt,
        Rtpmap {
            payload_type: pt,
            encoding_name: encoding.to_owned(),
            clock_rate: rate,
            channels,
        },
    ))
}

/// Applies `transcode` to `sdp` (the codecs it names that an audio m-line lacks are added,
/// when the relay can encode them) and returns the encoding names to strip toward the
/// answerer (`strip` and `mask`, less what `offer` keeps).
pub fn edit_offer_codecs(sdp: &mut SessionDescription, ops: &CodecOps) -> Vec<String> {
    let mut present: Vec<String> = Vec::new();
    for m in &mut sdp.media {
        for f in &m.formats {
            if let Some((n, _)) = name_rate(m, f) {
                if !present.iter().any(|p| p.eq_ignore_ascii_case(&n)) {
                    present.push(n);
                }
            }
        }
        if m.media != MediaType::Audio || m.port == 0 || !m.proto.is_rtp() {
            continue;
        }
        let mut added = 0;
        for name in &ops.transcode {
            let base = name.split('/').next().unwrap_or(name);
            let has = m
                .formats
                .iter()
                .any(|f| name_rate(m, f).is_some_and(|(n, _)| n.eq_ignore_ascii_case(base)));
            if has || added >= MAX_ADDED_CODECS {
                continue;
            }
            if let Some((pt, map)) = transcode_format(name, &m.formats) {
                m.formats.push(pt.to_string());
                m.push_attribute(AttributeValue::Rtpmap(map));
                added += 1;
            }
        }
    }
    present
        .into_iter()
        .filter(|n| {
            (named(&ops.strip, n) || named(&ops.mask, n))
                && !ops
                    .offer
                    .iter()
                    .any(|o| o.split('/').next().unwrap_or(o).eq_ignore_ascii_case(n))
        })
        .collect()
}

fn is_event(name: &str) -> bool {
    name.eq_ignore_ascii_case("telephone-event") || name.eq_ignore_ascii_case("CN")
}

/// Fits the answerer's SDP, on its way to the offerer, to what the offerer offered: formats
/// the offerer did not offer are taken out; when no audio codec is left, the offerer's first
/// codec the relay handles (and its telephone-event) is answered instead, and the relay
/// transcodes between the two sides.
pub fn fit_answer(
    answer: &mut SessionDescription,
    offer: &SessionDescription,
) -> Result<(), SideError> {
    for (i, (a, o)) in answer.media.iter_mut().zip(offer.media.iter()).enumerate() {
        if a.media != MediaType::Audio || a.port == 0 || o.port == 0 || !a.proto.is_rtp() {
            continue;
        }
        let offered = |nr: Option<(String, u32)>| {
            nr.is_some_and(|(n, r)| {
                o.formats.iter().any(|f| {
                    name_rate(o, f).is_some_and(|(on, or)| on.eq_ignore_ascii_case(&n) && or == r)
                })
            })
        };
        let keep: Vec<String> = a
            .formats
            .iter()
            .filter(|f| offered(name_rate(a, f)))
            .cloned()
            .collect();
        let has_audio = keep
            .iter()
            .any(|f| name_rate(a, f).is_some_and(|(n, _)| !is_event(&n)));
        let formats = if has_audio {
            keep
        } else {
            let first = o
                .formats
                .iter()
                .find(|f| name_rate(o, f).is_some_and(|(n, r)| relay_codec(&n, r).is_some()))
                .ok_or(SideError::NoCommonCodec(i))?;
            let rate = name_rate(o, first).map_or(8000, |(_, r)| r);
            let event = o
                .formats
                .iter()
                .filter(|f| {
                    name_rate(o, f).is_some_and(|(n, _)| n.eq_ignore_ascii_case("telephone-event"))
                })
                .min_by_key(|f| name_rate(o, f).map_or(1, |(_, r)| u32::from(r != rate)));
            let mut v = vec![first.clone()];
            v.extend(event.cloned());
            // The codec's own lines come from the offer.
            a.attributes.retain(|x| {
                !matches!(
                    x.value(),
                    AttributeValue::Rtpmap(_) | AttributeValue::Fmtp(_) | AttributeValue::RtcpFb(_)
                )
            });
            for x in &o.attributes {
                let pick = match x.value() {
                    AttributeValue::Rtpmap(r) => v.contains(&r.payload_type.to_string()),
                    AttributeValue::Fmtp(f) => v.contains(&f.format),
                    _ => false,
                };
                if pick {
                    a.attributes.push(x.clone());
                }
            }
            v
        };
        a.attributes.retain(|x| match x.value() {
            AttributeValue::Rtpmap(r) => formats.contains(&r.payload_type.to_string()),
            AttributeValue::Fmtp(f) => formats.contains(&f.format),
            AttributeValue::RtcpFb(fb) => fb.format == "*" || formats.contains(&fb.format),
            _ => true,
        });
        a.formats = formats;
    }
    Ok(())
}
