//! Keycloak's admin REST API (api-notes §5; Keycloak 24–26, checked
//! against its OpenAPI): the identity provider in front of the chat and
//! office servers, whose single sign-on session lets a person straight
//! back in.
//!
//! Signs in at the realm's token endpoint (a service account's client
//! credentials, or a password grant) and renews ahead of expiry. Lists
//! every client's online and offline sessions as `client-session-stats`
//! names them, paged and de-duplicated (README → Keycloak says why that and
//! not one request per user); a person's own sessions, and every check
//! after a revoke, read `users/{id}/sessions`, which misses none.
//!
//! Pure: builds [`ApiRequest`]s and parses answers; nothing here panics on
//! server data.

use super::common::{
    check_id, epoch, json_str, json_text, jwt_claim, page_of, parse_json, path_segment,
    status_to_error,
};
use super::credential::{Credential, Input, Renewal, SignInMethod, SignInStep, SignedIn, Typed};
use super::paging::{user_probes, PageNo, PagedPage, Probe, Target};
use super::{
    Account, AllText, Backend, Caps, ListPage, LoadPlan, OwnSource, PerUser, Revoked, Scope,
    Settings,
};
use crate::http::request::{clip, ApiError, ApiRequest, ForbiddenWhat, Method, RawResponse};
use crate::json::Value;
use crate::list::SortKey;
use crate::model::{flatten_fields, Field, Session};

/// Keycloak's admin REST API.
pub struct Keycloak;

const REALM: &str = "realm";
const CLIENT_ID: &str = "client_id";
const CLIENT_SECRET: &str = "client_secret";
const CLIENT: &str = "client";
const PASSWORD: &str = "password";
/// Every admin call's base (its `{realm}` filled in by the connection).
const ADMIN: &str = "/admin/realms/{realm}";
const OIDC: &str = "/realms/{realm}/protocol/openid-connect";
/// Rows per page (`max`).
pub const PAGE: usize = 100;
/// Added to an offline session's ID: Keycloak gives it the ID of the online
/// session it came from, and ends it only with `isOffline=true`.
pub const OFFLINE: &str = ":offline";
/// The right every admin call here needs (named in a 403).
const VIEW: &str = "view-users (realm-management)";
const MANAGE: &str = "manage-users (realm-management)";

