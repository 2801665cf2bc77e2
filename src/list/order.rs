//! Ordering: from the rows in session-ID order (so ties go by ID), a time
//! column sorts by the time as an integer; a text column ranks its distinct
//! values once and puts the rows into one bucket per value. An order is
//! cached until the rows change, and descending is ascending reversed.

use super::{Order, SessionList, SortDir, SortKey};
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
            |c| c.sorts.get(&key).filter(|a| a.rows.len() == n).cloned(),
            || {
                // An order by time of the rows before the last ones added:
                // the new rows are sorted alone and merged in (a load of a
                // million adds its rows batch by batch).
                let before = self.cache.0.borrow().sorts.get(&key).cloned();
                Rc::new(match before {
                    Some(before) if before.rows.len() < n => self.merge_time_order(key, &before),
                    _ => self.sort_ascending(key),
                })
            },
            |c, a| {
                c.sorts.insert(key, a);
            },
        );
        let (order, present) = (&asc.rows, asc.present);
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
    /// Both start from the rows in ID order, so ties stay in ID order: a
    /// time column sorts the rows with a time by it, a text column puts
    /// them in one pass into one bucket per distinct value.
    fn sort_ascending(&self, key: SortKey) -> Order {
        let by_id = self.id_order();
        if is_time(key) {
            let time = |r: u32| time_of(&self.sessions[r as usize], key).map(ordered_bits);
            // (time, place in ID order): all distinct, so an unstable sort
            // gives the one order.
            let mut timed: Vec<(u64, u32)> = Vec::new();
            let mut untimed = Vec::new();
            for (at, &r) in by_id.iter().enumerate() {
                match time(r) {
                    Some(t) => timed.push((t, at as u32)),
                    None => untimed.push(r),
                }
            }
            timed.sort_unstable();
            let mut rows: Vec<u32> = timed.iter().map(|&(_, at)| by_id[at as usize]).collect();
            rows.append(&mut untimed);
            return Order {
                rows,
                present: timed.len(),
                times: timed.into_iter().map(|(t, _)| t).collect(),
            };
        }
        let (vals, ranks) = self.ranked_values(key);
        // Bucket `ranks.len()` holds the rows without a value.
        let missing = ranks.len();
        let bucket = |r: u32| vals[r as usize].map_or(missing, |v| ranks[v as usize] as usize);
        let mut start = vec![0u32; missing + 2];
        for r in 0..vals.len() as u32 {
            start[bucket(r) + 1] += 1;
        }
        for b in 1..start.len() {
            start[b] += start[b - 1];
        }
        let present = start[missing] as usize;
        let mut rows = vec![0u32; vals.len()];
        for &r in by_id.iter() {
            let at = &mut start[bucket(r)];
            rows[*at as usize] = r;
            *at += 1;
        }
        Order {
            rows,
            present,
            times: Vec::new(),
        }
    }

    /// `before` (the ascending order by time column `key` of the first
    /// rows) with the rows added since merged in: the same order a full
    /// sort gives — by time, ties by ID in byte order, rows without a time
    /// last by ID — in one pass over the old order, comparing integers
    /// (IDs only where two times are equal).
    fn merge_time_order(&self, key: SortKey, before: &Order) -> Order {
        let id = |i: u32| self.sessions[i as usize].id.as_bytes();
        let mut timed: Vec<(u64, u32)> = Vec::new();
        let mut untimed: Vec<u32> = Vec::new();
        for r in before.rows.len() as u32..self.sessions.len() as u32 {
            match time_of(&self.sessions[r as usize], key) {
                Some(t) => timed.push((ordered_bits(t), r)),
                None => untimed.push(r),
            }
        }
        let by_time_then_id =
            |a: &(u64, u32), b: &(u64, u32)| a.0.cmp(&b.0).then_with(|| id(a.1).cmp(id(b.1)));
        timed.sort_unstable_by(by_time_then_id);
        untimed.sort_unstable_by(|&a, &b| id(a).cmp(id(b)));
        // The old timed rows and the new ones, merged without a copy of
        // either (a million rows, a few thousand new).
        let (old_rows, old_times) = (&before.rows[..before.present], &before.times);
        let mut rows = Vec::with_capacity(self.sessions.len());
        let mut times = Vec::with_capacity(old_rows.len() + timed.len());
        let (mut i, mut j) = (0, 0);
        while i < old_rows.len() || j < timed.len() {
            let new_first = i == old_rows.len()
                || (j < timed.len()
                    && by_time_then_id(&timed[j], &(old_times[i], old_rows[i])) == Ordering::Less);
            let (t, r) = if new_first {
                j += 1;
                timed[j - 1]
            } else {
                i += 1;
                (old_times[i - 1], old_rows[i - 1])
            };
            times.push(t);
            rows.push(r);
        }
        let present = rows.len();
        rows.extend(merge(&before.rows[before.present..], &untimed, |a, b| {
            id(*a).cmp(id(*b))
        }));
        Order {
            rows,
            present,
            times,
        }
    }

    /// The rows in session-ID order (ties in a column go by ID), computed
    /// once until the rows change.
    fn id_order(&self) -> Rc<Vec<u32>> {
        self.cache.get_or(
            |c| c.id_order.clone(),
            || Rc::new(id_order(&self.sessions)),
            |c, r| c.id_order = Some(r),
        )
    }
}

