//! Ordering: values are ranked once per distinct value, then rows are
//! sorted by two integers (value rank, session-ID rank); an order is cached
//! until the rows change, and descending is ascending reversed.

use super::{SessionList, SortDir, SortKey};
use crate::lowercase::lower;
use crate::model::Session;
use std::cmp::Ordering;
use std::rc::Rc;

impl SessionList {
    /// Every index, ordered by a column; ties by session ID (in the same
    /// direction), and missing values last whichever the direction. A
    /// column is sorted once: its descending order is the ascending one
    /// reversed, and both are reused until the rows change.
    pub fn sorted(&self, key: SortKey, dir: SortDir) -> Vec<u32> {
        let n = self.sessions.len();
        let asc = self.cache.get_or(
            |c| c.sorts.get(&key).filter(|a| a.0.len() == n).cloned(),
            || {
                // An order by time of the rows before the last ones added:
                // the new rows are sorted alone and merged in (a load of a
                // million adds its rows batch by batch).
                let before = self.cache.0.borrow().sorts.get(&key).cloned();
                Rc::new(match before {
                    Some(before) if before.0.len() < n => self.merge_time_order(key, &before),
                    _ => self.sort_ascending(key),
                })
            },
            |c, a| {
                c.sorts.insert(key, a);
            },
        );
        let (order, present) = (&asc.0, asc.1);
        match dir {
            SortDir::Asc => order.clone(),
            SortDir::Desc => order[..present]
                .iter()
                .rev()
                .chain(order[present..].iter())
                .copied()
                .collect(),
        }
    }

    /// Ascending order and how many rows have a value (they come first).
    fn sort_ascending(&self, key: SortKey) -> (Vec<u32>, usize) {
        // Every row gets an integer with the column's order (None: no value),
        // so the sort compares two integers: (that key, ID rank).
        let keys: Vec<Option<u64>> = match column_times(&self.sessions, key) {
            Some(times) => times.into_iter().map(|t| t.map(ordered_bits)).collect(),
            None => {
                let (vals, ranks) = ranked_values(&self.sessions, key);
                vals.into_iter()
                    .map(|v| v.map(|v| u64::from(ranks[v as usize])))
                    .collect()
            }
        };
        let ids = self.id_ranks();
        let (mut present, mut missing): (Vec<u32>, Vec<u32>) =
            (0..keys.len() as u32).partition(|&i| keys[i as usize].is_some());
        present.sort_unstable_by_key(|&i| (keys[i as usize], ids[i as usize]));
        missing.sort_unstable_by_key(|&i| ids[i as usize]);
        let n = present.len();
        present.append(&mut missing);
        (present, n)
    }

    /// `before` (the ascending order by time column `key` of the first
    /// rows) with the rows added since merged in: the same order a full
    /// sort gives — by time, ties by ID in byte order, rows without a time
    /// last by ID — in one pass over the old order.
    fn merge_time_order(&self, key: SortKey, before: &(Vec<u32>, usize)) -> (Vec<u32>, usize) {
        let time = |i: u32| time_of(&self.sessions[i as usize], key).map(ordered_bits);
        let id = |i: u32| self.sessions[i as usize].id.as_bytes();
        let (mut timed, mut untimed): (Vec<u32>, Vec<u32>) =
            (before.0.len() as u32..self.sessions.len() as u32).partition(|&i| time(i).is_some());
        timed.sort_unstable_by(|&a, &b| time(a).cmp(&time(b)).then_with(|| id(a).cmp(id(b))));
        untimed.sort_unstable_by(|&a, &b| id(a).cmp(id(b)));
        let (old_timed, old_untimed) = before.0.split_at(before.1);
        let mut order = merge(old_timed, &timed, |a, b| {
            time(a).cmp(&time(b)).then_with(|| id(a).cmp(id(b)))
        });
        let present = order.len();
        order.extend(merge(old_untimed, &untimed, |a, b| id(a).cmp(id(b))));
        (order, present)
    }

    /// Each row's place in session-ID order (ties in a column go by ID),
    /// computed once until the rows change.
    fn id_ranks(&self) -> Rc<Vec<u32>> {
        self.cache.get_or(
            |c| c.id_ranks.clone(),
            || Rc::new(id_ranks(&self.sessions)),
            |c, r| c.id_ranks = Some(r),
        )
    }
}

/// Each session's rank in byte order of IDs. IDs often share a long
/// prefix ("session-0000…"), so rows are first sorted by the 8 bytes after
/// the prefix all IDs share (an integer compare), and only rows equal there
/// compare whole IDs.
pub(super) fn id_ranks(sessions: &[Session]) -> Vec<u32> {
    let ids: Vec<&[u8]> = sessions.iter().map(|s| s.id.as_bytes()).collect();
    let shared = ids
        .iter()
        .skip(1)
        .fold(ids.first().map_or(0, |f| f.len()), |n, id| {
            ids[0][..n]
                .iter()
                .zip(id.iter())
                .take_while(|(a, b)| a == b)
                .count()
        });
    let word = |id: &[u8]| {
        let mut w = [0u8; 8];
        let tail = id.get(shared..).unwrap_or_default();
        let k = tail.len().min(8);
        w[..k].copy_from_slice(&tail[..k]);
        u64::from_be_bytes(w)
    };
    let mut order: Vec<(u64, u32)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (word(id), i as u32))
        .collect();
    order.sort_unstable();
    let mut start = 0;
    while start < order.len() {
        let end = start
            + order[start..]
                .iter()
                .take_while(|(w, _)| *w == order[start].0)
                .count();
        if end - start > 1 {
            order[start..end].sort_unstable_by(|a, b| ids[a.1 as usize].cmp(ids[b.1 as usize]));
        }
        start = end;
    }
    let mut rank = vec![0u32; ids.len()];
    for (r, &(_, i)) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

