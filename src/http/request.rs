//! What the backends build and the transport executes: requests, raw answers,
//! the second-factor challenge, and the one closed error type every screen shows.

use crate::json::Value;
use crate::list::percent_encode;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Where a second-factor code goes when the server asks for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCarrier {
    /// The endpoint never asks for a second factor.
    None,
    /// `X-2fa-Code` / `X-2fa-Method` headers (Rocket.Chat REST calls).
    Headers,
    /// A `code` field in the JSON body (Rocket.Chat `POST /login`).
    LoginBody,
}

/// A request as a backend describes it: no base URL, no auth headers.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    pub code_carrier: CodeCarrier,
    /// The permission this endpoint needs, named in a 403 message.
    pub permission: Option<&'static str>,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        ApiRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            code_carrier: CodeCarrier::None,
            permission: None,
        }
    }

    pub fn query(mut self, k: &str, v: impl Into<String>) -> Self {
        self.query.push((k.to_string(), v.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub fn carrier(mut self, c: CodeCarrier) -> Self {
        self.code_carrier = c;
        self
    }

    pub fn permission(mut self, p: &'static str) -> Self {
        self.permission = Some(p);
        self
    }

    /// Path plus encoded query string.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let qs: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        format!("{}?{}", self.path, qs.join("&"))
    }

    /// Full URL against `base` ("" = the panel's own origin).
    pub fn url(&self, base: &str) -> String {
        format!("{}{}", base.trim_end_matches('/'), self.path_and_query())
    }

    /// The request as it is sent with a second-factor code (or without one).
    pub fn with_code(&self, code: Option<&Code>) -> ApiRequest {
        let mut r = self.clone();
        let Some(code) = code else { return r };
        match self.code_carrier {
            CodeCarrier::None => {}
            CodeCarrier::Headers => {
                r.headers.push(("X-2fa-Code".into(), code.code.clone()));
                r.headers.push(("X-2fa-Method".into(), code.method.clone()));
            }
            CodeCarrier::LoginBody => {
                if let Some(Value::Object(map)) = r.body.as_mut() {
                    map.insert("code".into(), Value::String(code.code.clone()));
                }
            }
        }
        r
    }
}

/// A second-factor answer: the method and the code (for `password`, the
/// SHA-256 of the password, never the password itself).
#[derive(Clone, PartialEq, Eq)]
pub struct Code {
    pub method: String,
    pub code: String,
}

impl fmt::Debug for Code {
    // The code is a secret: keep it out of any debug output or log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code {{ method: {:?}, code: <redacted> }}", self.method)
    }
}

/// What the server said when it asked for a second factor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Challenge {
    /// The method the server asked for: `totp`, `email` or `password`.
    pub method: String,
    pub available: Vec<String>,
    pub code_generated: bool,
    pub email_or_username: Option<String>,
}

impl Challenge {
    /// Methods to offer: the one asked first, then the others the server lists.
    pub fn methods(&self) -> Vec<String> {
        let mut m = vec![self.method.clone()];
        for a in &self.available {
            if !m.contains(a) {
                m.push(a.clone());
            }
        }
        m.retain(|s| !s.is_empty());
        m
    }
}

/// A server's answer as the transport saw it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawResponse {
    pub status: u16,
    pub body: String,
    /// `X-RateLimit-Reset` (epoch milliseconds) when present.
    pub rate_limit_reset: Option<f64>,
}

