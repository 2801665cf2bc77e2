//! ONLYOFFICE DocSpace active connections (api-notes §2): the `{response}`
//! envelope, `false` answers, `loginEvent` 0 with an API key, and a
//! `logoutallexceptthis` that closes every connection when called with a key.

use crate::data::{iso, Rng, HOSTILE_NAME};
use crate::state::{Shared, Store};
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use serde_json::{json, Value};

pub const ADMIN_KEY: &str = "demo-docspace-admin-key-Qx7Lm2";
pub const USER_KEY: &str = "demo-docspace-user-key-Bv4Rt9";
const ADMIN_USER: &str = "0f1e2d3c-4b5a-6978-8899-aabbccddeeff";
const PLAIN_USER: &str = "11111111-2222-3333-4444-555555555555";

#[derive(Clone, Debug)]
pub struct Conn {
    pub id: i64,
    pub user_id: String,
    pub display_name: Option<String>,
    pub mobile: bool,
    pub ip: String,
    pub country: String,
    pub city: String,
    pub browser: String,
    pub platform: String,
    pub date_ms: i64,
    /// Half the dates come as `{utcTime, timeZoneOffset}` objects.
    pub date_as_object: bool,
    pub page: String,
}

#[derive(Default)]
pub struct DocSpace {
    pub conns: Vec<Conn>,
}

const PEOPLE: &[(&str, &str)] = &[
    ("Irina Volkova", "irina"),
    ("Dana Ross", "dana.ross"),
    ("Dana Rossi", "dana.rossi"),
    ("Tom Becker", "tom"),
    ("Aisha Bello", "aisha"),
    ("Lars Holm", "lars"),
    ("Sofia Conti", "sofia"),
    ("Kenji Sato", "kenji"),
    ("Noor Haddad", "noor"),
    ("Elena Popescu", "elena"),
    ("Marek Dvořák", "marek"),
    ("Grace Kim", "grace.kim"),
];

/// A DocSpace user as `people/filter` answers: ID, login, name, e-mail.
fn person(id: &str, name: &str, login: &str) -> Value {
    json!({
        "id": id, "userName": login, "displayName": name,
        "email": format!("{login}@sessiondeck.test"),
        "isAdmin": id == ADMIN_USER,
    })
}

pub fn seed(rng: &mut Rng, now: i64) -> DocSpace {
    let places = [
        ("Latvia", "Riga"),
        ("Germany", "Berlin"),
        ("Brazil", "São Paulo"),
        ("Japan", "Osaka"),
        ("Nigeria", "Lagos"),
        ("", ""),
    ];
    let clients = [
        ("Chrome 126", "Windows 10"),
        ("Firefox 127", "Ubuntu"),
        ("Safari 17.5", "Mac OS X 14.5"),
        ("Edge 125", "Windows 11"),
        ("ONLYOFFICE Documents 8.1", "Android 14"),
        ("Safari 17.4", "iOS 17.4"),
    ];
    let pages = [
        "/rooms/shared",
        "/rooms/personal",
        "/files/recent",
        "/portal-settings",
        "/rooms/archived",
    ];
    let mut users: Vec<(String, Option<String>)> = PEOPLE
        .iter()
        .enumerate()
        .map(|(i, (n, _))| {
            (
                format!(
                    "{:08x}-0000-4000-8000-{:012x}",
                    0xd0c0_0000u32 + i as u32,
                    i
                ),
                Some(n.to_string()),
            )
        })
        .collect();
    users.push((
        "66666666-0000-4000-8000-000000000066".into(),
        Some(HOSTILE_NAME.into()),
    ));
    users.push(("77777777-0000-4000-8000-000000000077".into(), None));
    users.push((ADMIN_USER.into(), Some("Dora Admin".into())));
    let mut conns = Vec::new();
    for i in 0..54 {
        let (uid, name) = users[rng.below(users.len() as u64) as usize].clone();
        let (country, city) = places[rng.below(places.len() as u64) as usize];
        let (browser, platform) = clients[rng.below(clients.len() as u64) as usize];
        conns.push(Conn {
            id: 4100 + i,
            user_id: uid,
            display_name: name,
            mobile: platform.starts_with("Android") || platform.starts_with("iOS"),
            ip: format!(
                "185.{}.{}.{}",
                rng.below(256),
                rng.below(256),
                1 + rng.below(254)
            ),
            country: country.into(),
            city: city.into(),
            browser: browser.into(),
            platform: platform.into(),
            date_ms: now - (rng.unit() * 20.0 * 86_400_000.0) as i64,
            date_as_object: i % 2 == 1,
            page: pages[rng.below(pages.len() as u64) as usize].into(),
        });
    }
    // Dana Ross and Dana Rossi (PEOPLE 1 and 2, names that contain each
    // other), the demo's person, the hostile name and the nameless user each
    // have a connection, whatever the seed.
    let demo = PEOPLE
        .iter()
        .position(|p| p.0 == crate::data::DEMO_PERSON)
        .unwrap_or(0);
    let fixed = [1, 2, demo, PEOPLE.len(), PEOPLE.len() + 1];
    for (k, who) in fixed.into_iter().enumerate() {
        let (uid, name) = users[who].clone();
        if !conns.iter().any(|c| c.user_id == uid) {
            let id = 4100 + conns.len() as i64;
            let c = Conn {
                id,
                user_id: uid,
                display_name: name,
                ..conns[k].clone()
            };
            conns.push(c);
        }
    }
    conns.sort_by_key(|c| std::cmp::Reverse(c.date_ms));
    DocSpace { conns }
}

