//! The bounded-concurrency runner of many revocations, with Stop.
//!
//! Generic over the operation, so they are tested natively with fakes. The
//! first item always runs alone: if it needs a second factor the person
//! answers once and the server remembers it before the rest start.

use crate::http::request::{ApiError, Cancel};
use futures::stream::{FuturesUnordered, Stream, StreamExt};
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// `make(item)` for each of `items`, at most `limit()` running at once,
/// outputs in the order they finish. `limit` is asked again whenever one
/// finishes, so a bound that rises mid-way (the server's protocol learnt
/// from an answer) is used at once. Like `buffer_unordered`, but with a
/// bound that may change.
pub fn bounded<'a, I, M, F>(
    items: I,
    limit: &'a dyn Fn() -> usize,
    make: M,
) -> impl Stream<Item = F::Output> + 'a
where
    I: IntoIterator + 'a,
    I::IntoIter: Unpin,
    M: FnMut(I::Item) -> F + Unpin + 'a,
    F: Future + 'a,
{
    Bounded {
        items: items.into_iter(),
        make,
        limit,
        running: FuturesUnordered::new(),
    }
}

struct Bounded<'a, I, M, F> {
    items: I,
    make: M,
    limit: &'a dyn Fn() -> usize,
    running: FuturesUnordered<F>,
}

impl<I, M, F> Stream for Bounded<'_, I, M, F>
where
    I: Iterator + Unpin,
    M: FnMut(I::Item) -> F + Unpin,
    F: Future,
{
    type Item = F::Output;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<F::Output>> {
        let this = self.get_mut();
        let limit = (this.limit)().max(1);
        while this.running.len() < limit {
            match this.items.next() {
                Some(item) => this.running.push((this.make)(item)),
                None => break,
            }
        }
        // Empty and nothing left: done (FuturesUnordered says None).
        this.running.poll_next_unpin(cx)
    }
}

/// Why an item of a batch was never sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotSent {
    /// An earlier error made the rest pointless (401, Cancel, sign-out).
    AfterError,
    /// The admin pressed Stop.
    Stopped,
}

/// How one item of a batch ended.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemResult<T> {
    Done(T),
    Failed(ApiError),
    NotSent(NotSent),
}

/// A batch's Stop button: once pressed, nothing more of the batch is sent
/// — not even a request that was waiting out a rate limit, whose wait ends
/// at once (each request carries [`Stop::token`]); what is already in
/// flight finishes.
#[derive(Clone, Debug, Default)]
pub struct Stop(Cancel);

impl Stop {
    pub fn press(&self) {
        self.0.cancel();
    }
    pub fn is_pressed(&self) -> bool {
        self.0.is_cancelled()
    }
    /// What the batch's requests carry ([`crate::http::request::ApiRequest::stop_with`]).
    pub fn token(&self) -> &Cancel {
        &self.0
    }
}

