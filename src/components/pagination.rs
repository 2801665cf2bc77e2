//! Previous / Next, rows per page, and "1–25 of 240".

use crate::list::{PageView, PAGE_SIZES};
use leptos::prelude::*;

#[component]
pub fn Pagination(
    #[prop(into)] view: Signal<PageView>,
    #[prop(into)] page_size: Signal<usize>,
    /// Go to this 1-based page.
    #[prop(into)]
    on_page: Callback<usize>,
    #[prop(into)] on_page_size: Callback<usize>,
) -> impl IntoView {
    let page = move || view.with(|v| v.page);
    let pages = move || view.with(|v| v.pages);
    view! {
        <nav class="pagination" aria-label="Pagination">
            <label class="field-inline">
                <span>"Rows per page"</span>
                <select
                    prop:value=move || page_size.get().to_string()
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                            on_page_size.run(n)
                        }
                    }
                >
                    {PAGE_SIZES
                        .iter()
                        .map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> })
                        .collect_view()}
                </select>
            </label>
            <span class="range" aria-live="polite">{move || view.with(|v| v.range_label())}</span>
            <span class="muted page-of">{move || format!("Page {} of {}", page(), pages())}</span>
            <button
                type="button"
                class="btn"
                aria-label="Previous page"
                disabled={move || page() <= 1}
                on:click=move |_| on_page.run(page().saturating_sub(1).max(1))
            >
                "‹ Previous"
            </button>
            <button
                type="button"
                class="btn"
                aria-label="Next page"
                disabled={move || page() >= pages()}
                on:click=move |_| on_page.run(page() + 1)
            >
                "Next ›"
            </button>
        </nav>
    }
}
