//! The Activity view: every revocation this browser attempted, newest
//! first — who, where (server and address), whose session (name, login,
//! ID), how (the operation, what chose the sessions, the reason given),
//! what the server answered and what a fresh read found; a run interrupted
//! by a reload or a crash, with a one-click check against its server; a
//! filter; exported as CSV or JSON named by server and date; cleared only
//! on purpose. Open with or without a connection.

use crate::audit::{Entry, Outcome};
use crate::browser;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::data_table::{or_dash, DataTable};
use crate::context::{AppCtx, View};
use crate::lowercase::lower;
use crate::plural::counted;
use leptos::prelude::*;

/// Rows shown at first; "Show more" adds as many again.
const STEP: usize = 200;

/// Whether `e` holds what `q` (lower-cased) asks for, in any of its fields.
fn entry_matches(e: &Entry, q: &str) -> bool {
    q.is_empty()
        || [
            &e.admin,
            &e.server,
            &e.address,
            &e.session,
            &e.user,
            &e.login,
            &e.user_id,
            &e.client,
            &e.ip,
            &e.verified,
            &e.operation,
            &e.detail,
            &e.reason,
        ]
        .iter()
        .any(|f| lower(f).contains(q))
        || e.outcome.key().contains(q)
        || lower(e.outcome.reason()).contains(q)
}

