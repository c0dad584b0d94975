//! Capability exchange (H.245 §8.3, the CESEs of C.3).
//!
//! The peer's sets are reported as received: H.245 lets a later set add or remove single
//! table entries, which real endpoints do not do, so no merged table is kept.

use std::time::Instant;

use super::{Mscm, Session, SessionEvent};
use crate::h245::codec::Extensions;
use crate::h245::{
    IndicationMessage, RequestMessage, ResponseMessage, TerminalCapabilitySet,
    TerminalCapabilitySetAck, TerminalCapabilitySetRelease,
};
use crate::per::ObjectIdentifier;

#[derive(Debug, Default)]
pub(super) struct Tcs {
    /// The sequenceNumber of our latest set (C.3's out_SQ).
    out_seq: u8,
    /// T101 of our latest set, until it is answered.
    deadline: Option<Instant>,
    /// Our latest set, for a SendTerminalCapabilitySet.
    last_sent: Option<TerminalCapabilitySet>,
    remote: Option<TerminalCapabilitySet>,
}

impl Tcs {
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    pub(super) fn stop(&mut self) {
        self.deadline = None;
    }
}

/// H.245 v17's protocolIdentifier, itu-t(0) recommendation(0) h(8) 245 version(0) 17.
fn h245_v17() -> Option<ObjectIdentifier> {
    ObjectIdentifier::from_arcs(&[0, 0, 8, 245, 0, 17])
}

/// Whether a set is the empty one that pauses media (H.323 §8.4.6).
pub fn is_empty_capability_set(tcs: &TerminalCapabilitySet) -> bool {
    tcs.multiplex_capability.is_none()
        && tcs.capability_table.is_none()
        && tcs.capability_descriptors.is_none()
}

impl Session {
    /// Sends our capabilities, numbering the set (1, 2, ... 255, 0, ...); a set sent while
    /// the previous one is unanswered supersedes it (an answer to the old one is ignored).
    pub fn send_capabilities(&mut self, now: Instant, mut tcs: TerminalCapabilitySet) {
        if self.ended {
            return;
        }
        self.tcs.out_seq = self.tcs.out_seq.wrapping_add(1);
        tcs.sequence_number = u32::from(self.tcs.out_seq);
        self.tcs.deadline = Some(now + self.config.t101);
        self.send(Mscm::Request(RequestMessage::TerminalCapabilitySet(
            Box::new(tcs.clone()),
        )));
        self.tcs.last_sent = Some(tcs);
    }

    /// Pauses the media the peer sends us: an empty capability set (H.323 §8.4.6, "third
    /// party initiated pause"); sending a full set again resumes.
    pub fn send_empty_capabilities(&mut self, now: Instant) {
        let protocol_identifier = match self.tcs.last_sent.as_ref() {
            Some(t) => Some(t.protocol_identifier.clone()),
            None => h245_v17(),
        };
        let Some(protocol_identifier) = protocol_identifier else {
            return;
        };
        let empty = TerminalCapabilitySet {
            sequence_number: 0,
            protocol_identifier,
            multiplex_capability: None,
            capability_table: None,
            capability_descriptors: None,
            extensions: Extensions::default(),
        };
        // While paused, a SendTerminalCapabilitySet gets the empty set again: repeating the
        // full one would resume media behind the application's back.
        self.send_capabilities(now, empty);
    }

    /// The peer's latest capability set (the empty one while it pauses).
    pub fn remote_capabilities(&self) -> Option<&TerminalCapabilitySet> {
        self.tcs.remote.as_ref()
    }

    pub(super) fn on_tcs(&mut self, tcs: TerminalCapabilitySet) {
        self.send(Mscm::Response(ResponseMessage::TerminalCapabilitySetAck(
            Box::new(TerminalCapabilitySetAck {
                sequence_number: tcs.sequence_number,
                extensions: Extensions::default(),
            }),
        )));
        if is_empty_capability_set(&tcs) {
            self.event(SessionEvent::RemotePaused);
        } else {
            self.event(SessionEvent::RemoteCapabilities(tcs.clone()));
        }
        self.tcs.remote = Some(tcs);
    }

    pub(super) fn on_tcs_answer(&mut self, sequence_number: u32, acked: bool) {
        if self.tcs.deadline.is_none() {
            self.protocol_error("TerminalCapabilitySet answer with none outstanding");
            return;
        }
        if sequence_number != u32::from(self.tcs.out_seq) {
            // The answer to a set we have since superseded (C.3: ignored).
            return;
        }
        self.tcs.deadline = None;
        self.event(if acked {
            SessionEvent::CapabilitiesAcked
        } else {
            SessionEvent::CapabilitiesRejected
        });
    }

    /// The peer did not understand our set: it will never answer.
    pub(super) fn tcs_abandoned(&mut self, sequence_number: u32) -> bool {
        if self.tcs.deadline.is_some() && sequence_number == u32::from(self.tcs.out_seq) {
            self.tcs.deadline = None;
            self.event(SessionEvent::CapabilitiesRejected);
            true
        } else {
            false
        }
    }

    /// SendTerminalCapabilitySet: the peer lost track of our capabilities; send the latest
    /// set again (a new sequence number), if we have sent one.
    pub(super) fn resend_capabilities(&mut self, now: Instant) {
        if let Some(tcs) = self.tcs.last_sent.clone() {
            self.send_capabilities(now, tcs);
        }
    }

    pub(super) fn tcs_timeout(&mut self, now: Instant) {
        if self.tcs.deadline.is_some_and(|d| d <= now) {
            self.tcs.deadline = None;
            self.send(Mscm::Indication(
                IndicationMessage::TerminalCapabilitySetRelease(Box::new(
                    TerminalCapabilitySetRelease {
                        extensions: Extensions::default(),
                    },
                )),
            ));
            self.event(SessionEvent::CapabilitiesRejected);
        }
    }
}
