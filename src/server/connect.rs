//! Opening a connection — the one place that assembles what every call to
//! a server goes through: the transport (two-factor gate, rate limits,
//! answers read by the backend), the sign-in method's settings filled into
//! every path (sign-in and sign-out included), the credential in every
//! request's headers — renewed ahead of its expiry and once after a 401 —
//! and a 401 that renewal could not cure handed back, to end the
//! connection. The browser (`AppCtx`) and the native tests open
//! connections the same way; only the [`Wiring`] differs.

use super::{Link, ServerId, ServerIdentity};
use crate::backends::{
    Backend, BackendKind, Credential, Settings, SignInMethod, SignInStep, Typed,
};
use crate::connection::Connection;
use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::http::transport::{Io, RateLimitEvent, RenewFn, Transport};
use crate::http::two_factor::TwoFactorGate;
use futures::future::LocalBoxFuture;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// What a connection needs from around it.
#[derive(Clone)]
pub struct Wiring {
    /// How bytes move to this server, and the clock.
    pub io: Io,
    /// Where it asks for a second factor.
    pub gate: Rc<TwoFactorGate>,
    /// Where its rate-limit waits are shown.
    pub on_rate_limit: Rc<dyn Fn(RateLimitEvent)>,
    /// The credential was renewed: keep it as the old one was.
    pub renewed: Rc<dyn Fn(&Credential)>,
    /// A 401 that renewal could not cure: the connection ends.
    pub unauthorized: Rc<dyn Fn(ApiError)>,
}

impl Wiring {
    /// `io` with a gate no dialog answers, no banner, nothing kept.
    pub fn quiet(io: Io) -> Wiring {
        Wiring {
            io,
            gate: Rc::new(TwoFactorGate::new(|_| {})),
            on_rate_limit: Rc::new(|_| {}),
            renewed: Rc::new(|_| {}),
            unauthorized: Rc::new(|_| {}),
        }
    }
}

/// An open connection to one server (cheap to clone: every part is shared).
#[derive(Clone)]
pub struct Line {
    backend: &'static dyn Backend,
    settings: Rc<Settings>,
    credential: Rc<RefCell<Credential>>,
    transport: Transport,
    /// Sign-out ends the credential on the server.
    issued_by_panel: bool,
    now: Rc<dyn Fn() -> f64>,
    unauthorized: Rc<dyn Fn(ApiError)>,
    /// The expiry a renewal ahead of time failed for: not tried again
    /// before a call meets the 401 (which renews once more, then ends).
    ahead_failed: Rc<Cell<Option<i64>>>,
}

/// The transport of a `backend` connection over `w`, with no credential yet.
fn transport(backend: &'static dyn Backend, w: &Wiring) -> Transport {
    Transport::new(
        w.io.clone(),
        Rc::new(move |req: &ApiRequest, resp: &RawResponse| backend.classify(req, resp)),
        w.gate.clone(),
        w.on_rate_limit.clone(),
    )
}

/// Opens `conn` over `w`.
pub fn open(conn: &Connection, w: Wiring) -> Line {
    let backend = conn.kind.backend();
    let transport = transport(backend, &w);
    transport.set_auth(backend.auth_headers(&conn.settings, &conn.credential));
    let settings = Rc::new(conn.settings.clone());
    let credential = Rc::new(RefCell::new(conn.credential.clone()));
    if backend.renew(&settings, &conn.credential).is_some() {
        transport.set_renew(renewal(backend, settings.clone(), credential.clone(), &w));
    }
    Line {
        backend,
        settings,
        credential,
        transport,
        issued_by_panel: conn.issued_by_panel,
        now: w.io.now.clone(),
        unauthorized: w.unauthorized,
        ahead_failed: Rc::default(),
    }
}

