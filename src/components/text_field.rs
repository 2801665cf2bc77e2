//! One labelled text input: the label names it (tests and screen readers
//! find it by that), the value is shown, and every keystroke hands the
//! whole new value on.

use leptos::prelude::*;

#[component]
pub fn TextField(
    /// The visible label, and so the input's accessible name.
    label: &'static str,
    /// What the input shows.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the whole value after each keystroke.
    #[prop(into)]
    on_input: Callback<String>,
    /// The input's `type`: "text", "password", "url", "search", "date".
    #[prop(default = "text")]
    kind: &'static str,
    /// The `autocomplete` hint ("off" unless a browser may fill it in).
    #[prop(default = "off")]
    autocomplete: &'static str,
    #[prop(optional)] placeholder: Option<&'static str>,
    /// The on-screen keyboard to offer ("numeric").
    #[prop(default = "text")]
    inputmode: &'static str,
    /// A line under the input ("" for none).
    #[prop(optional)]
    hint: Option<&'static str>,
    /// Extra classes of the label ("crit-field", "person").
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    view! {
        <label class=format!("field {class}")>
            <span>{label}</span>
            <input
                type=kind
                autocomplete=autocomplete
                placeholder=placeholder
                inputmode=inputmode
                spellcheck="false"
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
            {hint.filter(|h| !h.is_empty()).map(|h| view! { <span class="hint">{h}</span> })}
        </label>
    }
}
