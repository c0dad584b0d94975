use super::*;
use roomgate_media::relay::StreamMode;
use roomgate_sip::sdp::{Crypto, Proto};

fn sdp(text: &str) -> SessionDescription {
    SessionDescription::parse(text.replace('\n', "\r\n").as_bytes()).unwrap()
}

const ROOM_OPUS_ONLY: &str = "v=0
o=room 1 1 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 30000 RTP/SAVP 109 101
a=rtpmap:109 opus/48000/2
a=rtpmap:101 telephone-event/8000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz
a=rtcp-mux
m=video 30002 RTP/SAVP 126
a=rtpmap:126 H264/90000
a=fmtp:126 profile-level-id=42e01f;packetization-mode=1
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz
m=video 30004 RTP/SAVP 126
a=rtpmap:126 H264/90000
a=content:slides
";

fn cloud() -> MediaPolicy {
    MediaPolicy {
        srtp: SrtpPolicy::Mandatory,
        suites: default_suites(),
    }
}

fn room() -> MediaPolicy {
    MediaPolicy {
        srtp: SrtpPolicy::Optional,
        suites: room_suites(),
    }
}

fn ip() -> IpAddr {
    "127.0.0.1".parse().unwrap()
}

#[test]
fn opus_room_to_pcmu_cloud_transcodes_with_separate_keys() {
    let room_offer = sdp(ROOM_OPUS_ONLY);
    assert!(offers_video(&room_offer));
    // Cloud offer: the room's codec first, everything we can transcode after it, AES-256
    // suites first, SAVP because the meeting says mandatory.
    let caps_b = capabilities(
        ip(),
        &cloud(),
        7,
        1,
        audio_preferring(&offered_audio(&room_offer)),
        true,
    );
    let our_offer = offer(
        &caps_b,
        &[(StreamKind::Audio, 40002), (StreamKind::Video, 40006)],
        Direction::SendRecv,
    )
    .unwrap();
    let audio = &our_offer.media[0];
    assert_eq!(audio.proto, Proto::RtpSavp);
    assert_eq!(audio.rtpmap(111).unwrap().encoding_name, "opus");
    assert_eq!(audio.formats[0], "111", "room's codec first");
    let suites: Vec<_> = audio.cryptos().map(|c| c.suite.clone()).collect();
    assert_eq!(suites[0], CryptoSuite::AeadAes256Gcm);
    // The cloud answers PCMU only, with AEAD_AES_256_GCM (tag of our first line).
    let gcm_tag = audio.cryptos().next().unwrap().tag;
    let key = new_key(&CryptoSuite::AeadAes256Gcm).unwrap();
    let cloud_answer = sdp(&format!(
        "v=0\no=cloud 2 2 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n\
         m=audio 50000 RTP/SAVP 0 101\na=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000\n\
         a=crypto:{}\na=rtcp-mux\nm=video 0 RTP/SAVP 96\n",
        line(gcm_tag, CryptoSuite::AeadAes256Gcm, &key)
    ));
    let b = negotiated(&our_offer, &cloud_answer).unwrap();
    assert_eq!(b.streams.len(), 1, "video refused by the cloud");
    assert_eq!(
        b.streams[0].srtp.as_ref().map(|k| k.suite),
        Some(roomgate_media::srtp::Suite::AeadAes256Gcm)
    );
    assert_eq!(
        b.streams[0].remote_rtp,
        Some("127.0.0.1:50000".parse().unwrap())
    );
    assert!(b.streams[0].rtcp_mux);
    assert_eq!(
        b.streams[0].srtp.as_ref().unwrap().inbound.master_key,
        key.expose_secret()[..32].to_vec()
    );
    // Room answer: only the codec the relay will send it (its own opus), its suite.
    let caps_a = capabilities(ip(), &room(), 8, 1, audio_only(AudioCodec::Pcmu), true);
    let caps_a = LocalCapabilities {
        codecs: {
            let mut c = audio_only(relay_codec("opus", 48000).unwrap());
            c.extend(caps_a.codecs.into_iter().skip(1));
            c
        },
        ..caps_a
    };
    let room_answer = answer(&room_offer, &caps_a, |k| match k {
        StreamKind::Audio => Some(40000),
        StreamKind::Video => Some(40004),
        StreamKind::Content => None,
    });
    assert_eq!(
        room_answer.media.len(),
        3,
        "one answer line per offered line"
    );
    assert_eq!(room_answer.media[0].port, 40000);
    assert_eq!(room_answer.media[2].port, 0, "content refused for now");
    let a = negotiated(&room_answer, &room_offer).unwrap();
    assert_eq!(
        a.streams[0].srtp.as_ref().map(|k| k.suite),
        Some(roomgate_media::srtp::Suite::AesCm128HmacSha1_80)
    );
    assert_ne!(
        a.streams[0].srtp.as_ref().unwrap().outbound.master_key,
        a.streams[0].srtp.as_ref().unwrap().inbound.master_key,
        "our key is our own"
    );
    let (streams, path) = bridge_streams(&a, &b).unwrap();
    assert_eq!(path, AudioPath::Transcode);
    // No video bridge (the cloud refused video): the room's video keeps its ports in a
    // blank stream with no destination either way, so nothing crosses.
    assert_eq!(streams.len(), 2);
    assert_eq!(streams[1].kind, StreamKind::Video);
    assert!(streams[1].a.remote_rtp.is_none() && streams[1].b.remote_rtp.is_none());
    assert!(streams[1].a.srtp_in.is_none() && streams[1].b.srtp_out.is_none());
    assert_eq!(streams[0].mode, StreamMode::Transcode);
    assert!(matches!(
        streams[0].a.codec,
        Some((AudioCodec::Opus { .. }, 109))
    ));
    assert!(matches!(streams[0].b.codec, Some((AudioCodec::Pcmu, 0))));
}