impl crate::state::ApiData for DocSpace {
    fn session_ids(&self) -> (&'static str, Vec<String>) {
        let ids = self.conns.iter().map(|s| s.id.to_string());
        ("docspaceIds", ids.collect())
    }
    fn remove(&mut self, ids: &[String]) {
        self.conns.retain(|s| !ids.contains(&s.id.to_string()));
    }
}

fn envelope(response: Value) -> Response {
    let count = match &response {
        Value::Array(a) => a.len(),
        Value::Object(o) if o.contains_key("items") => o["items"].as_array().map_or(1, Vec::len),
        _ => 1,
    };
    (
        StatusCode::OK,
        axum::Json(json!({ "response": response, "count": count, "links": [], "status": 0, "statusCode": 200 })),
    )
        .into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "error": { "message": message, "type": "System.Security.SecurityException", "stack": "" },
            "status": 1,
            "statusCode": status.as_u16(),
        })),
    )
        .into_response()
}

/// Bearer key → (user id, is admin).
fn auth(h: &HeaderMap) -> Result<(&'static str, bool), Response> {
    let token = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    match token {
        ADMIN_KEY => Ok((ADMIN_USER, true)),
        USER_KEY => Ok((PLAIN_USER, false)),
        _ => Err(error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: the API key is missing, wrong or revoked",
        )),
    }
}

/// A call every admin endpoint checks the same way: an administrator's key
/// and no query string (401, 400, 403). Taken by each handler as its first
/// extractor, so none repeats the check.
struct Admin;

impl FromRequestParts<Shared> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &Shared) -> Result<Admin, Response> {
        admin(&parts.headers, parts.uri.query()).map(|()| Admin)
    }
}

fn admin(h: &HeaderMap, query: Option<&str>) -> Result<(), Response> {
    let (_, is_admin) = auth(h)?;
    if query.is_some_and(|q| !q.is_empty()) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "This endpoint takes no query parameters",
        ));
    }
    if !is_admin {
        return Err(error(
            StatusCode::FORBIDDEN,
            "Access denied: only DocSpace administrators can manage active connections",
        ));
    }
    Ok(())
}

fn item(c: &Conn) -> Value {
    let date = if c.date_as_object {
        json!({ "utcTime": iso(c.date_ms), "timeZoneOffset": "02:00:00" })
    } else {
        json!(iso(c.date_ms))
    };
    let mut v = json!({
        "id": c.id, "tenantId": 1, "userId": c.user_id, "mobile": c.mobile, "ip": c.ip,
        "country": c.country, "city": c.city, "browser": c.browser, "platform": c.platform,
        "date": date, "page": c.page,
    });
    if let Some(n) = &c.display_name {
        v["displayName"] = json!(n);
    }
    v
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/2.0/people/@self", get(me))
        .route("/api/2.0/security/activeconnections", get(list))
        .route(
            "/api/2.0/security/activeconnections/logout/{id}",
            put(logout),
        )
        .route(
            "/api/2.0/security/activeconnections/logoutall/{user}",
            put(logout_user),
        )
        .route(
            "/api/2.0/security/activeconnections/logoutall",
            put(logout_users),
        )
        .route(
            "/api/2.0/security/activeconnections/logoutallexceptthis",
            put(logout_except_this),
        )
        .route(
            "/api/2.0/security/activeconnections/user/{user}",
            get(user_connections),
        )
        .route("/api/2.0/people/filter", get(people_filter))
}

async fn me(h: HeaderMap) -> Response {
    match auth(&h) {
        Ok((id, is_admin)) => envelope(json!({
            "id": id,
            "displayName": if is_admin { "Dora Admin" } else { "Uwe User" },
            "userName": if is_admin { "dora" } else { "uwe" },
            "email": if is_admin { "dora@docspace.test" } else { "uwe@docspace.test" },
            "isAdmin": is_admin,
        })),
        Err(r) => r,
    }
}

async fn list(_: Admin, State(app): State<Shared>) -> Response {
    let st = app.lock();
    let explode = st.faults.explode_rows;
    let items: Vec<Value> = st
        .api::<DocSpace>()
        .conns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut v = item(c);
            // Fault `explodeRows`: a record that is small to send and huge
            // to flatten naively (every leaf repeats its 36 KB path).
            if i < explode {
                v["page"] = exploding();
            }
            v
        })
        .collect();
    // With a Bearer key there is no current connection: loginEvent is 0.
    envelope(json!({ "loginEvent": 0, "items": items }))
}

