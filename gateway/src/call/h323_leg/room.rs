//! The H.323 room leg: an incoming H.323 call as the call layer sees it — a dial string, the
//! room's media offer (its fastStart proposals, or none: a slow-start room is offered to),
//! ringing, answering with our media, digits from H.245 user input or Q.931 keypad, and the
//! end with a Q.931 cause. It owns the call's [`H323Call`] and speaks only neutral terms
//! (`MediaSpec`, `EndCause`, digits) to its driver, like the SIP legs.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use roomgate_core::call::{dial, EndCause, UpstreamFailure};
use roomgate_core::media_spec::{Codec, MediaSpec, StreamRole, StreamSpec};
use roomgate_h323::call::{cause, CallEvent, IncomingSetup};
use roomgate_h323::endpoint::{Event, H323Call};
use roomgate_h323::h245::session::SessionEvent;
use roomgate_h323::h245::OpenLogicalChannel;
use roomgate_h323::ras::AliasAddress;

use super::media_map;
use super::video_map::{self, VIDEO_SESSION};

/// The Q.931 cause (Q.850) a room's call ends with, for each way the core ends it. The
/// counterpart of the SIP statuses in the SIP glue; only here are causes protocol-specific.
pub fn q931_cause(c: EndCause) -> u8 {
    match c {
        EndCause::Normal => cause::NORMAL,
        EndCause::Forbidden => cause::REJECTED,
        EndCause::Loop => 25,               // exchange routing error
        EndCause::NotFound => 1,            // unallocated number
        EndCause::Unavailable { .. } => 41, // temporary failure
        EndCause::NotAcceptable => 65,      // bearer capability not implemented
        EndCause::Cancelled => cause::NORMAL,
        EndCause::Internal => 41,
        EndCause::Upstream(u) => match u {
            UpstreamFailure::NotFound => 1,
            UpstreamFailure::TemporarilyUnavailable => 41,
            UpstreamFailure::Busy | UpstreamFailure::BusyEverywhere => cause::BUSY,
            UpstreamFailure::Declined => cause::REJECTED,
            UpstreamFailure::NotAcceptable => 65,
            UpstreamFailure::Timeout => cause::NO_ANSWER,
            UpstreamFailure::Unreachable => 38, // network out of order
            UpstreamFailure::Failed => 41,
        },
    }
}

/// How an H.323 upstream's Release Complete cause reads to the core (for meetings whose
/// upstream is an H.323 endpoint or MCU).
pub fn upstream_failure(q850: u8) -> UpstreamFailure {
    match q850 {
        1 | 3 => UpstreamFailure::NotFound,
        17 => UpstreamFailure::Busy,
        18 | 19 | 102 => UpstreamFailure::Timeout,
        21 => UpstreamFailure::Declined,
        27 | 38 => UpstreamFailure::Unreachable,
        41 | 42 | 44 | 47 => UpstreamFailure::TemporarilyUnavailable,
        58 | 65 | 79 | 88 => UpstreamFailure::NotAcceptable,
        _ => UpstreamFailure::Failed,
    }
}

/// The dial string of a Setup: the first of the called party number and the destination
/// aliases that reads as one (`1000`, `1000*1234`, `1000.1234`; a URL or e-mail alias
/// contributes its user part, an `h323:` or `sip:` scheme dropped). When none reads as one,
/// the first of them as it is (the core refuses it as not found); `None` only when the room
/// sent no called number and no such alias at all — it dialled the gateway's bare address,
/// and is asked for the meeting ID.
pub fn dial_string(setup: &IncomingSetup) -> Option<String> {
    let user = |text: &str| -> String {
        let t = text
            .strip_prefix("h323:")
            .or_else(|| text.strip_prefix("sip:"))
            .unwrap_or(text);
        t.split('@').next().unwrap_or(t).to_owned()
    };
    setup
        .called_number
        .iter()
        .map(|n| user(n))
        .chain(setup.destination.iter().filter_map(|a| match a {
            AliasAddress::DialedDigits(s)
            | AliasAddress::H323Id(s)
            | AliasAddress::UrlId(s)
            | AliasAddress::EmailId(s) => Some(user(s)),
            _ => None,
        }))
        .filter(|s| !s.is_empty())
        .reduce(|first, s| {
            if dial::parse(&first).is_none() && dial::parse(&s).is_some() {
                s
            } else {
                first
            }
        })
}