#[test]
fn same_codec_passes_through_with_payload_types_mapped() {
    let room_offer = sdp(
        "v=0\no=r 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n\
         m=audio 30000 RTP/AVP 0 96\na=rtpmap:96 telephone-event/8000\n",
    );
    let caps_a = capabilities(ip(), &room(), 1, 1, audio_only(AudioCodec::Pcmu), false);
    let ans = answer(&room_offer, &caps_a, |_| Some(40000));
    let a = negotiated(&ans, &room_offer).unwrap();
    assert!(
        a.streams[0].srtp.is_none(),
        "plain offer, optional policy: plain"
    );
    assert_eq!(
        a.streams[0].telephone_event.map(|t| t.payload_type),
        Some(96)
    );
    let caps_b = capabilities(
        ip(),
        &cloud(),
        2,
        1,
        audio_preferring(&[AudioCodec::Pcmu]),
        false,
    );
    let ours = offer(&caps_b, &[(StreamKind::Audio, 40002)], Direction::SendRecv).unwrap();
    let tag = ours.media[0].cryptos().next().unwrap().tag;
    let key = new_key(&CryptoSuite::AeadAes256Gcm).unwrap();
    let theirs = sdp(&format!(
        "v=0\no=c 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n\
         m=audio 50000 RTP/SAVP 0 101\na=rtpmap:101 telephone-event/8000\n\
         a=crypto:{}\n",
        line(tag, CryptoSuite::AeadAes256Gcm, &key)
    ));
    let b = negotiated(&ours, &theirs).unwrap();
    let (streams, path) = bridge_streams(&a, &b).unwrap();
    assert_eq!(path, AudioPath::PassThrough);
    assert_eq!(streams[0].a.pt_map, vec![(0, 0), (96, 101)]);
    assert_eq!(streams[0].b.pt_map, vec![(0, 0), (101, 96)]);
    assert!(
        streams[0].a.dtmf.unwrap().forward,
        "DTMF crosses as RFC 4733"
    );
}

#[test]
fn mandatory_room_policy_refuses_plain_audio() {
    let plain = sdp(
        "v=0\no=r 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 30000 RTP/AVP 0\n",
    );
    let caps = capabilities(ip(), &cloud(), 1, 1, audio_codecs(), false);
    let ans = answer(&plain, &caps, |_| Some(40000));
    assert_eq!(ans.media[0].port, 0);
    assert!(negotiated(&ans, &plain).unwrap().is_empty());
    assert_eq!(
        bridge_streams(&MediaSpec::default(), &MediaSpec::default()).unwrap_err(),
        BridgeError::NoAudio("room")
    );
}

/// An `a=crypto` line (without `a=crypto:`) for `key`.
fn line(tag: u32, suite: CryptoSuite, key: &KeyMaterial) -> String {
    Crypto::new(tag, suite, key.clone()).to_string()
}

/// A room offer of one audio stream with `profile` and these crypto line values.
fn room_offer_with(profile: &str, cryptos: &[String]) -> SessionDescription {
    let mut text = format!(
        "v=0\no=r 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n\
         m=audio 30000 {profile} 0\n"
    );
    for c in cryptos {
        text.push_str(&format!("a=crypto:{c}\n"));
    }
    sdp(&text)
}

fn b64_key(len: usize) -> String {
    let key = KeyMaterial::new((0..len as u8).collect());
    line(1, CryptoSuite::AesCm128HmacSha1_80, &key)
        .split("inline:")
        .nth(1)
        .unwrap()
        .to_owned()
}

