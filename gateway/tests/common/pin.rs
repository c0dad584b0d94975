//! A room system that dials a PIN meeting: sipp scenarios written at test time from a list of
//! steps, with the key presses played from the RFC 2833 captures Debian's `sip-tester` ships
//! (`/usr/share/sip-tester/dtmf_2833_*.pcap`).
//!
//! The captures come from one recorded call: their sequence numbers and timestamps rise in
//! the order 1–9, `*`, `#` (0 sits apart). A receiver rightly drops an event it has seen (same
//! timestamp) or an older one, so one call can press each key once, in that order; a scenario
//! that needs several attempts ends each with a pause (the inter-digit timeout) instead of `#`.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::PathBuf;

use super::TempDir;

/// The directory of the DTMF captures.
pub const PCAP_DIR: &str = "/usr/share/sip-tester";

/// One step of the room's side after the call is answered.
#[derive(Debug, Clone, Copy)]
pub enum RoomStep {
    /// Press a key: '0'–'9', '*', '#'.
    Key(char),
    /// Wait this many milliseconds.
    Wait(u32),
}

/// How the room's call ends.
#[derive(Debug, Clone, Copy)]
pub enum RoomEnd {
    /// The room hangs up after its steps.
    HangUp,
    /// The gateway hangs up (within this many milliseconds after the steps).
    GatewayHangsUp(u32),
}

fn pcap(key: char) -> String {
    let name = match key {
        '*' => "star".to_owned(),
        '#' => "pound".to_owned(),
        d => d.to_string(),
    };
    format!("{PCAP_DIR}/dtmf_2833_{name}.pcap")
}

/// Keys as steps, with `gap_ms` after each.
pub fn keys(s: &str, gap_ms: u32) -> Vec<RoomStep> {
    s.chars()
        .flat_map(|c| [RoomStep::Key(c), RoomStep::Wait(gap_ms)])
        .collect()
}

/// Writes a UAC scenario into `dir` and returns its path: INVITE (PCMU and telephone-event
/// 101, plain RTP), 200, ACK, the steps, then the end.
pub fn room_scenario(dir: &TempDir, name: &str, steps: &[RoomStep], end: RoomEnd) -> PathBuf {
    let mut body = String::new();
    for s in steps {
        match s {
            RoomStep::Key(k) => {
                let _ = writeln!(
                    body,
                    "  <nop><action><exec play_pcap_audio=\"{}\"/></action></nop>",
                    pcap(*k)
                );
            }
            RoomStep::Wait(ms) => {
                let _ = writeln!(body, "  <pause milliseconds=\"{ms}\"/>");
            }
        }
    }
    let ending = match end {
        RoomEnd::HangUp => BYE_BY_ROOM.to_owned(),
        RoomEnd::GatewayHangsUp(ms) => BYE_BY_GATEWAY.replace("TIMEOUT", &ms.to_string()),
    };
    let xml = format!("{HEAD}{body}{ending}</scenario>\n");
    let path = dir.join(name);
    std::fs::write(&path, xml).unwrap();
    path
}

