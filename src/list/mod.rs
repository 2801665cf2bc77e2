//! The loaded sessions of one connection and what the screens do with
//! them, in plain Rust: the view in the URL ([`query`]), the search index
//! and filter (`index`), ordering (`order`), and paging and grouping
//! ([`view`]).

pub mod criteria;
mod index;
mod order;
pub mod query;
mod rows;
pub mod view;

pub use criteria::Criteria;
pub use query::{ListQuery, SortDir, SortKey, PAGE_SIZES};
pub use rows::RowSet;
pub use view::{paginate, PageView, UserGroup};

use crate::model::{Session, Text};
use std::cell::RefCell;
use std::rc::Rc;

/// An ascending order of the rows by one column.
#[derive(Debug, Default)]
struct Order {
    rows: Vec<u32>,
    /// How many of them have a value (they come first).
    present: usize,
    /// By a time column: those rows' times as ordered integers, in order —
    /// merging the rows a load adds reads these, not the rows.
    times: Vec<u64>,
}

type Ordered = Rc<Order>;

/// The last filter's words and which rows matched them.
type LastFilter = (Vec<String>, Rc<Vec<bool>>, usize);

/// What was computed from the rows and can be reused until they change:
/// ascending orders per column, and the last filter's matches (a longer
/// filter only looks at the rows the shorter one matched).
#[derive(Default)]
struct Computed {
    sorts: std::collections::HashMap<SortKey, Ordered>,
    filter: Option<LastFilter>,
    id_order: Option<Rc<Vec<u32>>>,
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

    /// Rows were added after the others: the orders by a time column are
    /// kept (the next sort merges the new rows in, [`SessionList::sorted`]);
    /// everything else is computed again.
    fn appended(&self) {
        let mut c = self.0.borrow_mut();
        c.sorts.retain(|k, _| order::is_time(*k));
        c.filter = None;
        c.id_order = None;
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

/// All loaded sessions of one connection, with a search index.
///
/// Small per row, for a million of them: each repeated text (a client, a
/// system, a person's name) is kept once and shared by the rows that have
/// it ([`Texts`]), and the index holds it once, lower-cased; a row's own
/// entry in the index is its person and its device (two numbers) and the
/// texts only it has (its IP address and ID). The rows are found by ID
/// through a table of their positions ([`Ids`]), not a copy of every ID.
///
/// Change `sessions` only through the methods: they keep the index in step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionList {
    pub sessions: Vec<Session>,
    /// Each row's own search text (IP address, ID) followed by a newline.
    text: String,
    /// Byte offset where each row's line starts.
    starts: Vec<u32>,
    /// Each row's person and device in [`Texts`].
    shared: Derived<Vec<[u32; 2]>>,
    /// The distinct owners ([`Session::user_key`]) among the rows.
    owners: Derived<Owners>,
    ids: Ids,
    texts: Derived<Texts>,
    cache: ListCache,
    /// The admin's ticks, by row: they move with the rows.
    selected: Derived<RowSet>,
    /// The rows of the panel's own session (marked by the server or by
    /// [`SessionList::mark_current`]): never in a sweep's selection.
    current_rows: Derived<Vec<u32>>,
}

/// State kept beside the rows and derived from them: two lists are equal
/// when their rows are, whatever it holds.
#[derive(Clone, Default)]
struct Derived<T>(T);

impl<T> PartialEq for Derived<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> std::fmt::Debug for Derived<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(std::any::type_name::<T>())
    }
}

/// Where each row is, by its ID: the rows' positions in a hash table keyed
/// by the ID's hash (the ID itself is read from the row, never copied).
type Ids = Derived<hashbrown::HashTable<u32>>;

