//! Every connected server at once.

use leptos::prelude::*;

#[component]
pub fn EverywherePage() -> impl IntoView {
    view! { <section class="everywhere-page"><h1>"Everywhere"</h1></section> }
}
