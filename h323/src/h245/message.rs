//! MultimediaSystemControlMessage and its four classes (request, response, command,
//! indication), with FunctionNotUnderstood, which quotes a received message back.
//!
//! A root alternative this codec does not type (multiplex tables, maintenance loops,
//! conference requests, ...) has no length to skip it by; it is the last thing in the
//! PDU, though, so it is kept as the rest of the PDU's bits ([`Untyped`]), which re-encode
//! exactly and can be quoted in a FunctionNotUnderstood.

use serde::Serialize;

use super::capset::{
    MasterSlaveDetermination, MasterSlaveDeterminationAck, MasterSlaveDeterminationReject,
    MasterSlaveDeterminationRelease, TerminalCapabilitySet, TerminalCapabilitySetAck,
    TerminalCapabilitySetReject, TerminalCapabilitySetRelease,
};
use super::channel::{
    CloseLogicalChannel, CloseLogicalChannelAck, OpenLogicalChannel, OpenLogicalChannelAck,
    OpenLogicalChannelConfirm, OpenLogicalChannelReject, RequestChannelClose,
    RequestChannelCloseAck, RequestChannelCloseReject, RequestChannelCloseRelease,
};
use super::codec::decode_open;
use super::generic::{GenericMessage, NonStandardMessage};
use super::misc::{
    EndSessionCommand, FlowControlCommand, FunctionNotSupported, MiscellaneousCommand,
    RoundTripDelayRequest, RoundTripDelayResponse, SendTerminalCapabilitySet, UserInputIndication,
};
use super::mode::{RequestMode, RequestModeAck, RequestModeReject, RequestModeRelease};
use crate::per::{Choice, PerError, PerErrorKind, Reader, Writer};
use crate::ras::field::{encode_whole, Field};

/// An untyped root alternative: the bits from its start to the end of the PDU (padding
/// included), and how many there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Untyped {
    pub index: usize,
    pub bits: usize,
    pub data: Vec<u8>,
}

impl Untyped {
    fn read(r: &mut Reader<'_>, index: usize) -> Result<Self, PerError> {
        let bits = r.remaining();
        let mut data = vec![0u8; bits.div_ceil(8)];
        for i in 0..bits {
            if r.bit("untyped alternative")? {
                if let Some(b) = data.get_mut(i / 8) {
                    *b |= 0x80 >> (i % 8);
                }
            }
        }
        Ok(Self { index, bits, data })
    }

    fn write(&self, w: &mut Writer) {
        for i in 0..self.bits {
            let byte = self.data.get(i / 8).copied().unwrap_or_default();
            w.bit(byte & (0x80 >> (i % 8)) != 0);
        }
    }
}

/// One class of messages: typed root alternatives (by index among `$root`), typed extension
/// alternatives (by index among the additions), the rest kept as [`Untyped`] bits or as
/// `Unknown` open-type octets.
macro_rules! message_class {
    (
        $(#[$meta:meta])*
        pub enum $name:ident($root:literal) {
            $( $idx:literal => $variant:ident($ty:ty) ),* $(,)?
        } {
            $( $xidx:literal => $xvariant:ident($xty:ty) ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $variant(Box<$ty>), )*
            $( $xvariant(Box<$xty>), )*
            /// A root alternative not typed here, kept as the rest of the PDU.
            Untyped(Untyped),
            /// An extension alternative not typed here (index among the additions), kept
            /// as its open type's octets.
            Unknown { index: usize, contents: Vec<u8> },
        }

        impl Field for $name {
            type Value = Self;
            const NAME: &'static str = stringify!($name);

            fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
                match r.choice($root, true, Self::NAME)? {
                    $( Choice::Root($idx) => Ok(Self::$variant(Box::new(<$ty as Field>::decode(r)?))), )*
                    Choice::Root(index) => Ok(Self::Untyped(Untyped::read(r, index)?)),
                    Choice::Extension(index) => {
                        let contents = r.open_type(Self::NAME)?;
                        #[allow(unused_variables)]
                        let inner = &contents;
                        match index {
                            $( $xidx => Ok(Self::$xvariant(Box::new(decode_open::<$xty>(r, inner)?))), )*
                            _ => Ok(Self::Unknown { index, contents }),
                        }
                    }
                }
            }

            fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
                match v {
                    $( Self::$variant(m) => {
                        w.choice_root($idx, $root, true, Self::NAME)?;
                        <$ty as Field>::encode(w, m)
                    } )*
                    $( Self::$xvariant(m) => {
                        let contents = encode_whole::<$xty>(m)?;
                        w.choice_extension($xidx, &contents, Self::NAME)
                    } )*
                    Self::Untyped(u) => {
                        w.choice_root(u.index, $root, true, Self::NAME)?;
                        u.write(w);
                        Ok(())
                    }
                    Self::Unknown { index, contents } => {
                        w.choice_extension(*index, contents, Self::NAME)
                    }
                }
            }
        }
    };
}

