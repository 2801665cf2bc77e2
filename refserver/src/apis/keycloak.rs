//! Keycloak's admin REST API and token endpoint (api-notes §5), for realm
//! `demo`: client-credentials and password grants, refresh, logout and
//! revoke at `/realms/{realm}/protocol/openid-connect/*`; under
//! `/admin/realms/{realm}/`: users (paged `first`/`max`, `search`),
//! `users/count`, `users/{id}/sessions`, `users/{id}/logout`,
//! `client-session-stats` (counts as strings), each client's user and
//! offline sessions (paged), `DELETE sessions/{id}[?isOffline=true]`, and
//! `logout-all`. As strict as the real one: 401 without a token or with an
//! expired one (their lifetime is `--keycloak-token-secs`), 403 without the
//! realm-management role, 404 for an unknown realm, user or session, 400
//! for a parameter it does not take.

use crate::data::{Rng, HOSTILE_NAME};
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::{json, Value};

/// The demo's realm.
pub const REALM: &str = "demo";
/// The service account with view-users and manage-users.
pub const CLIENT_ID: &str = "sessiondeck";
pub const CLIENT_SECRET: &str = "sessiondeck-secret";
/// A service account with view-users only (403 on every revoke).
pub const VIEWER_ID: &str = "auditor";
pub const VIEWER_SECRET: &str = "auditor-secret";
/// The realm administrator (password grant through `admin-cli`).
pub const ADMIN_USER: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin";

#[derive(Clone, Debug)]
pub struct KUser {
    pub id: String,
    pub username: String,
    pub email: String,
    pub first: String,
    pub last: String,
}

#[derive(Clone, Debug)]
pub struct KClient {
    pub uuid: String,
    pub client_id: String,
}

#[derive(Clone, Debug)]
pub struct KSession {
    pub id: String,
    pub user: usize,
    pub ip: String,
    pub start_ms: i64,
    pub last_ms: i64,
    pub remember_me: bool,
    /// Indices into the clients.
    pub clients: Vec<usize>,
    pub offline: bool,
}

impl KSession {
    /// The ID the panel lists it by (an offline twin is suffixed).
    fn listed_id(&self) -> String {
        if self.offline {
            format!("{}:offline", self.id)
        } else {
            self.id.clone()
        }
    }
}

/// Who a token is: a service account (its client ID), or a user's session.
#[derive(Clone, Debug, PartialEq)]
enum Subject {
    Service(String),
    User { user: usize, session: String },
}

#[derive(Clone, Debug)]
struct Token {
    value: String,
    subject: Subject,
    expires_ms: i64,
    issued_ms: i64,
    /// A refresh token (else an access token).
    refresh: bool,
}

#[derive(Default)]
pub struct Keycloak {
    pub users: Vec<KUser>,
    pub clients: Vec<KClient>,
    pub sessions: Vec<KSession>,
    tokens: Vec<Token>,
    /// Tokens issued before this are refused (`logout-all`).
    not_before_ms: i64,
    issued: u64,
    /// Token grants by type, logouts and revokes at the token endpoints.
    pub grants: std::collections::BTreeMap<String, u64>,
}