/// The rows in byte order of their IDs. IDs often share a long prefix
/// ("session-0000…"), so rows are first sorted by the 8 bytes after the
/// prefix all IDs share (an integer compare), and only rows equal there
/// compare whole IDs.
pub(super) fn id_order(sessions: &[Session]) -> Vec<u32> {
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
    order.into_iter().map(|(_, i)| i).collect()
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
pub(super) fn time_of(s: &Session, key: SortKey) -> Option<f64> {
    match key {
        SortKey::Login => &s.login_at,
        SortKey::LastActive => &s.last_active,
        _ => &s.expires_at,
    }
    .as_ref()
    .and_then(|t| t.epoch_ms())
}

/// Two ascending sequences as one, `a`'s first where equal.
fn merge(a: &[u32], b: &[u32], cmp: impl Fn(&u32, &u32) -> Ordering) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if cmp(&b[j], &a[i]) == Ordering::Less {
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

impl SessionList {
    /// Each row's value in one text or IP column, as an index into the
    /// distinct values (`None`: the row has none). Equal texts share one
    /// value, so lower-casing and parsing happen once per distinct value,
    /// not per row; a client, system, host or location is read once per
    /// device, a person's name once per person.
    fn column_values(&self, key: SortKey) -> (Vec<Option<u32>>, Vec<KeyVal>) {
        let mut distinct = Vec::new();
        let mut seen: std::collections::HashMap<std::borrow::Cow<str>, u32> = Default::default();
        let per_device = matches!(
            key,
            SortKey::Client | SortKey::Os | SortKey::Host | SortKey::Location
        );
        let texts = &self.texts.0;
        let mut memo: Vec<Option<Option<u32>>> = vec![
            None;
            match key {
                _ if per_device => texts.devices.all.len(),
                SortKey::User => texts.people.all.len(),
                _ => 0,
            }
        ];
        let named = |s: &Session| {
            s.person_texts()
                .into_iter()
                .any(|t| t.as_deref().is_some_and(|t| !t.is_empty()))
        };
        let vals = self
            .sessions
            .iter()
            .zip(&self.shared.0)
            .map(|(s, &[person, device])| {
                // The row's value is its device's or its person's (unless
                // only its user ID names the person).
                let slot = match key {
                    _ if per_device => Some(device as usize),
                    SortKey::User if named(s) => Some(person as usize),
                    _ => None,
                };
                if let Some(v) = slot.and_then(|i| memo[i]) {
                    return v;
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
                if let Some(i) = slot {
                    memo[i] = Some(v);
                }
                v
            })
            .collect();
        (vals, distinct)
    }

    /// A text or IP column as value indices (see
    /// [`SessionList::column_values`]) and each distinct value's rank in
    /// the column's order. Distinct values are few next to rows (clients,
    /// systems, users), so only they are compared as text.
    fn ranked_values(&self, key: SortKey) -> (Vec<Option<u32>>, Vec<u32>) {
        let (vals, distinct) = self.column_values(key);
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
}

/// IPv4 addresses sort numerically; anything else after them, as text.
pub(super) fn ip_key(ip: &str) -> (u8, u32, String) {
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
