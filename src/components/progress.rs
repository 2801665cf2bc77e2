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
    // Thousandths done, as an integer (no float formatting in the page).
    let permille = move || {
        let t = total.get();
        (done.get().min(t) * 1000).checked_div(t).unwrap_or(0) as u32
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
                <div class="progress-fill" style:transform=move || scale_x(permille())></div>
            </div>
            <span class="progress-text">
                {move || format!("{text_label}… {} of {} {unit}", done.get(), total.get())}
            </span>
        </div>
    }
}

/// `scaleX(0.042)` for 42 thousandths.
fn scale_x(permille: u32) -> String {
    if permille >= 1000 {
        "scaleX(1)".to_string()
    } else {
        format!("scaleX(0.{permille:03})")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn scale_is_a_fraction_with_three_digits() {
        assert_eq!(super::scale_x(0), "scaleX(0.000)");
        assert_eq!(super::scale_x(42), "scaleX(0.042)");
        assert_eq!(super::scale_x(999), "scaleX(0.999)");
        assert_eq!(super::scale_x(1000), "scaleX(1)");
        assert_eq!(super::scale_x(5000), "scaleX(1)");
    }
}