fn uuid(rng: &mut Rng) -> String {
    let a = rng.next();
    let b = rng.next();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

pub fn seed(rng: &mut Rng, now: i64) -> Keycloak {
    let clients: Vec<KClient> = [
        "chat",
        "office",
        "account-console",
        "admin-cli",
        CLIENT_ID,
        VIEWER_ID,
    ]
    .iter()
    .map(|c| KClient {
        uuid: uuid(rng),
        client_id: c.to_string(),
    })
    .collect();
    let mut people: Vec<(String, String, String)> = vec![
        (ADMIN_USER.into(), "Realm".into(), "Admin".into()),
        (
            crate::data::DEMO_PERSON_USERNAME.into(),
            "Grace".into(),
            "Kim".into(),
        ),
        ("dana.ross".into(), "Dana".into(), "Ross".into()),
        ("dana.rossi".into(), "Dana".into(), "Rossi".into()),
        ("hostile".into(), HOSTILE_NAME.into(), String::new()),
    ];
    for (first, last) in [
        ("Irina", "Volkova"),
        ("Tom", "Becker"),
        ("Aisha", "Bello"),
        ("Lars", "Holm"),
        ("Sofia", "Conti"),
        ("Kenji", "Sato"),
        ("Noor", "Haddad"),
        ("Elena", "Popescu"),
        ("Marek", "Dvořák"),
        ("Ines", "Moreau"),
        ("Omar", "Farouk"),
        ("Lena", "Vogel"),
        ("Priya", "Nair"),
        ("Jonas", "Berg"),
    ] {
        people.push((
            format!("{}.{}", first.to_lowercase(), last.to_lowercase()),
            first.into(),
            last.into(),
        ));
    }
    // Enough members that one client lists more than a page (100): the
    // panel must follow `first`/`max`.
    for i in 1..=130 {
        people.push((format!("member{i:03}"), "Member".into(), format!("{i:03}")));
    }
    let users: Vec<KUser> = people
        .into_iter()
        .map(|(username, first, last)| KUser {
            id: uuid(rng),
            email: format!("{username}@sessiondeck.test"),
            username,
            first,
            last,
        })
        .collect();
    let mut sessions = Vec::new();
    // Everyone but the admin has one or two browser sessions (the demo
    // person and the near names always), some an offline token.
    for (ui, _) in users.iter().enumerate().skip(1) {
        let n = if ui <= 3 {
            2
        } else {
            1 + rng.below(2) as usize
        };
        for k in 0..n {
            let start = now - (rng.unit() * 5.0 * 86_400_000.0) as i64;
            // Members all use the chat (more than a page of it).
            let mut cl = vec![if users[ui].username.starts_with("member") {
                0
            } else {
                rng.below(3) as usize
            }];
            if rng.below(2) == 0 {
                cl.push((cl[0] + 1) % 3);
            }
            let offline = k == 1 && (ui == 1 || rng.below(4) == 0);
            sessions.push(KSession {
                id: uuid(rng),
                user: ui,
                ip: format!("198.51.100.{}", 1 + rng.below(250)),
                start_ms: start,
                last_ms: start + (rng.unit() * (now - start) as f64) as i64,
                remember_me: rng.below(3) == 0,
                clients: if offline { vec![cl[0]] } else { cl },
                offline,
            });
        }
    }
    Keycloak {
        users,
        clients,
        sessions,
        ..Default::default()
    }
}

impl crate::state::ApiData for Keycloak {
    fn session_ids(&self) -> (&'static str, Vec<String>) {
        (
            "keycloakIds",
            self.sessions.iter().map(KSession::listed_id).collect(),
        )
    }
    fn remove(&mut self, ids: &[String]) {
        self.sessions.retain(|s| !ids.contains(&s.listed_id()));
    }
    fn expire_tokens(&mut self) {
        // Access tokens stop working; refresh tokens still renew them.
        self.tokens.retain(|t| t.refresh);
    }
    fn extra_stats(&self) -> Option<(&'static str, Value)> {
        Some(("keycloak", json!({ "grants": self.grants })))
    }
}

fn base64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn error(status: StatusCode, e: &str, description: Option<&str>) -> Response {
    let body = match description {
        Some(d) => json!({ "error": e, "error_description": d }),
        None => json!({ "error": e }),
    };
    (status, axum::Json(body)).into_response()
}

fn realm_ok(realm: &str) -> Result<(), Response> {
    if realm == REALM {
        Ok(())
    } else {
        Err(error(StatusCode::NOT_FOUND, "Realm not found.", None))
    }
}

fn form(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(f: &'a [(String, String)], k: &str) -> &'a str {
    f.iter().find(|(key, _)| key == k).map_or("", |(_, v)| v)
}

impl Keycloak {
    fn client(&self, client_id: &str) -> Option<usize> {
        self.clients.iter().position(|c| c.client_id == client_id)
    }

    /// A new access token (and a refresh token for a user's session).
    fn issue(&mut self, subject: Subject, lifetime_s: i64, now: i64) -> Value {
        self.issued += 1;
        let (sid, name, azp) = match &subject {
            Subject::Service(c) => (None, format!("service-account-{c}"), c.clone()),
            Subject::User { user, session } => (
                Some(session.clone()),
                self.users[*user].username.clone(),
                "admin-cli".to_string(),
            ),
        };
        let mut claims = json!({
            "exp": (now / 1000) + lifetime_s, "iat": now / 1000,
            "preferred_username": name, "azp": azp, "jti": self.issued,
        });
        if let Some(sid) = &sid {
            claims["sid"] = json!(sid);
        }
        let access = format!(
            "{}.{}.{}",
            base64url(br#"{"alg":"RS256","typ":"JWT"}"#),
            base64url(claims.to_string().as_bytes()),
            base64url(format!("demo-signature-{}", self.issued).as_bytes())
        );
        self.tokens.push(Token {
            value: access.clone(),
            subject: subject.clone(),
            expires_ms: now + lifetime_s * 1000,
            issued_ms: now,
            refresh: false,
        });
        let mut answer = json!({
            "access_token": access, "expires_in": lifetime_s,
            "token_type": "Bearer", "not-before-policy": 0, "scope": "profile email",
        });
        if sid.is_some() {
            let refresh = format!("refresh-{}-{}", self.issued, now);
            self.tokens.push(Token {
                value: refresh.clone(),
                subject,
                expires_ms: now + 1_800_000,
                issued_ms: now,
                refresh: true,
            });
            answer["refresh_token"] = json!(refresh);
            answer["refresh_expires_in"] = json!(1800);
            answer["session_state"] = json!(sid);
        }
        answer
    }

    /// The live token `value` (of the kind asked), if any.
    fn live(&self, value: &str, refresh: bool, now: i64) -> Option<&Token> {
        let t = self
            .tokens
            .iter()
            .find(|t| t.value == value && t.refresh == refresh)?;
        let session_lives = match &t.subject {
            Subject::Service(_) => true,
            Subject::User { session, .. } => {
                self.sessions.iter().any(|s| &s.id == session && !s.offline)
            }
        };
        (t.expires_ms > now && t.issued_ms >= self.not_before_ms && session_lives).then_some(t)
    }
}

/// Whose bearer token this is, and whether they may change things
/// (manage-users); 401 for none or a dead one.
fn bearer(app: &Shared, h: &HeaderMap, realm: &str) -> Result<bool, Response> {
    realm_ok(realm)?;
    let token = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let st = app.lock();
    let kc = st.api::<Keycloak>();
    let t = kc
        .live(token, false, crate::state::now_ms())
        .ok_or_else(|| error(StatusCode::UNAUTHORIZED, "HTTP 401 Unauthorized", None))?;
    Ok(t.subject != Subject::Service(VIEWER_ID.into()))
}

fn forbidden() -> Response {
    error(StatusCode::FORBIDDEN, "HTTP 403 Forbidden", None)
}

fn strict(raw: &Option<String>, allowed: &[&str]) -> Result<Vec<(String, String)>, Response> {
    crate::query::strict(raw.as_deref(), allowed).map_err(|p| {
        error(
            StatusCode::BAD_REQUEST,
            &format!("unknown query parameter: {p}"),
            None,
        )
    })
}

fn number(q: &[(String, String)], k: &str, default: usize) -> Result<usize, Response> {
    match q.iter().find(|(key, _)| key == k) {
        Some((_, v)) => v.parse().map_err(|_| {
            error(
                StatusCode::BAD_REQUEST,
                &format!("{k} must be a number"),
                None,
            )
        }),
        None => Ok(default),
    }
}

pub fn routes() -> Router<Shared> {
    let admin = "/admin/realms/{realm}";
    let oidc = "/realms/{realm}/protocol/openid-connect";
    Router::new()
        .route(&format!("{oidc}/token"), post(token))
        .route(&format!("{oidc}/logout"), post(logout))
        .route(&format!("{oidc}/revoke"), post(revoke_token))
        .route(&format!("{admin}/users"), get(users))
        .route(&format!("{admin}/users/count"), get(users_count))
        .route(
            &format!("{admin}/users/{{id}}/sessions"),
            get(user_sessions),
        )
        .route(&format!("{admin}/users/{{id}}/logout"), post(user_logout))
        .route(&format!("{admin}/client-session-stats"), get(stats))
        .route(
            &format!("{admin}/clients/{{id}}/user-sessions"),
            get(client_online),
        )
        .route(
            &format!("{admin}/clients/{{id}}/offline-sessions"),
            get(client_offline),
        )
        .route(&format!("{admin}/sessions/{{id}}"), delete(delete_session))
        .route(&format!("{admin}/logout-all"), post(logout_all))
}

async fn token(State(app): State<Shared>, Path(realm): Path<String>, body: Bytes) -> Response {
    if let Err(r) = realm_ok(&realm) {
        return r;
    }
    let f = form(&body);
    let now = crate::state::now_ms();
    let lifetime = app.cfg.keycloak_token_secs as i64;
    let grant = field(&f, "grant_type").to_string();
    let mut st = app.lock();
    let kc = st.api_mut::<Keycloak>();
    *kc.grants.entry(grant.clone()).or_default() += 1;
    let client = field(&f, "client_id");
    let refused = |d: &str| error(StatusCode::UNAUTHORIZED, "invalid_grant", Some(d));
    let answer = match grant.as_str() {
        "client_credentials" => {
            let ok = [(CLIENT_ID, CLIENT_SECRET), (VIEWER_ID, VIEWER_SECRET)]
                .contains(&(client, field(&f, "client_secret")));
            if !ok {
                return error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    Some("Invalid client or Invalid client credentials"),
                );
            }
            kc.issue(Subject::Service(client.into()), lifetime, now)
        }
        "password" => {
            if client != "admin-cli" {
                return error(
                    StatusCode::BAD_REQUEST,
                    "unauthorized_client",
                    Some("Client not allowed for direct access grants"),
                );
            }
            if (field(&f, "username"), field(&f, "password")) != (ADMIN_USER, ADMIN_PASSWORD) {
                return refused("Invalid user credentials");
            }
            // A password grant opens a session of the admin, in admin-cli.
            let mut rng = Rng::new(now as u64 ^ kc.issued);
            let id = uuid(&mut rng);
            let cli = kc.client("admin-cli").unwrap_or(0);
            kc.sessions.push(KSession {
                id: id.clone(),
                user: 0,
                ip: "127.0.0.1".into(),
                start_ms: now,
                last_ms: now,
                remember_me: false,
                clients: vec![cli],
                offline: false,
            });
            kc.issue(
                Subject::User {
                    user: 0,
                    session: id,
                },
                lifetime,
                now,
            )
        }
        "refresh_token" => {
            let Some(t) = kc.live(field(&f, "refresh_token"), true, now).cloned() else {
                return refused("Token is not active");
            };
            kc.issue(t.subject, lifetime, now)
        }
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                Some("Unsupported grant_type"),
            )
        }
    };
    axum::Json(answer).into_response()
}

/// The session of a refresh token ends (`client_id`, `refresh_token`).
async fn logout(State(app): State<Shared>, Path(realm): Path<String>, body: Bytes) -> Response {
    if let Err(r) = realm_ok(&realm) {
        return r;
    }
    let f = form(&body);
    let now = crate::state::now_ms();
    let mut st = app.lock();
    let kc = st.api_mut::<Keycloak>();
    *kc.grants.entry("logout".into()).or_default() += 1;
    let Some(Subject::User { session, .. }) = kc
        .live(field(&f, "refresh_token"), true, now)
        .map(|t| t.subject.clone())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            Some("Invalid refresh token"),
        );
    };
    kc.sessions.retain(|s| s.id != session);
    StatusCode::NO_CONTENT.into_response()
}

