//! The Sessions screen's toolbar: the filter and the list-wide actions.

use crate::backends::Caps;
use leptos::prelude::*;

/// * `filter` — the filter as shown; `on_filter` gets each edit.
/// * `selected` — how many sessions are selected.
/// * `loading` — a load runs (Refresh waits for it).
#[component]
pub fn SessionsToolbar(
    #[prop(into)] filter: Signal<String>,
    #[prop(into)] on_filter: Callback<String>,
    #[prop(into)] caps: Signal<Caps>,
    #[prop(into)] selected: Signal<usize>,
    #[prop(into)] loading: Signal<bool>,
    #[prop(into)] on_revoke_others: Callback<()>,
    #[prop(into)] on_revoke_all: Callback<()>,
    #[prop(into)] on_revoke_selected: Callback<()>,
    #[prop(into)] on_clear_selection: Callback<()>,
    #[prop(into)] on_refresh: Callback<()>,
    #[prop(into)] on_export: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="toolbar" role="toolbar" aria-label="Session actions">
            <label class="field-inline filter">
                <span>"Filter"</span>
                <input
                    type="search"
                    placeholder="User, client, OS, IP, host or session ID"
                    spellcheck="false"
                    prop:value=move || filter.get()
                    on:input=move |ev| on_filter.run(event_target_value(&ev))
                />
            </label>
            <span class="spacer"></span>
            <Show when=move || caps.get().revoke_others>
                <button type="button" class="btn btn-danger-quiet" on:click=move |_| on_revoke_others.run(())>
                    "Revoke all other sessions"
                </button>
            </Show>
            <Show when=move || caps.get().revoke_all>
                <button type="button" class="btn btn-danger-quiet" on:click=move |_| on_revoke_all.run(())>
                    "Revoke all sessions"
                </button>
            </Show>
            <button
                type="button"
                class="btn btn-danger"
                disabled=move || selected.get() == 0
                on:click=move |_| on_revoke_selected.run(())
            >
                {move || format!("Revoke selected ({})", selected.get())}
            </button>
            <button
                type="button"
                class="btn"
                disabled=move || selected.get() == 0
                on:click=move |_| on_clear_selection.run(())
            >
                "Clear selection"
            </button>
            <button type="button" class="btn" disabled=move || loading.get() on:click=move |_| on_refresh.run(())>
                "Refresh"
            </button>
            <button type="button" class="btn" on:click=move |_| on_export.run(())>
                "Export CSV"
            </button>
        </div>
    }
}
