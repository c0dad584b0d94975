//! Overload control: past its capacity the gateway turns new calls away with a fast 503 and
//! Retry-After instead of letting every call time out. A PBX or proxy in front can route a 503
//! elsewhere at once; a lost INVITE costs it seconds of retransmissions first.
//!
//! Two signals say the SIP core is behind, both measured where the work happens:
//! - the queueing delay of the message being taken (how long it waited between the transport
//!   and the core), which grows as soon as the core falls behind, whatever the cause; it
//!   counts only with a backlog behind it ([`MIN_BACKLOG`]), since a lone late message means
//!   the process was not scheduled for a while (a busy host), not that callers are too many;
//! - the calls in set-up (waiting for screening, lookup, the cloud's answer or the room's ACK),
//!   which grows when calls are admitted faster than they complete.
//!
//! A third keeps what was admitted able to finish: the live transactions. RFC 3261 keeps a
//! finished transaction for 64*T1 (32 s) to absorb retransmissions, so under a sustained rate
//! the table fills toward `[limits] max_transactions`; at the limit every new request is
//! refused, the BYE of a call already made and its cloud INVITE among them. New INVITEs are
//! refused once the table is [`TRANSACTION_RESERVE_PERCENT`] short of the limit, so that
//! last part is left to the calls already admitted.
//!
//! The refusal is stateless and happens before any per-call work (no transaction, no call), so
//! it costs less than the work it avoids and the backlog shrinks. Messages of existing calls
//! and transactions (responses, ACK, CANCEL, BYE, requests with a To tag) are taken from the
//! inbound queue before new requests ([`Inbox`]) and are never refused here.

use std::collections::VecDeque;
use std::time::Duration;

/// Default `[limits] overload_queue_delay_ms`: well under T1 (500 ms), so a refused caller
/// hears 503 before its first retransmission.
pub const DEFAULT_QUEUE_DELAY: Duration = Duration::from_millis(200);
/// Default `[limits] max_calls_in_setup`.
pub const DEFAULT_MAX_CALLS_IN_SETUP: usize = 200;
/// Share of `max_transactions` (percent) kept for the requests of calls already admitted:
/// new INVITEs are refused above the rest. A tenth is some three seconds of a sustained rate's
/// new transactions, enough for the calls in set-up and the BYEs of those that end meanwhile.
pub const TRANSACTION_RESERVE_PERCENT: usize = 10;
/// Retry-After (seconds) of an overload 503: short, since overload passes quickly once the
/// excess goes elsewhere.
pub const RETRY_AFTER_S: u32 = 2;
/// Messages waiting behind a late one for its delay to count as overload: a stall of the
/// whole process under light traffic leaves a short queue, and refusing then turns away
/// callers that cost nothing.
pub const MIN_BACKLOG: usize = 8;
/// Messages the driver holds in its own two queues at most; the rest wait in the transports'
/// bounded queue (where UDP drops when full).
pub const MAX_INBOX: usize = 1024;

/// When new INVITEs are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverloadSettings {
    /// A new INVITE that waited longer than this in the inbound queue is refused.
    pub max_queue_delay: Duration,
    /// With this many calls in set-up, new INVITEs are refused.
    pub max_calls_in_setup: usize,
}

impl Default for OverloadSettings {
    fn default() -> Self {
        OverloadSettings {
            max_queue_delay: DEFAULT_QUEUE_DELAY,
            max_calls_in_setup: DEFAULT_MAX_CALLS_IN_SETUP,
        }
    }
}

/// How a message found the inbound queue when the core took it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Queued {
    /// How long it waited.
    pub delay: Duration,
    /// Messages still waiting behind it.
    pub backlog: usize,
}

/// The load at the moment a new INVITE is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Load {
    pub queued: Queued,
    pub calls_in_setup: usize,
    /// Live transactions, and the most the layer takes (`[limits] max_transactions`).
    pub transactions: usize,
    pub max_transactions: usize,
}

/// New INVITEs refused by overload control, by reason: which signal fired tells an operator
/// whether the SIP core is short of CPU (queue delay) or calls are slow to complete (calls in
/// set-up, e.g. a slow upstream).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefusedCounts {
    pub queue_delay: u64,
    pub calls_in_setup: u64,
    pub transactions: u64,
}

