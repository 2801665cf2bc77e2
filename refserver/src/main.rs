//! sessiondeck's reference server: a strict stand-in for the session APIs the
//! panel speaks, for the demo and for every test. Binds 127.0.0.1 only.

// Handlers bail out with a ready axum `Response`; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

mod apis;
mod config;
mod data;
mod query;
mod security;
mod state;
mod twofactor;

use apis::selfservice;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use config::Config;
use serde_json::{json, Value};
use state::{App, Shared};
use std::sync::atomic::{AtomicUsize, Ordering};

#[tokio::main]
async fn main() {
    let cfg = match Config::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("refserver: {e}\n");
            }
            eprint!("{}", config::USAGE);
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    let mut cfg = cfg;
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", cfg.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("refserver: cannot listen on 127.0.0.1:{}: {e}", cfg.port);
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().expect("bound socket has an address");
    // The Host check compares with the port really bound (`--port 0`).
    cfg.port = addr.port();
    let csp = match security::policy(&cfg) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("refserver: {e}");
            std::process::exit(2);
        }
    };
    banner(&cfg, addr.port());
    let seeds: Vec<(state::Seed, data::Rng)> = apis::ALL
        .iter()
        .filter_map(|a| Some((a.data?, a.stream(cfg.seed))))
        .collect();
    let app = App::new(cfg, &seeds);
    let router = router(app, csp);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .expect("server error");
}

fn banner(cfg: &Config, port: u16) {
    let url = format!("http://127.0.0.1:{port}");
    // The first line is read by the tests: keep its shape.
    println!("LISTENING {url}");
    if let Some(dir) = &cfg.static_dir {
        println!(
            "\nsessiondeck demo: open {url}/ in a browser (panel served from {})",
            dir.display()
        );
    }
    let names: Vec<&str> = apis::ALL.iter().map(|a| a.name).collect();
    println!(
        "Reference server for {} (seed {}; Rocket.Chat: {} sessions of about {} users).",
        names.join(", "),
        cfg.seed,
        cfg.sessions,
        (cfg.sessions / 6).max(12),
    );
    println!("\nDemo credentials (Server URL: leave empty = this origin)");
    for api in apis::ALL {
        print!("{}", (api.demo)(cfg));
    }
    println!(
        "\nSeveral servers at once: sign in to one, then \"Add server\" for the others (or pick the\n\
         \"incident\" preset). {} has sessions on Rocket.Chat, DocSpace, Henshin and Keycloak:\n\
         find her under \"Everywhere\" (Person: grace), then tick her on each server under\n\
         \"People found\" — Keycloak's single sign-on too, or she signs straight back in.\n\
         Dana Ross and Dana Rossi show why: a name finds people, it never ends them.",
        data::DEMO_PERSON
    );
    println!();
}

fn router(app: Shared, csp: Option<HeaderValue>) -> Router {
    let mut r = apis::ALL
        .iter()
        .fold(Router::new(), |r, api| r.merge((api.routes)()))
        .route("/config.json", get(config_json));
    // Statistics and fault injection: only when the tests ask for them.
    r = if app.cfg.test_hooks {
        r.route("/__ref/stats", get(stats))
            .route("/__ref/remove", post(remove))
            .route("/__ref/faults", post(faults))
            .route("/__ref/expire-tokens", post(expire_tokens))
            .route("/__ref/add-sessions", post(add_sessions))
    } else {
        r.route("/__ref/{*rest}", axum::routing::any(hooks_off))
    };
    if let Some(dir) = app.cfg.static_dir.clone() {
        let index = dir.join("index.html");
        r = r.fallback_service(
            tower_http::services::ServeDir::new(dir)
                .fallback(tower_http::services::ServeFile::new(index)),
        );
    }
    r.layer(middleware::from_fn_with_state(app.clone(), api_layer))
        .layer(middleware::from_fn_with_state(
            (app.clone(), csp),
            security::guard_layer,
        ))
        .with_state(app)
}

