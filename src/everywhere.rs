//! Working across every connected server at once (plain Rust): the
//! distinct people what the admin typed names on one server, which loaded
//! sessions a sweep — the people ticked, criteria, or both — keeps there,
//! and the calls that end exactly those.

use crate::backends::Backend;
use crate::list::criteria::{contains_folded, Compiled};
use crate::list::{Criteria, SessionList};
use crate::lowercase::lower;
use crate::model::Session;
use crate::plural::counted;
use crate::revoke::Action;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What the Everywhere view looks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepQuery {
    /// What the admin typed to find people: (part of) a display name, login
    /// name, e-mail or user ID. It only finds them ([`people`]): a sweep
    /// ends the people ticked, never everyone whose name contains it.
    pub person: String,
    pub crit: Criteria,
    /// The panel's own sessions are left out unless this is ticked.
    pub include_own: bool,
}

/// One server's part of a sweep.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    /// Indices into the server's sessions that the sweep ends.
    pub chosen: Vec<usize>,
    /// Sessions that match but are the panel's own (left out unless
    /// `include_own`; counted so the preview can say so).
    pub own_matching: usize,
    /// Own sessions among `chosen`.
    pub own_chosen: usize,
}

impl SweepQuery {
    pub fn is_empty(&self) -> bool {
        self.person.trim().is_empty() && self.crit.is_empty()
    }

    /// Only a person, no criteria: "everything of <person>", where a
    /// server's own call for a whole user may be used.
    pub fn whole_person(&self) -> bool {
        !self.person.trim().is_empty() && self.crit.is_empty()
    }

    /// What this sweep keeps of one server's `list`: with a person typed,
    /// only sessions of the people `ticked` (their keys, see
    /// [`Person::key`]). Nothing for an empty sweep (it never means
    /// "everything").
    pub fn find<'k>(
        &self,
        list: &SessionList,
        compiled: &Compiled,
        ticked: impl IntoIterator<Item = &'k str>,
    ) -> Found {
        self.find_among(list, compiled, self.rows_of(list, ticked).as_deref())
    }

    /// With a person typed, the rows of the people `ticked`, in list order
    /// (found by the list's index, [`SessionList::rows_of_owners`]: a
    /// keystroke never walks every row); without, `None`: every row.
    fn rows_of<'k>(
        &self,
        list: &SessionList,
        ticked: impl IntoIterator<Item = &'k str>,
    ) -> Option<Vec<usize>> {
        (!self.person.trim().is_empty()).then(|| list.rows_of_owners(ticked))
    }

    /// [`SweepQuery::find`] among `rows` ([`SweepQuery::rows_of`]; `None`:
    /// every row).
    fn find_among(&self, list: &SessionList, compiled: &Compiled, rows: Option<&[usize]>) -> Found {
        match rows {
            Some(rows) => self.find_in(&list.sessions, compiled, rows.iter().copied()),
            None => self.find_in(&list.sessions, compiled, 0..list.sessions.len()),
        }
    }

    /// What this sweep keeps of `rows` of `sessions`.
    fn find_in(
        &self,
        sessions: &[Session],
        compiled: &Compiled,
        rows: impl IntoIterator<Item = usize>,
    ) -> Found {
        let mut found = Found::default();
        if self.is_empty() {
            return found;
        }
        for i in rows {
            let Some(s) = sessions.get(i) else { continue };
            if compiled.matches(s) {
                if s.current {
                    found.own_matching += 1;
                    if !self.include_own {
                        continue;
                    }
                    found.own_chosen += 1;
                }
                found.chosen.push(i);
            }
        }
        found
    }

    /// The calls that end exactly `found.chosen` on a server with
    /// `backend`: for "everything of <person>", a user whose every listed
    /// session is chosen is ended by the server's own per-user call (where
    /// it has one, e.g. DocSpace `logoutall`); everything else one session
    /// per call. Never a per-user call for part of a user's sessions, nor
    /// when their session the panel uses is left out. `of_people`: every
    /// row of the people ticked, where known (the users' listed sessions
    /// are counted among them; else among all `sessions`).
    pub fn plan(
        &self,
        backend: &dyn Backend,
        sessions: &[Session],
        found: &Found,
        of_people: Option<&[usize]>,
    ) -> Action {
        let mut users: Vec<(String, Vec<String>)> = Vec::new();
        let mut whole: HashSet<usize> = HashSet::new();
        if self.whole_person() && !found.chosen.is_empty() {
            // The chosen sessions of each user, and how many they have listed.
            let mut picked: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for &i in &found.chosen {
                picked.entry(sessions[i].user_key()).or_default().push(i);
            }
            let mut listed: HashMap<&str, usize> = picked.keys().map(|k| (*k, 0)).collect();
            let count = |s: &Session| {
                if let Some(n) = listed.get_mut(s.user_key()) {
                    *n += 1;
                }
            };
            match of_people {
                Some(rows) => rows.iter().filter_map(|&i| sessions.get(i)).for_each(count),
                None => sessions.iter().for_each(count),
            }
            for (key, picked) in picked {
                let every = !key.is_empty() && listed[key] == picked.len();
                if every && backend.revoke_user(key).is_some_and(|r| r.is_ok()) {
                    users.push((
                        key.to_string(),
                        picked.iter().map(|&i| sessions[i].id.clone()).collect(),
                    ));
                    whole.extend(picked);
                }
            }
        }
        let ids: Vec<String> = found
            .chosen
            .iter()
            .filter(|i| !whole.contains(i))
            .map(|&i| sessions[i].id.clone())
            .collect();
        let all = users
            .iter()
            .flat_map(|(_, u)| u.iter().cloned())
            .chain(ids.iter().cloned())
            .collect();
        Action::Sweep { users, ids, all }
    }
}

