//! Loading the list into the screen: the backend's load, batched by
//! [`Batcher`], voided and cancelled by a newer load or the screen going
//! away ([`Loads`]), and the first page painted before the rest is asked for.

use super::screen::Screen;
use crate::backends::paging;
use crate::browser;
use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::list::SessionList;
use crate::load::{Batcher, LoadProgress};
use crate::model::OwnSession;
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

impl Screen {
    /// A load completed (it began at `load` in the revoke sequence): what
    /// is new since the previous one is marked; rows revoked while it ran
    /// are left out (its answer may predate the revoke); sessions revoked
    /// before it began that the server still lists are said.
    fn after_load(self, load: u64) {
        let listed: HashSet<String> = self
            .list
            .with_untracked(|l| l.sessions.iter().map(|s| s.id.clone()).collect());
        let settled = self
            .revokes
            .try_update_value(|r| r.settle(load, |id| listed.contains(id)))
            .unwrap_or_default();
        if !settled.hide.is_empty() {
            self.list.update(|l| {
                l.remove_ids(&settled.hide);
            });
        }
        let ids: HashSet<String> = listed
            .into_iter()
            .filter(|id| !settled.hide.contains(id))
            .collect();
        let first = self.known.with_value(HashSet::is_empty);
        let fresh: HashSet<String> = if first {
            HashSet::new()
        } else {
            self.known
                .with_value(|k| ids.iter().filter(|i| !k.contains(*i)).cloned().collect())
        };
        self.fresh.set(fresh);
        self.known.set_value(ids);
        let back = settled.back;
        if !back.is_empty() {
            self.ctx.alert(format!(
                "The server still lists {} revoked earlier: {}. The revocation may not have taken effect — revoke again, or check the server.",
                crate::plural::counted(back.len(), "session"),
                back.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }

    /// Learns which session is the panel's own (how depends on the
    /// backend: none, the list's mark, its token, or one more call — made
    /// once per connection, asked again on the next load if it failed) and
    /// marks it. Until this is done, sweeps are refused.
    async fn find_own_session(
        self,
        scope: crate::backends::Scope,
        call: &impl Fn(ApiRequest) -> LocalBoxFuture<'static, Result<RawResponse, ApiError>>,
    ) {
        let Some(before) = self.own.try_get_untracked() else {
            return;
        };
        let marked = self
            .list
            .try_with_untracked(|l| l.sessions.iter().find(|s| s.current).map(|s| s.id.clone()))
            .flatten();
        let in_token = self
            .connected
            .try_with_value(|a| self.backend.own_session_in_token(&a.conn.token))
            .flatten();
        let source = self.backend.own_source(scope);
        let own = match source.after_load(&before, marked, in_token) {
            Some(known) => known,
            None => match self.backend.own_session(scope) {
                Some(req) => match call(req).await {
                    // Answered, and no session marked: none is the panel's.
                    Ok(resp) => OwnSession::Known(self.backend.parse_own_session(&resp.body)),
                    Err(_) => OwnSession::Unknown,
                },
                None => OwnSession::Unknowable,
            },
        };
        if let OwnSession::Known(Some(id)) = &own {
            let _ = self.list.try_update(|l| l.mark_current(id));
        }
        let _ = self.own.try_set(own);
        browser::mark("sessiondeck:own-session");
    }
}

/// Resolves when the first page of a load has been painted.
type PaintGate = Shared<LocalBoxFuture<'static, ()>>;

impl Screen {
    /// (Re)loads every session of the current scope, from an empty table.
    pub fn load(self) {
        self.load_with(false);
    }

    /// Reloads in the background (auto-refresh): the table, the selection
    /// (of what is still listed), the view and the focus stay; the new list
    /// replaces the old one when it is complete. Not while anything else
    /// is under way.
    /// Says whether it started.
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

    fn load_with(self, keep: bool) {
        let ticket = self.loads.try_update_value(|l| l.start());
        let Some(ticket) = ticket else { return };
        let seq = self
            .revokes
            .try_update_value(|r| r.load_started())
            .unwrap_or(0);
        self.load_error.set(None);
        // A full load voids a quiet one under way (which then never gets
        // to say it ended).
        self.refreshing.set(keep);
        if !keep {
            self.load_report.set(Default::default());
            self.skipped.set(0);
            self.list.set(SessionList::default());
            self.selected.set(HashSet::new());
            self.loading.set(Some(LoadProgress::START));
        }
        let buffer: Rc<RefCell<Vec<crate::model::Session>>> = Rc::default();
        let scope = self.scope.get_untracked();
        // The first page is painted before the rest is requested: starting a
        // request costs the main thread 1–2 ms, and six of them (plus their
        // answers) would otherwise hold up the first rows.
        let first_paint: Rc<RefCell<Option<PaintGate>>> = Rc::default();
        let gate = first_paint.clone();
        let send = self.call();
        let cancel = ticket.cancel.clone();
        let call =
            move |req: ApiRequest| -> LocalBoxFuture<'static, Result<RawResponse, ApiError>> {
                let wait = gate.borrow().clone();
                let sent = send(req.cancel_with(&cancel));
                Box::pin(async move {
                    if let Some(wait) = wait {
                        wait.await;
                    }
                    sent.await
                })
            };
        let backend = self.backend;
        spawn_local(async move {
            let current = || {
                self.loads
                    .try_with_value(|l| l.is_current(&ticket))
                    .unwrap_or(false)
            };
            let mut batcher = Batcher::default();
            let mut sink = |step| {
                if !current() {
                    return;
                }
                let batch = batcher.step(step, browser::now_ms());
                if keep {
                    if let Some(rows) = batch.rows {
                        buffer.borrow_mut().extend(rows);
                    }
                    return;
                }
                if let Some(rows) = batch.rows {
                    self.list.update(|l| {
                        l.extend_unique(rows);
                    });
                }
                if batch.first {
                    browser::mark("sessiondeck:first-page");
                    *first_paint.borrow_mut() =
                        Some(browser::after_paint(50).boxed_local().shared());
                }
                if let Some((progress, skipped)) = batch.progress {
                    self.skipped.set(skipped);
                    self.loading.set(Some(progress));
                }
            };
            let result = paging::run(backend.load_plan(scope), &call, &mut sink).await;
            if !current() {
                return;
            }
            let rest = batcher.finish();
            if keep {
                self.refreshing.set(false);
                if result.is_ok() {
                    let mut fresh = SessionList::default();
                    fresh.extend_unique(std::mem::take(&mut *buffer.borrow_mut()));
                    fresh.extend_unique(rest);
                    let ids: HashSet<&str> = fresh.sessions.iter().map(|s| s.id.as_str()).collect();
                    self.selected
                        .update(|sel| sel.retain(|id| ids.contains(id.as_str())));
                    // The rows under the focused control may change: focus
                    // follows its session when it is still on this page.
                    let focus = browser::focused_row();
                    self.list.set(fresh);
                    self.skipped.set(batcher.skipped());
                    if let Some(f) = focus {
                        request_animation_frame(move || f.restore());
                    }
                }
            } else if !rest.is_empty() {
                self.list.update(|l| {
                    l.extend_unique(rest);
                });
            }
            self.loading.set(None);
            browser::mark("sessiondeck:loaded");
            match result {
                Ok(report) => {
                    self.load_report.set(report);
                    self.auto_paused.set(None);
                    self.after_load(seq);
                    self.find_own_session(scope, &call).await;
                }
                Err(e) => {
                    // A refusal the admin must answer pauses auto-refresh:
                    // no code-less call each tick, no new dialog or e-mail.
                    if e.needs_the_admin() && self.auto_refresh.get_untracked() > 0 {
                        self.auto_paused.set(Some(e.to_string()));
                    }
                    self.load_error.set(Some(e))
                }
            }
        });
    }
}
