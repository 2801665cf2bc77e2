//! The Sessions screen's toolbar: the filter and the list-wide actions.

use super::screen::{Screen, ShownRows};
use crate::backends::Caps;
use crate::components::choice::Choice;
use crate::context::AppCtx;
use leptos::prelude::*;
use std::collections::HashSet;

#[component]
pub fn Toolbar(s: Screen, shown: ShownRows, caps: Memo<Caps>) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let server = s.server;
    // The selection is cleared on load and pruned on revoke, so it holds
    // listed sessions only (ask_selected intersects again before sending).
    let selected = move || server.selection().with(|x| x.len());
    view! {
        <div class="toolbar" role="toolbar" aria-label="Session actions">
            <label class="field-inline filter">
                <span>"Filter"</span>
                <input
                    type="search"
                    id=format!("filter-{}", server.id())
                    aria-keyshortcuts="/"
                    placeholder="User, client, OS, IP, host or session ID"
                    spellcheck="false"
                    prop:value=move || s.query.with(|q| q.filter.clone())
                    on:input=move |ev| {
                        let f = event_target_value(&ev);
                        s.change_query(|q| { q.filter = f; q.page = 1; }, false);
                    }
                />
            </label>
            <span class="spacer"></span>
            <Show when=move || caps.get().revoke_others>
                <button type="button" class="btn btn-danger-quiet" on:click=move |_| server.ask_others()>
                    "Revoke all other sessions"
                </button>
            </Show>
            <Show when=move || caps.get().revoke_all>
                <button type="button" class="btn btn-danger-quiet" on:click=move |_| server.ask_all()>
                    "Revoke all sessions"
                </button>
            </Show>
            <button
                type="button"
                class="btn btn-danger"
                disabled=move || selected() == 0
                on:click=move |_| server.ask_selected()
            >
                {move || format!("Revoke selected ({})", selected())}
            </button>
            <button
                type="button"
                class="btn"
                disabled=move || selected() == 0
                on:click=move |_| server.selection().set(HashSet::new())
            >
                "Clear selection"
            </button>
            <button type="button" class="btn" disabled=move || server.loading().with(Option::is_some) on:click=move |_| server.load()>
                "Refresh"
            </button>
            <Choice
                label="Auto-refresh"
                options=&[(0, "Off"), (30, "30 s"), (60, "1 min"), (300, "5 min")]
                value=server.auto_refresh()
                on_change=move |v| server.set_auto_refresh(v)
            />
            {move || {
                server
                    .auto_paused()
                    .get()
                    .map(|why| {
                        view! {
                            <span class="auto-paused" role="status">
                                <span>{format!("Auto-refresh paused: {why}")}</span>
                                <button
                                    type="button"
                                    class="btn btn-small"
                                    on:click=move |_| server.resume_auto_refresh()
                                >
                                    "Resume auto-refresh"
                                </button>
                            </span>
                        }
                    })
            }}
            <button type="button" class="btn" on:click=move |_| match shown.matched.with_untracked(|m| s.export(m)) {
                Ok(done) => ctx.status(done),
                Err(why) => ctx.alert(why),
            }>
                "Export CSV"
            </button>
        </div>
    }
}
