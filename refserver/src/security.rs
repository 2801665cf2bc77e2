//! What keeps the demo server itself safe to run: requests must name this
//! server in their Host header (a web page elsewhere cannot reach it through
//! DNS rebinding), and with `--csp` every answer carries the panel's
//! Content-Security-Policy as the release build wrote it.

use crate::config::Config;
use crate::state::Shared;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The policy to send: `<static-dir>/csp.txt`. `None` without `--csp`.
pub fn policy(cfg: &Config) -> Result<Option<HeaderValue>, String> {
    if !cfg.csp {
        return Ok(None);
    }
    let dir = cfg
        .static_dir
        .as_ref()
        .ok_or("--csp needs --static-dir (the built panel and its csp.txt)")?;
    let path = dir.join("csp.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "--csp: cannot read {} ({e}); build the panel with bash .ci/build",
            path.display()
        )
    })?;
    HeaderValue::from_str(text.trim())
        .map(Some)
        .map_err(|_| format!("--csp: {} is not a header value", path.display()))
}

/// Whether `host` (a Host header) names this server: 127.0.0.1, localhost
/// or [::1] at `port`, or one of `allowed`.
pub fn host_allowed(host: &str, port: u16, allowed: &[String]) -> bool {
    let host = host.trim().to_ascii_lowercase();
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|h| host == format!("{h}:{port}"))
        || allowed.iter().any(|a| host == a.to_ascii_lowercase())
}

/// Refuses a foreign Host; adds the security headers to every answer.
pub async fn guard_layer(
    State((app, csp)): State<(Shared, Option<HeaderValue>)>,
    req: Request,
    next: Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !host_allowed(host, app.cfg.port, &app.cfg.allow_hosts) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "refserver answers only for http://127.0.0.1:{0}/ (or localhost:{0}); this request named {host:?}. Add --allow-host for a proxy's name.\n",
                app.cfg.port
            ),
        )
            .into_response();
    }
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    if let Some(p) = csp {
        h.insert(header::CONTENT_SECURITY_POLICY, p);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_server_by_name() {
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
        ] {
            assert!(host_allowed(ok, 8080, &[]), "{ok}");
        }
        for bad in [
            "",
            "127.0.0.1",
            "127.0.0.1:8081",
            "evil.example:8080",
            "127.0.0.1.evil.example:8080",
            "localhost",
        ] {
            assert!(!host_allowed(bad, 8080, &[]), "{bad}");
        }
        assert!(host_allowed(
            "panel.example",
            8080,
            &["panel.example".into()]
        ));
    }
}
