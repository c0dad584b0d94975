//! Master/slave determination (H.245 §8.2, the MSDSE of C.2).
//!
//! The session has no randomness: [`Session::start_msd`] takes 32 random bits from the
//! caller. The first statusDeterminationNumber is their low 24 bits; when a determination
//! must be repeated (identical numbers, or a MasterSlaveDeterminationReject), the next
//! number comes from a xorshift generator seeded with all 32 bits. Two peers that drew the
//! same 24 bits almost surely differ in the other 8, so their retries diverge — which a
//! derivation from the 24-bit number alone could never do.

use std::time::Instant;

use super::{Mscm, Session, SessionEvent};
use crate::h245::codec::Extensions;
use crate::h245::{
    IndicationMessage, MasterSlaveDetermination, MasterSlaveDeterminationAck,
    MasterSlaveDeterminationReject, MasterSlaveDeterminationRelease, MsdDecision, MsdRejectCause,
    RequestMessage, ResponseMessage,
};

const MASK_24: u32 = 0x00FF_FFFF;
/// Half the number space: a difference of exactly this is as undecidable as zero.
const HALF: u32 = 0x0080_0000;

/// The decision of H.245 §8.2 (Figure C.4) from our side: `Some(true)` when we are master.
/// The higher terminalType is master; for equal types the numbers decide through
/// `(remote - local) mod 2^24`: 0 and 2^23 are indeterminate (`None`), below 2^23 we are
/// master, above it the peer is. (This is what deployed stacks compute; each side's result
/// is the other's mirror, since their differences add up to 2^24.)
pub fn determine(
    local_type: u8,
    local_number: u32,
    remote_type: u32,
    remote_number: u32,
) -> Option<bool> {
    match u32::from(local_type).cmp(&remote_type) {
        std::cmp::Ordering::Greater => Some(true),
        std::cmp::Ordering::Less => Some(false),
        std::cmp::Ordering::Equal => {
            let diff = remote_number.wrapping_sub(local_number) & MASK_24;
            if diff == 0 || diff == HALF {
                None
            } else {
                Some(diff < HALF)
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Idle,
    /// Our MasterSlaveDetermination is out (C.2 OUTGOING AWAITING RESPONSE).
    Outgoing { deadline: Instant },
    /// We acknowledged the peer's and wait for its Ack of ours (INCOMING AWAITING RESPONSE).
    Incoming { deadline: Instant, master: bool },
}

#[derive(Debug, Default)]
pub(super) struct Msd {
    state: State,
    /// The xorshift state (the caller's 32 bits, then each draw).
    seed: Option<u32>,
    number: Option<u32>,
    /// MasterSlaveDetermination messages sent in the current determination (C.2's NC).
    attempts: u32,
    master: Option<bool>,
}

impl Msd {
    pub(super) fn deadline(&self) -> Option<Instant> {
        match self.state {
            State::Idle => None,
            State::Outgoing { deadline } | State::Incoming { deadline, .. } => Some(deadline),
        }
    }

    pub(super) fn stop(&mut self) {
        self.state = State::Idle;
    }

    /// A fresh number for a repeated determination.
    fn redraw(&mut self) -> u32 {
        let mut s = self.seed.unwrap_or(0);
        if s == 0 {
            // xorshift stays at zero forever; any odd constant restarts it.
            s = 0x9E37_79B9;
        }
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        self.seed = Some(s);
        let n = s & MASK_24;
        self.number = Some(n);
        n
    }
}

fn ack(peer_master: bool) -> Mscm {
    // The Ack's decision is the role of the terminal that receives it.
    let decision = if peer_master {
        MsdDecision::Master(())
    } else {
        MsdDecision::Slave(())
    };
    Mscm::Response(ResponseMessage::MasterSlaveDeterminationAck(Box::new(
        MasterSlaveDeterminationAck {
            decision,
            extensions: Extensions::default(),
        },
    )))
}

impl Session {
    /// Starts master/slave determination with 32 random bits (the low 24 are the
    /// statusDeterminationNumber; all 32 seed the numbers of any retry). Does nothing but
    /// keep the seed while a determination runs or after one succeeded: H.323 endpoints
    /// both start at once, and the peer's may have settled it already.
    pub fn start_msd(&mut self, now: Instant, random: u32) {
        if self.ended {
            return;
        }
        if self.msd.seed.is_none() || self.msd.number.is_none() {
            self.msd.seed = Some(random);
            self.msd.number = Some(random & MASK_24);
        }
        if self.msd.state != State::Idle || self.msd.master.is_some() {
            return;
        }
        self.msd.seed = Some(random);
        self.msd.number = Some(random & MASK_24);
        self.msd.attempts = 0;
        self.send_msd(now);
    }

    /// The role determined, once determination succeeded.
    pub fn is_master(&self) -> Option<bool> {
        self.msd.master
    }

    fn send_msd(&mut self, now: Instant) {
        let number = self.msd.number.unwrap_or_default();
        self.msd.attempts = self.msd.attempts.saturating_add(1);
        self.msd.state = State::Outgoing {
            deadline: now + self.config.t106,
        };
        self.send(Mscm::Request(RequestMessage::MasterSlaveDetermination(
            Box::new(MasterSlaveDetermination {
                terminal_type: u32::from(self.config.terminal_type),
                status_determination_number: number,
                extensions: Extensions::default(),
            }),
        )));
    }

    fn msd_failed(&mut self) {
        self.msd.state = State::Idle;
        self.msd.master = None;
        self.event(SessionEvent::MsdFailed);
    }

    pub(super) fn on_msd(&mut self, now: Instant, m: &MasterSlaveDetermination) {
        let remote = m.status_determination_number & MASK_24;
        let local = match self.msd.number {
            Some(n) => n,
            None => {
                // The peer started before our caller gave us a number: any number other
                // than the peer's decides, so take one the peer cannot have chosen.
                let n = (remote ^ 0x00A5_A5A5) & MASK_24;
                self.msd.number = Some(n);
                n
            }
        };
        let decision = determine(self.config.terminal_type, local, m.terminal_type, remote);
        match (self.msd.state, decision) {
            (State::Incoming { .. }, _) => {
                // A second determination before the first finished (C.2: error).
                self.msd_failed();
            }
            (State::Idle, None) => {
                // The peer draws again; a fresh number of ours must follow its retry too.
                self.msd.redraw();
                self.send(Mscm::Response(
                    ResponseMessage::MasterSlaveDeterminationReject(Box::new(
                        MasterSlaveDeterminationReject {
                            cause: MsdRejectCause::IdenticalNumbers(()),
                            extensions: Extensions::default(),
                        },
                    )),
                ));
            }
            (State::Outgoing { .. }, None) => self.msd_retry(now),
            (State::Idle | State::Outgoing { .. }, Some(master)) => {
                self.send(ack(!master));
                self.msd.master = None;
                self.msd.state = State::Incoming {
                    deadline: now + self.config.t106,
                    master,
                };
            }
        }
    }

    fn msd_retry(&mut self, now: Instant) {
        if self.msd.attempts >= self.config.max_msd_retries {
            self.msd_failed();
        } else {
            self.msd.redraw();
            self.send_msd(now);
        }
    }

    pub(super) fn on_msd_ack(&mut self, a: &MasterSlaveDeterminationAck) {
        let master = matches!(a.decision, MsdDecision::Master(()));
        match self.msd.state {
            State::Idle => self.protocol_error("MasterSlaveDeterminationAck with no determination"),
            State::Outgoing { .. } => {
                self.send(ack(!master));
                self.msd_done(master);
            }
            State::Incoming { master: ours, .. } if ours == master => self.msd_done(master),
            State::Incoming { .. } => self.msd_failed(),
        }
    }

    fn msd_done(&mut self, master: bool) {
        self.msd.state = State::Idle;
        self.msd.master = Some(master);
        self.event(SessionEvent::MsdDone { master });
    }

    pub(super) fn on_msd_reject(&mut self, now: Instant) {
        match self.msd.state {
            State::Idle => {
                self.protocol_error("MasterSlaveDeterminationReject with no determination")
            }
            State::Outgoing { .. } => self.msd_retry(now),
            State::Incoming { .. } => self.msd_failed(),
        }
    }

    pub(super) fn on_msd_release(&mut self) {
        if self.msd.state != State::Idle {
            self.msd_failed();
        }
    }

    /// The peer did not understand our MasterSlaveDetermination.
    pub(super) fn msd_abandoned(&mut self) -> bool {
        if matches!(self.msd.state, State::Outgoing { .. }) {
            self.msd_failed();
            true
        } else {
            false
        }
    }

    pub(super) fn msd_timeout(&mut self, now: Instant) {
        match self.msd.state {
            State::Outgoing { deadline } if deadline <= now => {
                self.send(Mscm::Indication(
                    IndicationMessage::MasterSlaveDeterminationRelease(Box::new(
                        MasterSlaveDeterminationRelease {
                            extensions: Extensions::default(),
                        },
                    )),
                ));
                self.msd_failed();
            }
            State::Incoming { deadline, .. } if deadline <= now => self.msd_failed(),
            _ => {}
        }
    }
}
