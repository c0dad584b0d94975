//! What the floor control server does with each message it receives (RFC 8855 §13), and the
//! Error it answers when it cannot (RFC 8855 §13.8 and the codes of §5.2.6).

use std::time::Instant;

use super::{LeaveReason, Participant, Server, ServerOutput};
use crate::attribute::{AttributeType, ErrorCode, ErrorCodeValue, Value};
use crate::compose::{error_message, floor_request_information, supported_attributes};
use crate::error::{DecodeError, Fault};
use crate::header::{Header, Version};
use crate::limits::{MAX_FLOORS_PER_REQUEST, MAX_PARTICIPANTS, MAX_REQUESTS_PER_PARTICIPANT};
use crate::message::Message;
use crate::primitive::Primitive;
use crate::udp::Received;
use crate::{Attribute, Group};

use super::floors::Refusal;

/// Primitives this server takes or sends: HelloAck's SUPPORTED-PRIMITIVES. ChairAction is
/// left out (no chairs: it is refused as unauthorized), and the two acknowledgements are
/// listed only over UDP, where they exist.
fn supported_primitives(reliable: bool) -> Vec<u8> {
    Primitive::ALL
        .into_iter()
        .filter(|p| !matches!(p, Primitive::ChairAction | Primitive::ChairActionAck))
        .filter(|p| {
            !reliable
                || !matches!(
                    p,
                    Primitive::FloorRequestStatusAck | Primitive::FloorStatusAck
                )
        })
        .map(Primitive::code)
        .collect()
}

impl Server {
    /// One message from the participant `from` (the User ID its connection was set up
    /// with): a datagram, or one frame from a [`StreamFramer`](crate::StreamFramer).
    ///
    /// Over UDP this is where fragments are reassembled and a retransmitted request is
    /// answered again from the response cache without being processed again.
    pub fn handle_input(&mut self, now: Instant, from: u16, bytes: &[u8]) {
        self.clock = Some(now);
        let Some(udp) = self.udp.as_mut() else {
            return self.process(now, from, bytes);
        };
        match udp.receive(now, from, bytes) {
            Received::Nothing => {}
            Received::Replay(datagrams) => {
                if let Some(p) = self.participants.iter_mut().find(|p| p.user_id == from) {
                    p.last_seen = now;
                }
                for bytes in datagrams {
                    self.emit(ServerOutput::Transmit { to: from, bytes });
                }
            }
            Received::Process(whole) => {
                self.process(now, from, &whole);
                if let Some(udp) = self.udp.as_mut() {
                    udp.finish(now);
                }
            }
        }
    }

    fn process(&mut self, now: Instant, from: u16, bytes: &[u8]) {
        match Message::decode(bytes) {
            Ok(msg) => self.handle_message(now, from, msg),
            Err(e) => self.refuse_undecodable(now, from, &e),
        }
    }

    /// One decoded message from the participant `from`. Over UDP prefer
    /// [`Server::handle_input`]: a decoded message skips reassembly and the response cache.
    pub fn handle_message(&mut self, now: Instant, from: u16, msg: Message) {
        self.clock = Some(now);
        let h = msg.header;
        // Over UDP an answer (R bit, or an acknowledgement primitive whatever its R bit)
        // belongs to a message the server started: it stops that message's retransmission.
        let ack = matches!(
            h.primitive,
            Primitive::FloorRequestStatusAck | Primitive::FloorStatusAck | Primitive::GoodbyeAck
        );
        if self.udp.is_some() && (h.responder || ack) {
            return self.answer(now, from, &h);
        }
        // Errors are never answered (RFC 8855 §13.8), and acknowledgements need no answer.
        if matches!(
            h.primitive,
            Primitive::Error | Primitive::FloorRequestStatusAck | Primitive::FloorStatusAck
        ) {
            self.touch(now, from);
            return;
        }
        if !self.transport.permits(h.version) {
            let header = Header {
                version: self.version,
                ..h
            };
            return self.error(from, &header, ErrorCodeValue::UnsupportedVersion, None);
        }
        if h.conference_id != self.conference_id {
            return self.error(from, &h, ErrorCodeValue::ConferenceDoesNotExist, None);
        }
        if h.user_id != from {
            let info = "User ID differs from the one of this connection";
            return self.error(from, &h, ErrorCodeValue::UserDoesNotExist, Some(info));
        }
        if !self.touch(now, from) {
            let info = "too many participants";
            return self.error(from, &h, ErrorCodeValue::GenericError, Some(info));
        }
        if let Err(e) = msg.validate() {
            let info = e.to_string();
            return self.error(from, &h, ErrorCodeValue::UnableToParseMessage, Some(&info));
        }
        match h.primitive {
            Primitive::Hello => self.hello(from, &h),
            Primitive::FloorRequest => self.floor_request(from, &msg),
            Primitive::FloorRelease => self.floor_release(from, &msg),
            Primitive::FloorRequestQuery => self.floor_request_query(from, &msg),
            Primitive::FloorQuery => self.floor_query(from, &msg),
            Primitive::UserQuery => self.user_query(from, &msg),
            Primitive::ChairAction => {
                let info = "this conference has no chair";
                self.error(from, &h, ErrorCodeValue::UnauthorizedOperation, Some(info));
            }
            Primitive::Goodbye => {
                let ack = Message::new(self.response_header(&h, Primitive::GoodbyeAck), vec![]);
                self.send(from, &ack);
                self.leave(from, LeaveReason::Goodbye);
            }
            Primitive::GoodbyeAck => self.leave(from, LeaveReason::Goodbye),
            // What only a server sends: a confused peer, not worth an Error that its own
            // server logic might answer in turn.
            Primitive::FloorRequestStatus
            | Primitive::UserStatus
            | Primitive::FloorStatus
            | Primitive::ChairActionAck
            | Primitive::HelloAck
            | Primitive::Error
            | Primitive::FloorRequestStatusAck
            | Primitive::FloorStatusAck => {}
        }
    }

