//! A read-only table of records: the frame the Everywhere matches and the
//! Activity record share — a caption for screen readers, one heading per
//! column, and the rows the caller renders.

use leptos::prelude::*;

/// "—" where a cell has nothing to show.
pub fn or_dash(v: String) -> String {
    if v.is_empty() {
        "\u{2014}".to_string()
    } else {
        v
    }
}

#[component]
pub fn DataTable(
    /// What the table holds, read out by screen readers.
    caption: &'static str,
    /// The table's own class, beside `sessions` (its look).
    class: &'static str,
    /// The column headings, in order.
    columns: &'static [&'static str],
    /// The rows (`<tr>`s), each with one cell per column.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class=format!("sessions {class}")>
                <caption class="sr-only">{caption}</caption>
                <thead>
                    <tr>{columns.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
