//! Sessions of several servers in one table, with a Server column (the
//! Everywhere view's matches).

use crate::browser;
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
    let dash = |v: String| if v.is_empty() { "—".to_string() } else { v };
    view! {
        <div class="table-wrap">
            <table class="sessions combined">
                <caption class="sr-only">"Matching sessions on every connected server"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Server"</th>
                        <th scope="col">"User"</th>
                        <th scope="col">"Client"</th>
                        <th scope="col">"OS"</th>
                        <th scope="col">"IP"</th>
                        <th scope="col">"Login"</th>
                        <th scope="col">"Session"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        rows.get()
                            .into_iter()
                            .map(|ServerRow { server, session: r }| {
                                let login = r
                                    .login_at
                                    .as_ref()
                                    .and_then(|t| t.epoch_ms)
                                    .map(browser::format_datetime)
                                    .unwrap_or_else(|| "—".into());
                                view! {
                                    <tr class:row-current=r.current>
                                        <td>{server}</td>
                                        <td>
                                            {r.user_label().to_string()}
                                            {r.current.then(|| view! { <span class="badge">"This session"</span> })}
                                        </td>
                                        <td>{dash(r.client_label())}</td>
                                        <td>{dash(r.os_label())}</td>
                                        <td class="mono">{dash(r.ip.clone().unwrap_or_default())}</td>
                                        <td class="nowrap">{login}</td>
                                        <td class="mono">{r.id.clone()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}
