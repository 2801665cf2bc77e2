//! Rocket.Chat device management (seeds 001, 004; api-notes §1).
//!
//! Pure: builds [`ApiRequest`]s and parses answers into the common model.
//! Every field of an answer may be missing or of the wrong type; nothing here
//! panics on server data.

use super::common::{json_str, json_text, page_of, parse_json, status_to_error};
use super::paging::{by_user, Probe, Target, MAX_PROBES};
use super::{
    Backend, Caps, Credential, Input, ListPage, LoadPlan, PerUser, Revoked, Scope, Settings,
    SignInMethod, SignInStep, SignedIn, Typed,
};
use crate::http::request::{
    clip, ApiError, ApiRequest, Challenge, CodeCarrier, ForbiddenWhat, Method, RawResponse,
};
use crate::json::Value;
use crate::list::SortKey;
use crate::model::{flatten_fields, Field, Session};
use crate::time::Timestamp;

/// Rocket.Chat device management.
pub struct RocketChat;

impl Backend for RocketChat {
    fn key(&self) -> &'static str {
        "rocketchat"
    }
    fn label(&self) -> &'static str {
        "Rocket.Chat"
    }
    fn sign_in_methods(&self) -> &'static [SignInMethod] {
        const METHODS: &[SignInMethod] = &[
                SignInMethod::token(
                    "Personal access token",
                    &[
                        Input::setting(USER_ID, "User ID"),
                        Input::secret(super::credential::TOKEN, "Auth token"),
                    ],
                    "A personal access token from My Account → Personal Access Tokens, with its User ID; sent as X-User-Id and X-Auth-Token.",
                ),
                SignInMethod {
                    key: PASSWORD,
                    label: "Username and password",
                    inputs: &[
                        Input::username("username", "Username"),
                        Input::secret("password", "Password"),
                    ],
                    hint: "The panel logs in once and keeps only the token the server gives (ended at sign-out); the password is not kept.",
                    obtains_token: true,
                },
            ];
        METHODS
    }
    fn server_hint(&self) -> Option<&'static str> {
        Some("Two-factor codes can only be sent when the panel is served from the server's own origin (see README → Deploy).")
    }
    fn sign_in(&self, method: &str, _settings: &Settings, typed: &Typed) -> SignInStep {
        match method {
            PASSWORD => {
                SignInStep::Call(login(typed.get("username").trim(), typed.get("password")))
            }
            _ => SignInStep::Have(Credential::token(
                typed.get(super::credential::TOKEN).trim(),
            )),
        }
    }
    fn parse_sign_in(
        &self,
        _method: &str,
        _typed: &Typed,
        body: &str,
        _now: i64,
    ) -> Result<SignedIn, ApiError> {
        parse_login(body)
    }
    fn auth_headers(&self, settings: &Settings, credential: &Credential) -> Vec<(String, String)> {
        auth_headers(settings.get(USER_ID), &credential.access)
    }
    fn end_token(&self, _settings: &Settings, _credential: &Credential) -> Option<ApiRequest> {
        Some(logout_token())
    }
    fn whoami(&self) -> ApiRequest {
        me()
    }
    fn parse_whoami(
        &self,
        body: &str,
        settings: &Settings,
        _credential: &Credential,
    ) -> Result<String, ApiError> {
        let me = parse_me(body)?;
        if me.user_id != settings.get(USER_ID) {
            return Err(ApiError::BadResponse {
                status: 200,
                why: format!(
                    "the server answered for another account ({}) than the User ID given; check the User ID",
                    me.username
                ),
            });
        }
        Ok(match me.name {
            Some(n) if !n.is_empty() => format!("{n} (@{})", me.username),
            _ => format!("@{}", me.username),
        })
    }
    fn fallback_scope(&self, scope: Scope, error: &ApiError) -> Option<Scope> {
        let lacks_view = matches!(error, ApiError::Forbidden { what: ForbiddenWhat::Permission(p), .. } if p == PERM_VIEW);
        (scope == Scope::All && lacks_view).then_some(Scope::Own)
    }
    fn caps(&self, scope: Scope) -> Caps {
        use SortKey::*;
        match scope {
            Scope::All => Caps {
                columns: &[User, Client, Os, Ip, Host, Login],
                default_sort: Login,
                per_user: PerUser::EachSession,
                revoke_others: false,
                revoke_all: false,
                many_users: true,
            },
            Scope::Own => Caps {
                columns: &[Client, Os, Ip, Host, Login],
                default_sort: Login,
                per_user: PerUser::No,
                revoke_others: false,
                revoke_all: false,
                many_users: false,
            },
        }
    }
    fn load_plan(&self, scope: Scope) -> LoadPlan {
        LoadPlan::Offsets {
            scope,
            size: PAGE_SIZE,
            filter: String::new(),
            request: list_page,
            parse: parse_list,
        }
    }
    fn own_source(&self, scope: Scope) -> super::OwnSource {
        match scope {
            Scope::All => super::OwnSource::Call,
            Scope::Own => super::OwnSource::Marked,
        }
    }
    fn own_session(&self, scope: Scope) -> Option<ApiRequest> {
        // list.all does not mark the caller's session; the own list does.
        (scope == Scope::All).then(|| list(Scope::Own, 0))
    }

    fn parse_own_session(&self, body: &str) -> Option<String> {
        parse_list(body)
            .ok()?
            .sessions
            .into_iter()
            .find(|s| s.current)
            .map(|s| s.id)
    }

    fn details(&self, scope: Scope, id: &str) -> Option<ApiRequest> {
        Some(info(scope, id))
    }
    fn parse_details(&self, body: &str) -> Result<Vec<Field>, ApiError> {
        parse_info(body).map(|(_, fields)| fields)
    }
    fn revoke_request(&self, scope: Scope, id: &str) -> ApiRequest {
        logout(scope, id)
    }
    fn revoke_outcome(&self, r: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
        logout_outcome(r)
    }
    /// The cheapest of: the whole list (pages of 100), one filtered read
    /// per owner (the filter matches user IDs; rows told apart by exact ID
    /// afterwards), one lookup per session (`info.admin`: the server finds
    /// it by ID, and says "Session not found" in its own envelope when it
    /// is gone).
    fn verify_probes(&self, scope: Scope, targets: &[Target], listed: usize) -> Vec<Probe> {
        // Per person where their pages are fewer than their sessions
        // concerned, else per session; the whole list where that is fewer
        // requests still, or where the per-session reads would be too many.
        let (users, mut per_id) = by_user(targets);
        let rows_of: std::collections::HashMap<&str, usize> = targets
            .iter()
            .filter_map(|t| Some((t.user_id.as_deref()?, t.user_rows)))
            .collect();
        // A filtered read makes the server look at every session (its
        // filter is a pattern, not a lookup): it costs a share of reading
        // the whole list. A lookup by ID costs one small answer.
        let whole = listed.div_ceil(PAGE_SIZE).max(1);
        let scan = (whole / FILTERED_READ_SHARE).max(1);
        let mut per_user = Vec::new();
        let mut pages = 0;
        for (user, covers) in users {
            let theirs = rows_of[user.as_str()].div_ceil(PAGE_SIZE).max(1);
            if theirs * scan < covers.len() {
                pages += theirs;
                per_user.push((user, covers));
            } else {
                per_id.extend(covers);
            }
        }
        let reads = per_user.len() + per_id.len();
        if reads > MAX_PROBES || whole < pages * scan + per_id.len() {
            return vec![Probe {
                plan: self.load_plan(scope),
                covers: targets.iter().map(|t| t.id.clone()).collect(),
            }];
        }
        per_user
            .into_iter()
            .map(|(user, covers)| Probe {
                plan: LoadPlan::Offsets {
                    scope,
                    size: PAGE_SIZE,
                    filter: user,
                    request: list_page,
                    parse: parse_list,
                },
                covers,
            })
            .chain(per_id.into_iter().map(|id| Probe {
                plan: LoadPlan::Lookup {
                    request: info(scope, &id),
                    id: id.clone(),
                    parse: parse_lookup,
                },
                covers: vec![id],
            }))
            .collect()
    }
    fn classify(&self, req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
        classify(req, resp)
    }
}

