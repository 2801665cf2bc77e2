//! The load pipeline, without a browser: which load is current (a newer one
//! voids and cancels the older one's requests), and when rows reach the
//! table and numbers reach the progress bar while pages arrive. The Sessions
//! screen binds it to its signals; tested natively.

use crate::backends::LoadStep;
use crate::http::request::Cancel;
use crate::model::Session;

/// Rows go to the table in batches while pages arrive: the first batch at
/// once, then at most every this many milliseconds, and the last.
pub const FLUSH_EVERY_MS: f64 = 1500.0;
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
        if first || now - self.last_flush >= FLUSH_EVERY_MS || last {
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

#[cfg(test)]
mod tests {
    use super::*;

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