impl Backend for Keycloak {
    fn key(&self) -> &'static str {
        "keycloak"
    }
    fn label(&self) -> &'static str {
        "Keycloak"
    }
    fn sign_in_methods(&self) -> &'static [SignInMethod] {
        const REALM_INPUT: Input = Input::setting(REALM, "Realm").or("master");
        const METHODS: &[SignInMethod] = &[
            SignInMethod {
                key: CLIENT,
                label: "Service account (client credentials)",
                inputs: &[
                    REALM_INPUT,
                    Input::setting(CLIENT_ID, "Client ID"),
                    Input::secret(CLIENT_SECRET, "Client secret"),
                ],
                hint: "A confidential client whose service account holds realm-management's view-users and manage-users. The panel asks the realm's token endpoint for a token and asks again before it expires, so the secret is kept like a token: in this tab, or on this device if you tick Remember.",
                obtains_token: true,
            },
            SignInMethod {
                key: PASSWORD,
                label: "Username and password",
                inputs: &[
                    REALM_INPUT,
                    Input::setting(CLIENT_ID, "Client ID").or("admin-cli"),
                    Input::username("username", "Username"),
                    Input::secret(PASSWORD, "Password"),
                ],
                hint: "An administrator of the realm (password grant of a public client such as admin-cli). The password is sent once; the panel keeps the refresh token it gets, and ends it at sign-out.",
                obtains_token: true,
            },
        ];
        METHODS
    }
    fn server_hint(&self) -> Option<&'static str> {
        Some("A browser on another origin is answered only from the client's Web origins (or through the deploy recipe's proxy: README → Deploy).")
    }
    fn sign_in(&self, method: &str, settings: &Settings, typed: &Typed) -> SignInStep {
        let client_id = settings.get(CLIENT_ID);
        SignInStep::Call(match method {
            PASSWORD => token_request(&[
                ("grant_type", "password"),
                ("client_id", client_id),
                ("username", typed.get("username").trim()),
                ("password", typed.get(PASSWORD)),
                ("scope", "openid"),
            ]),
            _ => token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", typed.get(CLIENT_SECRET).trim()),
            ]),
        })
    }
    fn parse_sign_in(
        &self,
        method: &str,
        typed: &Typed,
        body: &str,
        now: i64,
    ) -> Result<SignedIn, ApiError> {
        let mut credential = parse_token(body, now)?;
        if method == CLIENT {
            // Client credentials give no refresh token: renewal asks again.
            let secret = typed.get(CLIENT_SECRET).trim().to_string();
            credential.renewal = Some(Renewal::ClientSecret(secret));
        }
        Ok(SignedIn {
            credential,
            learnt: Settings::default(),
        })
    }
    fn renew(&self, settings: &Settings, credential: &Credential) -> Option<ApiRequest> {
        let client_id = settings.get(CLIENT_ID);
        Some(match credential.renewal.as_ref()? {
            Renewal::RefreshToken(r) => token_request(&[
                ("grant_type", "refresh_token"),
                ("client_id", client_id),
                ("refresh_token", r),
            ]),
            Renewal::ClientSecret(secret) => token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", secret),
            ]),
        })
    }
    fn parse_renewed(
        &self,
        body: &str,
        old: &Credential,
        now: i64,
    ) -> Result<Credential, ApiError> {
        let mut new = parse_token(body, now)?;
        if new.renewal.is_none() {
            new.renewal = old.renewal.clone();
        }
        Ok(new)
    }
    /// A password grant's session ends at its logout endpoint; a service
    /// account's token is revoked.
    fn end_token(&self, settings: &Settings, credential: &Credential) -> Option<ApiRequest> {
        let client_id = settings.get(CLIENT_ID);
        Some(match credential.renewal.as_ref()? {
            Renewal::RefreshToken(r) => ApiRequest::new(Method::Post, format!("{OIDC}/logout"))
                .form(&[("client_id", client_id), ("refresh_token", r)]),
            Renewal::ClientSecret(secret) => {
                ApiRequest::new(Method::Post, format!("{OIDC}/revoke")).form(&[
                    ("client_id", client_id),
                    ("client_secret", secret),
                    ("token", &credential.access),
                    ("token_type_hint", "access_token"),
                ])
            }
        })
    }
    /// The cheapest call that needs view-users: how many users the realm has.
    fn whoami(&self) -> ApiRequest {
        ApiRequest::new(Method::Get, format!("{ADMIN}/users/count")).permission(VIEW)
    }
    fn parse_whoami(
        &self,
        body: &str,
        settings: &Settings,
        credential: &Credential,
    ) -> Result<String, ApiError> {
        if !matches!(parse_json(200, body)?, Value::Number(_)) {
            return Err(ApiError::BadResponse {
                status: 200,
                why: "the users/count answer is not a number".into(),
            });
        }
        let who = jwt_claim(&credential.access, &["preferred_username", "azp", "sub"])
            .map_or_else(|| "an administrator".into(), |w| clip(&w, 80));
        Ok(format!("{who} (realm {})", settings.get(REALM)))
    }
    fn label_detail(&self, settings: &Settings) -> Option<String> {
        Some(format!("realm {}", settings.get(REALM)))
    }
    fn caps(&self, _scope: Scope) -> Caps {
        use SortKey::*;
        Caps {
            columns: &[User, Client, Ip, Login, LastActive],
            default_sort: LastActive,
            per_user: PerUser::Endpoint,
            revoke_others: false,
            revoke_all: true,
            many_users: true,
        }
    }
    fn load_plan(&self, _scope: Scope) -> LoadPlan {
        LoadPlan::Lists {
            index: ApiRequest::new(Method::Get, format!("{ADMIN}/client-session-stats"))
                .permission(VIEW),
            parse_index: parse_stats,
            page: client_sessions,
            size: PAGE,
            parse_page: parse_client_sessions,
            unit: "clients",
        }
    }
    /// A password grant's token names its session (`sid`); a service
    /// account's names none and is no listed session.
    fn own_source(&self, _scope: Scope) -> OwnSource {
        OwnSource::TokenIfAny
    }
    fn own_session_in_token(&self, token: &str) -> Option<String> {
        jwt_claim(token, &["sid", "session_state"])
    }
    fn revoke_request(&self, _scope: Scope, id: &str) -> ApiRequest {
        let (session, offline) = split_offline(id);
        let r = ApiRequest::new(
            Method::Delete,
            format!("{ADMIN}/sessions/{}", path_segment(session)),
        )
        .permission(MANAGE);
        if offline {
            r.query("isOffline", "true")
        } else {
            r
        }
    }
    fn revoke(&self, scope: Scope, id: &str) -> Result<ApiRequest, ApiError> {
        check_id(split_offline(id).0, &[])?;
        check_id(id, &[])?;
        Ok(self.revoke_request(scope, id))
    }
    /// Done on 204 (an empty 2xx); gone already on Keycloak's own 404.
    fn revoke_outcome(&self, r: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
        match r {
            Ok(resp) => super::empty_success(API, &resp).map(|()| Revoked::Now),
            Err(ApiError::NotFound { .. }) => Ok(Revoked::AlreadyGone),
            Err(e) => Err(e),
        }
    }
    /// `POST users/{id}/logout`: every session of the user, offline ones
    /// and any no client lists any more.
    fn revoke_user(&self, user_id: &str) -> Option<Result<ApiRequest, ApiError>> {
        Some(check_id(user_id, &[]).map(|()| {
            ApiRequest::new(
                Method::Post,
                format!("{ADMIN}/users/{}/logout", path_segment(user_id)),
            )
            .permission(MANAGE)
        }))
    }
    /// `POST logout-all`: every session of the realm, and tokens issued
    /// before now refused.
    fn revoke_all(&self) -> Option<ApiRequest> {
        Some(ApiRequest::new(Method::Post, format!("{ADMIN}/logout-all")).permission(MANAGE))
    }
    fn all_text(&self, listed: usize, settings: &Settings) -> AllText {
        let realm = settings.get(REALM).to_string();
        AllText {
            button: "Sign out the whole realm".into(),
            title: format!("Sign out everyone in realm {realm}?"),
            message: format!("Keycloak ends every session of every user in realm {realm} — the {listed} listed and any it does not list, offline tokens included — and refuses every token issued before now. Everyone signed in through this realm, you included, has to sign in again."),
            warning: Some("This panel's own token is refused too: this connection closes. Your other servers stay connected.".into()),
            type_to_confirm: Some(realm),
        }
    }
    /// `users/{id}/logout` answers 204; `logout-all` a result with its
    /// `successRequests` and `failedRequests` (the clients told).
    fn done_outcome(&self, r: Result<RawResponse, ApiError>) -> Result<(), ApiError> {
        let resp = r?;
        if resp.body.trim().is_empty() {
            return super::empty_success(API, &resp);
        }
        match crate::json::parse(&resp.body) {
            Ok(Value::Object(m))
                if m.contains_key("successRequests") || m.contains_key("failedRequests") =>
            {
                Ok(())
            }
            _ => Err(super::not_from_api(API, &resp)),
        }
    }
    /// A person by username, e-mail or name (`search`); by ID as typed.
    fn find_people(&self, typed: &str) -> Option<ApiRequest> {
        let q = typed.trim();
        (q.chars().count() >= 2).then(|| {
            ApiRequest::new(Method::Get, format!("{ADMIN}/users"))
                .query("search", q)
                .query("briefRepresentation", "true")
                .query("max", "50")
                .permission(VIEW)
        })
    }
    fn parse_people(&self, body: &str) -> Result<Vec<Account>, ApiError> {
        let v = parse_json(200, body)?;
        let items = v.as_array().ok_or_else(|| ApiError::BadResponse {
            status: 200,
            why: "the users answer is not a list".into(),
        })?;
        Ok(items
            .iter()
            .filter_map(|u| {
                let name = [json_str(u, "firstName"), json_str(u, "lastName")]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                Some(Account {
                    user_id: json_str(u, "id").filter(|i| check_id(i, &[]).is_ok())?,
                    login: json_str(u, "username").filter(|s| !s.is_empty()),
                    email: json_str(u, "email").filter(|s| !s.is_empty()),
                    name: Some(name).filter(|n| !n.is_empty()),
                })
            })
            .take(100)
            .collect())
    }
    /// Each user's sessions (`users/{id}/sessions` misses none); an offline
    /// session, or one of no known user, needs the whole list.
    fn verify_probes(&self, scope: Scope, targets: &[Target], _listed: usize) -> Vec<Probe> {
        let offline = targets.iter().any(|t| split_offline(&t.id).1);
        user_probes(
            targets,
            offline,
            || self.load_plan(scope),
            (user_sessions, parse_user_sessions, |_, _, _| None),
        )
    }
    fn classify(&self, req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
        classify(req, resp)
    }
}

