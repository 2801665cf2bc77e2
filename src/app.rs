//! The root component: header, the server tabs, the screen of the moment,
//! and what overlays every screen (messages, the rate-limit banner, the
//! two-factor dialog).

use crate::components::after_crash::AfterCrash;
use crate::components::notices::Notices;
use crate::components::rate_limit_banner::RateLimitBanner;
use crate::components::server_tabs::ServerTabs;
use crate::components::two_factor_dialog::TwoFactorDialog;
use crate::context::{AppCtx, View, DISCONNECT_KEY, SIGNOUT_KEY};
use crate::pages::activity::ActivityPage;
use crate::pages::connect::ConnectPage;
use crate::pages::everywhere::EverywherePage;
use crate::pages::sessions::SessionsPage;
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let ctx = AppCtx::new();
    provide_context(ctx);
    crate::browser::watch_policy_blocks();
    ctx.restore();
    // Sign-out (or a Disconnect) in another tab of this panel does the
    // same here.
    let other_tab = window_event_listener(leptos::ev::storage, move |e| {
        if e.key().as_deref() == Some(crate::audit::KEY) {
            ctx.activity().reload();
        }
        if let (Some(DISCONNECT_KEY), Some(key)) = (e.key().as_deref(), e.new_value()) {
            ctx.disconnected_elsewhere(&key);
        }
        if e.key().as_deref() == Some(SIGNOUT_KEY)
            && e.new_value().is_some()
            && !ctx.connections().is_empty()
        {
            ctx.end(Some(
                "You signed out in another tab of this browser. Every stored credential was removed."
                    .into(),
            ));
        }
    });
    on_cleanup(move || other_tab.remove());
    // While a revocation runs, leaving the page (a reload, closing the tab)
    // asks first: what is in flight would be left unknown.
    let leaving = window_event_listener(leptos::ev::beforeunload, move |e| {
        if ctx.activity().revoking() {
            e.prevent_default();
            e.set_return_value("A revocation is still running.");
        }
    });
    on_cleanup(move || leaving.remove());
    let signed_in = Memo::new(move |_| ctx.servers().with(|s| !s.is_empty()));
    let who = move || {
        let shown = ctx.nav().view().get();
        ctx.servers().with(|all| {
            let one = match shown {
                View::Server(id) => all.iter().find(|s| s.id == id),
                _ if all.len() == 1 => all.first(),
                _ => None,
            };
            match one {
                Some(s) => {
                    let server = if s.conn.base_url.is_empty() {
                        crate::browser::origin()
                    } else {
                        s.conn.base_url.clone()
                    };
                    view! {
                        <span class="whoami-text">
                            "Signed in as " <strong>{s.conn.display_name.clone()}</strong> " · "
                            {s.conn.kind.backend().label()} " · " <span class="mono">{server}</span>
                        </span>
                    }
                    .into_any()
                }
                None => view! {
                    <span class="whoami-text">
                        "Signed in to " {crate::plural::counted(all.len(), "server")}
                    </span>
                }
                .into_any(),
            }
        })
    };
    let servers = move || {
        ctx.servers()
            .with(|s| s.iter().map(|s| s.id).collect::<Vec<_>>())
    };
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">"◧"</span>
                <span>"sessiondeck"</span>
            </div>
            <Show when=move || signed_in.get()>
                <div class="whoami">
                    {who}
                    <button
                        type="button"
                        class="btn btn-quiet"
                        on:click=move |_| ctx.sign_out(Some("You signed out. Every stored credential was removed from this browser.".into()))
                    >
                        "Sign out"
                    </button>
                </div>
            </Show>
        </header>
        <RateLimitBanner />
        <Show when=move || signed_in.get()>
            <ServerTabs />
        </Show>
        // Messages in the page's flow, under the tabs: never over a control.
        <Notices />
        <main id="main" tabindex="-1">
            <AfterCrash />
            // Every server's screen stays mounted (its list, filter and
            // selection kept) while another view is shown.
            <For each=servers key=|id| *id let:id>
                {ctx
                    .server(id)
                    .map(|server| {
                        let active = Signal::derive(move || ctx.nav().view().get() == View::Server(id));
                        view! {
                            <div class="server-view" hidden=move || !active.get()>
                                <SessionsPage server=server active=active />
                            </div>
                        }
                    })}
            </For>
            {move || match ctx.nav().view().get() {
                View::AddServer => Some(view! { <ConnectPage /> }.into_any()),
                View::Everywhere if signed_in.get() => Some(view! { <EverywherePage /> }.into_any()),
                View::Activity => Some(view! { <ActivityPage /> }.into_any()),
                _ if !signed_in.get() => Some(view! { <ConnectPage /> }.into_any()),
                _ => None,
            }}
        </main>
        <TwoFactorDialog />
    }
}
