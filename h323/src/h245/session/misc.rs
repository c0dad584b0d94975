//! Round-trip delay (H.245's RTDSE), user input, videoFastUpdatePicture, flow control
//! and the end of the session.

use std::time::Instant;

use super::{channel_number, Mscm, Session, SessionEvent};
use crate::h245::codec::Extensions;
use crate::h245::{
    CommandMessage, EndSessionCommand, FlowControlCommand, FlowControlRestriction,
    FlowControlScope, IndicationMessage, MiscellaneousCommand, MiscellaneousCommandType,
    RequestMessage, ResponseMessage, RoundTripDelayRequest, RoundTripDelayResponse,
    UserInputIndication,
};

#[derive(Debug, Default)]
pub(super) struct Rtd {
    seq: u8,
    /// The outstanding request: when it was sent and when T105 expires.
    outstanding: Option<(Instant, Instant)>,
}

impl Rtd {
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.outstanding.map(|(_, deadline)| deadline)
    }
}

impl Session {
    /// Measures the round trip (and proves the peer alive): a RoundTripDelayRequest with
    /// T105. A request still outstanding is superseded (its answer will be ignored).
    pub fn round_trip_delay(&mut self, now: Instant) {
        if self.ended {
            return;
        }
        self.rtd.seq = self.rtd.seq.wrapping_add(1);
        self.rtd.outstanding = Some((now, now + self.config.t105));
        self.send(Mscm::Request(RequestMessage::RoundTripDelayRequest(
            Box::new(RoundTripDelayRequest {
                sequence_number: u32::from(self.rtd.seq),
                extensions: Extensions::default(),
            }),
        )));
    }

    pub(super) fn on_rtd_request(&mut self, r: &RoundTripDelayRequest) {
        self.send(Mscm::Response(ResponseMessage::RoundTripDelayResponse(
            Box::new(RoundTripDelayResponse {
                sequence_number: r.sequence_number,
                extensions: Extensions::default(),
            }),
        )));
    }

    pub(super) fn on_rtd_response(&mut self, now: Instant, r: &RoundTripDelayResponse) {
        match self.rtd.outstanding {
            Some((sent, _)) if r.sequence_number == u32::from(self.rtd.seq) => {
                self.rtd.outstanding = None;
                self.event(SessionEvent::RoundTripDelay(
                    now.saturating_duration_since(sent),
                ));
            }
            // The answer to a request we have since superseded.
            Some(_) => {}
            None => self.protocol_error("RoundTripDelayResponse with no request outstanding"),
        }
    }

    pub(super) fn rtd_timeout(&mut self, now: Instant) {
        if self.rtd.deadline().is_some_and(|d| d <= now) {
            self.rtd.outstanding = None;
            self.event(SessionEvent::RoundTripDelayTimedOut);
        }
    }

    /// Sends user input (DTMF digits, or any text) as an alphanumeric UserInputIndication,
    /// the form every H.323 endpoint understands.
    pub fn send_user_input(&mut self, digits: &str) {
        if digits.is_empty() {
            return;
        }
        self.send(Mscm::Indication(IndicationMessage::UserInput(Box::new(
            UserInputIndication::Alphanumeric(digits.as_bytes().to_vec()),
        ))));
    }

    pub(super) fn on_user_input(&mut self, u: UserInputIndication) {
        let text = match u {
            UserInputIndication::Alphanumeric(octets) => {
                String::from_utf8_lossy(&octets).into_owned()
            }
            UserInputIndication::ExtendedAlphanumeric(e) => {
                String::from_utf8_lossy(&e.alphanumeric).into_owned()
            }
            UserInputIndication::Signal(s) => s.signal_type.to_string(),
            // signalUpdate lengthens a tone already reported; the rest carries no input.
            _ => return,
        };
        if !text.is_empty() {
            self.event(SessionEvent::UserInput(text));
        }
    }

    /// Asks the peer for an intra picture on the video channel it sends us
    /// (miscellaneousCommand videoFastUpdatePicture).
    pub fn request_fast_update(&mut self, channel: u16) {
        if channel == 0 {
            return;
        }
        self.send(Mscm::Command(CommandMessage::MiscellaneousCommand(
            Box::new(MiscellaneousCommand {
                logical_channel_number: u32::from(channel),
                r#type: MiscellaneousCommandType::VideoFastUpdatePicture(()),
                extensions: Extensions::default(),
            }),
        )));
    }

    pub(super) fn on_miscellaneous(&mut self, m: &MiscellaneousCommand) {
        if let MiscellaneousCommandType::VideoFastUpdatePicture(()) = m.r#type {
            match channel_number(m.logical_channel_number) {
                Some(channel) => self.event(SessionEvent::FastUpdateRequested { channel }),
                None => self.protocol_error("videoFastUpdatePicture with an invalid channel"),
            }
        }
    }

    /// Limits the bit rate the peer sends: on one channel (`Some`), or on all it sends
    /// (`None`, wholeMultiplex); `None` for the rate lifts the limit.
    pub fn send_flow_control(&mut self, channel: Option<u16>, max_bit_rate_100bps: Option<u32>) {
        let scope = match channel {
            Some(0) => return,
            Some(n) => FlowControlScope::LogicalChannelNumber(u32::from(n)),
            None => FlowControlScope::WholeMultiplex(()),
        };
        let restriction = match max_bit_rate_100bps {
            // maximumBitRate is INTEGER (0..16777215).
            Some(rate) => FlowControlRestriction::MaximumBitRate(rate.min(16_777_215)),
            None => FlowControlRestriction::NoRestriction(()),
        };
        self.send(Mscm::Command(CommandMessage::FlowControlCommand(Box::new(
            FlowControlCommand {
                scope,
                restriction,
                extensions: Extensions::default(),
            },
        ))));
    }

    pub(super) fn on_flow_control(&mut self, f: &FlowControlCommand) {
        let channel = match f.scope {
            FlowControlScope::LogicalChannelNumber(n) => match channel_number(n) {
                Some(n) => Some(n),
                None => {
                    self.protocol_error("FlowControlCommand with an invalid channel");
                    return;
                }
            },
            // resourceID is an ATM resource; over IP it can only mean everything.
            FlowControlScope::ResourceId(_) | FlowControlScope::WholeMultiplex(()) => None,
        };
        let max_bit_rate_100bps = match f.restriction {
            FlowControlRestriction::MaximumBitRate(r) => Some(r),
            FlowControlRestriction::NoRestriction(()) => None,
        };
        self.event(SessionEvent::FlowControl {
            channel,
            max_bit_rate_100bps,
        });
    }

    /// Ends the session: EndSessionCommand (disconnect) is the last message sent; every
    /// timer stops and the channels are forgotten. The peer's EndSessionCommand is still
    /// reported as [`SessionEvent::EndSession`].
    pub fn end_session(&mut self) {
        if self.ended {
            return;
        }
        self.send(Mscm::Command(CommandMessage::EndSessionCommand(Box::new(
            EndSessionCommand::Disconnect(()),
        ))));
        self.ended = true;
        // Timers stop; the role and the peer's capabilities stay readable.
        self.msd.stop();
        self.tcs.stop();
        self.rtd = Default::default();
        self.channels.clear();
    }

    /// The peer's EndSessionCommand: H.323 §8.5 has the receiver send its own (if it has
    /// not yet) before it closes the control channel.
    pub(super) fn on_end_session(&mut self) {
        if self.peer_ended {
            return;
        }
        self.peer_ended = true;
        self.end_session();
        self.event(SessionEvent::EndSession);
    }
}
