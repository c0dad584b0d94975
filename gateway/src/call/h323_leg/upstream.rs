//! The H.323 upstream leg: a call we place to an H.323 endpoint or MCU for a meeting whose
//! upstream is `h323:alias@host[:port]`. We propose our codecs by fastStart (and H.245
//! capabilities, so a callee that refuses fastStart opens channels over H.245 instead); the
//! leg reports ringing, the answer with the media it agreed, digits, and the end with its
//! Q.931 cause — in neutral terms, like the room leg.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use roomgate_core::call::EndCause;
use roomgate_core::media_spec::{Codec, MediaSpec, StreamRole, StreamSpec};
use roomgate_h323::call::{CallConfig, CallEvent, Dial};
use roomgate_h323::endpoint::{Event, H323Call};
use roomgate_h323::h245::session::{SessionConfig, SessionEvent};
use roomgate_h323::h245::OlcRejectCause;
use roomgate_h323::ras::AliasAddress;

use super::media_map;
use super::room::q931_cause;
use super::video_map::{self, VIDEO_SESSION};

/// What the upstream leg tells its driver.
#[derive(Debug, Clone)]
pub enum UpstreamEvent {
    Ringing,
    /// Connected, with its media known (fastStart, or both channels open).
    Answered(MediaSpec),
    /// Its media changed after the answer.
    Media(MediaSpec),
    /// A key it sent (H.245 user input or Q.931 keypad).
    Digit(char),
    /// It asks for an intra picture of the video we send it (videoFastUpdatePicture): the
    /// room's source must send one.
    KeyframeRequested,
    /// It limits the bit rate of the video we send it (FlowControlCommand on that channel or
    /// on everything): bit/s, `None` lifting the limit.
    BitrateLimit(Option<u64>),
    /// It ended the call (or the call failed) with this cause; `answered` tells a failure
    /// to connect from a hang-up.
    Released {
        cause: u8,
        answered: bool,
    },
}

/// Identifiers of a call we place (random, from the driver: the leg reads no RNG).
#[derive(Debug, Clone, Copy)]
pub struct CallIds {
    pub call_reference: u16,
    pub call_identifier: [u8; 16],
    pub conference_id: [u8; 16],
    /// Seeds master/slave determination.
    pub msd_random: u32,
}

/// Where and as whom we call.
#[derive(Debug, Clone)]
pub struct Target {
    /// The alias dialled: digits as dialedDigits (and the called party number), else an
    /// H.323-ID.
    pub alias: String,
    /// Our caller number for the far end, when it is digits (the room's).
    pub calling_number: Option<String>,
    /// Our H.323-ID.
    pub our_id: String,
}

/// The main video we offer an H.323 upstream: the H.264 formats that can pass through to
/// the room (in our order) and where we receive video.
#[derive(Debug, Clone)]
pub struct VideoOffer {
    pub codecs: Vec<Codec>,
    pub rtp: SocketAddr,
    pub rtcp: SocketAddr,
}

/// One H.323 call toward a meeting's upstream.
#[derive(Debug)]
pub struct H323UpstreamLeg {
    call: H323Call,
    codecs: Vec<Codec>,
    rtcp: SocketAddr,
    rtp: SocketAddr,
    video: Option<VideoOffer>,
    media: MediaSpec,
    connected: bool,
    answered: bool,
    opened_ours: bool,
    /// Our video channel: settled (fastStart answered, opened, or none to open), and its
    /// number when opened over H.245.
    opened_video: bool,
    video_channel: Option<u16>,
    /// Its video channel toward us, which our videoFastUpdatePicture names.
    video_in: Option<u16>,
    /// Our video channel toward it when fastStart opened it (our sending proposal it
    /// accepted); over H.245 it is `video_channel`.
    fast_video_out: Option<u16>,
    msd_done: bool,
    remote_audio: Vec<Codec>,
    remote_video: Vec<Codec>,
    ended: bool,
    events: VecDeque<UpstreamEvent>,
}

