//! What the backends build and the transport executes: requests, raw answers,
//! the second-factor challenge, and the one closed error type every screen shows.

use crate::json::Value;
use crate::url::{origin_of, percent_encode};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

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

/// A request with no complete answer after this long fails as a network error.
pub const REQUEST_TIMEOUT_MS: u32 = 30_000;
/// The largest answer read (bytes). A session list of 100 000 rows is
/// about 40 MB in the most verbose API; anything larger is not read into
/// memory at all ([`ApiError::TooLarge`]).
pub const MAX_BODY_BYTES: u64 = 32 * 1024 * 1024;

/// Where a second-factor code goes when the server asks for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCarrier {
    /// The endpoint never asks for a second factor.
    None,
    /// Two headers, named by the backend: the code and its method.
    Headers {
        code: &'static str,
        method: &'static str,
    },
    /// A field of the JSON body, named by the backend (a login call).
    BodyField(&'static str),
}

impl CodeCarrier {
    /// The header a code travels in, if it travels in one (a browser on
    /// another origin may refuse to send it: CORS).
    pub fn header(&self) -> Option<&'static str> {
        match self {
            CodeCarrier::Headers { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Lets whoever asked for requests give up on them (the screen that wanted
/// them went away, or a newer load replaced them): the transport sends
/// nothing more that carries it, and the browser aborts those in flight.
#[derive(Clone, Default)]
pub struct Cancel(Rc<RefCell<CancelState>>);

#[derive(Default)]
struct CancelState {
    cancelled: bool,
    on_cancel: Vec<Box<dyn FnOnce()>>,
}

impl Cancel {
    pub fn cancel(&self) {
        let hooks = {
            let mut s = self.0.borrow_mut();
            if s.cancelled {
                return;
            }
            s.cancelled = true;
            std::mem::take(&mut s.on_cancel)
        };
        for f in hooks {
            f();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.borrow().cancelled
    }

    /// Runs `f` when this is cancelled (at once if it already is).
    pub fn on_cancel(&self, f: impl FnOnce() + 'static) {
        if self.is_cancelled() {
            f();
        } else {
            self.0.borrow_mut().on_cancel.push(Box::new(f));
        }
    }
}

impl fmt::Debug for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cancel({})", self.is_cancelled())
    }
}

/// The same handle, not an equal state.
impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A request as a backend describes it: no base URL, no auth headers.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
    pub code_carrier: CodeCarrier,
    /// The permission this endpoint needs, named in a 403 message.
    pub permission: Option<&'static str>,
    /// Who may give up on it.
    pub cancel: Option<Cancel>,
    /// Sent once more when the connection is lost before its answer (see
    /// [`ApiRequest::resend_if_lost`]).
    pub resend_if_lost: bool,
    /// The Stop of the batch it belongs to: once pressed, it is not sent
    /// (nor sent again after a rate-limit wait, which ends at once); one
    /// already in flight is left to finish (see [`ApiRequest::stop_with`]).
    pub stop: Option<Cancel>,
    /// A 401 to it is an answer the caller reads, not a credential to
    /// renew or a connection to close: after "revoke all sessions", the
    /// check that the panel's own token stopped working.
    pub unauthorized_is_answer: bool,
    /// The largest answer read for it (at most [`MAX_BODY_BYTES`]): a load
    /// with many requests in flight gives each a share of its budget.
    pub max_body: Option<u64>,
}

/// What a request carries: JSON (every session API), or a form
/// (`application/x-www-form-urlencoded`, as OAuth token endpoints take).
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Json(Value<'static>),
    Form(Vec<(String, String)>),
}

impl Body {
    pub fn content_type(&self) -> &'static str {
        match self {
            Body::Json(_) => "application/json",
            Body::Form(_) => "application/x-www-form-urlencoded",
        }
    }
}

/// The body as sent.
impl std::fmt::Display for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Json(v) => write!(f, "{v}"),
            Body::Form(pairs) => {
                let encoded: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                    .collect();
                f.write_str(&encoded.join("&"))
            }
        }
    }
}

