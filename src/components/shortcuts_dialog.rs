//! The list of keyboard shortcuts (`?`).

use crate::components::modal::Modal;
use leptos::prelude::*;

/// `shortcuts`: (keys, what they do).
#[component]
pub fn ShortcutsDialog(
    shortcuts: &'static [(&'static str, &'static str)],
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <Modal label_id="keys-title" on_cancel=on_close class="modal-narrow">
            <div class="dialog-body">
                <h2 id="keys-title">"Keyboard shortcuts"</h2>
                <p class="muted">"They work anywhere on this screen except while typing in a field."</p>
                <dl class="shortcuts">
                    {shortcuts
                        .iter()
                        .map(|(k, what)| view! { <div class="field-row"><dt><kbd>{*k}</kbd></dt><dd>{*what}</dd></div> })
                        .collect_view()}
                </dl>
                <div class="dialog-actions">
                    <span class="spacer"></span>
                    <button type="button" class="btn btn-primary" autofocus=true on:click=move |_| on_close.run(())>
                        "Close"
                    </button>
                </div>
            </div>
        </Modal>
    }
}