impl H323UpstreamLeg {
    /// A Setup to `target`, proposing `codecs` (in our order) to be received at `rtp`/`rtcp`,
    /// and `video` when the room has video to pass through.
    pub fn place(
        now: Instant,
        target: &Target,
        ids: CallIds,
        codecs: Vec<Codec>,
        rtp: SocketAddr,
        rtcp: SocketAddr,
        video: Option<VideoOffer>,
    ) -> Result<Self, roomgate_h323::call::CallError> {
        let mut fast_start = media_map::propose(&codecs, rtp, rtcp, 1);
        if let Some(v) = &video {
            let next = u32::try_from(fast_start.len()).unwrap_or(0) + 1;
            fast_start.extend(media_map::propose_in(
                VIDEO_SESSION,
                &v.codecs,
                v.rtp,
                v.rtcp,
                next,
            ));
        }
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let dial = Dial {
            call_reference: (ids.call_reference & 0x7fff).max(1),
            call_identifier: ids.call_identifier,
            conference_id: ids.conference_id,
            destination: vec![if digits(&target.alias) {
                AliasAddress::DialedDigits(target.alias.clone())
            } else {
                AliasAddress::H323Id(target.alias.clone())
            }],
            called_number: digits(&target.alias).then(|| target.alias.clone()),
            source: vec![AliasAddress::H323Id(target.our_id.clone())],
            calling_number: target.calling_number.clone().filter(|n| digits(n)),
            fast_start,
            ..Dial::default()
        };
        let mut call =
            H323Call::outgoing(now, CallConfig::default(), SessionConfig::default(), &dial)?;
        let video_codecs: &[Codec] = video.as_ref().map_or(&[], |v| &v.codecs);
        let caps = media_map::capabilities_with_video(&codecs, video_codecs)
            .map_err(roomgate_h323::call::CallError::from)?;
        call.start_h245(now, caps, ids.msd_random);
        Ok(H323UpstreamLeg {
            call,
            codecs,
            rtp,
            rtcp,
            opened_video: video.is_none(),
            video,
            media: MediaSpec::default(),
            connected: false,
            answered: false,
            opened_ours: false,
            video_channel: None,
            video_in: None,
            fast_video_out: None,
            msd_done: false,
            remote_audio: Vec::new(),
            remote_video: Vec::new(),
            ended: false,
            events: VecDeque::new(),
        })
    }

    pub fn call(&mut self) -> &mut H323Call {
        &mut self.call
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.call.poll_timeout()
    }

    /// Connected with its media known.
    pub fn is_answered(&self) -> bool {
        self.answered
    }

    pub fn is_ended(&self) -> bool {
        self.ended || self.call.is_released()
    }

    pub fn poll_event(&mut self) -> Option<UpstreamEvent> {
        self.events.pop_front()
    }

    /// Ends the call with the cause for `why`.
    pub fn end(&mut self, now: Instant, why: EndCause) {
        if self.is_ended() {
            return;
        }
        self.ended = true;
        self.call.session().end_session();
        self.call.call().release(q931_cause(why));
        self.call.pump(now);
    }

    /// The audio stream, made when first needed.
    fn audio_mut(&mut self) -> &mut StreamSpec {
        self.stream_mut(StreamRole::Audio)
    }

    fn stream_mut(&mut self, role: StreamRole) -> &mut StreamSpec {
        let at = match self.media.streams.iter().position(|s| s.role == role) {
            Some(i) => i,
            None => {
                self.media.streams.push(StreamSpec::new(role));
                self.media.streams.len() - 1
            }
        };
        // `at` is in bounds: found above or just pushed.
        match self.media.streams.get_mut(at) {
            Some(s) => s,
            None => unreachable!("stream index"),
        }
    }

    /// Both directions known: the codec it speaks and where it receives.
    fn media_known(&self) -> bool {
        self.media
            .audio()
            .is_some_and(|a| !a.codecs.is_empty() && a.remote_rtp.is_some())
    }

