//! The Sessions screen: load every session, then filter / sort / page on the
//! client; details; revoke one, selected, all of a user, all others, all.
//! This file only binds: state in `screen`, loading in `loader`, what
//! the buttons do in `actions`.

mod actions;
mod criteria;
mod keys;
mod load_status;
mod loader;
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
use crate::context::{AppCtx, Connected};
use crate::list::SortKey;
use crate::plural::counted;
use criteria::CriteriaPanel;
use leptos::prelude::*;
use load_status::LoadStatus;
pub use revocation_report::RevocationReport;
use screen::ShownRows;
pub use screen::{Screen, Screens};
use toolbar::Toolbar;

/// The Sessions screen of one signed-in connection: everything it loads or
/// revokes goes through `api`, captured when it was created.
#[component]
pub fn SessionsPage(api: Connected, #[prop(into)] active: Signal<bool>) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let s = Screen::new(ctx, api, active);
    let screens = expect_context::<Screens>();
    screens.register(s);
    let server = s.server();
    on_cleanup(move || screens.unregister(server));
    // Shown again: the URL holds this screen's view.
    Effect::new(move |was: Option<bool>| {
        let now = active.get();
        if now && was == Some(false) {
            s.write_url();
        }
        now
    });
    let shown = ShownRows::new(s);
    let caps = Memo::new(move |_| s.backend.caps(s.scope.get()));
    let now = RwSignal::new(browser::now_ms());
    if let Ok(h) = set_interval_with_handle(
        move || now.set(browser::now_ms()),
        std::time::Duration::from_secs(30),
    ) {
        on_cleanup(move || h.clear());
    }
    let help = RwSignal::new(false);
    let container = format!("server-{server}");
    let keys = keys::listen(s, server, container.clone(), help);
    on_cleanup(move || keys.remove());
    let popstate = window_event_listener(leptos::ev::popstate, move |_| {
        if !s.active.get_untracked() {
            return;
        }
        browser::discard_scheduled_query();
        s.query.set(s.query_from_url());
    });
    on_cleanup(move || popstate.remove());
    // Leaving the screen aborts what its load still asks for.
    on_cleanup(move || {
        let _ = s.loads.try_update_value(|l| l.stop());
    });
    s.load();
    // Auto-refresh: a quiet reload every N seconds while it is on.
    let timer = StoredValue::new_local(None::<IntervalHandle>);
    Effect::new(move |_| {
        let secs = s.auto_refresh.get();
        if let Some(h) = timer.try_update_value(Option::take).flatten() {
            h.clear();
        }
        if secs > 0 {
            if let Ok(h) = set_interval_with_handle(
                move || {
                    if s.auto_paused.with_untracked(Option::is_none) {
                        s.refresh_quietly();
                    }
                },
                std::time::Duration::from_secs(u64::from(secs)),
            ) {
                timer.set_value(Some(h));
            }
        }
    });
    on_cleanup(move || {
        if let Some(h) = timer.try_update_value(Option::take).flatten() {
            h.clear();
        }
    });

    let summary = move || {
        let n = s.list.with(|l| l.len());
        let users = shown.groups.with(|g| g.len());
        let skipped = s.skipped.get();
        let mut text = format!(
            "{} active · {}",
            counted(n, "session"),
            counted(users, "user")
        );
        if skipped > 0 {
            text.push_str(&format!(" · {} skipped", counted(skipped, "malformed row")));
        }
        let fresh = s.fresh.with(|f| f.len());
        if fresh > 0 {
            text.push_str(&format!(" · {fresh} new since the previous load"));
        }
        text
    };

    view! {
        <section class="sessions-page" id=container aria-labelledby=format!("sessions-title-{server}")>
            <div class="page-head">
                <h1 id=format!("sessions-title-{server}")>
                    {move || if s.scope.get() == crate::backends::Scope::All { "All sessions" } else { "My sessions" }}
                    <span class="kind">{s.backend.label()}</span>
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
                        ctx.servers.track();
                        format!("Disconnect from {}", s.server_label())
                    }
                    on:click=move |_| ctx.disconnect_everywhere(server, None)
                >
                    "Disconnect"
                </button>
            </div>
            <LoadStatus s=s />
            <Toolbar s=s shown=shown caps=caps />
            <CriteriaPanel s=s shown=shown />
            <RevocationReport s=s />
            <Show when=move || caps.get().many_users && !s.list.with(|l| l.is_empty())>
                <UserGroups
                    groups=shown.groups
                    on_show=move |who: String| s.change_query(|q| { q.filter = who; q.page = 1; }, true)
                    revoke_user=caps.get_untracked().per_user != PerUser::No
                    on_revoke_user=move |k: String| s.ask_user(k)
                />
            </Show>
            {move || {
                view! {
                    <SessionTable
                        columns=caps.get().columns
                        rows=shown.page_rows
                        query=s.query
                        on_sort=move |k: SortKey| s.set_query(s.query.get_untracked().toggle_sort(k), true)
                        selected=s.selected
                        pending=s.pending
                        fresh=s.fresh
                        on_details=move |id: String| s.details.set(Some(id))
                        on_revoke=move |id: String| s.ask_one(id)
                        now=now
                    />
                }
            }}
            {move || {
                let idle = s.loading.with(Option::is_none) && s.load_error.with(Option::is_none);
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
                s.details
                    .get()
                    .map(|id| {
                        let row = s.list.with_untracked(|l| l.find(&id).cloned());
                        let user_sessions = row
                            .as_ref()
                            .map(|r| s.list.with_untracked(|l| l.ids_of_user(r.user_key()).len()))
                            .unwrap_or(0);
                        view! {
                            <DetailsPanel
                                fetch=s.details_of(id.clone())
                                per_user=s.backend.caps(s.scope.get_untracked()).per_user != crate::backends::PerUser::No
                                session_id=id
                                row=row
                                user_sessions=user_sessions
                                on_close=move |_| s.details.set(None)
                                on_revoke=move |id: String| s.ask_one(id)
                                on_revoke_user=move |k: String| s.ask_user(k)
                            />
                        }
                    })
            }}
            {move || {
                s.confirm
                    .get()
                    .map(|pending| {
                        let action = pending.action;
                        view! {
                            <ConfirmDialog
                                spec=pending.spec
                                on_confirm=move |_| {
                                    s.confirm.set(None);
                                    s.submit(action.clone());
                                }
                                on_cancel=move |_| s.confirm.set(None)
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
