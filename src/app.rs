//! The root component and the app-wide context: the connection, messages,
//! the one two-factor gate, and a `call` that every screen uses.

use crate::backends::BackendKind;
use crate::components::notices::Notices;
use crate::components::rate_limit_banner::RateLimitBanner;
use crate::components::two_factor_dialog::TwoFactorDialog;
use crate::connection::{stored, Connection};
use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::http::transport::{browser, RateLimitEvent, Transport};
use crate::http::two_factor::{Prompt, TwoFactorGate};
use crate::pages::connect::ConnectPage;
use crate::pages::sessions::SessionsPage;
use leptos::prelude::*;
use std::rc::Rc;

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

/// Shared app state. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct AppCtx {
    pub conn: RwSignal<Option<Connection>>,
    pub notices: RwSignal<Vec<Notice>>,
    /// What the two-factor dialog shows (`None` = closed).
    pub prompt: RwSignal<Option<Prompt>>,
    /// While a rate limit is waited out: until when (epoch ms).
    pub rate_until: RwSignal<Option<f64>>,
    /// Why the admin was sent back to Connect (401, signed out).
    pub signout_reason: RwSignal<Option<String>>,
    gate: StoredValue<Rc<TwoFactorGate>, LocalStorage>,
    next_id: StoredValue<u64>,
}

impl AppCtx {
    pub fn new() -> Self {
        let prompt = RwSignal::new(None);
        let gate = Rc::new(TwoFactorGate::new(move |p| prompt.set(p)));
        AppCtx {
            conn: RwSignal::new(None),
            notices: RwSignal::new(Vec::new()),
            prompt,
            rate_until: RwSignal::new(None),
            signout_reason: RwSignal::new(None),
            gate: StoredValue::new_local(gate),
            next_id: StoredValue::new(1),
        }
    }

    pub fn gate(&self) -> Rc<TwoFactorGate> {
        self.gate.get_value()
    }

    /// A transport against `base` with these auth headers.
    pub fn transport(
        &self,
        kind: BackendKind,
        base: &str,
        auth: Vec<(String, String)>,
    ) -> Transport {
        let rate_until = self.rate_until;
        Transport {
            send: browser::fetch_sender(base.to_string(), auth),
            sleep: browser::sleeper(),
            now: browser::now(),
            classify: crate::backends::classifier(kind),
            gate: self.gate(),
            on_rate_limit: Rc::new(move |e| match e {
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
        }
    }

    /// Sends through the signed-in connection. A 401 signs out and returns
    /// to Connect with the reason.
    pub async fn call(self, req: ApiRequest) -> Result<RawResponse, ApiError> {
        let Some(conn) = self.conn.get_untracked() else {
            return Err(ApiError::Unauthorized {
                message: "not signed in".into(),
            });
        };
        let t = self.transport(conn.kind, &conn.base_url, conn.auth_headers());
        let r = t.call(&req).await;
        if let Err(e @ ApiError::Unauthorized { .. }) = &r {
            self.sign_out(Some(e.to_string()));
        }
        r
    }

    pub fn sign_in(&self, conn: Connection) {
        stored::save(&conn);
        self.signout_reason.set(None);
        self.conn.set(Some(conn));
    }

    /// Forgets every credential (memory, sessionStorage, localStorage).
    pub fn sign_out(&self, reason: Option<String>) {
        stored::forget();
        if self.gate().is_open() {
            self.gate().cancel();
        }
        self.signout_reason.set(reason);
        self.conn.set(None);
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

#[component]
pub fn App() -> impl IntoView {
    let ctx = AppCtx::new();
    provide_context(ctx);
    if let Some(c) = stored::load() {
        ctx.conn.set(Some(c));
    }
    let signed_in = Memo::new(move |_| ctx.conn.with(|c| c.is_some()));
    let who = move || {
        ctx.conn.with(|c| {
            c.as_ref().map(|c| {
                let server = if c.base_url.is_empty() {
                    crate::browser::origin()
                } else {
                    c.base_url.clone()
                };
                (c.display_name.clone(), c.kind.label(), server)
            })
        })
    };
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">"◧"</span>
                <span>"sessiondeck"</span>
            </div>
            {move || {
                who()
                    .map(|(name, kind, server)| {
                        view! {
                            <div class="whoami">
                                <span class="whoami-text">
                                    "Signed in as " <strong>{name}</strong> " · " {kind} " · "
                                    <span class="mono">{server}</span>
                                </span>
                                <button
                                    type="button"
                                    class="btn btn-quiet"
                                    on:click=move |_| ctx.sign_out(Some("You signed out. Every stored credential was removed from this browser.".into()))
                                >
                                    "Sign out"
                                </button>
                            </div>
                        }
                    })
            }}
        </header>
        <RateLimitBanner />
        <main id="main" tabindex="-1">
            <Show when=move || signed_in.get() fallback=|| view! { <ConnectPage /> }>
                <SessionsPage />
            </Show>
        </main>
        <Notices />
        <TwoFactorDialog />
    }
}