/// How answers that are not Keycloak's are named.
pub const API: &str = "Keycloak's admin API";

/// `POST` to the realm's token endpoint, form-encoded.
fn token_request(form: &[(&str, &str)]) -> ApiRequest {
    ApiRequest::new(Method::Post, format!("{OIDC}/token")).form(form)
}

/// A token endpoint's answer: `access_token`, `expires_in` (seconds),
/// `refresh_token` where the grant gives one.
pub fn parse_token(body: &str, now: i64) -> Result<Credential, ApiError> {
    let v = parse_json(200, body)?;
    let access = json_str(&v, "access_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::BadResponse {
            status: 200,
            why: "the token answer has no access_token".into(),
        })?;
    let expires_at = v
        .get("expires_in")
        .and_then(Value::as_u64)
        .map(|s| now.saturating_add((s.min(86_400 * 365) * 1000) as i64));
    Ok(Credential {
        access,
        renewal: json_str(&v, "refresh_token")
            .filter(|t| !t.is_empty())
            .map(Renewal::RefreshToken),
        expires_at,
    })
}

/// A listed ID: the session's own, and whether it is the offline one.
pub fn split_offline(id: &str) -> (&str, bool) {
    match id.strip_suffix(OFFLINE) {
        Some(session) => (session, true),
        None => (id, false),
    }
}

