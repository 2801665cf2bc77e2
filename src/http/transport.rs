//! The transport of one connection: sends requests, waits on the
//! connection's two-factor gate, waits out rate limits, and maps every
//! answer to `Result<_, ApiError>`.
//!
//! [`Transport`] is generic over how bytes move (`send`) and how time passes
//! (`sleep`, `now`), so its retry logic is tested natively with fakes;
//! [`browser`] provides the real fetch / setTimeout versions.

use super::request::{ApiError, ApiRequest, Code, CodeCarrier, NetCause, RawResponse};
use super::two_factor::{Generation, LeaderInput, Racer, Released, Ticket, TwoFactorGate};
use futures::channel::oneshot;
use futures::future::{Either, LocalBoxFuture};
use futures::FutureExt;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

pub type SendFn = Rc<dyn Fn(ApiRequest) -> LocalBoxFuture<'static, Result<RawResponse, ApiError>>>;
pub type SleepFn = Rc<dyn Fn(f64) -> LocalBoxFuture<'static, ()>>;
/// How a backend reads an answer: `Ok` for a success, else its error.
pub type ClassifyFn = Rc<dyn Fn(&ApiRequest, &RawResponse) -> Result<(), ApiError>>;
/// Renews the connection's credential (its backend's refresh call): the
/// auth headers what is sent next carries.
pub type RenewFn = Rc<dyn Fn() -> LocalBoxFuture<'static, Result<AuthHeaders, ApiError>>>;
/// A credential's headers.
pub type AuthHeaders = Vec<(String, String)>;

pub use super::request::REQUEST_TIMEOUT_MS;

/// How many times one request waits out a 429 before giving up.
pub const MAX_RATE_LIMIT_WAITS: usize = 5;
/// Wait bounds for a rate limit (ms): never hammer. Every wait is shown,
/// counted down and can be stopped; one longer than the maximum is not
/// waited out (nor shortened) but reported with the server's figure.
const MIN_WAIT_MS: f64 = 500.0;
pub const MAX_WAIT_MS: f64 = 3_600_000.0;
/// When a 429 says nothing about how long.
const DEFAULT_WAIT_MS: f64 = 5_000.0;
/// A GET that failed on the server's side (5xx, no answer in time) is sent
/// again this many times, after these pauses (ms), before it fails.
pub const TRANSIENT_RETRIES: [f64; 2] = [1_000.0, 3_000.0];

/// Stops one transport's rate-limit waits without keeping it alive.
#[derive(Clone)]
pub struct Stopper(std::rc::Weak<RefCell<Vec<oneshot::Sender<()>>>>);

impl PartialEq for Stopper {
    /// The same transport's.
    fn eq(&self, other: &Self) -> bool {
        std::rc::Weak::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for Stopper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stopper")
    }
}

impl Stopper {
    pub fn stop(&self) {
        if let Some(w) = self.0.upgrade() {
            for w in w.borrow_mut().drain(..) {
                let _ = w.send(());
            }
        }
    }
}

/// Rate-limit notifications for the countdown banner.
#[derive(Clone, Debug, PartialEq)]
pub enum RateLimitEvent {
    /// Waiting until this epoch-ms instant; `stop` ends the wait (the
    /// banner's Stop).
    Waiting {
        until_ms: f64,
        stop: Stopper,
    },
    Resumed,
}

/// How bytes move and time passes: the browser's, or a test's fakes.
#[derive(Clone)]
pub struct Io {
    pub send: SendFn,
    pub sleep: SleepFn,
    pub now: Rc<dyn Fn() -> f64>,
}

/// Requests in flight to one server over HTTP/1.x (or a protocol not yet
/// known): browsers open at most 6 connections per origin, so more would
/// only queue inside the browser, out of Stop's reach.
pub const HTTP1_IN_FLIGHT: usize = 6;
/// Requests in flight over HTTP/2 or HTTP/3, where one connection carries
/// many streams (nginx allows 128 by default, Caddy 250). Chosen with
/// `tests/bench` (README → Performance, "Which bound over HTTP/2"): through
/// nginx at 50 ms latency the browser's own fetch of 1,000 revokes took
/// 2.95 s at 24 in flight, 2.63 s at 32, 2.05 s at 48 and 2.14 s at 64 —
/// past 48 the browser's cost per request, not the bound, is what is left
/// (HTTP/1.1 at 6: 9.3 s; the panel's bulk at 48: 2.68 s). Kept bounded: a
/// burst of hundreds would meet rate limits sooner and leave Stop less to
/// stop.
pub const H2_IN_FLIGHT: usize = 48;

/// The bound on requests in flight for an answer that came over `protocol`.
pub fn in_flight_for(protocol: Option<&str>) -> usize {
    match protocol {
        Some(p) if p == "h2" || p.starts_with("h3") => H2_IN_FLIGHT,
        _ => HTTP1_IN_FLIGHT,
    }
}

#[derive(Clone)]
pub struct Transport {
    io: Io,
    classify: ClassifyFn,
    gate: Rc<TwoFactorGate>,
    on_rate_limit: Rc<dyn Fn(RateLimitEvent)>,
    open: Rc<Cell<bool>>,
    /// The rate-limit waits under way: Stop wakes each (and fails it).
    waits: Rc<RefCell<Vec<oneshot::Sender<()>>>>,
    /// How a 401 may be mended before it counts (a backend's token refresh).
    renew: Rc<RefCell<Option<RenewFn>>>,
    /// The renewal under way: every request that met a 401 waits on it.
    renewing: Rc<RefCell<Option<Renewal>>>,
    /// Renewals done so far: a 401 to a request sent before the last one is
    /// retried with the new token, never renewed again.
    renewals: Rc<Cell<u64>>,
    /// The protocol the server's last answer that named one came over.
    protocol: Rc<RefCell<Option<String>>>,
    /// The connection's auth headers, as they are at each send (a renewal
    /// replaces them).
    auth: Rc<RefCell<Vec<(String, String)>>>,
}

type Renewal = futures::future::Shared<LocalBoxFuture<'static, Result<AuthHeaders, ApiError>>>;

impl Transport {
    pub fn new(
        io: Io,
        classify: ClassifyFn,
        gate: Rc<TwoFactorGate>,
        on_rate_limit: Rc<dyn Fn(RateLimitEvent)>,
    ) -> Self {
        Transport {
            io,
            classify,
            gate,
            on_rate_limit,
            open: Rc::new(Cell::new(true)),
            waits: Rc::default(),
            renew: Rc::default(),
            renewing: Rc::default(),
            renewals: Rc::default(),
            protocol: Rc::default(),
            auth: Rc::default(),
        }
    }

    /// The headers every later request carries (a connection's credential;
    /// none at sign-in).
    pub fn set_auth(&self, headers: Vec<(String, String)>) {
        *self.auth.borrow_mut() = headers;
    }

    /// `req` with the connection's auth headers first.
    fn signed(&self, mut req: ApiRequest) -> ApiRequest {
        let auth = self.auth.borrow();
        if !auth.is_empty() {
            req.headers.splice(0..0, auth.iter().cloned());
        }
        req
    }

    /// Renews the credential now (its expiry is near), shared with any
    /// renewal under way; `Ok` when there is nothing to renew with.
    pub async fn renew_now(&self) -> Result<(), ApiError> {
        let renew = self.renew.borrow().clone();
        match renew {
            Some(renew) => self.renewed(renew).await,
            None => Ok(()),
        }
    }

    /// How many requests to this server may be in flight at once: what its
    /// protocol allows ([`in_flight_for`]), learnt from its answers; 6 until
    /// one says.
    pub fn in_flight(&self) -> usize {
        in_flight_for(self.protocol.borrow().as_deref())
    }

    /// Lets a 401 be mended once: `renew` is run (one renewal for all the
    /// requests that met it) and each such request is sent once more. If the
    /// renewal fails, or the retry meets a 401 again, the 401 stands.
    pub fn set_renew(&self, renew: RenewFn) {
        *self.renew.borrow_mut() = Some(renew);
    }

