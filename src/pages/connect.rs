//! The Connect screen: pick a backend and server, sign in the way that
//! backend declares ([`crate::backends::SignInMethod`]), confirm who we are.

use crate::backends::{BackendKind, InputKind, SignInMethod, Typed};
use crate::components::choice::Choice;
use crate::components::text_field::TextField;
use crate::context::{AppCtx, PresetStep, View};
use crate::server::connect::{sign_in, Form};
use leptos::prelude::*;

/// What `kind`'s sign-in fields hold to start with (their defaults).
fn defaults(kind: BackendKind) -> Typed {
    let mut t = Typed::default();
    for m in kind.backend().sign_in_methods() {
        for i in m.inputs.iter().filter(|i| !i.default.is_empty()) {
            t.set(i.key, i.default.to_string());
        }
    }
    t
}

#[component]
pub fn ConnectPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let nav = ctx.nav();
    let kind = RwSignal::new(BackendKind::RocketChat);
    let base = RwSignal::new(String::new());
    // The chosen sign-in method (its key), and every field as typed.
    let method = RwSignal::new(kind.get_untracked().backend().sign_in_methods()[0].key);
    let typed = RwSignal::new(defaults(kind.get_untracked()));
    let choose = move |k: BackendKind| {
        kind.set(k);
        method.set(k.backend().sign_in_methods()[0].key);
        // Nothing typed for one server is sent to another.
        typed.set(defaults(k));
    };
    let remember = RwSignal::new(false);
    // How long a remembered credential is kept: 8 h (a working day) unless
    // the admin chooses otherwise.
    let remember_hours = RwSignal::new(8u32);

    let presets = LocalResource::new(crate::connection::fetch_presets);

    // A preset's server: its backend, address and settings (a realm).
    let fill = move |t: &crate::connection::Target| {
        choose(t.kind);
        base.set(t.base_url.clone());
        typed.update(|typed| {
            for (k, v) in &t.settings.0 {
                typed.set(k, v.clone());
            }
        });
    };
    // A several-server preset under way: this form is for its next server.
    if let Some(t) = nav
        .preset()
        .get_untracked()
        .as_ref()
        .and_then(PresetStep::target)
    {
        fill(t);
    }
    // Connected (or skipped): on to the preset's next server, if any.
    let advance = move || {
        let more = nav.advance_preset();
        if more {
            ctx.show(View::AddServer);
        }
        more
    };
    // Its value: why the last attempt failed (`None`: it did not).
    let action = Action::new_local(move |f: &Form| {
        let f = f.clone();
        async move {
            match sign_in(&f, &|b: &str| ctx.wiring(f.kind, b, None)).await {
                Ok(conn) => {
                    ctx.sign_in(conn);
                    advance();
                    None
                }
                Err(e) => Some(e),
            }
        }
    });
    // Said until the next attempt starts.
    let error = move || {
        if action.pending().get() {
            None
        } else {
            action.value().get().flatten()
        }
    };
    // The method chosen, as the backend declares it.
    let current = move || -> &'static SignInMethod {
        let all = kind.get().backend().sign_in_methods();
        all.iter()
            .find(|m| m.key == method.get())
            .unwrap_or(&all[0])
    };
    // "https:// was added", once the admin typed an address without a scheme.
    let scheme_added = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (with_scheme, added) =
            crate::connection::Connection::with_scheme(&base.get_untracked());
        if added {
            base.set(with_scheme);
        }
        scheme_added.set(added);
        let m = untrack(current);
        let f = Form {
            kind: kind.get_untracked(),
            base: base.get_untracked(),
            method: m.key.to_string(),
            typed: typed.get_untracked(),
            remember_hours: remember
                .get_untracked()
                .then(|| remember_hours.get_untracked()),
        };
        // A password or client secret is only needed for this one sign-in.
        if m.obtains_token {
            for i in m.inputs.iter().filter(|i| i.kind == InputKind::Secret) {
                typed.update(|t| t.set(i.key, String::new()));
            }
        }
        action.dispatch(f);
    };
    let pending = action.pending();
    let server_hint = move || kind.get().backend().server_hint();
    let fields = move || {
        let m = current();
        let inputs = m
            .inputs
            .iter()
            .map(|i| {
                let key = i.key;
                let (input_type, autocomplete) = match i.kind {
                    InputKind::Setting => ("text", "off"),
                    InputKind::Username => ("text", "username"),
                    InputKind::Secret if key == "password" => ("password", "current-password"),
                    InputKind::Secret => ("password", "off"),
                };
                view! {
                    <TextField
                        label=i.label
                        value=Signal::derive(move || typed.with(|t| t.get(key).to_string()))
                        on_input=move |v: String| typed.update(|t| t.set(key, v))
                        kind=input_type
                        autocomplete=autocomplete
                    />
                }
            })
            .collect_view();
        view! {
            {inputs}
            {(!m.hint.is_empty()).then(|| view! { <p class="hint">{m.hint}</p> })}
        }
    };

    view! {
        <section class="connect">
            <h1>
                {move || if ctx.servers().with(Vec::is_empty) { "Connect to a server" } else { "Add a server" }}
            </h1>
            {move || {
                nav.preset()
                    .get()
                    .map(|st| {
                        let what = st
                            .target()
                            .map(|t| crate::connection::Connection::label_of(t.kind, &t.base_url))
                            .unwrap_or_default();
                        view! {
                            <div class="panel preset-step" role="status">
                                <p>
                                    {format!("Preset \u{201c}{}\u{201d}: server {} of {} — ", st.preset.name, st.at + 1, st.preset.servers.len())}
                                    <strong>{what}</strong>
                                </p>
                                <button type="button" class="btn btn-quiet" on:click=move |_| {
                                    if !advance() {
                                        nav.set_preset(None);
                                        if let Some(id) = ctx.servers().with_untracked(|s| s.last().map(|s| s.id)) {
                                            ctx.show(View::Server(id));
                                        }
                                    }
                                }>
                                    "Skip this server"
                                </button>
                            </div>
                        }
                    })
            }}
            <p class="muted">
                "sessiondeck lists every active login session on a server you run and ends the ones that must end. It talks to the server's own session API straight from this browser."
            </p>
            <Show when=move || ctx.servers().with(Vec::is_empty) && ctx.activity().log().with(|a| !a.is_empty())>
                <p>
                    <button type="button" class="btn btn-quiet" on:click=move |_| ctx.show(View::Activity)>
                        "Open the activity record"
                    </button>
                    <span class="muted">" — what this browser revoked, without connecting"</span>
                </p>
            </Show>
            {move || {
                ctx.signout_reason()
                    .get()
                    .map(|r| view! { <p role="alert" class="form-error">{r}</p> })
            }}
            <form class="card form" novalidate=true on:submit=submit>
                {move || {
                    let list = presets.get().unwrap_or_default();
                    (!list.is_empty())
                        .then(|| {
                            let options = list.clone();
                            view! {
                                <label class="field">
                                    <span>"Preset"</span>
                                    <select on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        if let Some(p) = v.parse::<usize>().ok().and_then(|i| options.get(i)) {
                                            let step = PresetStep { preset: p.clone(), at: 0 };
                                            if let Some(t) = step.target() {
                                                fill(t);
                                            }
                                            // Several servers: connected one after another.
                                            nav.set_preset((p.servers.len() > 1).then_some(step));
                                        }
                                    }>
                                        <option value="">"Choose a preset…"</option>
                                        {list
                                            .iter()
                                            .enumerate()
                                            .map(|(i, p)| view! { <option value=i.to_string()>{p.name.clone()}</option> })
                                            .collect_view()}
                                    </select>
                                </label>
                            }
                        })
                }}
                <label class="field">
                    <span>"Backend"</span>
                    <select
                        prop:value=move || kind.get().backend().key()
                        on:change=move |ev| {
                            if let Some(k) = BackendKind::from_key(&event_target_value(&ev)) {
                                choose(k)
                            }
                        }
                    >
                        {BackendKind::ALL
                            .into_iter()
                            .map(|k| {
                                let b = k.backend();
                                view! { <option value=b.key()>{b.label()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                // Text, not "url": an address without a scheme is completed
                // (and said), never stopped by the browser's own bubble.
                <TextField
                    label="Server URL"
                    value=base
                    on_input=move |v| {
                        scheme_added.set(false);
                        base.set(v)
                    }
                    inputmode="url"
                    placeholder="Empty = this panel's own origin"
                />
                {move || {
                    scheme_added
                        .get()
                        .then(|| view! {
                            <p class="hint" role="status">
                                {format!("No scheme was typed, so https:// was added: {}.", base.get())}
                            </p>
                        })
                }}
                {move || server_hint().map(|h| view! { <p class="hint">{h}</p> })}
                {move || {
                    let all = kind.get().backend().sign_in_methods();
                    (all.len() > 1)
                        .then(|| {
                            view! {
                                <fieldset class="field segmented">
                                    <legend>"Sign in with"</legend>
                                    {all
                                        .iter()
                                        .map(|m| {
                                            let key = m.key;
                                            view! {
                                                <label>
                                                    <input
                                                        type="radio"
                                                        name="auth-mode"
                                                        prop:checked=move || method.get() == key
                                                        on:change=move |_| method.set(key)
                                                    />
                                                    {m.label}
                                                </label>
                                            }
                                        })
                                        .collect_view()}
                                </fieldset>
                            }
                        })
                }}
                {fields}
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || remember.get()
                        on:change=move |ev| remember.set(event_target_checked(&ev))
                    />
                    "Remember on this device"
                </label>
                <Show when=move || remember.get()>
                    <Choice
                        label="Remember for"
                        options=&[(1, "1 hour"), (8, "8 hours"), (24, "24 hours"), (168, "7 days")]
                        value=remember_hours
                        on_change=move |h| remember_hours.set(h)
                    />
                </Show>
                <p class="hint">
                    "Without it, the token lives only in this tab and is gone when the tab closes. With it, it stays in this browser's local storage for the time chosen, or until you sign out — whichever comes first."
                </p>
                {move || error().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Connecting…" } else { "Connect" }}
                    </button>
                </div>
            </form>
        </section>
    }
}