/// Keys of 300 characters nested 120 deep, 2,000 leaves at the bottom:
/// about 66 KB of JSON, 72 MB of field names flattened naively.
fn exploding() -> Value {
    let leaves: serde_json::Map<String, Value> =
        (0..2000).map(|i| (format!("leaf{i}"), json!(i))).collect();
    let key = "k".repeat(300);
    (0..120).fold(
        Value::Object(leaves),
        |inner, _| json!({ key.clone(): inner }),
    )
}

async fn logout(_: Admin, State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let mut st = app.lock();
    st.stats.logout_calls.push(id.clone());
    // DocSpace swallows errors: an unknown connection (or a failure) is `false`.
    if st.inject_failure(&id) {
        return envelope(json!(false));
    }
    let before = st.api_mut::<DocSpace>().conns.len();
    st.api_mut::<DocSpace>()
        .conns
        .retain(|c| c.id.to_string() != id);
    envelope(json!(st.api_mut::<DocSpace>().conns.len() < before))
}

fn remove_users(st: &mut Store, users: &[String]) {
    st.api_mut::<DocSpace>()
        .conns
        .retain(|c| !users.contains(&c.user_id));
}

async fn logout_user(_: Admin, State(app): State<Shared>, Path(user): Path<String>) -> Response {
    let mut st = app.lock();
    st.stats.logout_calls.push(format!("user:{user}"));
    remove_users(&mut st, &[user]);
    envelope(Value::Null)
}

async fn logout_users(_: Admin, State(app): State<Shared>, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(ids) = v.get("userIds").and_then(Value::as_array) else {
        return error(StatusCode::BAD_REQUEST, "userIds is required");
    };
    let ids: Vec<String> = ids
        .iter()
        .filter_map(|i| i.as_str().map(String::from))
        .collect();
    let mut st = app.lock();
    st.stats
        .logout_calls
        .extend(ids.iter().map(|i| format!("user:{i}")));
    remove_users(&mut st, &ids);
    envelope(Value::Null)
}

async fn logout_except_this(_: Admin, State(app): State<Shared>) -> Response {
    let mut st = app.lock();
    st.stats.logout_calls.push("others".into());
    // With an API key (no cookie) there is no "this": every connection closes.
    st.api_mut::<DocSpace>().conns.clear();
    envelope(Value::Null)
}

/// `GET /api/2.0/people/filter?filterValue=…`: the users whose name,
/// login or e-mail holds what was given (DocSpace admins only; only that
/// parameter, and `count`).
async fn people_filter(h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (_, is_admin) = match auth(&h) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let query = match crate::query::strict(raw.as_deref(), &["filterValue", "count"]) {
        Ok(q) => q,
        Err(k) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("Unexpected query parameter {k:?}"),
            )
        }
    };
    if !is_admin {
        return error(StatusCode::FORBIDDEN, "Access denied");
    }
    let want = query
        .iter()
        .find(|(k, _)| k == "filterValue")
        .map(|(_, v)| v.to_lowercase())
        .unwrap_or_default();
    if want.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "filterValue is required");
    }
    let mut found: Vec<Value> = PEOPLE
        .iter()
        .enumerate()
        .map(|(i, (name, login))| {
            let id = format!(
                "{:08x}-0000-4000-8000-{:012x}",
                0xd0c0_0000u32 + i as u32,
                i
            );
            person(&id, name, login)
        })
        .chain(std::iter::once(person(ADMIN_USER, "Dora Admin", "dora")))
        .filter(|p| {
            ["displayName", "userName", "email"].iter().any(|k| {
                p[*k]
                    .as_str()
                    .is_some_and(|v| v.to_lowercase().contains(want.trim()))
            })
        })
        .collect();
    found.truncate(25);
    envelope(Value::Array(found))
}

async fn user_connections(
    _: Admin,
    State(app): State<Shared>,
    Path(user): Path<String>,
) -> Response {
    let st = app.lock();
    let conns: Vec<&Conn> = st
        .api::<DocSpace>()
        .conns
        .iter()
        .filter(|c| c.user_id == user)
        .collect();
    let name = conns.first().and_then(|c| c.display_name.clone());
    envelope(json!({
        "id": user, "displayName": name, "isOwner": false, "isAdmin": user == ADMIN_USER,
        "avatar": "/static/images/default_user_photo_size_82-82.png",
        "connections": conns.iter().map(|c| item(c)).collect::<Vec<_>>(),
    }))
}

/// This API, as the server registers it (`build.rs`).
pub const API: crate::state::Api = crate::state::Api {
    name: "DocSpace",
    prefixes: &["/api/2.0/"],
    routes,
    secret_paths: &[],
    data: Some(|r, now| Box::new(seed(r, now))),
    demo,
};

/// The demo banner's line for DocSpace.
fn demo(_: &crate::config::Config) -> String {
    format!("DocSpace:      API key {ADMIN_KEY}   (non-admin key: {USER_KEY})\n")
}
