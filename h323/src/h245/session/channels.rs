//! Logical channel signalling (H.245 §8.4, the outgoing and incoming LCSEs of C.5) and the
//! close-channel requests both ways (RequestChannelClose, the CLCSE).
//!
//! Channel numbers are chosen by the side that opens a channel, so the channels we open and
//! the ones the peer opens are two separate number spaces: 1 may be open each way.
//!
//! An OpenLogicalChannel that arrives before the peer's capabilities (or before
//! master/slave determination finished) is still reported: H.323 endpoints open channels
//! as soon as they have *our* capabilities, and fastStart proposals never wait, so
//! refusing early channels would only break calls. Whether the channel is acceptable is
//! the application's decision in [`SessionEvent::ChannelRequested`].

use std::collections::BTreeMap;
use std::time::Instant;

use super::{channel_number, Mscm, Session, SessionError, SessionEvent};
use crate::h245::codec::Extensions;
use crate::h245::{
    ClcSource, CloseLogicalChannel, CloseLogicalChannelAck, IndicationMessage, OlcRejectCause,
    OpenLogicalChannel, OpenLogicalChannelAck, OpenLogicalChannelReject, RccRejectCause,
    RequestChannelClose, RequestChannelCloseAck, RequestChannelCloseReject,
    RequestChannelCloseRelease, RequestMessage, ResponseMessage,
};

/// Where a channel is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelState {
    /// We sent OpenLogicalChannel and wait for the answer (T103 runs).
    Opening,
    /// The peer asked to open it; the application has not answered yet.
    AwaitingAcceptance,
    Open,
    /// We sent CloseLogicalChannel and wait for its Ack (T108 runs).
    Closing,
}

#[derive(Debug, Clone, Copy)]
struct Outgoing {
    state: ChannelState,
    /// T103 while opening, T108 while closing.
    deadline: Option<Instant>,
    /// Closing after T103 expired: the application has had its ChannelTimedOut, so the
    /// Ack (or T108) ends the channel without another event.
    timed_out: bool,
}

#[derive(Debug, Default)]
pub(super) struct Channels {
    outgoing: BTreeMap<u16, Outgoing>,
    incoming: BTreeMap<u16, ChannelState>,
    /// Our RequestChannelClose for a channel the peer opened, with its T109 (only numbers in
    /// `incoming`).
    close_requests: BTreeMap<u16, Instant>,
    /// The last number we assigned.
    last: u16,
}

impl Channels {
    pub(super) fn deadline(&self) -> Option<Instant> {
        let requests = self.close_requests.values().copied();
        self.outgoing
            .values()
            .filter_map(|c| c.deadline)
            .chain(requests)
            .min()
    }

    pub(super) fn clear(&mut self) {
        self.outgoing.clear();
        self.incoming.clear();
        self.close_requests.clear();
    }

    /// The next free number after the last one assigned (1 to 65535, wrapping), so a
    /// number just closed is not reused at once and late answers to it stay unambiguous.
    fn next_number(&mut self) -> Option<u16> {
        let mut n = self.last;
        for _ in 0..u16::MAX {
            n = if n == u16::MAX { 1 } else { n + 1 };
            if !self.outgoing.contains_key(&n) {
                self.last = n;
                return Some(n);
            }
        }
        None
    }
}

fn clc(number: u16, source: ClcSource) -> Mscm {
    Mscm::Request(RequestMessage::CloseLogicalChannel(Box::new(
        CloseLogicalChannel {
            forward_logical_channel_number: u32::from(number),
            source,
            extensions: Extensions::default(),
        },
    )))
}

