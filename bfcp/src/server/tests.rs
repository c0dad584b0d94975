//! The floor table's policies on their own; whole-server scenarios are in
//! `tests/floor_control.rs`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::floors::{FloorTable, Policy, Refusal};
use crate::attribute::RequestStatusValue as S;
use crate::limits::MAX_QUEUED_REQUESTS;
use crate::negotiate::FloorBinding;

fn table(policy: Policy) -> FloorTable {
    let floors = [1, 2].map(|floor_id| FloorBinding {
        floor_id,
        label: format!("content{floor_id}"),
    });
    FloorTable::new(&floors, policy).unwrap()
}

fn statuses(changes: &[super::floors::Change]) -> Vec<(u16, S, u8, bool)> {
    changes
        .iter()
        .map(|c| {
            (
                c.request.user_id,
                c.request.status,
                c.request.queue_position,
                c.ended,
            )
        })
        .collect()
}

#[test]
fn newest_wins_revokes_the_holder_first() {
    let mut t = table(Policy::NewestWins);
    let (a, ch) = t.submit(10, &[1]).unwrap();
    assert_eq!(statuses(&ch), [(10, S::Granted, 0, false)]);
    let (b, ch) = t.submit(11, &[1]).unwrap();
    assert_eq!(
        statuses(&ch),
        [(10, S::Revoked, 0, true), (11, S::Granted, 0, false)]
    );
    assert_eq!(ch[0].request.id, a);
    assert_eq!(t.holder(1), Some(11));
    assert_eq!(t.len(), 1);
    // A request for both floors takes floor 2 too and revokes the floor-1 request.
    let (_, ch) = t.submit(12, &[1, 2]).unwrap();
    assert_eq!(ch[0].request.id, b);
    assert_eq!((t.holder(1), t.holder(2)), (Some(12), Some(12)));
    assert_eq!(t.submit(12, &[3]).unwrap_err(), Refusal::UnknownFloor(3));
}

#[test]
fn queue_waits_moves_up_and_cancels() {
    let mut t = table(Policy::Queue);
    let (a, _) = t.submit(10, &[1]).unwrap();
    let (b, ch) = t.submit(11, &[1]).unwrap();
    assert_eq!(statuses(&ch), [(11, S::Accepted, 1, false)]);
    let (c, ch) = t.submit(12, &[1]).unwrap();
    assert_eq!(statuses(&ch), [(12, S::Accepted, 2, false)]);
    // A free floor nobody waits for is granted at once.
    let (_, ch) = t.submit(13, &[2]).unwrap();
    assert_eq!(statuses(&ch), [(13, S::Granted, 0, false)]);
    // Releasing the holder grants the oldest waiter and moves the next up.
    let ch = t.release(a);
    assert_eq!(
        statuses(&ch),
        [
            (10, S::Released, 0, true),
            (11, S::Granted, 0, false),
            (12, S::Accepted, 1, false)
        ]
    );
    assert_eq!(ch[1].request.id, b);
    // Releasing a waiting request cancels it.
    assert_eq!(statuses(&t.release(c)), [(12, S::Cancelled, 0, true)]);
    assert_eq!(t.on_floor(1).len(), 1);
}

#[test]
fn queue_never_lets_a_newer_request_overtake() {
    let mut t = table(Policy::Queue);
    let (one, _) = t.submit(10, &[1]).unwrap();
    // Waits for floor 1 (and wants 2, which is free).
    let (_, ch) = t.submit(11, &[1, 2]).unwrap();
    assert_eq!(ch[0].request.status, S::Accepted);
    // Floor 2 is free but claimed by the waiter: this one waits behind it.
    let (_, ch) = t.submit(12, &[2]).unwrap();
    assert_eq!(statuses(&ch), [(12, S::Accepted, 2, false)]);
    let ch = t.release(one);
    assert_eq!(
        statuses(&ch),
        [
            (10, S::Released, 0, true),
            (11, S::Granted, 0, false),
            (12, S::Accepted, 1, false)
        ]
    );
}

#[test]
fn full_queue_denies() {
    let mut t = table(Policy::Queue);
    t.submit(1, &[1]).unwrap();
    for user in 0..MAX_QUEUED_REQUESTS {
        let (_, ch) = t.submit(100 + user as u16, &[1]).unwrap();
        assert_eq!(ch[0].request.status, S::Accepted);
    }
    let (_, ch) = t.submit(999, &[1]).unwrap();
    assert_eq!(statuses(&ch), [(999, S::Denied, 0, true)]);
    assert_eq!(t.len(), MAX_QUEUED_REQUESTS + 1);
}

#[test]
fn removing_a_user_ends_all_its_requests() {
    let mut t = table(Policy::Queue);
    t.submit(10, &[1]).unwrap();
    t.submit(10, &[2]).unwrap();
    t.submit(11, &[1]).unwrap();
    let ch = t.remove_user(10);
    let ended: Vec<_> = ch
        .iter()
        .filter(|c| c.ended)
        .map(|c| c.request.user_id)
        .collect();
    assert_eq!(ended, [10, 10]);
    assert_eq!(t.holder(1), Some(11));
    assert_eq!(t.holder(2), None);
}