const HEAD: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="room enters a PIN">
  <send retrans="500">
    <![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Room [call_number]" <sip:room[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:room@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=room 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true">
    <action>
      <ereg regexp="m=audio [1-9][0-9]* RTP/AVP 0 101" search_in="body" check_it="true" assign_to="1"/>
    </action>
  </recv>
  <send>
    <![CDATA[

      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Room [call_number]" <sip:room[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
"#;

const BYE_BY_ROOM: &str = r#"  <send retrans="500">
    <![CDATA[

      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Room [call_number]" <sip:room[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
  <Reference variables="1"/>
"#;

const BYE_BY_GATEWAY: &str = r#"  <recv request="BYE" timeout="TIMEOUT"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <Reference variables="1"/>
"#;

/// A room played by a raw UDP socket, for INFO key presses and exact statuses.
pub struct RawRoom {
    peer: super::UdpPeer,
    gw: std::net::SocketAddr,
    id: String,
    user: String,
    to: Option<String>,
    cseq: u32,
}

impl RawRoom {
    pub fn new(gw: &super::inproc::Gateway, from: std::net::IpAddr, user: &str) -> RawRoom {
        RawRoom::at(gw.udp, from, user)
    }

    /// A room calling the gateway at `gw` (e.g. a `roomgate serve` process).
    pub fn at(gw: std::net::SocketAddr, from: std::net::IpAddr, user: &str) -> RawRoom {
        RawRoom {
            peer: super::UdpPeer::bind(from),
            gw,
            id: super::unique("pin"),
            user: user.to_owned(),
            to: None,
            cseq: 1,
        }
    }

    fn headers(&self, method: &str, branch: &str) -> String {
        let local = self.peer.local();
        let (user, gw, id, cseq) = (&self.user, self.gw, &self.id, self.cseq);
        let to = self
            .to
            .clone()
            .unwrap_or_else(|| format!("<sip:{user}@{gw}>"));
        format!(
            "{method} sip:{user}@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK{branch}\r\n\
             From: \"Room 1\" <sip:room1@{local}>;tag=r{id}\r\nTo: {to}\r\nCall-ID: {id}\r\n\
             CSeq: {cseq} {method}\r\nContact: <sip:room@{local}>\r\nMax-Forwards: 70\r\n"
        )
    }

    /// INVITE with a PCMU + telephone-event offer; the final status (ACKed when 200).
    pub fn call(&mut self) -> (u16, String) {
        let sdp = "v=0\r\no=room 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                   m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
                   a=rtpmap:101 telephone-event/8000\r\n";
        let req = format!(
            "{}Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
            self.headers("INVITE", &format!("{}inv", self.id)),
            sdp.len()
        );
        let resp = self
            .peer
            .transact(self.gw, &req, std::time::Duration::from_secs(60))
            .expect("final response");
        let code = super::status_of(&resp).unwrap();
        if code == 200 {
            self.to = Some(super::header(&resp, "To").unwrap().to_owned());
            let ack = format!(
                "{}Content-Length: 0\r\n\r\n",
                self.headers("ACK", &format!("{}ack", self.id))
            );
            self.peer.send(self.gw, ack.as_bytes());
        }
        (code, resp)
    }

    /// A request in the dialog; its final status.
    pub fn request(&mut self, method: &str, content_type: &str, body: &str) -> u16 {
        self.cseq += 1;
        let branch = format!("{}{}{}", self.id, method.to_lowercase(), self.cseq);
        let mut req = self.headers(method, &branch);
        if !content_type.is_empty() {
            req.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        let want = format!("{} {method}", self.cseq);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        self.peer.send(self.gw, req.as_bytes());
        while let Some(m) = self.peer.recv_until(deadline) {
            if super::header(&m, "CSeq") == Some(want.as_str()) {
                if let Some(code) = super::status_of(&m).filter(|c| *c >= 200) {
                    return code;
                }
            }
        }
        panic!("no response to {method}");
    }

    pub fn info_key(&mut self, key: char) -> u16 {
        self.request(
            "INFO",
            "application/dtmf-relay",
            &format!("Signal={key}\r\nDuration=160\r\n"),
        )
    }

    pub fn keys(&mut self, keys: &str) {
        for k in keys.chars() {
            assert_eq!(self.info_key(k), 200);
        }
    }

    /// Waits for the gateway's BYE (answering it); false when none came in time.
    pub fn wait_bye(&self, limit: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + limit;
        while let Some(m) = self.peer.recv_until(deadline) {
            if m.starts_with("BYE ") {
                let mut resp = String::from("SIP/2.0 200 OK\r\n");
                for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
                    resp.push_str(&format!("{name}: {}\r\n", super::header(&m, name).unwrap()));
                }
                resp.push_str("Content-Length: 0\r\n\r\n");
                self.peer.send(self.gw, resp.as_bytes());
                return true;
            }
        }
        false
    }
}