/// Every kind of line our contexts cannot apply, as `a=crypto` values with tag 1.
/// One crypto line per reason [`sdes::line_policy`] refuses (tag 1, AES_CM_128 unless the
/// suite is the reason). Shared with the echo service's tests, which must refuse them too.
pub(crate) fn unusable_lines() -> Vec<(&'static str, String)> {
    let k = b64_key(30);
    vec![
        (
            "mki 17",
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k}|2^20|1:17"),
        ),
        (
            "mki 128",
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k}|2^20|1:128"),
        ),
        (
            "mki 20",
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k}|2^20|1:20"),
        ),
        (
            "unknown param",
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k} FOO=1"),
        ),
        (
            "unencrypted",
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k} UNENCRYPTED_SRTP"),
        ),
        (
            "unauthenticated",
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k} UNAUTHENTICATED_SRTP"),
        ),
        ("kdr", format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k} KDR=4")),
        (
            "fec",
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k} FEC_ORDER=SRTP_FEC"),
        ),
        (
            "lifetime 2^10",
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k}|2^10"),
        ),
        (
            "two keys",
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{k}|2^20|1:4;inline:{k}|2^20|2:4"),
        ),
        ("f8", format!("1 F8_128_HMAC_SHA1_80 inline:{k}")),
        // Kept by the SDP parser as a malformed line: unusable like the others.
        (
            "wrong key length",
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{}", b64_key(46)),
        ),
    ]
}

#[test]
fn unusable_savp_offers_are_refused_never_answered_encrypted() {
    for srtp in [SrtpPolicy::Optional, SrtpPolicy::Mandatory] {
        let policy = MediaPolicy {
            srtp,
            suites: room_suites(),
        };
        let caps = capabilities(ip(), &policy, 1, 1, audio_codecs(), false);
        for (what, line) in unusable_lines() {
            let offer = room_offer_with("RTP/SAVP", std::slice::from_ref(&line));
            let ans = answer(&offer, &caps, |_| Some(40000));
            assert_eq!(ans.media[0].port, 0, "{what}: SAVP stream refused");
            assert_eq!(ans.media[0].cryptos().count(), 0, "{what}");
            assert!(negotiated(&ans, &offer).unwrap().is_empty(), "{what}");
        }
    }
}

#[test]
fn unusable_best_effort_offers_go_plain_only_where_allowed() {
    for (what, line) in unusable_lines() {
        let offer = room_offer_with("RTP/AVP", std::slice::from_ref(&line));
        let caps = capabilities(ip(), &room(), 1, 1, audio_codecs(), false);
        let ans = answer(&offer, &caps, |_| Some(40000));
        assert_eq!(ans.media[0].proto, Proto::RtpAvp, "{what}");
        assert_eq!(ans.media[0].cryptos().count(), 0, "{what}: no crypto line");
        let legs = negotiated(&ans, &offer).unwrap();
        assert!(
            legs.streams[0].srtp.is_none() && legs.streams[0].srtp.is_none(),
            "{what}"
        );
        // Mandatory: refused.
        let caps = capabilities(ip(), &cloud(), 1, 1, audio_codecs(), false);
        let ans = answer(&offer, &caps, |_| Some(40000));
        assert_eq!(ans.media[0].port, 0, "{what}: mandatory refuses");
    }
}

#[test]
fn the_next_usable_line_is_taken_with_its_own_key() {
    let good = KeyMaterial::new((100..130).collect());
    for (what, bad) in unusable_lines() {
        let second = line(2, CryptoSuite::AesCm128HmacSha1_80, &good);
        let offer = room_offer_with("RTP/SAVP", &[bad, second]);
        let caps = capabilities(ip(), &room(), 1, 1, audio_codecs(), false);
        let ans = answer(&offer, &caps, |_| Some(40000));
        let ours: Vec<&Crypto> = ans.media[0].cryptos().collect();
        assert_eq!(ours.len(), 1, "{what}");
        assert_eq!(ours[0].tag, 2, "{what}: the usable second line");
        let legs = negotiated(&ans, &offer).unwrap();
        let inbound = legs.streams[0].srtp.as_ref().map(|k| &k.inbound).unwrap();
        assert_eq!(inbound.master_key, good.expose_secret()[..16], "{what}");
        assert_eq!(inbound.master_salt, good.expose_secret()[16..], "{what}");
        assert!(legs.streams[0].srtp.is_some());
    }
}

