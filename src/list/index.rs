//! The search index: every row's lower-cased search text in one string,
//! so a filter is one pass of one searcher over it instead of one search
//! per row; a longer filter only re-checks the rows the shorter one matched.

use super::SessionList;
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

impl SessionList {
    /// Adds the rows whose IDs are not listed yet (nor earlier in `rows`):
    /// their shared texts to [`super::Texts`], their search text to the
    /// index, their place to [`super::Ids`].
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
            self.texts.0.share(&mut r);
            self.starts
                .push(u32::try_from(self.text.len()).expect("an index under 4 GB"));
            r.push_search_text(&mut self.text);
            self.text.push('\n');
            self.sessions.push(r);
        }
    }

    fn row_text(&self, row: usize) -> &str {
        let end = self
            .starts
            .get(row + 1)
            .map_or(self.text.len(), |&s| s as usize);
        &self.text[self.starts[row] as usize..end]
    }

    /// What a filter of `words` searches in row `row`: the columns shown,
    /// plus the session ID (last in the line) for a one-word filter only —
    /// a pasted ID finds its row, but "staff 03" never matches a row only
    /// because its ID holds "03".
    fn searched(&self, row: usize, words: usize) -> &str {
        let line = self.row_text(row);
        if words <= 1 {
            line
        } else {
            &line[..line.rfind('\u{1f}').unwrap_or(0)]
        }
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
                hit.iter()
                    .enumerate()
                    .map(|(row, &h)| {
                        h && {
                            let line = self.searched(row, words.len());
                            words.iter().all(|w| line.contains(w.as_str()))
                        }
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

    /// One pass over the whole index for the first word; a hit jumps to the
    /// next row, so a row is looked at once at most.
    fn scan(&self, words: &[String]) -> Vec<bool> {
        let mut hit = vec![false; self.sessions.len()];
        let Some((first, rest)) = words.split_first() else {
            return hit;
        };
        let hay = self.text.as_bytes();
        let (mut row, mut from) = (0, 0);
        while let Some(p) = find_from(hay, first.as_bytes(), from) {
            // Hits come in order: walk forward to the row holding `p`.
            while self.starts.get(row + 1).is_some_and(|&s| s as usize <= p) {
                row += 1;
            }
            let line = self.searched(row, words.len());
            // `p` is in this row; past its searched part it is no hit.
            let in_searched = p + first.len() <= self.starts[row] as usize + line.len();
            if in_searched && rest.iter().all(|w| line.contains(w.as_str())) {
                hit[row] = true;
            }
            from = self.starts.get(row + 1).map_or(hay.len(), |&s| s as usize);
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
