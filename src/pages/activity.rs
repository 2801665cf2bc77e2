//! The Activity view: every revocation this browser attempted, newest
//! first, with its outcome; exported as CSV or JSON; cleared only on
//! purpose (a confirmation first).

use crate::audit::Outcome;
use crate::browser;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::data_table::{or_dash, DataTable};
use crate::context::AppCtx;
use crate::plural::counted;
use leptos::prelude::*;

/// Rows shown at first; "Show more" adds as many again.
const STEP: usize = 200;

#[component]
pub fn ActivityPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let shown = RwSignal::new(STEP);
    let confirming = RwSignal::new(false);
    let total = Memo::new(move |_| ctx.audit.with(|a| a.len()));
    let summary = move || {
        ctx.audit.with(|a| {
            let count = |k: &str| a.entries.iter().filter(|e| e.outcome.key() == k).count();
            let checked = |prefix: &str| a.entries.iter().filter(|e| e.verified.starts_with(prefix)).count();
            format!(
                "{} recorded in this browser · {} revoked · {} already gone · {} failed · {} not sent · read again: {} confirmed gone, {} still listed",
                counted(a.len(), "attempt"),
                count("revoked"),
                count("already gone"),
                count("failed"),
                count("not sent"),
                checked("confirmed gone"),
                checked("still listed"),
            )
        })
    };
    let export = move |json: bool| {
        let (text, n) = ctx
            .audit
            .with_untracked(|a| (if json { a.to_json() } else { a.to_csv() }, a.len()));
        let date = crate::time::format_iso(browser::now_ms());
        let (ext, mime) = if json {
            ("json", "application/json")
        } else {
            ("csv", "text/csv;charset=utf-8")
        };
        let name = format!(
            "sessiondeck-activity-{}.{ext}",
            date.get(..10).unwrap_or("export")
        );
        match browser::download(&name, mime, &text) {
            Ok(()) => ctx.status(format!("Exported {} to {name}.", counted(n, "attempt"))),
            Err(e) => ctx.alert(format!("Export failed: {e}. Try again.")),
        }
    };
    let rows = move || {
        ctx.audit.with(|a| {
            a.entries
                .iter()
                .take(shown.get())
                .map(|e| {
                    let (class, word) = match &e.outcome {
                        Outcome::Revoked => ("badge badge-ok", "Revoked"),
                        Outcome::AlreadyGone => ("badge", "Already gone"),
                        Outcome::Failed(_) => ("badge badge-danger", "Failed"),
                        Outcome::NotSent(_) => ("badge badge-warn", "Not sent"),
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
                    view! {
                        <tr>
                            <td class="nowrap">{browser::format_datetime(e.at_ms)}</td>
                            <td>{e.admin.clone()}</td>
                            <td>{e.server.clone()}</td>
                            <td class="mono">{e.session.clone()}</td>
                            <td>{e.user.clone()}</td>
                            <td>{e.client.clone()}</td>
                            <td class="mono">{or_dash(e.ip.clone())}</td>
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
            </div>
            <div class="toolbar" role="toolbar" aria-label="Activity actions">
                <p class="muted hint">
                    "Every revocation attempted from this browser, on every server, with the server's answer. Kept in this browser only (no credential is recorded), newest 5,000."
                </p>
                <span class="spacer"></span>
                <button type="button" class="btn" disabled=move || total.get() == 0 on:click=move |_| export(false)>
                    "Export CSV"
                </button>
                <button type="button" class="btn" disabled=move || total.get() == 0 on:click=move |_| export(true)>
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
            <Show
                when=move || { total.get() > 0 }
                fallback=|| view! { <p class="empty">"Nothing has been revoked from this browser yet."</p> }
            >
                <DataTable
                    caption="Revocation attempts, newest first"
                    class="activity"
                    columns=&["Time", "Signed in as", "Server", "Session", "User", "Client", "IP", "Outcome", "Read again"]
                >
                    {rows}
                </DataTable>
                <Show when=move || { total.get() > shown.get() }>
                    <p class="more">
                        <span class="muted">{move || format!("Showing the newest {} of {}. ", shown.get(), total.get())}</span>
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
                        ctx.clear_audit();
                        ctx.status("The activity record was cleared.");
                    }
                    on_cancel=move |_| confirming.set(false)
                />
            </Show>
        </section>
    }
}
