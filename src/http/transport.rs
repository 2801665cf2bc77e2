//! The one transport: sends requests, waits on the shared two-factor gate,
//! waits out rate limits, and maps every answer to `Result<_, ApiError>`.
//!
//! [`Transport`] is generic over how bytes move (`send`) and how time passes
//! (`sleep`, `now`), so its retry logic is tested natively with fakes;
//! [`browser`] provides the real fetch / setTimeout versions.

use super::request::{ApiError, ApiRequest, Code, RawResponse};
use super::two_factor::{LeaderInput, Released, Ticket, TwoFactorGate};
use futures::future::LocalBoxFuture;
use std::rc::Rc;

pub type SendFn = Rc<dyn Fn(ApiRequest) -> LocalBoxFuture<'static, Result<RawResponse, ApiError>>>;
pub type SleepFn = Rc<dyn Fn(f64) -> LocalBoxFuture<'static, ()>>;
pub type ClassifyFn = fn(&ApiRequest, &RawResponse) -> Result<(), ApiError>;

/// A request with no complete answer after this long fails as a network error.
pub const REQUEST_TIMEOUT_MS: u32 = 30_000;

/// How many times one request waits out a 429 before giving up.
pub const MAX_RATE_LIMIT_WAITS: usize = 5;
/// Wait bounds for a rate-limit reset (ms): never hammer, never hang.
const MIN_WAIT_MS: f64 = 500.0;
const MAX_WAIT_MS: f64 = 120_000.0;
const DEFAULT_WAIT_MS: f64 = 5_000.0;

/// Rate-limit notifications for the countdown banner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RateLimitEvent {
    /// Waiting until this epoch-ms instant.
    Waiting {
        until_ms: f64,
    },
    Resumed,
}

#[derive(Clone)]
pub struct Transport {
    pub send: SendFn,
    pub sleep: SleepFn,
    pub now: Rc<dyn Fn() -> f64>,
    pub classify: ClassifyFn,
    pub gate: Rc<TwoFactorGate>,
    pub on_rate_limit: Rc<dyn Fn(RateLimitEvent)>,
}