    /// Runs the call's events into leg events (after every input to the call).
    pub fn pump(&mut self, now: Instant) {
        self.call.pump(now);
        while let Some(e) = self.call.poll_event() {
            match e {
                Event::Call(CallEvent::Alerting) => self.events.push_back(UpstreamEvent::Ringing),
                Event::Call(CallEvent::FastStartAccepted(list)) => {
                    if let Some((codec, to, rtcp)) = media_map::accepted(&list) {
                        let a = self.audio_mut();
                        a.codecs = vec![codec];
                        a.remote_rtp = to;
                        a.remote_rtcp = rtcp;
                        self.opened_ours = true;
                        self.opened_video = true;
                    }
                    // Only a format we proposed (one that passes through to the room).
                    let video = media_map::accepted_in(&list, VIDEO_SESSION).filter(|(c, ..)| {
                        self.video
                            .as_ref()
                            .is_some_and(|v| v.codecs.iter().any(|o| video_map::same_format(o, c)))
                    });
                    if let Some((codec, to, rtcp)) = video {
                        // Our receive proposal it accepted (reverse parameters) is its
                        // channel toward us.
                        self.video_in = list
                            .iter()
                            .filter(|o| o.reverse_logical_channel_parameters.is_some())
                            .find(|o| {
                                o.reverse_logical_channel_parameters
                                    .as_deref()
                                    .is_some_and(|r| {
                                        matches!(
                                            r.data_type,
                                            roomgate_h323::h245::DataType::VideoData(_)
                                        )
                                    })
                            })
                            .and_then(|o| u16::try_from(o.forward_logical_channel_number).ok());
                        self.fast_video_out = list
                            .iter()
                            .find(|o| {
                                o.reverse_logical_channel_parameters.is_none()
                                    && matches!(
                                        o.forward_logical_channel_parameters.data_type,
                                        roomgate_h323::h245::DataType::VideoData(_)
                                    )
                            })
                            .and_then(|o| u16::try_from(o.forward_logical_channel_number).ok());
                        let v = self.stream_mut(StreamRole::MainVideo);
                        v.codecs = vec![codec];
                        v.remote_rtp = to;
                        v.remote_rtcp = rtcp;
                    }
                }
                Event::Call(CallEvent::Connected) => self.connected = true,
                Event::Call(CallEvent::Keypad(k)) | Event::H245(SessionEvent::UserInput(k)) => {
                    self.events
                        .extend(super::keys(&k).map(UpstreamEvent::Digit));
                }
                Event::Call(CallEvent::Released { cause, .. }) if !self.ended => {
                    self.ended = true;
                    self.events.push_back(UpstreamEvent::Released {
                        cause,
                        answered: self.answered,
                    });
                }
                Event::H245(SessionEvent::EndSession) if !self.ended => {
                    self.ended = true;
                    self.call.call().release(roomgate_h323::call::cause::NORMAL);
                    self.events.push_back(UpstreamEvent::Released {
                        cause: roomgate_h323::call::cause::NORMAL,
                        answered: self.answered,
                    });
                }
                Event::H245(SessionEvent::MsdDone { .. }) => self.msd_done = true,
                Event::H245(SessionEvent::RemoteCapabilities(tcs)) => {
                    let remote = media_map::remote_capabilities(&tcs);
                    self.remote_audio = remote.audio;
                    self.remote_video = remote.video;
                }
                Event::H245(SessionEvent::ChannelRequested { number, olc }) => {
                    self.far_end_opens(number, &olc);
                }
                Event::H245(SessionEvent::FastUpdateRequested { .. })
                    if self.media.has(StreamRole::MainVideo) =>
                {
                    self.events.push_back(UpstreamEvent::KeyframeRequested);
                }
                Event::H245(SessionEvent::FlowControl {
                    channel,
                    max_bit_rate_100bps,
                }) if self
                    .video_channel
                    .or(self.fast_video_out)
                    .is_some_and(|ours| channel.is_none_or(|c| c == ours)) =>
                {
                    let bps = max_bit_rate_100bps.map(|r| u64::from(r) * 100);
                    self.events.push_back(UpstreamEvent::BitrateLimit(bps));
                }
                Event::H245(SessionEvent::ChannelOpened { number, ack }) => {
                    let (rtp, rtcp) = media_map::ack_addresses(&ack);
                    let a = if Some(number) == self.video_channel {
                        self.stream_mut(StreamRole::MainVideo)
                    } else {
                        self.audio_mut()
                    };
                    a.remote_rtp = rtp.or(a.remote_rtp);
                    a.remote_rtcp = rtcp.or(a.remote_rtcp);
                    if self.answered {
                        self.events
                            .push_back(UpstreamEvent::Media(self.media.clone()));
                    }
                }
                _ => {}
            }
        }
        // Slow start (fastStart refused): our channel in the first of our codecs it can
        // receive, once roles and capabilities are settled.
        if !self.opened_ours && self.msd_done && !self.remote_audio.is_empty() {
            let codec = self
                .codecs
                .iter()
                .find(|c| self.remote_audio.iter().any(|r| r.name == c.name))
                .cloned();
            if let Some(codec) = codec {
                if let Some(olc) = media_map::open_audio(&codec, self.rtcp) {
                    self.opened_ours = self.call.session().open_channel(now, olc).is_ok();
                    if self.opened_ours {
                        self.audio_mut().codecs = vec![codec];
                    }
                }
            }
        }
        if self.opened_ours && !self.opened_video && self.msd_done {
            self.open_video(now);
        }
        if self.connected && !self.answered && !self.ended && self.media_known() {
            self.answered = true;
            self.events
                .push_back(UpstreamEvent::Answered(self.media.clone()));
        }
        self.call.pump(now);
    }

