//! The H.245 control protocol of one call, sans-IO: master/slave determination (H.245
//! §8.2, C.2), capability exchange (§8.3, C.3), logical channel signalling (§8.4, C.5),
//! channel close requests, round-trip delay, and the commands and indications a gateway
//! uses (user input, videoFastUpdatePicture, flow control, end session).
//!
//! The session sees typed [`MultimediaSystemControlMessage`]s only: whoever carries them
//! (tunnelled in H.225.0, fastStart, or a TCP connection of their own) feeds received ones
//! to [`Session::handle_message`] and sends what [`Session::poll_message`] yields. Time
//! comes in as `Instant` arguments and the master/slave random number from the caller, so
//! every procedure, timer included, runs the same way in a test as on the wire.
//!
//! The driving loop: after every input (a message, a command, a timeout), drain
//! [`Session::poll_message`] and [`Session::poll_event`], then arm a timer for
//! [`Session::poll_timeout`] and call [`Session::handle_timeout`] when it fires. The queues
//! grow only with inputs, so draining them after each keeps them short.
//!
//! ```
//! use std::time::Instant;
//! use roomgate_h323::h245::session::{Session, SessionConfig, SessionEvent};
//!
//! let now = Instant::now();
//! let mut gateway = Session::new(SessionConfig::default());
//! let mut room = Session::new(SessionConfig { terminal_type: 50, ..Default::default() });
//! gateway.start_msd(now, 0x1234_5678);
//! room.start_msd(now, 0x9abc_def0);
//! // Shuttle messages both ways until both sides are quiet.
//! loop {
//!     let mut moved = false;
//!     while let Some(m) = gateway.poll_message() { room.handle_message(now, m); moved = true; }
//!     while let Some(m) = room.poll_message() { gateway.handle_message(now, m); moved = true; }
//!     if !moved { break; }
//! }
//! // The gateway's terminal type (60) is higher than the room system's (50).
//! assert_eq!(gateway.is_master(), Some(true));
//! assert_eq!(room.is_master(), Some(false));
//! assert_eq!(gateway.poll_event(), Some(SessionEvent::MsdDone { master: true }));
//! ```

mod channels;
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzzing;
mod misc;
mod msd;
mod tcs;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_channels;
#[cfg(test)]
mod tests_misc;
#[cfg(test)]
mod tests_tcs;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{
    CommandMessage, IndicationMessage, MultimediaSystemControlMessage, OlcRejectCause,
    OpenLogicalChannel, OpenLogicalChannelAck, RequestMessage, ResponseMessage,
    TerminalCapabilitySet,
};

pub use channels::ChannelState;
pub use msd::determine;
pub use tcs::is_empty_capability_set;

type Mscm = MultimediaSystemControlMessage;

/// The timers and limits of a session. The timer defaults are H.245's recommended values
/// (Annex C: 30 s each); a gateway that must notice a dead peer sooner shortens them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// The terminalType of master/slave determination. H.323's table of terminal types has 50 for a
    /// terminal, 60 for a gateway without an MC and 190 for an MCU; the higher one is master.
    pub terminal_type: u8,
    /// T101: how long an outgoing TerminalCapabilitySet waits for its answer.
    pub t101: Duration,
    /// T103: how long an outgoing OpenLogicalChannel waits for its answer.
    pub t103: Duration,
    /// T106: how long master/slave determination waits for its answer.
    pub t106: Duration,
    /// T108: how long an outgoing CloseLogicalChannel waits for its answer.
    pub t108: Duration,
    /// T105: how long a RoundTripDelayRequest waits for its answer.
    pub t105: Duration,
    /// T109: how long our RequestChannelClose waits for its answer.
    pub t109: Duration,
    /// How many channels each direction may hold at once. A peer's OpenLogicalChannel past
    /// it is rejected, so a hostile peer cannot grow the session's state.
    pub max_channels: usize,
    /// N100: how many MasterSlaveDetermination messages one determination sends before it
    /// gives up on identical numbers.
    pub max_msd_retries: u32,
}

/// A call needs an audio, a video and a presentation channel each way, a data channel
/// at most: 16 leaves room for replacements without letting a peer hold thousands.
pub const DEFAULT_MAX_CHANNELS: usize = 16;