impl Transport {
    /// Sends `req` and returns its successful answer. Asks for a second factor
    /// through the gate when the server wants one, retrying once after it.
    pub async fn call(&self, req: &ApiRequest) -> Result<RawResponse, ApiError> {
        let mut code: Option<Code> = None;
        loop {
            match self.attempt(req, code.as_ref()).await {
                Err(ApiError::TwoFactorRequired(challenge)) => match self.gate.enter(challenge) {
                    Ticket::Leader(rx) => return self.lead(req, rx).await,
                    Ticket::Follower(rx) => match rx.await {
                        Ok(Released::Retry(c)) => code = c,
                        Ok(Released::Stop(Some(e))) => return Err(e),
                        Ok(Released::Stop(None)) | Err(_) => {
                            return Err(ApiError::TwoFactorCancelled)
                        }
                    },
                },
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
    ) -> Result<RawResponse, ApiError> {
        loop {
            let input = rx.await.unwrap_or(LeaderInput::Cancel);
            let (code, resend) = match input {
                LeaderInput::Cancel => {
                    self.gate.release(Released::Stop(None));
                    return Err(ApiError::TwoFactorCancelled);
                }
                LeaderInput::Resend => (None, true),
                LeaderInput::Code(c) => (Some(c), false),
            };
            match self.attempt(req, code.as_ref()).await {
                Ok(resp) => {
                    self.gate.release(Released::Retry(code));
                    return Ok(resp);
                }
                Err(ApiError::TwoFactorRequired(challenge)) => {
                    let note = if resend {
                        Some(resend_note(&challenge))
                    } else {
                        None
                    };
                    let error = (!resend).then(|| {
                        "The server asked for a code again. Enter a new code.".to_string()
                    });
                    rx = self.gate.rearm(Some(challenge), error, note);
                }
                Err(ApiError::TwoFactorInvalid { message }) => {
                    rx = self.gate.rearm(
                        None,
                        Some(format!(
                            "Wrong code — the server answered \u{201c}{message}\u{201d}. Check it and try again."
                        )),
                        None,
                    );
                }
                Err(e @ ApiError::TwoFactorMaxAttempts { .. }) => {
                    self.gate.release(Released::Stop(Some(e.clone())));
                    return Err(e);
                }
                Err(e) => {
                    // The code itself was not refused; let the others try with it.
                    self.gate.release(Released::Retry(code));
                    return Err(e);
                }
            }
        }
    }

    /// One send, plus waiting out rate limits (bounded).
    async fn attempt(
        &self,
        req: &ApiRequest,
        code: Option<&Code>,
    ) -> Result<RawResponse, ApiError> {
        let mut waits = 0;
        loop {
            let resp = (self.send)(req.with_code(code)).await?;
            match (self.classify)(req, &resp) {
                Ok(()) => return Ok(resp),
                Err(ApiError::RateLimited { .. }) if waits < MAX_RATE_LIMIT_WAITS => {
                    waits += 1;
                    let now = (self.now)();
                    let delay = resp
                        .rate_limit_reset
                        .map(|reset| reset - now)
                        .unwrap_or(DEFAULT_WAIT_MS)
                        .clamp(MIN_WAIT_MS, MAX_WAIT_MS);
                    (self.on_rate_limit)(RateLimitEvent::Waiting {
                        until_ms: now + delay,
                    });
                    (self.sleep)(delay).await;
                    (self.on_rate_limit)(RateLimitEvent::Resumed);
                }
                Err(e) => return Err(e),
            }
        }
    }
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

/// The browser's fetch and timers.
pub mod browser {
    use super::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    /// Sends through `fetch` against `base` with the connection's auth headers.
    pub fn fetch_sender(base: String, auth: Vec<(String, String)>) -> SendFn {
        let base = Rc::new(base);
        let auth = Rc::new(auth);
        Rc::new(move |req: ApiRequest| {
            let base = base.clone();
            let auth = auth.clone();
            Box::pin(async move { fetch(&base, &auth, &req).await })
        })
    }

    async fn fetch(
        base: &str,
        auth: &[(String, String)],
        req: &ApiRequest,
    ) -> Result<RawResponse, ApiError> {
        let url = req.url(base);
        let sent_two_factor = req.headers.iter().any(|(k, _)| k == "X-2fa-Code");
        // A server that never answers must not hold the screen forever.
        let signal = web_sys::AbortSignal::timeout_with_u32(REQUEST_TIMEOUT_MS);
        let network = |url: &str| ApiError::Network {
            url: url.to_string(),
            cross_origin: is_cross_origin(url),
            sent_two_factor,
            timed_out: signal.aborted(),
        };
        let init = web_sys::RequestInit::new();
        init.set_signal(Some(&signal));
        init.set_method(req.method.as_str());
        init.set_credentials(web_sys::RequestCredentials::Omit);
        let headers = web_sys::Headers::new().map_err(|_| network(&url))?;
        let _ = headers.set("Accept", "application/json");
        for (k, v) in auth.iter().chain(req.headers.iter()) {
            // A header value the browser refuses (e.g. a newline pasted into
            // a token) must not panic: report it as the bad request it is.
            headers.set(k, v).map_err(|_| ApiError::BadResponse {
                status: 0,
                why: format!("the {k} header has characters a browser cannot send; re-enter it"),
            })?;
        }
        if let Some(body) = &req.body {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&wasm_bindgen::JsValue::from_str(&body.to_string()));
        }
        init.set_headers(&headers);
        let request =
            web_sys::Request::new_with_str_and_init(&url, &init).map_err(|_| network(&url))?;
        let window = web_sys::window().ok_or_else(|| network(&url))?;
        let resp = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| network(&url))?;
        let resp: web_sys::Response = resp.dyn_into().map_err(|_| network(&url))?;
        let status = resp.status();
        let rate_limit_reset = resp
            .headers()
            .get("X-RateLimit-Reset")
            .ok()
            .flatten()
            .and_then(|v| crate::http::request::parse_reset_header(&v));
        let text = match resp.text() {
            Ok(p) => JsFuture::from(p).await.map_err(|_| network(&url))?,
            Err(_) => return Err(network(&url)),
        };
        Ok(RawResponse {
            status,
            body: text.as_string().unwrap_or_default(),
            rate_limit_reset,
        })
    }

    /// Whether `url` points at another origin than the panel's own.
    pub fn is_cross_origin(url: &str) -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let here = window.location().href().unwrap_or_default();
        let own = window.location().origin().unwrap_or_default();
        web_sys::Url::new_with_base(url, &here)
            .map(|u| u.origin() != own)
            .unwrap_or(false)
    }