/// Rocket.Chat's CORS headers (which do NOT allow X-2fa-Code), injected
/// latency, redirects and web pages, and a request count — for every API call.
async fn api_layer(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_api = apis::ALL.iter().any(|a| a.serves(path));
    if !is_api {
        return next.run(req).await;
    }
    if app.cfg.cors && req.method() == Method::OPTIONS {
        let mut r = StatusCode::OK.into_response();
        cors(&mut r);
        return r;
    }
    let _counted = InFlight::start();
    // An action of an API (not a read), and whether its body is a secret.
    let secret = apis::ALL.iter().any(|a| a.secret(path));
    // Faults that stand for a proxy's answer leave sign-ins alone.
    let action = req.method() != Method::GET && !secret;
    // The request log: an action's method, path and body, as received —
    // never one whose body is a password or a secret (a login, a token).
    let req = if action && req.method() != Method::OPTIONS {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .unwrap_or_default();
        let line = format!(
            "{} {} {}",
            parts.method,
            parts.uri.path(),
            String::from_utf8_lossy(&bytes)
        );
        app.lock().stats.actions.push(line.trim_end().to_string());
        Request::from_parts(parts, axum::body::Body::from(bytes))
    } else {
        req
    };
    let foreign = {
        let st = app.lock();
        st.faults
            .action_answer
            .clone()
            .filter(|a| action && req.uri().path().contains(&a.path))
    };
    let (latency, redirect, html, not_found_html, huge) = {
        let mut st = app.lock();
        st.stats.requests += 1;
        let get = req.method() == Method::GET;
        (
            st.faults.latency_ms,
            st.faults.redirect_to.clone(),
            st.faults.html_actions && action,
            st.faults.not_found_html && action,
            (get && st.faults.huge_body_mb > 0)
                .then_some((st.faults.huge_body_mb, st.faults.huge_body_length)),
        )
    };
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    let mut r = if let Some(to) = redirect {
        // As a misconfigured proxy would: elsewhere, same path.
        let target = format!(
            "{}{}",
            to.trim_end_matches('/'),
            req.uri().path_and_query().map_or("", |p| p.as_str())
        );
        let mut r = StatusCode::TEMPORARY_REDIRECT.into_response();
        if let Ok(v) = HeaderValue::from_str(&target) {
            r.headers_mut().insert("location", v);
        }
        r
    } else if let Some((mb, with_length)) = huge {
        huge_body(mb, with_length)
    } else if let Some(a) = foreign {
        // As something between the panel and the API would answer (after
        // the API did it, with `perform`: the answer lost on the way).
        if a.perform {
            let _ = next.run(req).await;
        }
        let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK);
        let mut r = (status, a.body).into_response();
        if !a.content_type.is_empty() {
            if let Ok(v) = HeaderValue::from_str(&a.content_type) {
                r.headers_mut().insert("content-type", v);
            }
        }
        r
    } else if not_found_html {
        // As a proxy in front of the API would: its own 404 page.
        app.lock().stats.html_answers += 1;
        (
            StatusCode::NOT_FOUND,
            [("content-type", "text/html; charset=utf-8")],
            "<!doctype html><html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>",
        )
            .into_response()
    } else if html {
        // As a proxy's sign-in page would: 200, a web page, nothing done.
        app.lock().stats.html_answers += 1;
        (
            [("content-type", "text/html; charset=utf-8")],
            "<!doctype html><html><head><title>Sign in</title></head><body><form method=post><input name=user><input name=password type=password></form></body></html>",
        )
            .into_response()
    } else {
        next.run(req).await
    };
    if app.cfg.cors {
        cors(&mut r);
    }
    r
}

/// Bytes of the huge-body fault the client has taken so far (a panel that
/// stops reading at its cap makes this stop short of the whole).
static HUGE_SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// API calls being answered now, and the most there ever were at once
/// (how many the panel — through whatever proxy — keeps in flight).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static PEAK_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Counts one API call in flight while it lives.
struct InFlight;

impl InFlight {
    fn start() -> InFlight {
        let now = IN_FLIGHT.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK_IN_FLIGHT.fetch_max(now, Ordering::SeqCst);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `mb` MB of blanks as a JSON answer, streamed in 64 KB chunks as the
/// client reads them — without a length, or (`with_length`) announced.
fn huge_body(mb: u64, with_length: bool) -> Response {
    use std::sync::atomic::Ordering;
    const CHUNK: &[u8] = &[b' '; 64 * 1024];
    HUGE_SENT.store(0, Ordering::SeqCst);
    let chunks = mb * 16;
    let body = axum::body::Body::from_stream(futures_util::stream::iter((0..chunks).map(|_| {
        HUGE_SENT.fetch_add(CHUNK.len() as u64, Ordering::SeqCst);
        Ok::<_, std::convert::Infallible>(axum::body::Bytes::from_static(CHUNK))
    })));
    let mut r = ([("content-type", "application/json")], body).into_response();
    if with_length {
        r.headers_mut()
            .insert("content-length", HeaderValue::from(mb * 1024 * 1024));
    }
    r
}

fn cors(r: &mut Response) {
    let h = r.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, PUT, DELETE, HEAD, PATCH"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static(
            "Origin, X-Requested-With, Content-Type, Accept, X-User-Id, X-Auth-Token, x-visitor-token, Authorization",
        ),
    );
}