impl Default for SessionConfig {
    fn default() -> Self {
        let t = Duration::from_secs(30);
        Self {
            terminal_type: 60,
            t101: t,
            t103: t,
            t106: t,
            t108: t,
            t105: t,
            t109: t,
            max_channels: DEFAULT_MAX_CHANNELS,
            max_msd_retries: 3,
        }
    }
}

/// What the session tells the application.
// RemoteCapabilities carries the set unboxed, as the call layer's API has it; events are
// few and short-lived.
#[allow(clippy::large_enum_variant)]
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// Master/slave determination finished with this role.
    MsdDone { master: bool },
    /// Master/slave determination failed: T106 expired, the peer refused it, or the
    /// numbers stayed identical for N100 attempts. The call cannot open bidirectional
    /// channels; H.323 ends it.
    MsdFailed,
    /// The peer's capabilities (already acknowledged), as received.
    RemoteCapabilities(TerminalCapabilitySet),
    /// The peer sent an empty capability set (no multiplex capability, table or
    /// descriptors, H.323 §8.4.6): it pauses media, and will send a full set to resume.
    /// Already acknowledged.
    RemotePaused,
    /// The peer acknowledged our latest capability set.
    CapabilitiesAcked,
    /// The peer refused our latest capability set, or T101 expired (a
    /// TerminalCapabilitySetRelease was sent), or it did not understand it.
    CapabilitiesRejected,
    /// The peer opens a channel; answer with [`Session::accept_channel`] or
    /// [`Session::reject_channel`].
    ChannelRequested {
        number: u16,
        olc: Box<OpenLogicalChannel>,
    },
    /// A channel we opened was acknowledged.
    ChannelOpened {
        number: u16,
        ack: Box<OpenLogicalChannelAck>,
    },
    /// A channel we opened was refused.
    ChannelRejected { number: u16 },
    /// A channel we opened got no answer within T103; it was closed (CloseLogicalChannel).
    ChannelTimedOut { number: u16 },
    /// The peer closed a channel it opened, or replaced it by opening it again.
    ChannelClosedByPeer { number: u16 },
    /// A channel we closed is closed (acknowledged, or T108 expired).
    ChannelClosed { number: u16 },
    /// The peer refused (or did not answer within T109) our request to close a channel it
    /// opened ([`Session::request_channel_close`]); the channel stays open.
    ChannelCloseRefused { number: u16 },
    /// User input: the alphanumeric string, or a signal's one DTMF character.
    UserInput(String),
    /// The peer asks for an intra picture on the video channel we send.
    FastUpdateRequested { channel: u16 },
    /// The peer limits our bit rate: on one channel (`Some`) or on everything we send
    /// (`None`); `None` for the rate lifts the limit.
    FlowControl {
        channel: Option<u16>,
        max_bit_rate_100bps: Option<u32>,
    },
    /// The round trip of a RoundTripDelayRequest.
    RoundTripDelay(Duration),
    /// No RoundTripDelayResponse within T105: the peer (or the path) is gone.
    RoundTripDelayTimedOut,
    /// The peer ended the H.245 session (our EndSessionCommand has been queued if we had not
    /// sent one): every channel, both ways, is gone.
    EndSession,
    /// A typed message the session runs no procedure for (H.239 generic messages, mode
    /// requests, non-standard messages, the peer's FunctionNotSupported or a
    /// FunctionNotUnderstood quoting nothing outstanding): the application may answer it
    /// with [`Session::send_message`].
    Other(Box<MultimediaSystemControlMessage>),
    /// The peer broke a procedure (an answer to nothing outstanding, a channel number out of
    /// range); the message was dropped and the session goes on.
    ProtocolError(&'static str),
}

/// A command the session cannot carry out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    #[error("the H.245 session has ended")]
    Ended,
    #[error("no logical channel {0} in the right state")]
    UnknownChannel(u16),
    #[error("logical channel {number} is {state:?}")]
    WrongState { number: u16, state: ChannelState },
    #[error("already {limit} logical channels open")]
    TooManyChannels { limit: usize },
}

/// One H.245 session (one call's control channel). See the module documentation for the
/// driving loop.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    out: VecDeque<Mscm>,
    events: VecDeque<SessionEvent>,
    /// We sent EndSessionCommand: nothing more goes out.
    ended: bool,
    /// The peer sent EndSessionCommand (reported once).
    peer_ended: bool,
    msd: msd::Msd,
    tcs: tcs::Tcs,
    channels: channels::Channels,
    rtd: misc::Rtd,
}