/// A JSON body's field (`Null` for a form, or a field it lacks).
impl std::ops::Index<&str> for Body {
    type Output = Value<'static>;
    fn index(&self, key: &str) -> &Value<'static> {
        static NULL: Value = Value::Null;
        match self {
            Body::Json(v) => &v[key],
            Body::Form(_) => &NULL,
        }
    }
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
            cancel: None,
            resend_if_lost: false,
            stop: None,
            unauthorized_is_answer: false,
            max_body: None,
        }
    }

    /// Reads at most `bytes` of its answer (never more than [`MAX_BODY_BYTES`]).
    pub fn max_body(mut self, bytes: u64) -> Self {
        self.max_body = Some(bytes.min(MAX_BODY_BYTES));
        self
    }

    /// The most bytes of its answer that are read.
    pub fn body_cap(&self) -> u64 {
        self.max_body.unwrap_or(MAX_BODY_BYTES).min(MAX_BODY_BYTES)
    }

    /// Belongs to a batch whose Stop is `stop` (see [`ApiRequest::stop`]).
    /// Unlike [`ApiRequest::cancel_with`] nothing in flight is aborted: a
    /// revoke already sent may have ended its session, and its answer says.
    pub fn stop_with(mut self, stop: &Cancel) -> Self {
        self.stop = Some(stop.clone());
        self
    }

    /// Whether its batch was stopped: it must not be sent (again).
    pub fn is_stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(Cancel::is_cancelled)
    }

    /// A 401 is an answer here (see [`ApiRequest::unauthorized_is_answer`]).
    pub fn expecting_unauthorized(mut self) -> Self {
        self.unauthorized_is_answer = true;
        self
    }

    /// Marks a request that only ends sessions, so that sending it twice
    /// does no harm: when the connection is lost before its answer — a
    /// proxy closing a connection that carried many requests (nginx's
    /// default closes one after 1,000) fails the ones in flight with a bare
    /// "Failed to fetch" — it is sent once more rather than reported failed
    /// and, a lost connection being fatal to a batch, halting the rest.
    /// A second send of what the first had already ended answers "already
    /// gone". Never for a sign-in or a code request (each makes something).
    pub fn resend_if_lost(mut self) -> Self {
        self.resend_if_lost = true;
        self
    }

    /// Gives up on this request when `c` is cancelled.
    pub fn cancel_with(mut self, c: &Cancel) -> Self {
        self.cancel = Some(c.clone());
        self
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(Cancel::is_cancelled)
    }

    pub fn query(mut self, k: &str, v: impl Into<String>) -> Self {
        self.query.push((k.to_string(), v.into()));
        self
    }

    pub fn json(mut self, body: Value<'static>) -> Self {
        self.body = Some(Body::Json(body));
        self
    }

    /// A form-encoded body (`k=v&…`), e.g. an OAuth token request.
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        self.body = Some(Body::Form(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ));
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

    /// The path with each `{key}` filled in from `settings` (a connection's
    /// per-connection values, e.g. a realm), each value percent-encoded so
    /// it stays one path segment. A backend whose paths need a setting
    /// writes them with `{key}`; no other braces are touched.
    pub fn with_settings(mut self, settings: &[(String, String)]) -> Self {
        for (k, v) in settings {
            let slot = format!("{{{k}}}");
            if self.path.contains(&slot) {
                // "." and ".." would be path steps even encoded this far.
                let segment = match v.as_str() {
                    "." | ".." => v.replace('.', "%2E"),
                    _ => percent_encode(v),
                };
                self.path = self.path.replace(&slot, &segment);
            }
        }
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
            CodeCarrier::Headers {
                code: code_header,
                method,
            } => {
                r.headers.push((code_header.into(), code.code.clone()));
                r.headers.push((method.into(), code.method.clone()));
            }
            CodeCarrier::BodyField(field) => {
                if let Some(Body::Json(Value::Object(map))) = r.body.as_mut() {
                    map.insert(field.to_string(), Value::from(code.code.clone()));
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
    /// `Retry-After`, as sent, when present.
    pub retry_after: Option<String>,
    /// `X-RateLimit-Reset`, as sent, when present.
    pub rate_limit_reset: Option<String>,
    /// The protocol it came over (Resource Timing's `nextHopProtocol`:
    /// "http/1.1", "h2", "h3"), when the browser says.
    pub protocol: Option<String>,
}

impl RawResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Whether the body is a web page rather than an API answer (a sign-in
    /// page or a proxy's error page served with 200).
    pub fn is_html(&self) -> bool {
        looks_like_html(&self.body)
    }

    /// When the rate limit this answer reports ends, in epoch milliseconds:
    /// the later of `Retry-After`, `X-RateLimit-Reset` and a "wait N seconds"
    /// in the message. `None` when none of them can be read.
    pub fn rate_limit_until(&self, now_ms: f64) -> Option<f64> {
        let retry = self
            .retry_after
            .as_deref()
            .and_then(|v| retry_after_until(v, now_ms));
        let reset = self
            .rate_limit_reset
            .as_deref()
            .and_then(|v| reset_until(v, now_ms));
        let said = wait_in_message(&self.body).map(|s| now_ms + s as f64 * 1000.0);
        [retry, reset, said].into_iter().flatten().reduce(f64::max)
    }
}

#[cfg(test)]
impl RawResponse {
    /// An answer with this status and body, for tests.
    pub fn of(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            body: body.into(),
            ..Default::default()
        }
    }
}

/// Whether a body is markup (a sign-in page, a proxy's error page) rather
/// than JSON: no JSON text starts with `<`.
pub fn looks_like_html(body: &str) -> bool {
    body.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
        .starts_with('<')
}

/// A whole number of a header, its fraction dropped; integer parsing only,
/// so the panel carries no float parser.
fn header_number(v: &str) -> Option<u64> {
    let whole = v.trim().split('.').next()?;
    if whole.is_empty() || whole.len() > 19 || !whole.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    whole.parse().ok()
}

/// `X-RateLimit-Reset`: an epoch, in milliseconds (Rocket.Chat, ≥ 10^12)
/// or in seconds (≥ 10^9). Anything else is not an epoch and is not read:
/// a guess could shorten a wait the server asked for.
pub fn reset_until(v: &str, _now_ms: f64) -> Option<f64> {
    let n = header_number(v)?;
    if n >= 1_000_000_000_000 {
        Some(n as f64)
    } else if (1_000_000_000..100_000_000_000).contains(&n) {
        Some(n as f64 * 1000.0)
    } else {
        None
    }
}

/// `Retry-After` (RFC 9110): whole seconds to wait, or an HTTP date.
pub fn retry_after_until(v: &str, now_ms: f64) -> Option<f64> {
    let t = v.trim();
    if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) {
        let secs: u64 = t.parse().ok()?;
        return Some(now_ms + secs as f64 * 1000.0);
    }
    crate::time::parse_http_date(t)
}

