//! `roomgate decode --as tpkt|q931|h225|ras`: the H.323 formats. The messages print through
//! `roomgate-h323`'s own `Serialize` views; beside them, a `typed` object holds what the codec
//! keeps as octets and reads with accessors (tunnelled H.245, fastStart, call identifiers,
//! H.460 feature sets, alternate gatekeepers), so a fault hidden in an extension addition
//! fails the decode instead of passing unseen.
//!
//! H.245 (`--as h245`, and the tunnelled H.245 and fastStart octets here) is where the
//! typed H.245 codec plugs in once `roomgate_h323` has it: [`h245_octets`] is the one place
//! that turns those octets into JSON.

use serde_json::{json, Map, Value};

use roomgate_h323::h225::{MessageBody, UserInformation};
use roomgate_h323::per::PerError;
use roomgate_h323::q931::{self, InformationElement, UU_PROTOCOL_X208};
use roomgate_h323::ras::RasMessage;
use roomgate_h323::tpkt::{TpktDecoder, TpktError};

/// Why H.323 input did not decode. PER faults carry their bit offset, counted from the
/// start of the PER encoding named in the message (the datagram, the user-user element's
/// H323-UserInformation, or the extension addition).
#[derive(Debug, thiserror::Error)]
pub enum H323Failure {
    #[error("invalid TPKT stream: {0}")]
    Tpkt(TpktError),
    #[error("no TPKT packet in the input")]
    TpktEmpty,
    #[error("TPKT stream ends inside a packet at stream offset {offset} ({buffered} octets of it present)")]
    TpktTruncated { offset: u64, buffered: usize },
    #[error("TPKT packet {index} at stream offset {offset}: {fault}")]
    InPacket {
        index: usize,
        offset: u64,
        fault: Box<H323Failure>,
    },
    #[error("invalid Q.931 message: {0}")]
    Q931(q931::DecodeError),
    #[error("invalid H323-UserInformation in the Q.931 user-user element: {0}")]
    UserUser(PerError),
    #[error("invalid H.225.0 H323-UserInformation: {0}")]
    H225(PerError),
    #[error("invalid H.225.0 RAS message: {0}")]
    Ras(PerError),
    #[error("invalid extension addition {what}: {error} (bits counted from the addition's start)")]
    Addition { what: &'static str, error: PerError },
}

/// Lower-case hex of octets the codec keeps undecoded.
fn hex(octets: &[u8]) -> String {
    octets.iter().map(|b| format!("{b:02x}")).collect()
}

/// One H.245 PDU carried as octets (tunnelled in h245Control, or a fastStart
/// OpenLogicalChannel). The typed H.245 codec is not in `roomgate_h323` yet: until it is, the
/// octets are shown as hex; then this becomes its decode.
fn h245_octets(octets: &[u8]) -> Value {
    json!({ "octets": hex(octets) })
}

/// Reads an extension addition through its typed accessor: absent is fine, present must
/// decode.
fn addition<T>(
    typed: &mut Map<String, Value>,
    key: &'static str,
    value: Option<Result<T, PerError>>,
    view: impl FnOnce(T) -> Value,
) -> Result<(), H323Failure> {
    if let Some(v) = value {
        let v = v.map_err(|error| H323Failure::Addition { what: key, error })?;
        typed.insert(key.to_owned(), view(v));
    }
    Ok(())
}

fn octets_list(list: Vec<Vec<u8>>) -> Value {
    Value::Array(list.iter().map(|o| h245_octets(o)).collect())
}

fn guid(id: roomgate_h323::ras::CallIdentifier) -> Value {
    json!(hex(&id.guid))
}

/// The additions of a UUIE that has `call_identifier()` and `fast_start()` accessors.
macro_rules! uuie_additions {
    ($typed:ident, $m:expr) => {{
        addition(&mut $typed, "call_identifier", $m.call_identifier(), guid)?;
        addition(&mut $typed, "fast_start", $m.fast_start(), octets_list)?;
    }};
}

/// `--as h225`: one H323-UserInformation.
pub fn h225(input: &[u8]) -> Result<Value, H323Failure> {
    let ui = UserInformation::decode(input).map_err(H323Failure::H225)?;
    user_information_json(&ui)
}

fn user_information_json(ui: &UserInformation) -> Result<Value, H323Failure> {
    let pdu = &ui.h323_uu_pdu;
    let mut typed = Map::new();
    addition(&mut typed, "h245_tunneling", pdu.h245_tunneling(), |b| {
        json!(b)
    })?;
    addition(&mut typed, "h245_control", pdu.h245_control(), octets_list)?;
    let body = ui.body();
    match body {
        MessageBody::Setup(m) => uuie_additions!(typed, m),
        MessageBody::CallProceeding(m) => uuie_additions!(typed, m),
        MessageBody::Connect(m) => uuie_additions!(typed, m),
        MessageBody::Alerting(m) => uuie_additions!(typed, m),
        MessageBody::Information(m) => uuie_additions!(typed, m),
        MessageBody::Facility(m) => uuie_additions!(typed, m),
        MessageBody::ReleaseComplete(m) => {
            addition(&mut typed, "call_identifier", m.call_identifier(), guid)?
        }
        MessageBody::Progress(m) => {
            typed.insert("call_identifier".into(), guid(m.call_identifier.clone()));
            if let Some(fs) = &m.fast_start {
                typed.insert("fast_start".into(), octets_list(fs.clone()));
            }
        }
        MessageBody::Status(m) => {
            typed.insert("call_identifier".into(), guid(m.call_identifier.clone()));
        }
        MessageBody::StatusInquiry(m) => {
            typed.insert("call_identifier".into(), guid(m.call_identifier.clone()));
        }
        MessageBody::SetupAcknowledge(m) => {
            typed.insert("call_identifier".into(), guid(m.call_identifier.clone()));
        }
        MessageBody::Notify(m) => {
            typed.insert("call_identifier".into(), guid(m.call_identifier.clone()));
            addition(
                &mut typed,
                "connected_address",
                m.connected_address(),
                |a| json!(a),
            )?;
        }
        MessageBody::Empty | MessageBody::Unknown { .. } => {}
    }
    let name = serde_json::to_value(body)
        .ok()
        .and_then(|v| match v {
            Value::String(s) => Some(s),
            Value::Object(o) => o.keys().next().cloned(),
            _ => None,
        })
        .unwrap_or_default();
    Ok(json!({
        "message": name,
        "q931_message_type": body.q931_message_type(),
        "typed": typed,
        "h225": ui,
    }))
}

/// `--as q931`: one Q.931 message; an H.225.0 user-user element is decoded too.
pub fn q931(input: &[u8]) -> Result<Value, H323Failure> {
    let msg = q931::Message::decode(input).map_err(H323Failure::Q931)?;
    q931_json(&msg)
}

fn q931_json(msg: &q931::Message) -> Result<Value, H323Failure> {
    let mut elements = Vec::with_capacity(msg.elements.len());
    for e in &msg.elements {
        let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
        if let (InformationElement::UserUser(uu), Value::Object(o)) = (e, &mut v) {
            o.insert("data".into(), json!(hex(&uu.data)));
            if uu.protocol_discriminator == UU_PROTOCOL_X208 {
                let ui = UserInformation::decode(&uu.data).map_err(H323Failure::UserUser)?;
                o.insert("h323_user_information".into(), user_information_json(&ui)?);
            }
        }
        elements.push(v);
    }
    Ok(json!({
        "call_reference": msg.call_reference,
        "message_type": msg.message_type,
        "message_type_code": msg.message_type.code(),
        "elements": elements,
    }))
}

/// `--as tpkt`: a TPKT stream (what one direction of a call signalling connection carried),
/// every packet decoded as Q.931 with its H.225.0. An empty packet is a keep-alive.
pub fn tpkt(input: &[u8]) -> Result<Value, H323Failure> {
    let mut stream = TpktDecoder::default();
    stream.push(input);
    let mut packets = Vec::new();
    loop {
        let offset = stream.stream_offset();
        let Some(payload) = stream.next_payload().map_err(H323Failure::Tpkt)? else {
            break;
        };
        let index = packets.len();
        let in_packet = |fault| H323Failure::InPacket {
            index,
            offset,
            fault: Box::new(fault),
        };
        let q931 = if payload.is_empty() {
            json!({ "keep_alive": true })
        } else {
            let msg =
                q931::Message::decode(&payload).map_err(|e| in_packet(H323Failure::Q931(e)))?;
            q931_json(&msg).map_err(in_packet)?
        };
        packets.push(json!({ "offset": offset, "length": payload.len() + 4, "q931": q931 }));
    }
    if stream.buffered() > 0 {
        return Err(H323Failure::TpktTruncated {
            offset: stream.stream_offset(),
            buffered: stream.buffered(),
        });
    }
    if packets.is_empty() {
        return Err(H323Failure::TpktEmpty);
    }
    Ok(json!({ "tpkt": packets }))
}

/// `--as ras`: one RAS datagram.
pub fn ras(input: &[u8]) -> Result<Value, H323Failure> {
    let msg = RasMessage::decode(input).map_err(H323Failure::Ras)?;
    let mut typed = Map::new();
    let features =
        |typed: &mut Map<String, Value>, fs| addition(typed, "feature_set", fs, |f| json!(f));
    let alternates = |typed: &mut Map<String, Value>, gk| {
        addition(typed, "alternate_gatekeeper", gk, |g| json!(g))
    };
    match &msg {
        RasMessage::GatekeeperRequest(m) => features(&mut typed, m.feature_set())?,
        RasMessage::GatekeeperConfirm(m) => {
            alternates(&mut typed, m.alternate_gatekeeper())?;
            features(&mut typed, m.feature_set())?;
        }
        RasMessage::GatekeeperReject(m) => features(&mut typed, m.feature_set())?,
        RasMessage::RegistrationRequest(m) => features(&mut typed, m.feature_set())?,
        RasMessage::RegistrationConfirm(m) => {
            alternates(&mut typed, m.alternate_gatekeeper())?;
            features(&mut typed, m.feature_set())?;
        }
        RasMessage::AdmissionRequest(m) => features(&mut typed, m.feature_set())?,
        RasMessage::AdmissionConfirm(m) => features(&mut typed, m.feature_set())?,
        RasMessage::AdmissionReject(m) => features(&mut typed, m.feature_set())?,
        RasMessage::LocationRequest(m) => features(&mut typed, m.feature_set())?,
        RasMessage::LocationConfirm(m) => features(&mut typed, m.feature_set())?,
        RasMessage::LocationReject(m) => features(&mut typed, m.feature_set())?,
        _ => {}
    }
    let name = serde_json::to_value(&msg)
        .ok()
        .and_then(|v| v.as_object().and_then(|o| o.keys().next().cloned()))
        .unwrap_or_default();
    Ok(json!({
        "message": name,
        "request_seq_num": msg.request_seq_num(),
        "typed": typed,
        "ras": msg,
    }))
}