impl Session {
    pub fn new(config: SessionConfig) -> Self {
        Self {
            config,
            out: VecDeque::new(),
            events: VecDeque::new(),
            ended: false,
            peer_ended: false,
            msd: msd::Msd::default(),
            tcs: tcs::Tcs::default(),
            channels: channels::Channels::default(),
            rtd: misc::Rtd::default(),
        }
    }

    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// One received message. Requests, responses and commands the codec could not type are
    /// answered with FunctionNotUnderstood quoting them; nothing here ends the call.
    pub fn handle_message(&mut self, now: Instant, msg: MultimediaSystemControlMessage) {
        if self.ended {
            // Only the peer's confirmation matters once we have ended the session.
            if matches!(msg, Mscm::Command(CommandMessage::EndSessionCommand(_))) {
                self.on_end_session();
            }
            return;
        }
        match msg {
            Mscm::Request(r) => self.on_request(now, r),
            Mscm::Response(r) => self.on_response(now, r),
            Mscm::Command(c) => self.on_command(now, c),
            Mscm::Indication(i) => self.on_indication(i),
            // A message class newer than H.245 v17 cannot be quoted back; ignore it.
            Mscm::Unknown { .. } => {}
        }
    }

    fn on_request(&mut self, now: Instant, r: RequestMessage) {
        match r {
            RequestMessage::MasterSlaveDetermination(m) => self.on_msd(now, &m),
            RequestMessage::TerminalCapabilitySet(t) => self.on_tcs(*t),
            RequestMessage::OpenLogicalChannel(o) => self.on_olc(o),
            RequestMessage::CloseLogicalChannel(c) => self.on_clc(&c),
            RequestMessage::RequestChannelClose(r) => self.on_rcc(now, &r),
            RequestMessage::RoundTripDelayRequest(r) => self.on_rtd_request(&r),
            r @ (RequestMessage::NonStandard(_)
            | RequestMessage::RequestMode(_)
            | RequestMessage::GenericRequest(_)) => self.other(Mscm::Request(r)),
            r @ (RequestMessage::Untyped(_) | RequestMessage::Unknown { .. }) => {
                self.not_understood(&Mscm::Request(r));
            }
        }
    }

    fn on_response(&mut self, now: Instant, r: ResponseMessage) {
        match r {
            ResponseMessage::MasterSlaveDeterminationAck(a) => self.on_msd_ack(&a),
            ResponseMessage::MasterSlaveDeterminationReject(_) => self.on_msd_reject(now),
            ResponseMessage::TerminalCapabilitySetAck(a) => {
                self.on_tcs_answer(a.sequence_number, true);
            }
            ResponseMessage::TerminalCapabilitySetReject(r) => {
                self.on_tcs_answer(r.sequence_number, false);
            }
            ResponseMessage::OpenLogicalChannelAck(a) => self.on_olc_ack(a),
            ResponseMessage::OpenLogicalChannelReject(r) => {
                self.on_olc_reject(r.forward_logical_channel_number);
            }
            ResponseMessage::CloseLogicalChannelAck(a) => {
                self.on_clc_ack(a.forward_logical_channel_number);
            }
            ResponseMessage::RequestChannelCloseAck(a) => {
                self.on_rcc_answer(a.forward_logical_channel_number, true);
            }
            ResponseMessage::RequestChannelCloseReject(r) => {
                self.on_rcc_answer(r.forward_logical_channel_number, false);
            }
            ResponseMessage::RoundTripDelayResponse(r) => self.on_rtd_response(now, &r),
            r @ (ResponseMessage::NonStandard(_)
            | ResponseMessage::RequestModeAck(_)
            | ResponseMessage::RequestModeReject(_)
            | ResponseMessage::GenericResponse(_)) => self.other(Mscm::Response(r)),
            r @ (ResponseMessage::Untyped(_) | ResponseMessage::Unknown { .. }) => {
                self.not_understood(&Mscm::Response(r));
            }
        }
    }

