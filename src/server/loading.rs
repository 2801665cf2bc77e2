//! Loading a server's list: the backend's load plan, batched by
//! [`Batcher`], voided and cancelled by a newer load ([`Loads`]), the first
//! page painted before the rest is asked for; then what is new, what a
//! revoke made stale, and which session is the panel's own.

use super::Server;
use crate::backends::paging::{self, Limits};
use crate::backends::{OwnSource, Scope};
use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::list::{id_hash, SessionList};
use crate::load::{Batcher, LoadProgress};
use crate::model::{OwnSession, Session};
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

/// Resolves when the first page of a load has been painted.
type PaintGate = Shared<LocalBoxFuture<'static, ()>>;

impl Server {
    /// (Re)loads every session of the current scope, from an empty table.
    pub fn load(self) {
        self.load_with(false);
    }

    /// Reloads in the background (auto-refresh, "Refresh every server"):
    /// the table, the selection (of what is still listed), the view and the
    /// focus stay; the new list replaces the old one when it is complete.
    /// Not while a load, a revoke or a confirmation is under way. Says
    /// whether it started.
    pub fn refresh_quietly(self) -> bool {
        let busy = self.loading.with_untracked(Option::is_some)
            || self.refreshing.get_untracked()
            || self.queue.with_untracked(|q| q.is_running())
            || self.confirm.with_untracked(Option::is_some)
            || self.held.get_untracked();
        if !busy {
            self.load_with(true);
        }
        !busy
    }

    /// One load: [`Server::begin_load`] resets what it replaces, the plan
    /// runs through [`Server::paced_call`] with each step shown (or kept,
    /// for a quiet one) by [`Server::take_step`], then
    /// [`Server::finish_load`] puts the rows in place and
    /// [`Server::settle_load`] says how it ended.
    fn load_with(self, keep: bool) {
        let (ticket, seq, scope) = self.begin_load(keep);
        let host = self.host();
        let limits = Limits {
            max_sessions: host.max_sessions(),
            ..Limits::default()
        };
        let first_paint: Rc<RefCell<Option<PaintGate>>> = Rc::default();
        let call = self.paced_call(ticket.cancel.clone(), first_paint.clone());
        let (backend, in_flight) = (self.backend, self.in_flight());
        let task = async move {
            let current = || self.loads.with_value(|l| l.is_current(&ticket));
            let mut batcher = Batcher::default();
            let kept: Rc<RefCell<Vec<Session>>> = Rc::default();
            let mut sink = |mut step: crate::backends::LoadStep| {
                if !current() {
                    return;
                }
                if !keep {
                    // A full load's rows go into the list as they arrive,
                    // unseen until a batch shows them ([`Server::take_step`]):
                    // no second copy of them waits in a buffer, and the list
                    // has room for all of them (up to the limit) once their
                    // number is known — a million rows never grow by doubling.
                    let rows = std::mem::take(&mut step.sessions);
                    let room =
                        (step.unit == "sessions").then(|| step.total.min(limits.max_sessions));
                    self.list.update_untracked(|l| {
                        if let Some(total) = room {
                            l.reserve(total);
                        }
                        l.extend_unique(rows);
                    });
                }
                self.take_step(batcher.step(step, host.now_ms()), keep, &kept, &first_paint);
            };
            let plan = backend.load_plan(scope);
            let result = paging::run_within(plan, &call, &*in_flight, limits, &mut sink).await;
            if !current() {
                return;
            }
            host.loading(self.id, false);
            let mut rows = std::mem::take(&mut *kept.borrow_mut());
            rows.extend(batcher.finish());
            self.finish_load(keep, result.is_ok(), rows, batcher.skipped());
            host.mark("sessiondeck:loaded");
            self.settle_load(result, seq, scope, &call, &current).await;
        };
        self.host().spawn(Box::pin(task));
    }

