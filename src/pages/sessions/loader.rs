//! Loading the list into the screen: the backend's load, batched by
//! [`Batcher`], voided and cancelled by a newer load or the screen going
//! away ([`Loads`]), and the first page painted before the rest is asked for.

use super::screen::Screen;
use crate::backends::paging;
use crate::browser;
use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::list::SessionList;
use crate::load::{Batcher, LoadProgress};
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

impl Screen {
    /// Marks the panel's own session where the list did not say which it
    /// is but another call does. Quietly nothing when that call fails.
    async fn find_own_session(
        self,
        scope: crate::backends::Scope,
        call: &impl Fn(ApiRequest) -> LocalBoxFuture<'static, Result<RawResponse, ApiError>>,
    ) {
        let Some(req) = self.backend.own_session(scope) else {
            return;
        };
        if let Ok(resp) = call(req).await {
            if let Some(id) = self.backend.parse_own_session(&resp.body) {
                let _ = self.list.try_update(|l| l.mark_current(&id));
            }
        }
        browser::mark("sessiondeck:own-session");
    }
}

/// Resolves when the first page of a load has been painted.
type PaintGate = Shared<LocalBoxFuture<'static, ()>>;

impl Screen {
    /// (Re)loads every session of the current scope.
    pub fn load(self) {
        let ticket = self.loads.try_update_value(|l| l.start());
        let Some(ticket) = ticket else { return };
        self.load_error.set(None);
        self.load_report.set(Default::default());
        self.skipped.set(0);
        self.list.set(SessionList::default());
        self.selected.set(HashSet::new());
        self.loading.set(Some(LoadProgress::START));
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
            if !rest.is_empty() {
                self.list.update(|l| {
                    l.extend_unique(rest);
                });
            }
            self.loading.set(None);
            browser::mark("sessiondeck:loaded");
            match result {
                Ok(report) => {
                    self.load_report.set(report);
                    self.find_own_session(scope, &call).await;
                }
                Err(e) => self.load_error.set(Some(e)),
            }
        });
    }
}
