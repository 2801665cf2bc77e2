//! The admin's ticks on one server, as the table and the toolbar see them.
//! They are kept in the list itself, a bit a row ([`crate::list::RowSet`]),
//! so they move with the rows; changing them wakes only what shows them
//! (not the filter, the sort or the groups, which read the rows).

use crate::list::SessionList;
use leptos::prelude::*;

/// A handle on one server's selection (copied freely).
#[derive(Clone, Copy)]
pub struct Selection {
    pub(super) list: RwSignal<SessionList, LocalStorage>,
    pub(super) changed: Trigger,
}

impl Selection {
    /// Subscribes the running effect or memo to the selection (and to the
    /// rows it is of).
    pub fn track(self) {
        self.changed.track();
        self.list.track();
    }

    /// How many sessions are selected (tracked).
    pub fn count(self) -> usize {
        self.changed.track();
        self.list.with(SessionList::selected_count)
    }

    /// Whether the session with this ID is selected (tracked).
    pub fn contains(self, id: &str) -> bool {
        self.changed.track();
        self.list.with(|l| l.is_selected(id))
    }

    /// The selected sessions' IDs, in list order (not tracked).
    pub fn ids(self) -> Vec<String> {
        self.list
            .with_untracked(|l| l.selected_sessions().map(|s| s.id.clone()).collect())
    }

    /// Ticks (`on`) or unticks exactly these sessions.
    pub fn set(self, ids: &[String], on: bool) {
        self.change(|l| l.select_ids(ids, on));
    }

    /// Unticks rows `rows` of the list as it is.
    pub fn unselect_rows(self, rows: &[u32]) {
        self.change(|l| l.unselect_rows(rows));
    }

    /// Unticks everything.
    pub fn clear(self) {
        self.change(SessionList::clear_selection);
    }

    pub(super) fn change<T>(self, f: impl FnOnce(&mut SessionList) -> T) -> T {
        let out = self
            .list
            .try_update_untracked(f)
            .expect("the server's list lives as long as its selection");
        self.changed.notify();
        out
    }
}
