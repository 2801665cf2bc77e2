//! Opening a connection as the panel does (`server::connect`), natively:
//! sign-in with the settings filled into the token endpoint's path, the
//! typed credential, renewal ahead of expiry and after a 401 in the
//! middle of a bulk, a refused refresh ending the connection, and
//! sign-out ending the token — against a scripted Keycloak that refuses
//! what the real one refuses.

use futures::executor::block_on;
use sessiondeck::backends::{BackendKind, Credential, Renewal, Settings, Typed};
use sessiondeck::connection::Connection;
use sessiondeck::http::request::{ApiError, ApiRequest, Body, Method, RawResponse};
use sessiondeck::http::transport::Io;
use sessiondeck::server::connect::{self, Form, Wiring};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

const NOW: i64 = 1_796_000_000_000;

/// A Keycloak realm "acme" as far as these tests need: its token endpoint
/// (client credentials, password, refresh) issuing tokens that work until
/// the test expires them, `users/count`, and session deletes.
#[derive(Default)]
struct Realm {
    /// The access token that works now ("" = none).
    valid: RefCell<String>,
    issued: Cell<u32>,
    /// Refresh tokens are refused (an ended SSO session).
    refuse_refresh: Cell<bool>,
    /// Every request: method, path, form or Authorization.
    log: RefCell<Vec<String>>,
}

fn form(r: &ApiRequest) -> Vec<(String, String)> {
    match &r.body {
        Some(Body::Form(p)) => p.clone(),
        _ => Vec::new(),
    }
}