/// Runs `op` for each ID, at most `concurrency` at once (the first alone),
/// reporting `(finished, total)` after each. Results come back in the order
/// they finish. Nothing more is sent after a fatal error (see
/// [`ApiError::is_fatal`]) or once `stop` is pressed: those items are
/// [`ItemResult::NotSent`], and `op` is never called for them.
pub async fn run_bulk<T, F, Fut>(
    ids: Vec<String>,
    concurrency: &dyn Fn() -> usize,
    op: F,
    stop: &Stop,
    mut on_progress: impl FnMut(usize, usize),
) -> Vec<(String, ItemResult<T>)>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let total = ids.len();
    let failed_hard = Cell::new(false);
    let one = |id: String| {
        let (op, failed_hard) = (&op, &failed_hard);
        async move {
            if failed_hard.get() {
                return (id, ItemResult::NotSent(NotSent::AfterError));
            }
            if stop.is_pressed() {
                return (id, ItemResult::NotSent(NotSent::Stopped));
            }
            let r = match op(id.clone()).await {
                Ok(v) => ItemResult::Done(v),
                // Stopped while it waited (a rate limit): never sent.
                Err(ApiError::BatchStopped) => ItemResult::NotSent(NotSent::Stopped),
                Err(e) => {
                    if e.is_fatal() {
                        failed_hard.set(true);
                    }
                    ItemResult::Failed(e)
                }
            };
            (id, r)
        }
    };
    let mut out = Vec::with_capacity(total);
    let mut iter = ids.into_iter();
    if let Some(first) = iter.next() {
        out.push(one(first).await);
        on_progress(out.len(), total);
    }
    let mut rest = bounded(iter, concurrency, one);
    while let Some(r) = rest.next().await {
        out.push(r);
        on_progress(out.len(), total);
    }
    drop(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    /// An op that records what was sent and the peak number in flight.
    struct Probe {
        sent: RefCell<Vec<String>>,
        in_flight: Cell<usize>,
        peak: Cell<usize>,
    }

    async fn yield_now() {
        let mut yielded = false;
        futures::future::poll_fn(|cx| {
            if yielded {
                std::task::Poll::Ready(())
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        })
        .await
    }

    fn probe() -> Rc<Probe> {
        Rc::new(Probe {
            sent: RefCell::new(vec![]),
            in_flight: Cell::new(0),
            peak: Cell::new(0),
        })
    }

    #[test]
    fn bounded_ordered_and_only_the_chosen_ids() {
        let p = probe();
        let ids: Vec<String> = (0..20).map(|i| format!("s{i}")).collect();
        let mut progress = vec![];
        let out = block_on(run_bulk(
            ids.clone(),
            &|| 3,
            |id| {
                let p = p.clone();
                async move {
                    p.sent.borrow_mut().push(id.clone());
                    p.in_flight.set(p.in_flight.get() + 1);
                    p.peak.set(p.peak.get().max(p.in_flight.get()));
                    yield_now().await;
                    yield_now().await;
                    p.in_flight.set(p.in_flight.get() - 1);
                    if id == "s7" {
                        Err(ApiError::Server {
                            status: 500,
                            message: "boom".into(),
                        })
                    } else {
                        Ok(())
                    }
                }
            },
            &Stop::default(),
            |d, t| progress.push((d, t)),
        ));
        assert_eq!(p.peak.get(), 3);
        let mut sent = p.sent.borrow().clone();
        sent.sort();
        let mut want = ids.clone();
        want.sort();
        assert_eq!(sent, want, "each chosen id exactly once, nothing else");
        assert_eq!(out.len(), 20);
        let failed: Vec<&str> = out
            .iter()
            .filter(|(_, r)| matches!(r, ItemResult::Failed(_)))
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(failed, ["s7"]);
        assert_eq!(progress.last(), Some(&(20, 20)));
        assert_eq!(progress[0], (1, 20));
    }

    #[test]
    fn first_runs_alone() {
        let p = probe();
        let order = RefCell::new(vec![]);
        block_on(run_bulk(
            vec!["a".into(), "b".into(), "c".into()],
            &|| 3,
            |id| {
                let p = p.clone();
                let order = &order;
                async move {
                    order.borrow_mut().push(format!("start {id}"));
                    p.in_flight.set(p.in_flight.get() + 1);
                    p.peak.set(p.peak.get().max(p.in_flight.get()));
                    yield_now().await;
                    p.in_flight.set(p.in_flight.get() - 1);
                    order.borrow_mut().push(format!("end {id}"));
                    Ok::<_, ApiError>(())
                }
            },
            &Stop::default(),
            |_, _| {},
        ));
        assert_eq!(
            order.borrow()[..2],
            ["start a".to_string(), "end a".to_string()]
        );
        assert_eq!(p.peak.get(), 2);
    }

    #[test]
    fn fatal_error_stops_sending_the_rest() {
        let sent = RefCell::new(vec![]);
        let out = block_on(run_bulk(
            (0..10).map(|i| i.to_string()).collect(),
            &|| 2,
            |id| {
                let sent = &sent;
                async move {
                    sent.borrow_mut().push(id.clone());
                    if id == "1" {
                        Err(ApiError::Unauthorized {
                            message: "expired".into(),
                        })
                    } else {
                        Ok(())
                    }
                }
            },
            &Stop::default(),
            |_, _| {},
        ));
        let not_sent = out
            .iter()
            .filter(|(_, r)| *r == ItemResult::NotSent(NotSent::AfterError))
            .count();
        assert!(sent.borrow().len() < 10);
        assert_eq!(not_sent, 10 - sent.borrow().len());
    }

    #[test]
    fn stop_sends_nothing_more_and_the_rest_is_retryable() {
        let sent = RefCell::new(vec![]);
        let stop = Stop::default();
        let out = block_on(run_bulk(
            (0..50).map(|i| format!("s{i}")).collect(),
            &|| 3,
            |id| {
                let (sent, stop) = (&sent, &stop);
                async move {
                    sent.borrow_mut().push(id.clone());
                    yield_now().await;
                    if sent.borrow().len() == 7 {
                        stop.press();
                    }
                    Ok::<_, ApiError>(())
                }
            },
            &stop,
            |_, _| {},
        ));
        let n_sent = sent.borrow().len();
        assert!(
            (7..=9).contains(&n_sent),
            "in flight finish, nothing new starts: {n_sent}"
        );
        let stopped: Vec<&String> = out
            .iter()
            .filter(|(_, r)| *r == ItemResult::NotSent(NotSent::Stopped))
            .map(|(id, _)| id)
            .collect();
        assert_eq!(stopped.len() + n_sent, 50);
        assert!(stopped.iter().all(|id| !sent.borrow().contains(id)));
    }

    #[test]
    fn a_bound_that_rises_mid_way_is_used_at_once_and_never_exceeded() {
        let p = probe();
        let limit = Cell::new(2);
        let finished = Cell::new(0);
        let peaks = RefCell::new(Vec::new());
        let ids: Vec<String> = (0..40).map(|i| i.to_string()).collect();
        let bound = || limit.get();
        block_on(async {
            let mut s = bounded(ids, &bound, |id: String| {
                let p = p.clone();
                async move {
                    p.in_flight.set(p.in_flight.get() + 1);
                    p.peak.set(p.peak.get().max(p.in_flight.get()));
                    yield_now().await;
                    p.in_flight.set(p.in_flight.get() - 1);
                    id
                }
            });
            while s.next().await.is_some() {
                peaks.borrow_mut().push(p.peak.get());
                finished.set(finished.get() + 1);
                // The protocol is learnt from the third answer.
                if finished.get() == 3 {
                    limit.set(5);
                }
            }
        });
        let peaks = peaks.into_inner();
        assert_eq!(peaks.len(), 40, "every item ran once");
        assert_eq!(peaks[2], 2, "at most 2 before the bound rose");
        assert_eq!(p.peak.get(), 5, "the new bound is reached, never passed");
    }
}