impl RawResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Reads an `X-RateLimit-Reset` value: whole epoch milliseconds (a fraction
/// is dropped). Anything else is `None`. Integer parsing only, so the panel
/// carries no float parser.
pub fn parse_reset_header(v: &str) -> Option<f64> {
    let whole = v.trim().split('.').next()?;
    if whole.is_empty() || !whole.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    whole.parse::<u64>().ok().map(|ms| ms as f64)
}

/// Every way a call can fail, closed: each screen words them the same way.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// 401: the credentials are wrong, expired or revoked.
    Unauthorized { message: String },
    /// 403: a permission or a license is missing.
    Forbidden {
        what: ForbiddenWhat,
        message: String,
    },
    /// 404 or the backend's equivalent.
    NotFound { message: String },
    /// The server asks for a second factor (handled by the transport).
    TwoFactorRequired(Challenge),
    /// The code was wrong.
    TwoFactorInvalid { message: String },
    /// Too many wrong codes: the server refuses further attempts for a while.
    TwoFactorMaxAttempts { message: String },
    /// The admin closed the two-factor dialog.
    TwoFactorCancelled,
    /// 429 and we gave up waiting.
    RateLimited { message: String },
    /// Any other non-success status.
    Server { status: u16, message: String },
    /// The request never got an answer (offline, DNS, refused, or CORS).
    Network {
        url: String,
        cross_origin: bool,
        sent_two_factor: bool,
        /// No complete answer within the transport's time limit.
        timed_out: bool,
    },
    /// The answer was not what the API documents.
    BadResponse { status: u16, why: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForbiddenWhat {
    Permission(String),
    License(String),
    Unknown,
}

impl ApiError {
    /// True for errors after which sending more requests of a batch is pointless.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            ApiError::Unauthorized { .. }
                | ApiError::TwoFactorCancelled
                | ApiError::TwoFactorMaxAttempts { .. }
                | ApiError::Network { .. }
        )
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized { .. } => Some(401),
            ApiError::Forbidden { .. } => Some(403),
            ApiError::NotFound { .. } => Some(404),
            ApiError::TwoFactorRequired(_)
            | ApiError::TwoFactorInvalid { .. }
            | ApiError::TwoFactorMaxAttempts { .. } => Some(400),
            ApiError::RateLimited { .. } => Some(429),
            ApiError::Server { status, .. } | ApiError::BadResponse { status, .. } => {
                Some(*status).filter(|s| *s != 0)
            }
            ApiError::TwoFactorCancelled | ApiError::Network { .. } => None,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

impl fmt::Display for ApiError {
    /// "status reason: cause. What to do."
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unauthorized { message } => write!(
                f,
                "401 Unauthorized: the server says \u{201c}{message}\u{201d}. The token is wrong, expired or was revoked — sign in again."
            ),
            ApiError::Forbidden { what, message } => match what {
                ForbiddenWhat::Permission(p) => write!(
                    f,
                    "403 Forbidden: this account lacks the {p} permission (server: \u{201c}{message}\u{201d}). Ask a server administrator to grant it, or sign in with an account that has it."
                ),
                ForbiddenWhat::License(l) => write!(
                    f,
                    "403 Forbidden: the server has no {l} license (server: \u{201c}{message}\u{201d}). Device management needs it; it cannot be used from here until the license is installed."
                ),
                ForbiddenWhat::Unknown => write!(
                    f,
                    "403 Forbidden: the server refused this action (\u{201c}{message}\u{201d}). Check the account's permissions."
                ),
            },
            ApiError::NotFound { message } => write!(
                f,
                "404 Not Found: \u{201c}{message}\u{201d}. It may already be gone — refresh the list."
            ),
            ApiError::TwoFactorRequired(c) => write!(
                f,
                "400 Bad Request: the server asks for a second factor ({}). Verify in the two-factor dialog.",
                c.method
            ),
            ApiError::TwoFactorInvalid { message } => write!(
                f,
                "400 Bad Request: the two-factor code was not accepted (\u{201c}{message}\u{201d}). Check the code and try again."
            ),
            ApiError::TwoFactorMaxAttempts { message } => write!(
                f,
                "400 Bad Request: too many wrong two-factor codes (\u{201c}{message}\u{201d}). The server blocks further attempts for a while; wait, then try again."
            ),
            ApiError::TwoFactorCancelled => write!(
                f,
                "Cancelled: two-factor verification was cancelled, so nothing was done. Repeat the action to try again."
            ),
            ApiError::RateLimited { message } => write!(
                f,
                "429 Too Many Requests: the server's rate limit was hit (\u{201c}{message}\u{201d}). Wait a minute, then try again, or raise the server's rate limit."
            ),
            ApiError::Server { status, message } => {
                let r = reason(*status);
                let sep = if r.is_empty() { "" } else { " " };
                write!(
                    f,
                    "{status}{sep}{r}: the server says \u{201c}{message}\u{201d}. Try again; if it keeps failing, check the server's logs."
                )
            }
            ApiError::Network {
                url,
                cross_origin,
                sent_two_factor,
                timed_out,
            } => {
                write!(f, "Network error: no answer from {url}. ")?;
                if *timed_out {
                    write!(f, "The server did not answer within {} s: it may be overloaded or unreachable. Try again; if it keeps happening, check the server.", crate::http::transport::REQUEST_TIMEOUT_MS / 1000)
                } else if *cross_origin && *sent_two_factor {
                    write!(f, "The server is on another origin and its CORS rules do not allow the X-2fa-Code header, so two-factor codes cannot be sent from here. Serve sessiondeck from the server's own origin through a reverse proxy (README → Deploy).")
                } else if *cross_origin {
                    write!(f, "The server may be down, or it refused this cross-origin request (CORS). Check the Server URL, or serve sessiondeck from the server's own origin through a reverse proxy (README → Deploy).")
                } else {
                    write!(f, "Check that the server is running and reachable, then try again.")
                }
            }
            ApiError::BadResponse { status, why } => {
                let st = match (*status, reason(*status)) {
                    (0, _) => String::new(),
                    (s, "") => format!("{s}: "),
                    (s, r) => format!("{s} {r}: "),
                };
                write!(
                    f,
                    "{st}unexpected answer from the server ({why}). Is the Server URL pointing at the right API? Try again or check the server version."
                )
            }
        }
    }
}

