//! The Sessions screen's toolbar: the filter and the list-wide actions.

use super::screen::{Screen, ShownRows};
use crate::backends::Caps;
use crate::components::choice::Choice;
use crate::context::AppCtx;
use leptos::prelude::*;

#[component]
pub fn Toolbar(s: Screen, shown: ShownRows, caps: Memo<Caps>) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let server = s.server;
    // The selection is cleared on load and pruned on revoke, so it holds
    // listed sessions only (ask_selected intersects again before sending).
    let selected = move || server.selection().count();
    // A server that refused this account (403) is offered nothing it would
    // refuse again; why is said beside.
    let refused = move || {
        server.load_error().with(|e| {
            matches!(e, Some(crate::http::request::ApiError::Forbidden { .. }))
                .then_some("Not offered: the server refused this account (403).")
        })
    };
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
            // One row on a phone (scrolled sideways), in the toolbar's flow
            // elsewhere.
            <div class="toolbar-actions">
            <Show when=move || caps.get().revoke_others>
                <button
                    type="button"
                    class="btn btn-danger-quiet"
                    disabled=move || refused().is_some()
                    title=refused
                    on:click=move |_| server.ask_others()
                >
                    "Revoke all other sessions"
                </button>
            </Show>
            <Show when=move || caps.get().revoke_all>
                <button
                    type="button"
                    class="btn btn-danger-quiet"
                    disabled=move || refused().is_some()
                    title=refused
                    on:click=move |_| server.ask_all()
                >
                    {move || server.all_text().button}
                </button>
            </Show>
            {move || refused().map(|why| view! { <span class="muted refused">{why}</span> })}
            <button
                type="button"
                class="btn btn-danger"
                disabled=move || selected() == 0
                on:click=move |_| {
                    // What chose them, for the activity record.
                    let chosen_by = s.query.with_untracked(|q| {
                        let mut parts = Vec::new();
                        if !q.filter.trim().is_empty() {
                            parts.push(format!("filter \u{201c}{}\u{201d}", q.filter.trim()));
                        }
                        let crit = q.crit.describe();
                        if !crit.is_empty() {
                            parts.push(format!("criteria: {crit}"));
                        }
                        parts.join("; ")
                    });
                    server.ask_selected(shown.hidden_selected.get_untracked(), chosen_by)
                }
            >
                {move || {
                    let hidden = shown.hidden_selected.with(Vec::len);
                    if hidden == 0 {
                        format!("Revoke selected ({})", selected())
                    } else {
                        format!("Revoke selected ({}, {hidden} not shown)", selected())
                    }
                }}
            </button>
            <button
                type="button"
                class="btn"
                disabled=move || selected() == 0
                on:click=move |_| server.selection().clear()
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
        </div>
        {move || {
            let hidden = shown.hidden_selected.get();
            (!hidden.is_empty()).then(|| {
                let n = hidden.len();
                view! {
                    <div class="panel panel-warn hidden-selection" role="status">
                        <p>
                            <strong>{format!("{} not shown.", crate::plural::counted(n, "selected session"))}</strong>
                            " The filter and criteria leave them out, but they are still selected: Revoke selected would end them too."
                        </p>
                        <button
                            type="button"
                            class="btn"
                            on:click=move |_| s.change_query(|q| { q.filter.clear(); q.crit = Default::default(); q.page = 1; }, true)
                        >
                            "Show them"
                        </button>
                        <button
                            type="button"
                            class="btn"
                            on:click=move |_| {
                                let gone = shown.hidden_selected.get_untracked();
                                server.selection().unselect_rows(&gone);
                            }
                        >
                            "Unselect them"
                        </button>
                    </div>
                }
            })
        }}
    }
}