    fn on_command(&mut self, now: Instant, c: CommandMessage) {
        match c {
            CommandMessage::SendTerminalCapabilitySet(_) => self.resend_capabilities(now),
            CommandMessage::FlowControlCommand(f) => self.on_flow_control(&f),
            CommandMessage::EndSessionCommand(_) => self.on_end_session(),
            CommandMessage::MiscellaneousCommand(m) => self.on_miscellaneous(&m),
            c @ (CommandMessage::NonStandard(_) | CommandMessage::GenericCommand(_)) => {
                self.other(Mscm::Command(c));
            }
            c @ (CommandMessage::Untyped(_) | CommandMessage::Unknown { .. }) => {
                self.not_understood(&Mscm::Command(c));
            }
        }
    }

    fn on_indication(&mut self, i: IndicationMessage) {
        match i {
            IndicationMessage::MasterSlaveDeterminationRelease(_) => self.on_msd_release(),
            // The peer gave up waiting for our Ack; it will send the set again if it cares.
            IndicationMessage::TerminalCapabilitySetRelease(_) => {}
            IndicationMessage::UserInput(u) => self.on_user_input(*u),
            IndicationMessage::FunctionNotUnderstood(f) => self.on_function_not_understood(f),
            // Confirms the bidirectional opens this session does not start.
            IndicationMessage::OpenLogicalChannelConfirm(_)
            | IndicationMessage::RequestChannelCloseRelease(_) => {}
            i @ (IndicationMessage::NonStandard(_)
            | IndicationMessage::RequestModeRelease(_)
            | IndicationMessage::FunctionNotSupported(_)
            | IndicationMessage::GenericIndication(_)) => self.other(Mscm::Indication(i)),
            // Indications are never answered: FunctionNotUnderstood can quote only requests,
            // responses and commands.
            IndicationMessage::Untyped(_) | IndicationMessage::Unknown { .. } => {}
        }
    }

    /// The earliest instant of the running timers (T101, T103s, T105, T106, T108s).
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.msd.deadline(),
            self.tcs.deadline(),
            self.rtd.deadline(),
            self.channels.deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs every timer that expired by `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.ended {
            return;
        }
        self.msd_timeout(now);
        self.tcs_timeout(now);
        self.rtd_timeout(now);
        self.channels_timeout(now);
    }

    pub fn poll_message(&mut self) -> Option<MultimediaSystemControlMessage> {
        self.out.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<SessionEvent> {
        self.events.pop_front()
    }

    /// Sends a message the session runs no procedure for (an H.239 generic message, a
    /// RequestModeAck, ...). Nothing goes out after [`Session::end_session`].
    pub fn send_message(&mut self, msg: MultimediaSystemControlMessage) {
        self.send(msg);
    }

    /// Whether the session has ended (we sent EndSessionCommand).
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    fn send(&mut self, msg: Mscm) {
        if !self.ended {
            self.out.push_back(msg);
        }
    }

    fn event(&mut self, e: SessionEvent) {
        self.events.push_back(e);
    }

    fn protocol_error(&mut self, what: &'static str) {
        self.event(SessionEvent::ProtocolError(what));
    }

    fn other(&mut self, msg: Mscm) {
        self.event(SessionEvent::Other(Box::new(msg)));
    }

    fn not_understood(&mut self, msg: &Mscm) {
        if let Some(answer) = msg.function_not_understood() {
            self.send(answer);
        }
    }

    fn on_function_not_understood(&mut self, f: Box<super::FunctionNotUnderstood>) {
        use super::FunctionNotUnderstood as Fnu;
        // A peer that does not understand a request we wait on will never answer it: end
        // that procedure now rather than at its timer.
        let handled = match &*f {
            Fnu::Request(RequestMessage::MasterSlaveDetermination(_)) => self.msd_abandoned(),
            Fnu::Request(RequestMessage::TerminalCapabilitySet(t)) => {
                self.tcs_abandoned(t.sequence_number)
            }
            Fnu::Request(RequestMessage::OpenLogicalChannel(o)) => {
                self.olc_abandoned(o.forward_logical_channel_number)
            }
            _ => false,
        };
        if !handled {
            self.other(Mscm::Indication(IndicationMessage::FunctionNotUnderstood(
                f,
            )));
        }
    }
}

/// Why a channel number from the wire is not usable.
fn channel_number(n: u32) -> Option<u16> {
    u16::try_from(n).ok().filter(|&n| n != 0)
}

/// The cause for an OpenLogicalChannel past [`SessionConfig::max_channels`]: H.245 B.3.3's
/// "the data type is supported but not available now".
pub fn over_limit_cause() -> OlcRejectCause {
    OlcRejectCause::DataTypeNotAvailable(())
}
