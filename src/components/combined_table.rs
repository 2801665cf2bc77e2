//! Sessions of several servers in one table, with a Server column (the
//! Everywhere view's matches).

use crate::browser;
use crate::components::data_table::{or_dash, DataTable};
use crate::model::Session;
use leptos::prelude::*;

/// One row of the combined table: a session and the server it is on.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerRow {
    /// The server's label ("Rocket.Chat · chat.example.com").
    pub server: String,
    pub session: Session,
}

/// `rows`: in the order shown.
#[component]
pub fn CombinedTable(#[prop(into)] rows: Signal<Vec<ServerRow>>) -> impl IntoView {
    view! {
        <DataTable
            caption="Matching sessions on every connected server"
            class="combined"
            columns=&["Server", "User", "Client", "OS", "IP", "Login", "Session"]
        >
                    {move || {
                        rows.get()
                            .into_iter()
                            .map(|ServerRow { server, session: r }| {
                                let login = r
                                    .login_at
                                    .as_ref()
                                    .and_then(|t| t.epoch_ms())
                                    .map(browser::format_datetime)
                                    .unwrap_or_else(|| "—".into());
                                view! {
                                    <tr class:row-current=r.current>
                                        <td>{server}</td>
                                        <td>
                                            {r.user_label().to_string()}
                                            {r.current.then(|| view! { <span class="badge">"This session"</span> })}
                                        </td>
                                        <td>{or_dash(r.client_label())}</td>
                                        <td>{or_dash(r.os_label())}</td>
                                        <td class="mono">{or_dash(r.ip.clone().unwrap_or_default().to_string())}</td>
                                        <td class="nowrap">{login}</td>
                                        <td class="mono">{r.id.clone()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
        </DataTable>
    }
}
