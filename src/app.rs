//! The root component: header, the screen of the moment, and what overlays
//! every screen (messages, the rate-limit banner, the two-factor dialog).

use crate::components::notices::Notices;
use crate::components::rate_limit_banner::RateLimitBanner;
use crate::components::two_factor_dialog::TwoFactorDialog;
use crate::connection::stored;
use crate::context::{AppCtx, SIGNOUT_KEY};
use crate::pages::connect::ConnectPage;
use crate::pages::sessions::SessionsPage;
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let ctx = AppCtx::new();
    provide_context(ctx);
    if let Some(c) = stored::load() {
        ctx.sign_in(c);
    }
    // Sign-out in another tab of this panel signs this one out too.
    let other_tab = window_event_listener(leptos::ev::storage, move |e| {
        if e.key().as_deref() == Some(SIGNOUT_KEY) && e.new_value().is_some() && ctx.api().is_some()
        {
            ctx.end(Some(
                "You signed out in another tab of this browser. Every stored credential was removed."
                    .into(),
            ));
        }
    });
    on_cleanup(move || other_tab.remove());
    let signed_in = Memo::new(move |_| ctx.conn.with(|c| c.is_some()));
    let who = move || {
        ctx.conn.with(|c| {
            c.as_ref().map(|c| {
                let server = if c.base_url.is_empty() {
                    crate::browser::origin()
                } else {
                    c.base_url.clone()
                };
                (c.display_name.clone(), c.kind.backend().label(), server)
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
                {move || {
                    // A new sign-in is a new page for the new connection.
                    ctx.conn.track();
                    ctx.api().map(|api| view! { <SessionsPage api=api /> })
                }}
            </Show>
        </main>
        <Notices />
        <TwoFactorDialog />
    }
}