/// What the room leg tells its driver.
#[derive(Debug, Clone)]
pub enum RoomEvent {
    /// A key the room pressed (H.245 user input or Q.931 keypad), one per digit.
    Digit(char),
    /// The room's media is known or changed: codec spoken and where it receives.
    Media(MediaSpec),
    /// The room hung up (or its call failed) with this Q.931 cause.
    HungUp { cause: u8 },
    /// The room asks for an intra picture of the video we send it
    /// (videoFastUpdatePicture): the cloud's source must send one.
    KeyframeRequested,
    /// The room limits the bit rate of the video we send it (FlowControlCommand on that
    /// channel or on everything): bit/s, `None` lifting the limit.
    BitrateLimit(Option<u64>),
}

/// Our media toward the room: the codec we speak and where we receive, and the main video
/// we can pass through, if any.
#[derive(Debug, Clone)]
pub struct OurMedia {
    pub codec: Codec,
    pub rtp: SocketAddr,
    pub rtcp: SocketAddr,
    pub video: Option<OurVideo>,
}

/// Our main video toward the room: the H.264 format the other leg agreed (video passes
/// through unchanged or is refused: a room channel in another profile or packetization mode
/// is never opened) and where we receive it.
#[derive(Debug, Clone)]
pub struct OurVideo {
    pub codec: Codec,
    pub rtp: SocketAddr,
    pub rtcp: SocketAddr,
}

/// One H.323 room on its call.
#[derive(Debug)]
pub struct H323RoomLeg {
    call: H323Call,
    fast_start: Vec<OpenLogicalChannel>,
    ours: Option<OurMedia>,
    /// The room's media as negotiated so far (what it proposed, then what it opened).
    media: MediaSpec,
    opened_ours: bool,
    /// Our video channel toward the room: opened (or answered by fastStart), and its number
    /// when opened over H.245.
    opened_video: bool,
    video_channel: Option<u16>,
    /// The room's video channel toward us (fastStart or H.245), which our
    /// videoFastUpdatePicture names.
    video_in: Option<u16>,
    /// Our video channel toward the room when fastStart opened it (the room's receive
    /// proposal); over H.245 it is `video_channel`.
    fast_video_out: Option<u16>,
    msd_done: bool,
    remote_caps: bool,
    /// The H.264 formats the room's capability set says it receives.
    remote_video: Vec<Codec>,
    events: VecDeque<RoomEvent>,
    ended: bool,
}

impl H323RoomLeg {
    /// The leg of an incoming call whose Setup has been read.
    pub fn new(call: H323Call, setup: &IncomingSetup) -> Self {
        H323RoomLeg {
            call,
            fast_start: setup.fast_start.clone(),
            ours: None,
            media: media_map::offered(&setup.fast_start),
            opened_ours: false,
            opened_video: false,
            video_channel: None,
            video_in: None,
            fast_video_out: None,
            msd_done: false,
            remote_caps: false,
            remote_video: Vec::new(),
            events: VecDeque::new(),
            ended: false,
        }
    }

    /// The room's offer: its fastStart proposals as media, or `None` for a slow-start room
    /// (then we offer, by capabilities and our channel: no deadlock with a delayed-offer
    /// upstream).
    pub fn offer(&self) -> Option<&MediaSpec> {
        self.media.has(StreamRole::Audio).then_some(&self.media)
    }

