//! The row of views under the header: one tab per connected server, the
//! combined view of every server, the activity record, and "Add server".

use crate::context::{AppCtx, ServerInfo, View};
use leptos::prelude::*;

#[component]
pub fn ServerTabs() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let tab = move |view: View, text: String, title: String| {
        let current = move || (ctx.view.get() == view).then_some("page");
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
                each=move || ctx.servers.with(|all| tab_texts(all))
                key=|(s, text)| (s.id, text.clone())
                children=move |(s, text)| {
                    let title = format!("{} — signed in as {}", s.label(), s.conn.display_name);
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

/// Each server's tab text: its label, and who is signed in where two
/// connections share a label (two accounts on one server).
fn tab_texts(all: &[ServerInfo]) -> Vec<(ServerInfo, String)> {
    let labels: Vec<String> = all.iter().map(ServerInfo::label).collect();
    all.iter()
        .zip(&labels)
        .map(|(s, label)| {
            let shared = labels.iter().filter(|l| *l == label).count() > 1;
            let text = if shared {
                format!("{label} · {}", s.conn.display_name)
            } else {
                label.clone()
            };
            (s.clone(), text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::BackendKind;
    use crate::connection::Connection;

    fn server(id: u32, kind: BackendKind, name: &str) -> ServerInfo {
        ServerInfo {
            id,
            conn: Connection {
                kind,
                base_url: "https://chat.example.com".into(),
                user_id: name.into(),
                token: "t".into(),
                remember: false,
                display_name: name.into(),
                issued_by_panel: false,
            },
        }
    }

    #[test]
    fn two_accounts_on_one_server_are_told_apart_by_who_is_signed_in() {
        let all = [
            server(1, BackendKind::RocketChat, "Ada Admin"),
            server(2, BackendKind::RocketChat, "Ursula"),
            server(3, BackendKind::DocSpace, "Dora"),
        ];
        let texts: Vec<String> = tab_texts(&all).into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            texts,
            [
                "Rocket.Chat · chat.example.com · Ada Admin",
                "Rocket.Chat · chat.example.com · Ursula",
                "DocSpace (ONLYOFFICE) · chat.example.com",
            ]
        );
    }
}
