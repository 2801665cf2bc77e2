//! The Activity view: every revocation this browser attempted.

use leptos::prelude::*;

#[component]
pub fn ActivityPage() -> impl IntoView {
    view! { <section class="activity-page"><h1>"Activity"</h1></section> }
}
