//! H.323 wire formats for Roomgate: sans-IO, no sockets, clocks or randomness.
//!
//! - [`tpkt`]: RFC 1006 packet framing of the TCP streams (call signalling and H.245), a
//!   push/pull stream decoder with a size limit and linear cost, and the encoder;
//! - [`q931`]: Q.931 messages as H.225.0 profiles them, with typed information elements
//!   (bearer capability, cause, calling/called party number, display, keypad, progress,
//!   signal, user-user) and unknown ones kept, so every message re-encodes to its octets;
//! - [`per`]: the aligned-PER runtime (X.691) the H.225.0 and H.245 messages are built on;
//! - [`ras`]: RAS messages: every root alternative of H.225.0 v8's RasMessage typed;
//! - [`h225`]: H.225.0 call signalling, the `H323-UserInformation` of the Q.931 user-user
//!   element: the UU-PDU and every root UUIE typed, tunnelled H.245 and fastStart as octets;
//! - [`h245`]: H.245 `MultimediaSystemControlMessage` (master/slave determination, capability
//!   sets with audio, video, data, user input and the H.239 capabilities, logical channels,
//!   mode requests, commands and indications, the H.239 generic messages), and readers for
//!   the H.245 an H.225.0 message carries (`h245::tunnelled`, `h245::fast_start`), and
//!   [`h245::session`], the H.245 control protocol of a call (master/slave determination,
//!   capability exchange, logical channels, round-trip delay, user input, end session) as a
//!   sans-IO state machine with its timers driven by the caller's clock;
//! - [`call`]: the H.225.0 call signalling state machine of one call (Setup to Release
//!   Complete, incoming and outgoing, fastStart, tunnelled H.245, T303/T310/T301), sans-IO
//!   like the codecs: payloads and time in, packets, events and deadlines out;
//! - [`gatekeeper`]: a gateway's RAS client of its gatekeeper (discovery, registration and
//!   keep-alive, admission and disengage per call, alternate gatekeepers), sans-IO;
//! - [`endpoint`]: one H.323 call as an endpoint runs it: the call, its H.245 session and
//!   the transport between them (tunnelled, or a separate H.245 connection);
//! - [`limits`]: the named bounds on every length and count.
//!
//! The Q.931 user-user element keeps its payload as octets, decoded with
//! [`h225::UserInformation::decode`].
//!
//! ```
//! use roomgate_h323::q931::{CallReference, Cause, InformationElement, Message, MessageType};
//! use roomgate_h323::tpkt::{self, TpktDecoder};
//!
//! let release = Message::new(CallReference::new(45, true), MessageType::ReleaseComplete)
//!     .with(InformationElement::Cause(Cause::new(0, 16)));
//! let wire = tpkt::encode(&release.encode()?)?;
//!
//! let mut stream = TpktDecoder::default();
//! stream.push(&wire);
//! let payload = stream.next_payload()?.ok_or("incomplete")?;
//! assert_eq!(Message::decode(&payload)?, release);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod call;
pub mod endpoint;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod gatekeeper;
pub mod h225;
pub mod h245;
pub mod limits;
pub mod per;
pub mod q931;
pub mod ras;
pub mod tpkt;