/// One filtered read of `list.all` costs the server about a tenth of
/// reading the whole list page by page: the filter is matched against
/// every session (on the reference server ~40 ms for 100,000 sessions, as
/// long as some 80 plain pages of its 1,000). So ten or more sessions to
/// check are read back with the whole list; fewer, each by its own read.
const FILTERED_READ_SHARE: usize = 10;

/// The server's page cap (API_Upper_Count_Limit default).
pub const PAGE_SIZE: usize = 100;
/// Where an admin call carries a second-factor code.
pub const TWO_FACTOR: CodeCarrier = CodeCarrier::Headers {
    code: "X-2fa-Code",
    method: "X-2fa-Method",
};
/// The setting that holds the account's user ID (sent as `X-User-Id`).
pub const USER_ID: &str = "user_id";
pub const PERM_VIEW: &str = "view-device-management";
/// The username + password sign-in's key.
const PASSWORD: &str = "password";
pub const PERM_LOGOUT: &str = "logout-device-management";
const SORT: &str = r#"{"loginAt":-1}"#;

/// `X-User-Id` / `X-Auth-Token` for every call.
pub fn auth_headers(user_id: &str, token: &str) -> Vec<(String, String)> {
    vec![
        ("X-User-Id".to_string(), user_id.to_string()),
        ("X-Auth-Token".to_string(), token.to_string()),
    ]
}