    /// What the room proposed by fastStart, as media (also once answered, when its offer
    /// keeps only what was taken): the video formats its upstream is offered come from it.
    pub fn proposed(&self) -> MediaSpec {
        media_map::offered(&self.fast_start)
    }

    /// The call's next protocol deadline (its timers fire through [`H323Call::handle_timeout`]).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.call.poll_timeout()
    }

    pub fn call(&mut self) -> &mut H323Call {
        &mut self.call
    }

    pub fn is_ended(&self) -> bool {
        self.ended || self.call.is_released()
    }

    /// The upstream rings: the room hears Alerting.
    pub fn ring(&mut self, now: Instant) {
        // Alerting after Call Proceeding or before it: either is fine for the room.
        let _ = self.call.call().alert(None);
        self.call.pump(now);
    }

    /// Answers the room with our media: Connect carrying the fastStart answer when the room
    /// proposed `ours.codec`, else Connect and H.245 procedures (our capabilities, our
    /// channel once roles are settled). `h245_listener` is our H.245 port for a room that
    /// neither tunnels nor gave an address; `random` seeds master/slave determination.
    pub fn answer(
        &mut self,
        now: Instant,
        ours: OurMedia,
        h245_listener: Option<roomgate_h323::ras::TransportAddress>,
        random: u32,
    ) -> Result<(), roomgate_h323::call::CallError> {
        let video: Vec<Codec> = ours.video.iter().map(|v| v.codec.clone()).collect();
        let caps = media_map::capabilities_with_video(std::slice::from_ref(&ours.codec), &video)
            .map_err(roomgate_h323::call::CallError::from)?;
        self.call.start_h245(now, caps, random);
        let mut accepted = media_map::accept(&self.fast_start, &ours.codec, ours.rtp, ours.rtcp);
        // Video rides along only with audio, and only in the format the other leg agreed.
        let accepted_video = match (&accepted, &ours.video) {
            (Some(_), Some(v)) => {
                media_map::accept_in(&self.fast_start, VIDEO_SESSION, &v.codec, v.rtp, v.rtcp)
            }
            _ => None,
        };
        if let (Some(a), Some(v)) = (accepted.as_mut(), accepted_video.as_ref()) {
            a.extend(v.iter().cloned());
        }
        // Connect carries the fastStart answer (the room may have heard Alerting already);
        // proposals without our codec are refused there and media goes through H.245.
        let answer: Option<&[OpenLogicalChannel]> = match &accepted {
            Some(a) => Some(a),
            None if !self.fast_start.is_empty() => Some(&[]),
            None => None,
        };
        self.call.call().connect(answer, h245_listener)?;
        if accepted.is_some() {
            // The room speaks the codec we took, to the address it proposed.
            if let Some(s) = self.audio_mut() {
                s.codecs.retain(|c| c.name == ours.codec.name);
            }
            match (&accepted_video, &ours.video) {
                (Some(list), Some(v)) => {
                    // The proposal the room sends on (no reverse parameters) is its channel.
                    let number = |reverse: bool| {
                        list.iter()
                            .find(|o| o.reverse_logical_channel_parameters.is_some() == reverse)
                            .and_then(|o| u16::try_from(o.forward_logical_channel_number).ok())
                    };
                    self.video_in = number(false);
                    self.fast_video_out = number(true);
                    if let Some(s) = self.video_mut() {
                        s.codecs.retain(|c| video_map::same_format(c, &v.codec));
                    }
                    self.opened_video = true;
                }
                _ => self
                    .media
                    .streams
                    .retain(|s| s.role != StreamRole::MainVideo),
            }
            self.events.push_back(RoomEvent::Media(self.media.clone()));
            self.opened_ours = true;
        } else {
            self.media = MediaSpec::default();
        }
        self.ours = Some(ours);
        self.call.pump(now);
        Ok(())
    }

    /// The other leg agreed main video after we answered the room without it (PIN entry
    /// answers before the cloud exists): our channel is opened by H.245 once the room's
    /// capabilities show it receives that format, and its own channel is accepted in it.
    pub fn add_video(&mut self, now: Instant, video: OurVideo) {
        if let Some(ours) = self.ours.as_mut().filter(|o| o.video.is_none()) {
            ours.video = Some(video);
            self.opened_video = false;
        }
        self.pump(now);
    }

    /// Ends the room's call with the cause for `why`.
    pub fn end(&mut self, now: Instant, why: EndCause) {
        if self.is_ended() {
            return;
        }
        self.ended = true;
        self.call.session().end_session();
        self.call.call().release(q931_cause(why));
        self.call.pump(now);
    }

    /// Runs the call's events into leg events (after every input to the call).
    pub fn pump(&mut self, now: Instant) {
        self.call.pump(now);
        while let Some(e) = self.call.poll_event() {
            match e {
                Event::Call(CallEvent::Keypad(k)) | Event::H245(SessionEvent::UserInput(k)) => {
                    self.events.extend(super::keys(&k).map(RoomEvent::Digit));
                }
                Event::Call(CallEvent::Released { cause, .. }) if !self.ended => {
                    self.ended = true;
                    self.events.push_back(RoomEvent::HungUp { cause });
                }
                Event::H245(SessionEvent::EndSession) if !self.ended => {
                    self.ended = true;
                    self.call.call().release(cause::NORMAL);
                    self.events.push_back(RoomEvent::HungUp {
                        cause: cause::NORMAL,
                    });
                }
                Event::H245(SessionEvent::MsdDone { .. }) => self.msd_done = true,
                Event::H245(SessionEvent::RemoteCapabilities(tcs)) => {
                    self.remote_caps = true;
                    self.remote_video = media_map::remote_capabilities(&tcs).video;
                }
                Event::H245(SessionEvent::ChannelRequested { number, olc }) => {
                    self.room_opens(number, &olc);
                }
                Event::H245(SessionEvent::FastUpdateRequested { .. }) if self.opened_video => {
                    self.events.push_back(RoomEvent::KeyframeRequested);
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
                    self.events.push_back(RoomEvent::BitrateLimit(bps));
                }
                Event::H245(SessionEvent::ChannelOpened { number, ack }) => {
                    let (rtp, rtcp) = media_map::ack_addresses(&ack);
                    let video = Some(number) == self.video_channel;
                    // Before the room opens its own channel, the codec spoken is the one we
                    // send (a room acknowledging ours first is no leg without a codec).
                    let ours = self.ours.as_ref().map(|o| o.codec.clone());
                    let stream = if video {
                        self.video_mut()
                    } else {
                        self.audio_mut()
                    };
                    if let Some(s) = stream {
                        s.remote_rtp = rtp.or(s.remote_rtp);
                        s.remote_rtcp = rtcp.or(s.remote_rtcp);
                        if s.codecs.is_empty() && !video {
                            s.codecs.extend(ours);
                        }
                    }
                    self.events.push_back(RoomEvent::Media(self.media.clone()));
                }
                _ => {}
            }
        }
        // Slow start: our channels once roles and capabilities are settled.
        if self.msd_done && self.remote_caps {
            self.open_ours(now);
        }
        self.call.pump(now);
    }

    /// Opens our audio channel and, when the room receives the video format we pass through,
    /// our video channel.
    fn open_ours(&mut self, now: Instant) {
        let Some(ours) = self.ours.clone() else {
            return;
        };
        if !self.opened_ours {
            if let Some(olc) = media_map::open_audio(&ours.codec, ours.rtcp) {
                self.opened_ours = self.call.session().open_channel(now, olc).is_ok();
            }
        }
        let Some(v) = ours.video else { return };
        if self.opened_video || !self.opened_ours {
            return;
        }
        // The room's own channel (when it opened one first) names the payload type it uses.
        let mut codec = v.codec.clone();
        if let Some(pt) = self
            .media
            .stream(StreamRole::MainVideo)
            .and_then(|s| s.codec())
            .map(|c| c.payload_type)
        {
            codec.payload_type = pt;
        }
        self.opened_video = true;
        if !self
            .remote_video
            .iter()
            .any(|r| video_map::same_format(r, &codec))
        {
            tracing::debug!("the room receives no H.264 format that passes through: no video");
            return;
        }
        if let Some(olc) = media_map::open_channel(VIDEO_SESSION, &codec, v.rtcp) {
            if let Ok(n) = self.call.session().open_channel(now, olc) {
                self.video_channel = Some(n);
                if let Some(s) = self.video_mut() {
                    if s.codecs.is_empty() {
                        s.codecs = vec![codec];
                    }
                }
            }
        }
    }

    fn audio_mut(&mut self) -> Option<&mut StreamSpec> {
        self.stream_mut(StreamRole::Audio)
    }

    fn video_mut(&mut self) -> Option<&mut StreamSpec> {
        self.stream_mut(StreamRole::MainVideo)
    }

    fn stream_mut(&mut self, role: StreamRole) -> Option<&mut StreamSpec> {
        if !self.media.has(role) {
            self.media.streams.push(StreamSpec::new(role));
        }
        self.media.streams.iter_mut().find(|s| s.role == role)
    }

    /// The room opens its channel toward us: accepted when it is audio we carry, or H.264 in
    /// the format we pass through, with where we receive.
    fn room_opens(&mut self, number: u16, olc: &OpenLogicalChannel) {
        let Some(ours) = self.ours.clone() else {
            let _ = self
                .call
                .session()
                .reject_channel(number, roomgate_h323::h245::OlcRejectCause::Unspecified(()));
            return;
        };
        match media_map::incoming(olc) {
            Some((media_map::AUDIO_SESSION, codec, rtcp)) => {
                let Ok(ack) = media_map::audio_ack(ours.rtp, ours.rtcp) else {
                    return;
                };
                if self.call.session().accept_channel(number, ack).is_ok() {
                    if let Some(s) = self.audio_mut() {
                        s.codecs = vec![codec];
                        s.remote_rtcp = rtcp.or(s.remote_rtcp);
                    }
                }
            }
            Some((VIDEO_SESSION, codec, rtcp))
                if ours
                    .video
                    .as_ref()
                    .is_some_and(|v| video_map::same_format(&v.codec, &codec)) =>
            {
                let Some(v) = ours.video else { return };
                let Ok(ack) = media_map::channel_ack(VIDEO_SESSION, v.rtp, v.rtcp) else {
                    return;
                };
                if self.call.session().accept_channel(number, ack).is_ok() {
                    self.video_in = Some(number);
                    if let Some(s) = self.video_mut() {
                        s.codecs = vec![codec];
                        s.remote_rtcp = rtcp.or(s.remote_rtcp);
                    }
                    self.events.push_back(RoomEvent::Media(self.media.clone()));
                }
            }
            _ => {
                let _ = self.call.session().reject_channel(
                    number,
                    roomgate_h323::h245::OlcRejectCause::DataTypeNotSupported(()),
                );
            }
        }
    }

    /// Asks the room for an intra picture on the video it sends us (videoFastUpdatePicture),
    /// for a keyframe request from the cloud. False when the room sends us no video.
    pub fn request_fast_update(&mut self, now: Instant) -> bool {
        super::request_fast_update(&mut self.call, self.video_in, now)
    }

    /// Limits the bit rate of the video the room sends us (FlowControlCommand on its
    /// channel), for a limit the cloud asked of what it receives; `None` lifts it. False when
    /// the room sends us no video.
    pub fn limit_video(&mut self, now: Instant, bitrate: Option<u64>) -> bool {
        super::limit_video(&mut self.call, self.video_in, now, bitrate)
    }

    pub fn poll_event(&mut self) -> Option<RoomEvent> {
        self.events.pop_front()
    }
}
