//! Self-service `/auth/sessions` (api-notes §4): the caller's own sessions,
//! epoch-number times, 404 for a session that is not the caller's, and
//! revoke-others / revoke-all with empty 200 answers.

use crate::data::{Rng, HOSTILE_NAME};
use crate::state::Shared;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::Router;
use serde_json::{json, Value};

/// A JWT-shaped token for ada (claims: sub, email, sid = the session it
/// is); not signed for real.
pub const ADA_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGEiLCJlbWFpbCI6ImFkYUBzZXNzaW9uZGVjay50ZXN0Iiwic2lkIjoiYWRhLTdmM2s5cTJtNHg4dyJ9.ZGVtby1zaWduYXR1cmU";
/// The same session's token as some servers issue it: no `sid` claim, so
/// which listed session it is cannot be told.
pub const ADA_JWT_NO_SID: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGEiLCJlbWFpbCI6ImFkYUBzZXNzaW9uZGVjay50ZXN0In0.ZGVtby1zaWduYXR1cmU";
/// The session both of ada's tokens are (her newest login).
pub const ADA_CURRENT: &str = "ada-7f3k9q2m4x8w";

#[derive(Clone, Debug)]
pub struct SSession {
    pub id: String,
    pub owner: String,
    pub email: String,
    pub ip: String,
    pub user_agent: String,
    pub device_type: String,
    pub location: String,
    pub login_ms: i64,
    pub last_ms: i64,
}

#[derive(Default)]
pub struct SelfService {
    pub sessions: Vec<SSession>,
    /// token → (owner, the session this token is)
    pub tokens: Vec<(String, String, String)>,
}

const AGENTS: &[(&str, &str)] = &[
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "DESKTOP"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", "MOBILE"),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", "DESKTOP"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", "MOBILE"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "DESKTOP"),
    ("okhttp/4.12.0", "API"),
];

pub fn seed(rng: &mut Rng, now: i64) -> SelfService {
    let mut sessions = Vec::new();
    let places = [
        "Lisbon, Portugal",
        "Toronto, Canada",
        "Nairobi, Kenya",
        "",
        HOSTILE_NAME,
    ];
    for (owner, email, n) in [
        ("ada", "ada@sessiondeck.test", 8),
        ("bob", "bob@sessiondeck.test", 3),
    ] {
        for i in 0..n {
            let (ua, dev) = AGENTS[rng.below(AGENTS.len() as u64) as usize];
            let login = now - (rng.unit() * 14.0 * 86_400_000.0) as i64;
            sessions.push(SSession {
                id: format!("{owner}-{}", rng.id().to_lowercase()),
                owner: owner.into(),
                email: email.into(),
                ip: format!("203.0.113.{}", 10 + rng.below(200)),
                user_agent: ua.into(),
                device_type: dev.into(),
                // One location is hostile markup, to be shown as text.
                location: if i == 2 {
                    HOSTILE_NAME.into()
                } else {
                    places[(i + rng.below(2) as usize) % places.len()].into()
                },
                login_ms: login,
                last_ms: login + (rng.unit() * (now - login) as f64) as i64,
            });
        }
    }
    sessions.sort_by_key(|s| std::cmp::Reverse(s.login_ms));
    // Her newest login is the one her tokens are (named in the JWT's sid).
    if let Some(s) = sessions.iter_mut().find(|s| s.owner == "ada") {
        s.id = ADA_CURRENT.into();
    }
    let ada = |t: &str| (t.to_string(), "ada".to_string(), ADA_CURRENT.to_string());
    SelfService {
        sessions,
        tokens: vec![ada(ADA_JWT), ada(ADA_JWT_NO_SID)],
    }
}

impl crate::state::ApiData for SelfService {
    fn session_ids(&self) -> (&'static str, Vec<String>) {
        let ids = self.sessions.iter().map(|s| s.id.to_string());
        ("selfServiceIds", ids.collect())
    }
    fn remove(&mut self, ids: &[String]) {
        self.sessions.retain(|s| !ids.contains(&s.id.to_string()));
    }
    fn expire_tokens(&mut self) {
        self.tokens.clear();
    }
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, axum::Json(json!({ "status": 401, "message": "Unauthorized: the access token is missing, expired or revoked" }))).into_response()
}