/// How a connection renews its credential: the backend's call, sent
/// without the old token (straight through `w.io`, settings filled in);
/// the new credential replaces the old one and is handed to `w.renewed`;
/// the transport signs what it sends next with the new headers.
fn renewal(
    backend: &'static dyn Backend,
    settings: Rc<Settings>,
    credential: Rc<RefCell<Credential>>,
    w: &Wiring,
) -> RenewFn {
    let (send, now, renewed) = (w.io.send.clone(), w.io.now.clone(), w.renewed.clone());
    Rc::new(move || {
        let old = credential.borrow().clone();
        let req = backend
            .renew(&settings, &old)
            .map(|r| r.with_settings(&settings.0));
        let (send, now, renewed) = (send.clone(), now.clone(), renewed.clone());
        let (settings, credential) = (settings.clone(), credential.clone());
        Box::pin(async move {
            let refused = |why: String| ApiError::Unauthorized {
                message: format!("the sign-in expired and could not be renewed ({why})"),
            };
            let req = req.ok_or_else(|| refused("nothing to renew it with".into()))?;
            let resp = send(req).await?;
            if !resp.is_success() {
                return Err(refused(format!(
                    "the server answered {} to the renewal",
                    resp.status
                )));
            }
            let new = backend.parse_renewed(&resp.body, &old, now() as i64)?;
            *credential.borrow_mut() = new.clone();
            renewed(&new);
            Ok(backend.auth_headers(&settings, &new))
        })
    })
}

impl Line {
    /// Sends `req` (its settings filled in): renews the credential first
    /// when it is about to expire; a 401 that renewal could not cure ends
    /// the connection (unless the 401 is the answer asked for).
    pub async fn call(&self, req: ApiRequest) -> Result<RawResponse, ApiError> {
        let req = req.with_settings(&self.settings.0);
        let (due, expiry) = {
            let c = self.credential.borrow();
            (c.renew_due((self.now)() as i64), c.expires_at)
        };
        if due && self.ahead_failed.get() != expiry && self.transport.renew_now().await.is_err() {
            self.ahead_failed.set(expiry);
        }
        let r = self.transport.call(&req).await;
        if let Err(e @ ApiError::Unauthorized { .. }) = &r {
            if self.transport.is_open() && !req.unauthorized_is_answer {
                (self.unauthorized)(e.clone());
            }
        }
        r
    }

    /// What a [`super::Server`] sends through.
    pub fn link(&self) -> Link {
        let line = self.clone();
        let learnt = self.transport.clone();
        Link {
            call: Rc::new(move |req| {
                let line = line.clone();
                Box::pin(async move { line.call(req).await })
            }),
            in_flight: Rc::new(move || learnt.in_flight()),
        }
    }

    /// Who the credential belongs to, as the header shows it.
    pub async fn whoami(&self) -> Result<String, ApiError> {
        let resp = self.call(self.backend.whoami()).await?;
        self.backend
            .parse_whoami(&resp.body, &self.settings, &self.credential.borrow())
    }

    /// The credential as it is now (renewals replace it).
    pub fn credential(&self) -> Credential {
        self.credential.borrow().clone()
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Nothing more is sent through it, by anyone holding it. A credential
    /// the panel obtained is ended on the server: that call is returned to
    /// be run (settings filled in; sent even though the line is closed).
    pub fn close(&self) -> Option<LocalBoxFuture<'static, ()>> {
        self.transport.close();
        let req = self
            .issued_by_panel
            .then(|| {
                self.backend
                    .end_token(&self.settings, &self.credential.borrow())
            })
            .flatten()?
            .with_settings(&self.settings.0);
        let transport = self.transport.clone();
        Some(Box::pin(async move {
            let _ = transport.send_raw(req).await;
        }))
    }
}