    pub fn sleeper() -> SleepFn {
        Rc::new(|ms: f64| Box::pin(sleep(ms)))
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

    pub fn now() -> Rc<dyn Fn() -> f64> {
        Rc::new(js_sys::Date::now)
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
        RawResponse {
            status,
            body: body.into(),
            rate_limit_reset: None,
        }
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
        let t = Transport {
            send: Rc::new(move |r: ApiRequest| {
                let f = f2.clone();
                Box::pin(async move {
                    let n = f.log.borrow().len();
                    f.log.borrow_mut().push(r.clone());
                    Ok((f.answer)(&r, n))
                })
            }),
            sleep: Rc::new(move |ms| {
                s2.borrow_mut().push(ms);
                Box::pin(async {})
            }),
            now: Rc::new(|| 1_000_000.0),
            classify: crate::backends::rocketchat::classify,
            gate: Rc::new(TwoFactorGate::new(move |p| *p2.borrow_mut() = p)),
            on_rate_limit: Rc::new(move |e| e2.borrow_mut().push(e)),
        };
        (t, prompt, slept, events)
    }

    fn req(id: &str) -> ApiRequest {
        ApiRequest::new(Method::Post, "/api/v1/sessions/logout")
            .json(crate::json::Value::object([("sessionId", id.into())]))
            .carrier(CodeCarrier::Headers)
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
        t.gate.submit(pw("bad"));
        pool.run_until_stalled();
        let p = prompt
            .borrow()
            .clone()
            .expect("dialog stays open after a wrong code");
        assert!(p.error.unwrap().contains("Wrong code"));
        assert!(result.borrow().is_none());
        t.gate.submit(pw("good"));
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
        // Five code-less tries, no more, until the person answers.
        assert_eq!(fake.log.borrow().len(), 5);
        t.gate.submit(pw("good"));
        pool.run_until_stalled();
        assert_eq!(done.get(), 5);
        // 5 first tries + 1 leader retry + 4 follower retries.
        assert_eq!(fake.log.borrow().len(), 10);
    }

    #[test]
    fn cancel_ends_every_waiting_request() {
        let fake = Rc::new(Fake {
            log: RefCell::new(vec![]),
            answer: Box::new(|_, _| resp(400, TOTP_REQUIRED)),
        });
        let (t, prompt, _, _) = transport(fake.clone());
        let mut pool = LocalPool::new();
        let results = Rc::new(RefCell::new(Vec::new()));
        for i in 0..3 {
            let t2 = t.clone();
            let r = results.clone();
            pool.spawner()
                .spawn_local(async move {
                    let out = t2.call(&req(&format!("{i}"))).await;
                    r.borrow_mut().push(out)
                })
                .unwrap();
        }
        pool.run_until_stalled();
        t.gate.cancel();
        pool.run_until_stalled();
        assert!(prompt.borrow().is_none());
        assert_eq!(results.borrow().len(), 3);
        assert!(results
            .borrow()
            .iter()
            .all(|r| r == &Err(ApiError::TwoFactorCancelled)));
        assert_eq!(fake.log.borrow().len(), 3);
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
        t.gate.resend();
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
        let results = Rc::new(RefCell::new(Vec::new()));
        for i in 0..2 {
            let t2 = t.clone();
            let r = results.clone();
            pool.spawner()
                .spawn_local(async move {
                    let out = t2.call(&req(&format!("{i}"))).await;
                    r.borrow_mut().push(out)
                })
                .unwrap();
        }
        pool.run_until_stalled();
        t.gate.submit(pw("x"));
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
                        rate_limit_reset: Some(1_003_000.0),
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
                until_ms: 1_003_000.0
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
}
