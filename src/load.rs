//! The load pipeline, without a browser: which load is current (a newer one
//! voids and cancels the older one's requests), and when rows reach the
//! table and numbers reach the progress bar while pages arrive. The Sessions
//! screen binds it to its signals; tested natively.

use crate::backends::LoadStep;
use crate::http::request::Cancel;
use crate::model::Session;
use std::collections::HashMap;

/// Rows go to the table in batches while pages arrive: the first batch at
/// once, then at most every this many milliseconds — longer as the table
/// grows ([`flush_every`]) — and the last.
pub const FLUSH_EVERY_MS: f64 = 1500.0;
/// Rows in the table that add another [`FLUSH_EVERY_MS`] between batches.
const ROWS_PER_INTERVAL: usize = 100_000;

/// How long to wait before the next batch, with `shown` rows loaded: every
/// batch orders, filters and counts the whole table again, so a list of a
/// million gets a few large batches instead of many that each redo the work
/// for a million rows (the progress bar still moves).
pub fn flush_every(shown: usize) -> f64 {
    FLUSH_EVERY_MS * (1 + shown / ROWS_PER_INTERVAL) as f64
}

/// The progress bar moves at most this often while loading.
pub const PROGRESS_EVERY_MS: f64 = 120.0;

/// How far a load is: units done and expected, and what they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadProgress {
    pub done: usize,
    pub total: usize,
    /// "sessions", "users".
    pub unit: &'static str,
}

impl LoadProgress {
    /// Before the first answer.
    pub const START: LoadProgress = LoadProgress {
        done: 0,
        total: 0,
        unit: "sessions",
    };
}

/// What one step of a load asks of the screen.
#[derive(Debug, Default, PartialEq)]
pub struct Batch {
    /// Rows to hand to the table now.
    pub rows: Option<Vec<Session>>,
    /// These are the first rows: paint them before asking for more.
    pub first: bool,
    /// Progress to show now, and how many malformed rows were skipped so far.
    pub progress: Option<(LoadProgress, usize)>,
}

/// Buffers a load's rows between batches and decides, per step, what the
/// table and the progress bar get. `now` is the time of the step (ms).
#[derive(Debug, Default)]
pub struct Batcher {
    buffer: Vec<Session>,
    steps: usize,
    skipped: usize,
    last_flush: f64,
    last_progress: f64,
}

impl Batcher {
    pub fn step(&mut self, step: LoadStep, now: f64) -> Batch {
        self.steps += 1;
        self.skipped += step.skipped;
        self.buffer.extend(step.sessions);
        let first = self.steps == 1;
        let last = step.done >= step.total;
        let mut batch = Batch::default();
        if first || now - self.last_flush >= flush_every(step.done) || last {
            self.last_flush = now;
            batch.rows = Some(std::mem::take(&mut self.buffer));
            batch.first = first;
        }
        // Each page must not cost a repaint: the bar moves at most every
        // PROGRESS_EVERY_MS.
        if first || now - self.last_progress >= PROGRESS_EVERY_MS || last {
            self.last_progress = now;
            let progress = LoadProgress {
                done: step.done,
                total: step.total,
                unit: step.unit,
            };
            batch.progress = Some((progress, self.skipped));
        }
        batch
    }

    /// How many malformed rows the load has skipped so far.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The rows still buffered when the load ends.
    pub fn finish(&mut self) -> Vec<Session> {
        std::mem::take(&mut self.buffer)
    }
}

/// Which load is current. Starting one voids the one before it: its steps
/// are ignored and its requests cancelled (aborted in flight).
#[derive(Debug, Default)]
pub struct Loads {
    generation: u64,
    cancel: Option<Cancel>,
}

/// One load's identity and the handle its requests carry.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadTicket {
    pub generation: u64,
    pub cancel: Cancel,
}

impl Loads {
    pub fn start(&mut self) -> LoadTicket {
        self.stop();
        self.generation += 1;
        let cancel = Cancel::default();
        self.cancel = Some(cancel.clone());
        LoadTicket {
            generation: self.generation,
            cancel,
        }
    }

    pub fn is_current(&self, ticket: &LoadTicket) -> bool {
        ticket.generation == self.generation && !ticket.cancel.is_cancelled()
    }

    /// The screen goes away: the current load's requests are cancelled.
    pub fn stop(&mut self) {
        if let Some(c) = self.cancel.take() {
            c.cancel();
        }
    }
}

/// The revokes a load must know of, so that a refresh never undoes nor
/// races one: each revoke and each load start takes the next number of one
/// sequence, so "before" and "after" need no clock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RevokeMarks {
    seq: u64,
    /// Session ID → when it was revoked (or found already gone).
    at: HashMap<String, u64>,
}

/// What a finished load's list must do about earlier revokes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settled {
    /// Revoked before the load began, yet listed: the revoke may not have
    /// taken effect (said, and shown).
    pub back: Vec<String>,
    /// Revoked while the load was under way: its answer may predate the
    /// revoke, so these rows are left out (checked again by the next load).
    pub hide: Vec<String>,
}

impl RevokeMarks {
    /// A load begins: its place in the sequence.
    pub fn load_started(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// These sessions were revoked (or found gone) just now.
    pub fn record<'a>(&mut self, ids: impl IntoIterator<Item = &'a String>) {
        self.seq += 1;
        for id in ids {
            self.at.insert(id.clone(), self.seq);
        }
    }

