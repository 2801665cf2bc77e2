//! sessiondeck's reference server: a strict stand-in for the session APIs the
//! panel speaks, for the demo and for every test. Binds 127.0.0.1 only.

// Handlers bail out with a ready axum `Response`; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

mod config;
mod data;
mod docspace;
mod henshin;
mod rocketchat;
mod selfservice;
mod state;
mod twofactor;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use config::Config;
use serde_json::{json, Value};
use state::{App, Shared};

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
    let app = App::new(cfg.clone());
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", cfg.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("refserver: cannot listen on 127.0.0.1:{}: {e}", cfg.port);
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().expect("bound socket has an address");
    banner(&cfg, addr.port());
    let router = router(app);
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
    println!(
        "Reference server for Rocket.Chat ({} sessions of about {} users), DocSpace, Henshin and self-service /auth/sessions (seed {}).",
        cfg.sessions,
        (cfg.sessions / 6).max(12),
        cfg.seed
    );
    println!("\nDemo credentials (Server URL: leave empty = this origin)");
    println!("Rocket.Chat:");
    println!(
        "  Admin, personal access token:  User ID {}   Auth token {}",
        data::ADMIN_ID,
        data::ADMIN_PAT
    );
    println!(
        "  Admin, username + password:    {} / {}",
        data::ADMIN_USERNAME,
        data::ADMIN_PASSWORD
    );
    println!(
        "  Non-admin (own sessions only): {} / {}",
        data::USER_USERNAME,
        data::USER_PASSWORD
    );
    match cfg.two_factor.first().map(String::as_str) {
        Some("password") => println!(
            "  Two-factor: the server asks for the admin's password ({}) on admin calls.",
            data::ADMIN_PASSWORD
        ),
        Some("email") => println!("  Two-factor: e-mailed codes are printed to this log."),
        Some("totp") => println!(
            "  Two-factor: TOTP with secret {} (codes are also printed to this log).",
            data::TOTP_SECRET_B32
        ),
        _ => println!("  Two-factor: off."),
    }
    println!(
        "DocSpace:      API key {}   (non-admin key: {})",
        docspace::ADMIN_KEY,
        docspace::USER_KEY
    );
    println!("Henshin:       Token {}", henshin::TOKEN);
    println!("Self-service:  Access token {}", selfservice::ADA_JWT);
    println!();
}

fn router(app: Shared) -> Router {
    let mut r = rocketchat::routes()
        .merge(docspace::routes())
        .merge(henshin::routes())
        .merge(selfservice::routes())
        .route("/__ref/stats", get(stats))
        .route("/__ref/remove", post(remove))
        .route("/__ref/faults", post(faults))
        .route("/__ref/expire-tokens", post(expire_tokens))
        .route("/config.json", get(config_json));
    if let Some(dir) = app.cfg.static_dir.clone() {
        let index = dir.join("index.html");
        r = r.fallback_service(
            tower_http::services::ServeDir::new(dir)
                .fallback(tower_http::services::ServeFile::new(index)),
        );
    }
    r.layer(middleware::from_fn_with_state(app.clone(), api_layer))
        .with_state(app)
}

/// Rocket.Chat's CORS headers (which do NOT allow X-2fa-Code), injected
/// latency, and a request count — for every /api call.
async fn api_layer(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_api = path.starts_with("/api/") || path.starts_with("/auth/");
    if !is_api {
        return next.run(req).await;
    }
    if app.cfg.cors && req.method() == Method::OPTIONS {
        let mut r = StatusCode::OK.into_response();
        cors(&mut r);
        return r;
    }
    let latency = {
        let mut st = app.lock();
        st.stats.requests += 1;
        st.faults.latency_ms
    };
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    let mut r = next.run(req).await;
    if app.cfg.cors {
        cors(&mut r);
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
            { "name": "Reference server — self-service (demo)", "backend": "selfservice", "serverUrl": "" }
        ]
    }))
    .into_response()
}

async fn stats(State(app): State<Shared>) -> Response {
    let st = app.lock();
    Json(json!({
        "requests": st.stats.requests,
        "logoutCalls": st.stats.logout_calls,
        "twoFactorRequired": st.stats.two_factor_required,
        "emailsSent": st.stats.emails_sent,
        "sessions": st.sessions.len(),
        "sessionIds": st.sessions.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        "docspaceIds": st.ds.conns.iter().map(|c| c.id.to_string()).collect::<Vec<_>>(),
        "henshinIds": st.hs.sessions.iter().map(|s| s.id.to_string()).collect::<Vec<_>>(),
        "selfServiceIds": st.ss.sessions.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// Test control: `{"failIds": [...], "failRate": 0.1, "latencyMs": 20}`.
async fn faults(State(app): State<Shared>, Json(v): Json<Value>) -> Response {
    let mut st = app.lock();
    if let Some(ids) = v.get("failIds").and_then(Value::as_array) {
        st.faults.fail_ids = ids
            .iter()
            .filter_map(|i| i.as_str().map(String::from))
            .collect();
    }
    if let Some(r) = v.get("failRate").and_then(Value::as_f64) {
        st.faults.fail_rate = r.clamp(0.0, 1.0);
    }
    if let Some(l) = v.get("latencyMs").and_then(Value::as_u64) {
        st.faults.latency_ms = l;
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
    st.ss.tokens.clear();
    Json(json!({ "ok": true })).into_response()
}
