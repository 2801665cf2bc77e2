//! The app-wide context: the signed-in connection (its [`Api`]), messages,
//! the two-factor dialog's gate, sign-in and sign-out. Components reach it
//! with `expect_context::<AppCtx>()`; it knows no component.

use crate::backends::{Backend, BackendKind};
use crate::connection::{stored, Connection};
use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::http::transport::{browser, RateLimitEvent, Transport};
use crate::http::two_factor::{Prompt, TwoFactorGate};
use leptos::prelude::*;
use std::rc::Rc;

/// Written (then removed) in localStorage at sign-out: other tabs of this
/// panel see the `storage` event and sign out too. It holds no secret.
pub const SIGNOUT_KEY: &str = "sessiondeck.signout";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    /// Polite: role=status.
    Status,
    /// Assertive: role=alert.
    Alert,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    pub kind: NoticeKind,
    pub text: String,
}

/// One signed-in connection and its one transport. Work captures the `Api`
/// it started with, so it goes to that server with those credentials — or,
/// once that connection is signed out, nowhere.
#[derive(Clone)]
pub struct Api {
    pub conn: Rc<Connection>,
    transport: Transport,
    ctx: AppCtx,
}

impl Api {
    pub fn kind(&self) -> BackendKind {
        self.conn.kind
    }

    pub fn backend(&self) -> &'static dyn Backend {
        self.conn.kind.backend()
    }

    /// Sends through this connection. A 401 signs it out and returns to
    /// Connect with the reason.
    pub async fn call(&self, req: ApiRequest) -> Result<RawResponse, ApiError> {
        let r = self.transport.call(&req).await;
        if let Err(e @ ApiError::Unauthorized { .. }) = &r {
            if self.transport.is_open() {
                self.ctx.sign_out(Some(e.to_string()));
            }
        }
        r
    }
}

/// Shared app state. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct AppCtx {
    /// Who the panel is signed in as (what the header shows).
    pub conn: RwSignal<Option<Connection>>,
    pub notices: RwSignal<Vec<Notice>>,
    /// What the two-factor dialog shows (`None` = closed).
    pub prompt: RwSignal<Option<Prompt>>,
    /// While a rate limit is waited out: until when (epoch ms).
    pub rate_until: RwSignal<Option<f64>>,
    /// Why the admin was sent back to Connect (401, signed out).
    pub signout_reason: RwSignal<Option<String>>,
    api: StoredValue<Option<Api>, LocalStorage>,
    /// The gate whose prompt the dialog shows.
    dialog_gate: StoredValue<Option<Rc<TwoFactorGate>>, LocalStorage>,
    next_id: StoredValue<u64>,
}

impl AppCtx {
    pub fn new() -> Self {
        AppCtx {
            conn: RwSignal::new(None),
            notices: RwSignal::new(Vec::new()),
            prompt: RwSignal::new(None),
            rate_until: RwSignal::new(None),
            signout_reason: RwSignal::new(None),
            api: StoredValue::new_local(None),
            dialog_gate: StoredValue::new_local(None),
            next_id: StoredValue::new(1),
        }
    }

    /// The signed-in connection, if any.
    pub fn api(&self) -> Option<Api> {
        self.api.get_value()
    }

    /// The gate the two-factor dialog answers.
    pub fn dialog_gate(&self) -> Option<Rc<TwoFactorGate>> {
        self.dialog_gate.get_value()
    }

    /// A transport against `base` with these auth headers and its own
    /// two-factor gate (shown by the dialog while it asks).
    pub fn transport(
        &self,
        kind: BackendKind,
        base: &str,
        auth: Vec<(String, String)>,
    ) -> Transport {
        let (prompt, dialog_gate, rate_until) = (self.prompt, self.dialog_gate, self.rate_until);
        let gate = Rc::new_cyclic(|me: &std::rc::Weak<TwoFactorGate>| {
            let me = me.clone();
            TwoFactorGate::new(move |p: Option<Prompt>| {
                if p.is_some() {
                    dialog_gate.set_value(me.upgrade());
                }
                prompt.set(p);
            })
        });
        let backend = kind.backend();
        Transport::new(
            browser::io(base.to_string(), auth),
            Rc::new(move |req: &ApiRequest, resp: &RawResponse| backend.classify(req, resp)),
            gate,
            Rc::new(move |e| match e {
                RateLimitEvent::Waiting { until_ms } => rate_until.update(|u| {
                    *u = Some(u.map_or(until_ms, |x| x.max(until_ms)));
                }),
                RateLimitEvent::Resumed => {
                    if rate_until
                        .get_untracked()
                        .is_some_and(|u| u <= crate::browser::now_ms() + 50.0)
                    {
                        rate_until.set(None);
                    }
                }
            }),
        )
    }

    pub fn sign_in(&self, conn: Connection) {
        if let Some(old) = self.api.get_value() {
            old.transport.close();
        }
        stored::save(&conn);
        let transport = self.transport(conn.kind, &conn.base_url, conn.auth_headers());
        self.api.set_value(Some(Api {
            conn: Rc::new(conn.clone()),
            transport,
            ctx: *self,
        }));
        self.signout_reason.set(None);
        self.conn.set(Some(conn));
    }

    /// Signs out here and in this panel's other tabs: forgets every
    /// credential (memory, sessionStorage, localStorage), stops everything
    /// the connection was doing, and ends a token the panel itself obtained.
    pub fn sign_out(&self, reason: Option<String>) {
        self.end(reason);
        crate::browser::storage_set(
            crate::browser::Store::Local,
            SIGNOUT_KEY,
            &crate::browser::now_ms().to_string(),
        );
        crate::browser::storage_remove(crate::browser::Store::Local, SIGNOUT_KEY);
    }

    /// Signs out this tab only (another tab signed out).
    pub fn end(&self, reason: Option<String>) {
        if let Some(api) = self.api.get_value() {
            api.transport.close();
            // A login token the panel created is the panel's to end.
            if let Some(req) = api
                .conn
                .issued_by_panel
                .then(|| api.backend().end_token())
                .flatten()
            {
                leptos::task::spawn_local(async move {
                    let _ = api.transport.send_raw(req).await;
                });
            }
        }
        self.api.set_value(None);
        stored::forget();
        self.signout_reason.set(reason);
        self.conn.set(None);
        self.prompt.set(None);
        self.rate_until.set(None);
        self.notices.set(Vec::new());
        crate::browser::discard_scheduled_query();
        crate::browser::set_query_string("", false);
    }

    fn push(&self, kind: NoticeKind, text: String) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.notices.update(|n| {
            n.push(Notice { id, kind, text });
            // Keep the region short: the newest few messages.
            let len = n.len();
            if len > 4 {
                n.drain(..len - 4);
            }
        });
    }

    pub fn status(&self, text: impl Into<String>) {
        self.push(NoticeKind::Status, text.into());
    }

    pub fn alert(&self, text: impl Into<String>) {
        self.push(NoticeKind::Alert, text.into());
    }

    pub fn dismiss(&self, id: u64) {
        self.notices.update(|n| n.retain(|x| x.id != id));
    }
}

impl Default for AppCtx {
    fn default() -> Self {
        Self::new()
    }
}