/// A service account's token is revoked (`token`, with its client's secret).
async fn revoke_token(
    State(app): State<Shared>,
    Path(realm): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = realm_ok(&realm) {
        return r;
    }
    let f = form(&body);
    let mut st = app.lock();
    let kc = st.api_mut::<Keycloak>();
    *kc.grants.entry("revoke".into()).or_default() += 1;
    let client_ok = [(CLIENT_ID, CLIENT_SECRET), (VIEWER_ID, VIEWER_SECRET)]
        .contains(&(field(&f, "client_id"), field(&f, "client_secret")));
    if !client_ok {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            Some("Invalid client credentials"),
        );
    }
    let token = field(&f, "token").to_string();
    kc.tokens.retain(|t| t.value != token);
    StatusCode::OK.into_response()
}

fn user_json(u: &KUser) -> Value {
    json!({
        "id": u.id, "username": u.username, "email": u.email,
        "firstName": u.first, "lastName": u.last, "enabled": true, "emailVerified": true,
    })
}

fn session_json(kc: &Keycloak, s: &KSession) -> Value {
    let clients: serde_json::Map<String, Value> = s
        .clients
        .iter()
        .filter_map(|&c| kc.clients.get(c))
        .map(|c| (c.uuid.clone(), json!(c.client_id)))
        .collect();
    json!({
        "id": s.id, "username": kc.users[s.user].username, "userId": kc.users[s.user].id,
        "ipAddress": s.ip, "start": s.start_ms, "lastAccess": s.last_ms,
        "rememberMe": s.remember_me, "clients": clients, "transientUser": false,
    })
}