/// Bearer JWT → (owner, current session id); a token whose session ended no longer works.
fn auth(app: &Shared, h: &HeaderMap, raw: &Option<String>) -> Result<(String, String), Response> {
    let token = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let st = app.lock();
    let Some((_, owner, current)) = st
        .api::<SelfService>()
        .tokens
        .iter()
        .find(|(t, _, _)| t == token)
    else {
        return Err(unauthorized());
    };
    if !st
        .api::<SelfService>()
        .sessions
        .iter()
        .any(|s| &s.id == current)
    {
        return Err(unauthorized());
    }
    if raw.as_deref().is_some_and(|q| !q.is_empty()) {
        return Err((
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "status": 400, "message": "Unexpected query parameters" })),
        )
            .into_response());
    }
    Ok((owner.clone(), current.clone()))
}

fn details(s: &SSession, now: i64) -> Value {
    json!({
        "sessionId": s.id, "ipAddress": s.ip, "userAgent": s.user_agent,
        "loginTime": s.login_ms, "lastAccessed": s.last_ms, "email": s.email,
        "location": s.location, "deviceType": s.device_type,
        "sessionDuration": (now - s.login_ms) / 1000,
        "inactivityDuration": (now - s.last_ms) / 1000,
    })
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/auth/sessions", get(list).delete(revoke_others))
        .route("/auth/sessions/active", get(list))
        .route("/auth/sessions/count", get(count))
        .route("/auth/sessions/all", delete(revoke_all))
        .route("/auth/sessions/{id}", delete(revoke_one))
}

async fn list(State(app): State<Shared>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (owner, _) = match auth(&app, &h, &raw) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let now = crate::state::now_ms();
    let st = app.lock();
    let items: Vec<Value> = st
        .api::<SelfService>()
        .sessions
        .iter()
        .filter(|s| s.owner == owner)
        .map(|s| details(s, now))
        .collect();
    axum::Json(Value::Array(items)).into_response()
}

async fn count(State(app): State<Shared>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (owner, _) = match auth(&app, &h, &raw) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let st = app.lock();
    let n = st
        .api::<SelfService>()
        .sessions
        .iter()
        .filter(|s| s.owner == owner)
        .count();
    axum::Json(json!({ "activeSessions": n })).into_response()
}

async fn revoke_one(
    State(app): State<Shared>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
    Path(id): Path<String>,
) -> Response {
    let (owner, _) = match auth(&app, &h, &raw) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut st = app.lock();
    st.stats.logout_calls.push(id.clone());
    // Not found and not yours look the same: 404.
    let Some(pos) = st
        .api::<SelfService>()
        .sessions
        .iter()
        .position(|s| s.id == id && s.owner == owner)
    else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({ "status": 404, "message": "Session not found" })),
        )
            .into_response();
    };
    if st.inject_failure(&id) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(
                json!({ "status": 500, "message": "Internal server error [injected fault]" }),
            ),
        )
            .into_response();
    }
    st.api_mut::<SelfService>().sessions.remove(pos);
    StatusCode::OK.into_response()
}

async fn revoke_others(
    State(app): State<Shared>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let (owner, current) = match auth(&app, &h, &raw) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut st = app.lock();
    st.stats.logout_calls.push("others".into());
    st.api_mut::<SelfService>()
        .sessions
        .retain(|s| s.owner != owner || s.id == current);
    StatusCode::OK.into_response()
}

async fn revoke_all(State(app): State<Shared>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (owner, _) = match auth(&app, &h, &raw) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut st = app.lock();
    st.stats.logout_calls.push("all".into());
    st.api_mut::<SelfService>()
        .sessions
        .retain(|s| s.owner != owner);
    StatusCode::OK.into_response()
}

/// This API, as the server registers it (`build.rs`).
pub const API: crate::state::Api = crate::state::Api {
    name: "Self-service",
    prefixes: &["/auth/"],
    routes,
    secret_paths: &[],
    data: Some(|r, now| Box::new(seed(r, now))),
    demo,
};

/// The demo banner's line for the self-service API.
fn demo(_: &crate::config::Config) -> String {
    format!("Self-service:  Access token {ADA_JWT}\n")
}
