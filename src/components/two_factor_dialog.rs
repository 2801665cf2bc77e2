//! The two-factor dialog: opened by the gate when any call answers
//! "totp-required"; every waiting request shares it.

use crate::components::modal::Modal;
use crate::context::AppCtx;
use crate::http::request::{sha256_hex, Code};
use crate::plural::{plural_s, verb_s};
use leptos::prelude::*;

fn method_label(m: &str) -> String {
    match m {
        "totp" => "Authenticator app (TOTP)".into(),
        "email" => "E-mail code".into(),
        "password" => "Password".into(),
        other => other.to_string(),
    }
}

/// What goes to the server for what was typed: a password is hashed
/// exactly as typed (spaces are part of a password), never sent or kept
/// itself; a code loses the spaces people type between its digit groups.
/// `None` when nothing usable was typed.
pub fn code_to_send(method: &str, typed: &str) -> Option<String> {
    if method == "password" {
        (!typed.is_empty()).then(|| sha256_hex(typed))
    } else {
        let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        (!code.is_empty()).then_some(code)
    }
}

#[component]
pub fn TwoFactorDialog() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    // One form per asking server: the next server's question starts afresh.
    let asker = Memo::new(move |_| {
        ctx.prompts()
            .prompt()
            .with(|p| p.is_some())
            .then(|| ctx.prompts().source().with(|f| f.as_ref().map(|f| f.gate)))
    });
    move || asker.get().map(|_| view! { <TwoFactorForm /> })
}

#[component]
fn TwoFactorForm() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let asked = ctx
        .prompts()
        .prompt()
        .with_untracked(|p| p.as_ref().map(|p| p.challenge.method.clone()))
        .unwrap_or_default();
    let method = RwSignal::new(asked);
    let code = RwSignal::new(String::new());
    let prompt = move || ctx.prompts().prompt().get().unwrap_or_default();
    let methods = move || {
        ctx.prompts().prompt().with(|p| {
            p.as_ref()
                .map(|p| p.challenge.methods())
                .unwrap_or_default()
        })
    };
    let busy = move || {
        ctx.prompts()
            .prompt()
            .with(|p| p.as_ref().is_some_and(|p| p.busy))
    };
    let is_password = move || method.get() == "password";
    let gate = move || ctx.prompts().dialog_gate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        if typed.is_empty() || busy() {
            return;
        }
        let m = method.get_untracked();
        let Some(value) = code_to_send(&m, &typed) else {
            return;
        };
        code.set(String::new());
        if let Some(g) = gate() {
            g.submit(Code {
                method: m,
                code: value,
            });
        }
    };
    let cancel_now = move || {
        if let Some(g) = gate() {
            g.cancel()
        }
    };
    let cancel = Callback::new(move |_| cancel_now());
    // A refused code or password: the field is ready for the next try
    // (the Verify button the admin pressed was disabled meanwhile, which
    // leaves the focus nowhere).
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    Effect::new(move |_| {
        let refused = ctx
            .prompts()
            .prompt()
            .with(|p| p.as_ref().is_some_and(|p| p.error.is_some() && !p.busy));
        if refused {
            if let Some(i) = input.get_untracked() {
                let _ = i.focus();
            }
        }
    });
    view! {
        <Modal label_id="tfa-title" on_cancel=cancel class="modal-narrow">
            <form class="dialog-body" on:submit=submit>
                <h2 id="tfa-title">"Two-factor verification"</h2>
                {move || {
                    ctx.prompts().source()
                        .get()
                        .map(|from| view! { <p class="tfa-server">"Asked by " <strong>{from.label}</strong></p> })
                }}
                <p class="muted">
                    "The server asks for a second factor before it continues. "
                    {move || {
                        let n = prompt().waiting;
                        (n > 0)
                            .then(|| {
                                format!(
                                    "{n} more request{} wait{} on this verification.",
                                    plural_s(n),
                                    verb_s(n),
                                )
                            })
                    }}
                </p>
                <p>
                    "Method asked by the server: "
                    <strong>{move || method_label(&prompt().challenge.method)}</strong>
                </p>
                <Show when=move || { methods().len() > 1 }>
                    <label class="field">
                        <span>"Method"</span>
                        <select on:change=move |ev| method.set(event_target_value(&ev)) prop:value=move || method.get()>
                            {move || {
                                methods()
                                    .into_iter()
                                    .map(|m| {
                                        let label = method_label(&m);
                                        view! { <option value=m>{label}</option> }
                                    })
                                    .collect_view()
                            }}
                        </select>
                    </label>
                </Show>
                <label class="field">
                    <span>{move || if is_password() { "Password" } else { "Code" }}</span>
                    <input
                        node_ref=input
                        type=move || if is_password() { "password" } else { "text" }
                        autocomplete=move || if is_password() { "current-password" } else { "one-time-code" }
                        inputmode=move || if is_password() { "text" } else { "numeric" }
                        autofocus=true
                        required=true
                        prop:value=move || code.get()
                        on:input=move |ev| code.set(event_target_value(&ev))
                    />
                </label>
                <Show when=is_password>
                    <p class="hint">"Your password is hashed (SHA-256) in this browser before it is sent, and it is not kept."</p>
                </Show>
                {move || {
                    prompt().error.map(|e| view! { <p role="alert" class="form-error">{e}</p> })
                }}
                {move || prompt().note.map(|n| view! { <p role="status" class="form-note">{n}</p> })}
                <div class="dialog-actions">
                    <Show when=move || method.get() == "email">
                        <button
                            type="button"
                            class="btn"
                            disabled=busy
                            on:click=move |_| {
                                if let Some(g) = gate() {
                                    g.resend()
                                }
                            }
                        >
                            "Send code again"
                        </button>
                    </Show>
                    <span class="spacer"></span>
                    <button type="button" class="btn" on:click=move |_| cancel_now()>
                        "Cancel"
                    </button>
                    <button type="submit" class="btn btn-primary" disabled=busy>
                        {move || if busy() { "Verifying…" } else { "Verify" }}
                    </button>
                </div>
            </form>
        </Modal>
    }
}