    /// The load that began at `load` lists what `listed` says: revokes it
    /// saw are settled (and forgotten), later ones wait for the next load.
    pub fn settle(&mut self, load: u64, listed: impl Fn(&str) -> bool) -> Settled {
        let mut out = Settled::default();
        self.at.retain(|id, &mut at| {
            let shown = listed(id);
            if at < load {
                if shown {
                    out.back.push(id.clone());
                }
                false
            } else {
                if shown {
                    out.hide.push(id.clone());
                }
                true
            }
        });
        out.back.sort();
        out.hide.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_never_brings_back_what_was_revoked_while_it_ran() {
        let mut m = RevokeMarks::default();
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // A quiet refresh starts; then "a" is revoked; the refresh's answer
        // (read before the revoke) still lists it: hidden, not "revoke again".
        let refresh = m.load_started();
        m.record(&ids(&["a"]));
        let s = m.settle(refresh, |id| id == "a");
        assert_eq!(
            s,
            Settled {
                back: vec![],
                hide: ids(&["a"])
            }
        );
        // The next load, started after the revoke, still lists it: said.
        let next = m.load_started();
        let s = m.settle(next, |id| id == "a");
        assert_eq!(
            s,
            Settled {
                back: ids(&["a"]),
                hide: vec![]
            }
        );
        // …once: it is settled.
        let again = m.load_started();
        assert_eq!(m.settle(again, |_| true), Settled::default());
        // Revoked before a load that no longer lists it: nothing to say.
        m.record(&ids(&["b"]));
        let l = m.load_started();
        assert_eq!(m.settle(l, |_| false), Settled::default());
    }

    fn step(ids: &[&str], done: usize, total: usize) -> LoadStep {
        LoadStep {
            sessions: ids
                .iter()
                .map(|id| Session {
                    id: id.to_string(),
                    ..Default::default()
                })
                .collect(),
            skipped: 1,
            done,
            total,
            unit: "sessions",
        }
    }

    fn ids(rows: &Option<Vec<Session>>) -> Vec<String> {
        rows.iter().flatten().map(|s| s.id.clone()).collect()
    }

    #[test]
    fn first_rows_at_once_then_batched_and_the_last_at_once() {
        let mut b = Batcher::default();
        let first = b.step(step(&["a"], 1, 4), 1000.0);
        assert!(first.first);
        assert_eq!(ids(&first.rows), ["a"]);
        assert_eq!(first.progress.map(|p| p.1), Some(1));
        // Soon after: buffered, and the bar waits too.
        let second = b.step(step(&["b"], 2, 4), 1010.0);
        assert_eq!(second, Batch::default());
        // Later: the bar moves, the rows still wait for the flush interval.
        let third = b.step(step(&["c"], 3, 4), 1000.0 + PROGRESS_EVERY_MS);
        assert_eq!(third.rows, None);
        assert_eq!(
            third.progress,
            Some((
                LoadProgress {
                    done: 3,
                    total: 4,
                    unit: "sessions"
                },
                3
            ))
        );
        // The last step flushes everything buffered.
        let last = b.step(step(&["d"], 4, 4), 1200.0);
        assert!(!last.first);
        assert_eq!(ids(&last.rows), ["b", "c", "d"]);
        assert!(b.finish().is_empty());
        // Every step skipped one malformed row; a quiet refresh reads the
        // total here, not from the progress it never shows.
        assert_eq!(b.skipped(), 4);
    }

    #[test]
    fn a_long_load_flushes_every_interval_and_finish_returns_the_rest() {
        let mut b = Batcher::default();
        b.step(step(&["a"], 1, 100), 0.0);
        assert_eq!(b.step(step(&["b"], 2, 100), 100.0).rows, None);
        let later = b.step(step(&["c"], 3, 100), FLUSH_EVERY_MS);
        assert_eq!(ids(&later.rows), ["b", "c"]);
        b.step(step(&["d"], 4, 100), FLUSH_EVERY_MS + 10.0);
        assert_eq!(
            b.finish().into_iter().map(|s| s.id).collect::<Vec<_>>(),
            ["d"]
        );
    }

    #[test]
    fn batches_come_further_apart_as_the_table_grows() {
        assert_eq!(flush_every(0), FLUSH_EVERY_MS);
        assert_eq!(flush_every(100_000), 2.0 * FLUSH_EVERY_MS);
        assert_eq!(flush_every(1_000_000), 11.0 * FLUSH_EVERY_MS);
        let mut b = Batcher::default();
        let many: Vec<String> = (0..200_000).map(|i| format!("s{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        b.step(step(&many, 200_000, 400_000), 0.0);
        // 200,000 rows shown: the next batch waits three intervals.
        assert_eq!(
            b.step(step(&["x"], 200_001, 400_000), 2.0 * FLUSH_EVERY_MS)
                .rows,
            None
        );
        assert_eq!(
            ids(&b
                .step(step(&["y"], 200_002, 400_000), 3.0 * FLUSH_EVERY_MS)
                .rows),
            ["x", "y"]
        );
    }

    #[test]
    fn a_newer_load_voids_and_cancels_the_older_one() {
        let mut loads = Loads::default();
        let first = loads.start();
        assert!(loads.is_current(&first));
        let second = loads.start();
        assert!(!loads.is_current(&first));
        assert!(first.cancel.is_cancelled(), "its requests are aborted");
        assert!(loads.is_current(&second));
        loads.stop();
        assert!(second.cancel.is_cancelled());
        assert!(!loads.is_current(&second));
    }
}