impl RefusedCounts {
    pub fn count(&mut self, why: Overload) {
        match why {
            Overload::QueueDelay => self.queue_delay += 1,
            Overload::CallsInSetup => self.calls_in_setup += 1,
            Overload::Transactions => self.transactions += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.queue_delay + self.calls_in_setup + self.transactions
    }

    /// `(label, count)` per reason, labels as [`Overload::label`].
    pub fn by_reason(&self) -> [(&'static str, u64); 3] {
        [
            (Overload::QueueDelay.label(), self.queue_delay),
            (Overload::CallsInSetup.label(), self.calls_in_setup),
            (Overload::Transactions.label(), self.transactions),
        ]
    }
}

/// Why a new INVITE is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overload {
    QueueDelay,
    CallsInSetup,
    /// The transaction table reached its part for new calls.
    Transactions,
}

impl Overload {
    pub fn label(self) -> &'static str {
        match self {
            Overload::QueueDelay => "queue_delay",
            Overload::CallsInSetup => "calls_in_setup",
            Overload::Transactions => "transactions",
        }
    }
}

/// Whether a new INVITE under `load` is refused, and why.
pub fn assess(settings: &OverloadSettings, load: Load) -> Option<Overload> {
    if load.queued.delay > settings.max_queue_delay && load.queued.backlog >= MIN_BACKLOG {
        Some(Overload::QueueDelay)
    } else if load.calls_in_setup >= settings.max_calls_in_setup {
        Some(Overload::CallsInSetup)
    } else if load.transactions >= for_new_calls(load.max_transactions) {
        Some(Overload::Transactions)
    } else {
        None
    }
}

/// The live transactions above which new INVITEs are refused: `max_transactions` less its
/// reserve ([`TRANSACTION_RESERVE_PERCENT`], at least one).
pub fn for_new_calls(max_transactions: usize) -> usize {
    let reserve = (max_transactions / 100 * TRANSACTION_RESERVE_PERCENT).max(1);
    max_transactions.saturating_sub(reserve)
}

/// Which of the driver's queues a received message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Belongs to an existing call or transaction: served first.
    Existing,
    /// May start new work (a new INVITE, an out-of-dialog OPTIONS...).
    New,
}

/// Classifies raw bytes without a full parse (this runs for every message, before the core
/// takes it). Only the order of service depends on it: a message put first by mistake (a
/// forged To tag) is still judged by the core like any other.
pub fn classify(bytes: &[u8]) -> Class {
    const EXISTING: [&[u8]; 7] = [
        b"SIP/", b"ACK ", b"BYE ", b"CANCEL ", b"PRACK ", b"UPDATE ", b"INFO ",
    ];
    if EXISTING.iter().any(|p| bytes.starts_with(p)) || has_to_tag(bytes) {
        Class::Existing
    } else {
        Class::New
    }
}

/// Whether the To header (long or compact form) of the head carries a tag.
fn has_to_tag(bytes: &[u8]) -> bool {
    for line in bytes.split(|b| *b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return false;
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = line.split_at(colon);
        let name = name.trim_ascii();
        if name.eq_ignore_ascii_case(b"to") || name.eq_ignore_ascii_case(b"t") {
            return value.windows(5).any(|w| w.eq_ignore_ascii_case(b";tag="));
        }
    }
    false
}

/// The driver's two local queues: messages of existing calls are served before new work, so
/// a backlog of new INVITEs never delays the BYE or ACK of a call already accepted.
#[derive(Debug)]
pub struct Inbox<T> {
    existing: VecDeque<T>,
    new: VecDeque<T>,
}

impl<T> Default for Inbox<T> {
    fn default() -> Self {
        Inbox {
            existing: VecDeque::new(),
            new: VecDeque::new(),
        }
    }
}

impl<T> Inbox<T> {
    pub fn push(&mut self, class: Class, item: T) {
        match class {
            Class::Existing => self.existing.push_back(item),
            Class::New => self.new.push_back(item),
        }
    }

    /// The next message: existing calls' first, each queue in arrival order.
    pub fn pop(&mut self) -> Option<T> {
        self.existing.pop_front().or_else(|| self.new.pop_front())
    }

    pub fn len(&self) -> usize {
        self.existing.len() + self.new.len()
    }

    pub fn is_empty(&self) -> bool {
        self.existing.is_empty() && self.new.is_empty()
    }

