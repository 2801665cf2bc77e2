//! The Sessions screen: load every session, then filter / sort / page on the
//! client; details; revoke one, selected, all of a user, all others, all.
//! A view over one [`Server`] (its state and control flow): this file only
//! binds; the view's own state is in `screen`.

mod criteria;
mod keys;
mod load_status;
mod revocation_report;
mod screen;
mod toolbar;

use crate::backends::PerUser;
use crate::browser;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::details_panel::DetailsPanel;
use crate::components::pagination::Pagination;
use crate::components::session_table::SessionTable;
use crate::components::shortcuts_dialog::ShortcutsDialog;
use crate::components::user_groups::UserGroups;
use crate::context::AppCtx;
use crate::list::SortKey;
use crate::plural::counted;
use crate::server::Server;
use criteria::CriteriaPanel;
use leptos::prelude::*;
use load_status::LoadStatus;
pub use revocation_report::RevocationReport;
use screen::Screen;
use screen::ShownRows;
use toolbar::Toolbar;

/// The Sessions tab of one connected server.
#[component]
pub fn SessionsPage(server: Server, #[prop(into)] active: Signal<bool>) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let s = Screen::new(server, active);
    let id = server.id();
    // Shown again: the URL holds this screen's view.
    Effect::new(move |was: Option<bool>| {
        let now = active.get();
        if now && was == Some(false) {
            s.write_url();
        }
        now
    });
    let shown = ShownRows::new(s);
    // A Memo: the panel stays open (and its record fetched once) while the
    // list around it is refreshed.
    let details = Memo::new(move |_| s.details_shown());
    let caps = Memo::new(move |_| server.backend().caps(server.scope().get()));
    let now = RwSignal::new(browser::now_ms());
    if let Ok(h) = set_interval_with_handle(
        move || now.set(browser::now_ms()),
        std::time::Duration::from_secs(30),
    ) {
        on_cleanup(move || h.clear());
    }
    let help = RwSignal::new(false);
    let container = format!("server-{id}");
    let keys = keys::listen(s, id, container.clone(), help);
    on_cleanup(move || keys.remove());
    let popstate = window_event_listener(leptos::ev::popstate, move |_| {
        if !s.active.get_untracked() {
            return;
        }
        browser::discard_scheduled_query();
        s.query.set(s.query_from_url());
    });
    on_cleanup(move || popstate.remove());
    // Auto-refresh: a tick every N seconds while it is on (the server
    // decides whether a quiet reload runs).
    let timer = StoredValue::new_local(None::<IntervalHandle>);
    let stop_timer = move || {
        if let Some(h) = timer.write_value().take() {
            h.clear();
        }
    };
    Effect::new(move |_| {
        let secs = server.auto_refresh().get();
        stop_timer();
        if secs > 0 {
            if let Ok(h) = set_interval_with_handle(
                move || server.auto_tick(),
                std::time::Duration::from_secs(u64::from(secs)),
            ) {
                timer.set_value(Some(h));
            }
        }
    });
    on_cleanup(stop_timer);

    // What the header counts, true to what is on the screen: "13 of 240
    // sessions shown" under a filter, "loaded so far" while loading, "not
    // loaded" (and why) when the load failed.
    let summary = move || {
        let n = server.list().with(|l| l.len());
        let shown_n = shown.matched.with(Vec::len);
        let filtered = s
            .query
            .with(|q| !q.filter.trim().is_empty() || !q.crit.is_empty());
        let users = server.list().with(|l| l.user_count());
        let loading = server.loading().get();
        let failed = server.load_error().with(|e| e.as_ref().map(not_loaded));
        // Stopped at the panel's limit: every count is of what was loaded.
        let capped = server.load_report().with(|r| r.capped);
        let mut text = match (loading, failed) {
            (Some(p), _) if p.unit == "sessions" && p.total > 0 => {
                format!("Loading: {} of {} so far", n, counted(p.total, "session"))
            }
            (Some(_), _) => format!("Loading: {} so far", counted(n, "session")),
            (None, Some(why)) if n == 0 => format!("Not loaded — {why}"),
            _ if filtered => match capped {
                Some(c) => format!("{shown_n} shown{}", c.of_loaded()),
                None => format!("{shown_n} of {} shown", counted(n, "session")),
            },
            _ => match capped {
                Some(c) => format!(
                    "{} loaded{} — the panel's limit",
                    counted(n, "session"),
                    c.total
                        .map(|t| format!(" of {t} active on the server"))
                        .unwrap_or_else(|| "; the server has more".into())
                ),
                None => format!("{} active", counted(n, "session")),
            },
        };
        if n > 0 {
            text.push_str(&format!(" · {}", counted(users, "user")));
        }
        let skipped = server.skipped().get();
        if skipped > 0 {
            text.push_str(&format!(" · {} skipped", counted(skipped, "malformed row")));
        }
        let fresh = server.fresh().with(|f| f.len());
        if fresh > 0 {
            text.push_str(&format!(" · {fresh} new since the previous load"));
        }
        text
    };

    view! {
        <section class="sessions-page" id=container aria-labelledby=format!("sessions-title-{id}")>
            <div class="page-head">
                <h1 id=format!("sessions-title-{id}")>
                    {move || if server.scope().get() == crate::backends::Scope::All { "All sessions" } else { "My sessions" }}
                    <span class="kind">{server.backend().label()}</span>
                </h1>
                <p class="muted summary">{summary}</p>
                <button
                    type="button"
                    class="btn btn-quiet keys-help"
                    aria-keyshortcuts="?"
                    on:click=move |_| help.set(true)
                >
                    "Keyboard shortcuts"
                </button>
                <button
                    type="button"
                    class="btn btn-quiet disconnect"
                    aria-label=move || {
                        // Renamed when a second account on this server joins.
                        ctx.servers().track();
                        format!("Disconnect from {}", server.label())
                    }
                    on:click=move |_| ctx.disconnect_everywhere(id, None)
                >
                    "Disconnect"
                </button>
            </div>
            <LoadStatus server=server />
            <Toolbar s=s shown=shown caps=caps />
            <CriteriaPanel s=s shown=shown />
            <RevocationReport server=server />
            <Show when=move || caps.get().many_users && !server.list().with(|l| l.is_empty())>
                <UserGroups
                    groups=shown.groups
                    count=Signal::derive(move || server.list().with(|l| l.user_count()))
                    on_show=move |who: String| s.change_query(|q| { q.filter = who; q.page = 1; }, true)
                    revoke_user=caps.get_untracked().per_user != PerUser::No
                    on_revoke_user=move |k: String| server.ask_user(k)
                />
            </Show>
            {move || {
                view! {
                    <SessionTable
                        columns=caps.get().columns
                        rows=shown.page_rows
                        query=s.query
                        on_sort=move |k: SortKey| s.set_query(s.query.get_untracked().toggle_sort(k), true)
                        selected=server.selection()
                        pending=server.pending()
                        fresh=server.fresh()
                        on_details=move |id: String| s.details.set(Some(id))
                        on_revoke=move |id: String| server.ask_one(id)
                        on_select_page=move |(ids, on): (Vec<String>, bool)| server.select_page(ids, on)
                        now=now
                    />
                }
            }}
            {move || {
                let idle = server.loading().with(Option::is_none) && server.load_error().with(Option::is_none);
                (shown.page_view.with(|v| v.matched) == 0 && idle)
                    .then(|| {
                        let (f, crit) = s.query.with(|q| (q.filter.clone(), !q.crit.is_empty()));
                        let text = if crit {
                            "No session matches the filter and criteria.".to_string()
                        } else if f.is_empty() {
                            "No active sessions.".to_string()
                        } else {
                            format!("No session matches \u{201c}{f}\u{201d}.")
                        };
                        view! { <p class="empty">{text}</p> }
                    })
            }}
            <Pagination
                view=shown.page_view
                page_size=Signal::derive(move || s.query.with(|q| q.page_size))
                on_page=move |p: usize| s.change_query(|q| q.page = p, true)
                on_page_size=move |n: usize| s.change_query(|q| { q.page_size = n; q.page = 1; }, true)
            />
            {move || {
                details
                    .get()
                    .map(|id| {
                        let row = server.list().with_untracked(|l| l.find(&id).cloned());
                        let user_sessions = row
                            .as_ref()
                            .map(|r| server.list().with_untracked(|l| l.ids_of_user(r.user_key()).len()))
                            .unwrap_or(0);
                        view! {
                            <DetailsPanel
                                fetch=server.details_of(id.clone())
                                per_user=server.backend().caps(server.scope().get_untracked()).per_user != PerUser::No
                                session_id=id
                                row=row
                                user_sessions=user_sessions
                                on_close=move |_| s.details.set(None)
                                on_revoke=move |id: String| server.ask_one(id)
                                on_revoke_user=move |k: String| server.ask_user(k)
                            />
                        }
                    })
            }}
            {move || {
                server
                    .confirm()
                    .get()
                    .map(|pending| {
                        view! {
                            <ConfirmDialog
                                spec=pending.spec
                                on_confirm=move |reason: String| server.confirmed(reason)
                                on_cancel=move |_| server.cancel_confirm()
                            />
                        }
                    })
            }}
            <Show when=move || help.get()>
                <ShortcutsDialog shortcuts=&keys::SHORTCUTS on_close=move |_| help.set(false) />
            </Show>
        </section>
    }
}

/// Why a list is not loaded, in a few words for the header.
fn not_loaded(e: &crate::http::request::ApiError) -> String {
    use crate::http::request::ApiError;
    match e {
        ApiError::TwoFactorCancelled => "two-factor verification cancelled".into(),
        ApiError::Forbidden { .. } => "403 Forbidden: this account may not list them".into(),
        ApiError::Unauthorized { .. } => "401 Unauthorized".into(),
        ApiError::RateWaitStopped => "the rate-limit wait was stopped".into(),
        other => match other.status() {
            Some(status) => format!("the server answered {status}"),
            None => "the server could not be reached".into(),
        },
    }
}
