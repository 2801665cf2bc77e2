//! Revoke by criteria: conditions beyond the filter, and "Select all N
//! matching" — the list the filter and the criteria keep is the preview of
//! the revoke (the admin's own session is left out of the selection).

use super::screen::{Screen, ShownRows};
use crate::components::criteria_fields::CriteriaFields;
use crate::list::Criteria;
use crate::plural::counted;
use leptos::prelude::*;

#[component]
pub fn CriteriaPanel(s: Screen, shown: ShownRows) -> impl IntoView {
    let any = move || s.query.with(|q| !q.crit.is_empty());
    let matching = move || shown.matched.with(Vec::len);
    view! {
        <details class="criteria" open=s.query.with_untracked(|q| !q.crit.is_empty())>
            <summary>"Revoke by criteria"</summary>
            <CriteriaFields
                columns=s.server.backend().caps(s.server.scope().get_untracked()).columns
                value=Signal::derive(move || s.query.with(|q| q.crit.clone()))
                on_change=move |c: Criteria| s.change_query(|q| { q.crit = c; q.page = 1; }, false)
            />
            {move || shown.crit_error.get().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
            <div class="crit-actions">
                <span class="crit-count" role="status">
                    {move || {
                        let n = matching();
                        // Stopped at the panel's limit: only the loaded
                        // sessions are matched (and can be selected).
                        let of = s.server.load_report().with(|r| r.capped.map(|c| c.of_loaded()));
                        format!(
                            "{}{} {} the filter and criteria.",
                            counted(n, "session"),
                            of.unwrap_or_default(),
                            if n == 1 { "matches" } else { "match" }
                        )
                    }}
                </span>
                <button
                    type="button"
                    class="btn"
                    disabled=move || matching() == 0
                    on:click=move |_| s.server.select_matching(&shown.matched.get_untracked())
                >
                    {move || format!("Select all {} matching", matching())}
                </button>
                <button
                    type="button"
                    class="btn btn-quiet"
                    disabled=move || !any()
                    on:click=move |_| s.change_query(|q| { q.crit = Criteria::default(); q.page = 1; }, true)
                >
                    "Clear criteria"
                </button>
            </div>
        </details>
    }
}