/// A count as `client-session-stats` gives it: a string ("3"), or a number.
fn count(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The lists to read from `client-session-stats`: each client's online
/// sessions ("on <uuid>") and offline ones ("off <uuid>") where its counts
/// say it has any (or cannot tell).
pub fn parse_stats(body: &str) -> Result<Vec<String>, ApiError> {
    let v = parse_json(200, body)?;
    let items = v.as_array().ok_or_else(|| ApiError::BadResponse {
        status: 200,
        why: "client-session-stats is not a list".into(),
    })?;
    let mut lists = Vec::new();
    for c in items {
        let Some(id) = json_str(c, "id").filter(|i| check_id(i, &[]).is_ok()) else {
            continue;
        };
        if count(c, "active") != Some(0) {
            lists.push(format!("on {id}"));
        }
        if count(c, "offline") != Some(0) {
            lists.push(format!("off {id}"));
        }
    }
    Ok(lists)
}

/// A page of one client's sessions (`key` from [`parse_stats`]).
pub fn client_sessions(key: &str, first: usize, max: usize) -> ApiRequest {
    let (kind, client) = key.split_once(' ').unwrap_or(("on", key));
    let list = if kind == "off" {
        "offline-sessions"
    } else {
        "user-sessions"
    };
    ApiRequest::new(
        Method::Get,
        format!("{ADMIN}/clients/{}/{list}", path_segment(client)),
    )
    .query("first", first.to_string())
    .query("max", max.to_string())
    .permission(VIEW)
}

fn sessions_in(body: &str, offline: bool) -> Result<ListPage, ApiError> {
    let v = parse_json(200, body)?;
    let items = v.as_array().ok_or_else(|| ApiError::BadResponse {
        status: 200,
        why: "the sessions answer is not a list".into(),
    })?;
    Ok(page_of(items, None, |item| session_from(item, offline)))
}

pub fn parse_client_sessions(body: &str, key: &str) -> Result<ListPage, ApiError> {
    sessions_in(body, key.starts_with("off "))
}

/// One user's (online) sessions: every one, whatever its clients.
pub fn user_sessions(user_id: &str, _page: Option<PageNo>) -> ApiRequest {
    ApiRequest::new(
        Method::Get,
        format!("{ADMIN}/users/{}/sessions", path_segment(user_id)),
    )
    .permission(VIEW)
}

pub fn parse_user_sessions(body: &str) -> Result<PagedPage, ApiError> {
    Ok((sessions_in(body, false)?, None))
}

/// A `UserSessionRepresentation`: `id`, `username`, `userId`, `ipAddress`,
/// `start` and `lastAccess` (epoch ms), `rememberMe`, `clients`.
pub fn session_from(item: &Value, offline: bool) -> Option<Session> {
    let id = json_str(item, "id").filter(|s| !s.is_empty())?;
    let mut clients: Vec<String> = item
        .get("clients")
        .and_then(Value::as_object)
        .map(|m| {
            m.values()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    clients.sort();
    let mut client = clients.join(", ");
    if offline {
        // Said where the admin looks: it outlives the browser's sign-out.
        client = format!("{client} (offline token)").trim_start().to_string();
    }
    let mut extra = flatten_fields(item);
    if offline {
        extra.push(Field {
            name: "offline".into(),
            value: "yes (an offline token: it outlives sign-out of the browser)".into(),
        });
    }
    Some(Session {
        id: if offline {
            format!("{id}{OFFLINE}")
        } else {
            id
        },
        user_id: json_text(item, "userId"),
        username: json_text(item, "username"),
        client: Some(client).filter(|c| !c.is_empty()).map(Into::into),
        device_type: Some(
            if offline {
                "offline token"
            } else {
                "browser SSO"
            }
            .to_string()
            .into(),
        ),
        ip: json_text(item, "ipAddress"),
        login_at: epoch(item, "start"),
        last_active: epoch(item, "lastAccess"),
        extra,
        ..Default::default()
    })
}

/// Keycloak's errors: `{"error", "error_description"}` (token endpoint)
/// or `{"error"}` / `{"errorMessage"}` (admin API). A 404 without one came
/// from something in between.
pub fn classify(req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
    if resp.is_success() {
        return Ok(());
    }
    let v: Value = crate::json::parse(&resp.body).unwrap_or(Value::Null);
    let said = json_str(&v, "error_description")
        .or_else(|| json_str(&v, "errorMessage"))
        .or_else(|| json_str(&v, "error"))
        .filter(|m| !m.is_empty());
    let Some(said) = said else {
        if resp.status == 404 {
            return Err(super::not_from_api(API, resp));
        }
        let m = clip(&resp.body, 160);
        return Err(status_to_error(
            resp.status,
            if m.is_empty() { "no message".into() } else { m },
            super::common::forbidden_what(req),
        ));
    };
    let message = clip(&said, 300);
    // The token endpoint refuses credentials with 400 or 401.
    let sign_in = req.path.ends_with("/protocol/openid-connect/token");
    let status = if sign_in
        && resp.status == 400
        && json_str(&v, "error").as_deref() == Some("invalid_grant")
    {
        401
    } else {
        resp.status
    };
    Err(status_to_error(
        status,
        message,
        match req.permission {
            Some(p) => ForbiddenWhat::Permission(p.to_string()),
            None => ForbiddenWhat::Unknown,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::BackendKind;

    const NOW: i64 = 1_796_000_000_000;

    fn kc() -> &'static dyn Backend {
        BackendKind::Keycloak.backend()
    }

    fn settings() -> Settings {
        Settings(vec![
            (REALM.into(), "acme".into()),
            (CLIENT_ID.into(), "sessiondeck".into()),
        ])
    }

    #[test]
    fn sign_in_is_a_form_post_to_the_realms_token_endpoint_secrets_never_in_the_url() {
        let t = Typed::from_pairs(&[(CLIENT_SECRET, "s3cret")]);
        let SignInStep::Call(req) = kc().sign_in(CLIENT, &settings(), &t) else {
            panic!("a token call")
        };
        let req = req.with_settings(&settings().0);
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.path, "/realms/acme/protocol/openid-connect/token");
        assert!(req.query.is_empty());
        let body = req.body.as_ref().unwrap().to_string();
        assert_eq!(
            body,
            "grant_type=client_credentials&client_id=sessiondeck&client_secret=s3cret"
        );
        let pw = Typed::from_pairs(&[("username", " ada "), (PASSWORD, "p w&")]);
        let SignInStep::Call(req) = kc().sign_in(PASSWORD, &settings(), &pw) else {
            panic!("a token call")
        };
        let body = req.body.as_ref().unwrap().to_string();
        assert!(body.contains("grant_type=password"), "{body}");
        assert!(body.contains("username=ada&password=p%20w%26"), "{body}");
    }

    #[test]
    fn a_token_answer_is_a_credential_that_expires_and_renews() {
        let body = r#"{"access_token":"a1","expires_in":300,"refresh_expires_in":1800,"refresh_token":"r1","token_type":"Bearer"}"#;
        let c = kc()
            .parse_sign_in(PASSWORD, &Typed::default(), body, NOW)
            .unwrap()
            .credential;
        assert_eq!(c.access, "a1");
        assert_eq!(c.expires_at, Some(NOW + 300_000));
        assert_eq!(c.renewal, Some(Renewal::RefreshToken("r1".into())));
        let renew = kc()
            .renew(&settings(), &c)
            .unwrap()
            .with_settings(&settings().0);
        assert_eq!(
            renew.body.unwrap().to_string(),
            "grant_type=refresh_token&client_id=sessiondeck&refresh_token=r1"
        );
        // A service account gets no refresh token: it asks again with its secret.
        let sa = kc()
            .parse_sign_in(
                CLIENT,
                &Typed::from_pairs(&[(CLIENT_SECRET, "s3cret")]),
                r#"{"access_token":"a2","expires_in":60}"#,
                NOW,
            )
            .unwrap()
            .credential;
        assert_eq!(sa.renewal, Some(Renewal::ClientSecret("s3cret".into())));
        let again = kc().renew(&settings(), &sa).unwrap();
        assert!(again
            .body
            .unwrap()
            .to_string()
            .starts_with("grant_type=client_credentials"));
        let renewed = kc()
            .parse_renewed(r#"{"access_token":"a3","expires_in":60}"#, &sa, NOW)
            .unwrap();
        assert_eq!(
            (renewed.access.as_str(), renewed.renewal),
            ("a3", sa.renewal.clone())
        );
        assert!(kc().parse_renewed(r#"{"error":"x"}"#, &sa, NOW).is_err());
        assert!(parse_token("<html>", NOW).is_err());
    }

    #[test]
    fn sign_out_ends_the_session_or_revokes_the_token() {
        let s = settings();
        let pw = Credential {
            renewal: Some(Renewal::RefreshToken("r1".into())),
            ..Credential::token("a1")
        };
        let out = kc().end_token(&s, &pw).unwrap().with_settings(&s.0);
        assert_eq!(out.path, "/realms/acme/protocol/openid-connect/logout");
        assert_eq!(
            out.body.unwrap().to_string(),
            "client_id=sessiondeck&refresh_token=r1"
        );
        let sa = Credential {
            renewal: Some(Renewal::ClientSecret("s".into())),
            ..Credential::token("a2")
        };
        let out = kc().end_token(&s, &sa).unwrap().with_settings(&s.0);
        assert_eq!(out.path, "/realms/acme/protocol/openid-connect/revoke");
        assert!(out.body.unwrap().to_string().contains("token=a2"));
    }

    #[test]
    fn sessions_of_every_client_online_and_offline() {
        let lists = parse_stats(
            r#"[{"id":"c1","clientId":"chat","active":"2","offline":"0"},
                {"id":"c2","clientId":"office","active":"0","offline":"1"},
                {"id":"../x","clientId":"bad","active":"1"},
                {"id":"c3","clientId":"odd"}]"#,
        )
        .unwrap();
        assert_eq!(lists, ["on c1", "off c2", "on c3", "off c3"]);
        let r = client_sessions("off c2", 100, 100).with_settings(&settings().0);
        assert_eq!(
            r.path_and_query(),
            "/admin/realms/acme/clients/c2/offline-sessions?first=100&max=100"
        );
        let page = parse_client_sessions(
            r#"[{"id":"s1","username":"grace.kim","userId":"u1","ipAddress":"10.0.0.1","start":1700000000000,"lastAccess":1700000500000,"rememberMe":true,"clients":{"c1":"chat","c2":"office"}},{"username":"no id"}]"#,
            "off c2",
        )
        .unwrap();
        assert_eq!((page.returned, page.skipped), (2, 1));
        let s = &page.sessions[0];
        assert_eq!(s.id, "s1:offline");
        assert_eq!(s.client.as_deref(), Some("chat, office (offline token)"));
        assert_eq!(
            s.login_at.as_ref().unwrap().epoch_ms(),
            Some(1_700_000_000_000.0)
        );
        assert!(s
            .extra
            .iter()
            .any(|f| f.name == "rememberMe" && f.value == "true"));
        assert!(parse_client_sessions("{}", "on c1").is_err());
    }

    #[test]
    fn revokes_name_one_session_or_user_exactly() {
        let s = settings();
        let one = kc().revoke(Scope::All, "s1").unwrap().with_settings(&s.0);
        assert_eq!(
            (one.method, one.path_and_query()),
            (Method::Delete, "/admin/realms/acme/sessions/s1".to_string())
        );
        let off = kc().revoke(Scope::All, "s1:offline").unwrap();
        assert_eq!(
            off.with_settings(&s.0).path_and_query(),
            "/admin/realms/acme/sessions/s1?isOffline=true"
        );
        for bad in ["..", ":offline", "a/b", "%2e%2e:offline"] {
            assert!(kc().revoke(Scope::All, bad).is_err(), "{bad}");
        }
        let user = kc().revoke_user("u1").unwrap().unwrap().with_settings(&s.0);
        assert_eq!(user.path, "/admin/realms/acme/users/u1/logout");
        assert!(kc().revoke_user("../u").unwrap().is_err());
        let all = kc().all_text(3, &s);
        assert_eq!(all.type_to_confirm.as_deref(), Some("acme"));
        assert!(all.title.contains("acme") && all.message.contains("acme"));
    }

    #[test]
    fn done_only_on_keycloaks_own_answers() {
        let ok = |status, body: &str| Ok(RawResponse::of(status, body));
        assert_eq!(kc().revoke_outcome(ok(204, "")), Ok(Revoked::Now));
        assert!(kc().revoke_outcome(ok(200, "<html>proxy</html>")).is_err());
        let gone = classify(
            &kc().revoke_request(Scope::All, "s9"),
            &RawResponse::of(404, r#"{"error":"Sesssion not found"}"#),
        );
        assert_eq!(
            kc().revoke_outcome(gone.map(|()| RawResponse::of(404, ""))),
            Ok(Revoked::AlreadyGone)
        );
        // A bare 404 is not Keycloak's: never "already gone".
        let foreign = classify(
            &kc().revoke_request(Scope::All, "s9"),
            &RawResponse::of(404, "Not Found"),
        )
        .unwrap_err();
        assert!(
            matches!(foreign, ApiError::NotFromApi { .. }),
            "{foreign:?}"
        );
        assert_eq!(kc().done_outcome(ok(204, "")), Ok(()));
        assert_eq!(
            kc().done_outcome(ok(200, r#"{"successRequests":[],"failedRequests":[]}"#)),
            Ok(())
        );
        assert!(kc().done_outcome(ok(200, r#"{"success":true}"#)).is_err());
    }

    #[test]
    fn errors_name_the_cause_and_a_refused_sign_in_is_401() {
        let token = token_request(&[]);
        let e = classify(
            &token,
            &RawResponse::of(
                400,
                r#"{"error":"invalid_grant","error_description":"Invalid user credentials"}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(
            e,
            ApiError::Unauthorized {
                message: "Invalid user credentials".into()
            }
        );
        let list = kc().load_plan(Scope::All);
        let LoadPlan::Lists { index, .. } = list else {
            panic!("lists")
        };
        let e = classify(
            &index,
            &RawResponse::of(403, r#"{"error":"HTTP 403 Forbidden"}"#),
        )
        .unwrap_err();
        assert!(e.to_string().contains("view-users"), "{e}");
    }

    #[test]
    fn the_own_session_is_the_tokens_sid_or_none() {
        // {"alg":"none"}.{"sid":"s7","preferred_username":"ada"}.
        let t = "eyJhbGciOiJub25lIn0.eyJzaWQiOiJzNyIsInByZWZlcnJlZF91c2VybmFtZSI6ImFkYSJ9.";
        assert_eq!(kc().own_session_in_token(t).as_deref(), Some("s7"));
        assert_eq!(
            OwnSource::TokenIfAny.after_load(None, None, None),
            Some(crate::model::OwnSession::Known(None)),
            "a service account's token is no listed session"
        );
        let who = kc()
            .parse_whoami("42", &settings(), &Credential::token(t))
            .unwrap();
        assert_eq!(who, "ada (realm acme)");
        assert!(kc()
            .parse_whoami("{}", &settings(), &Credential::token(t))
            .is_err());
    }

    #[test]
    fn people_by_username_email_or_name() {
        let req = kc()
            .find_people("grace@")
            .unwrap()
            .with_settings(&settings().0);
        assert_eq!(
            req.path_and_query(),
            "/admin/realms/acme/users?search=grace%40&briefRepresentation=true&max=50"
        );
        let found = kc()
            .parse_people(r#"[{"id":"u1","username":"grace.kim","email":"grace@x.test","firstName":"Grace","lastName":"Kim"},{"username":"no id"}]"#)
            .unwrap();
        assert_eq!(
            found,
            [Account {
                user_id: "u1".into(),
                login: Some("grace.kim".into()),
                email: Some("grace@x.test".into()),
                name: Some("Grace Kim".into()),
            }]
        );
    }

    #[test]
    fn a_check_reads_each_users_sessions_unless_offline() {
        let t = |id: &str, u: Option<&str>| Target {
            id: id.into(),
            user_id: u.map(str::to_string),
            user_rows: 0,
        };
        let p = kc().verify_probes(Scope::All, &[t("s1", Some("u1")), t("s2", Some("u1"))], 10);
        assert!(matches!(&p[0].plan, LoadPlan::Users { users, .. } if users == &["u1"]));
        let p = kc().verify_probes(Scope::All, &[t("s1:offline", Some("u1"))], 10);
        assert!(matches!(&p[0].plan, LoadPlan::Lists { .. }));
    }
}
