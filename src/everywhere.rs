//! Working across every connected server at once (plain Rust): which
//! loaded sessions a sweep — a person, criteria, or both — keeps on one
//! server, and the calls that end exactly those.

use crate::backends::Backend;
use crate::list::criteria::{contains_folded, Compiled};
use crate::list::Criteria;
use crate::model::Session;
use crate::revoke::Action;
use crate::words::counted;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What the Everywhere view looks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sweep {
    /// A person: part of a display name, login name, e-mail or user ID.
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

impl Sweep {
    pub fn is_empty(&self) -> bool {
        self.person.trim().is_empty() && self.crit.is_empty()
    }

    /// Only a person, no criteria: "everything of <person>", where a
    /// server's own call for a whole user may be used.
    pub fn whole_person(&self) -> bool {
        !self.person.trim().is_empty() && self.crit.is_empty()
    }

    /// What this sweep keeps of one server's `sessions`. Nothing for an
    /// empty sweep (it never means "everything").
    pub fn find(&self, sessions: &[Session], compiled: &Compiled) -> Found {
        let mut found = Found::default();
        if self.is_empty() {
            return found;
        }
        let person = self.person.trim().to_lowercase();
        for (i, s) in sessions.iter().enumerate() {
            if (person.is_empty() || is_person(s, &person)) && compiled.matches(s) {
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
    /// when their session the panel uses is left out.
    pub fn plan(&self, backend: &dyn Backend, sessions: &[Session], found: &Found) -> Action {
        let mut users: Vec<(String, Vec<String>)> = Vec::new();
        let mut whole: HashSet<usize> = HashSet::new();
        if self.whole_person() && !found.chosen.is_empty() {
            // The chosen sessions of each user, and how many they have listed.
            let mut picked: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for &i in &found.chosen {
                picked.entry(sessions[i].user_key()).or_default().push(i);
            }
            let mut listed: HashMap<&str, usize> = picked.keys().map(|k| (*k, 0)).collect();
            for s in sessions {
                if let Some(n) = listed.get_mut(s.user_key()) {
                    *n += 1;
                }
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
pub fn how(action: &Action) -> String {
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

/// Whether `s` belongs to the person searched (`want` lower-cased): its
/// display name, login name (an e-mail for self-service) or user ID.
pub fn is_person(s: &Session, want: &str) -> bool {
    [&s.user_name, &s.username, &s.user_id]
        .into_iter()
        .flatten()
        .any(|v| contains_folded(v, want))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::BackendKind;

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

    fn sweep(person: &str) -> Sweep {
        Sweep {
            person: person.into(),
            ..Default::default()
        }
    }

    fn none() -> Compiled {
        Compiled::default()
    }

    #[test]
    fn a_person_by_any_name_and_never_everything() {
        let rows = [
            s("1", "u-dana", "Dana Whitfield"),
            s("2", "u-dan", "Daniel Ross"),
            s("3", "u-eve", "Eve"),
        ];
        assert_eq!(sweep("WHITFIELD").find(&rows, &none()).chosen, [0]);
        assert_eq!(sweep("dan").find(&rows, &none()).chosen, [0, 1]);
        assert_eq!(sweep("u-eve").find(&rows, &none()).chosen, [2]);
        assert!(
            sweep("  ").find(&rows, &none()).chosen.is_empty(),
            "empty is not all"
        );
    }

    #[test]
    fn own_session_is_left_out_unless_ticked_and_counted_either_way() {
        let mut rows = vec![s("1", "u", "Ada"), s("2", "u", "Ada")];
        rows[1].current = true;
        let f = sweep("ada").find(&rows, &none());
        assert_eq!(
            (f.chosen.clone(), f.own_matching, f.own_chosen),
            (vec![0], 1, 0)
        );
        let mut with_own = sweep("ada");
        with_own.include_own = true;
        let f = with_own.find(&rows, &none());
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
        let whole = sweep("dana");
        let f = whole.find(&rows, &none());
        let Action::Sweep { users, ids, all } = whole.plan(ds, &rows, &f) else {
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

        // With a criterion only part of a person may match: one call each.
        let mut part = sweep("dana");
        part.crit.client = "firefox".into();
        let c = part.crit.compile(0.0).unwrap();
        let f = part.find(&rows, &c);
        let Action::Sweep { users, ids, .. } = part.plan(ds, &rows, &f) else {
            panic!("a sweep")
        };
        assert!(users.is_empty());
        assert_eq!(ids, ["3w"]);
        assert_eq!(how(&part.plan(ds, &rows, &f)), "one call per session");

        // Their own session left out: not the whole user any more.
        let mut own = rows.to_vec();
        own[1].current = true;
        let f = whole.find(&own, &none());
        let Action::Sweep { users, ids, .. } = whole.plan(ds, &own, &f) else {
            panic!("a sweep")
        };
        assert_eq!(users.len(), 1, "only u-dana2 whole");
        assert_eq!(ids, ["1"]);
        assert_eq!(
            how(&whole.plan(ds, &own, &f)),
            "1 whole user by the server's per-user call; 1 other session one call each"
        );
    }

    #[test]
    fn servers_without_a_per_user_call_get_one_call_per_session() {
        let rc = BackendKind::RocketChat.backend();
        let rows = [s("a", "u-dana", "Dana"), s("b", "u-dana", "Dana")];
        let w = sweep("dana");
        let f = w.find(&rows, &none());
        let Action::Sweep { users, ids, .. } = w.plan(rc, &rows, &f) else {
            panic!("a sweep")
        };
        assert!(users.is_empty());
        assert_eq!(ids, ["a", "b"]);
    }
}
