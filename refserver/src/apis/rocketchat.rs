//! Rocket.Chat: login/me and device management (api-notes §1), strict.

use crate::data::{self, Device, SessionRec};
use crate::state::{now_ms, Shared, Store};
use crate::twofactor::{self, Check};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/login", post(login))
        .route("/api/v1/me", get(me))
        .route("/api/v1/logout", post(logout_token))
        .route("/api/v1/sessions/list", get(list_own))
        .route("/api/v1/sessions/list.all", get(list_all))
        .route("/api/v1/sessions/info", get(info_own))
        .route("/api/v1/sessions/info.admin", get(info_admin))
        .route("/api/v1/sessions/logout.me", post(logout_me))
        .route("/api/v1/sessions/logout", post(logout_admin))
}

/// API_Upper_Count_Limit's default: the most rows one page returns.
pub const UPPER_COUNT: usize = 100;
pub const PERM_VIEW: &str = "view-device-management";
pub const PERM_LOGOUT: &str = "logout-device-management";

fn reply(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn fail(status: StatusCode, error: &str) -> Response {
    reply(status, json!({ "success": false, "error": error }))
}

fn unauthorized() -> Response {
    reply(
        StatusCode::UNAUTHORIZED,
        json!({ "status": "error", "message": "You must be logged in to do this." }),
    )
}

/// The authenticated caller of a guarded call.
struct Caller {
    user_id: String,
    token: String,
    rate: [(&'static str, String); 3],
}

impl Caller {
    fn with_rate(&self, mut r: Response) -> Response {
        for (k, v) in &self.rate {
            if let Ok(v) = HeaderValue::from_str(v) {
                r.headers_mut().insert(*k, v);
            }
        }
        r
    }
}

struct Guard {
    route: &'static str,
    license: bool,
    permission: Option<&'static str>,
    two_factor: bool,
}

impl Guard {
    /// Any signed-in user: no license, permission or second factor.
    fn signed_in(route: &'static str) -> Guard {
        Guard {
            route,
            license: false,
            permission: None,
            two_factor: false,
        }
    }

    /// A device-management endpoint (licensed): its admin variant needs
    /// `permission` and a second factor, the own-sessions variant neither.
    fn device(
        admin: bool,
        admin_route: &'static str,
        own_route: &'static str,
        permission: &'static str,
    ) -> Guard {
        Guard {
            route: if admin { admin_route } else { own_route },
            license: true,
            permission: admin.then_some(permission),
            two_factor: admin,
        }
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
}

/// Auth → rate limit → license → permission → 2FA, in Rocket.Chat's order.
fn guard(app: &Shared, st: &mut Store, h: &HeaderMap, g: Guard) -> Result<Caller, Response> {
    let now = now_ms();
    let (Some(uid), Some(token)) = (header(h, "x-user-id"), header(h, "x-auth-token")) else {
        return Err(unauthorized());
    };
    if st.tokens.get(token).map(String::as_str) != Some(uid) {
        return Err(unauthorized());
    }
    let (uid, token) = (uid.to_string(), token.to_string());

    let window = app.cfg.rate_window_ms as i64;
    let limit = app.cfg.rate_limit;
    let entry = st
        .rate
        .entry((token.clone(), g.route.to_string()))
        .or_insert((now, 0));
    if now - entry.0 >= window {
        *entry = (now, 0);
    }
    entry.1 += 1;
    let reset = entry.0 + window;
    let remaining = limit.saturating_sub(entry.1);
    let secs = (reset - now + 999) / 1000;
    // Rocket.Chat writes epoch milliseconds; other servers epoch seconds or
    // a relative wait (`--rate-reset-unit`), which the panel must read too.
    let reset_text = match app.cfg.rate_reset_unit.as_str() {
        "s" => ((reset + 999) / 1000).to_string(),
        "delta" => secs.to_string(),
        _ => reset.to_string(),
    };
    let caller = Caller {
        rate: [
            ("x-ratelimit-limit", limit.to_string()),
            ("x-ratelimit-remaining", remaining.to_string()),
            ("x-ratelimit-reset", reset_text),
        ],
        user_id: uid,
        token,
    };
    if entry.1 > limit {
        let mut r = caller.with_rate(fail(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Error, too many requests. Please slow down. You must wait {secs} seconds before trying this endpoint again. [error-too-many-requests]"),
        ));
        if app.cfg.retry_after {
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(secs.max(0) as u64));
        }
        return Err(r);
    }
    if g.license && !st.license {
        return Err(caller.with_rate(fail(
            StatusCode::FORBIDDEN,
            "This is an enterprise feature: a valid device-management license is required [error-license-required]",
        )));
    }
    let user = st.user(&caller.user_id).cloned().ok_or_else(unauthorized)?;
    if let Some(p) = g.permission {
        if !st.has_permission(&user, p) {
            return Err(caller.with_rate(fail(
                StatusCode::FORBIDDEN,
                "User does not have the permissions required for this action [error-unauthorized]",
            )));
        }
    }
    // An empty --2fa list is 2FA switched off server-wide.
    if g.two_factor && !app.cfg.two_factor.is_empty() {
        let fingerprint = header(h, "user-agent").unwrap_or("").to_string();
        let key = (caller.token.clone(), fingerprint);
        if st.remembered.get(&key).is_some_and(|until| *until > now) {
            return Ok(caller);
        }
        // Rocket.Chat reads the code from the headers only when both are there.
        let (code, asked) = match (header(h, "x-2fa-code"), header(h, "x-2fa-method")) {
            (Some(c), Some(m)) => (Some(c), Some(m)),
            _ => (None, None),
        };
        let (method, outcome) = second_factor(app, st, &user, asked, code, now);
        if outcome == Check::Pass {
            if app.cfg.remember_secs > 0 {
                st.remembered
                    .insert(key, now + app.cfg.remember_secs as i64 * 1000);
            }
        } else if let Some((kind, message, details)) = refusal(outcome, &method) {
            return Err(caller.with_rate(reply(
                StatusCode::BAD_REQUEST,
                json!({"success": false, "error": message, "errorType": kind, "details": details}),
            )));
        }
    }
    Ok(caller)
}

/// Rocket.Chat's second-factor check for `user` (method named in the request
/// if the user has it), with its side effects: e-mailed codes and current
/// TOTP codes go to the log, and code-less asks are counted.
fn second_factor(
    app: &Shared,
    st: &mut Store,
    user: &crate::data::User,
    asked: Option<&str>,
    code: Option<&str>,
    now: i64,
) -> (String, Check) {
    let method = twofactor::select_method(user, asked);
    let seed = st.rng.next();
    let ustate = st.two_factor.entry(user.id.clone()).or_default();
    let outcome = twofactor::check(user, ustate, &method, code, now, app.cfg.max_attempts, seed);
    if let Check::Required { emailed, .. } = &outcome {
        st.stats.two_factor_required += 1;
        if let Some(c) = emailed {
            st.stats.emails_sent += 1;
            eprintln!(
                "[email] to {}: your sessiondeck demo verification code is {c}",
                user.email
            );
        }
        if method == "totp" && !app.cfg.quiet {
            eprintln!(
                "[totp] current code for {}: {}",
                user.username,
                twofactor::totp_now(now)
            );
        }
    }
    (method, outcome)
}

/// A failed check as (errorType, message, details); `None` when it passed.
fn refusal(outcome: Check, method: &str) -> Option<(&'static str, &'static str, Value)> {
    match outcome {
        Check::Pass => None,
        Check::Required { details, .. } => {
            Some(("totp-required", "TOTP Required [totp-required]", details))
        }
        Check::Invalid { method } => Some((
            "totp-invalid",
            "TOTP Invalid [totp-invalid]",
            json!({ "method": method }),
        )),
        Check::MaxAttempts => Some((
            "totp-max-attempts",
            "TOTP Maximun Failed Attempts Reached [totp-max-attempts]",
            json!({ "method": method }),
        )),
    }
}

/// Query as ordered pairs; `allowed` names every parameter the endpoint takes.
/// Query as ordered pairs; `allowed` names every parameter the endpoint takes.
fn strict_query(raw: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, Response> {
    crate::query::strict(raw, allowed).map_err(|k| {
        fail(
            StatusCode::BAD_REQUEST,
            &format!("The parameter \"{k}\" is not allowed here [error-invalid-params]"),
        )
    })
}

fn param<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

fn user_json(st: &Store, user_id: &str) -> Value {
    match st.user(user_id) {
        Some(u) => {
            let mut o = json!({ "username": u.username });
            if let Some(n) = &u.name {
                o["name"] = json!(n);
            }
            o
        }
        None => json!({}),
    }
}

fn item(st: &Store, s: &SessionRec, with_user: bool, current_token: Option<&str>) -> Value {
    let mut v = json!({
        "_id": s.id,
        "sessionId": s.id,
        "userId": s.user_id,
        "device": s.device_json(),
        "host": s.host,
        "ip": s.ip,
        "loginAt": data::iso(s.login_at),
    });
    if with_user {
        v["_user"] = user_json(st, &s.user_id);
    }
    if let Some(t) = current_token {
        v["current"] = json!(s.login_token.as_deref() == Some(t));
    }
    v
}

const SORT_KEYS: [&str; 6] = [
    "loginAt",
    "device.name",
    "device.os.name",
    "device.os.version",
    "_user.name",
    "_user.username",
];

fn sort_key(st: &Store, s: &SessionRec, key: &str) -> String {
    match key {
        "device.name" => s.device.name.clone(),
        "device.os.name" => s.device.os_name.clone(),
        "device.os.version" => s.device.os_version.clone(),
        "_user.name" => st
            .user(&s.user_id)
            .and_then(|u| u.name.clone())
            .unwrap_or_default(),
        "_user.username" => st
            .user(&s.user_id)
            .map(|u| u.username.clone())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn list(app: Shared, h: HeaderMap, raw: Option<String>, all: bool) -> Response {
    let mut st = app.lock();
    let g = Guard::device(all, "sessions/list.all", "sessions/list", PERM_VIEW);
    let caller = match guard(&app, &mut st, &h, g) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let q = match strict_query(raw.as_deref(), &["offset", "count", "filter", "sort"]) {
        Ok(q) => q,
        Err(r) => return caller.with_rate(r),
    };
    let num = |k: &str, d: usize| -> Result<usize, Response> {
        match param(&q, k) {
            None => Ok(d),
            Some(v) => v.parse::<usize>().map_err(|_| {
                fail(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "Invalid \"{k}\": must be a non-negative integer [error-invalid-params]"
                    ),
                )
            }),
        }
    };
    let offset = match num("offset", 0) {
        Ok(v) => v,
        Err(r) => return caller.with_rate(r),
    };
    let count = match num("count", 50) {
        Ok(v) => v,
        Err(r) => return caller.with_rate(r),
    };
    // Fault `failListOffset`: this page's upstream is sick; `failOwnList`:
    // every page of the caller's own list is.
    if st.faults.fail_list_offset == Some(offset as u64) || (!all && st.faults.fail_own_list) {
        return caller.with_rate(fail(
            StatusCode::BAD_GATEWAY,
            "upstream unavailable [error-bad-gateway]",
        ));
    }
    // Fault `churn`: sessions begin while the admin pages through the list.
    if all && offset > 0 && st.faults.churn > 0 {
        let n = st.faults.churn;
        st.begin_sessions(n);
    }
    let mut sort: Vec<(String, i64)> = vec![("loginAt".into(), -1)];
    if let Some(s) = param(&q, "sort") {
        let parsed: Result<serde_json::Map<String, Value>, _> = serde_json::from_str(s);
        let Ok(map) = parsed else {
            return caller.with_rate(fail(
                StatusCode::BAD_REQUEST,
                "Invalid sort parameter: not a JSON object [error-invalid-sort]",
            ));
        };
        let bad: Vec<&String> = map
            .keys()
            .filter(|k| !SORT_KEYS.contains(&k.as_str()))
            .collect();
        if !bad.is_empty() {
            return caller.with_rate(reply(
                StatusCode::BAD_REQUEST,
                json!({"success": false, "error": format!("Invalid sort parameter keys: {bad:?} [error-invalid-sort-keys]"), "errorType": "error-invalid-sort-keys"}),
            ));
        }
        sort = Vec::new();
        for (k, v) in map {
            match v.as_i64() {
                Some(d @ (1 | -1)) => sort.push((k, d)),
                _ => {
                    return caller.with_rate(fail(
                        StatusCode::BAD_REQUEST,
                        "Invalid sort parameter: use 1 or -1 [error-invalid-sort]",
                    ))
                }
            }
        }
    }
    let needle = param(&q, "filter").unwrap_or("").to_lowercase();
    let matching_users: std::collections::HashSet<&str> = if all && !needle.is_empty() {
        st.users
            .iter()
            .filter(|u| {
                contains_any_case(&u.username, &needle)
                    || contains_any_case(u.name.as_deref().unwrap_or(""), &needle)
            })
            .map(|u| u.id.as_str())
            .collect()
    } else {
        Default::default()
    };
    let default_order = sort == [("loginAt".to_string(), -1)];
    let current = (!all).then_some(caller.token.as_str());
    // One page of `rows` (out of `total`) as the answer.
    let answer = |rows: &mut dyn Iterator<Item = &SessionRec>, total: usize| {
        let page: Vec<Value> = rows
            .skip(offset)
            .take(count.min(UPPER_COUNT))
            .enumerate()
            .map(|(i, s)| {
                let mut row = item(&st, s, all, current);
                // Fault `brokenRows`: the list's first rows lose their IDs.
                if offset + i < st.faults.broken_rows {
                    if let Some(o) = row.as_object_mut() {
                        o.remove("sessionId");
                        o.remove("_id");
                    }
                }
                row
            })
            .collect();
        // Quirk kept on purpose: `count` echoes the requested page size.
        reply(
            StatusCode::OK,
            json!({ "sessions": page, "total": total, "count": count, "offset": offset, "success": true }),
        )
    };
    // The common case (all sessions, no filter, newest first) is a slice of
    // the stored order: no scan, no copy.
    if all && needle.is_empty() && default_order {
        return caller.with_rate(answer(&mut st.sessions.iter(), st.sessions.len()));
    }
    let mut rows: Vec<&SessionRec> = st
        .sessions
        .iter()
        .filter(|s| all || s.user_id == caller.user_id)
        .filter(|s| {
            needle.is_empty()
                || [
                    &s.device.name,
                    &s.device.kind,
                    &s.device.os_name,
                    &s.id,
                    &s.user_id,
                ]
                .iter()
                .any(|f| contains_any_case(f, &needle))
                || matching_users.contains(s.user_id.as_str())
        })
        .collect();
    // Stored newest first: only other orders need sorting.
    if !default_order {
        rows.sort_by(|a, b| {
            for (k, d) in &sort {
                let o = if k == "loginAt" {
                    a.login_at.cmp(&b.login_at)
                } else {
                    sort_key(&st, a, k).cmp(&sort_key(&st, b, k))
                };
                let o = if *d < 0 { o.reverse() } else { o };
                if o.is_ne() {
                    return o;
                }
            }
            a.id.cmp(&b.id)
        });
    }
    let total = rows.len();
    caller.with_rate(answer(&mut rows.into_iter(), total))
}

/// `hay` contains `needle` (lower-cased) in any case — as the real server's
/// case-insensitive regex does; without a lower-cased copy of every field
/// of every session per request (a filtered read of a million would take
/// seconds of this server's time, not the panel's).
fn contains_any_case(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(needle)
    }
}

async fn list_all(State(app): State<Shared>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    list(app, h, raw, true)
}

async fn list_own(State(app): State<Shared>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    list(app, h, raw, false)
}

fn info(app: Shared, h: HeaderMap, raw: Option<String>, admin: bool) -> Response {
    let mut st = app.lock();
    let g = Guard::device(admin, "sessions/info.admin", "sessions/info", PERM_VIEW);
    let caller = match guard(&app, &mut st, &h, g) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let q = match strict_query(raw.as_deref(), &["sessionId"]) {
        Ok(q) => q,
        Err(r) => return caller.with_rate(r),
    };
    let Some(id) = param(&q, "sessionId").filter(|s| !s.is_empty()) else {
        return caller.with_rate(fail(
            StatusCode::BAD_REQUEST,
            "The required \"sessionId\" query param is missing.",
        ));
    };
    let found = st
        .sessions
        .find(id, |s| admin || s.user_id == caller.user_id)
        .map(|at| &st.sessions[at]);
    let Some(s) = found else {
        return caller.with_rate(fail(StatusCode::NOT_FOUND, "Session not found"));
    };
    let body = if admin {
        let mut v = item(&st, s, true, None);
        v["success"] = json!(true);
        v
    } else {
        let roles = st
            .user(&s.user_id)
            .map(|u| u.roles.clone())
            .unwrap_or_default();
        let when = data::iso(s.login_at);
        json!({
            "_id": format!("{:024x}", s.login_at),
            "type": "session",
            "sessionId": s.id,
            "instanceId": s.instance_id,
            "loginToken": s.login_token.as_deref().map(twofactor::sha256_hex),
            "ip": s.ip,
            "host": s.host,
            "device": s.device_json(),
            "userId": s.user_id,
            "mostImportantRole": roles.first().cloned().unwrap_or_default(),
            "roles": roles,
            "loginAt": when,
            "day": when[8..10].parse::<u32>().unwrap_or(0),
            "month": when[5..7].parse::<u32>().unwrap_or(0),
            "year": when[0..4].parse::<u32>().unwrap_or(0),
            "searchTerm": format!("{}{}{}{}{}", s.device.name, s.device.kind, s.device.os_name, s.id, s.user_id),
            "createdAt": when,
            "_updatedAt": when,
            "success": true,
        })
    };
    caller.with_rate(reply(StatusCode::OK, body))
}

async fn info_admin(State(app): State<Shared>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    info(app, h, raw, true)
}

async fn info_own(State(app): State<Shared>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    info(app, h, raw, false)
}

fn logout(app: Shared, h: HeaderMap, raw: Option<String>, body: Bytes, admin: bool) -> Response {
    let mut st = app.lock();
    let g = Guard::device(admin, "sessions/logout", "sessions/logout.me", PERM_LOGOUT);
    let caller = match guard(&app, &mut st, &h, g) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if raw.as_deref().is_some_and(|r| !r.is_empty()) {
        return caller.with_rate(fail(
            StatusCode::BAD_REQUEST,
            "This endpoint takes no query parameters [error-invalid-params]",
        ));
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(id) = v
        .get("sessionId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(String::from)
    else {
        return caller.with_rate(fail(
            StatusCode::BAD_REQUEST,
            "Match error: Missing key 'sessionId' [error-invalid-params]",
        ));
    };
    st.stats.logout_calls.push(id.clone());
    let Some(pos) = st
        .sessions
        .find(&id, |s| admin || s.user_id == caller.user_id)
    else {
        return caller.with_rate(fail(StatusCode::NOT_FOUND, "Session not found"));
    };
    if st.inject_failure(&id) {
        return caller.with_rate(fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error [injected fault]",
        ));
    }
    if st.faults.ghost_ids.contains(&id) {
        // Fault `ghostIds`: the server says yes and keeps the session.
        return caller.with_rate(reply(
            StatusCode::OK,
            json!({ "sessionId": id, "success": true }),
        ));
    }
    let s = st.sessions.remove(pos);
    if let Some(t) = s.login_token {
        st.tokens.remove(&t);
    }
    caller.with_rate(reply(
        StatusCode::OK,
        json!({ "sessionId": id, "success": true }),
    ))
}

async fn logout_admin(
    State(app): State<Shared>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    logout(app, h, raw, body, true)
}

async fn logout_me(
    State(app): State<Shared>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    logout(app, h, raw, body, false)
}

/// `POST /api/v1/logout`: ends the calling token (and its session).
async fn logout_token(State(app): State<Shared>, h: HeaderMap) -> Response {
    let mut st = app.lock();
    let g = Guard::signed_in("logout");
    let caller = match guard(&app, &mut st, &h, g) {
        Ok(c) => c,
        Err(r) => return r,
    };
    st.tokens.remove(&caller.token);
    st.sessions
        .retain(|s| s.login_token.as_deref() != Some(caller.token.as_str()));
    caller.with_rate(reply(
        StatusCode::OK,
        json!({"status": "success", "data": {"message": "You've been logged out!"}}),
    ))
}

async fn me(State(app): State<Shared>, h: HeaderMap) -> Response {
    let mut st = app.lock();
    let g = Guard::signed_in("me");
    let caller = match guard(&app, &mut st, &h, g) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(u) = st.user(&caller.user_id) else {
        return unauthorized();
    };
    caller.with_rate(reply(
        StatusCode::OK,
        json!({
            "_id": u.id, "username": u.username, "name": u.name,
            "emails": [{ "address": u.email, "verified": true }],
            "status": "online", "active": true, "roles": u.roles, "success": true,
        }),
    ))
}

/// A crude User-Agent reading, enough to give a new session a device.
fn device_from_agent(ua: &str) -> Device {
    let (name, version) = ["Edg/", "Firefox/", "HeadlessChrome/", "Chrome/", "Safari/"]
        .iter()
        .find_map(|m| {
            ua.find(m).map(|i| {
                let v: String = ua[i + m.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect();
                (m.trim_end_matches('/').replace("Edg", "Edge"), v)
            })
        })
        .unwrap_or_else(|| ("Unknown".into(), String::new()));
    let os = if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS") {
        "Mac OS"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        "Unknown"
    };
    Device {
        kind: "browser".into(),
        name,
        long_version: version.clone(),
        version,
        os_name: os.into(),
        os_version: String::new(),
    }
}

async fn login(State(app): State<Shared>, h: HeaderMap, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let user_field = v
        .get("user")
        .or_else(|| v.get("username"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let password = v.get("password").and_then(Value::as_str).unwrap_or("");
    let code = v.get("code").and_then(Value::as_str);
    let mut st = app.lock();
    let now = now_ms();
    let Some(user) = st
        .users
        .iter()
        .find(|u| {
            (u.username == user_field || u.email == user_field)
                && u.password == password
                && password != "x"
        })
        .cloned()
    else {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"status": "error", "error": "Unauthorized", "message": "Unauthorized"}),
        );
    };
    // At login the password fallback is not used: only real 2FA methods.
    if !user.two_factor.is_empty() {
        let (method, outcome) = second_factor(&app, &mut st, &user, None, code, now);
        if let Some((error, message, details)) = refusal(outcome, &method) {
            return reply(
                StatusCode::UNAUTHORIZED,
                json!({"status": "error", "error": error, "message": message, "details": details}),
            );
        }
    }
    let token = format!("login-{:016x}{:016x}", st.rng.next(), st.rng.next());
    st.tokens.insert(token.clone(), user.id.clone());
    let session = SessionRec {
        id: st.rng.id(),
        user_id: user.id.clone(),
        device: device_from_agent(header(&h, "user-agent").unwrap_or("")),
        host: header(&h, "host").unwrap_or("127.0.0.1").to_string(),
        ip: "127.0.0.1".into(),
        login_at: now,
        login_token: Some(token.clone()),
        instance_id: "00000000-0000-4000-8000-00000000feed".into(),
    };
    st.sessions.push_front(session);
    reply(
        StatusCode::OK,
        json!({"status": "success", "data": {"userId": user.id, "authToken": token, "me": {"_id": user.id, "username": user.username, "name": user.name}}}),
    )
}

/// This API, as the server registers it (`build.rs`).
pub const API: crate::state::Api = crate::state::Api {
    name: "Rocket.Chat",
    prefixes: &["/api/v1/"],
    routes,
    secret_paths: &["/api/v1/login"],
    data: None,
    demo,
};

/// The demo banner's lines for Rocket.Chat.
fn demo(cfg: &crate::config::Config) -> String {
    use crate::data;
    let two_factor = match cfg.two_factor.first().map(String::as_str) {
        Some("password") => format!(
            "  Two-factor: the server asks for the admin's password ({}) on admin calls.",
            data::ADMIN_PASSWORD
        ),
        Some("email") => "  Two-factor: e-mailed codes are printed to this log.".to_string(),
        Some("totp") => format!(
            "  Two-factor: TOTP with secret {} (codes are also printed to this log).",
            data::TOTP_SECRET_B32
        ),
        _ => "  Two-factor: off.".to_string(),
    };
    format!(
        "Rocket.Chat:\n  Admin, personal access token:  User ID {}   Auth token {}\n  Admin, username + password:    {} / {}\n  Non-admin (own sessions only): {} / {}\n{two_factor}\n",
        data::ADMIN_ID,
        data::ADMIN_PAT,
        data::ADMIN_USERNAME,
        data::ADMIN_PASSWORD,
        data::USER_USERNAME,
        data::USER_PASSWORD
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_parsing() {
        let d = device_from_agent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36");
        assert_eq!(
            (d.name.as_str(), d.version.as_str(), d.os_name.as_str()),
            ("HeadlessChrome", "156.0.0.0", "Linux")
        );
    }
}
