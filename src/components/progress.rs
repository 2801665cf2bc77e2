//! A labelled progress bar (role=progressbar with a value).

use leptos::prelude::*;

#[component]
pub fn Progress(
    /// Accessible name, e.g. "Loading sessions".
    #[prop(into)]
    label: String,
    #[prop(into)] done: Signal<usize>,
    #[prop(into)] total: Signal<usize>,
    /// What is counted, e.g. "sessions".
    #[prop(into)]
    unit: String,
) -> impl IntoView {
    let pct = move || {
        let t = total.get();
        if t == 0 {
            0.0
        } else {
            (done.get() as f64 / t as f64 * 100.0).min(100.0)
        }
    };
    let text_label = label.clone();
    view! {
        <div class="progress">
            <div
                class="progress-track"
                role="progressbar"
                aria-label=label
                aria-valuemin="0"
                aria-valuemax=move || total.get().to_string()
                aria-valuenow=move || done.get().to_string()
            >
                <div class="progress-fill" style:width=move || format!("{:.1}%", pct())></div>
            </div>
            <span class="progress-text">
                {move || format!("{text_label}… {} of {} {unit}", done.get(), total.get())}
            </span>
        </div>
    }
}
