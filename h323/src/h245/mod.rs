//! H.245 (v17) multimedia system control: the `MultimediaSystemControlMessage` carried on
//! its own TCP connection (one per TPKT packet), tunnelled in H.225.0 `h245Control`, and —
//! as bare OpenLogicalChannel encodings — in fastStart.
//!
//! Typed: master/slave determination, capability exchange with audio (G.711, G.722,
//! G.723.1, G.728, G.729, generic such as G.722.1), video (H.261, H.262, H.263, generic such
//! as H.264, H.239 extended video), data (T.38 fax, T.120, ...), user input, conference and
//! generic control capabilities; logical channels with H.225.0 parameters and H.235
//! EncryptionSync; channel close requests; RequestMode; round-trip delay; flow control;
//! miscellaneous commands; user input; end session; generic (H.239) messages; function
//! not understood / not supported.
//!
//! What is not typed survives a decode and an encode unchanged: extension additions of
//! every SEQUENCE stay octets (typed accessors read the ones a gateway uses), extension
//! CHOICE alternatives not typed are `Unknown` with their octets, and a message class's
//! root alternative not typed (H.223 multiplex tables, maintenance loops) keeps the rest
//! of the PDU as bits, so the protocol layer can answer it with
//! [`MultimediaSystemControlMessage::function_not_understood`]. Root alternatives deeper
//! down that H.323 never uses (H.222/H.223/V.76 multiplex parameters, MPEG modes) fail the
//! decode with [`PerErrorKind::NotTyped`].
//!
//! [`session`] runs the procedures on these messages (H.245 §8 and the SDLs of Annex C):
//! one [`session::Session`] per call, fed received messages and the caller's clock, yielding
//! the messages to send and events for the call layer.
//!
//! ```
//! use roomgate_h323::h245::{
//!     MultimediaSystemControlMessage, RequestMessage, RoundTripDelayRequest,
//! };
//!
//! let rtd = MultimediaSystemControlMessage::Request(RequestMessage::RoundTripDelayRequest(
//!     Box::new(RoundTripDelayRequest { sequence_number: 7, extensions: Default::default() }),
//! ));
//! let octets = rtd.encode()?;
//! assert_eq!(octets, [0x09, 0x00, 0x07]);
//! assert_eq!(MultimediaSystemControlMessage::decode(&octets)?, rtd);
//! # Ok::<(), roomgate_h323::per::PerError>(())
//! ```

mod address;
mod capability;
mod capset;
mod channel;
pub mod codec;
mod data;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod generic;
mod message;
mod misc;
mod mode;
pub mod samples;
pub mod session;
#[cfg(test)]
mod tests;
mod tunnel;