fn field(r: &ApiRequest, k: &str) -> String {
    form(r)
        .into_iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

impl Realm {
    fn answer(&self, r: &ApiRequest) -> RawResponse {
        let auth = r
            .headers
            .iter()
            .find(|(k, _)| k == "Authorization")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.log.borrow_mut().push(format!(
            "{:?} {} {}",
            r.method,
            r.path_and_query(),
            if r.body.is_some() {
                field(r, "grant_type")
            } else {
                auth.clone()
            }
        ));
        let json = |status, body: &str| RawResponse {
            status,
            body: body.into(),
            ..Default::default()
        };
        match (r.method, r.path.as_str()) {
            (Method::Post, "/realms/acme/protocol/openid-connect/token") => {
                let ok = match field(r, "grant_type").as_str() {
                    "client_credentials" => {
                        field(r, "client_id") == "sessiondeck"
                            && field(r, "client_secret") == "s3cret"
                    }
                    "password" => field(r, "password") == "pw",
                    "refresh_token" => {
                        !self.refuse_refresh.get() && field(r, "refresh_token").starts_with("r")
                    }
                    _ => false,
                };
                if !ok {
                    return json(
                        400,
                        r#"{"error":"invalid_grant","error_description":"Invalid user credentials"}"#,
                    );
                }
                self.issued.set(self.issued.get() + 1);
                let token = format!("t{}", self.issued.get());
                *self.valid.borrow_mut() = token.clone();
                let refresh = if field(r, "grant_type") == "client_credentials" {
                    String::new()
                } else {
                    format!(r#","refresh_token":"r{}""#, self.issued.get())
                };
                json(
                    200,
                    &format!(
                        r#"{{"access_token":"{token}","expires_in":300{refresh},"token_type":"Bearer"}}"#
                    ),
                )
            }
            (Method::Post, "/realms/acme/protocol/openid-connect/logout") => json(204, ""),
            _ if auth != format!("Bearer {}", self.valid.borrow())
                || self.valid.borrow().is_empty() =>
            {
                json(401, r#"{"error":"HTTP 401 Unauthorized"}"#)
            }
            (Method::Get, "/admin/realms/acme/users/count") => json(200, "12"),
            (Method::Delete, p) if p.starts_with("/admin/realms/acme/sessions/") => json(204, ""),
            _ => json(404, r#"{"error":"Not found"}"#),
        }
    }

    /// Every token issued so far stops working (they expired).
    fn expire(&self) {
        self.valid.borrow_mut().clear();
    }

    fn logged(&self, part: &str) -> Vec<String> {
        self.log
            .borrow()
            .iter()
            .filter(|l| l.contains(part))
            .cloned()
            .collect()
    }
}

/// `realm` reached through the transport's own fakes, at `now`.
fn io(realm: &Rc<Realm>, now: Rc<Cell<i64>>) -> Io {
    let r = realm.clone();
    Io {
        send: Rc::new(move |req: ApiRequest| {
            let a = r.answer(&req);
            Box::pin(async move { Ok(a) })
        }),
        sleep: Rc::new(|_| Box::pin(async {})),
        now: Rc::new(move || now.get() as f64),
    }
}

fn form_for(method: &str, typed: &[(&str, &str)]) -> Form {
    Form {
        kind: BackendKind::Keycloak,
        base: "http://127.0.0.1:9".into(),
        method: method.into(),
        typed: Typed::from_pairs(typed),
        remember_hours: None,
    }
}

/// Signs in with the service account.
fn service_account(realm: &Rc<Realm>, now: &Rc<Cell<i64>>) -> Connection {
    sign_in(
        realm,
        now,
        "client",
        &[
            ("realm", "acme"),
            ("client_id", "sessiondeck"),
            ("client_secret", "s3cret"),
        ],
    )
}

/// Signs in as the admin, with a password through `admin-cli`.
fn admin_password(realm: &Rc<Realm>, now: &Rc<Cell<i64>>) -> Connection {
    sign_in(
        realm,
        now,
        "password",
        &[
            ("realm", "acme"),
            ("client_id", "admin-cli"),
            ("username", "ada"),
            ("password", "pw"),
        ],
    )
}

/// Signs in to the test realm with `method` and what was typed.
fn sign_in(
    realm: &Rc<Realm>,
    now: &Rc<Cell<i64>>,
    method: &str,
    typed: &[(&str, &str)],
) -> Connection {
    let f = form_for(method, typed);
    let (realm, now) = (realm.clone(), now.clone());
    block_on(connect::sign_in(&f, &move |_| {
        Wiring::quiet(io(&realm, now.clone()))
    }))
    .unwrap()
}

/// What a line's wiring saw: renewed credentials, 401s handed on.
#[derive(Default)]
struct Seen {
    renewed: RefCell<Vec<Credential>>,
    ended: RefCell<Vec<String>>,
}

fn open(conn: &Connection, realm: &Rc<Realm>, now: &Rc<Cell<i64>>) -> (connect::Line, Rc<Seen>) {
    let seen = Rc::new(Seen::default());
    let (s1, s2) = (seen.clone(), seen.clone());
    let line = connect::open(
        conn,
        Wiring {
            renewed: Rc::new(move |c: &Credential| s1.renewed.borrow_mut().push(c.clone())),
            unauthorized: Rc::new(move |e: ApiError| s2.ended.borrow_mut().push(e.to_string())),
            ..Wiring::quiet(io(realm, now.clone()))
        },
    );
    (line, seen)
}

#[test]
fn sign_in_fills_the_realm_into_the_token_path_and_keeps_no_secret_in_settings() {
    let realm = Rc::new(Realm::default());
    let now = Rc::new(Cell::new(NOW));
    let conn = service_account(&realm, &now);
    assert_eq!(
        realm.logged("openid-connect/token"),
        ["Post /realms/acme/protocol/openid-connect/token client_credentials"]
    );
    assert_eq!(
        realm.logged("users/count"),
        ["Get /admin/realms/acme/users/count Bearer t1"]
    );
    assert_eq!(
        conn.settings,
        Settings(vec![
            ("realm".into(), "acme".into()),
            ("client_id".into(), "sessiondeck".into())
        ])
    );
    assert_eq!(conn.credential.access, "t1");
    assert_eq!(conn.credential.expires_at, Some(NOW + 300_000));
    assert_eq!(
        conn.credential.renewal,
        Some(Renewal::ClientSecret("s3cret".into()))
    );
    assert!(conn.issued_by_panel);
    assert!(conn.label().ends_with("realm acme"), "{}", conn.label());
    // The secret is no part of the account, nor of its debug output.
    let other_secret = Connection {
        credential: Credential::token("x"),
        ..conn.clone()
    };
    assert_eq!(conn.account_key(), other_secret.account_key());
    assert!(!format!("{conn:?}").contains("s3cret"));

    // A refused sign-in says why, and nothing is kept.
    let bad = form_for(
        "client",
        &[
            ("realm", "acme"),
            ("client_id", "sessiondeck"),
            ("client_secret", "wrong"),
        ],
    );
    let r2 = realm.clone();
    let e = block_on(connect::sign_in(&bad, &move |_| {
        Wiring::quiet(io(&r2, Rc::new(Cell::new(NOW))))
    }))
    .unwrap_err();
    assert!(
        e.contains("401") && e.contains("Invalid user credentials"),
        "{e}"
    );
    // Empty fields are named in the server's words before anything is sent.
    let sent = realm.log.borrow().len();
    let empty = form_for("client", &[("realm", "acme")]);
    let r3 = realm.clone();
    let e = block_on(connect::sign_in(&empty, &move |_| {
        Wiring::quiet(io(&r3, Rc::new(Cell::new(NOW))))
    }))
    .unwrap_err();
    assert_eq!(e, "Enter Client ID and Client secret.");
    assert_eq!(realm.log.borrow().len(), sent);
}

#[test]
fn a_credential_about_to_expire_is_renewed_before_the_call() {
    let realm = Rc::new(Realm::default());
    let now = Rc::new(Cell::new(NOW));
    let conn = service_account(&realm, &now);
    let (line, seen) = open(&conn, &realm, &now);
    // Twenty seconds before its end: renewed first, then the call.
    now.set(NOW + 280_000);
    realm.log.borrow_mut().clear();
    let r = block_on(line.call(ApiRequest::new(
        Method::Get,
        "/admin/realms/{realm}/users/count",
    )));
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        *realm.log.borrow(),
        [
            "Post /realms/acme/protocol/openid-connect/token client_credentials",
            "Get /admin/realms/acme/users/count Bearer t2",
        ]
    );
    let renewed = seen.renewed.borrow();
    assert_eq!(renewed.len(), 1, "kept as the old one was");
    assert_eq!(renewed[0].access, "t2");
    assert_eq!(renewed[0].expires_at, Some(NOW + 280_000 + 300_000));
    assert_eq!(line.credential().access, "t2");
    assert!(seen.ended.borrow().is_empty());
}

#[test]
fn a_401_in_the_middle_of_a_bulk_renews_once_and_every_revoke_is_sent_again() {
    let realm = Rc::new(Realm::default());
    let now = Rc::new(Cell::new(NOW));
    let conn = admin_password(&realm, &now);
    assert_eq!(
        conn.credential.renewal,
        Some(Renewal::RefreshToken("r1".into()))
    );
    let (line, seen) = open(&conn, &realm, &now);
    // Two revokes pass, then the token is revoked server-side mid-bulk.
    let revoke = |id: &str| {
        BackendKind::Keycloak
            .backend()
            .revoke(sessiondeck::backends::Scope::All, id)
            .unwrap()
    };
    for id in ["s1", "s2"] {
        assert!(block_on(line.call(revoke(id))).is_ok());
    }
    realm.expire();
    let rest: Vec<_> = block_on(futures::future::join_all(
        ["s3", "s4", "s5"].map(|id| line.call(revoke(id))),
    ));
    assert!(rest.iter().all(Result::is_ok), "{rest:?}");
    assert_eq!(
        realm.logged("refresh_token").len(),
        1,
        "one renewal for all"
    );
    for id in ["s3", "s4", "s5"] {
        assert!(
            realm.logged(&format!("/sessions/{id} Bearer t2")).len() == 1,
            "{id} sent again with the new token: {:?}",
            realm.log.borrow()
        );
    }
    assert_eq!(seen.renewed.borrow().len(), 1);
    assert!(seen.ended.borrow().is_empty());
    // Sign-out ends the session the password grant opened, with its
    // refresh token, at the realm's logout endpoint.
    let end = line.close().expect("the panel obtained this token");
    block_on(end);
    assert_eq!(
        realm.logged("logout"),
        ["Post /realms/acme/protocol/openid-connect/logout "]
    );
    assert!(
        block_on(line.call(revoke("s6"))).is_err(),
        "closed: nothing more is sent"
    );
}

#[test]
fn a_refused_refresh_leaves_the_401_standing_and_ends_the_connection() {
    let realm = Rc::new(Realm::default());
    let now = Rc::new(Cell::new(NOW));
    let conn = admin_password(&realm, &now);
    let (line, seen) = open(&conn, &realm, &now);
    realm.expire();
    realm.refuse_refresh.set(true);
    let e = block_on(line.call(ApiRequest::new(
        Method::Get,
        "/admin/realms/{realm}/users/count",
    )))
    .unwrap_err();
    assert!(matches!(e, ApiError::Unauthorized { .. }), "{e:?}");
    assert_eq!(
        realm.logged("refresh_token").len(),
        1,
        "tried once, no loop"
    );
    assert_eq!(seen.ended.borrow().len(), 1, "the connection ends");
    assert!(seen.renewed.borrow().is_empty());
    // Ahead of expiry too: a refused renewal is not retried before each call.
    now.set(NOW + 299_000);
    let _ = block_on(line.call(ApiRequest::new(
        Method::Get,
        "/admin/realms/{realm}/users/count",
    )));
    assert_eq!(
        realm.logged("refresh_token").len(),
        3,
        "ahead once, then once for the 401"
    );
}
