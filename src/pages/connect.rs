//! The Connect screen: pick a backend and server, sign in, confirm who we are.

use crate::app::AppCtx;
use crate::backends::{rocketchat, BackendKind};
use crate::connection::{parse_presets, Connection, Preset};
use crate::http::request::{ApiError, ApiRequest, Method};
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AuthMode {
    Token,
    Password,
}

/// What the form holds when Connect is pressed.
#[derive(Clone)]
struct Form {
    kind: BackendKind,
    base: String,
    mode: AuthMode,
    user_id: String,
    token: String,
    username: String,
    password: String,
    remember: bool,
}

async fn connect(ctx: AppCtx, f: Form) -> Result<Connection, String> {
    let base = Connection::normalise_base(&f.base)?;
    let rc = f.kind == BackendKind::RocketChat;
    let mut conn = Connection {
        kind: f.kind,
        base_url: base.clone(),
        user_id: if rc {
            f.user_id.trim().to_string()
        } else {
            String::new()
        },
        token: f.token.trim().to_string(),
        remember: f.remember,
        display_name: String::new(),
        issued_by_panel: false,
    };
    let explain = |e: ApiError| {
        match e {
        ApiError::Unauthorized { message } => format!(
            "401 Unauthorized: the server says \u{201c}{message}\u{201d}. Check the credentials and try again."
        ),
        other => other.to_string(),
    }
    };
    if rc && f.mode == AuthMode::Password {
        if f.username.trim().is_empty() || f.password.is_empty() {
            return Err("Enter both Username and Password.".into());
        }
        let t = ctx.transport(f.kind, &base, Vec::new());
        let resp = t
            .call(&rocketchat::login(f.username.trim(), &f.password))
            .await;
        t.close();
        let resp = resp.map_err(explain)?;
        let tok = rocketchat::parse_login(&resp.body).map_err(explain)?;
        conn.user_id = tok.user_id;
        conn.token = tok.auth_token;
        conn.issued_by_panel = true;
    } else if rc && (conn.user_id.is_empty() || conn.token.is_empty()) {
        return Err("Enter both User ID and Auth token (a personal access token from My Account → Personal Access Tokens).".into());
    } else if conn.token.is_empty() {
        return Err(format!("Enter the {}.", f.kind.token_label()));
    }
    let t = ctx.transport(f.kind, &base, conn.auth_headers());
    let who = whoami(&t, &conn).await;
    t.close();
    match who {
        Ok(name) => {
            conn.display_name = name;
            Ok(conn)
        }
        Err(e) => {
            // A token the panel just obtained must not outlive a failed Connect.
            if let Some(req) = conn
                .issued_by_panel
                .then(|| conn.kind.end_token())
                .flatten()
            {
                let _ = t.send_raw(req).await;
            }
            Err(explain(e))
        }
    }
}

/// Who the credentials belong to, as the header shows it.
async fn whoami(
    t: &crate::http::transport::Transport,
    conn: &Connection,
) -> Result<String, ApiError> {
    let resp = t.call(&conn.kind.whoami()).await?;
    if conn.kind == BackendKind::RocketChat {
        let me = rocketchat::parse_me(&resp.body)?;
        if me.user_id != conn.user_id {
            return Err(ApiError::BadResponse {
                status: resp.status,
                why: format!(
                    "the server answered for another account ({}) than the User ID given; check the User ID",
                    me.username
                ),
            });
        }
    }
    conn.kind.parse_whoami(&resp.body, &conn.token)
}

