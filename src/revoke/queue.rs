//! Confirmed revocations, one at a time (pure).

/// Revocations run one action at a time: one confirmed while another runs
/// waits here, in order, and is said to wait — never silently dropped.
#[derive(Clone, Debug, PartialEq)]
pub struct RevokeQueue<J> {
    running: bool,
    waiting: std::collections::VecDeque<J>,
}

impl<J> Default for RevokeQueue<J> {
    fn default() -> Self {
        RevokeQueue {
            running: false,
            waiting: Default::default(),
        }
    }
}

/// What became of a confirmed action.
#[derive(Debug, PartialEq)]
pub enum Submitted<J> {
    /// Nothing runs: start it now.
    Start(J),
    /// Another action runs: it waits, with this many ahead of it.
    Queued { ahead: usize },
}

impl<J> RevokeQueue<J> {
    pub fn submit(&mut self, job: J) -> Submitted<J> {
        if self.running {
            let ahead = self.waiting.len() + 1;
            self.waiting.push_back(job);
            Submitted::Queued { ahead }
        } else {
            self.running = true;
            Submitted::Start(job)
        }
    }

    /// The running action ended: the next one to start, if any.
    pub fn finished(&mut self) -> Option<J> {
        let next = self.waiting.pop_front();
        self.running = next.is_some();
        next
    }

    /// Stop: the waiting actions are dropped and returned, to be reported.
    pub fn drain(&mut self) -> Vec<J> {
        self.waiting.drain(..).collect()
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    pub fn waiting(&self) -> impl Iterator<Item = &J> {
        self.waiting.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_confirmed_while_one_runs_wait_in_order() {
        let mut q = RevokeQueue::default();
        assert_eq!(q.submit("a"), Submitted::Start("a"));
        assert_eq!(q.submit("b"), Submitted::Queued { ahead: 1 });
        assert_eq!(q.submit("c"), Submitted::Queued { ahead: 2 });
        assert!(q.is_running());
        assert_eq!(q.finished(), Some("b"));
        assert!(q.is_running(), "b runs now");
        assert_eq!(q.finished(), Some("c"));
        assert_eq!(q.finished(), None);
        assert!(!q.is_running());
        assert_eq!(q.submit("d"), Submitted::Start("d"));
        q.submit("e");
        assert_eq!(q.drain(), ["e"]);
        assert_eq!(q.finished(), None);
    }
}