async fn users(
    State(app): State<Shared>,
    Path(realm): Path<String>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = bearer(&app, &h, &realm) {
        return r;
    }
    let q = match strict(
        &raw,
        &[
            "first",
            "max",
            "search",
            "briefRepresentation",
            "username",
            "email",
            "exact",
            "enabled",
        ],
    ) {
        Ok(q) => q,
        Err(r) => return r,
    };
    let (first, max) = match (number(&q, "first", 0), number(&q, "max", 100)) {
        (Ok(f), Ok(m)) => (f, m),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let get = |k: &str| {
        q.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.to_lowercase())
    };
    let exact = get("exact").as_deref() == Some("true");
    let st = app.lock();
    let kc = st.api::<Keycloak>();
    let found: Vec<Value> = kc
        .users
        .iter()
        .filter(|u| {
            let has = |field: &str, want: &Option<String>| match want {
                None => true,
                Some(w) if exact => field.to_lowercase() == *w,
                Some(w) => field.to_lowercase().contains(w.as_str()),
            };
            let search = get("search").is_none_or(|s| {
                [&u.username, &u.email, &u.first, &u.last]
                    .iter()
                    .any(|f| f.to_lowercase().contains(&s))
            });
            search && has(&u.username, &get("username")) && has(&u.email, &get("email"))
        })
        .skip(first)
        .take(max)
        .map(user_json)
        .collect();
    axum::Json(Value::Array(found)).into_response()
}