/// "chat.example.com" of "rocketchat https://chat.example.com".
fn host_of(address: &str) -> String {
    let url = address.split_once(' ').map_or(address, |(_, u)| u);
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).replace(':', "-")
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let shown = RwSignal::new(STEP);
    let confirming = RwSignal::new(false);
    let filter = RwSignal::new(String::new());
    let total = Memo::new(move |_| ctx.activity().log().with(|a| a.len()));
    // The entries the filter keeps (indices, newest first).
    let kept = Memo::new(move |_| {
        let q = lower(filter.get().trim());
        ctx.activity().log().with(|a| {
            a.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| entry_matches(e, &q))
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        })
    });
    let interrupted = Memo::new(move |_| {
        let running = ctx.activity().running();
        ctx.activity().log().with(|a| {
            a.interrupted(&running)
                .into_iter()
                .filter_map(|batch| {
                    let mine: Vec<&Entry> = a
                        .entries
                        .iter()
                        .filter(|e| e.batch == batch && e.outcome == Outcome::Pending)
                        .collect();
                    let first = mine.first()?;
                    Some((
                        batch.clone(),
                        format!(
                            "{} on {}, {} ({}{}): interrupted — outcome unknown.",
                            counted(mine.len(), "session"),
                            first.server,
                            browser::format_datetime(first.at_ms),
                            if first.operation.is_empty() {
                                "revocation"
                            } else {
                                first.operation.as_str()
                            },
                            if first.detail.is_empty() {
                                String::new()
                            } else {
                                format!("; {}", first.detail)
                            }
                        ),
                    ))
                })
                .collect::<Vec<_>>()
        })
    });
    let summary = move || {
        ctx.activity().log().with(|a| {
            let count = |k: &str| a.entries.iter().filter(|e| e.outcome.key() == k).count();
            let checked = |prefix: &str| a.entries.iter().filter(|e| e.verified.starts_with(prefix)).count();
            format!(
                "{} recorded in this browser · {} revoked · {} already gone · {} failed · {} not sent · {} interrupted · read again: {} confirmed gone, {} still listed",
                counted(a.len(), "attempt"),
                count("revoked"),
                count("already gone"),
                count("failed"),
                count("not sent"),
                count("pending") + count("interrupted"),
                checked("confirmed gone"),
                checked("still listed"),
            )
        })
    };
    let export = move |json: bool| {
        let (text, n, hosts) = ctx.activity().log().with_untracked(|a| {
            let part = crate::audit::AuditLog {
                entries: kept
                    .get_untracked()
                    .into_iter()
                    .filter_map(|i| a.entries.get(i).cloned())
                    .collect(),
            };
            let mut hosts: Vec<String> = part.entries.iter().map(|e| host_of(&e.address)).collect();
            hosts.sort();
            hosts.dedup();
            (
                if json { part.to_json() } else { part.to_csv() },
                part.len(),
                hosts,
            )
        });
        let date = crate::time::format_iso(browser::now_ms());
        let (ext, mime) = if json {
            ("json", "application/json")
        } else {
            ("csv", "text/csv;charset=utf-8")
        };
        let servers = match hosts.as_slice() {
            [one] if !one.is_empty() => one.clone(),
            _ => "all-servers".to_string(),
        };
        let name = format!(
            "sessiondeck-activity-{servers}-{}.{ext}",
            date.get(..10).unwrap_or("export")
        );
        match browser::download(&name, mime, &text) {
            Ok(()) => ctx.status(format!("Exported {} to {name}.", counted(n, "attempt"))),
            Err(e) => ctx.alert(format!("Export failed: {e}. Try again.")),
        }
    };
    let rows = move || {
        let running = ctx.activity().running();
        ctx.activity().log().with(|a| {
            kept.get()
                .into_iter()
                .take(shown.get())
                .filter_map(|i| a.entries.get(i))
                .map(|e| {
                    let (class, word) = match &e.outcome {
                        Outcome::Revoked => ("badge badge-ok", "Revoked"),
                        Outcome::AlreadyGone => ("badge", "Already gone"),
                        Outcome::Failed(_) => ("badge badge-danger", "Failed"),
                        Outcome::NotSent(_) => ("badge badge-warn", "Not sent"),
                        Outcome::Pending if running.contains(&e.batch) => ("badge", "Sending…"),
                        Outcome::Pending => ("badge badge-warn", "Interrupted — outcome unknown"),
                        Outcome::Interrupted => ("badge badge-warn", "Interrupted"),
                    };
                    let reason = e.outcome.reason().to_string();
                    let (check_class, check) = if e.verified.starts_with("confirmed gone") {
                        ("badge badge-ok", "Confirmed gone")
                    } else if e.verified.starts_with("still listed") {
                        ("badge badge-danger", "Still listed")
                    } else if e.verified.starts_with("not checked") {
                        ("badge badge-warn", "Not checked")
                    } else {
                        ("", "")
                    };
                    let detail = e
                        .verified
                        .split_once(": ")
                        .or_else(|| e.verified.split_once(" ("))
                        .map(|(_, d)| d.trim_end_matches(')').to_string());
                    let account = [
                        (!e.login.is_empty()).then(|| e.login.clone()),
                        (!e.user_id.is_empty() && e.user_id != e.login)
                            .then(|| format!("ID {}", e.user_id)),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · ");
                    let operation = [
                        e.operation.clone(),
                        e.detail.clone(),
                        if e.reason.is_empty() {
                            String::new()
                        } else {
                            format!("reason: {}", e.reason)
                        },
                    ]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>();
                    let host = host_of(&e.address);
                    view! {
                        <tr>
                            <td class="nowrap">{browser::format_datetime(e.at_ms)}</td>
                            <td>{e.admin.clone()}</td>
                            <td>
                                <span>{e.server.clone()}</span>
                                <span class="sub mono">{host}</span>
                            </td>
                            <td class="mono">{e.session.clone()}</td>
                            <td>
                                <span>{e.user.clone()}</span>
                                <span class="sub mono">{account}</span>
                            </td>
                            <td>{e.client.clone()}</td>
                            <td class="mono">{or_dash(e.ip.clone())}</td>
                            <td>
                                {operation.first().cloned().map(|o| view! { <span>{o}</span> })}
                                {operation.get(1..).map(|rest| rest.join("; ")).filter(|r| !r.is_empty()).map(|r| view! { <span class="sub">{r}</span> })}
                            </td>
                            <td>
                                <span class=class>{word}</span>
                                {(!reason.is_empty()).then(|| view! { <span class="reason">{reason}</span> })}
                            </td>
                            <td>
                                {(!check.is_empty()).then(|| view! { <span class=check_class>{check}</span> })}
                                {detail.map(|d| view! { <span class="reason">{d}</span> })}
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="activity-page" aria-labelledby="activity-title">
            <div class="page-head">
                <h1 id="activity-title">"Activity"</h1>
                <p class="muted summary">{summary}</p>
                <Show when=move || ctx.servers().with(Vec::is_empty)>
                    <button type="button" class="btn" on:click=move |_| ctx.show(View::AddServer)>
                        "Back to Connect"
                    </button>
                </Show>
            </div>
            {move || {
                let list = interrupted.get();
                (!list.is_empty()).then(|| {
                    view! {
                        <section class="panel panel-warn interrupted" aria-label="Interrupted revocations">
                            <ul>
                                {list
                                    .into_iter()
                                    .map(|(batch, text)| {
                                        view! {
                                            <li>
                                                <span>{text}</span>
                                                <button type="button" class="btn btn-small" on:click=move |_| ctx.activity().check_interrupted(&batch, &untrack(|| ctx.each_server()))>
                                                    "Check against the server"
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })
            }}
            <div class="toolbar" role="toolbar" aria-label="Activity actions">
                <label class="field-inline filter">
                    <span>"Filter"</span>
                    <input
                        type="search"
                        spellcheck="false"
                        placeholder="Server, user, login, session, outcome, reason…"
                        prop:value=move || filter.get()
                        on:input=move |ev| {
                            filter.set(event_target_value(&ev));
                            shown.set(STEP);
                        }
                    />
                </label>
                <span class="spacer"></span>
                <button type="button" class="btn" disabled=move || kept.with(Vec::is_empty) on:click=move |_| export(false)>
                    "Export CSV"
                </button>
                <button type="button" class="btn" disabled=move || kept.with(Vec::is_empty) on:click=move |_| export(true)>
                    "Export JSON"
                </button>
                <button
                    type="button"
                    class="btn btn-danger-quiet"
                    disabled=move || total.get() == 0
                    on:click=move |_| confirming.set(true)
                >
                    "Clear activity"
                </button>
            </div>
            <p class="muted hint">
                "Every revocation attempted from this browser, on every server — written before its request leaves, completed with the server's answer and what a fresh read found. Kept in this browser only (no credential is recorded), newest 5,000. Exports hold what the filter shows."
            </p>
            <Show
                when=move || { total.get() > 0 }
                fallback=|| view! { <p class="empty">"Nothing has been revoked from this browser yet."</p> }
            >
                <DataTable
                    caption="Revocation attempts, newest first"
                    class="activity"
                    columns=&["Time", "Signed in as", "Server", "Session", "User", "Client", "IP", "Operation", "Outcome", "Read again"]
                >
                    {rows}
                </DataTable>
                <Show when=move || { kept.with(Vec::len) > shown.get() }>
                    <p class="more">
                        <span class="muted">{move || format!("Showing the newest {} of {}. ", shown.get(), kept.with(Vec::len))}</span>
                        <button type="button" class="btn" on:click=move |_| shown.update(|n| *n += STEP)>
                            "Show more"
                        </button>
                    </p>
                </Show>
            </Show>
            <Show when=move || confirming.get()>
                <ConfirmDialog
                    spec=crate::confirm::clear_activity(total.get_untracked())
                    on_confirm=move |_| {
                        confirming.set(false);
                        ctx.activity().clear();
                        ctx.status("The activity record was cleared.");
                    }
                    on_cancel=move |_| confirming.set(false)
                />
            </Show>
        </section>
    }
}