/// How a server's part of a sweep ends its sessions, in words: "one call
/// per session", "1 whole user by the server's per-user call; 2 other
/// sessions one call each".
pub fn calls_in_words(action: &Action) -> String {
    let Action::Sweep { users, ids, .. } = action else {
        return String::new();
    };
    let mut parts = Vec::new();
    if !users.is_empty() {
        parts.push(format!(
            "{} by the server's per-user call",
            counted(users.len(), "whole user")
        ));
    }
    if !ids.is_empty() {
        parts.push(if users.is_empty() {
            "one call per session".to_string()
        } else {
            format!("{} one call each", counted(ids.len(), "other session"))
        });
    }
    parts.join("; ")
}

/// One distinct person (an account) on one server that what the admin
/// typed names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Person {
    /// Their account on this server: user ID, else login name.
    pub key: String,
    /// Display name ("Dana Ross").
    pub name: Option<String>,
    /// Login name or e-mail ("dana.ross").
    pub login: Option<String>,
    pub user_id: Option<String>,
    /// Their e-mail, where the server's people API said.
    pub email: Option<String>,
    /// Their loaded sessions on this server.
    pub sessions: usize,
    /// The account the panel is signed in with here.
    pub own_account: bool,
    /// What was typed is exactly their login name, e-mail or user ID — and
    /// of no other account found here — so they are ticked from the start
    /// (a part of a name never is).
    pub exact: bool,
    /// What was typed is exactly the login, e-mail or ID of this account
    /// and of others found on this server (a field that is not unique
    /// here): none of them is ticked for the admin.
    pub exact_shared: bool,
    /// What tells this account apart from every other one found on this
    /// server, when its label alone does not ("ID 5f0c…").
    pub apart: Option<String>,
}

impl Person {
    /// "Dana Ross (dana.ross)", "Dana Ross (ID 5f0c…)", "dana.ross" — and,
    /// where two accounts found on one server would read the same, what
    /// tells this one apart ("Dana Ross (dana.ross) · ID u-2").
    pub fn label(&self) -> String {
        let mut label = match &self.apart {
            Some(apart) => format!("{} · {apart}", self.base_label()),
            None => self.base_label(),
        };
        if self.own_account {
            label.push_str(" · your account");
        }
        label
    }

    /// The label from the account's own fields.
    fn base_label(&self) -> String {
        let id = self.user_id.as_deref();
        let login = self.login.clone().or_else(|| self.email.clone());
        match (&self.name, &login) {
            (Some(n), Some(l)) if n != l => format!("{n} ({l})"),
            (Some(n), _) => match id {
                Some(id) => format!("{n} (ID {id})"),
                None => n.clone(),
            },
            (None, Some(l)) => l.clone(),
            (None, None) => format!("ID {}", self.key),
        }
    }
}

/// The distinct people among one server's `sessions` whom `typed` names
/// (case-insensitively, in a display name, login name, e-mail or user ID):
/// exact matches first, then by name. Sessions without a known user are
/// nobody's. Nothing for empty text.
pub fn people<'a>(sessions: impl IntoIterator<Item = &'a Session>, typed: &str) -> Vec<Person> {
    let want = typed.trim();
    if want.is_empty() {
        return Vec::new();
    }
    let folded = lower(want);
    let mut by_key: BTreeMap<&str, Person> = BTreeMap::new();
    for s in sessions {
        let key = s.user_key();
        if key.is_empty() {
            continue;
        }
        let p = by_key.entry(key).or_insert_with(|| Person {
            key: key.to_string(),
            ..Default::default()
        });
        p.sessions += 1;
        p.own_account |= s.own_account;
        let fill = |slot: &mut Option<String>, v: &Option<crate::model::Text>| {
            if slot.is_none() {
                *slot = v
                    .as_deref()
                    .filter(|v| !v.trim().is_empty())
                    .map(str::to_string);
            }
        };
        fill(&mut p.name, &s.user_name);
        fill(&mut p.login, &s.username);
        fill(&mut p.user_id, &s.user_id);
    }
    let found: Vec<Person> = by_key
        .into_values()
        .filter(|p| {
            [&p.name, &p.login, &p.user_id]
                .into_iter()
                .flatten()
                .any(|v| contains_folded(v, &folded))
        })
        .collect();
    finish(found, want)
}

/// Adds to one server's `found` (see [`people`]) the accounts its people
/// API found for what was `typed` (DocSpace lists display names only, so
/// a login or e-mail is looked up there), each with its loaded `sessions`:
/// an account the list already names gets its login and e-mail; one with
/// no loaded session is left out (nothing of it would end).
pub fn with_accounts(
    sessions: &[Session],
    found: Vec<Person>,
    accounts: &[crate::backends::Account],
    typed: &str,
) -> Vec<Person> {
    let mut found = found;
    for a in accounts {
        if let Some(p) = found.iter_mut().find(|p| p.key == a.user_id) {
            p.name = p.name.take().or_else(|| a.name.clone());
            p.login = p.login.take().or_else(|| a.login.clone());
            p.email = p.email.take().or_else(|| a.email.clone());
            continue;
        }
        let n = sessions
            .iter()
            .filter(|s| s.user_key() == a.user_id)
            .count();
        if n > 0 {
            found.push(Person {
                key: a.user_id.clone(),
                name: a.name.clone(),
                login: a.login.clone(),
                user_id: Some(a.user_id.clone()),
                email: a.email.clone(),
                sessions: n,
                ..Default::default()
            });
        }
    }
    finish(found, typed.trim())
}