    /// One renewal by `renew`, shared by whoever asks while it runs.
    async fn renewed(&self, renew: RenewFn) -> Result<(), ApiError> {
        let running = self.renewing.borrow().clone();
        let renewal = match running {
            Some(r) => r,
            None => {
                let r = renew().shared();
                *self.renewing.borrow_mut() = Some(r.clone());
                r
            }
        };
        let out = renewal.await;
        // The first to see it done counts it and signs with it.
        if self.renewing.borrow_mut().take().is_some() {
            if let Ok(headers) = &out {
                self.renewals.set(self.renewals.get() + 1);
                self.set_auth(headers.clone());
            }
        }
        out.map(|_| ())
    }

    /// The admin's Stop on a rate-limit wait: every request waiting out
    /// this server's limit fails with [`ApiError::RateWaitStopped`].
    pub fn stop_waiting(&self) {
        self.stopper().stop();
    }

    /// [`Transport::stop_waiting`] as a handle that keeps nothing of the
    /// transport alive (for the banner's Stop button).
    pub fn stopper(&self) -> Stopper {
        Stopper(Rc::downgrade(&self.waits))
    }

    pub fn gate(&self) -> &Rc<TwoFactorGate> {
        &self.gate
    }

    /// Sign-out: nothing more is sent through this transport, by anyone
    /// holding it (a running bulk, a load, a waiting follower).
    pub fn close(&self) {
        self.open.set(false);
        self.gate.shut();
        self.stop_waiting();
    }

    pub fn is_open(&self) -> bool {
        self.open.get()
    }

    /// Sends once with the connection's credential, bypassing the gate and
    /// rate-limit waits, even after [`Transport::close`]: for the sign-out
    /// call that ends the token.
    pub async fn send_raw(&self, req: ApiRequest) -> Result<RawResponse, ApiError> {
        (self.io.send)(self.signed(req)).await
    }

    /// Sends `req` and returns its successful answer. Asks for a second factor
    /// through the gate when the server wants one, retrying once after it.
    pub async fn call(&self, req: &ApiRequest) -> Result<RawResponse, ApiError> {
        let sent_after = self.renewals.get();
        let renew = self.renew.borrow().clone();
        match (self.call_gated(req).await, renew) {
            (Err(e @ ApiError::Unauthorized { .. }), Some(renew))
                if !req.unauthorized_is_answer =>
            {
                // Sent with a token since renewed: just send it again.
                let renewed_since = self.renewals.get() != sent_after;
                if !renewed_since && self.renewed(renew).await.is_err() || !self.is_open() {
                    return Err(e);
                }
                self.call_gated(req).await
            }
            (other, _) => other,
        }
    }

    /// [`Transport::call`] without the token renewal.
    async fn call_gated(&self, req: &ApiRequest) -> Result<RawResponse, ApiError> {
        let gated = req.code_carrier != CodeCarrier::None;
        let mut code: Option<Code> = None;
        loop {
            // While a dialog is open, a code-less request waits for it rather
            // than asking the server (which may e-mail another code).
            if gated && code.is_none() {
                if let Some(wait) = self.gate.wait_if_open() {
                    match wait?.await {
                        Ok(Released::Retry(c)) => code = c,
                        Ok(Released::Stop(e)) => return Err(stopped(e)),
                        Err(_) => return Err(ApiError::TwoFactorCancelled),
                    }
                }
            }
            let racer: Option<Racer> = (gated && code.is_none()).then(|| self.gate.track());
            match self.attempt(req, code.as_ref()).await {
                Err(ApiError::TwoFactorRequired(challenge)) => {
                    match self.gate.enter(challenge, racer.as_ref()) {
                        Ticket::Leader(rx, generation) => {
                            return self.lead(req, rx, generation).await
                        }
                        Ticket::Follower(rx) => match rx.await {
                            Ok(Released::Retry(c)) => code = c,
                            Ok(Released::Stop(e)) => return Err(stopped(e)),
                            Err(_) => return Err(ApiError::TwoFactorCancelled),
                        },
                        // A dialog closed while this (code-less) request was on
                        // its way: retry with its code, never a second dialog.
                        Ticket::Settled(Released::Retry(c)) => code = c,
                        Ticket::Settled(Released::Stop(e)) => return Err(stopped(e)),
                    }
                }
                other => return other,
            }
        }
    }

    /// The request that opened the dialog: each input from the dialog is one
    /// attempt, until one passes, the person cancels, or the server gives up.
    async fn lead(
        &self,
        req: &ApiRequest,
        mut rx: futures::channel::oneshot::Receiver<LeaderInput>,
        generation: Generation,
    ) -> Result<RawResponse, ApiError> {
        let over = || {
            if self.gate.is_shut() {
                ApiError::SignedOut
            } else {
                ApiError::TwoFactorCancelled
            }
        };
        loop {
            let input = rx.await.unwrap_or(LeaderInput::Cancel);
            let (code, resend) = match input {
                LeaderInput::Cancel => {
                    self.gate.release(generation, Released::Stop(None));
                    return Err(over());
                }
                LeaderInput::Resend => (None, true),
                LeaderInput::Code(c) => (Some(c), false),
            };
            let next = match self.attempt(req, code.as_ref()).await {
                Ok(resp) => {
                    self.gate.release(generation, Released::Retry(code));
                    return Ok(resp);
                }
                Err(ApiError::TwoFactorRequired(challenge)) => {
                    let note = resend.then(|| resend_note(&challenge));
                    let error = (!resend).then(|| {
                        "The server asked for a code again. Enter a new code.".to_string()
                    });
                    self.gate.rearm(generation, Some(challenge), error, note)
                }
                Err(ApiError::TwoFactorInvalid { message }) => {
                    // The admin typed a password, not a code: say which.
                    let what = match code.as_ref().map(|c| c.method.as_str()) {
                        Some("password") => "Wrong password",
                        _ => "Wrong code",
                    };
                    self.gate.rearm(
                        generation,
                        None,
                        Some(format!(
                            "{what} — the server answered \u{201c}{message}\u{201d}. Check it and try again."
                        )),
                        None,
                    )
                }
                Err(e @ ApiError::TwoFactorMaxAttempts { .. }) => {
                    self.gate
                        .release(generation, Released::Stop(Some(e.clone())));
                    return Err(e);
                }
                Err(e) => {
                    // The code itself was not refused; let the others try with it.
                    self.gate.release(generation, Released::Retry(code));
                    return Err(e);
                }
            };
            // `None`: the dialog was cancelled (or the gate shut) meanwhile.
            rx = next.ok_or_else(over)?;
        }
    }

