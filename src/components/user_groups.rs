//! Sessions grouped by user, with counts and the per-user actions.

use crate::list::UserGroup;
use crate::plural::counted;
use leptos::prelude::*;

/// How many groups are listed before "…and N more".
const LISTED: usize = 60;

/// Grouping a million rows takes a moment: the groups are made only while
/// the list is open; the count comes from the list as it is.
#[component]
pub fn UserGroups(
    #[prop(into)] groups: Signal<Vec<UserGroup>>,
    /// How many groups there are.
    #[prop(into)]
    count: Signal<usize>,
    /// Show only this user's sessions (sets the filter).
    #[prop(into)]
    on_show: Callback<String>,
    /// Offer "Revoke all sessions of ‹user›".
    revoke_user: bool,
    #[prop(into)] on_revoke_user: Callback<String>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <details
            class="panel groups"
            on:toggle=move |ev| open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open())
        >
            <summary>{move || format!("Sessions by user ({} users)", count.get())}</summary>
            <ul class="group-list">
                {move || {
                    if open.get() { groups.get() } else { Vec::new() }
                        .into_iter()
                        .take(LISTED)
                        .map(|g| {
                            let show = g.username.clone().unwrap_or_else(|| g.label.clone());
                            let key = g.key.clone();
                            let label = g.label.clone();
                            view! {
                                <li class="group">
                                    <span class="group-name">{g.label.clone()}</span>
                                    {g.own_account.then(|| view! { <span class="badge badge-quiet">"your account"</span> })}
                                    <span class="muted">
                                        {counted(g.count, "session")}
                                    </span>
                                    <span class="spacer"></span>
                                    <button
                                        type="button"
                                        class="btn btn-small"
                                        aria-label=format!("Show sessions of {label}")
                                        on:click=move |_| on_show.run(show.clone())
                                    >
                                        "Show"
                                    </button>
                                    {(revoke_user && g.revocable())
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="btn btn-small btn-danger-quiet"
                                                    on:click=move |_| on_revoke_user.run(key.clone())
                                                >
                                                    {format!("Revoke all sessions of {}", g.label)}
                                                </button>
                                            }
                                        })}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || {
                let more = count.get().saturating_sub(LISTED);
                (more > 0).then(|| view! { <p class="muted">{format!("…and {more} more users: use the filter.")}</p> })
            }}
        </details>
    }
}