/// `POST /api/v1/login` with username and password; a 2FA code goes in `code`.
pub fn login(user: &str, password: &str) -> ApiRequest {
    ApiRequest::new(Method::Post, "/api/v1/login")
        .json(Value::object([
            ("user", user.into()),
            ("password", password.into()),
        ]))
        .carrier(CodeCarrier::BodyField("code"))
}

/// Who the credentials belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Me {
    pub user_id: String,
    pub username: String,
    pub name: Option<String>,
}

pub fn parse_login(body: &str) -> Result<SignedIn, ApiError> {
    let v: Value = parse_json(200, body)?;
    let data = &v["data"];
    match (json_str(data, "userId"), json_str(data, "authToken")) {
        (Some(user_id), Some(auth_token)) if !user_id.is_empty() && !auth_token.is_empty() => {
            Ok(SignedIn {
                learnt: Settings(vec![(USER_ID.into(), user_id)]),
                credential: Credential::token(auth_token),
            })
        }
        _ => Err(ApiError::BadResponse {
            status: 200,
            why: "the login answer has no data.userId / data.authToken".into(),
        }),
    }
}

/// `POST /api/v1/logout`: ends the token the call is made with.
pub fn logout_token() -> ApiRequest {
    ApiRequest::new(Method::Post, "/api/v1/logout")
}

pub fn me() -> ApiRequest {
    ApiRequest::new(Method::Get, "/api/v1/me")
}

pub fn parse_me(body: &str) -> Result<Me, ApiError> {
    let v: Value = parse_json(200, body)?;
    let user_id = json_str(&v, "_id").ok_or_else(|| ApiError::BadResponse {
        status: 200,
        why: "the /me answer has no _id".into(),
    })?;
    Ok(Me {
        user_id,
        username: json_str(&v, "username").unwrap_or_default(),
        name: json_str(&v, "name"),
    })
}

/// One page of `list.all` (admin) or `list` (own sessions).
pub fn list(scope: Scope, offset: usize) -> ApiRequest {
    list_page(scope, offset, "")
}

/// One page of the list, narrowed by `filter` where it is not empty (the
/// server matches it literally, as a part of a device name, type, OS,
/// session ID or user ID — so rows are still told apart by exact ID).
pub fn list_page(scope: Scope, offset: usize, filter: &str) -> ApiRequest {
    let path = match scope {
        Scope::All => "/api/v1/sessions/list.all",
        Scope::Own => "/api/v1/sessions/list",
    };
    let mut r = ApiRequest::new(Method::Get, path)
        .query("offset", offset.to_string())
        .query("count", PAGE_SIZE.to_string());
    if !filter.is_empty() {
        r = r.query("filter", filter);
    }
    let r = r.query("sort", SORT);
    match scope {
        Scope::All => r.carrier(TWO_FACTOR).permission(PERM_VIEW),
        Scope::Own => r,
    }
}

pub fn parse_list(body: &str) -> Result<ListPage, ApiError> {
    let v = parse_json(200, body)?;
    let Some(items) = v["sessions"].as_array() else {
        return Err(ApiError::BadResponse {
            status: 200,
            why: "the answer has no \"sessions\" list".into(),
        });
    };
    let total = json_str(&v, "total").and_then(|t| t.parse::<usize>().ok());
    Ok(page_of(items, total, session_from))
}