    /// One send, plus waiting out rate limits (bounded, stoppable) and, for a
    /// GET, a few more tries after a 5xx or no answer.
    async fn attempt(
        &self,
        req: &ApiRequest,
        code: Option<&Code>,
    ) -> Result<RawResponse, ApiError> {
        let mut waits = 0;
        let mut retries = TRANSIENT_RETRIES.iter();
        let mut resent = false;
        loop {
            if !self.is_open() {
                return Err(ApiError::SignedOut);
            }
            if req.is_cancelled() {
                return Err(ApiError::Cancelled);
            }
            // Its batch was stopped (while it waited, or before it left).
            if req.is_stopped() {
                return Err(ApiError::BatchStopped);
            }
            let sent = (self.io.send)(self.signed(req.with_code(code))).await;
            if let Ok(RawResponse {
                protocol: Some(p), ..
            }) = &sent
            {
                *self.protocol.borrow_mut() = Some(p.clone());
            }
            let result = match sent {
                Ok(resp) => self.read(req, resp),
                Err(e) => Err(e),
            };
            match result {
                Ok(resp) => return Ok(resp),
                Err(ApiError::RateLimited { message, wait_secs }) => {
                    let now = (self.io.now)();
                    let wait = wait_secs.map(|s| s as f64 * 1000.0);
                    if waits >= MAX_RATE_LIMIT_WAITS || wait.is_some_and(|w| w > MAX_WAIT_MS) {
                        return Err(ApiError::RateLimited { message, wait_secs });
                    }
                    waits += 1;
                    let delay = wait.unwrap_or(DEFAULT_WAIT_MS).max(MIN_WAIT_MS);
                    self.wait_out(now, delay, req.stop.as_ref()).await?;
                }
                // The connection went before the answer: once more, at once.
                Err(ApiError::Network {
                    cause: NetCause::Unreachable | NetCause::CrossOrigin,
                    ..
                }) if req.resend_if_lost && !resent => resent = true,
                Err(e) if e.is_transient() && req.method == super::request::Method::Get => {
                    match retries.next() {
                        Some(&pause) => (self.io.sleep)(pause).await,
                        None => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads an answer: a web page where the API's answer should be (a
    /// proxy's 404 or 5xx page) is [`ApiError::HtmlPage`] whatever the
    /// backend would make of its status; a 429's wait is the server's own.
    fn read(&self, req: &ApiRequest, resp: RawResponse) -> Result<RawResponse, ApiError> {
        if !resp.is_success() && resp.status != 429 && resp.is_html() {
            return Err(ApiError::HtmlPage {
                status: resp.status,
            });
        }
        match (self.classify)(req, &resp) {
            Ok(()) => Ok(resp),
            Err(ApiError::RateLimited { message, .. }) => {
                let now = (self.io.now)();
                let wait_secs = resp
                    .rate_limit_until(now)
                    .map(|until| ((until - now).max(0.0) / 1000.0).ceil() as u64);
                Err(ApiError::RateLimited { message, wait_secs })
            }
            Err(e) => Err(e),
        }
    }

    /// Waits `delay` ms for a rate limit, shown as waiting until then;
    /// the admin's Stop on the wait (or sign-out) ends it with an error, and
    /// so does the Stop of the batch the request belongs to (`batch`).
    async fn wait_out(
        &self,
        now: f64,
        delay: f64,
        batch: Option<&super::request::Cancel>,
    ) -> Result<(), ApiError> {
        (self.on_rate_limit)(RateLimitEvent::Waiting {
            until_ms: now + delay,
            stop: self.stopper(),
        });
        let (tx, rx) = oneshot::channel();
        self.waits.borrow_mut().push(tx);
        let (batch_tx, batch_rx) = oneshot::channel::<()>();
        if let Some(stop) = batch {
            stop.on_cancel(move || {
                let _ = batch_tx.send(());
            });
        }
        let stops = futures::future::select(rx, batch_rx);
        let ended = match futures::future::select((self.io.sleep)(delay), stops).await {
            Either::Left(_) => None,
            Either::Right((Either::Left((r, _)), _)) => {
                r.is_ok().then_some(ApiError::RateWaitStopped)
            }
            Either::Right((Either::Right((r, _)), _)) => {
                r.is_ok().then_some(ApiError::BatchStopped)
            }
        };
        self.waits.borrow_mut().retain(|w| !w.is_canceled());
        (self.on_rate_limit)(RateLimitEvent::Resumed);
        ended.map_or(Ok(()), Err)
    }
}

/// A stop without its own error is a cancelled verification.
fn stopped(e: Option<ApiError>) -> ApiError {
    e.unwrap_or(ApiError::TwoFactorCancelled)
}

fn resend_note(c: &super::request::Challenge) -> String {
    match (c.code_generated, c.email_or_username.as_deref()) {
        (true, Some(to)) => format!("A new code was sent to {to}."),
        (true, None) => "A new code was sent.".to_string(),
        (false, _) => {
            "The server did not send a new code: the last one is still valid. Check your e-mail."
                .to_string()
        }
    }
}

/// An answer's bytes as text, read as the browser's `TextDecoder` reads
/// them: a leading byte-order mark dropped, a malformed sequence as U+FFFD.
pub fn utf8_text(mut bytes: Vec<u8>) -> String {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// The browser's fetch and timers.
pub mod browser {
    use super::*;
    use crate::http::request::{Clues, Method, NetCause};
    use gloo_net::http::{Method as GlooMethod, RequestBuilder};
    use std::cell::Cell;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    /// Fetch, timers and clock of this browser, sending to `base`.
    pub fn io(base: String) -> Io {
        Io {
            send: fetch_sender(base),
            sleep: Rc::new(|ms: f64| Box::pin(sleep(ms))),
            now: Rc::new(js_sys::Date::now),
        }
    }

    /// Sends through `fetch` against `base` (the request carries its own
    /// headers); each answer says the protocol it came over, once known.
    pub fn fetch_sender(base: String) -> SendFn {
        let base = Rc::new(base);
        let learnt = Rc::new(Learnt::default());
        Rc::new(move |req: ApiRequest| {
            let (base, learnt) = (base.clone(), learnt.clone());
            Box::pin(async move { fetch(&base, &req, &learnt).await })
        })
    }

    /// What one server's answers told of its protocol.
    #[derive(Default)]
    struct Learnt {
        protocol: RefCell<Option<String>>,
    }

    impl Learnt {
        /// The protocol `url`'s latest answer came over, looked up until
        /// found once, then kept (the lookup scans the page's Resource Timing
        /// entries; the browser may add an answer's entry a little after its
        /// body was read, so an early miss is found on a later answer).
        fn protocol(&self, url: &str) -> Option<String> {
            if let Some(p) = self.protocol.borrow().clone() {
                return Some(p);
            }
            let found = protocol_of(url);
            self.protocol.borrow_mut().clone_from(&found);
            found
        }
    }

    async fn fetch(base: &str, req: &ApiRequest, learnt: &Learnt) -> Result<RawResponse, ApiError> {
        let url = absolute(&req.url(base));
        let sent_two_factor = req
            .code_carrier
            .header()
            .filter(|h| req.headers.iter().any(|(k, _)| k == h));
        // A server that never answers must not hold the screen forever; a
        // screen that went away aborts what it asked for. One controller and
        // a timer (not AbortSignal.timeout/any: older browsers lack them).
        let ctl = web_sys::AbortController::new().map_err(|_| ApiError::Cancelled)?;
        let signal = ctl.signal();
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let (ctl, timed_out) = (ctl.clone(), timed_out.clone());
            let on_time = wasm_bindgen::closure::Closure::once_into_js(move || {
                timed_out.set(true);
                ctl.abort();
            });
            web_sys::window().and_then(|w| {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    on_time.unchecked_ref(),
                    REQUEST_TIMEOUT_MS as i32,
                )
                .ok()
            })
        };
        let _clear_timer = ClearTimer(timer);
        if let Some(cancel) = &req.cancel {
            let on_cancel = ctl.clone();
            cancel.on_cancel(move || on_cancel.abort());
        }
        let network = |url: &str| {
            let page = web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default();
            if req.is_cancelled() {
                return ApiError::Cancelled;
            }
            let clues = Clues {
                sent_two_factor,
                timed_out: timed_out.get(),
                blocked_by_policy: crate::browser::blocked_by_policy(url),
            };
            ApiError::Network {
                url: url.to_string(),
                cause: NetCause::of(&page, url, clues),
            }
        };
        let headers = web_sys::Headers::new().map_err(|_| network(&url))?;
        let _ = headers.set("Accept", "application/json");
        for (k, v) in &req.headers {
            // A header value the browser refuses (e.g. a newline pasted into
            // a token) must not panic: report it as the bad request it is.
            headers.set(k, v).map_err(|_| ApiError::BadResponse {
                status: 0,
                why: format!("the {k} header has characters a browser cannot send; re-enter it"),
            })?;
        }
        // Never follow a redirect: the browser would carry X-Auth-Token,
        // X-User-Id and X-2fa-Code to wherever it points. "manual" (rather
        // than "error") hands back an opaque answer, so the admin is told it
        // was a redirect instead of a bare network failure.
        let builder = RequestBuilder::new(&url)
            .method(match req.method {
                Method::Get => GlooMethod::GET,
                Method::Post => GlooMethod::POST,
                Method::Put => GlooMethod::PUT,
                Method::Delete => GlooMethod::DELETE,
            })
            .credentials(web_sys::RequestCredentials::Omit)
            .redirect(web_sys::RequestRedirect::Manual)
            .cache(web_sys::RequestCache::NoStore)
            .abort_signal(Some(&signal));
        let request = match &req.body {
            Some(body) => {
                let _ = headers.set("Content-Type", body.content_type());
                builder
                    .headers(gloo_net::http::Headers::from_raw(headers))
                    .body(body.to_string())
            }
            None => builder
                .headers(gloo_net::http::Headers::from_raw(headers))
                .build(),
        }
        .map_err(|_| network(&url))?;
        let resp = match request.send().await {
            Ok(resp) => resp,
            Err(_) => {
                // A Content-Security-Policy refusal is reported (an event)
                // just after the fetch fails: let it arrive first.
                sleep(0.0).await;
                return Err(network(&url));
            }
        };
        if resp.type_() == web_sys::ResponseType::Opaqueredirect
            || (300..400).contains(&resp.status())
        {
            return Err(ApiError::Redirected { url });
        }
        let headers = resp.headers();
        let header = |name: &str| headers.get(name);
        let (retry_after, rate_limit_reset) = (header("Retry-After"), header("X-RateLimit-Reset"));
        let status = resp.status();
        let cap = req.body_cap();
        let too_large = || ApiError::TooLarge {
            url: url.clone(),
            limit: cap,
        };
        let declared = header("Content-Length").and_then(|n| n.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > cap) {
            ctl.abort();
            return Err(too_large());
        }
        let body = match resp.body() {
            Some(stream) => match read_capped(&stream, cap).await {
                Ok(Some(text)) => text,
                Ok(None) => {
                    ctl.abort();
                    return Err(too_large());
                }
                Err(()) => return Err(network(&url)),
            },
            None => String::new(),
        };
        Ok(RawResponse {
            status,
            body,
            retry_after,
            rate_limit_reset,
            // By the URL as fetched (the request builder may have added to it).
            protocol: learnt.protocol(&resp.url()),
        })
    }

    /// The protocol the latest answer from `url` came over, as Resource
    /// Timing tells it (`None` when the entry is not there, or the browser
    /// hides it for another origin).
    fn protocol_of(url: &str) -> Option<String> {
        let entries = web_sys::window()?.performance()?.get_entries_by_name(url);
        let last = entries.get(entries.length().checked_sub(1)?);
        let timing: web_sys::PerformanceResourceTiming = last.dyn_into().ok()?;
        Some(timing.next_hop_protocol()).filter(|p| !p.is_empty())
    }

    /// Clears the request's timer when the request is done, however it ends.
    struct ClearTimer(Option<i32>);

    impl Drop for ClearTimer {
        fn drop(&mut self) {
            if let (Some(id), Some(w)) = (self.0, web_sys::window()) {
                w.clear_timeout_with_handle(id);
            }
        }
    }

    /// Reads a body chunk by chunk, giving up (`Ok(None)`) as soon as it
    /// passes `cap` bytes: an endless or huge answer never fills memory.
    /// The chunks stay in JavaScript until the answer is whole (the wasm
    /// memory never shrinks: a refused answer must not grow it).
    async fn read_capped(stream: &web_sys::ReadableStream, cap: u64) -> Result<Option<String>, ()> {
        let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
        let chunks = js_sys::Array::new();
        let mut total: u64 = 0;
        loop {
            let chunk = JsFuture::from(reader.read()).await.map_err(|_| ())?;
            let done = js_sys::Reflect::get(&chunk, &"done".into()).map_err(|_| ())?;
            if done.as_bool() == Some(true) {
                break;
            }
            let value: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
                .map_err(|_| ())?
                .unchecked_into();
            total += u64::from(value.length());
            if total > cap {
                let _ = reader.cancel();
                return Ok(None);
            }
            chunks.push(&value);
        }
        // Copied straight into the wasm memory and read as UTF-8 there: no
        // decoding to a JavaScript string and encoding back.
        let mut whole = vec![0u8; usize::try_from(total).map_err(|_| ())?];
        let mut at = 0;
        for c in chunks.iter() {
            let c: js_sys::Uint8Array = c.unchecked_into();
            let end = at + c.length() as usize;
            c.copy_to(&mut whole[at..end]);
            at = end;
        }
        Ok(Some(utf8_text(whole)))
    }

    /// `url` resolved against the page (a relative URL is the panel's origin).
    fn absolute(url: &str) -> String {
        let here = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        web_sys::Url::new_with_base(url, &here)
            .map(|u| u.href())
            .unwrap_or_else(|_| url.to_string())
    }

    /// Resolves after `ms` milliseconds (setTimeout).
    pub async fn sleep(ms: f64) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    ms.clamp(0.0, i32::MAX as f64) as i32,
                );
            }
        });
        let _ = JsFuture::from(promise).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::request::{CodeCarrier, Method};
    use crate::http::two_factor::Prompt;
    use futures::executor::LocalPool;
    use futures::task::LocalSpawnExt;
    use std::cell::{Cell, RefCell};