async fn hooks_off() -> Response {
    (
        StatusCode::NOT_FOUND,
        "The test hooks are off: start refserver with --test-hooks (tests only).\n",
    )
        .into_response()
}

/// Presets for the panel's Connect screen when served from here.
async fn config_json(State(app): State<Shared>) -> Response {
    if let Some(dir) = &app.cfg.static_dir {
        if let Ok(text) = std::fs::read_to_string(dir.join("config.json")) {
            return ([("content-type", "application/json")], text).into_response();
        }
    }
    Json(json!({
        "presets": [
            { "name": "Reference server — Rocket.Chat (demo)", "backend": "rocketchat", "serverUrl": "" },
            { "name": "Reference server — DocSpace (demo)", "backend": "docspace", "serverUrl": "" },
            { "name": "Reference server — Henshin (demo)", "backend": "henshin", "serverUrl": "" },
            { "name": "Reference server — self-service (demo)", "backend": "selfservice", "serverUrl": "" },
            { "name": "Reference server — Keycloak (demo)", "backend": "keycloak", "serverUrl": "", "settings": { "realm": "demo" } },
            { "name": "Reference server — incident: Rocket.Chat, DocSpace, Henshin and Keycloak (demo)", "servers": [
                { "backend": "rocketchat", "serverUrl": "" },
                { "backend": "docspace", "serverUrl": "" },
                { "backend": "henshin", "serverUrl": "" },
                { "backend": "keycloak", "serverUrl": "", "settings": { "realm": "demo" } }
            ] }
        ]
    }))
    .into_response()
}

async fn stats(State(app): State<Shared>) -> Response {
    let st = app.lock();
    let mut out = json!({
        "requests": st.stats.requests,
        "logoutCalls": st.stats.logout_calls,
        "twoFactorRequired": st.stats.two_factor_required,
        "emailsSent": st.stats.emails_sent,
        "htmlAnswers": st.stats.html_answers,
        "actions": st.stats.actions,
        "hugeBytesSent": HUGE_SENT.load(Ordering::SeqCst),
        "peakInFlight": PEAK_IN_FLIGHT.load(Ordering::SeqCst),
        "loginTokens": st.tokens.keys().filter(|t| t.starts_with("login-")).count(),
        "sessions": st.sessions.len(),
        "sessionIds": st.sessions.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
    });
    if let Some(o) = out.as_object_mut() {
        for (key, ids) in st.api_session_ids() {
            o.insert(key.into(), json!(ids));
        }
        for (key, v) in st.api_stats() {
            o.insert(key.into(), v);
        }
    }
    Json(out).into_response()
}

fn strings(v: &Value, key: &str) -> Option<Vec<String>> {
    v.get(key).and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|i| i.as_str().map(String::from))
            .collect()
    })
}

