//! PIN entry over real SIP and real RTP: the room is answered for the prompt, key presses
//! come as RFC 4733 packets through the relay (or SIP INFO), attempts go out as requests and
//! their outcomes come back; the upstream is called only after a right PIN.

use std::net::SocketAddr;
use std::time::Duration;

use super::sip_text::{pcmu, room_invite};
use super::*;

/// The room's media address as its SDP gives it.
pub(crate) fn room_media() -> SocketAddr {
    SocketAddr::new(addr(ROOM).ip(), ROOM_RTP)
}

/// The cloud's media address as its SDP gives it.
pub(crate) fn cloud_media() -> SocketAddr {
    SocketAddr::new(addr(CLOUD).ip(), CLOUD_RTP)
}

/// RFC 4733 packets for one key press (payload type 101): a start packet with the marker
/// bit, one update, and the end packet three times (§2.5.1.4).
pub(crate) fn key_press(event: u8, seq: u16, ts: u32, ssrc: u32) -> Vec<Vec<u8>> {
    let packet = |i: u16, marker: bool, end: bool, duration: u16| {
        let mut p = vec![0x80, if marker { 0x80 | 101 } else { 101 }];
        p.extend_from_slice(&seq.wrapping_add(i).to_be_bytes());
        p.extend_from_slice(&ts.to_be_bytes());
        p.extend_from_slice(&ssrc.to_be_bytes());
        p.push(event);
        p.push(if end { 0x80 | 10 } else { 10 });
        p.extend_from_slice(&duration.to_be_bytes());
        p
    };
    vec![
        packet(0, true, false, 160),
        packet(1, false, false, 480),
        packet(2, false, true, 800),
        packet(3, false, true, 800),
        packet(4, false, true, 800),
    ]
}

/// Key presses from `from` to the relay port `port`, 200 ms apart.
pub(crate) fn press(w: &mut World, from: SocketAddr, port: u16, keys: &str, seq: &mut u16) {
    for k in keys.chars() {
        let event = match k {
            '0'..='9' => k as u8 - b'0',
            '*' => 10,
            '#' => 11,
            _ => panic!("not a key: {k}"),
        };
        let ts = u32::from(*seq) * 160;
        for p in key_press(event, *seq, ts, 0x5eed) {
            w.send_rtp(from, port, &p);
        }
        *seq = seq.wrapping_add(5);
        w.advance(Duration::from_millis(200));
    }
}

/// The room calls the PIN meeting and is answered at once for the prompt.
fn answered_for_pin(w: &mut World, call_id: &str, user: &str) -> (Dialog, u16) {
    let invite = room_invite(call_id, user, Some(&pcmu(1, ROOM_RTP)), "");
    w.send(ROOM, &invite);
    let ok = w.final_response(ROOM);
    assert_eq!(ok.status(), Some(200), "answered for PIN entry");
    assert!(w.take(CLOUD).is_empty(), "no upstream before the PIN");
    let mut room = Dialog::room(&invite, &ok);
    w.send(ROOM, &room.ack(1, None));
    (room, audio_port(&ok))
}

#[test]
fn right_pin_from_the_keypad_joins_the_meeting_after_the_prompt() {
    let mut w = World::new();
    let (_room, port) = answered_for_pin(&mut w, "pin-ok", LOCKED);
    w.advance(Duration::from_secs(1));
    let prompt = w.take_rtp(room_media());
    assert!(
        prompt.len() >= 40,
        "a second of prompt: {} packets",
        prompt.len()
    );
    assert!(
        prompt.iter().all(|p| p.from_port == port),
        "from the port in our SDP"
    );
    let mut seq = 100;
    press(&mut w, room_media(), port, "4321#", &mut seq);
    assert_eq!(
        w.pin_attempts,
        vec![(LOCKED.to_owned(), Some(PIN.to_owned()))]
    );
    // The "joining" prompt plays first.
    w.advance(Duration::from_secs(3));
    let out = w.request(CLOUD, "INVITE");
    let answer = sip_text::cloud_answer(&out, 1, CLOUD_RTP, "sendrecv");
    w.send(CLOUD, &out.reply(200, "OK", "c1", CLOUD, Some(&answer)));
    assert_eq!(w.request(CLOUD, "ACK").method(), Some("ACK"));
    assert_eq!(w.calls().stats().pin_correct, 1);
    assert_eq!(w.calls().stats().connected, 1);
}