impl Session {
    /// Opens a channel to the peer: assigns its forwardLogicalChannelNumber (unique among
    /// the channels we hold, never 0), sends the OpenLogicalChannel and starts T103.
    pub fn open_channel(
        &mut self,
        now: Instant,
        mut olc: OpenLogicalChannel,
    ) -> Result<u16, SessionError> {
        if self.ended {
            return Err(SessionError::Ended);
        }
        let limit = self.config.max_channels;
        if self.channels.outgoing.len() >= limit {
            return Err(SessionError::TooManyChannels { limit });
        }
        let number = self
            .channels
            .next_number()
            .ok_or(SessionError::TooManyChannels { limit })?;
        olc.forward_logical_channel_number = u32::from(number);
        self.channels.outgoing.insert(
            number,
            Outgoing {
                state: ChannelState::Opening,
                deadline: Some(now + self.config.t103),
                timed_out: false,
            },
        );
        self.send(Mscm::Request(RequestMessage::OpenLogicalChannel(Box::new(
            olc,
        ))));
        Ok(number)
    }

    /// Accepts a channel the peer asked for ([`SessionEvent::ChannelRequested`]); the Ack's
    /// forwardLogicalChannelNumber is set to `number`.
    pub fn accept_channel(
        &mut self,
        number: u16,
        mut ack: OpenLogicalChannelAck,
    ) -> Result<(), SessionError> {
        self.awaiting_acceptance(number)?;
        ack.forward_logical_channel_number = u32::from(number);
        self.channels.incoming.insert(number, ChannelState::Open);
        self.send(Mscm::Response(ResponseMessage::OpenLogicalChannelAck(
            Box::new(ack),
        )));
        Ok(())
    }

    /// Refuses a channel the peer asked for.
    pub fn reject_channel(
        &mut self,
        number: u16,
        cause: OlcRejectCause,
    ) -> Result<(), SessionError> {
        self.awaiting_acceptance(number)?;
        self.forget_incoming(number);
        self.send_olc_reject(number, cause);
        Ok(())
    }

    fn awaiting_acceptance(&self, number: u16) -> Result<(), SessionError> {
        if self.ended {
            return Err(SessionError::Ended);
        }
        match self.channels.incoming.get(&number) {
            None => Err(SessionError::UnknownChannel(number)),
            Some(ChannelState::AwaitingAcceptance) => Ok(()),
            Some(&state) => Err(SessionError::WrongState { number, state }),
        }
    }

    fn send_olc_reject(&mut self, number: u16, cause: OlcRejectCause) {
        self.send(Mscm::Response(ResponseMessage::OpenLogicalChannelReject(
            Box::new(OpenLogicalChannelReject {
                forward_logical_channel_number: u32::from(number),
                cause,
                extensions: Extensions::default(),
            }),
        )));
    }

    /// Closes a channel we opened (open, or still opening): CloseLogicalChannel, then
    /// [`SessionEvent::ChannelClosed`] on its Ack or when T108 expires.
    pub fn close_channel(&mut self, now: Instant, number: u16) -> Result<(), SessionError> {
        if self.ended {
            return Err(SessionError::Ended);
        }
        let t108 = self.config.t108;
        let channel = self
            .channels
            .outgoing
            .get_mut(&number)
            .ok_or(SessionError::UnknownChannel(number))?;
        if channel.state == ChannelState::Closing {
            return Err(SessionError::WrongState {
                number,
                state: ChannelState::Closing,
            });
        }
        *channel = Outgoing {
            state: ChannelState::Closing,
            deadline: Some(now + t108),
            timed_out: false,
        };
        self.send(clc(number, ClcSource::User(())));
        Ok(())
    }

    /// A channel we opened.
    pub fn channel(&self, number: u16) -> Option<ChannelState> {
        self.channels.outgoing.get(&number).map(|c| c.state)
    }

    /// A channel the peer opened.
    pub fn incoming_channel(&self, number: u16) -> Option<ChannelState> {
        self.channels.incoming.get(&number).copied()
    }

    /// How many channels we opened and the peer opened are held (either direction is
    /// bounded by [`super::SessionConfig::max_channels`]).
    pub fn channel_count(&self) -> (usize, usize) {
        (self.channels.outgoing.len(), self.channels.incoming.len())
    }