/// Which of `found` are exact (what was typed, `want`, is their login,
/// e-mail or ID — and no one else's here), how they are told apart, in
/// what order they are listed.
fn finish(mut found: Vec<Person>, want: &str) -> Vec<Person> {
    let folded = lower(want);
    for p in found.iter_mut() {
        p.exact = p.login.as_deref().is_some_and(|l| lower(l) == folded)
            || p.email.as_deref().is_some_and(|e| lower(e) == folded)
            || p.user_id.as_deref() == Some(want);
        p.exact_shared = false;
        p.apart = None;
    }
    // An exact match several accounts share is no one's: none is ticked.
    if found.iter().filter(|p| p.exact).count() > 1 {
        for p in found.iter_mut().filter(|p| p.exact) {
            p.exact = false;
            p.exact_shared = true;
        }
    }
    // Two accounts that would read the same — or only look alike, a Latin
    // letter swapped for a Cyrillic or Greek one — are told apart by their
    // key (user ID, else login), unique on the server.
    let looks: Vec<String> = found.iter().map(|p| skeleton(&p.base_label())).collect();
    let mut alike: HashMap<&str, usize> = HashMap::new();
    for l in &looks {
        *alike.entry(l.as_str()).or_default() += 1;
    }
    for (p, l) in found.iter_mut().zip(&looks) {
        if alike[l.as_str()] > 1 {
            p.apart = Some(format!("ID {}", p.key));
        }
    }
    found.sort_by_cached_key(|p| (!p.exact, lower(&p.label())));
    found
}