#[test]
fn pin_in_the_dial_string_is_the_first_attempt() {
    let mut w = World::new();
    let (_room, _port) = answered_for_pin(&mut w, "pin-dial", &format!("{LOCKED}*{PIN}"));
    w.advance(Duration::from_secs(3));
    assert_eq!(
        w.pin_attempts,
        vec![(LOCKED.to_owned(), Some(PIN.to_owned()))]
    );
    assert_eq!(w.request(CLOUD, "INVITE").method(), Some("INVITE"));
}

#[test]
fn three_wrong_pins_hang_up_the_room_and_never_call_the_upstream() {
    let mut w = World::new();
    let (_room, port) = answered_for_pin(&mut w, "pin-bad", LOCKED);
    let mut seq = 1;
    for wrong in ["1111#", "2222#", "3333#"] {
        w.advance(Duration::from_secs(2));
        press(&mut w, room_media(), port, wrong, &mut seq);
    }
    w.advance(Duration::from_secs(5));
    assert_eq!(w.pin_attempts.len(), 3);
    assert_eq!(w.request(ROOM, "BYE").method(), Some("BYE"));
    assert!(w.take(CLOUD).is_empty());
    assert_eq!(w.calls().stats().pin_wrong, 3);
}

#[test]
fn a_locked_meeting_sounds_like_a_wrong_pin() {
    let mut w = World::new();
    w.locked.insert(LOCKED.to_owned());
    let (_room, port) = answered_for_pin(&mut w, "pin-locked", LOCKED);
    let mut seq = 1;
    for _ in 0..3 {
        w.advance(Duration::from_secs(2));
        press(&mut w, room_media(), port, &format!("{PIN}#"), &mut seq);
    }
    w.advance(Duration::from_secs(5));
    assert_eq!(w.request(ROOM, "BYE").method(), Some("BYE"));
    assert!(
        w.take(CLOUD).is_empty(),
        "the right PIN does not open a locked meeting"
    );
}

#[test]
fn unknown_meeting_gets_pin_entry_that_never_succeeds() {
    let mut w = World::new();
    let (_room, port) = answered_for_pin(&mut w, "pin-unknown", "9999");
    let mut seq = 1;
    for _ in 0..3 {
        w.advance(Duration::from_secs(2));
        press(&mut w, room_media(), port, &format!("{PIN}#"), &mut seq);
    }
    w.advance(Duration::from_secs(5));
    assert_eq!(w.pin_attempts.len(), 3, "each attempt costs a verification");
    assert_eq!(w.request(ROOM, "BYE").method(), Some("BYE"));
    assert!(w.take(CLOUD).is_empty());
}

#[test]
fn pin_by_sip_info_is_accepted_too() {
    let mut w = World::new();
    let (mut room, _port) = answered_for_pin(&mut w, "pin-info", LOCKED);
    for k in "4321#".chars() {
        let body = format!("Signal={k}\r\nDuration=160\r\n");
        let info = room.request("INFO", "", None).replace(
            "Content-Length: 0\r\n\r\n",
            &format!(
                "Content-Type: application/dtmf-relay\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ),
        );
        w.send(ROOM, &info);
        assert_eq!(w.statuses(ROOM), vec![200]);
    }
    assert_eq!(
        w.pin_attempts,
        vec![(LOCKED.to_owned(), Some(PIN.to_owned()))]
    );
    w.advance(Duration::from_secs(3));
    assert_eq!(w.request(CLOUD, "INVITE").method(), Some("INVITE"));
}

#[test]
fn lockout_store_down_during_an_attempt_fails_closed() {
    let mut w = World::new();
    w.pin_store_down = true;
    let (_room, port) = answered_for_pin(&mut w, "pin-down", LOCKED);
    let mut seq = 1;
    press(&mut w, room_media(), port, &format!("{PIN}#"), &mut seq);
    w.advance(Duration::from_secs(5));
    assert_eq!(w.request(ROOM, "BYE").method(), Some("BYE"));
    assert!(
        w.take(CLOUD).is_empty(),
        "never joined while the store is down"
    );
}

#[test]
fn pin_entry_times_out_and_hangs_up() {
    let mut w = World::new();
    let (_room, _port) = answered_for_pin(&mut w, "pin-slow", LOCKED);
    w.advance(Duration::from_secs(59));
    assert!(w.take(ROOM).iter().all(|m| m.method() != Some("BYE")));
    // At 60 s the "disconnected" prompt plays, then the room is hung up.
    w.advance(Duration::from_secs(5));
    assert_eq!(w.request(ROOM, "BYE").method(), Some("BYE"));
    assert!(w.pin_attempts.is_empty());
}