    pub(super) fn on_olc(&mut self, olc: Box<OpenLogicalChannel>) {
        let Some(number) = channel_number(olc.forward_logical_channel_number) else {
            self.protocol_error("OpenLogicalChannel with an invalid channel number");
            return;
        };
        if self.channels.incoming.contains_key(&number) {
            // The same number again replaces the channel (the incoming LCSE: the old one is released,
            // the new one is up to the application).
            self.channels.close_requests.remove(&number);
            self.event(SessionEvent::ChannelClosedByPeer { number });
        } else if self.channels.incoming.len() >= self.config.max_channels {
            self.send_olc_reject(number, super::over_limit_cause());
            return;
        }
        self.channels
            .incoming
            .insert(number, ChannelState::AwaitingAcceptance);
        self.event(SessionEvent::ChannelRequested { number, olc });
    }

    pub(super) fn on_clc(&mut self, c: &CloseLogicalChannel) {
        let Some(number) = channel_number(c.forward_logical_channel_number) else {
            self.protocol_error("CloseLogicalChannel with an invalid channel number");
            return;
        };
        // Acknowledged even for a channel we do not know (the incoming LCSE: a close in the released
        // state is acknowledged), so a peer that retries its close gets its answer.
        self.send(Mscm::Response(ResponseMessage::CloseLogicalChannelAck(
            Box::new(CloseLogicalChannelAck {
                forward_logical_channel_number: u32::from(number),
                extensions: Extensions::default(),
            }),
        )));
        if self.forget_incoming(number) {
            self.event(SessionEvent::ChannelClosedByPeer { number });
        }
    }

    pub(super) fn on_rcc(&mut self, now: Instant, r: &RequestChannelClose) {
        let number = channel_number(r.forward_logical_channel_number);
        let open = number.and_then(|n| self.channels.outgoing.get(&n).map(|c| (n, c.state)));
        match open {
            Some((n, ChannelState::Opening | ChannelState::Open)) => {
                self.send(Mscm::Response(ResponseMessage::RequestChannelCloseAck(
                    Box::new(RequestChannelCloseAck {
                        forward_logical_channel_number: u32::from(n),
                        extensions: Extensions::default(),
                    }),
                )));
                // The receiver wants it gone; a gateway has no reason to keep sending.
                let _ = self.close_channel(now, n);
            }
            Some((n, _)) => {
                // Already closing: the CloseLogicalChannel is on its way.
                self.send(Mscm::Response(ResponseMessage::RequestChannelCloseAck(
                    Box::new(RequestChannelCloseAck {
                        forward_logical_channel_number: u32::from(n),
                        extensions: Extensions::default(),
                    }),
                )));
            }
            None => match number {
                Some(n) => self.send(Mscm::Response(ResponseMessage::RequestChannelCloseReject(
                    Box::new(RequestChannelCloseReject {
                        forward_logical_channel_number: u32::from(n),
                        cause: RccRejectCause::Unspecified(()),
                        extensions: Extensions::default(),
                    }),
                ))),
                None => self.protocol_error("RequestChannelClose with an invalid channel number"),
            },
        }
    }

    fn forget_incoming(&mut self, number: u16) -> bool {
        self.channels.close_requests.remove(&number);
        self.channels.incoming.remove(&number).is_some()
    }

    /// Asks the peer to close a channel it opened to us (RequestChannelClose): its
    /// CloseLogicalChannel follows as [`SessionEvent::ChannelClosedByPeer`]; a refusal, or no
    /// answer within T109, is [`SessionEvent::ChannelCloseRefused`].
    pub fn request_channel_close(&mut self, now: Instant, number: u16) -> Result<(), SessionError> {
        if self.ended {
            return Err(SessionError::Ended);
        }
        match self.channels.incoming.get(&number) {
            None => return Err(SessionError::UnknownChannel(number)),
            Some(ChannelState::Open) => {}
            Some(&state) => return Err(SessionError::WrongState { number, state }),
        }
        self.channels
            .close_requests
            .insert(number, now + self.config.t109);
        self.send(Mscm::Request(RequestMessage::RequestChannelClose(
            Box::new(RequestChannelClose {
                forward_logical_channel_number: u32::from(number),
                extensions: Extensions::default(),
            }),
        )));
        Ok(())
    }