/// Builds a row from one session object; `None` when it has no usable ID.
pub fn session_from(item: &Value) -> Option<Session> {
    let id = json_str(item, "sessionId")
        .or_else(|| json_str(item, "_id"))
        .filter(|s| !s.is_empty())?;
    let dev = &item["device"];
    Some(Session {
        id,
        user_id: json_text(item, "userId"),
        user_name: json_text(&item["_user"], "name"),
        username: json_text(&item["_user"], "username"),
        client: json_text(dev, "name"),
        client_version: json_str(dev, "version")
            .or_else(|| json_str(dev, "longVersion"))
            .map(Into::into),
        device_type: json_text(dev, "type"),
        os: json_text(&dev["os"], "name"),
        os_version: json_text(&dev["os"], "version"),
        ip: json_text(item, "ip"),
        host: json_text(item, "host"),
        login_at: json_str(item, "loginAt").map(|t| Timestamp::parse(&t)),
        current: item.get("current").and_then(Value::as_bool) == Some(true),
        ..Default::default()
    })
}

/// `info.admin` (anyone's session) or `info` (own).
pub fn info(scope: Scope, session_id: &str) -> ApiRequest {
    match scope {
        Scope::All => ApiRequest::new(Method::Get, "/api/v1/sessions/info.admin")
            .query("sessionId", session_id)
            .carrier(TWO_FACTOR)
            .permission(PERM_VIEW),
        Scope::Own => {
            ApiRequest::new(Method::Get, "/api/v1/sessions/info").query("sessionId", session_id)
        }
    }
}

/// Every field the server returned (minus the envelope's `success`), plus the row.
pub fn parse_info(body: &str) -> Result<(Option<Session>, Vec<Field>), ApiError> {
    let mut v: Value = parse_json(200, body)?;
    if !v.is_object() {
        return Err(ApiError::BadResponse {
            status: 200,
            why: "the session record is not a JSON object".into(),
        });
    }
    if let Some(map) = v.as_object_mut() {
        map.remove("success");
    }
    Ok((session_from(&v), flatten_fields(&v)))
}

/// A lookup's answer ([`info`]) as a list of the one session it found —
/// only in Rocket.Chat's own envelope (`success: true`). Its "Session not
/// found" never reaches here: the transport's [`classify`] turns exactly
/// that into `NotFound`, which the lookup reads as "not listed".
pub fn parse_lookup(resp: &RawResponse) -> Result<ListPage, ApiError> {
    let v = crate::json::parse(&resp.body)
        .ok()
        .filter(|v| v.get("success").and_then(Value::as_bool) == Some(true))
        .ok_or_else(|| super::not_from_api(API, resp))?;
    let session = session_from(&v).ok_or_else(|| ApiError::BadResponse {
        status: resp.status,
        why: "the session record has no session ID".into(),
    })?;
    Ok(ListPage {
        sessions: vec![session],
        total: Some(1),
        returned: 1,
        skipped: 0,
    })
}

/// `logout` (anyone's session, 2FA) or `logout.me` (own).
pub fn logout(scope: Scope, session_id: &str) -> ApiRequest {
    let body = Value::object([("sessionId", session_id.into())]);
    match scope {
        Scope::All => ApiRequest::new(Method::Post, "/api/v1/sessions/logout")
            .json(body)
            .carrier(TWO_FACTOR)
            .permission(PERM_LOGOUT),
        Scope::Own => ApiRequest::new(Method::Post, "/api/v1/sessions/logout.me").json(body),
    }
}

/// How answers that are not Rocket.Chat's are named.
pub const API: &str = "Rocket.Chat's API";

/// Interprets a logout's result: done only on `{success: true}`; already
/// gone only on the API's own "Session not found" (404 on real servers, 400
/// in the spec — [`classify`] turns exactly that into `NotFound`). Anything
/// else that is not Rocket.Chat's answer (an empty body, text, a web page,
/// someone else's JSON) is a failure saying so.
pub fn logout_outcome(result: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
    match result {
        Ok(resp) => {
            let Some(v) = crate::json::parse(&resp.body).ok().filter(is_rc_shaped) else {
                return Err(super::not_from_api(API, &resp));
            };
            match v.get("success").and_then(Value::as_bool) {
                Some(true) => Ok(Revoked::Now),
                _ => Err(ApiError::Server {
                    status: resp.status,
                    message: error_text(&v),
                }),
            }
        }
        Err(ApiError::NotFound { .. }) => Ok(Revoked::AlreadyGone),
        Err(e) => Err(e),
    }
}

