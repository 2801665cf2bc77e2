//! Confirmation before anything is revoked: says exactly what and how many.

use crate::components::modal::Modal;
use crate::confirm::ConfirmSpec;
use leptos::prelude::*;

const LISTED: usize = 8;

/// * `on_confirm` — gets the reason or ticket typed (empty when none, or
///   when the spec asks for none).
#[component]
pub fn ConfirmDialog(
    spec: ConfirmSpec,
    #[prop(into)] on_confirm: Callback<String>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    // Where the spec asks for a word typed first (a realm's name): the
    // button waits for it, exactly.
    let typed = RwSignal::new(String::new());
    let word = spec.type_to_confirm.clone();
    let word2 = word.clone();
    let ready = move || word2.as_deref().is_none_or(|w| typed.with(|t| t == w));
    let more = spec.items.len().saturating_sub(LISTED);
    let listed: Vec<String> = spec.items.iter().take(LISTED).cloned().collect();
    view! {
        <Modal label_id="confirm-title" alert=true on_cancel=on_cancel class="modal-narrow">
            <div class="dialog-body">
                <h2 id="confirm-title">{spec.title}</h2>
                <p>{spec.message}</p>
                {spec.warning.map(|w| view! { <p class="warning"><strong>{w}</strong></p> })}
                {(!spec.people.is_empty()).then(|| {
                    let n = spec.people.len();
                    view! {
                        <h3 class="confirm-people-title">{if n == 1 { "Person".to_string() } else { format!("People ({n})") }}</h3>
                        <ul class="confirm-people" aria-label="People whose sessions end">
                            {spec.people.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                        </ul>
                    }
                })}
                <ul class="confirm-list">
                    {listed.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}
                </ul>
                {(more > 0).then(|| view! { <p class="muted">{format!("…and {more} more.")}</p> })}
                {spec.ask_reason.then(|| view! {
                    <label class="field">
                        <span>"Reason or ticket (optional)"</span>
                        <input
                            type="text"
                            autocomplete="off"
                            maxlength="200"
                            placeholder="e.g. INC-1234, account compromised"
                            prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))
                        />
                        <span class="hint">"Kept with each session in this browser's activity record."</span>
                    </label>
                })}
                {word.map(|w| view! {
                    <label class="field">
                        <span>{format!("Type {w} to confirm")}</span>
                        <input
                            type="text"
                            autocomplete="off"
                            spellcheck="false"
                            prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev))
                        />
                    </label>
                })}
                <div class="dialog-actions">
                    <span class="spacer"></span>
                    <button type="button" class="btn" autofocus=true on:click=move |_| on_cancel.run(())>
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class="btn btn-danger"
                        disabled=move || !ready()
                        on:click=move |_| on_confirm.run(reason.get_untracked())
                    >
                        {spec.confirm_label}
                    </button>
                </div>
            </div>
        </Modal>
    }
}
