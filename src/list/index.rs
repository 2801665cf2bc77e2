//! The search index: each distinct shared text lower-cased once in one
//! string, each row's own texts (IP address, ID) lower-cased in another, so
//! a filter word is one pass of one searcher over each instead of one
//! search per row; a longer filter only re-checks the rows the shorter one
//! matched.

use super::{SessionList, Texts};
use crate::lowercase::lower;
use crate::model::Session;
use std::rc::Rc;

/// Where `needle` next occurs in `hay` at or after `from`: a scan for its
/// first byte, then a comparison. Unlike `str::find` it sets nothing up per
/// call, which matters when a short, common word hits in every row.
pub(super) fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, tail) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = from;
    while i <= last_start {
        let at = i + hay[i..=last_start].iter().position(|&b| b == first)?;
        if &hay[at + 1..at + needle.len()] == tail {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Line `n` of `buf`, whose lines start at `starts` and end with a
/// newline (left out).
pub(super) fn line<'a>(buf: &'a str, starts: &[u32], n: usize) -> &'a str {
    let end = starts.get(n + 1).map_or(buf.len(), |&e| e as usize);
    &buf[starts[n] as usize..end - 1]
}

/// Calls `hit(n, p)` for each line `n` of `hay` (lines start at `starts`)
/// that holds `needle`, `p` where it first does, in order: one pass of one
/// searcher, jumping to the next line after a hit.
fn each_line_holding(hay: &[u8], starts: &[u32], needle: &[u8], mut hit: impl FnMut(usize, usize)) {
    let (mut n, mut from) = (0, 0);
    while let Some(p) = find_from(hay, needle, from) {
        // Hits come in order: walk forward to the line holding `p`.
        while starts.get(n + 1).is_some_and(|&s| s as usize <= p) {
            n += 1;
        }
        hit(n, p);
        from = starts.get(n + 1).map_or(hay.len(), |&s| s as usize);
    }
}

/// What one word of a filter hits among the shared texts: which persons
/// and which devices hold a text containing it.
struct WordHits {
    people: Vec<bool>,
    devices: Vec<bool>,
}

impl Texts {
    /// Every person (by name or login) and device with a text containing
    /// `word`: one pass over the distinct texts (a few per person, not one
    /// per row).
    fn hits(&self, word: &str) -> WordHits {
        let text = self.text_hits(word);
        let any = |t: &[u32]| t.iter().any(|&n| text[n as usize]);
        WordHits {
            // The user ID is not searched.
            people: self.people.all.iter().map(|t| any(&t[1..])).collect(),
            devices: self.devices.all.iter().map(|t| any(t)).collect(),
        }
    }

    /// Which distinct texts (by number) contain `word`.
    pub(super) fn text_hits(&self, word: &str) -> Vec<bool> {
        let mut text = vec![false; self.starts.len()];
        each_line_holding(
            self.lower.as_bytes(),
            &self.starts,
            word.as_bytes(),
            |n, _| {
                text[n] = true;
            },
        );
        text
    }
}

impl SessionList {
    /// Adds the rows whose IDs are not listed yet (nor earlier in `rows`):
    /// their shared texts to [`Texts`], their own search text to the index,
    /// their place to [`super::Ids`].
    pub(super) fn push_all(&mut self, rows: Vec<Session>) {
        self.cache.appended();
        for mut r in rows {
            let hash = super::id_hash(&r.id);
            let sessions = &self.sessions;
            if self
                .ids
                .0
                .find(hash, |&i| sessions[i as usize].id == r.id)
                .is_some()
            {
                continue;
            }
            let at = u32::try_from(sessions.len()).expect("fewer than 2^32 rows");
            self.ids
                .0
                .insert_unique(hash, at, |&i| super::id_hash(&sessions[i as usize].id));
            let (shared, owner) = self.texts.0.share(&mut r);
            self.shared.0.push(shared);
            self.owners.0.add(owner);
            self.starts
                .push(u32::try_from(self.text.len()).expect("an index under 4 GB"));
            r.push_own_search_text(&mut self.text);
            self.text.push('\n');
            if r.current {
                self.current_rows.0.push(at);
            }
            self.sessions.push(r);
        }
    }

