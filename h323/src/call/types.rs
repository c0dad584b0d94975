//! The call machine's vocabulary: states, events, errors, causes and what a Setup says.

use crate::h245::{MultimediaSystemControlMessage, OpenLogicalChannel};
use crate::per::PerError;
use crate::q931::CallReference;
use crate::ras::{AliasAddress, TransportAddress};
use crate::tpkt;

use super::MAX_QUEUED_H245;

/// Q.850 causes this machine sends or reports.
pub mod cause {
    /// Normal call clearing.
    pub const NORMAL: u8 = 16;
    /// User busy.
    pub const BUSY: u8 = 17;
    /// No user responding (T303/T310 expired).
    pub const NO_USER_RESPONDING: u8 = 18;
    /// No answer from user (T301 expired while alerting).
    pub const NO_ANSWER: u8 = 19;
    /// Call rejected.
    pub const REJECTED: u8 = 21;
    /// Destination out of order (the connection was lost).
    pub const OUT_OF_ORDER: u8 = 27;
    /// Resource unavailable, unspecified: a second call on a connection that carries one.
    pub const RESOURCE_UNAVAILABLE: u8 = 47;
    /// Invalid message, unspecified: what the peer sent does not decode.
    pub const INVALID_MESSAGE: u8 = 95;
    /// Recovery on timer expiry.
    pub const TIMER_EXPIRY: u8 = 102;
    /// Protocol error, unspecified.
    pub const PROTOCOL_ERROR: u8 = 111;
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    #[error("H.225.0 encoding failed: {0}")]
    Per(#[from] PerError),
    #[error("Q.931 encoding failed: {0}")]
    Q931(#[from] crate::q931::EncodeError),
    #[error("TPKT framing failed: {0}")]
    Tpkt(#[from] tpkt::TpktError),
    #[error("{what} is not allowed in call state {state:?}")]
    WrongState {
        what: &'static str,
        state: CallState,
    },
    #[error("H.245 is not tunnelled on this call")]
    NotTunnelled,
    #[error("too many H.245 messages queued (limit {MAX_QUEUED_H245})")]
    H245QueueFull,
    #[error("internal: {0}")]
    Internal(&'static str),
}

/// Q.931 call states (§2.1), as far as H.225.0 uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallState {
    /// Incoming connection, no Setup yet.
    Idle,
    /// Outgoing: Setup sent (U1, call initiated).
    Initiated,
    /// Outgoing: Call Proceeding received (U3).
    OutgoingProceeding,
    /// Outgoing: Alerting received (U4, call delivered).
    Delivered,
    /// Incoming: Setup received, not answered yet (U6, call present).
    Present,
    /// Incoming: Call Proceeding sent (U9).
    IncomingProceeding,
    /// Incoming: Alerting sent (U7, call received).
    Received,
    /// Connect sent or received (U10).
    Active,
    /// Release Complete sent or received, or the call failed: nothing more is sent.
    Released,
}

impl CallState {
    /// The Q.931 call state value (§4.5.7) a Status message reports.
    pub(super) fn q931_value(self) -> u8 {
        match self {
            Self::Idle | Self::Released => 0,
            Self::Initiated => 1,
            Self::OutgoingProceeding => 3,
            Self::Delivered => 4,
            Self::Present => 6,
            Self::Received => 7,
            Self::IncomingProceeding => 9,
            Self::Active => 10,
        }
    }
}

/// How H.245 travels on this call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H245Transport {
    /// Outgoing call before the first answer: we asked for tunnelling, the peer has not said.
    Pending,
    /// In the UU-PDUs of this connection.
    Tunnelled,
    /// On its own TCP connection (or, with fastStart only, not at all).
    Separate,
}

/// What an outgoing call's Setup says. The call reference, call identifier and conference
/// id come from the caller: this crate has no randomness.
#[derive(Debug, Clone, Default)]
pub struct Dial {
    /// 1..=0x7fff, unique among our calls.
    pub call_reference: u16,
    pub call_identifier: [u8; 16],
    pub conference_id: [u8; 16],
    pub destination: Vec<AliasAddress>,
    pub called_number: Option<String>,
    pub source: Vec<AliasAddress>,
    pub calling_number: Option<String>,
    pub fast_start: Vec<OpenLogicalChannel>,
    /// Our H.245 listener, when we offer a separate H.245 connection from the start.
    pub h245_address: Option<TransportAddress>,
    pub dest_call_signal_address: Option<TransportAddress>,
    pub source_call_signal_address: Option<TransportAddress>,
}

impl Dial {
    pub(super) fn reference(&self) -> CallReference {
        CallReference::new(self.call_reference & 0x7fff, false)
    }
}

/// An incoming Setup as the gateway needs it: what was dialled, who calls, and how media and
/// H.245 are proposed. Texts are printable ASCII, at most [`MAX_TEXT`](super::MAX_TEXT) characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingSetup {
    pub call_reference: u16,
    pub call_identifier: Option<[u8; 16]>,
    pub conference_id: [u8; 16],
    pub destination: Vec<AliasAddress>,
    pub called_number: Option<String>,
    pub source: Vec<AliasAddress>,
    pub calling_number: Option<String>,
    pub display: Option<String>,
    /// The fastStart proposals, in the caller's order of preference.
    pub fast_start: Vec<OpenLogicalChannel>,
    /// fastStart was present but an element did not decode: treated as no fastStart
    /// (H.323 §8.1.7.1 lets the callee ignore it and use H.245 procedures).
    pub fast_start_error: bool,
    /// The caller asked for H.245 tunnelling.
    pub tunnelling: bool,
    /// The caller's H.245 listener, when it offered one.
    pub h245_address: Option<TransportAddress>,
    /// The caller's product and version ids.
    pub vendor: Option<(String, String)>,
    pub media_wait_for_connect: bool,
}

/// What happened on the call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CallEvent {
    /// An incoming call: answer with [`Call::proceeding`](super::Call::proceeding), [`Call::alert`](super::Call::alert), [`Call::connect`](super::Call::connect)
    /// or [`Call::release`](super::Call::release).
    Setup(Box<IncomingSetup>),
    /// Outgoing: the callee is working on it.
    Proceeding,
    /// Outgoing: the callee is ringing.
    Alerting,
    /// Outgoing: the callee signalled in-band progress (early media).
    Progress,
    /// Outgoing: the callee answered.
    Connected,
    /// Outgoing: the channels the callee accepted from our fastStart proposals (the first
    /// answer that carries fastStart settles it, H.323 §8.1.7.1).
    FastStartAccepted(Vec<OpenLogicalChannel>),
    /// Outgoing: the callee refused fastStart (or answered without it): media goes through
    /// H.245 procedures.
    FastStartRefused,
    /// A tunnelled H.245 message for the H.245 session.
    H245(Box<MultimediaSystemControlMessage>),
    /// Tunnelled H.245 that did not decode: the H.245 session cannot stay in step.
    H245Undecodable,
    /// The peer's separate H.245 listener: connect to it, unless H.245 is tunnelled.
    H245Address(TransportAddress),
    /// The transport H.245 uses is settled (after the first answer on an outgoing call).
    H245Transport(H245Transport),
    /// Digits from a Q.931 Keypad element (Information or Setup).
    Keypad(String),
    /// A message that makes no sense now (or does not decode) was ignored.
    Ignored(&'static str),
    /// The call is over. `by_peer` tells whether the peer sent Release Complete; otherwise we
    /// sent it (a command, a timer or the peer's protocol error) or the call never began.
    Released { cause: u8, by_peer: bool },
}