/// "… wait 9 seconds …" in a 429 message (Rocket.Chat's wording).
fn wait_in_message(body: &str) -> Option<u64> {
    let lower = body.to_ascii_lowercase();
    let at = lower.find("wait ")? + 5;
    let digits: String = lower[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let n: u64 = digits.parse().ok().filter(|n| *n <= 86_400)?;
    lower[at + digits.len()..]
        .trim_start()
        .starts_with("second")
        .then_some(n)
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
    /// 429 and we gave up waiting. `wait_secs`: what the server asked for,
    /// when it said.
    RateLimited {
        message: String,
        wait_secs: Option<u64>,
    },
    /// Any other non-success status.
    Server { status: u16, message: String },
    /// The request never got an answer.
    Network { url: String, cause: NetCause },
    /// A 3xx: the browser was told not to follow it, so no credential went
    /// anywhere else.
    Redirected { url: String },
    /// A web page, not the API's answer: a 2xx sign-in page, or a proxy's
    /// 404 / 5xx page. Never "already gone", never "done".
    HtmlPage { status: u16 },
    /// The server answered, in its API's own words, that it did not do it
    /// (DocSpace's `false`): `said` is one sentence with one instruction.
    NotDone { status: u16, said: String },
    /// An answer `api` ("Rocket.Chat's API") never sends where this one
    /// came: an empty body, plain
    /// text (ingress-nginx's "default backend - 404", Traefik's "404 page not
    /// found"), a gateway's JSON — from something between the panel and
    /// the API. Never "already gone", never "done". `seen`: what it was
    /// ([`foreign_shape`]).
    NotFromApi {
        status: u16,
        api: &'static str,
        seen: String,
    },
    /// Not sent: the admin pressed Stop on the batch it belonged to (its
    /// rate-limit wait, if it was waiting, ended at once).
    BatchStopped,
    /// An answer larger than the panel reads (`limit` bytes): refused
    /// before it was read into memory.
    TooLarge { url: String, limit: u64 },
    /// One step of a long load failed (after its retries): which one, and why.
    LoadStep { at: String, cause: Box<ApiError> },
    /// The admin pressed Stop while a rate limit was being waited out.
    RateWaitStopped,
    /// The answer was not what the API documents.
    BadResponse { status: u16, why: String },
    /// Refused before sending: this ID could reach more than one session.
    UnsafeId { id: String, why: &'static str },
    /// Not sent: the connection it belonged to was signed out.
    SignedOut,
    /// Given up: the screen that asked for it went away or asked again.
    Cancelled,
}

/// Why a request got no answer, as far as a browser can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetCause {
    /// Down, refused, offline, DNS.
    Unreachable,
    /// Another origin: down, or its CORS rules refused the request.
    CrossOrigin,
    /// Another origin, and the request carried a code in this header,
    /// which the server's CORS rules may not allow (Rocket.Chat's do not).
    CrossOriginTwoFactor(&'static str),
    /// An `https://` page calling an `http://` server: the browser blocks it.
    MixedContent,
    /// No complete answer within the transport's time limit.
    Timeout,
    /// The page's Content-Security-Policy (`connect-src`) does not allow
    /// the server: the browser did not send the request.
    BlockedByPolicy,
}

/// What the browser leaves visible about a request that got no answer,
/// besides the page's and the request's URLs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clues {
    /// It carried a second-factor code in this header.
    pub sent_two_factor: Option<&'static str>,
    /// The transport's time limit fired.
    pub timed_out: bool,
    /// The page's CSP reported blocking a connection to its origin.
    pub blocked_by_policy: bool,
}

impl NetCause {
    /// Tells the causes apart from the page's URL, the request's URL and
    /// the [`Clues`].
    pub fn of(page_url: &str, url: &str, clues: Clues) -> NetCause {
        let scheme = |u: &str| u.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        if clues.blocked_by_policy {
            NetCause::BlockedByPolicy
        } else if clues.timed_out {
            NetCause::Timeout
        } else if scheme(page_url).as_deref() == Some("https")
            && scheme(url).as_deref() == Some("http")
        {
            NetCause::MixedContent
        } else if url.contains("://") && origin_of(url) != origin_of(page_url) {
            if let Some(header) = clues.sent_two_factor {
                NetCause::CrossOriginTwoFactor(header)
            } else {
                NetCause::CrossOrigin
            }
        } else {
            NetCause::Unreachable
        }
    }
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
                | ApiError::Redirected { .. }
                | ApiError::SignedOut
                | ApiError::Cancelled
                | ApiError::RateWaitStopped
                | ApiError::BatchStopped
        ) || matches!(self, ApiError::LoadStep { cause, .. } if cause.is_fatal())
    }

    /// Whether only the admin can mend it (credentials, a right, a second
    /// factor they declined, a wait they stopped): nothing should ask again
    /// on its own — auto-refresh pauses.
    pub fn needs_the_admin(&self) -> bool {
        match self {
            ApiError::Unauthorized { .. }
            | ApiError::Forbidden { .. }
            | ApiError::TwoFactorCancelled
            | ApiError::TwoFactorMaxAttempts { .. }
            | ApiError::RateWaitStopped => true,
            ApiError::LoadStep { cause, .. } => cause.needs_the_admin(),
            _ => false,
        }
    }

    /// Whether sending the same request again could end differently. An ID
    /// the panel refuses is refused again: "Retry failed" leaves it out.
    pub fn retry_can_help(&self) -> bool {
        !matches!(self, ApiError::UnsafeId { .. })
    }

    /// A failure a second try may cure: a 5xx, a time-out, a server that
    /// did not answer (never a 4xx: the same request gets the same answer).
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Server { status, .. }
            | ApiError::HtmlPage { status }
            | ApiError::NotFromApi { status, .. } => (500..600).contains(status) && *status != 501,
            ApiError::Network { cause, .. } => {
                matches!(cause, NetCause::Timeout | NetCause::Unreachable)
            }
            _ => false,
        }
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
            ApiError::Server { status, .. }
            | ApiError::BadResponse { status, .. }
            | ApiError::NotDone { status, .. }
            | ApiError::NotFromApi { status, .. }
            | ApiError::HtmlPage { status } => Some(*status).filter(|s| *s != 0),
            ApiError::LoadStep { cause, .. } => cause.status(),
            ApiError::TwoFactorCancelled
            | ApiError::Network { .. }
            | ApiError::Redirected { .. }
            | ApiError::UnsafeId { .. }
            | ApiError::SignedOut
            | ApiError::TooLarge { .. }
            | ApiError::RateWaitStopped
            | ApiError::BatchStopped
            | ApiError::Cancelled => None,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
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