async fn users_count(
    State(app): State<Shared>,
    Path(realm): Path<String>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = bearer(&app, &h, &realm).and(strict(&raw, &[])) {
        return r;
    }
    let st = app.lock();
    axum::Json(json!(st.api::<Keycloak>().users.len())).into_response()
}

fn user_at(kc: &Keycloak, id: &str) -> Result<usize, Response> {
    kc.users
        .iter()
        .position(|u| u.id == id)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "User not found", None))
}

async fn user_sessions(
    State(app): State<Shared>,
    Path((realm, id)): Path<(String, String)>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = bearer(&app, &h, &realm).and(strict(&raw, &[])) {
        return r;
    }
    let st = app.lock();
    let kc = st.api::<Keycloak>();
    let ui = match user_at(kc, &id) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let list: Vec<Value> = kc
        .sessions
        .iter()
        .filter(|s| s.user == ui && !s.offline)
        .map(|s| session_json(kc, s))
        .collect();
    axum::Json(Value::Array(list)).into_response()
}

async fn user_logout(
    State(app): State<Shared>,
    Path((realm, id)): Path<(String, String)>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    match bearer(&app, &h, &realm).and_then(|m| strict(&raw, &[]).map(|_| m)) {
        Ok(true) => {}
        Ok(false) => return forbidden(),
        Err(r) => return r,
    }
    let mut st = app.lock();
    st.stats.logout_calls.push(format!("user:{id}"));
    let kc = st.api_mut::<Keycloak>();
    let ui = match user_at(kc, &id) {
        Ok(u) => u,
        Err(r) => return r,
    };
    kc.sessions.retain(|s| s.user != ui);
    StatusCode::NO_CONTENT.into_response()
}