/// Who connection `id` to `conn` is, for [`super::Server::new`] (`origin`:
/// the panel's own, which an empty Server URL means).
pub fn identity(id: ServerId, conn: &Connection, origin: &str) -> ServerIdentity {
    let backend = conn.kind.backend();
    ServerIdentity {
        id,
        backend,
        // One server reached as "" (this origin) and by its full URL is
        // one server: its sessions are counted and revoked once.
        // Two realms of one Keycloak are two servers.
        address: format!(
            "{} {}{}",
            backend.key(),
            crate::url::server_address(&conn.base_url, origin),
            backend
                .label_detail(&conn.settings)
                .map(|d| format!(" {d}"))
                .unwrap_or_default()
        ),
        label: conn.label(),
        admin: conn.display_name.clone(),
        own_in_token: backend.own_session_in_token(&conn.credential.access),
        // Where the sign-in names its user (Rocket.Chat's user ID).
        admin_user_id: Some(conn.settings.get("user_id").to_string()).filter(|u| !u.is_empty()),
        settings: conn.settings.clone(),
    }
}

/// What the Connect form holds when Connect is pressed.
#[derive(Clone, Debug)]
pub struct Form {
    pub kind: BackendKind,
    /// Server URL as typed (normalised here).
    pub base: String,
    /// The chosen [`SignInMethod::key`].
    pub method: String,
    /// Every field as typed, secrets included (used once, never kept).
    pub typed: Typed,
    /// "Remember on this device" for this many hours (`None`: this tab only).
    pub remember_hours: Option<u32>,
}

impl Form {
    /// The sign-in method chosen (the backend's first when the key is
    /// unknown).
    pub fn method(&self) -> &'static SignInMethod {
        let all = self.kind.backend().sign_in_methods();
        all.iter().find(|m| m.key == self.method).unwrap_or(&all[0])
    }
}

/// The message for a failed Connect: a 401 here means the credentials.
fn explain(e: ApiError) -> String {
    match e {
        ApiError::Unauthorized { message } => format!(
            "401 Unauthorized: the server says \u{201c}{message}\u{201d}. Check the credentials and try again."
        ),
        other => other.to_string(),
    }
}

/// Signs in with what `f` holds, over the wiring `wire` gives for the
/// normalised Server URL: the connection to keep (who it is confirmed by
/// the server), or what to tell the admin. A credential the panel obtained
/// is ended again when Connect fails after all.
pub async fn sign_in(f: &Form, wire: &dyn Fn(&str) -> Wiring) -> Result<Connection, String> {
    let base = Connection::normalise_base(&f.base)?;
    let backend = f.kind.backend();
    let method = f.method();
    if let Some(missing) = method.missing(&f.typed) {
        return Err(missing);
    }
    let mut settings = Settings::typed(method, &f.typed);
    let w = wire(&base);
    let now = (w.io.now)() as i64;
    let credential = match backend.sign_in(method.key, &settings, &f.typed) {
        SignInStep::Have(c) => c,
        SignInStep::Call(req) => {
            let t = transport(backend, &w);
            let resp = t.call(&req.with_settings(&settings.0)).await;
            t.close();
            let signed = backend
                .parse_sign_in(method.key, &f.typed, &resp.map_err(explain)?.body, now)
                .map_err(explain)?;
            // What the answer taught is added; what was typed stays.
            for (k, v) in signed.learnt.0 {
                if settings.get(&k).is_empty() {
                    settings.set(&k, v);
                }
            }
            signed.credential
        }
    };
    let mut conn = Connection {
        kind: f.kind,
        base_url: base,
        settings,
        credential,
        remember_until: f.remember_hours.map(|h| now + i64::from(h) * 3_600_000),
        since: now,
        display_name: String::new(),
        issued_by_panel: method.obtains_token,
    };
    let line = open(
        &conn,
        Wiring {
            unauthorized: Rc::new(|_| {}),
            renewed: Rc::new(|_| {}),
            ..w
        },
    );
    match line.whoami().await {
        Ok(name) => {
            conn.display_name = name;
            conn.credential = line.credential();
            Ok(conn)
        }
        Err(e) => {
            // A token the panel just obtained must not outlive a failed Connect.
            if let Some(end) = line.close() {
                end.await;
            }
            Err(explain(e))
        }
    }
}