    /// A load begins: the previous one is void; the panel's own session is
    /// unknown again until the new list marks it; a full load empties the
    /// table (a quiet one keeps it). Its ticket, its place in the revoke
    /// sequence, and the scope it loads.
    fn begin_load(self, keep: bool) -> (crate::load::LoadTicket, u64, Scope) {
        let ticket = self.loads.write_value().start();
        let seq = self.revokes.write_value().load_started();
        self.load_error.set(None);
        let scope = self.scope.get_untracked();
        // Rows arriving now are unmarked: a sweep over them could take the
        // panel's own.
        if self.backend.own_source(scope) != OwnSource::NotListed {
            self.own.set(OwnSession::Unknown);
        }
        self.host().loading(self.id, true);
        // A full load voids a quiet one under way (which then never gets
        // to say it ended).
        self.refreshing.set(keep);
        if !keep {
            self.load_report.set(Default::default());
            self.skipped.set(0);
            self.list.set(SessionList::default());
            self.loading.set(Some(LoadProgress::START));
        }
        (ticket, seq, scope)
    }

    /// The load's call: given up with `cancel`; once the first page arrived,
    /// the next requests wait until it is painted (`first_paint`) —
    /// starting a request costs the main thread 1–2 ms, and six of them
    /// (plus their answers) would otherwise hold up the first rows. Those
    /// that waited then start one a task (a zero timer each): over HTTP/2,
    /// 47 started at once blocked the page for 141 ms.
    fn paced_call(
        self,
        cancel: crate::http::request::Cancel,
        first_paint: Rc<RefCell<Option<PaintGate>>>,
    ) -> impl Fn(ApiRequest) -> LocalBoxFuture<'static, Result<RawResponse, ApiError>> + Clone {
        let send = self.caller();
        let host = self.host();
        move |req: ApiRequest| -> LocalBoxFuture<'static, Result<RawResponse, ApiError>> {
            let wait = first_paint.borrow().clone();
            let sent = send(req.cancel_with(&cancel));
            let host = host.clone();
            Box::pin(async move {
                if let Some(wait) = wait {
                    wait.await;
                    host.sleep(0.0).await;
                }
                sent.await
            })
        }
    }

    /// One batch of a load: the rows that went in since the last one shown
    /// (a quiet load keeps them in `kept` instead), the first page marked and its paint awaited, the
    /// progress moved.
    fn take_step(
        self,
        batch: crate::load::Batch,
        keep: bool,
        kept: &RefCell<Vec<Session>>,
        first_paint: &RefCell<Option<PaintGate>>,
    ) {
        if keep {
            if let Some(rows) = batch.rows {
                kept.borrow_mut().extend(rows);
            }
            return;
        }
        // A batch: the rows that went in since the last one are shown.
        if batch.rows.is_some() {
            self.list.update(|_| ());
        }
        if batch.first {
            self.host().mark("sessiondeck:first-page");
            *first_paint.borrow_mut() = Some(self.host().after_paint().shared());
        }
        if let Some((progress, skipped)) = batch.progress {
            self.skipped.set(skipped);
            self.loading.set(Some(progress));
        }
    }

    /// The rows not shown yet are shown: after a full load, those that went
    /// into the list since the last batch (the orders already computed are
    /// reused when none did); after a quiet one that `ok`, its `rows`
    /// replace the old list at once (the selection kept of what is still
    /// listed, the focus on its session).
    fn finish_load(self, keep: bool, ok: bool, rows: Vec<Session>, skipped: usize) {
        if !keep {
            self.list.update(|_| ());
            self.loading.set(None);
            return;
        }
        self.refreshing.set(false);
        self.loading.set(None);
        if !ok {
            return;
        }
        let mut fresh = SessionList::new(rows);
        self.list.with_untracked(|old| fresh.keep_selection_of(old));
        let mut fresh = Some(fresh);
        self.host().keeping_focus(&mut || {
            if let Some(fresh) = fresh.take() {
                self.list.set(fresh);
            }
        });
        self.skipped.set(skipped);
    }

    /// How the load ended: its report, what is new, the panel's own
    /// session — or its error, which pauses auto-refresh when only the
    /// admin can answer it (no code-less call each tick, no new dialog or
    /// e-mail).
    async fn settle_load(
        self,
        result: Result<crate::backends::LoadReport, ApiError>,
        seq: u64,
        scope: Scope,
        call: &impl Fn(ApiRequest) -> LocalBoxFuture<'static, Result<RawResponse, ApiError>>,
        current: &impl Fn() -> bool,
    ) {
        match result {
            Ok(report) => {
                self.load_report.set(report);
                self.auto_paused.set(None);
                if !self.after_load(seq, current).await {
                    return;
                }
                self.find_own_session(scope, call, current).await;
            }
            Err(e) => {
                if e.needs_the_admin() && self.auto_refresh.get_untracked() > 0 {
                    self.auto_paused.set(Some(e.to_string()));
                }
                self.load_error.set(Some(e))
            }
        }
    }

    /// A load completed (it began at `load` in the revoke sequence): what
    /// is new since the previous one is marked; rows revoked while it ran
    /// are left out (its answer may predate the revoke); sessions revoked
    /// before it began that the server still lists are said. Each step over
    /// every row is a task of its own (a million rows' worth of work never
    /// holds the page at once); `false` when another load began meanwhile.
    async fn after_load(self, load: u64, current: &impl Fn() -> bool) -> bool {
        let settled = self
            .list
            .with_untracked(|l| self.revokes.write_value().settle(load, |id| l.contains(id)));
        if !settled.hide.is_empty() {
            self.list.update(|l| {
                l.remove_ids(&settled.hide);
            });
        }
        let back = settled.back;
        if !back.is_empty() {
            self.host().alert(format!(
                "The server still lists {} revoked earlier: {}. The revocation may not have taken effect — revoke again, or check the server.",
                crate::plural::counted(back.len(), "session"),
                back.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        let next = || async {
            self.host().sleep(0.0).await;
            current()
        };
        // What is new since the previous load: the IDs it did not list
        // (kept as sorted hashes — 8 bytes a session, not a copy of each ID).
        if !next().await {
            return false;
        }
        // Hashed in one task, sorted in the next: together a million's
        // took 121 ms.
        let mut listed: Vec<u64> = self
            .list
            .with_untracked(|l| l.sessions.iter().map(|s| id_hash(&s.id)).collect());
        if !next().await {
            return false;
        }
        listed.sort_unstable();
        if !next().await {
            return false;
        }
        let fresh: HashSet<String> = self.known.with_value(|known| {
            if known.is_empty() {
                return HashSet::new();
            }
            self.list.with_untracked(|l| {
                l.sessions
                    .iter()
                    .filter(|s| known.binary_search(&id_hash(&s.id)).is_err())
                    .map(|s| s.id.clone())
                    .collect()
            })
        });
        self.fresh.set(fresh);
        self.known.set_value(listed);
        if let Some(me) = self.admin_user_id.get_value() {
            if !next().await {
                return false;
            }
            self.list.update(|l| {
                l.mark_own_account(&me);
            });
        }
        true
    }

    /// Learns which session is the panel's own (how depends on the
    /// backend: none, the list's mark, its token, or one more call — made
    /// once per connection, asked again on the next load if it failed) and
    /// marks it. Until this is done, sweeps are refused. What a load that
    /// another replaced while the call was out learns is dropped: the new
    /// load's rows are not the ones it was asked about.
    async fn find_own_session(
        self,
        scope: Scope,
        call: &impl Fn(ApiRequest) -> LocalBoxFuture<'static, Result<RawResponse, ApiError>>,
        current: &impl Fn() -> bool,
    ) {
        let asked = self.own_asked.get_value();
        let marked = self
            .list
            .with_untracked(|l| l.sessions.iter().find(|s| s.current).map(|s| s.id.clone()));
        let in_token = self.own_in_token.get_value();
        let own = match self
            .backend
            .own_source(scope)
            .after_load(asked, marked, in_token)
        {
            Some(known) => known,
            None => match self.backend.own_session(scope) {
                Some(req) => match call(req).await {
                    // Answered, and no session marked: none is the panel's.
                    Ok(resp) => {
                        let id = self.backend.parse_own_session(&resp.body);
                        self.own_asked.set_value(Some(id.clone()));
                        OwnSession::Known(id)
                    }
                    Err(e) => OwnSession::Failed(e.to_string()),
                },
                None => OwnSession::Unknowable,
            },
        };
        if !current() {
            return;
        }
        // It stands only if the new list shows it.
        let own = self
            .list
            .with_untracked(|l| own.checked(|id| l.find(id).is_some()));
        if let OwnSession::Known(Some(id)) = &own {
            self.list.update(|l| {
                l.mark_current(id);
            });
        }
        self.own.set(own);
        self.host().mark("sessiondeck:own-session");
    }
}
