//! One labelled choice among a few numbers (auto-refresh every N seconds,
//! remember for N hours): a `<select>` named by its label.

use leptos::prelude::*;

#[component]
pub fn Choice(
    /// The visible label, and so the select's accessible name.
    label: &'static str,
    /// The values offered, each with its words ("30 s", "8 hours").
    options: &'static [(u32, &'static str)],
    #[prop(into)] value: Signal<u32>,
    /// Called with the value chosen.
    #[prop(into)]
    on_change: Callback<u32>,
) -> impl IntoView {
    view! {
        <label class="field-inline">
            <span>{label}</span>
            <select
                prop:value=move || value.get().to_string()
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse() {
                        on_change.run(v);
                    }
                }
            >
                {options
                    .iter()
                    .map(|(v, words)| view! { <option value=v.to_string()>{*words}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