async fn stats(
    State(app): State<Shared>,
    Path(realm): Path<String>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = bearer(&app, &h, &realm).and(strict(&raw, &[])) {
        return r;
    }
    let st = app.lock();
    let kc = st.api::<Keycloak>();
    let list: Vec<Value> = kc
        .clients
        .iter()
        .enumerate()
        .filter_map(|(ci, c)| {
            let of = |offline: bool| {
                kc.sessions
                    .iter()
                    .filter(|s| s.offline == offline && s.clients.contains(&ci))
                    .count()
            };
            let (active, offline) = (of(false), of(true));
            // Counts as strings, as Keycloak sends them; idle clients left out.
            (active + offline > 0).then(|| {
                json!({ "id": c.uuid, "clientId": c.client_id,
                        "active": active.to_string(), "offline": offline.to_string() })
            })
        })
        .collect();
    axum::Json(Value::Array(list)).into_response()
}

fn client_sessions(
    app: &Shared,
    realm: &str,
    h: &HeaderMap,
    raw: &Option<String>,
    id: &str,
    offline: bool,
) -> Response {
    if let Err(r) = bearer(app, h, realm) {
        return r;
    }
    let q = match strict(raw, &["first", "max"]) {
        Ok(q) => q,
        Err(r) => return r,
    };
    let (first, max) = match (number(&q, "first", 0), number(&q, "max", 100)) {
        (Ok(f), Ok(m)) => (f, m),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let st = app.lock();
    let kc = st.api::<Keycloak>();
    let Some(ci) = kc.clients.iter().position(|c| c.uuid == id) else {
        return error(StatusCode::NOT_FOUND, "Could not find client", None);
    };
    let list: Vec<Value> = kc
        .sessions
        .iter()
        .filter(|s| s.offline == offline && s.clients.contains(&ci))
        .skip(first)
        .take(max)
        .map(|s| session_json(kc, s))
        .collect();
    axum::Json(Value::Array(list)).into_response()
}

async fn client_online(
    State(app): State<Shared>,
    Path((realm, id)): Path<(String, String)>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    client_sessions(&app, &realm, &h, &raw, &id, false)
}

async fn client_offline(
    State(app): State<Shared>,
    Path((realm, id)): Path<(String, String)>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    client_sessions(&app, &realm, &h, &raw, &id, true)
}

async fn delete_session(
    State(app): State<Shared>,
    Path((realm, id)): Path<(String, String)>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    match bearer(&app, &h, &realm) {
        Ok(true) => {}
        Ok(false) => return forbidden(),
        Err(r) => return r,
    }
    let q = match strict(&raw, &["isOffline"]) {
        Ok(q) => q,
        Err(r) => return r,
    };
    let offline = q.iter().any(|(k, v)| k == "isOffline" && v == "true");
    let mut st = app.lock();
    let listed = if offline {
        format!("{id}:offline")
    } else {
        id.clone()
    };
    st.stats.logout_calls.push(listed.clone());
    let Some(at) = st
        .api::<Keycloak>()
        .sessions
        .iter()
        .position(|s| s.id == id && s.offline == offline)
    else {
        return error(StatusCode::NOT_FOUND, "Session not found", None);
    };
    if st.inject_failure(&listed) {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "unknown_error", None);
    }
    st.api_mut::<Keycloak>().sessions.remove(at);
    StatusCode::NO_CONTENT.into_response()
}

