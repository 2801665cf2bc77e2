//! The loaded sessions of one connection and what the screens do with
//! them, in plain Rust: the view in the URL ([`query`]), the search index
//! and filter (`index`), ordering (`order`), and paging and grouping
//! ([`view`]).

pub mod criteria;
mod index;
mod order;
pub mod query;
pub mod view;

pub use criteria::Criteria;
pub use query::{ListQuery, SortDir, SortKey, PAGE_SIZES};
pub use view::{paginate, PageView, UserGroup};

use crate::model::Session;
use std::cell::RefCell;
use std::rc::Rc;

/// An ascending order and how many of its rows have a value.
type Ordered = Rc<(Vec<u32>, usize)>;

/// The last filter's words and which rows matched them.
type LastFilter = (Vec<String>, Rc<Vec<bool>>, usize);

/// What was computed from the rows and can be reused until they change:
/// ascending orders per column, and the last filter's matches (a longer
/// filter only looks at the rows the shorter one matched).
#[derive(Default)]
struct Computed {
    sorts: std::collections::HashMap<SortKey, Ordered>,
    filter: Option<LastFilter>,
    id_ranks: Option<Rc<Vec<u32>>>,
}

#[derive(Default)]
struct ListCache(RefCell<Computed>);

impl Clone for ListCache {
    fn clone(&self) -> Self {
        ListCache::default()
    }
}

impl PartialEq for ListCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for ListCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListCache")
    }
}

impl ListCache {
    fn clear(&self) {
        *self.0.borrow_mut() = Computed::default();
    }

    /// What `get` finds in the cache, or else `make`'s answer, stored with
    /// `put` until the rows change.
    fn get_or<T: Clone>(
        &self,
        get: impl FnOnce(&Computed) -> Option<T>,
        make: impl FnOnce() -> T,
        put: impl FnOnce(&mut Computed, T),
    ) -> T {
        if let Some(v) = get(&self.0.borrow()) {
            return v;
        }
        let v = make();
        put(&mut self.0.borrow_mut(), v.clone());
        v
    }
}

/// All loaded sessions of one connection, with a search index: every row's
/// lower-cased search text in one string, so a filter is one pass of one
/// searcher over it instead of one search per row.
///
/// Change `sessions` only through the methods: they keep the index in step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionList {
    pub sessions: Vec<Session>,
    /// Each row's search text followed by a newline.
    text: String,
    /// Byte offset where each row's line starts.
    starts: Vec<usize>,
    cache: ListCache,
}

impl SessionList {
    pub fn new(sessions: Vec<Session>) -> Self {
        let mut l = SessionList {
            sessions: Vec::new(),
            text: String::new(),
            starts: Vec::new(),
            cache: ListCache::default(),
        };
        l.push_all(sessions);
        l
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Adds rows, skipping IDs already present (pages can overlap while the
    /// server's list shifts under a paging walk). Returns how many were new.
    pub fn extend_unique(&mut self, rows: Vec<Session>) -> usize {
        let before = self.sessions.len();
        let fresh: Vec<Session> = {
            let mut seen: std::collections::HashSet<&str> =
                self.sessions.iter().map(|s| s.id.as_str()).collect();
            let mut keep = vec![false; rows.len()];
            for (i, r) in rows.iter().enumerate() {
                keep[i] = seen.insert(r.id.as_str());
            }
            rows.into_iter()
                .zip(keep)
                .filter_map(|(r, k)| k.then_some(r))
                .collect()
        };
        self.push_all(fresh);
        self.sessions.len() - before
    }

    pub fn find(&self, id: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }

    /// Removes the sessions with these IDs; returns how many were removed.
    pub fn remove_ids<S: AsRef<str>>(&mut self, ids: &[S]) -> usize {
        let set: std::collections::HashSet<&str> = ids.iter().map(|s| s.as_ref()).collect();
        let before = self.sessions.len();
        let all = std::mem::take(&mut self.sessions);
        self.cache.clear();
        self.text.clear();
        self.starts.clear();
        self.push_all(
            all.into_iter()
                .filter(|s| !set.contains(s.id.as_str()))
                .collect(),
        );
        before - self.sessions.len()
    }

    /// Marks session `id` as the panel's own (it does not change the
    /// search text). Whether it was listed.
    pub fn mark_current(&mut self, id: &str) -> bool {
        match self.sessions.iter_mut().find(|s| s.id == id) {
            Some(s) => {
                s.current = true;
                true
            }
            None => false,
        }
    }

    /// The selected sessions (`selected`) that the rows shown (`matched`,
    /// indices into the list) leave out — a selection the admin cannot see,
    /// in list order. Empty at once when nothing is selected.
    pub fn selected_not_shown(
        &self,
        matched: &[u32],
        selected: &std::collections::HashSet<String>,
    ) -> Vec<String> {
        if selected.is_empty() {
            return Vec::new();
        }
        let mut shown = vec![false; self.sessions.len()];
        for &i in matched {
            if let Some(b) = shown.get_mut(i as usize) {
                *b = true;
            }
        }
        self.sessions
            .iter()
            .zip(shown)
            .filter(|(s, shown)| !shown && selected.contains(&s.id))
            .map(|(s, _)| s.id.clone())
            .collect()
    }

    /// Marks the sessions of the account `user_id` (the one the panel is
    /// signed in with); how many.
    pub fn mark_own_account(&mut self, user_id: &str) -> usize {
        let mut n = 0;
        for s in self.sessions.iter_mut() {
            let mine = s.user_id.as_deref() == Some(user_id);
            s.own_account = mine;
            n += usize::from(mine);
        }
        n
    }

    /// IDs of every session of the owner identified by `user_key`.
    pub fn ids_of_user(&self, user_key: &str) -> Vec<String> {
        self.sessions
            .iter()
            .filter(|s| s.user_key() == user_key)
            .map(|s| s.id.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests;