/// "200 OK: ", "299: " or "" (no status).
fn status_prefix(status: u16) -> String {
    match (status, reason(status)) {
        (0, _) => String::new(),
        (s, "") => format!("{s}: "),
        (s, r) => format!("{s} {r}: "),
    }
}

/// "45 s", "3 min", "2 h".
fn duration_words(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min", secs.div_ceil(60)),
        _ => format!("{} h", secs.div_ceil(3600)),
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
            ApiError::RateLimited { message, wait_secs } => {
                write!(
                    f,
                    "429 Too Many Requests: the server's rate limit was hit (\u{201c}{message}\u{201d}). "
                )?;
                match wait_secs {
                    Some(s) => write!(
                        f,
                        "It asks to wait {}: try again after that, or raise the server's rate limit.",
                        duration_words(*s)
                    ),
                    None => write!(
                        f,
                        "Wait a minute, then try again, or raise the server's rate limit."
                    ),
                }
            }
            ApiError::Server { status, message } => write!(
                f,
                "{}the server says \u{201c}{message}\u{201d}. Try again; if it keeps failing, check the server's logs.",
                status_prefix(*status)
            ),
            ApiError::Network { url, cause } => {
                write!(f, "Network error: no answer from {url}. ")?;
                match cause {
                    NetCause::Timeout => write!(f, "The server did not answer within {} s: it may be overloaded or unreachable. Try again; if it keeps happening, check the server.", REQUEST_TIMEOUT_MS / 1000),
                    NetCause::MixedContent => write!(f, "Mixed content: this panel is served over https:// and the browser blocks its calls to an http:// server. Use the server's https:// address."),
                    NetCause::CrossOriginTwoFactor(header) => write!(f, "The server is on another origin and its CORS rules do not allow the {header} header, so two-factor codes cannot be sent from here. Serve sessiondeck from the server's own origin through a reverse proxy (README → Deploy)."),
                    NetCause::CrossOrigin => write!(f, "The server may be down, or it refused this cross-origin request (CORS). Check the Server URL, or serve sessiondeck from the server's own origin through a reverse proxy (README → Deploy)."),
                    NetCause::Unreachable => write!(f, "Check that the server is running and reachable, then try again."),
                    NetCause::BlockedByPolicy => write!(f, "This page's Content-Security-Policy does not allow connections to {} (connect-src), so the browser did not send the request. Use an address it allows (for this machine: localhost or 127.0.0.1), or ask whoever deployed sessiondeck to add the server's origin to connect-src (README → Deploy).", origin_of(url)),
                }
            }
            ApiError::Redirected { url } => write!(
                f,
                "3xx Redirect: {url} answered with a redirect. sessiondeck does not follow redirects, so the credentials were not sent anywhere else and nothing was done. Set the Server URL to the address the API really answers on (often https://, or without a trailing path)."
            ),
            ApiError::HtmlPage { status } => write!(
                f,
                "{}the server answered with a web page, not the API's answer (a sign-in page or a proxy's error page?). Nothing was confirmed, so count it as not done: check the Server URL and the proxy, then refresh and try again.",
                status_prefix(*status)
            ),
            ApiError::NotDone { status, said } => write!(f, "{}{said}", status_prefix(*status)),
            ApiError::NotFromApi { status, api, seen } => write!(
                f,
                "{}this answer did not come from {api} but from something in between (a proxy, gateway or load balancer?): {seen}. Nothing was confirmed, so it counts as not done: check the Server URL and the proxy, then refresh to see what the server lists.",
                status_prefix(*status)
            ),
            ApiError::BatchStopped => write!(
                f,
                "Not sent: you stopped the batch."
            ),
            ApiError::TooLarge { url, limit } => write!(
                f,
                "Answer too large: {url} sent more than {} MB, so sessiondeck stopped reading it and did nothing with it. Is the Server URL pointing at the right API? If the list really is this large, narrow it on the server.",
                limit / (1024 * 1024)
            ),
            ApiError::LoadStep { at, cause } => write!(f, "Could not load {at}: {cause}"),
            ApiError::RateWaitStopped => write!(
                f,
                "Stopped: you stopped waiting for the server's rate limit, so this was not sent. Try again once the limit has reset."
            ),
            ApiError::BadResponse { status, why } => write!(
                f,
                "{}unexpected answer from the server ({why}). Is the Server URL pointing at the right API? Try again or check the server version.",
                status_prefix(*status)
            ),
            ApiError::UnsafeId { id, why } => write!(
                f,
                "Not sent: the ID \u{201c}{}\u{201d} {why}, so a request with it could reach more than this one session. Nothing was revoked. Refresh the list; if the ID stays, end that session on the server itself.",
                clip(id, 80)
            ),
            ApiError::SignedOut => write!(
                f,
                "Not sent: the connection this request belonged to was signed out. Sign in again to continue."
            ),
            ApiError::Cancelled => write!(
                f,
                "Stopped: the screen that asked for this was closed or reloaded. Nothing more was sent for it."
            ),
        }
    }
}