/// A row's value in one column, ready to compare.
#[derive(Clone, Debug, PartialEq)]
enum KeyVal {
    /// Lower-cased, then as written (stable for case-only differences).
    Text(String, String),
    /// IPv4 numerically first, then anything else as text.
    Ip(u8, u32, String),
}

impl KeyVal {
    fn cmp_val(&self, other: &KeyVal) -> Ordering {
        match (self, other) {
            (KeyVal::Text(a, ra), KeyVal::Text(b, rb)) => a.cmp(b).then_with(|| ra.cmp(rb)),
            (KeyVal::Ip(a, b, c), KeyVal::Ip(x, y, z)) => (a, b, c).cmp(&(x, y, z)),
            _ => Ordering::Equal,
        }
    }
}

fn text_key(s: &str) -> KeyVal {
    KeyVal::Text(lower(s), s.to_string())
}

/// Whether `key` orders by a time.
pub(super) fn is_time(key: SortKey) -> bool {
    matches!(key, SortKey::Login | SortKey::LastActive | SortKey::Expires)
}

/// A row's time in time column `key`.
fn time_of(s: &Session, key: SortKey) -> Option<f64> {
    match key {
        SortKey::Login => &s.login_at,
        SortKey::LastActive => &s.last_active,
        _ => &s.expires_at,
    }
    .as_ref()
    .and_then(|t| t.epoch_ms())
}

/// A time column's values (`None` for other columns).
fn column_times(ss: &[Session], key: SortKey) -> Option<Vec<Option<f64>>> {
    is_time(key).then(|| ss.iter().map(|s| time_of(s, key)).collect())
}

/// Two ascending sequences as one, `a`'s first where equal.
fn merge(a: &[u32], b: &[u32], cmp: impl Fn(u32, u32) -> Ordering) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if cmp(b[j], a[i]) == Ordering::Less {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// An f64 as an integer with the same order (for integer-keyed sorts).
fn ordered_bits(t: f64) -> u64 {
    let b = t.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// Each row's value in one text or IP column, as an index into the
/// distinct values (`None`: the row has none). Equal texts share one value,
/// so lower-casing and parsing happen once per distinct value, not per row.
fn column_values(ss: &[Session], key: SortKey) -> (Vec<Option<u32>>, Vec<KeyVal>) {
    let mut distinct = Vec::new();
    let mut seen: std::collections::HashMap<std::borrow::Cow<str>, u32> = Default::default();
    // "Firefox 125.0" is made of two shared texts: their value is looked
    // up by the pair (the texts' addresses), so the label is written once
    // per distinct pair, not once per row.
    let mut pairs: std::collections::HashMap<(usize, usize), Option<u32>> = Default::default();
    let addr = |t: &Option<crate::model::Text>| t.as_ref().map_or(0, |t| t.as_ptr() as usize);
    let vals = ss
        .iter()
        .map(|s| {
            let pair = match key {
                SortKey::Client => Some((addr(&s.client), addr(&s.client_version))),
                SortKey::Os => Some((addr(&s.os), addr(&s.os_version))),
                _ => None,
            };
            if let Some(v) = pair.and_then(|p| pairs.get(&p)) {
                return *v;
            }
            let text: Option<std::borrow::Cow<str>> = match key {
                SortKey::User => Some(s.user_label().into()),
                SortKey::Client => Some(s.client_label().into()),
                SortKey::Os => Some(s.os_label().into()),
                SortKey::Host => s.host.as_deref().map(Into::into),
                SortKey::Location => s.location.as_deref().map(Into::into),
                _ => s.ip.as_deref().map(Into::into),
            };
            let v = text.filter(|t| !t.is_empty()).map(|text| {
                if let Some(&v) = seen.get(&text) {
                    return v;
                }
                distinct.push(if key == SortKey::Ip {
                    let (a, b, c) = ip_key(&text);
                    KeyVal::Ip(a, b, c)
                } else {
                    text_key(&text)
                });
                let v = distinct.len() as u32 - 1;
                seen.insert(text, v);
                v
            });
            if let Some(p) = pair {
                pairs.insert(p, v);
            }
            v
        })
        .collect();
    (vals, distinct)
}

/// A text or IP column as value indices (see [`column_values`]) and each
/// distinct value's rank in the column's order. Distinct values are few next
/// to rows (clients, systems, users), so only they are compared as text.
fn ranked_values(ss: &[Session], key: SortKey) -> (Vec<Option<u32>>, Vec<u32>) {
    let (vals, distinct) = column_values(ss, key);
    let mut by_val: Vec<u32> = (0..distinct.len() as u32).collect();
    by_val.sort_unstable_by(|&a, &b| distinct[a as usize].cmp_val(&distinct[b as usize]));
    let mut rank = vec![0u32; distinct.len()];
    let mut r = 0u32;
    for w in 1..by_val.len() {
        let (prev, this) = (by_val[w - 1] as usize, by_val[w] as usize);
        if distinct[prev].cmp_val(&distinct[this]) != Ordering::Equal {
            r += 1;
        }
        rank[this] = r;
    }
    (vals, rank)
}

/// IPv4 addresses sort numerically; anything else after them, as text.
fn ip_key(ip: &str) -> (u8, u32, String) {
    let octets: Vec<u32> = ip
        .split('.')
        .filter_map(|p| p.parse::<u8>().ok().map(u32::from))
        .collect();
    if octets.len() == 4 && ip.split('.').count() == 4 {
        (
            0,
            octets.iter().fold(0, |acc, o| acc << 8 | o),
            String::new(),
        )
    } else {
        (1, 0, lower(ip))
    }
}
