//! What the participant does with each message from the server.

use std::time::Instant;

use super::{
    FloorState, Participant, ParticipantEvent, ParticipantOutput, SessionState, Transaction,
};
use crate::attribute::{AttributeType, RequestStatusValue, Value};
use crate::compose::{read_floor_request_information, RequestView};
use crate::header::Header;
use crate::message::Message;
use crate::primitive::Primitive;
use crate::udp::Received;

fn floor_state(view: &RequestView) -> FloorState {
    match view.status {
        RequestStatusValue::Pending => FloorState::Pending,
        RequestStatusValue::Accepted => FloorState::Accepted {
            queue_position: view.queue_position,
        },
        RequestStatusValue::Granted => FloorState::Granted,
        RequestStatusValue::Denied => FloorState::Denied,
        RequestStatusValue::Cancelled => FloorState::Cancelled,
        RequestStatusValue::Released => FloorState::Released,
        RequestStatusValue::Revoked => FloorState::Revoked,
    }
}

fn views(msg: &Message) -> Vec<RequestView> {
    msg.find(AttributeType::FloorRequestInformation)
        .filter_map(Value::group)
        .filter_map(read_floor_request_information)
        .collect()
}

impl Participant {
    /// One message from the server: a datagram, or one frame from a
    /// [`StreamFramer`](crate::StreamFramer). What does not decode is dropped: a participant
    /// answers nothing with Error (RFC 8855 §13.8 gives that to the server).
    ///
    /// Over UDP this is where fragments are reassembled and a retransmitted notification is
    /// acknowledged again from the cache without being processed again.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        let Some(udp) = self.udp.as_mut() else {
            if let Ok(msg) = Message::decode(bytes) {
                self.handle_message(now, msg);
            }
            return;
        };
        match udp.receive(now, 0, bytes) {
            Received::Nothing => {}
            Received::Replay(datagrams) => {
                for bytes in datagrams {
                    self.emit(ParticipantOutput::Transmit(bytes));
                }
            }
            Received::Process(whole) => {
                if let Ok(msg) = Message::decode(&whole) {
                    self.handle_message(now, msg);
                }
                if let Some(udp) = self.udp.as_mut() {
                    udp.finish(now);
                }
            }
        }
    }

    /// One decoded message from the server. Messages for another conference or user, or in
    /// a version the transport does not carry, are dropped. Over UDP prefer
    /// [`Participant::handle_input`]: a decoded message skips reassembly and the cache.
    ///
    /// Over UDP the R bit tells answers from the server's own messages: an answer must match
    /// an outstanding request (a late duplicate changes nothing), and a FloorRequestStatus or
    /// FloorStatus without it is a notification, acknowledged with FloorRequestStatusAck or
    /// FloorStatusAck.
    pub fn handle_message(&mut self, now: Instant, msg: Message) {
        let h = msg.header;
        let c = &self.config;
        if h.conference_id != c.conference_id
            || h.user_id != c.user_id
            || !c.transport.permits(h.version)
            || matches!(self.state, SessionState::Idle | SessionState::Closed)
        {
            return;
        }
        let transaction = match self.udp.is_some() {
            false => self.take_transaction(&h),
            true if h.responder => match self.take_transaction(&h) {
                Some(t) => Some(t),
                None => return,
            },
            true => {
                self.acknowledge(&h);
                None
            }
        };
        match h.primitive {
            Primitive::HelloAck => self.hello_ack(now, &msg, transaction.as_ref()),
            Primitive::FloorRequestStatus => self.floor_request_status(&msg, transaction.as_ref()),
            Primitive::FloorStatus => self.floor_status(&msg),
            Primitive::Error => self.error(&msg, transaction.as_ref()),
            Primitive::Goodbye => {
                let ack = Header {
                    primitive: Primitive::GoodbyeAck,
                    responder: !self.config.transport.is_reliable(),
                    ..h
                };
                let _ = self.send(&Message::new(ack, Vec::new()));
                self.close(SessionState::Closed);
            }
            Primitive::GoodbyeAck
                if transaction.is_some_and(|t| t.primitive == Primitive::Goodbye) =>
            {
                self.close(SessionState::Closed);
            }
            // UserStatus answers a UserQuery we never send; the rest go to servers.
            _ => {}
        }
    }

    /// Over UDP: acknowledges a notification the server started (RFC 8855 §5.3.14–15).
    fn acknowledge(&mut self, h: &Header) {
        let primitive = match h.primitive {
            Primitive::FloorRequestStatus => Primitive::FloorRequestStatusAck,
            Primitive::FloorStatus => Primitive::FloorStatusAck,
            _ => return,
        };
        let ack = Header {
            primitive,
            responder: true,
            ..*h
        };
        let _ = self.send(&Message::new(ack, Vec::new()));
    }

    /// The outstanding request this message answers: same Transaction ID (never 0, which
    /// marks server-started messages over TCP).
    fn take_transaction(&mut self, h: &Header) -> Option<Transaction> {
        if h.transaction_id == 0 {
            return None;
        }
        let index = self
            .transactions
            .iter()
            .position(|t| t.id == h.transaction_id)?;
        Some(self.transactions.swap_remove(index))
    }

    fn hello_ack(&mut self, now: Instant, msg: &Message, t: Option<&Transaction>) {
        if t.is_none_or(|t| t.primitive != Primitive::Hello) {
            return;
        }
        self.next_keepalive = Some(now + self.config.keepalive_interval);
        if self.state != SessionState::Connecting {
            return;
        }
        self.state = SessionState::Connected;
        let list = |ty| {
            msg.find(ty)
                .find_map(|v| match v {
                    Value::SupportedPrimitives(p) | Value::SupportedAttributes(p) => {
                        Some(p.clone())
                    }
                    _ => None,
                })
                .unwrap_or_default()
        };
        self.event(ParticipantEvent::Connected {
            primitives: list(AttributeType::SupportedPrimitives),
            attributes: list(AttributeType::SupportedAttributes),
        });
    }

    /// Updates our request from a FloorRequestStatus: the answer to our FloorRequest or
    /// FloorRelease (matched by transaction), or a notification (matched by request ID).
    fn floor_request_status(&mut self, msg: &Message, t: Option<&Transaction>) {
        for view in views(msg) {
            let floor = match t.and_then(|t| t.floor) {
                Some(f) => Some(f),
                None => self
                    .floors
                    .iter()
                    .find(|f| f.request_id == Some(view.id))
                    .map(|f| f.floor_id),
            };
            let Some(floor) = floor else {
                continue;
            };
            // A late notification about a request we already saw end changes nothing.
            if !self.floor_state(floor).is_some_and(FloorState::is_live) {
                continue;
            }
            self.set_floor(floor, floor_state(&view), Some(view.id));
        }
    }

    /// Records who holds the floor a FloorStatus is about.
    fn floor_status(&mut self, msg: &Message) {
        let Some(floor_id) = msg.find(AttributeType::FloorId).find_map(|v| match v {
            Value::FloorId(f) => Some(*f),
            _ => None,
        }) else {
            return;
        };
        let holder = views(msg)
            .into_iter()
            .find(|v| v.status == RequestStatusValue::Granted)
            .map(|v| v.user_id);
        let Some(f) = self.floors.iter_mut().find(|f| f.floor_id == floor_id) else {
            return;
        };
        f.holder = holder;
        self.event(ParticipantEvent::FloorHolder { floor_id, holder });
    }

    fn error(&mut self, msg: &Message, t: Option<&Transaction>) {
        let Some(t) = t else {
            return;
        };
        let code = msg.find(AttributeType::ErrorCode).find_map(|v| match v {
            Value::ErrorCode(e) => Some(e.code),
            _ => None,
        });
        let info = msg.find(AttributeType::ErrorInfo).find_map(|v| match v {
            Value::ErrorInfo(s) => Some(s.clone()),
            _ => None,
        });
        if let (Primitive::FloorRequest, Some(floor)) = (t.primitive, t.floor) {
            self.set_floor(floor, FloorState::Failed, None);
        }
        if let Some(code) = code {
            self.event(ParticipantEvent::Error {
                primitive: t.primitive,
                code,
                info,
            });
        }
    }
}