    /// An answer over UDP to a message the server started: stops its retransmission, and a
    /// GoodbyeAck to our Goodbye ends the participant. Answers to nothing we sent (late
    /// duplicates) and answers naming another conference or user change nothing.
    fn answer(&mut self, now: Instant, from: u16, h: &Header) {
        if h.conference_id != self.conference_id || h.user_id != from {
            return;
        }
        let Some(p) = self.participants.iter_mut().find(|p| p.user_id == from) else {
            return;
        };
        p.last_seen = now;
        let answered = self.take_unacked(from, h.transaction_id);
        if h.primitive == Primitive::GoodbyeAck
            && answered.is_some_and(|u| u.primitive == Primitive::Goodbye)
        {
            self.leave(from, LeaveReason::Goodbye);
        }
    }

    /// Marks the participant seen, adding it on its first message. False when the table is
    /// full.
    fn touch(&mut self, now: Instant, from: u16) -> bool {
        if let Some(p) = self.participants.iter_mut().find(|p| p.user_id == from) {
            p.last_seen = now;
            return true;
        }
        if self.participants.len() >= MAX_PARTICIPANTS {
            return false;
        }
        self.participants.push(Participant {
            user_id: from,
            subscriptions: Vec::new(),
            last_seen: now,
        });
        true
    }

    /// Answers a message that did not decode, when it can be answered: it needs a readable
    /// header, and is not itself an Error.
    fn refuse_undecodable(&mut self, now: Instant, from: u16, e: &DecodeError) {
        let Some(common) = e.header else {
            return;
        };
        // Errors are never answered, nor over UDP are answers (R bit): an Error about our
        // own notification's acknowledgement could only start a ping-pong.
        let answer = common.responder && self.udp.is_some();
        if common.primitive == Primitive::Error.code() || answer {
            return;
        }
        if common.user_id == from {
            self.touch(now, from);
        }
        // A version we cannot read is answered in ours; otherwise in the request's.
        let version = Version::from_number(common.version)
            .filter(|v| self.transport.permits(*v))
            .unwrap_or(self.version);
        let header = Header {
            version,
            responder: false,
            primitive: Primitive::Error,
            conference_id: common.conference_id,
            transaction_id: common.transaction_id,
            user_id: common.user_id,
        };
        let code = match &e.fault {
            Fault::UnknownMandatoryAttributes { types } => ErrorCode::unknown_mandatory(types),
            Fault::Fragmented => ErrorCode::new(ErrorCodeValue::UnableToParseMessage),
            fault => ErrorCode::new(fault.error_code()),
        };
        let info = e.fault.to_string();
        let msg = error_message(
            self.response_header(&header, Primitive::Error),
            code,
            Some(&info),
        );
        self.send(from, &msg);
    }

    fn error(&mut self, to: u16, request: &Header, code: ErrorCodeValue, info: Option<&str>) {
        let header = self.response_header(request, Primitive::Error);
        let msg = error_message(header, ErrorCode::new(code), info);
        self.send(to, &msg);
    }

    fn hello(&mut self, from: u16, h: &Header) {
        let attributes = vec![
            Attribute::mandatory(Value::SupportedPrimitives(supported_primitives(
                self.transport.is_reliable(),
            ))),
            Attribute::mandatory(Value::SupportedAttributes(supported_attributes())),
        ];
        let ack = Message::new(self.response_header(h, Primitive::HelloAck), attributes);
        self.send(from, &ack);
    }