    /// Whether the inbox may take more from the transports' queue.
    pub fn has_room(&self) -> bool {
        self.len() < MAX_INBOX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(ms: u64, setup: usize) -> Load {
        Load {
            queued: Queued {
                delay: Duration::from_millis(ms),
                backlog: MIN_BACKLOG,
            },
            calls_in_setup: setup,
            transactions: 0,
            max_transactions: 100,
        }
    }

    #[test]
    fn refuses_past_either_limit_only() {
        let s = OverloadSettings {
            max_queue_delay: Duration::from_millis(200),
            max_calls_in_setup: 2,
        };
        assert_eq!(assess(&s, load(0, 0)), None);
        assert_eq!(
            assess(&s, load(200, 1)),
            None,
            "at the delay limit: still served"
        );
        assert_eq!(assess(&s, load(201, 0)), Some(Overload::QueueDelay));
        assert_eq!(assess(&s, load(10, 2)), Some(Overload::CallsInSetup));
        assert_eq!(assess(&s, load(500, 5)), Some(Overload::QueueDelay));
        let stalled = Load {
            queued: Queued {
                delay: Duration::from_secs(2),
                backlog: MIN_BACKLOG - 1,
            },
            calls_in_setup: 0,
            transactions: 0,
            max_transactions: 100,
        };
        assert_eq!(assess(&s, stalled), None, "a late message with no backlog");
    }

    #[test]
    fn new_invites_leave_the_last_tenth_of_the_transaction_table_to_admitted_calls() {
        let s = OverloadSettings::default();
        let with = |transactions, max_transactions| Load {
            transactions,
            max_transactions,
            ..load(0, 0)
        };
        assert_eq!(for_new_calls(10_000), 9_000);
        assert_eq!(assess(&s, with(8_999, 10_000)), None);
        assert_eq!(
            assess(&s, with(9_000, 10_000)),
            Some(Overload::Transactions)
        );
        // A tiny table keeps at least one transaction in reserve.
        assert_eq!(for_new_calls(5), 4);
        assert_eq!(assess(&s, with(3, 5)), None);
        assert_eq!(assess(&s, with(4, 5)), Some(Overload::Transactions));
        assert_eq!(for_new_calls(0), 0);
    }

    fn req(method: &str, to: &str) -> Vec<u8> {
        format!(
            "{method} sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\
             From: <sip:x@y>;tag=from1\r\n{to}\r\nCall-ID: c\r\n\r\nv=0\r\nTo: x;tag=body\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn classifies_existing_calls_and_new_work() {
        assert_eq!(classify(b"SIP/2.0 200 OK\r\n\r\n"), Class::Existing);
        for m in ["ACK", "BYE", "CANCEL", "PRACK", "UPDATE", "INFO"] {
            assert_eq!(classify(&req(m, "To: <sip:a@b>")), Class::Existing, "{m}");
        }
        assert_eq!(classify(&req("INVITE", "To: <sip:a@b>")), Class::New);
        assert_eq!(classify(&req("OPTIONS", "To: <sip:a@b>")), Class::New);
        assert_eq!(
            classify(&req("INVITE", "To: <sip:a@b>;tag=t1")),
            Class::Existing,
            "re-INVITE"
        );
        assert_eq!(
            classify(&req("INVITE", "t : <sip:a@b>;TAG=t1")),
            Class::Existing,
            "compact form, any case"
        );
        assert_eq!(
            classify(&req("INVITE", "X-To: <sip:a@b>;tag=t1")),
            Class::New,
            "another header's tag does not count, nor the From tag, nor the body"
        );
        assert_eq!(classify(b"INVITE"), Class::New);
        assert_eq!(classify(b""), Class::New);
    }

    #[test]
    fn inbox_serves_existing_calls_first_in_order() {
        let mut inbox = Inbox::default();
        inbox.push(Class::New, 1);
        inbox.push(Class::Existing, 2);
        inbox.push(Class::New, 3);
        inbox.push(Class::Existing, 4);
        assert_eq!(inbox.len(), 4);
        let order: Vec<i32> = std::iter::from_fn(|| inbox.pop()).collect();
        assert_eq!(order, [2, 4, 1, 3]);
        assert!(inbox.is_empty() && inbox.has_room());
        for i in 0..MAX_INBOX {
            inbox.push(Class::New, i as i32);
        }
        assert!(!inbox.has_room());
    }
}
