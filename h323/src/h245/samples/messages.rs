//! The messages of [`super::all`]: one of every typed message class alternative.

use super::*;
use crate::per::PerError;

type Mscm = MultimediaSystemControlMessage;

fn indication(m: IndicationMessage) -> Mscm {
    Mscm::Indication(m)
}

fn command(m: CommandMessage) -> Mscm {
    Mscm::Command(m)
}

fn response(m: ResponseMessage) -> Mscm {
    Mscm::Response(m)
}

fn request(m: RequestMessage) -> Mscm {
    Mscm::Request(m)
}

fn h239(kind: u32, params: &[(u32, ParameterValue)]) -> Result<GenericMessage, PerError> {
    GenericMessage::h239(
        kind,
        params
            .iter()
            .map(|(id, v)| GenericParameter::standard(*id, v.clone()))
            .collect(),
    )
}

/// Every sample: (short name, message).
pub fn all() -> Result<Vec<(&'static str, Mscm)>, PerError> {
    use IndicationMessage as I;
    use RequestMessage as Q;
    use ResponseMessage as R;
    let chan = |n| ParameterValue::UnsignedMin(n);
    let mut clc = CloseLogicalChannel {
        forward_logical_channel_number: 2,
        source: ClcSource::User(()),
        extensions: none(),
    };
    clc.set_reason(Some(&ClcReason::UnknownReason(())))?;
    let mut rcc = RequestChannelClose {
        forward_logical_channel_number: 2,
        extensions: none(),
    };
    rcc.set_reason(Some(&RccReason::Normal(())))?;
    let mode = ModeElement {
        r#type: ModeElementType::VideoMode(VideoMode::GenericVideoMode(h264()?)),
        h223_mode_parameters: None,
        extensions: none(),
    };
    let audio_mode = ModeElement {
        r#type: ModeElementType::AudioMode(AudioMode::G711Ulaw64k(())),
        h223_mode_parameters: None,
        extensions: none(),
    };
    let signal = Signal {
        signal_type: '5',
        duration: Some(250),
        rtp: Some(SignalRtp {
            timestamp: Some(160_000),
            expiration_time: None,
            logical_channel_number: 1,
            extensions: none(),
        }),
        extensions: none(),
    };
    let msd = MasterSlaveDetermination {
        terminal_type: 60,
        status_determination_number: 0x00ab_cdef,
        extensions: none(),
    };
    let rtd = RoundTripDelayRequest {
        sequence_number: 3,
        extensions: none(),
    };
    let list = vec![
        ("msd", request(Q::MasterSlaveDetermination(Box::new(msd)))),
        (
            "msd_ack",
            response(R::MasterSlaveDeterminationAck(Box::new(
                MasterSlaveDeterminationAck {
                    decision: MsdDecision::Slave(()),
                    extensions: none(),
                },
            ))),
        ),
        (
            "msd_reject",
            response(R::MasterSlaveDeterminationReject(Box::new(
                MasterSlaveDeterminationReject {
                    cause: MsdRejectCause::IdenticalNumbers(()),
                    extensions: none(),
                },
            ))),
        ),
        (
            "msd_release",
            indication(I::MasterSlaveDeterminationRelease(Box::new(
                MasterSlaveDeterminationRelease { extensions: none() },
            ))),
        ),
        (
            "tcs",
            request(Q::TerminalCapabilitySet(Box::new(
                terminal_capability_set()?
            ))),
        ),
        (
            "tcs_ack",
            response(R::TerminalCapabilitySetAck(Box::new(
                TerminalCapabilitySetAck {
                    sequence_number: 1,
                    extensions: none(),
                },
            ))),
        ),
        (
            "tcs_reject",
            response(R::TerminalCapabilitySetReject(Box::new(
                TerminalCapabilitySetReject {
                    sequence_number: 1,
                    cause: TcsRejectCause::TableEntryCapacityExceeded(
                        TableEntryCapacityExceeded::HighestEntryNumberProcessed(12),
                    ),
                    extensions: none(),
                },
            ))),
        ),
        (
            "tcs_release",
            indication(I::TerminalCapabilitySetRelease(Box::new(
                TerminalCapabilitySetRelease { extensions: none() },
            ))),
        ),
        (
            "olc_h264",
            request(Q::OpenLogicalChannel(
                Box::new(open_logical_channel_h264()?),
            )),
        ),
        (
            "olc_h239",
            request(Q::OpenLogicalChannel(
                Box::new(open_logical_channel_h239()?),
            )),
        ),
        (
            "olc_encrypted",
            request(Q::OpenLogicalChannel(Box::new(
                open_logical_channel_encrypted()?,
            ))),
        ),
        (
            "olc_reverse",
            request(Q::OpenLogicalChannel(Box::new(
                open_logical_channel_reverse(),
            ))),
        ),
        (
            "olc_ack",
            response(R::OpenLogicalChannelAck(Box::new(
                open_logical_channel_ack()?,
            ))),
        ),
        (
            "olc_reject",
            response(R::OpenLogicalChannelReject(Box::new(
                OpenLogicalChannelReject {
                    forward_logical_channel_number: 2,
                    cause: OlcRejectCause::InsufficientBandwidth(()),
                    extensions: none(),
                },
            ))),
        ),
        (
            "olc_confirm",
            indication(I::OpenLogicalChannelConfirm(Box::new(
                OpenLogicalChannelConfirm {
                    forward_logical_channel_number: 3,
                    extensions: none(),
                },
            ))),
        ),
        ("clc", request(Q::CloseLogicalChannel(Box::new(clc)))),
        (
            "clc_ack",
            response(R::CloseLogicalChannelAck(Box::new(
                CloseLogicalChannelAck {
                    forward_logical_channel_number: 2,
                    extensions: none(),
                },
            ))),
        ),
        ("rcc", request(Q::RequestChannelClose(Box::new(rcc)))),
        (
            "rcc_ack",
            response(R::RequestChannelCloseAck(Box::new(
                RequestChannelCloseAck {
                    forward_logical_channel_number: 2,
                    extensions: none(),
                },
            ))),
        ),
        (
            "rcc_reject",
            response(R::RequestChannelCloseReject(Box::new(
                RequestChannelCloseReject {
                    forward_logical_channel_number: 2,
                    cause: RccRejectCause::Unspecified(()),
                    extensions: none(),
                },
            ))),
        ),
        (
            "rcc_release",
            indication(I::RequestChannelCloseRelease(Box::new(
                RequestChannelCloseRelease {
                    forward_logical_channel_number: 2,
                    extensions: none(),
                },
            ))),
        ),
        (
            "request_mode",
            request(Q::RequestMode(Box::new(RequestMode {
                sequence_number: 4,
                requested_modes: vec![vec![mode], vec![audio_mode]],
                extensions: none(),
            }))),
        ),
        (
            "request_mode_ack",
            response(R::RequestModeAck(Box::new(RequestModeAck {
                sequence_number: 4,
                response: RequestModeAckResponse::WillTransmitMostPreferredMode(()),
                extensions: none(),
            }))),
        ),
        (
            "request_mode_reject",
            response(R::RequestModeReject(Box::new(RequestModeReject {
                sequence_number: 4,
                cause: RequestModeRejectCause::ModeUnavailable(()),
                extensions: none(),
            }))),
        ),
        (
            "request_mode_release",
            indication(I::RequestModeRelease(Box::new(RequestModeRelease {
                extensions: none(),
            }))),
        ),
        (
            "rtd_request",
            request(Q::RoundTripDelayRequest(Box::new(rtd))),
        ),
        (
            "rtd_response",
            response(R::RoundTripDelayResponse(Box::new(
                RoundTripDelayResponse {
                    sequence_number: 3,
                    extensions: none(),
                },
            ))),
        ),
        (
            "flow_control",
            command(CommandMessage::FlowControlCommand(Box::new(
                FlowControlCommand {
                    scope: FlowControlScope::LogicalChannelNumber(2),
                    restriction: FlowControlRestriction::MaximumBitRate(5120),
                    extensions: none(),
                },
            ))),
        ),
        (
            "fast_update",
            command(CommandMessage::MiscellaneousCommand(Box::new(
                MiscellaneousCommand {
                    logical_channel_number: 2,
                    r#type: MiscellaneousCommandType::VideoFastUpdatePicture(()),
                    extensions: none(),
                },
            ))),
        ),
        (
            "fast_update_gob",
            command(CommandMessage::MiscellaneousCommand(Box::new(
                MiscellaneousCommand {
                    logical_channel_number: 2,
                    r#type: MiscellaneousCommandType::VideoFastUpdateGob(VideoFastUpdateGob {
                        first_gob: 0,
                        number_of_gobs: 9,
                    }),
                    extensions: none(),
                },
            ))),
        ),
        (
            "send_tcs",
            command(CommandMessage::SendTerminalCapabilitySet(Box::new(
                SendTerminalCapabilitySet::GenericRequest(()),
            ))),
        ),
        (
            "end_session",
            command(CommandMessage::EndSessionCommand(Box::new(
                EndSessionCommand::Disconnect(()),
            ))),
        ),
        (
            "uii_alphanumeric",
            indication(I::UserInput(Box::new(UserInputIndication::Alphanumeric(
                b"5".to_vec(),
            )))),
        ),
        (
            "uii_signal",
            indication(I::UserInput(Box::new(UserInputIndication::Signal(signal)))),
        ),
        (
            "uii_signal_update",
            indication(I::UserInput(Box::new(UserInputIndication::SignalUpdate(
                SignalUpdate {
                    duration: 500,
                    rtp: None,
                    extensions: none(),
                },
            )))),
        ),
        (
            "h239_token_request",
            request(Q::GenericRequest(Box::new(h239(
                h239::PRESENTATION_TOKEN_REQUEST,
                &[
                    (h239::TERMINAL_LABEL, chan(1)),
                    (h239::CHANNEL_ID, chan(4)),
                    (h239::SYMMETRY_BREAKING, chan(77)),
                ],
            )?))),
        ),
        (
            "h239_token_response",
            response(R::GenericResponse(Box::new(h239(
                h239::PRESENTATION_TOKEN_RESPONSE,
                &[
                    (h239::ACKNOWLEDGE, ParameterValue::Logical),
                    (h239::TERMINAL_LABEL, chan(1)),
                    (h239::CHANNEL_ID, chan(4)),
                ],
            )?))),
        ),
        (
            "h239_token_release",
            command(CommandMessage::GenericCommand(Box::new(h239(
                h239::PRESENTATION_TOKEN_RELEASE,
                &[(h239::TERMINAL_LABEL, chan(1)), (h239::CHANNEL_ID, chan(4))],
            )?))),
        ),
        (
            "h239_token_owner",
            indication(I::GenericIndication(Box::new(h239(
                h239::PRESENTATION_TOKEN_INDICATE_OWNER,
                &[(h239::TERMINAL_LABEL, chan(1)), (h239::CHANNEL_ID, chan(4))],
            )?))),
        ),
        (
            "h239_flow_release_request",
            request(Q::GenericRequest(Box::new(h239(
                h239::FLOW_CONTROL_RELEASE_REQUEST,
                &[(h239::CHANNEL_ID, chan(4)), (h239::BIT_RATE, chan(5120))],
            )?))),
        ),
        (
            "h239_flow_release_response",
            response(R::GenericResponse(Box::new(h239(
                h239::FLOW_CONTROL_RELEASE_RESPONSE,
                &[
                    (h239::ACKNOWLEDGE, ParameterValue::Logical),
                    (h239::CHANNEL_ID, chan(4)),
                ],
            )?))),
        ),
        (
            "function_not_supported",
            indication(I::FunctionNotSupported(Box::new(FunctionNotSupported {
                cause: FunctionNotSupportedCause::UnknownFunction(()),
                // The function is quoted as its PDU (tshark dissects it as one).
                returned_function: Some(vec![0x09, 0x00, 0x07]),
                extensions: none(),
            }))),
        ),
    ];
    let mut list = list;
    // FunctionNotUnderstood quoting the round-trip delay request above.
    let rtd_msg = list
        .iter()
        .find(|(n, _)| *n == "rtd_request")
        .map(|(_, m)| m.clone());
    if let Some(fnu) = rtd_msg.and_then(|m| m.function_not_understood()) {
        list.push(("function_not_understood", fnu));
    }
    Ok(list)
}