/// An answer in Rocket.Chat's own shape: an object saying `success` (REST)
/// or `status` (login, 401).
fn is_rc_shaped(v: &Value) -> bool {
    v.get("success").and_then(Value::as_bool).is_some()
        || v.get("status").and_then(Value::as_str).is_some()
}

/// Rocket.Chat's documented answer for an unknown session.
fn says_session_not_found(v: &Value) -> bool {
    v.get("success").and_then(Value::as_bool) == Some(false)
        && crate::lowercase::lower(&error_text(v)).contains("session not found")
}

/// Maps a non-success answer of any Rocket.Chat call to an [`ApiError`].
pub fn classify(req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
    if resp.is_success() {
        return Ok(());
    }
    let v: Value = crate::json::parse(&resp.body).unwrap_or(Value::Null);
    // 2FA answers come as 400 (REST) or 401 (login): match by errorType OR error.
    let kind = [json_str(&v, "errorType"), json_str(&v, "error")]
        .into_iter()
        .flatten()
        .find(|k| k.starts_with("totp-"));
    let message = error_text(&v);
    let message = if message.is_empty() {
        clip(&resp.body, 160)
    } else {
        message
    };
    match kind.as_deref() {
        Some("totp-required") => {
            let d = &v["details"];
            return Err(ApiError::TwoFactorRequired(Challenge {
                method: json_str(d, "method").unwrap_or_else(|| "totp".into()),
                available: d
                    .get("availableMethods")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|m| m.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                code_generated: d.get("codeGenerated").and_then(Value::as_bool) == Some(true),
                email_or_username: json_str(d, "emailOrUsername"),
            }));
        }
        Some("totp-invalid") => return Err(ApiError::TwoFactorInvalid { message }),
        Some("totp-max-attempts") => return Err(ApiError::TwoFactorMaxAttempts { message }),
        _ => {}
    }
    let lower = crate::lowercase::lower(&message);
    // The spec says 400 for an unknown session; servers say 404. Only the
    // API's own words mean "not found": a proxy's or gateway's 404 is not.
    if (resp.status == 400 || resp.status == 404) && says_session_not_found(&v) {
        return Err(ApiError::NotFound { message });
    }
    if resp.status == 404 {
        // Rocket.Chat's words for something else, or not Rocket.Chat's.
        return Err(if is_rc_shaped(&v) {
            ApiError::Server {
                status: 404,
                message,
            }
        } else {
            super::not_from_api(API, resp)
        });
    }
    let forbidden = if lower.contains("license") || lower.contains("enterprise") {
        ForbiddenWhat::License("device-management (Enterprise)".into())
    } else {
        super::common::forbidden_what(req)
    };
    Err(status_to_error(resp.status, message, forbidden))
}