/// What an answer that is not the API's looked like, for
/// [`ApiError::NotFromApi`]: "an empty answer", "a web page", "plain text
/// (“default backend - 404”)", "JSON this API does not send (“{…}”)".
pub fn foreign_shape(body: &str) -> String {
    let t = body.trim();
    if t.is_empty() {
        "an empty answer".into()
    } else if looks_like_html(t) {
        "a web page".into()
    } else if crate::json::parse(t).is_ok() {
        format!(
            "JSON this API does not send (\u{201c}{}\u{201d})",
            clip(t, 80)
        )
    } else {
        format!("plain text (\u{201c}{}\u{201d})", clip(t, 80))
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
    fn per_connection_settings_fill_the_path_as_one_segment() {
        let r = ApiRequest::new(Method::Get, "/admin/realms/{realm}/sessions").with_settings(&[
            ("realm".into(), "ops/../x y".into()),
            ("other".into(), "z".into()),
        ]);
        assert_eq!(r.path, "/admin/realms/ops%2F..%2Fx%20y/sessions");
        let up = ApiRequest::new(Method::Get, "/realms/{realm}/x")
            .with_settings(&[("realm".into(), "..".into())]);
        assert_eq!(up.path, "/realms/%2E%2E/x", "never a path step");
        let untouched = ApiRequest::new(Method::Get, "/a/{b}").with_settings(&[]);
        assert_eq!(untouched.path, "/a/{b}");
    }

    #[test]
    fn a_body_is_json_or_a_form_and_says_which() {
        let j = ApiRequest::new(Method::Post, "/x").json(Value::object([("a", "b c".into())]));
        let j = j.body.unwrap();
        assert_eq!(
            (j.to_string(), j.content_type()),
            (r#"{"a":"b c"}"#.to_string(), "application/json")
        );
        assert_eq!(j["a"].as_str(), Some("b c"));
        let f = ApiRequest::new(Method::Post, "/token")
            .form(&[("grant_type", "password"), ("username", "a&b=c d")])
            .body
            .unwrap();
        assert_eq!(f.content_type(), "application/x-www-form-urlencoded");
        assert_eq!(f.to_string(), "grant_type=password&username=a%26b%3Dc%20d");
        assert_eq!(f["grant_type"], Value::Null, "a form has no JSON fields");
    }

    const NOW: f64 = 1_700_000_000_000.0;

    fn until(retry_after: Option<&str>, reset: Option<&str>, body: &str) -> Option<f64> {
        RawResponse {
            status: 429,
            body: body.into(),
            retry_after: retry_after.map(String::from),
            rate_limit_reset: reset.map(String::from),
            ..Default::default()
        }
        .rate_limit_until(NOW)
    }

    #[test]
    fn rate_limit_headers_are_read_only_as_their_standards_say() {
        // X-RateLimit-Reset: an epoch, in milliseconds (Rocket.Chat) or seconds.
        assert_eq!(
            until(None, Some(" 1700000003123.9 "), ""),
            Some(NOW + 3123.0)
        );
        assert_eq!(until(None, Some("1700000007"), ""), Some(NOW + 7000.0));
        // A small number is not an epoch: not read (never a guessed wait).
        for not_epoch in ["30", "4500", "99999999", "123456789012"] {
            assert_eq!(until(None, Some(not_epoch), ""), None, "{not_epoch}");
        }
        // Retry-After: whole seconds, however many, or an HTTP date.
        assert_eq!(until(Some("12"), None, ""), Some(NOW + 12_000.0));
        assert_eq!(
            until(Some("20000"), None, ""),
            Some(NOW + 20_000_000.0),
            "seconds, never read as milliseconds"
        );
        assert_eq!(
            until(Some("Tue, 14 Nov 2023 22:13:40 GMT"), None, ""),
            Some(1_700_000_020_000.0)
        );
        for bad in ["1.5", "-5", "1e3", " ", "soon"] {
            assert_eq!(until(Some(bad), None, ""), None, "Retry-After {bad:?}");
        }
        // The message's "wait N seconds", and the latest of several.
        let rc = r#"{"success":false,"error":"Error, too many requests. Please slow down. You must wait 9 seconds before trying this endpoint again."}"#;
        assert_eq!(until(None, None, rc), Some(NOW + 9000.0));
        assert_eq!(
            until(Some("2"), Some("1700000005000"), rc),
            Some(NOW + 9000.0)
        );
        for bad in ["", "soon", "-5", "1e3", ".5", "99999999999999999999999"] {
            assert_eq!(until(Some(bad), Some(bad), ""), None, "{bad:?}");
        }
    }

    #[test]
    fn html_bodies_are_recognised() {
        for html in [
            "<!DOCTYPE html><html>",
            "\n  <html lang=en>",
            "\u{feff}<head>",
            "<?xml version=\"1.0\"?>",
        ] {
            assert!(looks_like_html(html), "{html:?}");
        }
        for not in ["", "{}", "[\"<html>\"]", "\"<b>\"", "true"] {
            assert!(!looks_like_html(not), "{not:?}");
        }
    }

    #[test]
    fn network_causes_are_told_apart() {
        let page = "https://panel.example/sessions?q=x";
        let none = Clues::default();
        let two_factor = Clues {
            sent_two_factor: Some("X-2fa-Code"),
            ..none
        };
        assert_eq!(
            NetCause::of(page, "/api/v1/me", none),
            NetCause::Unreachable
        );
        assert_eq!(
            NetCause::of(page, "https://panel.example/api", none),
            NetCause::Unreachable
        );
        assert_eq!(
            NetCause::of(page, "http://chat.example/api", two_factor),
            NetCause::MixedContent,
            "mixed content is named as such, not as CORS"
        );
        assert_eq!(
            NetCause::of(page, "https://chat.example/api", none),
            NetCause::CrossOrigin
        );
        assert_eq!(
            NetCause::of(page, "https://chat.example/api", two_factor),
            NetCause::CrossOriginTwoFactor("X-2fa-Code")
        );
        let timed_out = Clues {
            timed_out: true,
            ..two_factor
        };
        assert_eq!(
            NetCause::of(page, "https://chat.example/api", timed_out),
            NetCause::Timeout
        );
        assert_eq!(
            NetCause::of("http://127.0.0.1:8080/", "http://127.0.0.1:9/api", none),
            NetCause::CrossOrigin
        );
        // A refusal the page's CSP reported outranks every guess.
        let blocked = Clues {
            blocked_by_policy: true,
            ..two_factor
        };
        for url in ["http://[::1]:8080/api", "https://chat.example/api"] {
            assert_eq!(NetCause::of(page, url, blocked), NetCause::BlockedByPolicy);
        }
        let said = ApiError::Network {
            url: "http://[::1]:8080/api/v1/me".into(),
            cause: NetCause::BlockedByPolicy,
        }
        .to_string();
        assert!(
            said.contains("Content-Security-Policy does not allow connections to http://[::1]:8080 (connect-src)"),
            "{said}"
        );
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
        let h = ApiRequest::new(Method::Get, "/x").carrier(CodeCarrier::Headers {
            code: "X-2fa-Code",
            method: "X-2fa-Method",
        });
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
            .carrier(CodeCarrier::BodyField("code"));
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
            cause: NetCause::CrossOriginTwoFactor("X-2fa-Code"),
        }
        .to_string();
        assert!(n.contains("X-2fa-Code") && n.contains("README"));
        let t = ApiError::Network {
            url: "https://x".into(),
            cause: NetCause::Timeout,
        }
        .to_string();
        let m = ApiError::Network {
            url: "http://x".into(),
            cause: NetCause::MixedContent,
        }
        .to_string();
        assert!(m.contains("Mixed content") && !m.contains("CORS"), "{m}");
        let r = ApiError::RateLimited {
            message: "slow down".into(),
            wait_secs: Some(300),
        }
        .to_string();
        assert!(r.contains("wait 5 min"), "{r}");
        let h = ApiError::HtmlPage { status: 200 }.to_string();
        assert!(h.starts_with("200 OK: ") && h.contains("not done"), "{h}");
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
    fn cancel_runs_its_hooks_once_and_marks_requests() {
        let c = Cancel::default();
        let hits = Rc::new(std::cell::Cell::new(0));
        let h = hits.clone();
        c.on_cancel(move || h.set(h.get() + 1));
        let req = ApiRequest::new(Method::Get, "/x").cancel_with(&c);
        assert!(!req.is_cancelled());
        c.cancel();
        c.cancel();
        assert_eq!(hits.get(), 1);
        assert!(req.is_cancelled());
        let h = hits.clone();
        c.on_cancel(move || h.set(h.get() + 10));
        assert_eq!(hits.get(), 11, "a late hook runs at once");
        assert!(!ApiRequest::new(Method::Get, "/x").is_cancelled());
    }

    #[test]
    fn clip_limits_length() {
        assert_eq!(clip("  abc  ", 5), "abc");
        assert_eq!(clip("abcdef", 3), "abc…");
    }
}