/// A text's hash (a session ID's for [`Ids`], and where a set of IDs is
/// kept as hashes; each distinct text's): eight bytes a step, multiplied
/// and rotated, then mixed as SplitMix64 finishes — a 20-byte ID is three
/// steps, where a byte a step (FNV-1a) took twenty.
pub fn id_hash(id: &str) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let step = |h: u64, word: u64| (h ^ word).wrapping_mul(K).rotate_left(31);
    let mut words = id.as_bytes().chunks_exact(8);
    let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ id.len() as u64;
    for w in &mut words {
        let mut b = [0; 8];
        b.copy_from_slice(w);
        h = step(h, u64::from_le_bytes(b));
    }
    let rest = words.remainder();
    let mut b = [0; 8];
    b[..rest.len()].copy_from_slice(rest);
    h = step(h, u64::from_le_bytes(b));
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// One copy of each repeated text among the rows, and the filter's index
/// of them: each distinct text lower-cased once, on its own line of one
/// buffer, numbered by its line (0: no text); each distinct person (name,
/// login) and device ([`Session::device_texts`]) as the numbers of the
/// texts it is made of.
#[derive(Clone)]
struct Texts {
    /// Text `n` (0: none), and where each is found by its hash
    /// ([`id_hash`]: no per-lookup key set-up as SipHash has, and the
    /// standard library's hash is not randomised in wasm either).
    all: Vec<Option<Text>>,
    find: hashbrown::HashTable<u32>,
    /// Line `n` is text `n` lower-cased (line 0 is empty).
    lower: String,
    /// Where each line starts.
    starts: Vec<u32>,
    /// (user ID, display name, login name) — the filter searches the last
    /// two; Everywhere looks people up by all three.
    people: Tuples<3>,
    devices: Tuples<7>,
}

impl Default for Texts {
    fn default() -> Self {
        Texts {
            all: vec![None],
            find: Default::default(),
            lower: "\n".into(),
            starts: vec![0],
            people: Default::default(),
            devices: Default::default(),
        }
    }
}

/// Which texts are an owner's key ([`Session::user_key`]; text 0: the
/// empty key), and how many: the header counts users without grouping a
/// million rows.
#[derive(Clone, Default)]
struct Owners {
    seen: Vec<bool>,
    count: usize,
}

impl Owners {
    fn add(&mut self, key: u32) {
        let at = key as usize;
        if self.seen.len() <= at {
            self.seen.resize(at + 1, false);
        }
        if !std::mem::replace(&mut self.seen[at], true) {
            self.count += 1;
        }
    }
}

/// What [`SessionList::people_naming`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct PeopleNamed {
    /// Indices of the rows of the people found (all of them, or of the
    /// exact matches only, see `all`).
    pub rows: Vec<u32>,
    /// How many people are named.
    pub how_many: usize,
    /// Whether `rows` are of every one named.
    pub all: bool,
}

/// Distinct tuples of text numbers, each numbered by its place.
#[derive(Clone, Default)]
struct Tuples<const N: usize> {
    all: Vec<[u32; N]>,
    find: hashbrown::HashTable<u32>,
}

impl<const N: usize> Tuples<N> {
    fn number(&mut self, t: [u32; N]) -> u32 {
        let hash = |t: &[u32; N]| {
            t.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &n| {
                (h ^ u64::from(n)).wrapping_mul(0x0100_0000_01b3)
            })
        };
        let all = &mut self.all;
        match self.find.find(hash(&t), |&i| all[i as usize] == t) {
            Some(&i) => i,
            None => {
                let i = u32::try_from(all.len()).expect("fewer than 2^32 tuples");
                all.push(t);
                self.find
                    .insert_unique(hash(&t), i, |&i| hash(&all[i as usize]));
                i
            }
        }
    }
}

impl Texts {
    /// The texts a row shares with others, replaced by their one copy; its
    /// person's and device's numbers, and its owner's key's. Not the IP
    /// address nor the ID: nearly every row has its own.
    fn share(&mut self, s: &mut Session) -> ([u32; 2], u32) {
        let person = [&mut s.user_id, &mut s.user_name, &mut s.username].map(|f| self.number(f));
        let owner = self.owner(person);
        let device = [
            &mut s.client,
            &mut s.client_version,
            &mut s.os,
            &mut s.os_version,
            &mut s.host,
            &mut s.location,
            &mut s.device_type,
        ]
        .map(|f| self.number(f));
        (
            [self.people.number(person), self.devices.number(device)],
            owner,
        )
    }

