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
