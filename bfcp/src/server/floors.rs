//! The floor control server's table: floors, live floor requests, the queue, and the policy
//! that decides who holds each floor. No messages here; every operation returns the requests
//! whose status changed, and the server turns those into FloorRequestStatus and FloorStatus.

use std::collections::VecDeque;

use crate::attribute::RequestStatusValue;
use crate::compose::RequestView;
use crate::limits::{MAX_FLOORS, MAX_QUEUED_REQUESTS};
use crate::negotiate::FloorBinding;

/// How floors are handed out when nobody chairs the conference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// The newest requester gets the floor at once and the previous holder is revoked: a
    /// room system that starts sharing takes over from whoever shared before, which is what
    /// room systems and their users expect.
    #[default]
    NewestWins,
    /// First come, first served: a request for a held floor waits (Accepted, with its queue
    /// position) until the holder releases.
    Queue,
}

/// Why a FloorRequest is refused before it becomes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    UnknownFloor(u16),
}

/// Why a floor table cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerConfigError {
    #[error("more than {limit} floors")]
    TooManyFloors { limit: usize },
    #[error("no floors: a floor control server needs at least one")]
    NoFloors,
    #[error("version {version} is not carried over {transport} (RFC 8855 §5.1)")]
    VersionNotPermitted {
        version: u8,
        transport: crate::transport::Transport,
    },
}

#[derive(Debug)]
struct Floor {
    id: u16,
    labels: Vec<String>,
    /// The granted request holding it (floors are exclusive).
    holder: Option<u16>,
}

/// One status change, the request as it is after it.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub request: RequestView,
    /// The request is over (released, revoked, cancelled, denied) and left the table.
    pub ended: bool,
}

#[derive(Debug)]
pub(crate) struct FloorTable {
    floors: Vec<Floor>,
    requests: Vec<RequestView>,
    /// Request IDs waiting, oldest first (queue policy only).
    queue: VecDeque<u16>,
    next_id: u16,
    policy: Policy,
}

impl FloorTable {
    pub(crate) fn new(
        bindings: &[FloorBinding],
        policy: Policy,
    ) -> Result<Self, ServerConfigError> {
        let mut floors: Vec<Floor> = Vec::new();
        for b in bindings {
            match floors.iter_mut().find(|f| f.id == b.floor_id) {
                Some(f) => f.labels.push(b.label.clone()),
                None => {
                    if floors.len() >= MAX_FLOORS {
                        return Err(ServerConfigError::TooManyFloors { limit: MAX_FLOORS });
                    }
                    floors.push(Floor {
                        id: b.floor_id,
                        labels: vec![b.label.clone()],
                        holder: None,
                    });
                }
            }
        }
        if floors.is_empty() {
            return Err(ServerConfigError::NoFloors);
        }
        Ok(FloorTable {
            floors,
            requests: Vec::new(),
            queue: VecDeque::new(),
            next_id: 1,
            policy,
        })
    }

    pub(crate) fn has_floor(&self, id: u16) -> bool {
        self.floors.iter().any(|f| f.id == id)
    }

