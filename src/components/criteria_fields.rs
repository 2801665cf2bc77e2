//! The revoke-by-criteria inputs (idle days, signed in before, client, OS,
//! IP or subnet, location), for one server's screen and for Everywhere.

use crate::components::text_field::TextField;
use crate::list::criteria::URL_KEYS;
use crate::list::{Criteria, SortKey};
use leptos::prelude::*;

/// Each input shows its part of `value`; a change sends the whole new
/// criteria to `on_change`. `columns`: what the server reports (a
/// criterion about a value it never reports — a location on Rocket.Chat —
/// is not offered); `None` offers every one (several servers at once).
#[component]
pub fn CriteriaFields(
    #[prop(into)] value: Signal<Criteria>,
    #[prop(into)] on_change: Callback<Criteria>,
    #[prop(optional)] columns: Option<&'static [SortKey]>,
) -> impl IntoView {
    let reports = move |k: SortKey| columns.is_none_or(|c| c.contains(&k));
    let field = move |key: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      placeholder: &'static str,
                      hint: Option<&'static str>| {
        let at = URL_KEYS.iter().position(|k| *k == key).unwrap_or(0);
        view! {
            <TextField
                label=label
                class="crit-field"
                kind=kind
                placeholder=placeholder
                hint=hint.unwrap_or("")
                inputmode=if key == "idle" { "numeric" } else { "text" }
                value=Signal::derive(move || value.with(|c| c.fields()[at].clone()))
                on_input=move |v: String| {
                    let mut c = value.get_untracked();
                    if let Some(f) = c.field_mut(key) {
                        *f = v;
                    }
                    on_change.run(c);
                }
            />
        }
    };
    view! {
        <div class="crit-grid">
            {field("idle", "Idle for more than (days)", "text", "e.g. 30", None)}
            {reports(SortKey::Login).then(|| field("before", "Signed in before (UTC)", "date", "YYYY-MM-DD", None))}
            {reports(SortKey::Client).then(|| field("client", "Client", "text", "e.g. Chrome", None))}
            {reports(SortKey::Os).then(|| field("os", "OS", "text", "e.g. Windows", None))}
            {reports(SortKey::Ip).then(|| field("net", "IP or subnet", "text", "e.g. 10.0.0.0/8", Some("One address, subnet or leading octets (10.1.) — not a list.")))}
            {reports(SortKey::Location).then(|| field("loc", "Location", "text", "city or country", None))}
        </div>
        <p class="hint muted">
            "Idle counts from the last activity, or from the login where a server reports no activity. A session without the value a criterion asks about does not match."
        </p>
    }
}