message_class! {
    /// RequestMessage.
    pub enum RequestMessage(11) {
        0 => NonStandard(NonStandardMessage),
        1 => MasterSlaveDetermination(MasterSlaveDetermination),
        2 => TerminalCapabilitySet(TerminalCapabilitySet),
        3 => OpenLogicalChannel(OpenLogicalChannel),
        4 => CloseLogicalChannel(CloseLogicalChannel),
        5 => RequestChannelClose(RequestChannelClose),
        8 => RequestMode(RequestMode),
        9 => RoundTripDelayRequest(RoundTripDelayRequest),
    } {
        4 => GenericRequest(GenericMessage),
    }
}

message_class! {
    /// ResponseMessage.
    pub enum ResponseMessage(19) {
        0 => NonStandard(NonStandardMessage),
        1 => MasterSlaveDeterminationAck(MasterSlaveDeterminationAck),
        2 => MasterSlaveDeterminationReject(MasterSlaveDeterminationReject),
        3 => TerminalCapabilitySetAck(TerminalCapabilitySetAck),
        4 => TerminalCapabilitySetReject(TerminalCapabilitySetReject),
        5 => OpenLogicalChannelAck(OpenLogicalChannelAck),
        6 => OpenLogicalChannelReject(OpenLogicalChannelReject),
        7 => CloseLogicalChannelAck(CloseLogicalChannelAck),
        8 => RequestChannelCloseAck(RequestChannelCloseAck),
        9 => RequestChannelCloseReject(RequestChannelCloseReject),
        14 => RequestModeAck(RequestModeAck),
        15 => RequestModeReject(RequestModeReject),
        16 => RoundTripDelayResponse(RoundTripDelayResponse),
    } {
        5 => GenericResponse(GenericMessage),
    }
}

message_class! {
    /// CommandMessage.
    pub enum CommandMessage(7) {
        0 => NonStandard(NonStandardMessage),
        2 => SendTerminalCapabilitySet(SendTerminalCapabilitySet),
        4 => FlowControlCommand(FlowControlCommand),
        5 => EndSessionCommand(EndSessionCommand),
        6 => MiscellaneousCommand(MiscellaneousCommand),
    } {
        5 => GenericCommand(GenericMessage),
    }
}

message_class! {
    /// IndicationMessage.
    pub enum IndicationMessage(14) {
        0 => NonStandard(NonStandardMessage),
        1 => FunctionNotUnderstood(FunctionNotUnderstood),
        2 => MasterSlaveDeterminationRelease(MasterSlaveDeterminationRelease),
        3 => TerminalCapabilitySetRelease(TerminalCapabilitySetRelease),
        4 => OpenLogicalChannelConfirm(OpenLogicalChannelConfirm),
        5 => RequestChannelCloseRelease(RequestChannelCloseRelease),
        8 => RequestModeRelease(RequestModeRelease),
        13 => UserInput(UserInputIndication),
    } {
        4 => FunctionNotSupported(FunctionNotSupported),
        9 => GenericIndication(GenericMessage),
    }
}

/// FunctionNotUnderstood: the received request, response or command that was not
/// understood, quoted back (an [`Untyped`] one exactly as it came).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionNotUnderstood {
    Request(RequestMessage),
    Response(ResponseMessage),
    Command(CommandMessage),
}