    pub(crate) fn floor_ids(&self) -> impl Iterator<Item = u16> + '_ {
        self.floors.iter().map(|f| f.id)
    }

    /// The content stream labels a floor controls.
    pub(crate) fn labels(&self, floor: u16) -> &[String] {
        self.floors
            .iter()
            .find(|f| f.id == floor)
            .map(|f| f.labels.as_slice())
            .unwrap_or_default()
    }

    /// The user holding a floor, if any.
    pub(crate) fn holder(&self, floor: u16) -> Option<u16> {
        let id = self.floors.iter().find(|f| f.id == floor)?.holder?;
        self.get(id).map(|r| r.user_id)
    }

    pub(crate) fn get(&self, id: u16) -> Option<&RequestView> {
        self.requests.iter().find(|r| r.id == id)
    }

    pub(crate) fn len(&self) -> usize {
        self.requests.len()
    }

    pub(crate) fn of_user(&self, user: u16) -> impl Iterator<Item = &RequestView> {
        self.requests.iter().filter(move |r| r.user_id == user)
    }

    /// Live requests on a floor: the holder first, then the queue in order.
    pub(crate) fn on_floor(&self, floor: u16) -> Vec<&RequestView> {
        let mut out: Vec<&RequestView> = self
            .requests
            .iter()
            .filter(|r| r.status == RequestStatusValue::Granted && r.floors.contains(&floor))
            .collect();
        out.extend(
            self.queue
                .iter()
                .filter_map(|id| self.get(*id))
                .filter(|r| r.floors.contains(&floor)),
        );
        out
    }

    /// A live request of `user` for exactly `floors`: what a repeated FloorRequest gets.
    pub(crate) fn duplicate_of(&self, user: u16, floors: &[u16]) -> Option<&RequestView> {
        self.of_user(user)
            .find(|r| r.floors.len() == floors.len() && floors.iter().all(|f| r.floors.contains(f)))
    }

    /// Creates a request for `floors` (deduplicated, all known) and applies the policy.
    /// Returns the new request's ID and the changes in the order they happened: revocations
    /// of earlier holders before the new request's own status.
    pub(crate) fn submit(
        &mut self,
        user: u16,
        floors: &[u16],
    ) -> Result<(u16, Vec<Change>), Refusal> {
        if let Some(unknown) = floors.iter().find(|f| !self.has_floor(**f)) {
            return Err(Refusal::UnknownFloor(*unknown));
        }
        let id = self.allocate_id();
        let mut request = RequestView {
            id,
            user_id: user,
            floors: floors.to_vec(),
            status: RequestStatusValue::Pending,
            queue_position: 0,
        };
        let mut changes = Vec::new();
        match self.policy {
            Policy::NewestWins => {
                let holders: Vec<u16> = self
                    .floors
                    .iter()
                    .filter(|f| floors.contains(&f.id))
                    .filter_map(|f| f.holder)
                    .collect();
                for old in holders {
                    changes.extend(self.end(old, RequestStatusValue::Revoked));
                }
                request.status = RequestStatusValue::Granted;
                self.take_floors(&request);
                self.requests.push(request.clone());
                changes.push(change(&request, false));
            }
            Policy::Queue => {
                if self.all_free(floors) && !self.claimed_by_queue(floors) {
                    request.status = RequestStatusValue::Granted;
                    self.take_floors(&request);
                    self.requests.push(request.clone());
                } else if self.queue.len() >= MAX_QUEUED_REQUESTS {
                    request.status = RequestStatusValue::Denied;
                    return Ok((id, vec![change(&request, true)]));
                } else {
                    request.status = RequestStatusValue::Accepted;
                    request.queue_position = position(self.queue.len());
                    self.queue.push_back(id);
                    self.requests.push(request.clone());
                }
                changes.push(change(&request, false));
            }
        }
        Ok((id, changes))
    }

    /// Ends a request at its owner's wish: Released if it held its floors, Cancelled if it
    /// was waiting. Queued requests move up.
    pub(crate) fn release(&mut self, id: u16) -> Vec<Change> {
        let status = match self.get(id).map(|r| r.status) {
            Some(RequestStatusValue::Granted) => RequestStatusValue::Released,
            Some(_) => RequestStatusValue::Cancelled,
            None => return Vec::new(),
        };
        let mut changes = self.end(id, status);
        changes.extend(self.promote());
        changes
    }

    /// Ends every request of a user who left.
    pub(crate) fn remove_user(&mut self, user: u16) -> Vec<Change> {
        let ids: Vec<u16> = self.of_user(user).map(|r| r.id).collect();
        let mut changes = Vec::new();
        for id in ids {
            changes.extend(self.release(id));
        }
        changes
    }

    fn end(&mut self, id: u16, status: RequestStatusValue) -> Vec<Change> {
        let Some(index) = self.requests.iter().position(|r| r.id == id) else {
            return Vec::new();
        };
        let mut request = self.requests.swap_remove(index);
        for f in self.floors.iter_mut() {
            if f.holder == Some(id) {
                f.holder = None;
            }
        }
        self.queue.retain(|q| *q != id);
        request.status = status;
        request.queue_position = 0;
        vec![change(&request, true)]
    }

    /// Whether a waiting request wants one of `floors`: a newer request must not overtake it.
    fn claimed_by_queue(&self, floors: &[u16]) -> bool {
        self.queue
            .iter()
            .filter_map(|id| self.get(*id))
            .any(|q| q.floors.iter().any(|f| floors.contains(f)))
    }

    /// Grants queued requests whose floors are all free, oldest first (a request never
    /// overtakes an older one that wants one of its floors), and tells the others their new
    /// position.
    fn promote(&mut self) -> Vec<Change> {
        let mut changes = Vec::new();
        let waiting: Vec<u16> = self.queue.iter().copied().collect();
        self.queue.clear();
        for id in waiting {
            let Some(index) = self.requests.iter().position(|r| r.id == id) else {
                continue;
            };
            let floors = self.requests.get(index).map(|r| r.floors.clone());
            let free = floors
                .as_deref()
                .is_some_and(|f| self.all_free(f) && !self.claimed_by_queue(f));
            let pos = position(self.queue.len());
            let Some(r) = self.requests.get_mut(index) else {
                continue;
            };
            if free {
                r.status = RequestStatusValue::Granted;
                r.queue_position = 0;
                let granted = r.clone();
                self.take_floors(&granted);
                changes.push(change(&granted, false));
            } else {
                self.queue.push_back(id);
                if r.queue_position != pos {
                    r.queue_position = pos;
                    changes.push(change(r, false));
                }
            }
        }
        changes
    }

    fn all_free(&self, floors: &[u16]) -> bool {
        self.floors
            .iter()
            .filter(|f| floors.contains(&f.id))
            .all(|f| f.holder.is_none())
    }

    fn take_floors(&mut self, r: &RequestView) {
        for f in self.floors.iter_mut().filter(|f| r.floors.contains(&f.id)) {
            f.holder = Some(r.id);
        }
    }

    /// The next FLOOR-REQUEST-ID not in use, never 0. The table is far smaller than the ID
    /// space, so the search ends within a few steps.
    fn allocate_id(&mut self) -> u16 {
        loop {
            let id = self.next_id;
            self.next_id = self.next_id.checked_add(1).unwrap_or(1);
            if id != 0 && self.get(id).is_none() {
                return id;
            }
        }
    }
}

fn change(r: &RequestView, ended: bool) -> Change {
    Change {
        request: r.clone(),
        ended,
    }
}

/// Queue positions are one octet, counted from 1.
fn position(index: usize) -> u8 {
    u8::try_from(index + 1).unwrap_or(u8::MAX)
}
