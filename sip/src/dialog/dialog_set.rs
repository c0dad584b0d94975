//! The dialogs of one user agent, keyed by [`DialogId`], bounded in number. Routes received
//! requests and responses to their dialog; an unknown dialog is the 481 of §12.2.2.

use std::collections::HashMap;

use super::{Dialog, DialogError, DialogId, DialogState};
use crate::message::Message;

/// Default bound on live dialogs: a gateway leg holds one per call plus forked early
/// dialogs, so this allows thousands of calls while capping what a flood of 1xx with fresh
/// To tags can make us store.
pub const DEFAULT_MAX_DIALOGS: usize = 10_000;

/// A bounded map of dialogs.
#[derive(Debug, Clone)]
pub struct DialogSet {
    dialogs: HashMap<DialogId, Dialog>,
    max: usize,
}

impl Default for DialogSet {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_DIALOGS)
    }
}

/// The set is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the dialog limit ({limit}) is reached")]
pub struct DialogSetFull {
    pub limit: usize,
}

impl DialogSet {
    pub fn new(max: usize) -> Self {
        DialogSet {
            dialogs: HashMap::new(),
            max,
        }
    }

    /// Adds (or replaces) a dialog. Refuses a new one beyond the limit and hands it back.
    pub fn insert(&mut self, dialog: Dialog) -> Result<(), (DialogSetFull, Box<Dialog>)> {
        if self.dialogs.len() >= self.max && !self.dialogs.contains_key(&dialog.id) {
            return Err((DialogSetFull { limit: self.max }, Box::new(dialog)));
        }
        self.dialogs.insert(dialog.id.clone(), dialog);
        Ok(())
    }

    pub fn get(&self, id: &DialogId) -> Option<&Dialog> {
        self.dialogs.get(id)
    }

    pub fn get_mut(&mut self, id: &DialogId) -> Option<&mut Dialog> {
        self.dialogs.get_mut(id)
    }

    pub fn remove(&mut self, id: &DialogId) -> Option<Dialog> {
        self.dialogs.remove(id)
    }

    pub fn len(&self) -> usize {
        self.dialogs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dialogs.is_empty()
    }

    /// The dialogs that share a Call-ID and local tag: the early dialogs forked from one
    /// INVITE of ours.
    pub fn forks<'s>(
        &'s self,
        call_id: &'s str,
        local_tag: &'s str,
    ) -> impl Iterator<Item = &'s Dialog> + 's {
        self.dialogs
            .values()
            .filter(move |d| d.id.call_id == call_id && d.id.local_tag == local_tag)
    }

    /// Finds the dialog of a received request and applies it ([`Dialog::on_request`]);
    /// [`DialogError::UnknownDialog`] (481) when there is none.
    pub fn on_request(
        &mut self,
        request: &Message<'_>,
    ) -> Result<(DialogId, super::InDialogRequest), DialogError> {
        let id = match DialogId::for_received_request(request) {
            Err(DialogError::MissingTag { .. }) => return Err(DialogError::UnknownDialog),
            other => other?,
        };
        let dialog = self
            .dialogs
            .get_mut(&id)
            .ok_or(DialogError::UnknownDialog)?;
        dialog.on_request(request).map(|r| (id, r))
    }

    /// Drops terminated dialogs; returns how many.
    pub fn remove_terminated(&mut self) -> usize {
        let before = self.dialogs.len();
        self.dialogs
            .retain(|_, d| d.state != DialogState::Terminated);
        before - self.dialogs.len()
    }
}