/// Lower-case hex SHA-256: how Rocket.Chat wants a password sent as a 2FA code.
pub fn sha256_hex(input: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(input.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Keeps at most `max` characters of server text for a message.
pub fn clip(s: &str, max: usize) -> String {
    let t = s.trim();
    if t.chars().count() <= max {
        t.to_string()
    } else {
        let mut c: String = t.chars().take(max).collect();
        c.push('…');
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_header_is_whole_milliseconds() {
        assert_eq!(
            parse_reset_header(" 1700000000123 "),
            Some(1_700_000_000_123.0)
        );
        assert_eq!(
            parse_reset_header("1700000000123.9"),
            Some(1_700_000_000_123.0)
        );
        for bad in ["", "soon", "-5", "1e3", ".5"] {
            assert_eq!(parse_reset_header(bad), None, "{bad}");
        }
    }

    #[test]
    fn sha256_matches_known_vector() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_hex("abc"), sha256_hex("abc").to_lowercase());
    }

    #[test]
    fn url_encodes_query() {
        let r = ApiRequest::new(Method::Get, "/api/v1/sessions/list.all")
            .query("offset", "100")
            .query("sort", r#"{"loginAt":-1}"#);
        assert_eq!(
            r.url("https://chat.example/"),
            "https://chat.example/api/v1/sessions/list.all?offset=100&sort=%7B%22loginAt%22%3A-1%7D"
        );
        assert_eq!(r.url(""), r.path_and_query());
    }

    #[test]
    fn code_goes_where_the_endpoint_wants_it() {
        let code = Code {
            method: "password".into(),
            code: "abc".into(),
        };
        let h = ApiRequest::new(Method::Get, "/x").carrier(CodeCarrier::Headers);
        let sent = h.with_code(Some(&code));
        assert!(sent.headers.contains(&("X-2fa-Code".into(), "abc".into())));
        assert!(sent
            .headers
            .contains(&("X-2fa-Method".into(), "password".into())));
        assert_eq!(h.with_code(None).headers.len(), 0);

        let l = ApiRequest::new(Method::Post, "/login")
            .json(Value::object([
                ("user", "a".into()),
                ("password", "p".into()),
            ]))
            .carrier(CodeCarrier::LoginBody);
        let sent = l.with_code(Some(&code));
        assert_eq!(sent.body.unwrap()["code"].as_str(), Some("abc"));
        assert!(sent.headers.is_empty());

        let n = ApiRequest::new(Method::Get, "/y");
        assert_eq!(n.with_code(Some(&code)), n);
    }

    #[test]
    fn code_debug_never_shows_the_secret() {
        let code = Code {
            method: "password".into(),
            code: "supersecret".into(),
        };
        assert!(!format!("{code:?}").contains("supersecret"));
    }

    #[test]
    fn messages_name_status_cause_and_action() {
        let e = ApiError::Forbidden {
            what: ForbiddenWhat::Permission("view-device-management".into()),
            message: "nope".into(),
        };
        let s = e.to_string();
        assert!(s.starts_with("403 Forbidden"));
        assert!(s.contains("view-device-management permission"));
        let n = ApiError::Network {
            url: "https://x".into(),
            cross_origin: true,
            sent_two_factor: true,
            timed_out: false,
        }
        .to_string();
        assert!(n.contains("X-2fa-Code") && n.contains("README"));
        let t = ApiError::Network {
            url: "https://x".into(),
            cross_origin: false,
            sent_two_factor: false,
            timed_out: true,
        }
        .to_string();
        assert!(t.contains("did not answer within 30 s"), "{t}");
        let s = ApiError::Server {
            status: 502,
            message: "boom".into(),
        }
        .to_string();
        assert!(s.starts_with("502 Bad Gateway"));
    }

    #[test]
    fn challenge_methods_asked_first_unique() {
        let c = Challenge {
            method: "email".into(),
            available: vec!["totp".into(), "email".into()],
            ..Default::default()
        };
        assert_eq!(c.methods(), ["email", "totp"]);
    }

    #[test]
    fn clip_limits_length() {
        assert_eq!(clip("  abc  ", 5), "abc");
        assert_eq!(clip("abcdef", 3), "abc…");
    }
}