    /// Asks the far end for an intra picture on the video it sends us
    /// (videoFastUpdatePicture), for a keyframe request from the room. False when it sends us
    /// no video.
    pub fn request_fast_update(&mut self, now: Instant) -> bool {
        super::request_fast_update(&mut self.call, self.video_in, now)
    }

    /// Limits the bit rate of the video the far end sends us (FlowControlCommand on its
    /// channel), for a limit the room asked of what it receives; `None` lifts it. False when
    /// it sends us no video.
    pub fn limit_video(&mut self, now: Instant, bitrate: Option<u64>) -> bool {
        super::limit_video(&mut self.call, self.video_in, now, bitrate)
    }

    /// The far end opens a channel toward us (slow start): audio in one of our codecs, or
    /// H.264 in a format we proposed, is accepted with where we receive; anything else is
    /// refused (never transcoded).
    fn far_end_opens(&mut self, number: u16, olc: &roomgate_h323::h245::OpenLogicalChannel) {
        match media_map::incoming(olc) {
            Some((media_map::AUDIO_SESSION, codec, rtcp))
                if self.codecs.iter().any(|c| c.name == codec.name) =>
            {
                if let Ok(ack) = media_map::audio_ack(self.rtp, self.rtcp) {
                    if self.call.session().accept_channel(number, ack).is_ok() {
                        let a = self.audio_mut();
                        if a.codecs.is_empty() {
                            a.codecs = vec![codec];
                        }
                        a.remote_rtcp = rtcp.or(a.remote_rtcp);
                    }
                }
            }
            Some((VIDEO_SESSION, codec, rtcp)) => {
                let Some(v) = self
                    .video
                    .as_ref()
                    .filter(|v| v.codecs.iter().any(|o| video_map::same_format(o, &codec)))
                    .cloned()
                else {
                    let _ = self
                        .call
                        .session()
                        .reject_channel(number, OlcRejectCause::DataTypeNotSupported(()));
                    return;
                };
                if let Ok(ack) = media_map::channel_ack(VIDEO_SESSION, v.rtp, v.rtcp) {
                    if self.call.session().accept_channel(number, ack).is_ok() {
                        self.video_in = Some(number);
                        let s = self.stream_mut(StreamRole::MainVideo);
                        if s.codecs.is_empty() {
                            s.codecs = vec![codec];
                        }
                        s.remote_rtcp = rtcp.or(s.remote_rtcp);
                    }
                }
            }
            _ => {
                let _ = self
                    .call
                    .session()
                    .reject_channel(number, OlcRejectCause::DataTypeNotSupported(()));
            }
        }
    }

    /// Slow start: our video channel in the first of our formats the far end receives (the
    /// profile and mode of its own channel when it opened one first), if any.
    fn open_video(&mut self, now: Instant) {
        self.opened_video = true;
        let Some(v) = self.video.clone() else { return };
        let theirs = self
            .media
            .stream(StreamRole::MainVideo)
            .and_then(|s| s.codec())
            .cloned();
        let codec = v
            .codecs
            .iter()
            .filter(|c| theirs.as_ref().is_none_or(|t| video_map::same_format(c, t)))
            .find(|c| {
                self.remote_video
                    .iter()
                    .any(|r| video_map::same_format(r, c))
            })
            .cloned();
        let Some(codec) = codec else {
            tracing::debug!("the upstream receives none of our H.264 formats: no video");
            return;
        };
        if let Some(olc) = media_map::open_channel(VIDEO_SESSION, &codec, v.rtcp) {
            if let Ok(n) = self.call.session().open_channel(now, olc) {
                self.video_channel = Some(n);
                let s = self.stream_mut(StreamRole::MainVideo);
                if s.codecs.is_empty() {
                    s.codecs = vec![codec];
                }
            }
        }
    }
}