fn error_text(v: &Value) -> String {
    json_str(v, "error")
        .or_else(|| json_str(v, "message"))
        .map(|s| clip(&s, 300))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16, body: &str) -> ApiError {
        classify(
            &list(Scope::All, 0),
            &RawResponse {
                status,
                body: body.into(),
                ..Default::default()
            },
        )
        .unwrap_err()
    }

    #[test]
    fn own_session_comes_from_the_own_list_where_list_all_does_not_say() {
        let b = RocketChat;
        let req = b.own_session(Scope::All).expect("asked for the admin list");
        assert_eq!(req.path, "/api/v1/sessions/list");
        assert!(
            b.own_session(Scope::Own).is_none(),
            "the own list marks it itself"
        );
        let body = r#"{"sessions":[{"sessionId":"a","current":false},{"sessionId":"b","current":true}],
            "count":2,"offset":0,"total":2,"success":true}"#;
        assert_eq!(b.parse_own_session(body).as_deref(), Some("b"));
        let none = r#"{"sessions":[{"sessionId":"a"}],"total":1,"success":true}"#;
        assert_eq!(b.parse_own_session(none), None);
        assert_eq!(b.parse_own_session("<html>"), None);
    }

    #[test]
    fn list_all_request_is_strict() {
        let r = list(Scope::All, 200);
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.path, "/api/v1/sessions/list.all");
        let keys: Vec<&str> = r.query.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["offset", "count", "sort"]);
        assert_eq!(r.query[0].1, "200");
        assert_eq!(r.query[1].1, "100");
        assert_eq!(r.code_carrier, TWO_FACTOR);
        let own = list(Scope::Own, 0);
        assert_eq!(own.path, "/api/v1/sessions/list");
        assert_eq!(own.code_carrier, CodeCarrier::None);
    }

    #[test]
    fn auth_headers_named_as_documented() {
        let h = auth_headers("uid", "tok");
        assert_eq!(h[0], ("X-User-Id".into(), "uid".into()));
        assert_eq!(h[1], ("X-Auth-Token".into(), "tok".into()));
    }

    #[test]
    fn logout_bodies() {
        let r = logout(Scope::All, "abc");
        assert_eq!(r.path, "/api/v1/sessions/logout");
        assert_eq!(r.body.unwrap().to_string(), r#"{"sessionId":"abc"}"#);
        assert_eq!(logout(Scope::Own, "abc").path, "/api/v1/sessions/logout.me");
        let i = info(Scope::All, "a b");
        assert_eq!(
            i.path_and_query(),
            "/api/v1/sessions/info.admin?sessionId=a%20b"
        );
    }

    #[test]
    fn classify_two_factor_variants() {
        let e = err(
            400,
            r#"{"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required","details":{"method":"email","codeGenerated":true,"availableMethods":["email","totp"]}}"#,
        );
        match e {
            ApiError::TwoFactorRequired(c) => {
                assert_eq!(c.method, "email");
                assert!(c.code_generated);
                assert_eq!(c.available, ["email", "totp"]);
            }
            other => panic!("{other:?}"),
        }
        // Login shape: 401 with error:"totp-required" and no errorType.
        let e = err(
            401,
            r#"{"status":"error","error":"totp-required","message":"TOTP Required [totp-required]","details":{"method":"totp"}}"#,
        );
        assert!(matches!(e, ApiError::TwoFactorRequired(ref c) if c.method == "totp"));
        let e = err(
            400,
            r#"{"success":false,"error":"TOTP Invalid [totp-invalid]","errorType":"totp-invalid"}"#,
        );
        assert!(matches!(e, ApiError::TwoFactorInvalid { .. }));
        let e = err(
            400,
            r#"{"success":false,"errorType":"totp-max-attempts","error":"TOTP Maximun Failed Attempts Reached"}"#,
        );
        assert!(matches!(e, ApiError::TwoFactorMaxAttempts { .. }));
    }

    #[test]
    fn classify_statuses() {
        assert!(matches!(
            err(401, r#"{"status":"error","message":"You must be logged in to do this."}"#),
            ApiError::Unauthorized { ref message } if message == "You must be logged in to do this."
        ));
        match err(
            403,
            r#"{"success":false,"error":"User does not have the permissions required for this action [error-unauthorized]"}"#,
        ) {
            ApiError::Forbidden {
                what: ForbiddenWhat::Permission(p),
                ..
            } => assert_eq!(p, PERM_VIEW),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            err(
                403,
                r#"{"success":false,"error":"This is an enterprise feature; a valid license is required [error-license-required]"}"#
            ),
            ApiError::Forbidden {
                what: ForbiddenWhat::License(_),
                ..
            }
        ));
        assert!(matches!(
            err(404, r#"{"success":false,"error":"Session not found"}"#),
            ApiError::NotFound { .. }
        ));
        assert!(matches!(
            err(400, r#"{"success":false,"error":"Session not found"}"#),
            ApiError::NotFound { .. }
        ));
        assert!(matches!(
            err(
                429,
                r#"{"success":false,"error":"Error, too many requests. Please slow down. You must wait 9 seconds before trying this endpoint again."}"#
            ),
            ApiError::RateLimited { .. }
        ));
        match err(502, "<html><body>Bad gateway</body></html>") {
            ApiError::Server {
                status: 502,
                message,
            } => assert!(message.contains("Bad gateway")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn logout_outcomes() {
        let ok = RawResponse {
            status: 200,
            body: r#"{"sessionId":"x","success":true}"#.into(),
            ..Default::default()
        };
        assert_eq!(logout_outcome(Ok(ok)), Ok(Revoked::Now));
        assert_eq!(
            logout_outcome(Err(ApiError::NotFound {
                message: "Session not found".into()
            })),
            Ok(Revoked::AlreadyGone)
        );
        let weird = RawResponse {
            status: 200,
            body: "<html>".into(),
            ..Default::default()
        };
        assert_eq!(
            logout_outcome(Ok(weird)),
            Err(ApiError::HtmlPage { status: 200 })
        );
        let silent = RawResponse {
            status: 200,
            body: r#"{"sessionId":"x"}"#.into(),
            ..Default::default()
        };
        assert!(matches!(
            logout_outcome(Ok(silent)),
            Err(ApiError::NotFromApi { .. })
        ));
    }

    /// A 404 is "already gone" only in Rocket.Chat's own words; what an
    /// ingress, Traefik, a gateway or an empty answer says is a failure
    /// that names itself.
    #[test]
    fn only_rocket_chats_own_not_found_is_already_gone() {
        let logout = |status: u16, body: &str| {
            let resp = RawResponse::of(status, body);
            let r = classify(&super::logout(Scope::All, "s1"), &resp).map(|()| resp);
            logout_outcome(r)
        };
        assert_eq!(
            logout(404, r#"{"success":false,"error":"Session not found"}"#),
            Ok(Revoked::AlreadyGone)
        );
        assert_eq!(
            logout(400, r#"{"success":false,"error":"Session not found"}"#),
            Ok(Revoked::AlreadyGone),
            "the spec's 400"
        );
        for (body, seen) in [
            ("default backend - 404", "plain text"),
            ("404 page not found\n", "plain text"),
            ("", "an empty answer"),
            (
                r#"{"message":"no Route matched with those values"}"#,
                "JSON",
            ),
            (r#"{"error":"Session not found"}"#, "JSON"),
        ] {
            let e = logout(404, body).unwrap_err();
            assert!(
                matches!(&e, ApiError::NotFromApi { status: 404, seen: s, .. } if s.starts_with(seen)),
                "{body:?}: {e:?}"
            );
            assert!(e
                .to_string()
                .contains("did not come from Rocket.Chat's API"));
        }
        // Rocket.Chat's shape with another error: a failure, not gone.
        assert!(matches!(
            logout(404, r#"{"success":false,"error":"Not found"}"#),
            Err(ApiError::Server { status: 404, .. })
        ));
    }

    #[test]
    fn login_and_me() {
        let t =
            parse_login(r#"{"status":"success","data":{"userId":"u1","authToken":"t1","me":{}}}"#)
                .unwrap();
        assert_eq!(t.learnt.get(USER_ID), "u1");
        assert_eq!(t.credential.access, "t1");
        assert!(parse_login(r#"{"status":"success","data":{}}"#).is_err());
        let m = parse_me(r#"{"_id":"u1","username":"admin","name":"Ada"}"#).unwrap();
        assert_eq!(m.name.as_deref(), Some("Ada"));
        assert!(parse_me("[]").is_err());
        let l = login("a", "p");
        assert_eq!(l.code_carrier, CodeCarrier::BodyField("code"));
    }

    #[test]
    fn hostile_and_wrong_typed_fields_never_panic() {
        let body = r#"{"sessions":[
            {"sessionId":"x1","_user":{"name":"<img src=x onerror=alert(1)>"},"device":"oops","ip":12345,"loginAt":{"$date":1}},
            {"device":{"os":null}},
            "not an object",
            {"_id":"x2","device":{"name":["a"]}}
        ],"total":"many"}"#;
        let p = parse_list(body).unwrap();
        assert_eq!(p.sessions.len(), 2);
        assert_eq!(p.skipped, 2);
        assert_eq!(p.total, None);
        let s = &p.sessions[0];
        assert_eq!(s.user_name.as_deref(), Some("<img src=x onerror=alert(1)>"));
        assert_eq!(s.ip.as_deref(), Some("12345"));
        assert!(s.login_at.is_none());
        assert!(matches!(
            parse_list("{}"),
            Err(ApiError::BadResponse { .. })
        ));
        assert!(matches!(
            parse_list("<!doctype html>"),
            Err(ApiError::BadResponse { .. })
        ));
    }
}
