//! The Connect screen: pick a backend and server, sign in, confirm who we are.

use crate::backends::BackendKind;
use crate::backends::Settings;
use crate::components::choice::Choice;
use crate::components::text_field::TextField;
use crate::context::{AppCtx, PresetStep, View};
use crate::sign_in::{connect, AuthMode, Form};
use leptos::prelude::*;

#[component]
pub fn ConnectPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let kind = RwSignal::new(BackendKind::RocketChat);
    let base = RwSignal::new(String::new());
    let mode = RwSignal::new(AuthMode::Token);
    // The backend's settings as typed (Rocket.Chat's User ID, …).
    let settings = RwSignal::new(Settings::default());
    let token = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    // How long a remembered credential is kept: 8 h (a working day) unless
    // the admin chooses otherwise.
    let remember_hours = RwSignal::new(8u32);

    let presets = LocalResource::new(crate::sign_in::presets);

    // A several-server preset under way: this form is for its next server.
    let step = ctx.preset_step.get_untracked();
    if let Some(t) = step.as_ref().and_then(PresetStep::target) {
        kind.set(t.kind);
        base.set(t.base_url.clone());
    }
    // Connected (or skipped): on to the preset's next server, if any.
    let advance = move || {
        let next = ctx.preset_step.get_untracked().and_then(|s| s.next());
        let more = next.is_some();
        ctx.preset_step.set(next);
        if more {
            ctx.show(View::AddServer);
        }
        more
    };
    // Its value: why the last attempt failed (`None`: it did not).
    let action = Action::new_local(move |f: &Form| {
        let f = f.clone();
        async move {
            match connect(ctx, f).await {
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
    // "https:// was added", once the admin typed an address without a scheme.
    let scheme_added = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (typed, added) = crate::connection::Connection::with_scheme(&base.get_untracked());
        if added {
            base.set(typed);
        }
        scheme_added.set(added);
        let f = Form {
            kind: kind.get_untracked(),
            base: base.get_untracked(),
            mode: mode.get_untracked(),
            settings: settings.get_untracked(),
            token: token.get_untracked(),
            username: username.get_untracked(),
            password: password.get_untracked(),
            remember_hours: remember
                .get_untracked()
                .then(|| remember_hours.get_untracked()),
        };
        // The password is only needed for this one login call.
        password.set(String::new());
        action.dispatch(f);
    };
    let pending = action.pending();
    // What the chosen backend asks for.
    let creds = move || kind.get().backend().credentials();
    let uses_password = move || creds().password_login && mode.get() == AuthMode::Password;

    let text_field = move |label: &'static str,
                           value: RwSignal<String>,
                           kind: &'static str,
                           autocomplete: &'static str| {
        view! {
            <TextField
                label=label
                value=value
                on_input=move |v| value.set(v)
                kind=kind
                autocomplete=autocomplete
            />
        }
    };

    view! {
        <section class="connect">
            <h1>
                {move || if ctx.servers.with(Vec::is_empty) { "Connect to a server" } else { "Add a server" }}
            </h1>
            {move || {
                ctx.preset_step
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
                                        ctx.preset_step.set(None);
                                        if let Some(id) = ctx.servers.with_untracked(|s| s.last().map(|s| s.id)) {
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
            <Show when=move || ctx.servers.with(Vec::is_empty) && ctx.audit.with(|a| !a.is_empty())>
                <p>
                    <button type="button" class="btn btn-quiet" on:click=move |_| ctx.show(View::Activity)>
                        "Open the activity record"
                    </button>
                    <span class="muted">" — what this browser revoked, without connecting"</span>
                </p>
            </Show>
            {move || {
                ctx.signout_reason
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
                                                kind.set(t.kind);
                                                base.set(t.base_url.clone());
                                            }
                                            // Several servers: connected one after another.
                                            ctx.preset_step.set((p.servers.len() > 1).then_some(step));
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
                                kind.set(k)
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
                {move || creds().server_hint.map(|h| view! { <p class="hint">{h}</p> })}
                <Show when=move || creds().password_login>
                    <fieldset class="field segmented">
                        <legend>"Sign in with"</legend>
                        {[
                            (AuthMode::Token, "Personal access token"),
                            (AuthMode::Password, "Username and password"),
                        ]
                            .map(|(m, text)| {
                                view! {
                                    <label>
                                        <input
                                            type="radio"
                                            name="auth-mode"
                                            prop:checked=move || mode.get() == m
                                            on:change=move |_| mode.set(m)
                                        />
                                        {text}
                                    </label>
                                }
                            })}
                    </fieldset>
                </Show>
                <Show
                    when=uses_password
                    fallback=move || {
                        let c = creds();
                        view! {
                            {c
                                .settings
                                .iter()
                                .map(|st| {
                                    let key = st.key;
                                    view! {
                                        <TextField
                                            label=st.label
                                            value=Signal::derive(move || settings.with(|s| s.get(key).to_string()))
                                            on_input=move |v: String| settings.update(|s| s.set(key, v))
                                        />
                                    }
                                })
                                .collect_view()}
                            {text_field(c.token_label, token, "password", "off")}
                            {(!c.hint.is_empty()).then(|| view! { <p class="hint">{c.hint}</p> })}
                        }
                    }
                >
                    {text_field("Username", username, "text", "username")}
                    {text_field("Password", password, "password", "current-password")}
                </Show>
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