    /// The peer's answer to our RequestChannelClose.
    pub(super) fn on_rcc_answer(&mut self, number: u32, accepted: bool) {
        let pending =
            channel_number(number).filter(|n| self.channels.close_requests.contains_key(n));
        let Some(number) = pending else {
            self.protocol_error("RequestChannelClose answer with none outstanding");
            return;
        };
        self.channels.close_requests.remove(&number);
        if !accepted {
            self.event(SessionEvent::ChannelCloseRefused { number });
        }
    }

    pub(super) fn on_olc_ack(&mut self, ack: Box<OpenLogicalChannelAck>) {
        let number = channel_number(ack.forward_logical_channel_number);
        let Some(number) = number.filter(|n| {
            self.channels
                .outgoing
                .get(n)
                .is_some_and(|c| c.state == ChannelState::Opening)
        }) else {
            self.protocol_error("OpenLogicalChannelAck for no channel being opened");
            return;
        };
        self.channels.outgoing.insert(
            number,
            Outgoing {
                state: ChannelState::Open,
                deadline: None,
                timed_out: false,
            },
        );
        self.event(SessionEvent::ChannelOpened { number, ack });
    }

    pub(super) fn on_olc_reject(&mut self, number: u32) {
        if !self.olc_abandoned(number) {
            self.protocol_error("OpenLogicalChannelReject for no channel being opened");
        }
    }

    /// The peer refused (or did not understand) the OpenLogicalChannel `number`.
    pub(super) fn olc_abandoned(&mut self, number: u32) -> bool {
        let Some(number) = channel_number(number) else {
            return false;
        };
        if self.channel(number) != Some(ChannelState::Opening) {
            return false;
        }
        self.channels.outgoing.remove(&number);
        self.event(SessionEvent::ChannelRejected { number });
        true
    }

    pub(super) fn on_clc_ack(&mut self, number: u32) {
        let number =
            channel_number(number).filter(|&n| self.channel(n) == Some(ChannelState::Closing));
        match number {
            Some(number) => {
                let timed_out = self
                    .channels
                    .outgoing
                    .remove(&number)
                    .is_some_and(|c| c.timed_out);
                if !timed_out {
                    self.event(SessionEvent::ChannelClosed { number });
                }
            }
            None => self.protocol_error("CloseLogicalChannelAck for no channel being closed"),
        }
    }

    pub(super) fn channels_timeout(&mut self, now: Instant) {
        let expired: Vec<(u16, Outgoing)> = self
            .channels
            .outgoing
            .iter()
            .filter(|(_, c)| c.deadline.is_some_and(|d| d <= now))
            .map(|(&n, &c)| (n, c))
            .collect();
        let requests: Vec<u16> = self
            .channels
            .close_requests
            .iter()
            .filter(|(_, &d)| d <= now)
            .map(|(&n, _)| n)
            .collect();
        for number in requests {
            // T109 (CLCSE): the request is withdrawn.
            self.channels.close_requests.remove(&number);
            self.send(Mscm::Indication(
                IndicationMessage::RequestChannelCloseRelease(Box::new(
                    RequestChannelCloseRelease {
                        forward_logical_channel_number: u32::from(number),
                        extensions: Extensions::default(),
                    },
                )),
            ));
            self.event(SessionEvent::ChannelCloseRefused { number });
        }
        let t108 = self.config.t108;
        for (number, channel) in expired {
            if channel.state == ChannelState::Opening {
                // T103 (outgoing LCSE): the signalling entity closes the channel itself; its Ack is
                // awaited (T108) so it is not taken for a stray answer.
                self.channels.outgoing.insert(
                    number,
                    Outgoing {
                        state: ChannelState::Closing,
                        deadline: Some(now + t108),
                        timed_out: true,
                    },
                );
                self.send(clc(number, ClcSource::Lcse(())));
                self.event(SessionEvent::ChannelTimedOut { number });
            } else {
                // T108: the peer never acknowledged; the channel is gone for us anyway.
                self.channels.outgoing.remove(&number);
                if !channel.timed_out {
                    self.event(SessionEvent::ChannelClosed { number });
                }
            }
        }
    }
}
