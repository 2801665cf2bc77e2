//! The browser around every connection ([`AppCtx::wiring`]: fetch, the
//! two-factor dialog, the rate-limit banner) and every
//! [`Server`](crate::server::Server) (its clock, paint, focus, tasks,
//! messages, the activity record and the load limit).

use super::{AppCtx, View};
use crate::audit;
use crate::backends::{BackendKind, Credential};
use crate::browser::{storage_get, storage_set, Store};
use crate::connection::Connection;
use crate::http::transport::browser;
use crate::server::connect::Wiring;
use crate::server::{Host, ServerId};
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use leptos::prelude::*;
use std::rc::Rc;

/// Where a raised load limit is kept (this browser; no secret).
pub const MAX_SESSIONS_KEY: &str = "sessiondeck.max-sessions";

impl AppCtx {
    /// How a connection to `base` meets the browser: fetch, the dialog
    /// (naming connection `server` as it is named then, or before there
    /// is one, kind and host) and the rate-limit banner. A 401 renewal
    /// could not cure disconnects `server`; a renewed credential is kept.
    pub fn wiring(&self, kind: BackendKind, base: &str, server: Option<ServerId>) -> Wiring {
        let ctx = *self;
        let host_label = Connection::label_of(kind, base);
        let label: Rc<dyn Fn() -> String> = Rc::new(move || {
            server
                .and_then(|id| ctx.server_label(id))
                .unwrap_or_else(|| host_label.clone())
        });
        let (gate_id, gate) = self.prompts.gate(label.clone());
        let mut w = Wiring {
            io: browser::io(base.to_string()),
            gate,
            on_rate_limit: self.rate_waits.reporter(gate_id, label),
            renewed: Rc::new(|_| {}),
            unauthorized: Rc::new(|_| {}),
        };
        if let Some(id) = server {
            w.renewed = Rc::new(move |c: &Credential| ctx.renewed(id, c.clone()));
            w.unauthorized = Rc::new(move |e| ctx.disconnect(id, Some(e.to_string())));
        }
        w
    }
}

impl Host for AppCtx {
    fn now_ms(&self) -> f64 {
        crate::browser::now_ms()
    }

    fn mark(&self, name: &str) {
        crate::browser::mark(name);
    }

    fn after_paint(&self) -> LocalBoxFuture<'static, ()> {
        crate::browser::after_paint(50).boxed_local()
    }

    fn keeping_focus(&self, swap: &mut dyn FnMut()) {
        let focus = crate::browser::focused_row();
        swap();
        if let Some(f) = focus {
            request_animation_frame(move || f.restore());
        }
    }

    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        leptos::task::spawn_local(task);
    }

    fn label(&self, server: ServerId) -> Option<String> {
        self.server_label(server)
    }

    fn several_servers(&self) -> bool {
        self.servers.ids().len() > 1
    }

    fn report_in_view(&self, server: ServerId) -> bool {
        let view = self.nav.view().get_untracked();
        view == View::Server(server) || view == View::Everywhere
    }

    fn status(&self, text: String) {
        self.notices.status(text);
    }

    fn alert(&self, text: String) {
        self.notices.alert(text);
    }

    fn record(&self, entries: Vec<audit::Entry>) {
        self.activity.record(entries);
    }

    fn complete(&self, batch: &str, entries: Vec<audit::Entry>) {
        self.activity.complete(batch, entries);
    }

    fn running(&self, batch: &str, on: bool) {
        self.activity.set_running(batch, on);
    }

    fn all_revoked(&self, server: ServerId) {
        self.disconnect_everywhere(server, Some(crate::revoke::ALL_REVOKED.into()));
    }

    fn sleep(&self, ms: f64) -> LocalBoxFuture<'static, ()> {
        crate::http::transport::browser::sleep(ms).boxed_local()
    }

    fn max_sessions(&self) -> usize {
        storage_get(Store::Local, MAX_SESSIONS_KEY)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(crate::backends::paging::DEFAULT_MAX_SESSIONS)
    }

    fn set_max_sessions(&self, n: usize) {
        storage_set(Store::Local, MAX_SESSIONS_KEY, &n.to_string());
    }

    fn loading(&self, server: ServerId, on: bool) {
        self.crash.loading(server, on, |id| self.server_label(id));
    }
}
