//! The scripted peers' side of SIP: reading what the gateway sent (every message is first
//! checked by our decoder, so a malformed one fails the scenario) and writing what a room
//! system or a cloud meeting would send back.

use roomgate_sip::sdp::{Crypto, KeyMaterial, SessionDescription};
use roomgate_sip::{decode_datagram, HeaderName};

use super::{CLOUD, GW, ROOM};

/// One SIP message as text.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Sip(pub String);

impl std::fmt::Debug for Sip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Sip {
    pub fn from_wire(bytes: &[u8]) -> Sip {
        if let Err(e) = decode_datagram(bytes) {
            panic!(
                "the gateway sent a message our decoder refuses ({e}):\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
        Sip(String::from_utf8_lossy(bytes).into_owned())
    }

    fn head(&self) -> &str {
        self.0.split("\r\n\r\n").next().unwrap_or("")
    }

    pub fn status(&self) -> Option<u16> {
        let rest = self.0.strip_prefix("SIP/2.0 ")?;
        rest.get(..3)?.parse().ok()
    }

    pub fn method(&self) -> Option<&str> {
        if self.0.starts_with("SIP/") {
            return None;
        }
        self.0.split(' ').next()
    }

    /// The first value of header `name` (full name, any case; compact forms expanded by the
    /// decoder's own table).
    pub fn header(&self, name: &str) -> Option<String> {
        let m = decode_datagram(self.0.as_bytes()).ok()?;
        m.header_value(HeaderName::from_wire(name))
            .map(str::to_owned)
    }

    /// Every value of header `name`, in order.
    pub fn headers(&self, name: &str) -> Vec<String> {
        self.head()
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    pub fn body(&self) -> &str {
        self.0.split_once("\r\n\r\n").map_or("", |(_, b)| b)
    }

    pub fn sdp(&self) -> SessionDescription {
        SessionDescription::parse(self.body().as_bytes())
            .unwrap_or_else(|e| panic!("no SDP ({e}) in\n{}", self.0))
    }

    pub fn cseq(&self) -> (u32, String) {
        let v = self.header("CSeq").unwrap_or_default();
        let (n, m) = v.split_once(' ').unwrap_or(("0", ""));
        (n.trim().parse().unwrap_or(0), m.trim().to_owned())
    }

    /// The URI inside Contact.
    pub fn contact_uri(&self) -> Option<String> {
        let v = self.header("Contact")?;
        let inner = v.split('<').nth(1)?.split('>').next()?;
        Some(inner.to_owned())
    }

    /// A response to this request, as a peer's UAS writes one: Via, From, To (tagged),
    /// Call-ID and CSeq copied, a Contact, and the SDP body when given.
    pub fn reply(
        &self,
        code: u16,
        reason: &str,
        to_tag: &str,
        from: &str,
        sdp: Option<&str>,
    ) -> String {
        let mut out = format!("SIP/2.0 {code} {reason}\r\n");
        for via in self.headers("Via") {
            out.push_str(&format!("Via: {via}\r\n"));
        }
        let from_h = self.header("From").unwrap_or_default();
        let mut to_h = self.header("To").unwrap_or_default();
        if !to_h.contains("tag=") && code > 100 {
            to_h = format!("{to_h};tag={to_tag}");
        }
        out.push_str(&format!(
            "From: {from_h}\r\nTo: {to_h}\r\nCall-ID: {}\r\nCSeq: {}\r\n",
            self.header("Call-ID").unwrap_or_default(),
            self.header("CSeq").unwrap_or_default()
        ));
        if (101..300).contains(&code) {
            out.push_str(&format!("Contact: <sip:peer@{from}>\r\n"));
        }
        finish(out, sdp)
    }
}

fn finish(mut head: String, sdp: Option<&str>) -> String {
    match sdp {
        Some(body) => {
            head.push_str(&format!(
                "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ));
        }
        None => head.push_str("Content-Length: 0\r\n\r\n"),
    }
    head
}

/// One side's view of a confirmed dialog, enough to send requests in it.
#[derive(Debug, Clone)]
pub(crate) struct Dialog {
    pub local: String,
    pub call_id: String,
    /// Our From (with tag) and the peer's To (with tag), as header values.
    from: String,
    to: String,
    /// Where in-dialog requests go (the peer's Contact).
    target: String,
    pub cseq: u32,
    branch: u32,
}

impl Dialog {
    /// The room's dialog from its INVITE and the gateway's 2xx.
    pub fn room(invite: &str, ok: &Sip) -> Dialog {
        let inv = Sip(invite.to_owned());
        Dialog {
            local: ROOM.into(),
            call_id: inv.header("Call-ID").unwrap_or_default(),
            from: inv.header("From").unwrap_or_default(),
            to: ok.header("To").unwrap_or_default(),
            target: ok.contact_uri().unwrap_or_else(|| format!("sip:{GW}")),
            cseq: inv.cseq().0,
            branch: 0,
        }
    }

    /// The cloud's dialog from the gateway's INVITE and the tag it answered with.
    pub fn cloud(invite: &Sip, tag: &str) -> Dialog {
        Dialog {
            local: CLOUD.into(),
            call_id: invite.header("Call-ID").unwrap_or_default(),
            from: format!("{};tag={tag}", invite.header("To").unwrap_or_default()),
            to: invite.header("From").unwrap_or_default(),
            target: invite.contact_uri().unwrap_or_else(|| format!("sip:{GW}")),
            cseq: 100,
            branch: 0,
        }
    }

    /// A new request in the dialog (next CSeq).
    pub fn request(&mut self, method: &str, extra: &str, sdp: Option<&str>) -> String {
        self.cseq += 1;
        self.branch += 1;
        let head = format!(
            "{method} {} SIP/2.0\r\nVia: SIP/2.0/UDP {};branch=z9hG4bK{}x{}x{}\r\n\
             Max-Forwards: 70\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {} {method}\r\n\
             Contact: <sip:peer@{}>\r\n{extra}",
            self.target,
            self.local,
            self.call_id.len(),
            self.cseq,
            self.branch,
            self.from,
            self.to,
            self.call_id,
            self.cseq,
            self.local
        );
        finish(head, sdp)
    }

    /// The ACK for a 2xx to our INVITE with CSeq `cseq`.
    pub fn ack(&mut self, cseq: u32, sdp: Option<&str>) -> String {
        self.branch += 1;
        let head = format!(
            "ACK {} SIP/2.0\r\nVia: SIP/2.0/UDP {};branch=z9hG4bKack{}x{}\r\nMax-Forwards: 70\r\n\
             From: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {cseq} ACK\r\n",
            self.target, self.local, cseq, self.branch, self.from, self.to, self.call_id
        );
        finish(head, sdp)
    }
}

/// A room's INVITE for `user` (the dialled string), with an offer or without (delayed offer).
pub(crate) fn room_invite(call_id: &str, user: &str, sdp: Option<&str>, extra: &str) -> String {
    room_invite_hops(call_id, user, sdp, "70", extra)
}

/// [`room_invite`] with `max_forwards` as the Max-Forwards value, written as given (so a
/// scenario can send one that is out of range or not a number).
pub(crate) fn room_invite_hops(
    call_id: &str,
    user: &str,
    sdp: Option<&str>,
    max_forwards: &str,
    extra: &str,
) -> String {
    let head = format!(
        "INVITE sip:{user}@{GW} SIP/2.0\r\nVia: SIP/2.0/UDP {ROOM};branch=z9hG4bK{call_id}\r\n\
         Max-Forwards: {max_forwards}\r\nFrom: \"Room\" <sip:room@{ROOM}>;tag=r-{call_id}\r\n\
         To: <sip:{user}@{GW}>\r\nCall-ID: {call_id}\r\nCSeq: 1 INVITE\r\n\
         Contact: <sip:room@{ROOM}>\r\n{extra}"
    );
    finish(head, sdp)
}

/// The CANCEL for a room INVITE built by [`room_invite`].
pub(crate) fn room_cancel(call_id: &str, user: &str) -> String {
    format!(
        "CANCEL sip:{user}@{GW} SIP/2.0\r\nVia: SIP/2.0/UDP {ROOM};branch=z9hG4bK{call_id}\r\n\
         Max-Forwards: 70\r\nFrom: \"Room\" <sip:room@{ROOM}>;tag=r-{call_id}\r\n\
         To: <sip:{user}@{GW}>\r\nCall-ID: {call_id}\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n"
    )
}

/// An ACK for a non-2xx final response to [`room_invite`] (same branch: it belongs to the
/// INVITE transaction).
pub(crate) fn room_ack_failure(call_id: &str, user: &str, response: &Sip) -> String {
    format!(
        "ACK sip:{user}@{GW} SIP/2.0\r\nVia: SIP/2.0/UDP {ROOM};branch=z9hG4bK{call_id}\r\n\
         Max-Forwards: 70\r\nFrom: \"Room\" <sip:room@{ROOM}>;tag=r-{call_id}\r\n\
         To: {}\r\nCall-ID: {call_id}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
        response.header("To").unwrap_or_default()
    )
}

/// Plain audio (and optionally H.264 video) from `ip`, audio on `port`, `direction` as given.
pub(crate) fn plain_sdp(version: u32, port: u16, codecs: &[(u8, &str)], direction: &str) -> String {
    let ip = ROOM.split(':').next().unwrap_or("192.0.2.20");
    let pts: Vec<String> = codecs.iter().map(|(pt, _)| pt.to_string()).collect();
    let mut s = format!(
        "v=0\r\no=peer 7 {version} IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP {} 101\r\n",
        pts.join(" ")
    );
    for (pt, name) in codecs {
        s.push_str(&format!("a=rtpmap:{pt} {name}\r\n"));
    }
    s.push_str("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n");
    s.push_str(&format!("a={direction}\r\n"));
    s
}

/// PCMU with telephone-event, sendrecv.
pub(crate) fn pcmu(version: u32, port: u16) -> String {
    plain_sdp(version, port, &[(0, "PCMU/8000")], "sendrecv")
}

/// The cloud's answer to an offer it got: the first audio format of the offer, plain, or
/// with a key of its own for the first crypto line when the offer is RTP/SAVP.
pub(crate) fn cloud_answer(offer: &Sip, version: u32, port: u16, direction: &str) -> String {
    let sdp = offer.sdp();
    let ip = super::CLOUD.split(':').next().unwrap_or("203.0.113.5");
    let audio = sdp
        .media
        .iter()
        .find(|m| m.media.to_string() == "audio")
        .unwrap_or_else(|| panic!("no audio in the offer:\n{}", offer.0));
    let first = audio.formats.first().cloned().unwrap_or_else(|| "0".into());
    let line = offer
        .body()
        .lines()
        .find(|l| l.starts_with(&format!("a=rtpmap:{first} ")))
        .unwrap_or("a=rtpmap:0 PCMU/8000")
        .to_owned();
    let proto = audio.proto.to_string();
    // telephone-event at the audio clock rate when the offer has it.
    let rate = line.split('/').nth(1).unwrap_or("8000").to_owned();
    let te = offer.body().lines().find_map(|l| {
        let rest = l.strip_prefix("a=rtpmap:")?;
        let (pt, name) = rest.split_once(' ')?;
        (name == format!("telephone-event/{rate}")).then(|| pt.to_owned())
    });
    let (formats, te_lines) = match &te {
        Some(pt) => (
            format!("{first} {pt}"),
            format!("a=rtpmap:{pt} telephone-event/{rate}\r\na=fmtp:{pt} 0-15\r\n"),
        ),
        None => (first.clone(), String::new()),
    };
    let mut s = format!(
        "v=0\r\no=cloud 9 {version} IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} {proto} {formats}\r\n{line}\r\n{te_lines}a={direction}\r\n"
    );
    if let Some(c) = audio.cryptos().next() {
        let mut ours: Crypto = c.clone();
        let (k, salt) = c.suite.key_salt_len().unwrap_or((16, 14));
        let len = k + salt;
        if let Some(k) = ours.key_params.first_mut() {
            k.key = KeyMaterial::new(vec![0xc1; len]);
        }
        ours.key_params.truncate(1);
        s.push_str(&format!("a=crypto:{ours}\r\n"));
    }
    s
}