    /// What a filter of `words` searches of row `row`'s own text: its IP
    /// address, plus the session ID (last in the line) for a one-word
    /// filter only — a pasted ID finds its row, but "staff 03" never
    /// matches a row only because its ID holds "03".
    fn searched(&self, row: usize, words: usize) -> &str {
        let line = line(&self.text, &self.starts, row);
        if words <= 1 {
            line
        } else {
            &line[..line.rfind('\u{1f}').unwrap_or(0)]
        }
    }

    /// Whether row `row` has word `w` (with `hits`, its hits among the
    /// shared texts) in a searched field.
    fn row_has(&self, row: usize, w: &str, hits: &WordHits, words: usize) -> bool {
        let [person, device] = self.shared.0[row];
        hits.people[person as usize]
            || hits.devices[device as usize]
            || self.searched(row, words).contains(w)
    }

    /// Which rows match every word of `filter` (`None`: no filter).
    fn matches(&self, filter: &str) -> Option<Rc<Vec<bool>>> {
        let words: Vec<String> = filter.split_whitespace().map(lower).collect();
        if words.is_empty() {
            return None;
        }
        let previous = self.cache.0.borrow().filter.clone();
        let hit = match previous {
            Some((w, hit, _)) if w == words => return Some(hit),
            // Typing on: every row the new words match, the old ones matched
            // too. Worth it while the old filter left few rows.
            Some((w, hit, hits))
                if hits <= self.sessions.len() / 8
                    && w.iter()
                        .all(|o| words.iter().any(|n| n.contains(o.as_str()))) =>
            {
                let shared: Vec<WordHits> = words.iter().map(|w| self.texts.0.hits(w)).collect();
                hit.iter()
                    .enumerate()
                    .map(|(row, &h)| {
                        h && words
                            .iter()
                            .zip(&shared)
                            .all(|(w, s)| self.row_has(row, w, s, words.len()))
                    })
                    .collect()
            }
            _ => self.scan(&words),
        };
        let hits = hit.iter().filter(|&&h| h).count();
        let hit = Rc::new(hit);
        self.cache.0.borrow_mut().filter = Some((words, hit.clone(), hits));
        Some(hit)
    }

    /// Each word in turn: its hits among the shared texts, then one pass
    /// over the rows' own texts (a hit jumps to the next row, so a row is
    /// looked at once at most), then each row still in by its person, its
    /// device or that pass.
    fn scan(&self, words: &[String]) -> Vec<bool> {
        let n = self.sessions.len();
        let mut hit = vec![true; n];
        for w in words {
            let shared = self.texts.0.hits(w);
            let mut own = vec![false; n];
            each_line_holding(
                self.text.as_bytes(),
                &self.starts,
                w.as_bytes(),
                |row, p| {
                    // Past the row's searched part it is no hit (nor is any
                    // later one in the row).
                    let searched = self.searched(row, words.len()).len();
                    own[row] = p + w.len() <= self.starts[row] as usize + searched;
                },
            );
            for (row, h) in hit.iter_mut().enumerate() {
                if *h {
                    let [person, device] = self.shared.0[row];
                    *h = own[row]
                        || shared.people[person as usize]
                        || shared.devices[device as usize];
                }
            }
        }
        hit
    }
    /// Keeps, in order, the indices of `order` whose session matches `filter`.
    pub fn filter_order(&self, order: &[u32], filter: &str) -> Vec<u32> {
        match self.matches(filter) {
            None => order.to_vec(),
            Some(hit) => order.iter().copied().filter(|&i| hit[i as usize]).collect(),
        }
    }
}
