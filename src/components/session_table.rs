//! The sessions table: sortable headers (`aria-sort`), one keyed row per
//! session, selection checkboxes, Details and Revoke per row.
//! Every server string is rendered as text, never as HTML.

use crate::list::{ListQuery, SortKey};
use crate::model::Session;
use leptos::prelude::*;
use std::collections::HashSet;

/// A time cell: relative age, with the full date in the admin's locale.
fn time_cell(t: Option<crate::time::Timestamp>, now: Signal<f64>) -> AnyView {
    match t {
        Some(t) => match t.epoch_ms {
            Some(ms) => {
                let full = crate::browser::format_datetime(ms);
                view! {
                    <time datetime=t.raw title=full.clone()>
                        <span class="age">{move || crate::browser::format_relative(ms, now.get())}</span>
                        <span class="abs">{full.clone()}</span>
                    </time>
                }
                .into_any()
            }
            None => view! { <span title="The server's date could not be read">{t.raw}</span> }
                .into_any(),
        },
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

fn text_or_dash(s: Option<String>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into())
}

#[component]
pub fn SessionTable(
    /// The rows of the current page, in order.
    #[prop(into)]
    rows: Signal<Vec<Session>>,
    /// The columns this backend reports, in order.
    columns: &'static [SortKey],
    #[prop(into)] query: Signal<ListQuery>,
    #[prop(into)] on_sort: Callback<SortKey>,
    selected: RwSignal<HashSet<String>>,
    /// Sessions with a revoke under way.
    #[prop(into)]
    pending: Signal<HashSet<String>>,
    #[prop(into)] on_details: Callback<String>,
    #[prop(into)] on_revoke: Callback<String>,
    /// "now" for relative ages, refreshed by the page.
    #[prop(into)]
    now: Signal<f64>,
) -> impl IntoView {
    let all_on_page_selected = move || {
        let ids = rows.with(|r| r.iter().map(|s| s.id.clone()).collect::<Vec<_>>());
        !ids.is_empty() && selected.with(|sel| ids.iter().all(|i| sel.contains(i)))
    };
    let toggle_page = move |on: bool| {
        let ids: Vec<String> = rows.with(|r| r.iter().map(|s| s.id.clone()).collect());
        selected.update(|sel| {
            for id in ids {
                if on {
                    sel.insert(id);
                } else {
                    sel.remove(&id);
                }
            }
        });
    };
    let header = move |k: SortKey| {
        let sorted = move || query.with(|q| (q.sort == k).then_some(q.dir));
        view! {
            <th scope="col" aria-sort=move || sorted().map(|d| d.aria()).unwrap_or("none")>
                <button type="button" class="th-sort" on:click=move |_| on_sort.run(k)>
                    {k.label()}
                    <span class="sort-mark" aria-hidden="true">
                        {move || match sorted() {
                            Some(crate::list::SortDir::Asc) => "▲",
                            Some(crate::list::SortDir::Desc) => "▼",
                            None => "↕",
                        }}
                    </span>
                </button>
            </th>
        }
    };
    view! {
        <div class="table-wrap">
            <table class="sessions">
                <caption class="sr-only">"Active sessions"</caption>
                <thead>
                    <tr>
                        <th scope="col" class="col-check">
                            <input
                                type="checkbox"
                                aria-label="Select all sessions on this page"
                                prop:checked=all_on_page_selected
                                on:change=move |ev| toggle_page(event_target_checked(&ev))
                            />
                        </th>
                        {columns.iter().copied().map(header).collect_view()}
                        <th scope="col" class="col-actions">
                            <span class="sr-only">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || rows.get()
                        key=|s| s.id.clone()
                        children=move |s| {
                            view! {
                                <SessionRow
                                    session=s
                                    columns=columns
                                    selected=selected
                                    pending=pending
                                    on_details=on_details
                                    on_revoke=on_revoke
                                    now=now
                                />
                            }
                        }
                    />
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn SessionRow(
    session: Session,
    columns: &'static [SortKey],
    selected: RwSignal<HashSet<String>>,
    pending: Signal<HashSet<String>>,
    on_details: Callback<String>,
    on_revoke: Callback<String>,
    now: Signal<f64>,
) -> impl IntoView {
    let id = session.id.clone();
    let user = session.user_label().to_string();
    let is_pending = {
        let id = id.clone();
        Signal::derive(move || pending.with(|p| p.contains(&id)))
    };
    let checked = {
        let id = id.clone();
        move || selected.with(|s| s.contains(&id))
    };
    let toggle = {
        let id = id.clone();
        move |ev| {
            let on = event_target_checked(&ev);
            selected.update(|s| {
                if on {
                    s.insert(id.clone());
                } else {
                    s.remove(&id);
                }
            })
        }
    };
    let (id_d, id_r) = (id.clone(), id.clone());
    let has_user_column = columns.contains(&SortKey::User);
    let current = session.current;
    let current_badge = move || session_current_badge(current);
    let cells = columns
        .iter()
        .map(|&k| match k {
            SortKey::User => {
                let username = session
                    .username
                    .clone()
                    .filter(|u| Some(u) != session.user_name.as_ref() && u.as_str() != user);
                view! {
                    <td class="col-user">
                        <span class="user-name">{user.clone()}</span>
                        {username.map(|u| view! { <span class="sub mono">{u}</span> })}
                        {session.operator.then(|| view! { <span class="badge badge-quiet">"operator"</span> })}
                        {current_badge()}
                    </td>
                }
                .into_any()
            }
            SortKey::Client => {
                let client = session.client_label();
                view! {
                    <td>
                        <span>{text_or_dash(Some(client))}</span>
                        {session.device_type.clone().map(|d| view! { <span class="sub">{d}</span> })}
                        {(!has_user_column).then(current_badge)}
                    </td>
                }
                .into_any()
            }
            SortKey::Os => view! { <td>{text_or_dash(Some(session.os_label()))}</td> }.into_any(),
            SortKey::Ip => view! { <td class="mono">{text_or_dash(session.ip.clone())}</td> }.into_any(),
            SortKey::Host => {
                view! { <td class="mono col-host">{text_or_dash(session.host.clone())}</td> }.into_any()
            }
            SortKey::Location => view! { <td>{text_or_dash(session.location.clone())}</td> }.into_any(),
            SortKey::Login => {
                view! { <td class="col-time">{time_cell(session.login_at.clone(), now)}</td> }.into_any()
            }
            SortKey::LastActive => {
                view! { <td class="col-time">{time_cell(session.last_active.clone(), now)}</td> }.into_any()
            }
            SortKey::Expires => {
                view! { <td class="col-time">{time_cell(session.expires_at.clone(), now)}</td> }.into_any()
            }
        })
        .collect_view();
    view! {
        <tr class:row-current=session.current class:row-pending=is_pending>
            <td class="col-check">
                <input
                    type="checkbox"
                    aria-label=format!("Select session {id} of {user}")
                    prop:checked=checked
                    on:change=toggle
                />
            </td>
            {cells}
            <td class="col-actions">
                <button
                    type="button"
                    class="btn btn-small"
                    aria-label=format!("Details of session {id}")
                    on:click=move |_| on_details.run(id_d.clone())
                >
                    "Details"
                </button>
                <button
                    type="button"
                    class="btn btn-small btn-danger-quiet"
                    aria-label=format!("Revoke session {id} of {user}")
                    disabled=is_pending
                    on:click=move |_| on_revoke.run(id_r.clone())
                >
                    "Revoke"
                </button>
            </td>
        </tr>
    }
}

fn session_current_badge(current: bool) -> Option<impl IntoView> {
    current.then(|| view! { <span class="badge">"This session"</span> })
}