async fn logout_all(
    State(app): State<Shared>,
    Path(realm): Path<String>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    match bearer(&app, &h, &realm).and_then(|m| strict(&raw, &[]).map(|_| m)) {
        Ok(true) => {}
        Ok(false) => return forbidden(),
        Err(r) => return r,
    }
    let mut st = app.lock();
    st.stats.logout_calls.push("realm".into());
    let kc = st.api_mut::<Keycloak>();
    kc.sessions.clear();
    // Every token issued before now is refused, the caller's included.
    kc.not_before_ms = crate::state::now_ms() + 1;
    axum::Json(json!({ "successRequests": [], "failedRequests": [] })).into_response()
}

/// This API, as the server registers it (`build.rs`).
pub const API: crate::state::Api = crate::state::Api {
    name: "Keycloak",
    prefixes: &["/realms/", "/admin/realms/"],
    routes,
    // Sign-in, sign-out and revoke bodies carry passwords, secrets, tokens.
    secret_paths: &[
        "/protocol/openid-connect/token",
        "/protocol/openid-connect/logout",
        "/protocol/openid-connect/revoke",
    ],
    data: Some(|r, now| Box::new(seed(r, now))),
    demo,
};

/// The demo banner's lines for Keycloak.
fn demo(cfg: &crate::config::Config) -> String {
    format!(
        "Keycloak:      Realm {REALM} · Service account: Client ID {CLIENT_ID}, Client secret {CLIENT_SECRET}\n               (or Username and password: {ADMIN_USER} / {ADMIN_PASSWORD}, Client ID admin-cli; tokens last {} s)\n",
        cfg.keycloak_token_secs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_person_and_the_near_names_have_sessions_offline_too() {
        let kc = seed(&mut API.stream(42), 1_700_000_000_000);
        for name in [crate::data::DEMO_PERSON_USERNAME, "dana.ross", "dana.rossi"] {
            let u = kc.users.iter().position(|u| u.username == name).unwrap();
            assert!(
                kc.sessions.iter().any(|s| s.user == u && !s.offline),
                "{name}"
            );
        }
        let grace = kc
            .users
            .iter()
            .position(|u| u.username == crate::data::DEMO_PERSON_USERNAME)
            .unwrap();
        assert!(kc.sessions.iter().any(|s| s.user == grace && s.offline));
        // One client lists more than a page.
        let chat = kc
            .sessions
            .iter()
            .filter(|s| !s.offline && s.clients.contains(&0))
            .count();
        assert!(chat > 100, "{chat}");
    }

    #[test]
    fn tokens_are_jwt_shaped_and_expire_with_their_session() {
        let mut kc = seed(&mut API.stream(1), 1_000_000);
        let sid = kc.sessions[0].id.clone();
        let a = kc.issue(
            Subject::User {
                user: 1,
                session: sid.clone(),
            },
            60,
            1_000_000,
        );
        let access = a["access_token"].as_str().unwrap().to_string();
        assert_eq!(access.split('.').count(), 3);
        assert!(kc.live(&access, false, 1_000_001).is_some());
        assert!(
            kc.live(&access, false, 1_000_000 + 60_000).is_none(),
            "expired"
        );
        kc.sessions.retain(|s| s.id != sid);
        assert!(
            kc.live(&access, false, 1_000_001).is_none(),
            "its session ended"
        );
        assert_eq!(base64url(b"ab"), "YWI");
        assert_eq!(base64url(b"abc"), "YWJj");
    }
}
