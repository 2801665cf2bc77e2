//! A modal built on the native `<dialog>`: top layer, inert background,
//! Escape → `on_cancel`, focus returned to where it was when it closes.

use leptos::html;
use leptos::prelude::*;

/// Renders its children in a modal dialog while mounted.
///
/// * `label_id` — id of the element holding the dialog's accessible name.
/// * `alert` — `role="alertdialog"` (destructive confirmations).
/// * `on_cancel` — Escape or the backdrop's cancel.
#[component]
pub fn Modal(
    #[prop(into)] label_id: String,
    #[prop(optional)] alert: bool,
    #[prop(optional, into)] class: String,
    #[prop(into)] on_cancel: Callback<()>,
    children: Children,
) -> impl IntoView {
    let node: NodeRef<html::Dialog> = NodeRef::new();
    let opener = send_wrapper::SendWrapper::new(crate::browser::active_element());
    node.on_load(move |d| {
        if !d.open() {
            let _ = d.show_modal();
        }
    });
    let closing = send_wrapper::SendWrapper::new(node);
    on_cleanup(move || {
        // Out of the top layer first: while the dialog is open everything
        // behind it is inert, and a focus moved there would be lost (to
        // <body>) when the dialog goes.
        if let Some(d) = closing.get_untracked() {
            if d.open() {
                d.close();
            }
        }
        if let Some(el) = opener.take() {
            if el.is_connected() {
                let _ = el.focus();
            }
        }
    });
    view! {
        <dialog
            node_ref=node
            class=format!("modal {class}")
            role=if alert { "alertdialog" } else { "dialog" }
            aria-modal="true"
            aria-labelledby=label_id
            on:cancel=move |ev: leptos::web_sys::Event| {
                ev.prevent_default();
                on_cancel.run(());
            }
        >
            {children()}
        </dialog>
    }
}