#[test]
fn usable_parameters_are_applied() {
    let k = b64_key(30);
    let offer = room_offer_with(
        "RTP/SAVP",
        &[format!(
            "3 AES_CM_128_HMAC_SHA1_80 inline:{k}|2^31|7:4 KDR=0 FEC_ORDER=FEC_SRTP WSH=256"
        )],
    );
    let caps = capabilities(ip(), &room(), 1, 1, audio_codecs(), false);
    let ans = answer(&offer, &caps, |_| Some(40000));
    let legs = negotiated(&ans, &offer).unwrap();
    let inbound = legs.streams[0].srtp.as_ref().map(|k| &k.inbound).unwrap();
    assert_eq!(inbound.mki, Some(vec![0, 0, 0, 7]));
    assert_eq!(inbound.lifetime, Some(1 << 31));
    assert_eq!(inbound.replay_window, 256);
}

#[test]
fn answers_we_cannot_apply_refuse_the_leg() {
    let caps = capabilities(ip(), &cloud(), 1, 1, audio_codecs(), false);
    let ours = offer(&caps, &[(StreamKind::Audio, 40002)], Direction::SendRecv).unwrap();
    let tag = ours.media[0]
        .cryptos()
        .find(|c| c.suite == CryptoSuite::AesCm128HmacSha1_80)
        .unwrap()
        .tag;
    for (what, bad) in unusable_lines() {
        if what == "f8" {
            continue;
        }
        // Their line answers our AES_CM_128 line (same tag) with unusable parameters.
        let bad = bad.replacen("1 ", &format!("{tag} "), 1);
        let theirs = room_offer_with("RTP/SAVP", &[bad]);
        let err = negotiated(&ours, &theirs).unwrap_err();
        assert_eq!(err.kind, StreamKind::Audio, "{what}");
    }
    // Plain answer to an SAVP offer: a downgrade, refused.
    let plain = room_offer_with("RTP/AVP", &[]);
    assert_eq!(
        negotiated(&ours, &plain).unwrap_err().why,
        Unusable::Missing
    );
    // SAVP answer whose tag matches none of ours.
    let stray = room_offer_with(
        "RTP/SAVP",
        &[format!("99 AES_CM_128_HMAC_SHA1_80 inline:{}", b64_key(30))],
    );
    assert_eq!(
        negotiated(&ours, &stray).unwrap_err().why,
        Unusable::NoMatch
    );
}

#[test]
fn sdp_maps_to_the_neutral_media_spec() {
    let offer = sdp(
        "v=0\no=r 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n\
         m=audio 30000 RTP/AVP 111 101\nb=AS:64\na=rtpmap:111 opus/48000/2\n\
         a=fmtp:111 useinbandfec=1; stereo=0\na=rtpmap:101 telephone-event/8000\n\
         a=fmtp:101 0-16\na=sendonly\na=rtcp:30001\n\
         m=video 30002 RTP/AVP 96\na=rtpmap:96 H264/90000\n\
         a=fmtp:96 profile-level-id=42e01f;packetization-mode=1\na=label:main\n",
    );
    let caps = capabilities(ip(), &room(), 1, 1, audio_codecs(), true);
    let ans = answer(&offer, &caps, |k| match k {
        StreamKind::Audio => Some(40000),
        _ => Some(40002),
    });
    let spec = negotiated(&ans, &offer).unwrap();
    let audio = spec.audio().unwrap();
    let opus = audio.codec().unwrap();
    assert_eq!(
        (opus.name.as_str(), opus.clock_rate, opus.channels),
        ("opus", 48000, 2)
    );
    assert_eq!(
        opus.param("useinbandfec"),
        Some("1"),
        "the answer's parameters"
    );
    assert_eq!(audio.telephone_event.unwrap().payload_type, 101);
    assert_eq!(audio.direction, spec::Direction::SendOnly);
    assert_eq!(audio.bandwidth_kbps, Some(64));
    assert_eq!(audio.remote_rtcp, Some("127.0.0.1:30001".parse().unwrap()));
    assert!(audio.srtp.is_none());
    let video = spec.stream(StreamRole::MainVideo).unwrap();
    assert_eq!(video.label.as_deref(), Some("main"));
    assert_eq!(
        video.codec().unwrap().param("packetization-mode"),
        Some("1")
    );
    assert_eq!(
        sdp_direction(audio.direction.reversed()),
        Direction::RecvOnly
    );
}

#[test]
fn new_key_fits_every_suite_we_run_and_none_other() {
    for suite in room_suites() {
        let media = srtp_suite(&suite).unwrap();
        let a = new_key(&suite).unwrap();
        let b = new_key(&suite).unwrap();
        assert_eq!(
            a.expose_secret().len(),
            media.master_key_len() + media.master_salt_len(),
            "{suite:?}"
        );
        assert_ne!(
            a.expose_secret(),
            b.expose_secret(),
            "{suite:?}: fresh each time"
        );
    }
    assert!(new_key(&CryptoSuite::F8_128HmacSha1_80).is_none());
}