pub use address::{
    Ip6Address, IpAddress, IpSourceRouteAddress, IpxAddress, MulticastAddress, Routing,
    TransportAddress, UnicastAddress,
};
pub use capability::{
    AudioCapability, AudioTelephonyEventCapability, AudioToneCapability, Capability,
    ConferenceCapability, ExtendedAudioCapability, ExtendedVideoCapability, G7231AnnexCCapability,
    G723AnnexCAudioMode, G729Extensions, GsmAudioCapability, H233EncryptionReceiveCapability,
    H261VideoCapability, H262VideoCapability, H263VideoCapability, Is11172AudioCapability,
    Is11172VideoCapability, Is13818AudioCapability, NoPtAudioTelephonyEventCapability,
    NoPtAudioToneCapability, UserInputCapability, VbdCapability, VideoCapability, G7231,
};
pub use capset::{
    AlternativeCapabilitySet, CapabilityDescriptor, CapabilityTableEntry, H2250Capability,
    MasterSlaveDetermination, MasterSlaveDeterminationAck, MasterSlaveDeterminationReject,
    MasterSlaveDeterminationRelease, McCapability, MediaDistributionCapability,
    MediaPacketizationCapability, MsdDecision, MsdRejectCause, MultiplexCapability,
    MultipointCapability, TableEntryCapacityExceeded, TcsRejectCause, TerminalCapabilitySet,
    TerminalCapabilitySetAck, TerminalCapabilitySetReject, TerminalCapabilitySetRelease,
};
pub use channel::{
    AckReverseLogicalChannelParameters, AckReverseMultiplexParameters, ClcReason, ClcSource,
    CloseLogicalChannel, CloseLogicalChannelAck, DataType, EncryptionMode, EncryptionSync,
    EscrowData, ForwardLogicalChannelParameters, ForwardMultiplexAckParameters,
    ForwardMultiplexParameters, H2250LogicalChannelAckParameters, H2250LogicalChannelParameters,
    MediaPacketization, OlcRejectCause, OpenLogicalChannel, OpenLogicalChannelAck,
    OpenLogicalChannelConfirm, OpenLogicalChannelReject, PayloadDescriptor, RccReason,
    RccRejectCause, RequestChannelClose, RequestChannelCloseAck, RequestChannelCloseReject,
    RequestChannelCloseRelease, ReverseLogicalChannelParameters, ReverseMultiplexParameters,
    RtpPayloadType, TerminalLabel,
};
pub use codec::Bits;
pub use data::{
    CompressionType, DataApplication, DataApplicationCapability, DataMode, DataModeApplication,
    DataProtocolCapability, Nlpid, T38Fax, T38FaxProfile, T38FaxRateManagement, T38FaxTcpOptions,
    T38FaxUdpEc, T38FaxUdpOptions, T84Profile, T84Restricted, V42bis, V76Compression, T84,
};
pub use generic::{
    h239, h264, oid, standard_oid, CapabilityIdentifier, GenericCapability, GenericMessage,
    GenericParameter, H221NonStandard, NonStandardIdentifier, NonStandardMessage,
    NonStandardParameter, ParameterIdentifier, ParameterValue,
};
pub use message::{
    CommandMessage, FunctionNotUnderstood, IndicationMessage, MultimediaSystemControlMessage,
    RequestMessage, ResponseMessage, Untyped,
};
pub use misc::{
    EncryptionUpdateAck, EncryptionUpdateRequest, EndSessionCommand, ExtendedAlphanumeric,
    FlowControlCommand, FlowControlRestriction, FlowControlScope, FunctionNotSupported,
    FunctionNotSupportedCause, GstnOptions, IsdnOptions, KeyProtectionMethod, MiscellaneousCommand,
    MiscellaneousCommandType, PictureReference, RoundTripDelayRequest, RoundTripDelayResponse,
    SendTerminalCapabilitySet, Signal, SignalRtp, SignalUpdate, SignalUpdateRtp, SpecificRequest,
    UserInputIndication, UserInputSupportIndication, VideoBadMbs, VideoFastUpdateGob,
    VideoFastUpdateMb,
};
pub use mode::{
    AudioMode, G7231Mode, H261Resolution, H261VideoMode, H263Resolution, H263VideoMode,
    ModeDescription, ModeElement, ModeElementType, RequestMode, RequestModeAck,
    RequestModeAckResponse, RequestModeReject, RequestModeRejectCause, RequestModeRelease,
    VideoMode,
};
pub use tunnel::{fast_start, tunnelled};

use crate::per::PerError;

impl OpenLogicalChannel {
    /// Decodes one fastStart element (a bare OpenLogicalChannel encoding, as H.225.0 Setup,
    /// Call Proceeding, Alerting, Connect and Facility carry them).
    pub fn decode(octets: &[u8]) -> Result<Self, PerError> {
        message::decode_complete::<Self>(octets, "OpenLogicalChannel (octets after the end)")
    }

    pub fn encode(&self) -> Result<Vec<u8>, PerError> {
        crate::ras::field::encode_whole::<Self>(self)
    }
}
