//! `roomgate decode --as tpkt|q931|h225|ras|h245`: the H.323 formats. The messages print
//! through `roomgate-h323`'s own `Serialize` views; beside them, a `typed` object holds what
//! the codec keeps as octets and reads with accessors (tunnelled H.245, fastStart, call
//! identifiers, H.460 feature sets, alternate gatekeepers), so a fault hidden in an extension
//! addition, a tunnelled H.245 PDU or a fastStart proposal fails the decode instead of
//! passing unseen.

use serde_json::{json, Map, Value};

use roomgate_h323::h225::{MessageBody, UserInformation};
use roomgate_h323::h245::{MultimediaSystemControlMessage, OpenLogicalChannel};
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
    #[error("invalid H.245 MultimediaSystemControlMessage: {0}")]
    H245(PerError),
    /// A tunnelled H.245 PDU or a fastStart OpenLogicalChannel inside an H.225.0 message.
    #[error(
        "invalid H.245 in {what} element {index}: {error} (bits counted from the element's start)"
    )]
    H245Element {
        what: &'static str,
        index: usize,
        error: PerError,
    },
}

/// Lower-case hex of octets the codec keeps undecoded.
fn hex(octets: &[u8]) -> String {
    octets.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads an extension addition through its typed accessor: absent is fine, present must
/// decode, and so must what the view reads inside it.
fn addition<T>(
    typed: &mut Map<String, Value>,
    key: &'static str,
    value: Option<Result<T, PerError>>,
    view: impl FnOnce(T) -> Result<Value, H323Failure>,
) -> Result<(), H323Failure> {
    if let Some(v) = value {
        let v = v.map_err(|error| H323Failure::Addition { what: key, error })?;
        typed.insert(key.to_owned(), view(v)?);
    }
    Ok(())
}

/// An infallible view of an addition.
fn view<T: serde::Serialize>(v: T) -> Result<Value, H323Failure> {
    Ok(json!(v))
}

/// The name of the one variant a serialized enum holds (a unit variant is a string, the
/// others an object with one key).
fn variant_name(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => o.keys().next().map(String::as_str),
        _ => None,
    }
}

/// One MultimediaSystemControlMessage as JSON: its class (request, response, command,
/// indication), the message inside it, and the decoded tree.
fn h245_json(msg: &MultimediaSystemControlMessage) -> Value {
    let tree = serde_json::to_value(msg).unwrap_or(Value::Null);
    let class = variant_name(&tree).unwrap_or_default().to_owned();
    let message = tree
        .get(&class)
        .and_then(variant_name)
        .unwrap_or_default()
        .to_owned();
    json!({ "class": class, "message": message, "h245": tree })
}

/// Each element of a list of octet strings, shown as hex beside its decode by `decode`;
/// an element that does not decode fails the message, naming the list and the element.
fn h245_list<T>(
    what: &'static str,
    list: Vec<Vec<u8>>,
    decode: impl Fn(&[u8]) -> Result<T, PerError>,
    view: impl Fn(&T) -> Value,
) -> Result<Value, H323Failure> {
    let mut out = Vec::with_capacity(list.len());
    for (index, octets) in list.iter().enumerate() {
        let v = decode(octets).map_err(|error| H323Failure::H245Element { what, index, error })?;
        out.push(json!({ "octets": hex(octets), "decoded": view(&v) }));
    }
    Ok(Value::Array(out))
}

/// Tunnelled H.245 (`h245Control`): whole MultimediaSystemControlMessages.
fn tunnelled_list(list: Vec<Vec<u8>>) -> Result<Value, H323Failure> {
    h245_list(
        "h245_control",
        list,
        MultimediaSystemControlMessage::decode,
        h245_json,
    )
}

/// fastStart: bare OpenLogicalChannel encodings.
fn fast_start_list(list: Vec<Vec<u8>>) -> Result<Value, H323Failure> {
    h245_list("fast_start", list, OpenLogicalChannel::decode, |olc| {
        json!(olc)
    })
}

fn guid(id: roomgate_h323::ras::CallIdentifier) -> Value {
    json!(hex(&id.guid))
}

fn guid_view(id: roomgate_h323::ras::CallIdentifier) -> Result<Value, H323Failure> {
    Ok(guid(id))
}

/// The additions of a UUIE that has `call_identifier()` and `fast_start()` accessors.
macro_rules! uuie_additions {
    ($typed:ident, $m:expr) => {{
        addition(
            &mut $typed,
            "call_identifier",
            $m.call_identifier(),
            guid_view,
        )?;
        addition(&mut $typed, "fast_start", $m.fast_start(), fast_start_list)?;
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
    addition(&mut typed, "h245_tunneling", pdu.h245_tunneling(), view)?;
    addition(
        &mut typed,
        "h245_control",
        pdu.h245_control(),
        tunnelled_list,
    )?;
    let body = ui.body();
    match body {
        MessageBody::Setup(m) => uuie_additions!(typed, m),
        MessageBody::CallProceeding(m) => uuie_additions!(typed, m),
        MessageBody::Connect(m) => uuie_additions!(typed, m),
        MessageBody::Alerting(m) => uuie_additions!(typed, m),
        MessageBody::Information(m) => uuie_additions!(typed, m),
        MessageBody::Facility(m) => uuie_additions!(typed, m),
        MessageBody::ReleaseComplete(m) => addition(
            &mut typed,
            "call_identifier",
            m.call_identifier(),
            guid_view,
        )?,
        MessageBody::Progress(m) => {
            typed.insert("call_identifier".into(), guid(m.call_identifier.clone()));
            if let Some(fs) = &m.fast_start {
                typed.insert("fast_start".into(), fast_start_list(fs.clone())?);
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
            addition(&mut typed, "connected_address", m.connected_address(), view)?;
        }
        MessageBody::Empty | MessageBody::Unknown { .. } => {}
    }
    let name = serde_json::to_value(body)
        .ok()
        .and_then(|v| variant_name(&v).map(str::to_owned))
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
    let features = |typed: &mut Map<String, Value>, fs| addition(typed, "feature_set", fs, view);
    let alternates =
        |typed: &mut Map<String, Value>, gk| addition(typed, "alternate_gatekeeper", gk, view);
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

/// `--as h245`: one MultimediaSystemControlMessage (a TPKT payload of the H.245 connection,
/// or one tunnelled `h245Control` element).
pub fn h245(input: &[u8]) -> Result<Value, H323Failure> {
    let msg = MultimediaSystemControlMessage::decode(input).map_err(H323Failure::H245)?;
    Ok(h245_json(&msg))
}