#[component]
pub fn ConnectPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let kind = RwSignal::new(BackendKind::RocketChat);
    let base = RwSignal::new(String::new());
    let mode = RwSignal::new(AuthMode::Token);
    let user_id = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let presets = LocalResource::new(|| async {
        let send = crate::http::transport::browser::fetch_sender(String::new(), Vec::new());
        match send(ApiRequest::new(Method::Get, "config.json")).await {
            Ok(r) if r.is_success() => parse_presets(&r.body),
            _ => Vec::<Preset>::new(),
        }
    });

    let action = Action::new_local(move |f: &Form| {
        let f = f.clone();
        async move {
            match connect(ctx, f).await {
                Ok(conn) => ctx.sign_in(conn),
                Err(e) => {
                    let _ = error.try_set(Some(e));
                }
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let f = Form {
            kind: kind.get_untracked(),
            base: base.get_untracked(),
            mode: mode.get_untracked(),
            user_id: user_id.get_untracked(),
            token: token.get_untracked(),
            username: username.get_untracked(),
            password: password.get_untracked(),
            remember: remember.get_untracked(),
        };
        // The password is only needed for this one login call.
        password.set(String::new());
        action.dispatch(f);
    };
    let pending = action.pending();
    let is_rc = move || kind.get() == BackendKind::RocketChat;

    let text_field = move |label: &'static str,
                           value: RwSignal<String>,
                           kind_attr: &'static str,
                           auto: &'static str| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input
                    type=kind_attr
                    autocomplete=auto
                    spellcheck="false"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            </label>
        }
    };

    view! {
        <section class="connect">
            <h1>"Connect to a server"</h1>
            <p class="muted">
                "sessiondeck lists every active login session on a server you run and ends the ones that must end. It talks to the server's own session API straight from this browser."
            </p>
            {move || {
                ctx.signout_reason
                    .get()
                    .map(|r| view! { <p role="alert" class="form-error">{r}</p> })
            }}
            <form class="card form" on:submit=submit>
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
                                            kind.set(p.kind);
                                            base.set(p.base_url.clone());
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
                        prop:value=move || kind.get().key()
                        on:change=move |ev| {
                            if let Some(k) = BackendKind::from_key(&event_target_value(&ev)) {
                                kind.set(k)
                            }
                        }
                    >
                        {BackendKind::ALL
                            .into_iter()
                            .map(|k| view! { <option value=k.key()>{k.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>"Server URL"</span>
                    <input
                        type="url"
                        placeholder="Empty = this panel's own origin"
                        spellcheck="false"
                        prop:value=move || base.get()
                        on:input=move |ev| base.set(event_target_value(&ev))
                    />
                    <span class="hint">
                        "Two-factor codes can only be sent when the panel is served from the server's own origin (see README → Deploy)."
                    </span>
                </label>
                <Show
                    when=is_rc
                    fallback=move || {
                        let k = kind.get();
                        let hint = match k {
                            BackendKind::DocSpace => "A personal access token (API key) of a DocSpace administrator; sent as Authorization: Bearer.",
                            BackendKind::Henshin => "An admin API token; sent as Authorization: Bearer.",
                            _ => "The signed-in user's access token (JWT); sent as Authorization: Bearer. Only that user's own sessions are shown.",
                        };
                        view! {
                            {text_field(k.token_label(), token, "password", "off")}
                            <p class="hint">{hint}</p>
                        }
                    }
                >
                    <fieldset class="field segmented">
                        <legend>"Sign in with"</legend>
                        <label>
                            <input
                                type="radio"
                                name="auth-mode"
                                prop:checked=move || mode.get() == AuthMode::Token
                                on:change=move |_| mode.set(AuthMode::Token)
                            />
                            "Personal access token"
                        </label>
                        <label>
                            <input
                                type="radio"
                                name="auth-mode"
                                prop:checked=move || mode.get() == AuthMode::Password
                                on:change=move |_| mode.set(AuthMode::Password)
                            />
                            "Username and password"
                        </label>
                    </fieldset>
                    <Show
                        when=move || mode.get() == AuthMode::Token
                        fallback=move || {
                            view! {
                                {text_field("Username", username, "text", "username")}
                                {text_field("Password", password, "password", "current-password")}
                            }
                        }
                    >
                        {text_field("User ID", user_id, "text", "off")}
                        {text_field("Auth token", token, "password", "off")}
                    </Show>
                </Show>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || remember.get()
                        on:change=move |ev| remember.set(event_target_checked(&ev))
                    />
                    "Remember on this device"
                </label>
                <p class="hint">
                    "Without it, the token lives only in this tab and is gone when the tab closes. With it, it stays in this browser's local storage until you sign out."
                </p>
                {move || error.get().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Connecting…" } else { "Connect" }}
                    </button>
                </div>
            </form>
        </section>
    }
}
