//! A set of rows of the list: one bit a row. The admin's selection is kept
//! this way — "Select all 1,000,000 matching" sets a million bits, it does
//! not copy and hash a million IDs — and it moves with the rows whenever
//! the list changes them ([`super::SessionList`] keeps it in step).

/// A set of row positions, in ascending order when read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowSet {
    words: Vec<u64>,
    count: usize,
}

impl RowSet {
    /// The rows `rows` (any order, repeats allowed).
    pub fn of(rows: impl IntoIterator<Item = usize>) -> RowSet {
        let mut set = RowSet::default();
        for row in rows {
            let (word, bit) = (row / 64, row % 64);
            if word >= set.words.len() {
                set.words.resize(word + 1, 0);
            }
            set.words[word] |= 1 << bit;
        }
        set.count = set.words.iter().map(|w| w.count_ones() as usize).sum();
        set
    }

    /// How many rows it holds.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn contains(&self, row: usize) -> bool {
        self.words
            .get(row / 64)
            .is_some_and(|w| w & (1 << (row % 64)) != 0)
    }

    /// Adds (`on`) or removes row `row`.
    pub fn set(&mut self, row: usize, on: bool) {
        let (word, bit) = (row / 64, 1u64 << (row % 64));
        if word >= self.words.len() {
            if !on {
                return;
            }
            self.words.resize(word + 1, 0);
        }
        let w = &mut self.words[word];
        if (*w & bit != 0) != on {
            *w ^= bit;
            if on {
                self.count += 1;
            } else {
                self.count -= 1;
            }
        }
    }

    /// Its rows, ascending.
    pub fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let bit = w.trailing_zeros() as usize;
                    w &= w - 1;
                    i * 64 + bit
                })
            })
        })
    }

    /// Its rows that `other` does not hold, ascending.
    pub fn without(&self, other: &RowSet) -> RowSet {
        let words: Vec<u64> = self
            .words
            .iter()
            .enumerate()
            .map(|(i, &w)| w & !other.words.get(i).copied().unwrap_or(0))
            .collect();
        let count = words.iter().map(|w| w.count_ones() as usize).sum();
        RowSet { words, count }
    }

    /// The same rows after the list dropped those `removed` says (one flag
    /// per row of the list before): each kept row moves up by the number
    /// of rows dropped before it.
    pub fn after_removing(&self, removed: &[bool]) -> RowSet {
        let mut out = RowSet::default();
        let mut dropped = 0;
        for (i, &gone) in removed.iter().enumerate() {
            if gone {
                dropped += 1;
            } else if self.contains(i) {
                out.set(i - dropped, true);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::RowSet;

    #[test]
    fn rows_are_added_removed_counted_and_read_in_order() {
        let mut s = RowSet::of([130, 3, 64, 3]);
        assert_eq!(s.len(), 3);
        assert_eq!(s.rows().collect::<Vec<_>>(), [3, 64, 130]);
        assert!(s.contains(64) && !s.contains(63) && !s.contains(10_000));
        s.set(64, true);
        assert_eq!(s.len(), 3, "setting a row twice counts it once");
        s.set(64, false);
        s.set(9_999, false);
        assert_eq!(s.len(), 2);
        s.set(200, true);
        assert_eq!(s.rows().collect::<Vec<_>>(), [3, 130, 200]);
        assert!(RowSet::default().is_empty());
        assert_eq!(RowSet::of(0..1000).len(), 1000);
    }

    #[test]
    fn a_difference_keeps_only_what_the_other_lacks() {
        let a = RowSet::of([1, 2, 70, 200]);
        let b = RowSet::of([2, 200, 500]);
        assert_eq!(a.without(&b).rows().collect::<Vec<_>>(), [1, 70]);
        assert_eq!(a.without(&b).len(), 2);
        assert_eq!(b.without(&a).rows().collect::<Vec<_>>(), [500]);
    }

    #[test]
    fn removing_rows_moves_the_later_ones_up() {
        // Rows 0..6, of which 1, 3 and 5 are set; rows 0 and 3 go.
        let s = RowSet::of([1, 3, 5]);
        let removed = [true, false, false, true, false, false];
        // Old 1 → 0, old 5 → 3; old 3 went with its row.
        assert_eq!(
            s.after_removing(&removed).rows().collect::<Vec<_>>(),
            [0, 3]
        );
        assert!(s.after_removing(&[false; 6]) == s);
    }
}