    fn floor_request(&mut self, from: u16, msg: &Message) {
        let h = msg.header;
        if msg.find(AttributeType::BeneficiaryId).next().is_some() {
            let info = "third-party floor requests need a chair";
            return self.error(from, &h, ErrorCodeValue::UnauthorizedOperation, Some(info));
        }
        let mut floors: Vec<u16> = Vec::new();
        for v in msg.find(AttributeType::FloorId) {
            if let Value::FloorId(f) = v {
                if !floors.contains(f) {
                    floors.push(*f);
                }
            }
        }
        if floors.len() > MAX_FLOORS_PER_REQUEST {
            let info = format!("at most {MAX_FLOORS_PER_REQUEST} floors per request");
            return self.error(from, &h, ErrorCodeValue::GenericError, Some(&info));
        }
        // Repeating a request (10,000 times or once) gets the live request's status, never a
        // second request.
        if let Some(live) = self.table.duplicate_of(from, &floors).cloned() {
            let header = self.response_header(&h, Primitive::FloorRequestStatus);
            let reply = self.floor_request_status(header, &live);
            return self.send(from, &reply);
        }
        if self.table.of_user(from).count() >= MAX_REQUESTS_PER_PARTICIPANT {
            return self.error(from, &h, ErrorCodeValue::MaxFloorRequestsReached, None);
        }
        match self.table.submit(from, &floors) {
            Ok((id, changes)) => self.publish(&changes, Some((h, id))),
            Err(Refusal::UnknownFloor(f)) => {
                let info = format!("floor {f} does not exist");
                self.error(from, &h, ErrorCodeValue::InvalidFloorId, Some(&info));
            }
        }
    }

    /// The FLOOR-REQUEST-ID of a request, checked to exist (Error 7) and, when `own`, to be
    /// the sender's (Error 5).
    fn request_id(&mut self, from: u16, msg: &Message, own: bool) -> Option<u16> {
        let h = msg.header;
        let id = msg
            .find(AttributeType::FloorRequestId)
            .find_map(|v| match v {
                Value::FloorRequestId(id) => Some(*id),
                _ => None,
            })?;
        match self.table.get(id) {
            None => {
                let info = format!("floor request {id} does not exist");
                self.error(
                    from,
                    &h,
                    ErrorCodeValue::FloorRequestIdDoesNotExist,
                    Some(&info),
                );
                None
            }
            Some(r) if own && r.user_id != from => {
                let info = format!("floor request {id} belongs to another participant");
                self.error(from, &h, ErrorCodeValue::UnauthorizedOperation, Some(&info));
                None
            }
            Some(_) => Some(id),
        }
    }

    fn floor_release(&mut self, from: u16, msg: &Message) {
        if let Some(id) = self.request_id(from, msg, true) {
            let changes = self.table.release(id);
            self.publish(&changes, Some((msg.header, id)));
        }
    }

    fn floor_request_query(&mut self, from: u16, msg: &Message) {
        if let Some(id) = self.request_id(from, msg, false) {
            if let Some(r) = self.table.get(id).cloned() {
                let header = self.response_header(&msg.header, Primitive::FloorRequestStatus);
                let reply = self.floor_request_status(header, &r);
                self.send(from, &reply);
            }
        }
    }

    /// FloorQuery replaces the sender's subscriptions with the floors it lists (none:
    /// unsubscribe) and is answered with the status of the first, the others following as
    /// notifications (RFC 8855 §13.5).
    fn floor_query(&mut self, from: u16, msg: &Message) {
        let h = msg.header;
        let mut floors: Vec<u16> = Vec::new();
        for v in msg.find(AttributeType::FloorId) {
            if let Value::FloorId(f) = v {
                if !self.table.has_floor(*f) {
                    let info = format!("floor {f} does not exist");
                    return self.error(from, &h, ErrorCodeValue::InvalidFloorId, Some(&info));
                }
                if !floors.contains(f) {
                    floors.push(*f);
                }
            }
        }
        if let Some(p) = self.participants.iter_mut().find(|p| p.user_id == from) {
            p.subscriptions = floors.clone();
        }
        let response = self.response_header(&h, Primitive::FloorStatus);
        let Some((first, rest)) = floors.split_first() else {
            return self.send(from, &Message::new(response, Vec::new()));
        };
        let reply = self.floor_status(response, *first, &[]);
        self.send(from, &reply);
        for floor in rest {
            let tx = self.server_transaction();
            let header = self.server_header(Primitive::FloorStatus, tx, from);
            let note = self.floor_status(header, *floor, &[]);
            self.send(from, &note);
        }
    }

    /// UserStatus: the user asked about (BENEFICIARY-ID) or the sender, and its requests.
    fn user_query(&mut self, from: u16, msg: &Message) {
        let h = msg.header;
        let asked = msg
            .find(AttributeType::BeneficiaryId)
            .find_map(|v| match v {
                Value::BeneficiaryId(u) => Some(*u),
                _ => None,
            });
        let user = asked.unwrap_or(from);
        if self.participant(user).is_none() {
            let info = format!("user {user} is not in this conference");
            return self.error(from, &h, ErrorCodeValue::UserDoesNotExist, Some(&info));
        }
        let mut attributes = Vec::new();
        if asked.is_some() {
            attributes.push(Attribute::mandatory(Value::BeneficiaryInformation(
                Group::new(user, Vec::new()),
            )));
        }
        attributes.extend(self.table.of_user(user).map(floor_request_information));
        let reply = Message::new(self.response_header(&h, Primitive::UserStatus), attributes);
        self.send(from, &reply);
    }
}