impl Field for FunctionNotUnderstood {
    type Value = Self;
    const NAME: &'static str = "FunctionNotUnderstood";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Ok(match r.choice(3, false, Self::NAME)? {
            Choice::Root(0) => Self::Request(RequestMessage::decode(r)?),
            Choice::Root(1) => Self::Response(ResponseMessage::decode(r)?),
            _ => Self::Command(CommandMessage::decode(r)?),
        })
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        match v {
            Self::Request(m) => {
                w.choice_root(0, 3, false, Self::NAME)?;
                RequestMessage::encode(w, m)
            }
            Self::Response(m) => {
                w.choice_root(1, 3, false, Self::NAME)?;
                ResponseMessage::encode(w, m)
            }
            Self::Command(m) => {
                w.choice_root(2, 3, false, Self::NAME)?;
                CommandMessage::encode(w, m)
            }
        }
    }
}

/// MultimediaSystemControlMessage: one H.245 PDU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MultimediaSystemControlMessage {
    Request(RequestMessage),
    Response(ResponseMessage),
    Command(CommandMessage),
    Indication(IndicationMessage),
    /// A message class added after H.245 v17, kept as its open type's octets.
    Unknown {
        index: usize,
        contents: Vec<u8>,
    },
}

/// Root alternatives of MultimediaSystemControlMessage.
const MSCM_ROOT: usize = 4;

impl Field for MultimediaSystemControlMessage {
    type Value = Self;
    const NAME: &'static str = "MultimediaSystemControlMessage";
    fn decode(r: &mut Reader<'_>) -> Result<Self, PerError> {
        Ok(match r.choice(MSCM_ROOT, true, Self::NAME)? {
            Choice::Root(0) => Self::Request(RequestMessage::decode(r)?),
            Choice::Root(1) => Self::Response(ResponseMessage::decode(r)?),
            Choice::Root(2) => Self::Command(CommandMessage::decode(r)?),
            Choice::Root(_) => Self::Indication(IndicationMessage::decode(r)?),
            Choice::Extension(index) => Self::Unknown {
                index,
                contents: r.open_type(Self::NAME)?,
            },
        })
    }
    fn encode(w: &mut Writer, v: &Self) -> Result<(), PerError> {
        let root = |w: &mut Writer, i| w.choice_root(i, MSCM_ROOT, true, Self::NAME);
        match v {
            Self::Request(m) => {
                root(w, 0)?;
                RequestMessage::encode(w, m)
            }
            Self::Response(m) => {
                root(w, 1)?;
                ResponseMessage::encode(w, m)
            }
            Self::Command(m) => {
                root(w, 2)?;
                CommandMessage::encode(w, m)
            }
            Self::Indication(m) => {
                root(w, 3)?;
                IndicationMessage::encode(w, m)
            }
            Self::Unknown { index, contents } => w.choice_extension(*index, contents, Self::NAME),
        }
    }
}

impl MultimediaSystemControlMessage {
    /// Decodes one whole PDU (a TPKT payload or an h245Control element). Octets after the
    /// value are an error, so what decodes re-encodes to the same length.
    pub fn decode(octets: &[u8]) -> Result<Self, PerError> {
        decode_complete::<Self>(
            octets,
            "MultimediaSystemControlMessage (octets after the end)",
        )
    }

    pub fn encode(&self) -> Result<Vec<u8>, PerError> {
        let mut w = Writer::new();
        <Self as Field>::encode(&mut w, self)?;
        Ok(w.finish())
    }

    /// The message to answer this one with when it is not understood: FunctionNotUnderstood
    /// quoting it, for a request, response or command (indications are never answered).
    pub fn function_not_understood(&self) -> Option<Self> {
        let quoted = match self {
            Self::Request(m) => FunctionNotUnderstood::Request(m.clone()),
            Self::Response(m) => FunctionNotUnderstood::Response(m.clone()),
            Self::Command(m) => FunctionNotUnderstood::Command(m.clone()),
            Self::Indication(_) | Self::Unknown { .. } => return None,
        };
        Some(Self::Indication(IndicationMessage::FunctionNotUnderstood(
            Box::new(quoted),
        )))
    }
}

/// Decodes a complete encoding of `F`: at most seven padding bits may follow.
pub(crate) fn decode_complete<F: Field<Value = F>>(
    octets: &[u8],
    what: &'static str,
) -> Result<F, PerError> {
    let mut r = Reader::new(octets);
    let v = F::decode(&mut r)?;
    if r.remaining() >= 8 {
        return Err(r.error(PerErrorKind::BadLength { what }));
    }
    Ok(v)
}
