//! The sessions table: sortable headers (`aria-sort`), selection
//! checkboxes, Details and Revoke per row.
//!
//! Rows are *slots*: row `i` shows the `i`-th session of the page. Each slot
//! is built once, with every text and attribute bound to the slot's data, so
//! a page flip, sort or filter sets only the texts and attributes that
//! changed, and a row whose session, selection and pending state are
//! unchanged is not touched at all.
//! Clicks and checkbox changes are handled once on `<tbody>` (the buttons
//! carry the session ID), so rows own no event listeners.
//! Every server string is rendered as text, never as HTML.

mod row;

use crate::list::{ListQuery, SortKey};
use crate::model::Session;
use crate::server::Selection;
use leptos::prelude::*;
use row::{row_slot, RowView};
use std::collections::HashSet;
use wasm_bindgen::JsCast;

/// The element an event started on, or the nearest ancestor matching `sel`.
fn event_element(ev: &web_sys::Event, sel: &str) -> Option<web_sys::Element> {
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(sel)
        .ok()
        .flatten()
}

#[component]
pub fn SessionTable(
    /// The rows of the current page, in order.
    #[prop(into)]
    rows: Signal<Vec<Session>>,
    /// The columns this backend reports, in order.
    columns: &'static [SortKey],
    #[prop(into)] query: Signal<ListQuery>,
    #[prop(into)] on_sort: Callback<SortKey>,
    /// The admin's ticks.
    selected: Selection,
    /// Sessions with a revoke under way.
    #[prop(into)]
    pending: Signal<HashSet<String>>,
    /// Sessions new since the previous load (highlighted).
    #[prop(into)]
    fresh: Signal<HashSet<String>>,
    #[prop(into)] on_details: Callback<String>,
    #[prop(into)] on_revoke: Callback<String>,
    /// "Select all on this page" (`true`) or its undoing: the page's IDs.
    /// The server decides (its own session is left out, and nothing is
    /// ticked while it does not know which session is its own).
    #[prop(into)]
    on_select_page: Callback<(Vec<String>, bool)>,
    /// "now" for relative ages, refreshed by the page.
    #[prop(into)]
    now: Signal<f64>,
) -> impl IntoView {
    // What each row shows, computed once per page change (dates formatted here).
    let views = Memo::new(move |_| rows.with(|r| r.iter().map(RowView::of).collect::<Vec<_>>()));
    // The last row ticked or unticked: a Shift+click sets every row between
    // it and the one clicked the same way (on this page, as shown).
    let anchor = StoredValue::new(None::<String>);
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if let Some(input) = event_element(&ev, "input[type=checkbox][data-id]") {
            let Some(id) = input.get_attribute("data-id") else {
                return;
            };
            let on = input
                .unchecked_into::<web_sys::HtmlInputElement>()
                .checked();
            let from = anchor.get_value();
            anchor.set_value(Some(id.clone()));
            if let (true, Some(from)) = (ev.shift_key(), from) {
                let range = untrack(|| {
                    rows.with(|r| {
                        let at = |x: &str| r.iter().position(|s| s.id == x);
                        let (Some(a), Some(b)) = (at(&from), at(&id)) else {
                            return Vec::new();
                        };
                        r[a.min(b)..=a.max(b)]
                            .iter()
                            .filter(|s| !s.current)
                            .map(|s| s.id.clone())
                            .collect::<Vec<_>>()
                    })
                });
                selected.set(&range, on);
            }
            return;
        }
        let Some(button) = event_element(&ev, "button[data-act]") else {
            return;
        };
        let (Some(act), Some(id)) = (
            button.get_attribute("data-act"),
            button.get_attribute("data-id"),
        ) else {
            return;
        };
        match act.as_str() {
            "details" => on_details.run(id),
            "revoke" => on_revoke.run(id),
            _ => {}
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = event_element(&ev, "input[type=checkbox][data-id]") else {
            return;
        };
        let Some(id) = input.get_attribute("data-id") else {
            return;
        };
        let on = input
            .unchecked_into::<web_sys::HtmlInputElement>()
            .checked();
        selected.set(&[id], on);
    };
    // The panel's own session is left out of "select all": ending it is
    // chosen one row at a time.
    let selectable = move || {
        rows.with(|r| {
            r.iter()
                .filter(|s| !s.current)
                .map(|s| s.id.clone())
                .collect::<Vec<_>>()
        })
    };
    let all_on_page_selected = move || {
        let ids = selectable();
        !ids.is_empty() && ids.iter().all(|i| selected.contains(i))
    };
    let toggle_page = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let ids = untrack(|| rows.with(|r| r.iter().map(|s| s.id.clone()).collect::<Vec<_>>()));
        on_select_page.run((ids, on));
        // Refused, the box shows what is selected, not the click.
        let input: web_sys::HtmlInputElement = event_target(&ev);
        input.set_checked(untrack(all_on_page_selected));
    };
    let header = move |k: SortKey| {
        let sorted = move || query.with(|q| (q.sort == k).then_some(q.dir));
        view! {
            <th
                scope="col"
                class=if k == SortKey::Host { "col-host" } else { "" }
                aria-sort=move || sorted().map(|d| d.aria()).unwrap_or("none")
            >
                <button type="button" class="th-sort" on:click=move |_| on_sort.run(k)>
                    {k.label()}
                    <span class="sort-mark" aria-hidden="true">
                        {move || match sorted() {
                            Some(crate::list::SortDir::Asc) => "▲",
                            Some(crate::list::SortDir::Desc) => "▼",
                            None => "↕",
                        }}
                    </span>
                </button>
            </th>
        }
    };
    view! {
        <div class="table-wrap">
            <table class="sessions">
                <caption class="sr-only">"Active sessions"</caption>
                <thead>
                    <tr>
                        <th scope="col" class="col-check">
                            <input
                                type="checkbox"
                                aria-label="Select all sessions on this page"
                                title="Your own session (if listed) is left out"
                                prop:checked=all_on_page_selected
                                on:change=toggle_page
                            />
                        </th>
                        {columns.iter().copied().map(header).collect_view()}
                        <th scope="col" class="col-actions">
                            <span class="sr-only">"Actions"</span>
                        </th>
                    </tr>
                </thead>
                <tbody on:click=on_click on:change=on_change>
                    <For
                        each=move || 0..views.with(Vec::len)
                        key=|i| *i
                        children=move |i| {
                            // Only this slot's data: an unchanged row is not rewritten.
                            let slot = Memo::new(move |_| {
                                let mut r = views.with(|v| v.get(i).cloned()).unwrap_or_default();
                                r.checked = selected.contains(&r.id);
                                r.pending = pending.with(|p| p.contains(&r.id));
                                r.fresh = fresh.with(|f| f.contains(&r.id));
                                r
                            });
                            row_slot(slot, columns, now)
                        }
                    />
                </tbody>
            </table>
        </div>
    }
}
