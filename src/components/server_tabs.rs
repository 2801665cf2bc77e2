//! The row of views under the header: one tab per connected server, the
//! combined view of every server, the activity record, and "Add server".

use crate::context::{AppCtx, ServerInfo, View};
use leptos::prelude::*;

#[component]
pub fn ServerTabs() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let tab = move |view: View, text: String, title: String| {
        let current = move || (ctx.nav().view().get() == view).then_some("page");
        view! {
            <button
                type="button"
                class="tab"
                aria-current=current
                title=title
                on:click=move |_| ctx.show(view)
            >
                {text}
            </button>
        }
    };
    view! {
        <nav class="server-tabs" aria-label="Servers">
            <For
                each=move || ctx.servers().with(|all| tab_texts(all))
                key=|(s, text)| (s.id, text.clone())
                children=move |(s, text)| {
                    let title = format!("{} — signed in as {}", s.conn.label(), s.conn.display_name);
                    tab(View::Server(s.id), text, title)
                }
            />
            <span class="tabs-gap"></span>
            {tab(View::Everywhere, "Everywhere".into(), "Every connected server at once: find a person, revoke by criteria".into())}
            {tab(View::Activity, "Activity".into(), "What this browser revoked, and the outcome".into())}
            {tab(View::AddServer, "Add server".into(), "Connect one more server; the others stay".into())}
        </nav>
    }
}

/// Each server with its tab text ([`ServerInfo::labels`]).
fn tab_texts(all: &[ServerInfo]) -> Vec<(ServerInfo, String)> {
    all.iter().cloned().zip(ServerInfo::labels(all)).collect()
}