    /// The number of the key ([`Session::user_key`]: the user ID if any,
    /// else the login name) of the owner whose user ID, name and login are
    /// texts `person`; an empty key is 0, like none.
    fn owner(&self, person: [u32; 3]) -> u32 {
        let key = if person[0] != 0 { person[0] } else { person[2] };
        if index::line(&self.lower, &self.starts, key as usize).is_empty() {
            0
        } else {
            key
        }
    }

    /// The number of text `t` as written, if a row has it.
    fn find(&self, t: &str) -> Option<u32> {
        let all = &self.all;
        self.find
            .find(id_hash(t), |&n| all[n as usize].as_deref() == Some(t))
            .copied()
    }

    /// Text `f`'s number (0 for none), `f` replaced by the one copy. One
    /// hash and one probe, a new text's insertion included.
    fn number(&mut self, f: &mut Option<Text>) -> u32 {
        let Some(t) = f else { return 0 };
        let all = &self.all;
        let slot = self.find.entry(
            id_hash(t),
            |&n| all[n as usize].as_deref() == Some(&**t),
            |&n| id_hash(all[n as usize].as_deref().unwrap_or_default()),
        );
        let vacant = match slot {
            hashbrown::hash_table::Entry::Occupied(o) => {
                let n = *o.get();
                if let Some(one) = &self.all[n as usize] {
                    *t = one.clone();
                }
                return n;
            }
            hashbrown::hash_table::Entry::Vacant(v) => v,
        };
        let n = u32::try_from(self.starts.len()).expect("fewer than 2^32 texts");
        vacant.insert(n);
        self.starts
            .push(u32::try_from(self.lower.len()).expect("an index under 4 GB"));
        crate::model::push_search_lower(&mut self.lower, t);
        self.lower.push('\n');
        self.all.push(Some(t.clone()));
        n
    }
}