/// Test control: `{"failIds": [...], "failRate": 0.1, "latencyMs": 20,
/// "redirectTo": "http://127.0.0.1:9" | null, "htmlActions": true,
/// "churn": 5, "henshinVanish": [guid], "ghostIds": [id], "brokenRows": 2,
/// "hugeBodyMb": 40, "hugeBodyLength": false, "notFoundHtml": true,
/// "failListOffset": 600 | null, "failOwnList": true, "forget2fa": true,
/// "resetPeak": true,
/// "actionAnswer": {"status": 404, "body": "default backend - 404",
/// "contentType": "text/plain", "path": "/logout", "perform": false} | null,
/// "explodeRows": 3}` (`resetPeak` starts the stats' `peakInFlight` over,
/// for a measure of its own).
async fn faults(State(app): State<Shared>, Json(v): Json<Value>) -> Response {
    if v.get("resetPeak").and_then(Value::as_bool) == Some(true) {
        PEAK_IN_FLIGHT.store(IN_FLIGHT.load(Ordering::SeqCst), Ordering::SeqCst);
    }
    let mut st = app.lock();
    if let Some(ids) = strings(&v, "failIds") {
        st.faults.fail_ids = ids.into_iter().collect();
    }
    if let Some(r) = v.get("failRate").and_then(Value::as_f64) {
        st.faults.fail_rate = r.clamp(0.0, 1.0);
    }
    if let Some(l) = v.get("latencyMs").and_then(Value::as_u64) {
        st.faults.latency_ms = l;
    }
    if let Some(to) = v.get("redirectTo") {
        st.faults.redirect_to = to.as_str().map(String::from);
    }
    if let Some(h) = v.get("htmlActions").and_then(Value::as_bool) {
        st.faults.html_actions = h;
    }
    if let Some(c) = v.get("churn").and_then(Value::as_u64) {
        st.faults.churn = c as usize;
    }
    if let Some(g) = strings(&v, "henshinVanish") {
        st.faults.henshin_vanish = g;
    }
    if let Some(g) = strings(&v, "ghostIds") {
        st.faults.ghost_ids = g.into_iter().collect();
    }
    if let Some(n) = v.get("brokenRows").and_then(Value::as_u64) {
        st.faults.broken_rows = n as usize;
    }
    // One-shot: every passed 2FA check is forgotten (the next call asks).
    if v.get("forget2fa").and_then(Value::as_bool) == Some(true) {
        st.remembered.clear();
    }
    if let Some(n) = v.get("hugeBodyMb").and_then(Value::as_u64) {
        st.faults.huge_body_mb = n;
    }
    if let Some(b) = v.get("hugeBodyLength").and_then(Value::as_bool) {
        st.faults.huge_body_length = b;
    }
    if let Some(b) = v.get("notFoundHtml").and_then(Value::as_bool) {
        st.faults.not_found_html = b;
    }
    if let Some(o) = v.get("failListOffset") {
        st.faults.fail_list_offset = o.as_u64();
    }
    if let Some(b) = v.get("failOwnList").and_then(Value::as_bool) {
        st.faults.fail_own_list = b;
    }
    if let Some(a) = v.get("actionAnswer") {
        let text = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        st.faults.action_answer = a.is_object().then(|| state::ActionAnswer {
            status: a.get("status").and_then(Value::as_u64).unwrap_or(200) as u16,
            body: text("body"),
            content_type: text("contentType"),
            path: text("path"),
            perform: a.get("perform").and_then(Value::as_bool) == Some(true),
        });
    }
    if let Some(n) = v.get("explodeRows").and_then(Value::as_u64) {
        st.faults.explode_rows = n as usize;
    }
    Json(json!({ "ok": true })).into_response()
}

/// Test control: `{"rocketChat": n}` begins n Rocket.Chat sessions now (their
/// IDs are answered); `{"selfService": [ids]}` adds sessions of ada with exactly
/// these IDs (hostile ones included, as a broken server might send).
async fn add_sessions(State(app): State<Shared>, Json(v): Json<Value>) -> Response {
    let ids = strings(&v, "selfService").unwrap_or_default();
    let mut st = app.lock();
    if let Some(n) = v.get("rocketChat").and_then(Value::as_u64) {
        let added = st.begin_sessions(n.min(10_000) as usize);
        return Json(json!({ "ok": true, "ids": added })).into_response();
    }
    let Some(model) = st
        .api_mut::<selfservice::SelfService>()
        .sessions
        .iter()
        .find(|s| s.owner == "ada")
        .cloned()
    else {
        return StatusCode::CONFLICT.into_response();
    };
    for id in ids {
        st.api_mut::<selfservice::SelfService>()
            .sessions
            .push(selfservice::SSession {
                id,
                ..model.clone()
            });
    }
    Json(json!({ "ok": true })).into_response()
}

/// Test control: `{"ids": [...]}` disappear server-side (as if another admin
/// revoked them), whatever their kind.
async fn remove(State(app): State<Shared>, Json(v): Json<Value>) -> Response {
    let ids: Vec<String> = v
        .get("ids")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|i| i.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    app.lock().remove_anywhere(&ids);
    Json(json!({ "ok": true })).into_response()
}

/// Test control: every token stops working (the next call answers 401).
async fn expire_tokens(State(app): State<Shared>) -> Response {
    let mut st = app.lock();
    st.tokens.clear();
    st.expire_api_tokens();
    Json(json!({ "ok": true })).into_response()
}