    type Answer = Box<dyn Fn(&ApiRequest, usize) -> RawResponse>;
    type Shared<T> = Rc<RefCell<T>>;

    /// A scripted server: answers by looking at the request (and its code).
    struct Fake {
        log: RefCell<Vec<ApiRequest>>,
        answer: Answer,
    }

    fn resp(status: u16, body: &str) -> RawResponse {
        RawResponse::of(status, body)
    }

    /// A fake that answers every request with `answer(request, n)`, `n`
    /// counting the requests before it.
    fn scripted(answer: impl Fn(&ApiRequest, usize) -> RawResponse + 'static) -> Rc<Fake> {
        Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(answer),
        })
    }

    const NOW: f64 = 1_700_000_000_000.0;

    #[test]
    fn answers_read_as_text_as_the_browser_decodes_them() {
        let t = |b: &[u8]| utf8_text(b.to_vec());
        assert_eq!(t(br#"{"a":"x"}"#), r#"{"a":"x"}"#);
        assert_eq!(t("{\"n\":\"Zoë 日本\"}".as_bytes()), "{\"n\":\"Zoë 日本\"}");
        // A byte-order mark is dropped, once; one later is kept.
        assert_eq!(t(b"\xEF\xBB\xBF[1]"), "[1]");
        assert_eq!(t(b"\xEF\xBB\xBF\xEF\xBB\xBF[1]"), "\u{FEFF}[1]");
        // Malformed sequences read as U+FFFD; the rest of the text is kept.
        assert_eq!(t(b"[\"a\xFFb\xC3\"]"), "[\"a\u{FFFD}b\u{FFFD}\"]");
        assert_eq!(t(b""), "");
    }

    /// Rocket.Chat's reading of answers, as far as these tests need it:
    /// 2FA refusals by `errorType`, 429, other statuses.
    fn classify(_: &ApiRequest, r: &RawResponse) -> Result<(), ApiError> {
        if r.is_success() {
            return Ok(());
        }
        let v = crate::json::parse(&r.body).unwrap_or_default();
        let message = v
            .get("error")
            .and_then(|e| e.as_str())
            .unwrap_or("")
            .to_string();
        Err(match v.get("errorType").and_then(|e| e.as_str()) {
            Some("totp-required") => ApiError::TwoFactorRequired(crate::http::request::Challenge {
                method: v["details"]["method"].as_str().unwrap_or("totp").into(),
                code_generated: v["details"]["codeGenerated"].as_bool() == Some(true),
                email_or_username: v["details"]["emailOrUsername"].as_str().map(String::from),
                ..Default::default()
            }),
            Some("totp-invalid") => ApiError::TwoFactorInvalid { message },
            Some("totp-max-attempts") => ApiError::TwoFactorMaxAttempts { message },
            _ if r.status == 429 => ApiError::RateLimited {
                message: r.body.clone(),
                wait_secs: None,
            },
            _ => ApiError::Server {
                status: r.status,
                message,
            },
        })
    }

    const TOTP_REQUIRED: &str = r#"{"success":false,"errorType":"totp-required","details":{"method":"password","availableMethods":[]}}"#;
    const TOTP_INVALID: &str =
        r#"{"success":false,"errorType":"totp-invalid","error":"TOTP Invalid [totp-invalid]"}"#;

    fn code_of(r: &ApiRequest) -> Option<String> {
        r.headers
            .iter()
            .find(|(k, _)| k == "X-2fa-Code")
            .map(|(_, v)| v.clone())
    }

    /// The transport plus what it showed: prompt, sleeps, rate-limit events.
    type Rig = (
        Transport,
        Shared<Option<Prompt>>,
        Shared<Vec<f64>>,
        Shared<Vec<RateLimitEvent>>,
    );

    fn transport(fake: Rc<Fake>) -> Rig {
        let prompt = Rc::new(RefCell::new(None));
        let p2 = prompt.clone();
        let slept = Rc::new(RefCell::new(Vec::new()));
        let s2 = slept.clone();
        let events = Rc::new(RefCell::new(Vec::new()));
        let e2 = events.clone();
        let f2 = fake.clone();
        let io = Io {
            send: Rc::new(move |r: ApiRequest| {
                let f = f2.clone();
                Box::pin(async move {
                    let n = f.log.borrow().len();
                    f.log.borrow_mut().push(r.clone());
                    match (f.answer)(&r, n) {
                        // Status 0 stands for no answer: the connection was lost.
                        a if a.status == 0 => Err(ApiError::Network {
                            url: r.path.clone(),
                            cause: NetCause::Unreachable,
                        }),
                        a => Ok(a),
                    }
                })
            }),
            sleep: Rc::new(move |ms| {
                s2.borrow_mut().push(ms);
                Box::pin(async {})
            }),
            now: Rc::new(|| NOW),
        };
        let t = Transport::new(
            io,
            Rc::new(classify),
            Rc::new(TwoFactorGate::new(move |p| *p2.borrow_mut() = p)),
            Rc::new(move |e| e2.borrow_mut().push(e)),
        );
        (t, prompt, slept, events)
    }

    fn req(id: &str) -> ApiRequest {
        ApiRequest::new(Method::Post, "/api/v1/sessions/logout")
            .json(crate::json::Value::object([("sessionId", id.into())]))
            .carrier(CodeCarrier::Headers {
                code: "X-2fa-Code",
                method: "X-2fa-Method",
            })
    }

    fn pw(code: &str) -> Code {
        Code {
            method: "password".into(),
            code: code.into(),
        }
    }

    #[test]
    fn wrong_code_keeps_dialog_then_right_code_retries_once() {
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|r, _| match code_of(r).as_deref() {
                None => resp(400, TOTP_REQUIRED),
                Some("good") => resp(200, r#"{"success":true}"#),
                Some(_) => resp(400, TOTP_INVALID),
            }),
        });
        let (t, prompt, _, _) = transport(fake.clone());
        let mut pool = LocalPool::new();
        let result = Rc::new(RefCell::new(None));
        let r2 = result.clone();
        let t2 = t.clone();
        pool.spawner()
            .spawn_local(async move { *r2.borrow_mut() = Some(t2.call(&req("s1")).await) })
            .unwrap();
        pool.run_until_stalled();
        assert_eq!(
            prompt.borrow().as_ref().unwrap().challenge.method,
            "password"
        );
        t.gate().submit(pw("bad"));
        pool.run_until_stalled();
        let p = prompt
            .borrow()
            .clone()
            .expect("dialog stays open after a wrong code");
        // A password was typed: it is a wrong password, not a wrong code.
        assert!(p
            .error
            .unwrap()
            .starts_with("Wrong password — the server answered"));
        assert!(result.borrow().is_none());
        t.gate().submit(pw("good"));
        pool.run_until_stalled();
        assert!(prompt.borrow().is_none());
        assert!(result.borrow().as_ref().unwrap().is_ok());
        let codes: Vec<Option<String>> = fake.log.borrow().iter().map(code_of).collect();
        assert_eq!(codes, [None, Some("bad".into()), Some("good".into())]);
    }

    #[test]
    fn parallel_requests_share_one_dialog_and_no_codeless_loop() {
        let remembered = Rc::new(Cell::new(false));
        let rem = remembered.clone();
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(move |r, _| {
                if rem.get() || code_of(r).as_deref() == Some("good") {
                    rem.set(true);
                    resp(200, r#"{"success":true}"#)
                } else {
                    resp(400, TOTP_REQUIRED)
                }
            }),
        });
        let (t, prompt, _, _) = transport(fake.clone());
        let mut pool = LocalPool::new();
        let done = Rc::new(Cell::new(0));
        for i in 0..5 {
            let t2 = t.clone();
            let d = done.clone();
            pool.spawner()
                .spawn_local(async move {
                    if t2.call(&req(&format!("s{i}"))).await.is_ok() {
                        d.set(d.get() + 1)
                    }
                })
                .unwrap();
        }
        pool.run_until_stalled();
        assert_eq!(prompt.borrow().as_ref().unwrap().waiting, 4);
        // One code-less try: the others saw the dialog open and waited.
        assert_eq!(fake.log.borrow().len(), 1);
        t.gate().submit(pw("good"));
        pool.run_until_stalled();
        assert_eq!(done.get(), 5);
        // 1 first try + 1 leader retry + 4 followers sent with the code.
        assert_eq!(fake.log.borrow().len(), 6);
    }

    /// `n` requests "0", "1", … on `pool`; their results as they end.
    fn spawn_calls(
        pool: &LocalPool,
        t: &Transport,
        n: usize,
    ) -> Shared<Vec<Result<RawResponse, ApiError>>> {
        let results = Rc::new(RefCell::new(Vec::new()));
        for i in 0..n {
            let (t, r) = (t.clone(), results.clone());
            pool.spawner()
                .spawn_local(async move {
                    let out = t.call(&req(&format!("{i}"))).await;
                    r.borrow_mut().push(out)
                })
                .unwrap();
        }
        results
    }

    #[test]
    fn cancel_ends_every_waiting_request() {
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| resp(400, TOTP_REQUIRED)),
        });
        let (t, prompt, _, _) = transport(fake.clone());
        let mut pool = LocalPool::new();
        let results = spawn_calls(&pool, &t, 3);
        pool.run_until_stalled();
        t.gate().cancel();
        pool.run_until_stalled();
        assert!(prompt.borrow().is_none());
        assert_eq!(results.borrow().len(), 3);
        assert!(results
            .borrow()
            .iter()
            .all(|r| r == &Err(ApiError::TwoFactorCancelled)));
        assert_eq!(
            fake.log.borrow().len(),
            1,
            "only the leader asked the server"
        );
    }

    #[test]
    fn resend_sends_exactly_one_codeless_request_per_click() {
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| {
                resp(
                    400,
                    r#"{"errorType":"totp-required","details":{"method":"email","codeGenerated":true,"emailOrUsername":"a@b.c","availableMethods":["email"]}}"#,
                )
            }),
        });
        let (t, prompt, _, _) = transport(fake.clone());
        let mut pool = LocalPool::new();
        let t2 = t.clone();
        pool.spawner()
            .spawn_local(async move {
                let _ = t2.call(&req("x")).await;
            })
            .unwrap();
        pool.run_until_stalled();
        assert_eq!(fake.log.borrow().len(), 1);
        t.gate().resend();
        pool.run_until_stalled();
        assert_eq!(fake.log.borrow().len(), 2);
        assert_eq!(code_of(&fake.log.borrow()[1]), None);
        let note = prompt.borrow().clone().unwrap().note.unwrap();
        assert!(note.contains("a@b.c"));
        pool.run_until_stalled();
        assert_eq!(
            fake.log.borrow().len(),
            2,
            "nothing is sent without a click"
        );
    }

    #[test]
    fn max_attempts_closes_and_fails_followers() {
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|r, _| match code_of(r) {
                None => resp(400, TOTP_REQUIRED),
                Some(_) => resp(
                    400,
                    r#"{"errorType":"totp-max-attempts","error":"TOTP Maximun Failed Attempts Reached"}"#,
                ),
            }),
        });
        let (t, prompt, _, _) = transport(fake);
        let mut pool = LocalPool::new();
        let results = spawn_calls(&pool, &t, 2);
        pool.run_until_stalled();
        t.gate().submit(pw("x"));
        pool.run_until_stalled();
        assert!(prompt.borrow().is_none());
        assert!(results
            .borrow()
            .iter()
            .all(|r| matches!(r, Err(ApiError::TwoFactorMaxAttempts { .. }))));
    }

    #[test]
    fn rate_limit_waits_until_reset_then_continues_bounded() {
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, n| {
                if n < 2 {
                    RawResponse {
                        status: 429,
                        body: r#"{"success":false,"error":"Error, too many requests."}"#.into(),
                        rate_limit_reset: Some("1700000003000".into()),
                        ..Default::default()
                    }
                } else {
                    resp(200, r#"{"success":true}"#)
                }
            }),
        });
        let (t, _, slept, events) = transport(fake.clone());
        let r = futures::executor::block_on(t.call(&req("x")));
        assert!(r.is_ok());
        assert_eq!(*slept.borrow(), [3000.0, 3000.0]);
        assert_eq!(
            events.borrow()[0],
            RateLimitEvent::Waiting {
                until_ms: NOW + 3000.0,
                stop: t.stopper(),
            }
        );
        let always = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| resp(429, "{}")),
        });
        let (t, _, slept, _) = transport(always.clone());
        let r = futures::executor::block_on(t.call(&req("x")));
        assert!(matches!(r, Err(ApiError::RateLimited { .. })));
        assert_eq!(always.log.borrow().len(), MAX_RATE_LIMIT_WAITS + 1);
        assert_eq!(slept.borrow()[0], 5000.0, "no reset header: default wait");
    }

    #[test]
    fn rate_limit_waits_are_the_servers_own_in_any_unit() {
        for (retry_after, reset, want) in [
            (None, Some("1700000007"), 7000.0),    // epoch seconds
            (Some("4"), None, 4000.0),             // Retry-After seconds
            (Some("600"), None, 600_000.0),        // ten minutes: waited, shown
            (None, Some("1700000002000"), 2000.0), // epoch milliseconds
        ] {
            let fake = Rc::new(Fake {
                log: RefCell::new(vec![]),
                answer: Box::new(move |_, n| {
                    if n == 0 {
                        RawResponse {
                            status: 429,
                            body: "{}".into(),
                            retry_after: retry_after.map(String::from),
                            rate_limit_reset: reset.map(String::from),
                            ..Default::default()
                        }
                    } else {
                        resp(200, r#"{"success":true}"#)
                    }
                }),
            });
            let (t, _, slept, events) = transport(fake);
            assert!(futures::executor::block_on(t.call(&req("x"))).is_ok());
            assert_eq!(*slept.borrow(), [want], "{retry_after:?} {reset:?}");
            assert_eq!(
                events.borrow()[0],
                RateLimitEvent::Waiting {
                    until_ms: NOW + want,
                    stop: t.stopper(),
                },
                "the wait shown is the one waited"
            );
        }
        // Longer than the panel waits: reported with the server's figure.
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| RawResponse {
                status: 429,
                body: "{}".into(),
                retry_after: Some("7200".into()),
                ..Default::default()
            }),
        });
        let (t, _, slept, _) = transport(fake.clone());
        let e = futures::executor::block_on(t.call(&req("x"))).unwrap_err();
        assert_eq!(
            e,
            ApiError::RateLimited {
                message: "{}".into(),
                wait_secs: Some(7200)
            }
        );
        assert!(e.to_string().contains("wait 2 h"), "{e}");
        assert!(slept.borrow().is_empty());
        assert_eq!(fake.log.borrow().len(), 1);
    }

    #[test]
    fn a_proxys_html_page_is_its_own_failure_never_not_found() {
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| resp(404, "<!doctype html><h1>404 Not Found</h1>")),
        });
        let (t, ..) = transport(fake);
        let e = futures::executor::block_on(t.call(&req("x"))).unwrap_err();
        assert_eq!(e, ApiError::HtmlPage { status: 404 });
        // The API's own 404 (JSON) stays what the backend makes of it.
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| resp(404, r#"{"success":false,"error":"gone"}"#)),
        });
        let (t, ..) = transport(fake);
        let e = futures::executor::block_on(t.call(&req("x"))).unwrap_err();
        assert!(matches!(e, ApiError::Server { status: 404, .. }), "{e:?}");
    }

    fn get(path: &str) -> ApiRequest {
        ApiRequest::new(Method::Get, path)
    }

    #[test]
    fn a_get_is_tried_again_after_5xx_a_bounded_number_of_times() {
        // 502 twice, then the answer: the load goes on.
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, n| {
                if n < 2 {
                    resp(502, "{}")
                } else {
                    resp(200, r#"{"success":true}"#)
                }
            }),
        });
        let (t, _, slept, _) = transport(fake.clone());
        assert!(futures::executor::block_on(t.call(&get("/list"))).is_ok());
        assert_eq!(*slept.borrow(), TRANSIENT_RETRIES);
        // Always 503: three sends, then the failure.
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| resp(503, "{}")),
        });
        let (t, ..) = transport(fake.clone());
        let e = futures::executor::block_on(t.call(&get("/list"))).unwrap_err();
        assert_eq!(e.status(), Some(503));
        assert_eq!(fake.log.borrow().len(), TRANSIENT_RETRIES.len() + 1);
        // A POST (a revoke) is never sent twice on its own.
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| resp(503, "{}")),
        });
        let (t, ..) = transport(fake.clone());
        assert!(futures::executor::block_on(t.call(&req("x"))).is_err());
        assert_eq!(fake.log.borrow().len(), 1);
        // 501 (not implemented) is no passing trouble.
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| resp(501, "{}")),
        });
        let (t, ..) = transport(fake.clone());
        assert!(futures::executor::block_on(t.call(&get("/list"))).is_err());
        assert_eq!(fake.log.borrow().len(), 1);
    }

    #[test]
    fn a_revoke_whose_connection_was_lost_is_sent_once_more_at_once() {
        let lost_then = |then: u16| {
            scripted(move |_, n| {
                if n == 0 {
                    resp(0, "")
                } else {
                    resp(then, r#"{"success":true}"#)
                }
            })
        };
        // Marked (it only ends sessions): sent again, no pause, answered.
        let fake = lost_then(200);
        let (t, _, slept, _) = transport(fake.clone());
        assert!(futures::executor::block_on(t.call(&req("x").resend_if_lost())).is_ok());
        assert_eq!(fake.log.borrow().len(), 2);
        assert!(slept.borrow().is_empty());
        // Only once: lost twice is the failure it is.
        let fake = lost_then(0);
        let (t, ..) = transport(fake.clone());
        let e = futures::executor::block_on(t.call(&req("x").resend_if_lost())).unwrap_err();
        assert!(matches!(e, ApiError::Network { .. }), "{e:?}");
        assert_eq!(fake.log.borrow().len(), 2);
        // Unmarked (a sign-in, a code request): never sent twice.
        let fake = lost_then(200);
        let (t, ..) = transport(fake.clone());
        assert!(futures::executor::block_on(t.call(&req("x"))).is_err());
        assert_eq!(fake.log.borrow().len(), 1);
        // A 5xx is an answer, not a lost connection: a marked POST stays sent once.
        let fake = scripted(|_, _| resp(503, "{}"));
        let (t, ..) = transport(fake.clone());
        assert!(futures::executor::block_on(t.call(&req("x").resend_if_lost())).is_err());
        assert_eq!(fake.log.borrow().len(), 1);
    }

    #[test]
    fn stop_ends_a_rate_limit_wait_with_its_own_error() {
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| RawResponse {
                status: 429,
                body: "{}".into(),
                retry_after: Some("1800".into()),
                ..Default::default()
            }),
        });
        let (never_tx, never_rx) = futures::channel::oneshot::channel::<()>();
        let io = Io {
            send: {
                let f = fake.clone();
                Rc::new(move |r: ApiRequest| {
                    let n = f.log.borrow().len();
                    f.log.borrow_mut().push(r.clone());
                    let a = (f.answer)(&r, n);
                    Box::pin(async move { Ok(a) })
                })
            },
            // A sleep that never ends by itself: only Stop ends the wait.
            sleep: {
                let rx = Rc::new(RefCell::new(Some(never_rx)));
                Rc::new(move |_| {
                    let rx = rx.borrow_mut().take();
                    Box::pin(async move {
                        if let Some(rx) = rx {
                            let _ = rx.await;
                        } else {
                            futures::future::pending::<()>().await
                        }
                    })
                })
            },
            now: Rc::new(|| NOW),
        };
        let events = Rc::new(RefCell::new(Vec::new()));
        let e2 = events.clone();
        let t = Transport::new(
            io,
            Rc::new(classify),
            Rc::new(TwoFactorGate::new(|_| {})),
            Rc::new(move |e| e2.borrow_mut().push(e)),
        );
        let mut pool = LocalPool::new();
        let out = Rc::new(RefCell::new(None));
        let (t2, o2) = (t.clone(), out.clone());
        pool.spawner()
            .spawn_local(async move {
                *o2.borrow_mut() = Some(t2.call(&req("x")).await);
            })
            .unwrap();
        pool.run_until_stalled();
        assert_eq!(
            events.borrow()[0],
            RateLimitEvent::Waiting {
                until_ms: NOW + 1_800_000.0,
                stop: t.stopper(),
            },
            "half an hour is shown as it is, never shortened"
        );
        assert!(out.borrow().is_none(), "still waiting");
        t.stop_waiting();
        pool.run_until_stalled();
        assert_eq!(
            out.borrow_mut().take(),
            Some(Err(ApiError::RateWaitStopped))
        );
        assert_eq!(fake.log.borrow().len(), 1, "nothing sent after Stop");
        assert_eq!(events.borrow().last(), Some(&RateLimitEvent::Resumed));
        drop(never_tx);
    }

    #[test]
    fn a_stopped_batch_ends_its_rate_limit_wait_and_sends_nothing_more() {
        // Every answer is a 429 asking for half an hour; the sleep never ends
        // by itself.
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| RawResponse {
                status: 429,
                body: "{}".into(),
                retry_after: Some("1800".into()),
                ..Default::default()
            }),
        });
        let io = Io {
            send: {
                let f = fake.clone();
                Rc::new(move |r: ApiRequest| {
                    let n = f.log.borrow().len();
                    f.log.borrow_mut().push(r.clone());
                    let a = (f.answer)(&r, n);
                    Box::pin(async move { Ok(a) })
                })
            },
            sleep: Rc::new(|_| Box::pin(futures::future::pending())),
            now: Rc::new(|| NOW),
        };
        let t = Transport::new(
            io,
            Rc::new(classify),
            Rc::new(TwoFactorGate::new(|_| {})),
            Rc::new(|_| {}),
        );
        let batch = crate::http::request::Cancel::default();
        let mut pool = LocalPool::new();
        let out = Rc::new(RefCell::new(Vec::new()));
        for id in ["a", "b"] {
            let (t2, o2) = (t.clone(), out.clone());
            let r = req(id).stop_with(&batch);
            pool.spawner()
                .spawn_local(async move {
                    let answer = t2.call(&r).await;
                    o2.borrow_mut().push(answer);
                })
                .unwrap();
        }
        pool.run_until_stalled();
        assert_eq!(fake.log.borrow().len(), 2, "both sent once, both waiting");
        assert!(out.borrow().is_empty());
        batch.cancel();
        pool.run_until_stalled();
        assert_eq!(
            *out.borrow(),
            [Err(ApiError::BatchStopped), Err(ApiError::BatchStopped)]
        );
        assert_eq!(fake.log.borrow().len(), 2, "nothing sent after Stop");
        // One of a stopped batch is not sent at all.
        let r = req("c").stop_with(&batch);
        let late = futures::executor::block_on(t.call(&r));
        assert_eq!(late, Err(ApiError::BatchStopped));
        assert_eq!(fake.log.borrow().len(), 2);
    }

    /// Pending once, then ready: lets other futures run in between.
    struct YieldOnce(bool);

    impl std::future::Future for YieldOnce {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            if self.0 {
                std::task::Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        }
    }

    #[test]
    fn a_401_is_mended_once_by_one_renewal_for_all() {
        let token_ok = Rc::new(Cell::new(false));
        let t_ok = token_ok.clone();
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(move |r, _| {
                // Only the renewed token works, and only once it is valid.
                let signed = r.headers.first().map(|h| h.1.as_str()) == Some("Bearer new");
                if t_ok.get() && signed {
                    resp(200, r#"{"success":true}"#)
                } else {
                    resp(401, r#"{"status":"error","message":"token expired"}"#)
                }
            }),
        });
        let classify_401 = |_: &ApiRequest, r: &RawResponse| {
            if r.status == 401 {
                Err(ApiError::Unauthorized {
                    message: "token expired".into(),
                })
            } else {
                Ok(())
            }
        };
        let rig = |fake: Rc<Fake>| {
            let f2 = fake.clone();
            Transport::new(
                Io {
                    // Answered as things stand when sent, delivered a turn later.
                    send: Rc::new(move |r: ApiRequest| {
                        let n = f2.log.borrow().len();
                        f2.log.borrow_mut().push(r.clone());
                        let a = (f2.answer)(&r, n);
                        Box::pin(async move {
                            YieldOnce(false).await;
                            Ok(a)
                        })
                    }),
                    sleep: Rc::new(|_| Box::pin(async {})),
                    now: Rc::new(|| NOW),
                },
                Rc::new(classify_401),
                Rc::new(TwoFactorGate::new(|_| {})),
                Rc::new(|_| {}),
            )
        };
        // Without a renewal a 401 stands.
        let t = rig(fake.clone());
        let e = futures::executor::block_on(t.call(&req("x"))).unwrap_err();
        assert!(matches!(e, ApiError::Unauthorized { .. }));
        // Three requests meet the 401 together: one renewal, each sent once more.
        let renewals = Rc::new(Cell::new(0));
        let t = rig(fake.clone());
        let (r2, ok2) = (renewals.clone(), token_ok.clone());
        t.set_renew(Rc::new(move || {
            r2.set(r2.get() + 1);
            let ok = ok2.clone();
            Box::pin(async move {
                YieldOnce(false).await;
                ok.set(true);
                Ok(vec![("Authorization".into(), "Bearer new".into())])
            })
        }));
        fake.log.borrow_mut().clear();
        let results = futures::executor::block_on(futures::future::join_all((0..3).map(|i| {
            let t = t.clone();
            async move { t.call(&req(&format!("s{i}"))).await }
        })));
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(renewals.get(), 1, "one renewal for all");
        assert_eq!(fake.log.borrow().len(), 6, "each sent once more, no loop");
        assert!(
            fake.log.borrow()[3..]
                .iter()
                .all(|r| r.headers == [("Authorization".to_string(), "Bearer new".to_string())]),
            "sent again signed with the renewed credential, once"
        );
        // A renewal that does not help: the retry's 401 stands, no loop.
        token_ok.set(false);
        let t = rig(fake.clone());
        t.set_renew(Rc::new(|| {
            Box::pin(async { Ok(vec![("Authorization".into(), "Bearer new".into())]) })
        }));
        fake.log.borrow_mut().clear();
        assert!(futures::executor::block_on(t.call(&req("y"))).is_err());
        assert_eq!(fake.log.borrow().len(), 2);
        // A renewal that fails: the first 401 stands.
        let t = rig(fake.clone());
        t.set_renew(Rc::new(|| {
            Box::pin(async {
                Err(ApiError::Unauthorized {
                    message: "refresh token revoked".into(),
                })
            })
        }));
        let e = futures::executor::block_on(t.call(&req("z"))).unwrap_err();
        assert_eq!(
            e.to_string(),
            ApiError::Unauthorized {
                message: "token expired".into()
            }
            .to_string()
        );
    }

    /// A server the test answers by hand, request by request.
    #[derive(Default)]
    struct Manual {
        waiting: RefCell<Vec<(ApiRequest, futures::channel::oneshot::Sender<RawResponse>)>>,
        sent: RefCell<Vec<ApiRequest>>,
    }

    impl Manual {
        /// Answers the oldest waiting request that `pick` chooses.
        fn answer(&self, pick: impl Fn(&ApiRequest) -> bool, r: RawResponse) {
            let mut w = self.waiting.borrow_mut();
            let i = w
                .iter()
                .position(|(q, _)| pick(q))
                .expect("such a request waits");
            let (_, tx) = w.remove(i);
            let _ = tx.send(r);
        }
        fn codeless(&self) -> usize {
            self.sent
                .borrow()
                .iter()
                .filter(|r| code_of(r).is_none())
                .count()
        }
    }

    type ManualRig = (Transport, Rc<Manual>, Shared<Vec<Option<Prompt>>>);

    fn manual() -> ManualRig {
        let m = Rc::new(Manual::default());
        let m2 = m.clone();
        let prompts = Rc::new(RefCell::new(Vec::new()));
        let p2 = prompts.clone();
        let io = Io {
            send: Rc::new(move |r: ApiRequest| {
                let (tx, rx) = futures::channel::oneshot::channel();
                m2.sent.borrow_mut().push(r.clone());
                m2.waiting.borrow_mut().push((r, tx));
                Box::pin(async move {
                    rx.await.map_err(|_| ApiError::Network {
                        url: "x".into(),
                        cause: crate::http::request::NetCause::Unreachable,
                    })
                })
            }),
            sleep: Rc::new(|_| Box::pin(async {})),
            now: Rc::new(|| NOW),
        };
        let t = Transport::new(
            io,
            Rc::new(classify),
            Rc::new(TwoFactorGate::new(move |p| p2.borrow_mut().push(p))),
            Rc::new(|_| {}),
        );
        (t, m, prompts)
    }

    fn spawn(
        pool: &LocalPool,
        t: &Transport,
        r: ApiRequest,
    ) -> Shared<Option<Result<RawResponse, ApiError>>> {
        let out = Rc::new(RefCell::new(None));
        let (o, t) = (out.clone(), t.clone());
        pool.spawner()
            .spawn_local(async move { *o.borrow_mut() = Some(t.call(&r).await) })
            .unwrap();
        out
    }

    fn opened(prompts: &Shared<Vec<Option<Prompt>>>) -> usize {
        // Dialog openings: a prompt shown right after none was.
        let p = prompts.borrow();
        (0..p.len())
            .filter(|&i| p[i].is_some() && (i == 0 || p[i - 1].is_none()))
            .count()
    }

    #[test]
    fn cancel_while_verify_is_in_flight_never_reopens_the_dialog() {
        let (t, m, prompts) = manual();
        let mut pool = LocalPool::new();
        let out = spawn(&pool, &t, req("a"));
        pool.run_until_stalled();
        m.answer(|_| true, resp(400, TOTP_REQUIRED));
        pool.run_until_stalled();
        assert!(t.gate().is_open());
        t.gate().submit(pw("wrong"));
        pool.run_until_stalled();
        // The code is being checked; the admin cancels.
        t.gate().cancel();
        assert!(!t.gate().is_open());
        m.answer(|r| code_of(r).is_some(), resp(400, TOTP_INVALID));
        pool.run_until_stalled();
        assert!(
            !t.gate().is_open(),
            "the late wrong-code answer does not reopen it"
        );
        assert_eq!(opened(&prompts), 1);
        assert_eq!(*out.borrow(), Some(Err(ApiError::TwoFactorCancelled)));
    }

    #[test]
    fn a_codeless_request_racing_the_leader_opens_no_second_dialog() {
        let (t, m, prompts) = manual();
        let mut pool = LocalPool::new();
        let a = spawn(&pool, &t, req("a"));
        let b = spawn(&pool, &t, req("b"));
        pool.run_until_stalled();
        assert_eq!(m.codeless(), 2, "both went out before any dialog");
        let body = |r: &ApiRequest| r.body.as_ref().map(|b| b.to_string()).unwrap_or_default();
        m.answer(|r| body(r).contains("\"a\""), resp(400, TOTP_REQUIRED));
        pool.run_until_stalled();
        t.gate().submit(pw("good"));
        pool.run_until_stalled();
        m.answer(|r| code_of(r).is_some(), resp(200, r#"{"success":true}"#));
        pool.run_until_stalled();
        assert!(!t.gate().is_open());
        // b's code-less answer comes back late: it retries with the code.
        m.answer(|r| code_of(r).is_none(), resp(400, TOTP_REQUIRED));
        pool.run_until_stalled();
        assert!(!t.gate().is_open(), "no second dialog");
        m.answer(
            |r| code_of(r).as_deref() == Some("good"),
            resp(200, r#"{"success":true}"#),
        );
        pool.run_until_stalled();
        assert!(a.borrow().as_ref().unwrap().is_ok());
        assert!(b.borrow().as_ref().unwrap().is_ok());
        assert_eq!(opened(&prompts), 1);
        assert_eq!(
            m.codeless(),
            2,
            "no further code-less request (no second e-mail)"
        );
    }

    #[test]
    fn while_the_dialog_is_open_new_requests_wait_instead_of_asking() {
        let (t, m, _) = manual();
        let mut pool = LocalPool::new();
        let _a = spawn(&pool, &t, req("a"));
        pool.run_until_stalled();
        m.answer(|_| true, resp(400, TOTP_REQUIRED));
        pool.run_until_stalled();
        let later = spawn(&pool, &t, req("later"));
        pool.run_until_stalled();
        assert_eq!(
            m.sent.borrow().len(),
            1,
            "nothing code-less is sent while open"
        );
        t.gate().submit(pw("good"));
        pool.run_until_stalled();
        m.answer(|_| true, resp(200, r#"{"success":true}"#));
        pool.run_until_stalled();
        let sent = m.sent.borrow().clone();
        assert_eq!(sent.len(), 3);
        assert_eq!(
            code_of(&sent[2]).as_deref(),
            Some("good"),
            "it goes with the code"
        );
        m.answer(|_| true, resp(200, r#"{"success":true}"#));
        pool.run_until_stalled();
        assert!(later.borrow().as_ref().unwrap().is_ok());
    }

    #[test]
    fn a_cancelled_request_is_not_sent() {
        let (t, m, _) = manual();
        let c = crate::http::request::Cancel::default();
        c.cancel();
        let r = futures::executor::block_on(t.call(&req("a").cancel_with(&c)));
        assert_eq!(r, Err(ApiError::Cancelled));
        assert!(m.sent.borrow().is_empty());
    }

    #[test]
    fn after_close_nothing_more_is_sent() {
        let (t, m, _) = manual();
        let mut pool = LocalPool::new();
        let leader = spawn(&pool, &t, req("a"));
        pool.run_until_stalled();
        m.answer(|_| true, resp(400, TOTP_REQUIRED));
        pool.run_until_stalled();
        let follower = spawn(&pool, &t, req("b"));
        pool.run_until_stalled();
        t.close();
        pool.run_until_stalled();
        assert_eq!(*follower.borrow(), Some(Err(ApiError::SignedOut)));
        assert_eq!(*leader.borrow(), Some(Err(ApiError::SignedOut)));
        let after = spawn(&pool, &t, req("c"));
        pool.run_until_stalled();
        assert_eq!(*after.borrow(), Some(Err(ApiError::SignedOut)));
        assert_eq!(
            m.sent.borrow().len(),
            1,
            "only the first request ever went out"
        );
    }
}
