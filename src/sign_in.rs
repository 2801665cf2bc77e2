//! Signing in, as the Connect screen does it: check the form, log in where
//! the backend has a login, confirm who the credentials belong to. A token
//! the panel obtained is ended again if Connect fails after all.

use crate::backends::{BackendKind, Settings};
use crate::connection::Connection;
use crate::context::AppCtx;
use crate::http::request::ApiError;
use crate::http::transport::Transport;
use std::rc::Rc;

/// Token, or username + password (where the backend has a login).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    Token,
    Password,
}

/// What the form holds when Connect is pressed.
#[derive(Clone)]
pub struct Form {
    pub kind: BackendKind,
    pub base: String,
    pub mode: AuthMode,
    /// The backend's settings as typed (see `Credentials::settings`).
    pub settings: Settings,
    pub token: String,
    pub username: String,
    pub password: String,
    /// "Remember on this device" for this many hours (`None`: this tab only).
    pub remember_hours: Option<u32>,
}

/// The message for a failed Connect: a 401 here means the credentials.
fn explain(e: ApiError) -> String {
    match e {
        ApiError::Unauthorized { message } => format!(
            "401 Unauthorized: the server says \u{201c}{message}\u{201d}. Check the credentials and try again."
        ),
        other => other.to_string(),
    }
}

/// Signs in with `f`: the connection to keep, or what to tell the admin.
pub async fn connect(ctx: AppCtx, f: Form) -> Result<Connection, String> {
    let base = Connection::normalise_base(&f.base)?;
    let backend = f.kind.backend();
    let creds = backend.credentials();
    let mut conn = Connection {
        kind: f.kind,
        base_url: base.clone(),
        // Only the settings this backend asks for, trimmed.
        settings: Settings(
            creds
                .settings
                .iter()
                .map(|s| (s.key.to_string(), f.settings.get(s.key).trim().to_string()))
                .collect(),
        ),
        token: f.token.trim().to_string(),
        remember_until: f
            .remember_hours
            .map(|h| crate::browser::now_ms() as i64 + i64::from(h) * 3_600_000),
        since: crate::browser::now_ms() as i64,
        display_name: String::new(),
        issued_by_panel: false,
    };
    let login = (creds.password_login && f.mode == AuthMode::Password)
        .then(|| backend.login(f.username.trim(), &f.password))
        .flatten();
    if let Some(login) = login {
        if f.username.trim().is_empty() || f.password.is_empty() {
            return Err("Enter both Username and Password.".into());
        }
        let t = ctx.transport(f.kind, &base, Default::default(), None);
        let resp = t.call(&login).await;
        t.close();
        let tok = backend
            .parse_login(&resp.map_err(explain)?.body)
            .map_err(explain)?;
        conn.settings = tok.settings;
        conn.token = tok.auth_token;
        conn.issued_by_panel = true;
    } else if conn.token.is_empty() || conn.settings.0.iter().any(|(_, v)| v.is_empty()) {
        return Err(creds.missing.into());
    }
    let t = ctx.transport(
        f.kind,
        &base,
        Rc::new(std::cell::RefCell::new(conn.auth_headers())),
        None,
    );
    let who = whoami(&t, &conn).await;
    t.close();
    match who {
        Ok(name) => {
            conn.display_name = name;
            Ok(conn)
        }
        Err(e) => {
            // A token the panel just obtained must not outlive a failed Connect.
            if let Some(req) = conn.issued_by_panel.then(|| backend.end_token()).flatten() {
                let _ = t.send_raw(req).await;
            }
            Err(explain(e))
        }
    }
}

/// Who the credentials belong to, as the header shows it.
async fn whoami(t: &Transport, conn: &Connection) -> Result<String, ApiError> {
    let backend = conn.kind.backend();
    let resp = t
        .call(&backend.whoami().with_settings(&conn.settings.0))
        .await?;
    backend.parse_whoami(&resp.body, &conn.settings, &conn.token)
}

/// The deployment's ready-made choices: `config.json` next to the panel
/// (none when it is missing or unreadable).
pub async fn presets() -> Vec<crate::connection::Preset> {
    let send = crate::http::transport::browser::fetch_sender(String::new(), Default::default());
    let req =
        crate::http::request::ApiRequest::new(crate::http::request::Method::Get, "config.json");
    match send(req).await {
        Ok(r) if r.is_success() => crate::connection::parse_presets(&r.body),
        _ => Vec::new(),
    }
}