/// How `s` looks: lower-cased, with the letters of other scripts that look
/// like Latin ones (Cyrillic а, е, о, р, с, у, х, і, ј, ѕ; Greek ο, α, ν, ρ,
/// τ, ι, κ; dotless ı; fullwidth forms) read as those, and invisible
/// characters dropped — two names alike here look alike to the admin.
pub fn skeleton(s: &str) -> String {
    lower(s)
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
            )
        })
        .map(|c| match c {
            'а' | 'α' => 'a',
            'в' => 'b',
            'с' | 'ϲ' => 'c',
            'ԁ' => 'd',
            'е' | 'ε' => 'e',
            'һ' => 'h',
            'і' | 'ι' | 'ı' | 'ӏ' => 'i',
            'ј' => 'j',
            'к' | 'κ' => 'k',
            'м' => 'm',
            'н' | 'η' => 'n',
            'о' | 'ο' | 'σ' => 'o',
            'р' | 'ρ' => 'p',
            'ԛ' => 'q',
            'ѕ' => 's',
            'т' | 'τ' => 't',
            'υ' => 'u',
            'ν' => 'v',
            'ԝ' | 'ω' => 'w',
            'х' | 'χ' => 'x',
            'у' | 'γ' => 'y',
            // Fullwidth ASCII.
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// Why a server shows nobody for what was typed, where it is not simply
/// absent: a login or e-mail typed on a server that lists display names
/// only (and whose accounts could not be looked up) — said, never silent.
pub fn not_found_note(
    label: &str,
    sessions: &[Session],
    typed: &str,
    found: &[Person],
) -> Option<String> {
    let t = typed.trim();
    let like_login = !t.is_empty() && !t.contains(char::is_whitespace);
    let names_only = !sessions.is_empty() && sessions.iter().all(|s| s.username.is_none());
    (found.is_empty() && like_login && names_only).then(|| {
        format!(
            "{label}: no account found by login or e-mail \u{201c}{t}\u{201d} — this server lists display names only; search by name."
        )
    })
}

/// Which of `people` are one person: accounts that share a login or an
/// e-mail (on other servers) — each group as indices into `people`, in
/// the order first met.
pub fn linked<'a>(people: impl IntoIterator<Item = &'a Person>) -> Vec<Vec<usize>> {
    let ids: Vec<Vec<String>> = people
        .into_iter()
        .map(|p| {
            [&p.login, &p.email]
                .into_iter()
                .flatten()
                .map(|k| lower(k.trim()))
                .filter(|k| !k.is_empty())
                .collect()
        })
        .collect();
    // Union-find over the accounts: linked when they share an identifier.
    let mut parent: Vec<usize> = (0..ids.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..ids.len() {
        for j in i + 1..ids.len() {
            if ids[i].iter().any(|k| ids[j].contains(k)) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for i in 0..ids.len() {
        let r = root(&mut parent, i);
        match groups.iter_mut().find(|(g, _)| *g == r) {
            Some((_, members)) => members.push(i),
            None => groups.push((r, vec![i])),
        }
    }
    groups.into_iter().map(|(_, m)| m).collect()
}

/// How many people `ticked` are ([`linked`]): "1 person" for Dana Ross on
/// three servers.
pub fn distinct_people<'a>(ticked: impl IntoIterator<Item = &'a Person>) -> usize {
    linked(ticked).len()
}

/// The people a sweep ends, named once each with their accounts: `ticked`
/// holds each account's server, the account and its sessions in the
/// sweep. "Dana Ross (dana.ross) — 3 accounts on 3 servers: Rocket.Chat ·
/// … 2 sessions; DocSpace · … 1 session; …", and the sessions of each.
pub fn people_named(ticked: &[(String, Person, usize)]) -> Vec<(String, usize)> {
    linked(ticked.iter().map(|(_, p, _)| p))
        .into_iter()
        .map(|members| {
            // Named by the account that has a display name, where one has.
            let first = members
                .iter()
                .map(|&i| &ticked[i].1)
                .find(|p| p.name.is_some())
                .unwrap_or(&ticked[members[0]].1);
            let n: usize = members.iter().map(|&i| ticked[i].2).sum();
            let text = if members.len() == 1 {
                let (server, p, _) = &ticked[members[0]];
                format!("{} on {server}", p.label())
            } else {
                let servers: Vec<String> = members
                    .iter()
                    .map(|&i| {
                        let (server, p, k) = &ticked[i];
                        format!("{server} as {} ({})", p.label(), counted(*k, "session"))
                    })
                    .collect();
                let on: HashSet<&str> = members.iter().map(|&i| ticked[i].0.as_str()).collect();
                format!(
                    "{} — {} on {}: {}",
                    first.label(),
                    counted(members.len(), "account"),
                    counted(on.len(), "server"),
                    servers.join("; ")
                )
            };
            (text, n)
        })
        .collect()
}

/// Why nobody found on a server is ticked for the admin although what was
/// typed is exact: it is the login, e-mail or ID of several accounts there.
pub fn shared_exact_note(found: &[Person], typed: &str) -> Option<String> {
    let n = found.iter().filter(|p| p.exact_shared).count();
    (n > 1).then(|| {
        format!(
            "\u{201c}{}\u{201d} is exactly the login, e-mail or ID of {n} accounts on this server, so none is ticked for you: tick the one whose sessions must end.",
            typed.trim()
        )
    })
}

/// Leaves out of `found` the sessions an earlier part of the same sweep
/// already has: two connections (accounts) to one server list the same
/// sessions, which must be counted and revoked once. `server` names the
/// server (its kind and URL); `seen` carries what earlier parts hold.
pub fn dedupe(
    found: &mut Found,
    sessions: &[Session],
    server: &str,
    seen: &mut HashSet<(String, String)>,
) {
    found.chosen.retain(|&i| {
        sessions
            .get(i)
            .is_some_and(|s| seen.insert((server.to_string(), s.id.clone())))
    });
    found.own_chosen = found
        .chosen
        .iter()
        .filter(|&&i| sessions[i].current)
        .count();
}

/// What a server's people search answered for what was typed: its
/// accounts, or why it failed; `None` while it has not answered (or the
/// server has none).
pub type Searched = Option<Result<Vec<crate::backends::Account>, String>>;

/// The people `typed` names on one server: at most [`PEOPLE_LISTED`] of
/// them (exact matches first), how many more it names, and what to say
/// when no one is found there.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundOn {
    pub people: Vec<Person>,
    pub more: usize,
    pub note: Option<String>,
}

/// The most people listed per server: one letter typed on a server of
/// 300,000 sessions names thousands; the admin types on to find the one
/// (an exact login, e-mail or user ID is always listed).
pub const PEOPLE_LISTED: usize = 50;

/// The distinct people `typed` names on one server (`label`) — from its
/// loaded sessions (`list`) and, where it has a people search
/// (`searches`), what that answered — and what to say when no one is found
/// there. When the list names more than [`PEOPLE_LISTED`], only the exact
/// matches are made into people; the others are counted.
pub fn people_on(
    label: &str,
    list: &SessionList,
    typed: &str,
    searches: bool,
    answer: Searched,
) -> FoundOn {
    let want = typed.trim();
    let folded = lower(want);
    // Only the rows of the people the list's index finds by the phrase;
    // too many to list, only of the people it may name exactly (login or
    // user ID), whom `finish` then marks exact or not.
    let named = list.people_naming(want, &folded, PEOPLE_LISTED);
    let listed = people(
        named.rows.iter().map(|&r| &list.sessions[r as usize]),
        typed,
    );
    let unlisted = if named.all {
        0
    } else {
        named.how_many.saturating_sub(listed.len())
    };
    let sessions = &list.sessions;
    let (mut people, note) = match answer {
        Some(Ok(accounts)) => {
            let all = with_accounts(sessions, listed, &accounts, typed);
            let note = not_found_note(label, sessions, typed, &all);
            (all, note)
        }
        Some(Err(e)) if listed.is_empty() => (
            listed,
            Some(format!(
                "{label}: the people search failed, so a login or e-mail cannot be found here: {e}"
            )),
        ),
        None if searches && listed.is_empty() && !want.is_empty() => (
            listed,
            Some(format!(
                "{label}: looking the name up in its people search…"
            )),
        ),
        _ => {
            let note = not_found_note(label, sessions, typed, &listed);
            (listed, note)
        }
    };
    let more = unlisted + people.len().saturating_sub(PEOPLE_LISTED);
    people.truncate(PEOPLE_LISTED);
    FoundOn { people, more, note }
}

/// One server's part of a sweep: which of its `sessions` it ends (none
/// while `refused`, i.e. its own session is not known; a session already
/// taken through another connection to the same `address` is left out,
/// see [`dedupe`]), the calls that end exactly those, and each of the
/// `ticked` people with how many of their sessions it ends.
#[allow(clippy::too_many_arguments)]
pub fn server_part(
    query: &SweepQuery,
    backend: &dyn Backend,
    list: &SessionList,
    compiled: &Compiled,
    ticked: Vec<Person>,
    refused: bool,
    address: &str,
    seen: &mut HashSet<(String, String)>,
) -> (Found, Action, Vec<(Person, usize)>) {
    let sessions = &list.sessions;
    let of_people = query.rows_of(list, ticked.iter().map(|p| p.key.as_str()));
    let mut found = if refused {
        Found::default()
    } else {
        query.find_among(list, compiled, of_people.as_deref())
    };
    dedupe(&mut found, sessions, address, seen);
    let action = query.plan(backend, sessions, &found, of_people.as_deref());
    let people = ticked
        .into_iter()
        .map(|p| {
            let n = found
                .chosen
                .iter()
                .filter(|&&i| sessions[i].user_key() == p.key)
                .count();
            (p, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    (found, action, people)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::BackendKind;
    use crate::list::SessionList;

    fn s(id: &str, user: &str, name: &str) -> Session {
        Session {
            id: id.into(),
            user_id: Some(user.into()),
            user_name: Some(name.into()),
            client: Some(
                if id.ends_with('w') {
                    "Firefox"
                } else {
                    "Chrome"
                }
                .into(),
            ),
            ..Default::default()
        }
    }

    fn sweep(person: &str) -> SweepQuery {
        SweepQuery {
            person: person.into(),
            ..Default::default()
        }
    }

    fn none() -> Compiled {
        Compiled::default()
    }

    /// The keys of the people `typed` finds that are pre-ticked (exact).
    fn exact(rows: &[Session], typed: &str) -> HashSet<String> {
        people(rows, typed)
            .into_iter()
            .filter(|p| p.exact)
            .map(|p| p.key)
            .collect()
    }

    fn keys(k: &[&str]) -> HashSet<String> {
        k.iter().map(|k| k.to_string()).collect()
    }

    fn with_login(id: &str, user: &str, name: &str, login: &str) -> Session {
        Session {
            username: Some(login.into()),
            ..s(id, user, name)
        }
    }

    #[test]
    fn a_person_is_an_account_never_a_substring() {
        let rows = [
            with_login("1", "u-ross", "Dana Ross", "dana.ross"),
            with_login("2", "u-rossi", "Dana Rossi", "dana.rossi"),
            with_login("3", "u-ross", "Dana Ross", "dana.ross"),
            s("4", "u-eve", "Eve"),
            Session {
                id: "5".into(),
                user_name: Some("Dana Ross".into()),
                ..Default::default()
            },
        ];
        // Both are found, each once, with their sessions counted…
        let found = people(&rows, "Dana Ross");
        let labels: Vec<String> = found.iter().map(Person::label).collect();
        assert_eq!(labels, ["Dana Ross (dana.ross)", "Dana Rossi (dana.rossi)"]);
        assert_eq!(found[0].sessions, 2);
        // …and a name, whole or in part, ticks nobody.
        assert!(found.iter().all(|p| !p.exact));
        // A login name, e-mail or user ID typed exactly may be ticked.
        assert_eq!(exact(&rows, "DANA.ROSS"), keys(&["u-ross"]));
        assert_eq!(exact(&rows, "u-rossi"), keys(&["u-rossi"]));
        assert_eq!(exact(&rows, "U-ROSSI"), keys(&[]), "an ID is exact");
        assert_eq!(people(&rows, "dana.ross")[0].key, "u-ross", "exact first");
        // The sweep keeps the ticked person's sessions only.
        let list = SessionList::new(rows.to_vec());
        let w = sweep("Dana Ross");
        assert_eq!(w.find(&list, &none(), ["u-ross"]).chosen, [0, 2]);
        assert_eq!(w.find(&list, &none(), ["u-rossi"]).chosen, [1]);
        assert!(w.find(&list, &none(), []).chosen.is_empty());
        // A session of no known user is nobody's, even under their name.
        assert!(!w
            .find(&list, &none(), ["u-ross", "u-rossi", ""])
            .chosen
            .contains(&4));
        assert!(people(&rows, "  ").is_empty());
        assert!(
            sweep("  ")
                .find(&list, &none(), ["u-eve"])
                .chosen
                .is_empty(),
            "empty is not all"
        );
    }

    /// Two accounts that look the same are told apart, and an exact match
    /// they share ticks neither.
    #[test]
    fn accounts_not_labels_and_a_shared_exact_match_ticks_no_one() {
        let rows = [
            with_login("1", "u-1", "Dana Ross", "dana"),
            with_login("2", "u-2", "Dana Ross", "dana"),
            with_login("3", "u-3", "Dana Rossi", "dana.rossi"),
        ];
        let found = people(&rows, "dana");
        let labels: Vec<String> = found.iter().map(Person::label).collect();
        assert_eq!(
            labels,
            [
                "Dana Ross (dana) · ID u-1",
                "Dana Ross (dana) · ID u-2",
                "Dana Rossi (dana.rossi)"
            ]
        );
        assert!(
            found.iter().all(|p| !p.exact),
            "a shared exact login ticks no one"
        );
        assert_eq!(found.iter().filter(|p| p.exact_shared).count(), 2);
        let note = shared_exact_note(&found, " dana ").unwrap();
        assert!(
            note.starts_with(
                "\u{201c}dana\u{201d} is exactly the login, e-mail or ID of 2 accounts"
            ),
            "{note}"
        );
        // Unique, it is ticked, and said of no one else.
        let found = people(&rows, "dana.rossi");
        assert!(found.iter().any(|p| p.exact && p.key == "u-3"));
        assert!(shared_exact_note(&found, "dana.rossi").is_none());
        // Names alike by case only are alike.
        let rows = [
            s("1", "u-a", "test"),
            Session {
                id: "2".into(),
                user_id: Some("u-b".into()),
                user_name: Some("Test".into()),
                ..Default::default()
            },
        ];
        let labels: Vec<String> = people(&rows, "test").iter().map(Person::label).collect();
        assert_eq!(labels, ["test (ID u-a)", "Test (ID u-b)"]);
        // A look-alike: a Cyrillic а in the login and the name.
        let rows = [
            with_login("1", "u-real", "Dana Ross", "dana.ross"),
            with_login("2", "u-fake", "D\u{430}na Ross", "d\u{430}na.ross"),
        ];
        let found = people(&rows, "ross");
        let labels: Vec<String> = found.iter().map(Person::label).collect();
        assert!(
            labels.contains(&"Dana Ross (dana.ross) · ID u-real".to_string()),
            "{labels:?}"
        );
        assert!(
            labels.contains(&"D\u{430}na Ross (d\u{430}na.ross) · ID u-fake".to_string()),
            "{labels:?}"
        );
        // Typed exactly, the real login is exact and unique: the look-alike
        // is not it.
        let found = people(&rows, "dana.ross");
        assert_eq!(
            found
                .iter()
                .filter(|p| p.exact)
                .map(|p| p.key.as_str())
                .collect::<Vec<_>>(),
            ["u-real"]
        );
        assert_eq!(skeleton("ＤＡＮＡ\u{200b}"), "dana");
    }

    /// DocSpace lists display names only: a login typed finds the account
    /// through its people API; one person on three servers counts once.
    #[test]
    fn an_account_found_by_login_where_the_list_names_display_names_only() {
        use crate::backends::Account;
        let docspace = [
            Session {
                id: "41".into(),
                user_id: Some("g-dana".into()),
                user_name: Some("Dana Ross".into()),
                ..Default::default()
            },
            Session {
                id: "42".into(),
                user_id: Some("g-eve".into()),
                user_name: Some("Eve".into()),
                ..Default::default()
            },
        ];
        let listed = people(&docspace, "dana.ross");
        assert!(listed.is_empty(), "the list names no login");
        assert!(not_found_note("DocSpace", &docspace, "dana.ross", &listed)
            .unwrap()
            .starts_with("DocSpace: no account found by login or e-mail \u{201c}dana.ross\u{201d} — this server lists display names only"));
        let accounts = [
            Account {
                user_id: "g-dana".into(),
                login: Some("dana.ross".into()),
                email: Some("dana.ross@x.test".into()),
                name: Some("Dana Ross".into()),
            },
            Account {
                user_id: "g-nosession".into(),
                login: Some("dana.rossx".into()),
                ..Default::default()
            },
        ];
        let found = with_accounts(&docspace, listed, &accounts, "dana.ross");
        assert_eq!(
            found.len(),
            1,
            "an account with no loaded session is left out"
        );
        assert_eq!(found[0].label(), "Dana Ross (dana.ross)");
        assert!(found[0].exact, "its login is what was typed");
        assert_eq!(found[0].sessions, 1);
        assert!(not_found_note("DocSpace", &docspace, "dana.ross", &found).is_none());
        // The same person on Rocket.Chat and Henshin: one person.
        let rc = Person {
            key: "rc-1".into(),
            login: Some("dana.ross".into()),
            ..Default::default()
        };
        let hs = Person {
            key: "hs-1".into(),
            login: Some("DANA.ROSS".into()),
            ..Default::default()
        };
        let other = Person {
            key: "rc-2".into(),
            login: Some("dana.rossi".into()),
            ..Default::default()
        };
        assert_eq!(distinct_people([&rc, &hs]), 1);
        assert_eq!(distinct_people([&rc, &hs, &other]), 2);
        // DocSpace's account has the login and the e-mail: the same person.
        assert_eq!(distinct_people([&rc, &found[0], &hs]), 1);
        let named = people_named(&[
            ("Rocket.Chat".into(), rc.clone(), 2),
            ("DocSpace".into(), found[0].clone(), 1),
            ("Rocket.Chat".into(), other.clone(), 1),
        ]);
        assert_eq!(
            named,
            [
                (
                    "Dana Ross (dana.ross) — 2 accounts on 2 servers: Rocket.Chat as dana.ross (2 sessions); DocSpace as Dana Ross (dana.ross) (1 session)".to_string(),
                    3
                ),
                ("dana.rossi on Rocket.Chat".to_string(), 1),
            ]
        );
        let by_mail = Person {
            key: "k".into(),
            email: Some("Dana.Ross@X.test".into()),
            ..Default::default()
        };
        assert_eq!(distinct_people([&by_mail, &found[0]]), 1);
    }

    #[test]
    fn two_accounts_on_one_server_count_and_revoke_a_session_once() {
        let rows = [s("1", "u", "Ada"), s("2", "u", "Ada")];
        let list = SessionList::new(rows.to_vec());
        let w = sweep("ada");
        let mut seen = HashSet::new();
        let mut first = w.find(&list, &none(), ["u"]);
        dedupe(&mut first, &rows, "rocketchat https://chat", &mut seen);
        let mut second = w.find(&list, &none(), ["u"]);
        dedupe(&mut second, &rows, "rocketchat https://chat", &mut seen);
        assert_eq!((first.chosen.len(), second.chosen.len()), (2, 0));
        // The same IDs on another server are other sessions.
        let mut other = w.find(&list, &none(), ["u"]);
        dedupe(&mut other, &rows, "rocketchat https://chat2", &mut seen);
        assert_eq!(other.chosen.len(), 2);
    }

    #[test]
    fn own_session_is_left_out_unless_ticked_and_counted_either_way() {
        let mut rows = [s("1", "u", "Ada"), s("2", "u", "Ada")];
        rows[1].current = true;
        let list = SessionList::new(rows.to_vec());
        let f = sweep("ada").find(&list, &none(), ["u"]);
        assert_eq!(
            (f.chosen.clone(), f.own_matching, f.own_chosen),
            (vec![0], 1, 0)
        );
        let mut with_own = sweep("ada");
        with_own.include_own = true;
        let f = with_own.find(&list, &none(), ["u"]);
        assert_eq!((f.chosen, f.own_chosen), (vec![0, 1], 1));
    }

    #[test]
    fn docspace_ends_a_whole_person_in_one_call_but_never_part_of_one() {
        let ds = BackendKind::DocSpace.backend();
        let rows = [
            s("1", "u-dana", "Dana"),
            s("2", "u-dana", "Dana"),
            s("3w", "u-dana2", "Dana"),
            s("4", "u-eve", "Eve"),
        ];
        let list = SessionList::new(rows.to_vec());
        let whole = sweep("dana");
        let both = ["u-dana", "u-dana2"];
        let f = whole.find(&list, &none(), both);
        let Action::Sweep { users, ids, all } = whole.plan(ds, &rows, &f, None) else {
            panic!("a sweep")
        };
        assert_eq!(
            users,
            [
                ("u-dana".to_string(), vec!["1".to_string(), "2".to_string()]),
                ("u-dana2".to_string(), vec!["3w".to_string()]),
            ]
        );
        assert!(ids.is_empty());
        assert_eq!(all, ["1", "2", "3w"]);
        // A person not ticked gets no per-user call, whoever else does.
        let f = whole.find(&list, &none(), ["u-dana"]);
        let Action::Sweep { users, ids, .. } = whole.plan(ds, &rows, &f, None) else {
            panic!("a sweep")
        };
        assert_eq!(
            users.iter().map(|u| u.0.as_str()).collect::<Vec<_>>(),
            ["u-dana"]
        );
        assert!(ids.is_empty());

        // With a criterion only part of a person may match: one call each.
        let mut part = sweep("dana");
        part.crit.client = "firefox".into();
        let c = part.crit.compile(0.0).unwrap();
        let f = part.find(&list, &c, both);
        let Action::Sweep { users, ids, .. } = part.plan(ds, &rows, &f, None) else {
            panic!("a sweep")
        };
        assert!(users.is_empty());
        assert_eq!(ids, ["3w"]);
        assert_eq!(
            calls_in_words(&part.plan(ds, &rows, &f, None)),
            "one call per session"
        );

        // Their own session left out: not the whole user any more.
        let mut own = rows.to_vec();
        own[1].current = true;
        let f = whole.find(&SessionList::new(own.to_vec()), &none(), both);
        let Action::Sweep { users, ids, .. } = whole.plan(ds, &own, &f, None) else {
            panic!("a sweep")
        };
        assert_eq!(users.len(), 1, "only u-dana2 whole");
        assert_eq!(ids, ["1"]);
        assert_eq!(
            calls_in_words(&whole.plan(ds, &own, &f, None)),
            "1 whole user by the server's per-user call; 1 other session one call each"
        );
    }

    #[test]
    fn servers_without_a_per_user_call_get_one_call_per_session() {
        let rc = BackendKind::RocketChat.backend();
        let rows = [s("a", "u-dana", "Dana"), s("b", "u-dana", "Dana")];
        let list = SessionList::new(rows.to_vec());
        let w = sweep("dana");
        let f = w.find(&list, &none(), ["u-dana"]);
        let Action::Sweep { users, ids, .. } = w.plan(rc, &rows, &f, None) else {
            panic!("a sweep")
        };
        assert!(users.is_empty());
        assert_eq!(ids, ["a", "b"]);
    }

    #[test]
    fn people_on_a_server_come_from_its_list_and_its_people_search() {
        let rows = SessionList::new(vec![
            with_login("a1", "u1", "Grace Kim", "grace.kim"),
            s("b1", "u2", "Bob"),
        ]);
        // From the list alone: her login finds her, exact.
        let FoundOn {
            people: found,
            note,
            ..
        } = people_on("Chat", &rows, "grace.kim", false, None);
        assert_eq!(found.len(), 1);
        assert!(found[0].exact && note.is_none());
        // An e-mail the list does not carry: the search's account names her.
        let account = crate::backends::Account {
            user_id: "u1".into(),
            login: Some("grace.kim".into()),
            email: Some("grace@x.test".into()),
            name: Some("Grace Kim".into()),
        };
        let found = people_on("IdP", &rows, "grace@x.test", true, Some(Ok(vec![account]))).people;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].email.as_deref(), Some("grace@x.test"));
        assert!(found[0].exact, "her e-mail, exactly");
        // A list that names only the login gets the account's name too.
        let logins = SessionList::new(vec![Session {
            id: "a1".into(),
            user_id: Some("u1".into()),
            username: Some("grace.kim".into()),
            ..Default::default()
        }]);
        let account = crate::backends::Account {
            user_id: "u1".into(),
            login: Some("grace.kim".into()),
            email: None,
            name: Some("Grace Kim".into()),
        };
        let found = people_on("IdP", &logins, "grace.kim", true, Some(Ok(vec![account]))).people;
        assert_eq!(found[0].name.as_deref(), Some("Grace Kim"));
        // Still searching, or the search failed: said, never silent.
        let FoundOn {
            people: found,
            note,
            ..
        } = people_on("IdP", &rows, "grace@x.test", true, None);
        assert!(found.is_empty());
        assert!(note.unwrap().contains("looking the name up"));
        let note = people_on("IdP", &rows, "grace@x.test", true, Some(Err("503".into()))).note;
        assert!(note.unwrap().contains("the people search failed"));
    }

    #[test]
    fn people_found_through_the_lists_index_are_those_every_row_names() {
        // Rows of one person that disagree (a name on one row only, the
        // login on another), people with no user ID, an empty ID, look-alikes.
        let mut rows = vec![
            with_login("a1", "u1", "Dana Ross", "dana.ross"),
            s("a2", "u1", "Someone Else"),
            with_login("b1", "u2", "Dana Rossi", "dana.rossi"),
            Session {
                id: "c1".into(),
                username: Some("dana.r".into()),
                ..Default::default()
            },
            Session {
                id: "d1".into(),
                user_id: Some("".into()),
                user_name: Some("Dana Nobody".into()),
                ..Default::default()
            },
            s("e1", "u-dana", "Bob"),
            s("f1", "u3", "D\u{430}na Ross"),
            with_login("g1", "u-carol", "Carol C", "carol"),
        ];
        rows.extend((0..200).map(|i| s(&format!("x{i}"), &format!("u{}", 10 + i % 80), "Carol")));
        let list = SessionList::new(rows.clone());
        for typed in [
            "dana",
            "DANA ROSS",
            "ross",
            "u-",
            "u1",
            "dana.r",
            "someone",
            "d",
            "zzz",
            " ",
        ] {
            let found = people_on("Chat", &list, typed, false, None);
            assert_eq!(found.people, people(&rows, typed), "{typed:?}");
            assert_eq!(found.more, 0, "{typed:?}");
        }
        let found = people_on("Chat", &list, "dana", false, None).people;
        assert!(
            found.iter().any(|p| p.key == "u1" && p.sessions == 2),
            "{found:?}"
        );
        assert!(found.iter().any(|p| p.key == "u-dana"), "by user ID");
        // 80 Carols and more with a "u" in their ID: more than are listed,
        // so only an exact login or ID is, and the rest counted.
        let broad = people_on("Chat", &list, "u", false, None);
        assert!(broad.people.is_empty());
        assert_eq!(broad.more, people(&rows, "u").len());
        assert!(broad.more > PEOPLE_LISTED);
        let exact = people_on("Chat", &list, "u12", false, None);
        assert_eq!(exact.people, people(&rows, "u12"));
        assert!(exact.people[0].exact, "{exact:?}");
        // Her login typed among 80 other Carols: she is listed, they counted.
        let carol = people_on("Chat", &list, "CAROL", false, None);
        assert_eq!(carol.people.len(), 1, "{carol:?}");
        assert!(carol.people[0].exact && carol.people[0].key == "u-carol");
        assert_eq!(carol.more, 80);
        // Among many, an ID only as written.
        let broad_id = people_on("Chat", &list, "U", false, None);
        assert!(broad_id.people.is_empty(), "{broad_id:?}");
    }

    #[test]
    fn a_servers_part_ends_exactly_the_ticked_people_and_none_while_refused() {
        let rows = [
            s("a1", "u1", "Dana Ross"),
            s("a2", "u1", "Dana Ross"),
            s("b1", "u2", "Dana Rossi"),
        ];
        let q = sweep("Dana Ross");
        let ross = people(&rows, "Dana Ross")
            .into_iter()
            .filter(|p| p.key == "u1")
            .collect::<Vec<_>>();
        let kc = BackendKind::Keycloak.backend();
        let mut seen = HashSet::new();
        let list = SessionList::new(rows.to_vec());
        let (found, action, people) = server_part(
            &q,
            kc,
            &list,
            &none(),
            ross.clone(),
            false,
            "kc x",
            &mut seen,
        );
        assert_eq!(found.chosen, [0, 1], "never Dana Rossi's");
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].1, 2);
        // Every session of hers, on a server with a per-user call: that call.
        match action {
            Action::Sweep { users, ids, .. } => {
                assert_eq!(
                    users,
                    [("u1".to_string(), vec!["a1".to_string(), "a2".to_string()])]
                );
                assert!(ids.is_empty());
            }
            other => panic!("a sweep by the per-user call, not {other:?}"),
        }
        // The same server through a second connection: counted once.
        let (again, _, _) = server_part(
            &q,
            kc,
            &list,
            &none(),
            ross.clone(),
            false,
            "kc x",
            &mut seen,
        );
        assert!(again.chosen.is_empty());
        // Its own session unknown: nothing of it is swept.
        let (refused, _, people) = server_part(
            &q,
            kc,
            &list,
            &none(),
            ross,
            true,
            "kc y",
            &mut HashSet::new(),
        );
        assert!(refused.chosen.is_empty() && people.is_empty());
    }
}