impl SessionList {
    pub fn new(sessions: Vec<Session>) -> Self {
        let mut l = SessionList::default();
        l.push_all(sessions);
        l
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Makes room for `total` rows at once (a load that knows its total):
    /// no growth by doubling, which would hold the old and the new copy of
    /// a million rows together for a moment.
    pub fn reserve(&mut self, total: usize) {
        let more = total.saturating_sub(self.sessions.len());
        if more == 0 {
            return;
        }
        self.sessions.reserve_exact(more);
        self.starts.reserve_exact(more);
        self.shared.0.reserve_exact(more);
        // The search text: as long a line as the rows so far have, a tenth
        // more — once there are rows to tell. Asked again as rows arrive,
        // it grows only when the estimate outgrows the room left.
        if let Some(line) = self.text.len().checked_div(self.sessions.len()) {
            let want = more * line * 11 / 10;
            let free = self.text.capacity() - self.text.len();
            if want > free + free / 4 {
                self.text.reserve_exact(want);
            }
        }
        let sessions = &self.sessions;
        self.ids
            .0
            .reserve(more, |&i| id_hash(&sessions[i as usize].id));
    }

    /// Adds rows, skipping IDs already present (pages can overlap while the
    /// server's list shifts under a paging walk). Returns how many were new.
    pub fn extend_unique(&mut self, rows: Vec<Session>) -> usize {
        let before = self.sessions.len();
        self.push_all(rows);
        self.sessions.len() - before
    }

    /// The row with this ID, if listed.
    fn position(&self, id: &str) -> Option<usize> {
        self.ids
            .0
            .find(id_hash(id), |&i| self.sessions[i as usize].id == id)
            .map(|&i| i as usize)
    }

    /// Whether a session with this ID is listed.
    pub fn contains(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    pub fn find(&self, id: &str) -> Option<&Session> {
        self.position(id).map(|i| &self.sessions[i])
    }

    /// Removes the sessions with these IDs; returns how many were removed.
    /// The selection keeps the rows that stay.
    pub fn remove_ids<S: AsRef<str>>(&mut self, ids: &[S]) -> usize {
        let set: std::collections::HashSet<&str> = ids.iter().map(|s| s.as_ref()).collect();
        let removed: Vec<bool> = self
            .sessions
            .iter()
            .map(|s| set.contains(s.id.as_str()))
            .collect();
        let before = self.sessions.len();
        let selected = self.selected.0.after_removing(&removed);
        let all = std::mem::take(&mut self.sessions);
        self.cache.clear();
        self.text.clear();
        self.starts.clear();
        self.shared.0.clear();
        self.owners.0 = Owners::default();
        self.ids.0.clear();
        self.current_rows.0.clear();
        self.push_all(
            all.into_iter()
                .zip(removed)
                .filter(|(_, gone)| !gone)
                .map(|(s, _)| s)
                .collect(),
        );
        self.selected.0 = selected;
        before - self.sessions.len()
    }

    /// Marks session `id` as the panel's own (it does not change the
    /// search text). Whether it was listed.
    pub fn mark_current(&mut self, id: &str) -> bool {
        match self.position(id) {
            Some(i) => {
                if !self.sessions[i].current {
                    self.sessions[i].current = true;
                    self.current_rows.0.push(i as u32);
                }
                true
            }
            None => false,
        }
    }

    /// The selected rows that the rows shown (`matched`, indices into the
    /// list) leave out — a selection the admin cannot see, in list order.
    /// Empty at once when nothing is selected.
    pub fn selected_not_shown(&self, matched: &[u32]) -> Vec<u32> {
        if self.selected.0.is_empty() {
            return Vec::new();
        }
        let shown = RowSet::of(matched.iter().map(|&i| i as usize));
        self.selected
            .0
            .without(&shown)
            .rows()
            .map(|i| i as u32)
            .collect()
    }

    /// How many sessions are selected.
    pub fn selected_count(&self) -> usize {
        self.selected.0.len()
    }

    /// Whether the session with this ID is listed and selected.
    pub fn is_selected(&self, id: &str) -> bool {
        self.position(id)
            .is_some_and(|i| self.selected.0.contains(i))
    }

    /// Ticks (`on`) or unticks the listed sessions with these IDs (exactly
    /// these: an ID not listed is passed over).
    pub fn select_ids<S: AsRef<str>>(&mut self, ids: &[S], on: bool) {
        for id in ids {
            if let Some(i) = self.position(id.as_ref()) {
                self.selected.0.set(i, on);
            }
        }
    }

    /// Unticks rows `rows`.
    pub fn unselect_rows(&mut self, rows: &[u32]) {
        for &i in rows {
            self.selected.0.set(i as usize, false);
        }
    }

    /// Selects exactly the rows `rows` but the panel's own session; whether
    /// that was among them (and left out).
    pub fn select_only_rows(&mut self, rows: &[u32]) -> bool {
        let len = self.sessions.len();
        let mut set = RowSet::of(rows.iter().map(|&i| i as usize).filter(|&i| i < len));
        let mut own = false;
        for &i in &self.current_rows.0 {
            own |= set.contains(i as usize);
            set.set(i as usize, false);
        }
        self.selected.0 = set;
        own
    }

    /// Unticks everything.
    pub fn clear_selection(&mut self) {
        self.selected.0 = RowSet::default();
    }

    /// The selected sessions, in list order.
    pub fn selected_sessions(&self) -> impl Iterator<Item = &Session> + '_ {
        self.selected.0.rows().map(|i| &self.sessions[i])
    }

    /// Takes over the selection of `old` (the list this one replaces): the
    /// sessions selected there and listed here stay selected.
    pub fn keep_selection_of(&mut self, old: &SessionList) {
        let mut set = RowSet::default();
        for s in old.selected_sessions() {
            if let Some(i) = self.position(&s.id) {
                set.set(i, true);
            }
        }
        self.selected.0 = set;
    }

    /// Marks the sessions of the account `user_id` (the one the panel is
    /// signed in with); how many.
    pub fn mark_own_account(&mut self, user_id: &str) -> usize {
        // By the user ID's text number (each row's person holds it): no
        // text compared per row.
        let texts = &self.texts.0;
        let want = texts.find(user_id);
        let mut n = 0;
        for (s, shared) in self.sessions.iter_mut().zip(self.shared.0.iter()) {
            let person = texts.people.all[shared[0] as usize];
            let mine = want.is_some_and(|w| person[0] == w);
            s.own_account = mine;
            n += usize::from(mine);
        }
        n
    }

    /// Which rows meet criteria `c`: what rows share with others from the
    /// same kind of device (client, system, location) is asked once per
    /// device, not once per row.
    pub fn meeting(&self, c: &criteria::Compiled) -> Vec<bool> {
        // Per device: not asked yet, no, yes.
        let mut device = vec![None; self.texts.0.devices.all.len()];
        self.sessions
            .iter()
            .zip(&self.shared.0)
            .map(|(s, &[_, d])| {
                *device[d as usize].get_or_insert_with(|| c.matches_device(s)) && c.matches_own(s)
            })
            .collect()
    }

    /// The people whose user ID, name or login contains `folded` (what
    /// was typed, `want`, lower-cased; a phrase is matched whole), for
    /// Everywhere: how many they are and, in list order, every row of them
    /// — or, when they are more than `listed`, only of those whose login
    /// (any case) or user ID (as written) may be exactly `want`. The
    /// distinct texts are searched, not every row.
    pub fn people_naming(&self, want: &str, folded: &str, listed: usize) -> PeopleNamed {
        let texts = &self.texts.0;
        let hit = texts.text_hits(folded);
        let line = |n: u32| index::line(&texts.lower, &texts.starts, n as usize);
        let as_written = texts.find(want);
        // The owners (by their key's text) one of whose texts is a hit.
        let mut named = vec![false; texts.starts.len()];
        let mut exact = Vec::new();
        let mut how_many = 0;
        let mut key_of = Vec::with_capacity(texts.people.all.len());
        for t in &texts.people.all {
            let key = texts.owner(*t);
            key_of.push(key);
            if !t.iter().any(|&n| hit[n as usize]) {
                continue;
            }
            if !named[key as usize] {
                named[key as usize] = true;
                // Key 0 (none, or empty) is no one's.
                how_many += usize::from(key != 0);
            }
            if (t[2] != 0 && line(t[2]) == folded) || (t[0] != 0 && Some(t[0]) == as_written) {
                exact.push(key);
            }
        }
        let all = how_many <= listed;
        if !all {
            named.iter_mut().for_each(|n| *n = false);
            for &k in &exact {
                named[k as usize] = true;
            }
        }
        // No one named (a first letter typed names too many, none exactly):
        // no row to look at.
        let rows = if !named.contains(&true) {
            Vec::new()
        } else {
            (0..self.sessions.len() as u32)
                .filter(|&r| named[key_of[self.shared.0[r as usize][0] as usize] as usize])
                .collect()
        };
        PeopleNamed {
            rows,
            how_many,
            all,
        }
    }

    /// The rows, in list order, whose owner's key ([`Session::user_key`])
    /// is exactly one of `keys` (never an empty key): by the keys' text
    /// numbers, each row's person read as numbers — no text hashed or
    /// compared per row.
    pub fn rows_of_owners<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> Vec<usize> {
        let texts = &self.texts.0;
        let mut wanted = vec![false; texts.starts.len()];
        let mut any = false;
        for k in keys.into_iter().filter(|k| !k.is_empty()) {
            if let Some(n) = texts.find(k) {
                wanted[n as usize] = true;
                any = true;
            }
        }
        if !any {
            return Vec::new();
        }
        let person_wanted: Vec<bool> = texts
            .people
            .all
            .iter()
            // Owner 0 (no key) is never wanted: no key's text is number 0.
            .map(|&p| wanted[texts.owner(p) as usize])
            .collect();
        self.shared
            .0
            .iter()
            .enumerate()
            .filter(|(_, s)| person_wanted[s[0] as usize])
            .map(|(r, _)| r)
            .collect()
    }

    /// How many owners the rows have (as many as [`SessionList::groups`]).
    pub fn user_count(&self) -> usize {
        self.owners.0.count
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
