//! ONLYOFFICE DocSpace active connections (seed 000; api-notes §2).
//!
//! Every answer is wrapped: `{response, count, links, status, statusCode}`.

use super::common::{
    check_id, forbidden_what, json_str, json_text, page_of, parse_json, path_segment,
    status_to_error,
};
use super::{
    Backend, Caps, Credential, Input, ListPage, LoadPlan, OthersText, PerUser, Revoked, Scope,
    Settings, SignInMethod,
};
use crate::http::request::{clip, ApiError, ApiRequest, Method, RawResponse};
use crate::json::Value;
use crate::list::SortKey;
use crate::model::{flatten_fields, Session};
use crate::time::Timestamp;

/// ONLYOFFICE DocSpace active connections.
pub struct DocSpace;

impl Backend for DocSpace {
    /// The panel signs in with a key or token that is no listed session.
    fn own_source(&self, _scope: Scope) -> super::OwnSource {
        super::OwnSource::NotListed
    }
    fn key(&self) -> &'static str {
        "docspace"
    }
    fn label(&self) -> &'static str {
        "DocSpace (ONLYOFFICE)"
    }
    fn sign_in_methods(&self) -> &'static [SignInMethod] {
        const METHODS: &[SignInMethod] = &[SignInMethod::token(
                "API key",
                &[Input::secret(super::credential::TOKEN, "API key")],
                "A personal access token (API key) of a DocSpace administrator; sent as Authorization: Bearer.",
            )];
        METHODS
    }
    fn whoami(&self) -> ApiRequest {
        me()
    }
    fn parse_whoami(
        &self,
        body: &str,
        _settings: &Settings,
        _credential: &Credential,
    ) -> Result<String, ApiError> {
        parse_me(body)
    }
    fn caps(&self, _scope: Scope) -> Caps {
        use SortKey::*;
        Caps {
            columns: &[User, Client, Os, Ip, Location, Login],
            default_sort: Login,
            per_user: PerUser::Endpoint,
            revoke_others: true,
            revoke_all: false,
            many_users: true,
        }
    }
    fn load_plan(&self, _scope: Scope) -> LoadPlan {
        LoadPlan::One {
            request: list(),
            parse: parse_list,
        }
    }
    fn revoke_request(&self, _scope: Scope, id: &str) -> ApiRequest {
        logout(id)
    }
    fn revoke_outcome(&self, r: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
        logout_outcome(r)
    }
    fn revoke_user(&self, user_id: &str) -> Option<Result<ApiRequest, ApiError>> {
        Some(check_id(user_id, self.reserved_ids()).map(|()| logout_user(user_id)))
    }
    fn revoke_others(&self) -> Option<ApiRequest> {
        Some(logout_all_except_this())
    }
    fn others_text(&self, listed: usize) -> OthersText {
        OthersText {
            message: format!("DocSpace logs out every connection except \u{201c}this\u{201d} one ({listed} listed)."),
            warning: Some("With an API key there is no \u{201c}this\u{201d} connection: this closes EVERY connection of the portal, including your own browser sessions. Everyone, you included, has to sign in again.".to_string()),
            done: "Closed every connection of the portal: with an API key there is no \u{201c}this\u{201d} one, so your own browser sessions ended too and everyone has to sign in again.".into(),
        }
    }
    fn done_outcome(&self, r: Result<RawResponse, ApiError>) -> Result<(), ApiError> {
        done_outcome(r)
    }
    /// Its connections name display names only: a login or e-mail typed is
    /// looked up in the people API.
    fn find_people(&self, typed: &str) -> Option<ApiRequest> {
        let q = typed.trim();
        (q.chars().count() >= 2).then(|| {
            ApiRequest::new(Method::Get, "/api/2.0/people/filter")
                .query("filterValue", q)
                .query("count", "25")
                .permission(ADMIN_RIGHT)
        })
    }
    fn parse_people(&self, body: &str) -> Result<Vec<super::Account>, ApiError> {
        let r = unwrap_envelope(body)?;
        let Some(items) = r.as_array() else {
            return Err(ApiError::BadResponse {
                status: 200,
                why: "the people answer holds no list".into(),
            });
        };
        Ok(items
            .iter()
            .filter_map(|u| {
                Some(super::Account {
                    user_id: json_str(u, "id").filter(|i| !i.is_empty())?,
                    login: json_str(u, "userName").filter(|s| !s.is_empty()),
                    email: json_str(u, "email").filter(|s| !s.is_empty()),
                    name: json_str(u, "displayName").filter(|s| !s.is_empty()),
                })
            })
            .take(100)
            .collect())
    }
    fn classify(&self, req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
        classify(req, resp)
    }
}

/// How answers that are not DocSpace's are named.
pub const API: &str = "DocSpace's API";

const BASE: &str = "/api/2.0/security/activeconnections";
pub const ADMIN_RIGHT: &str = "DocSpace administrator (portal admin) right";

/// `GET /api/2.0/people/@self`: who the API key belongs to.
pub fn me() -> ApiRequest {
    ApiRequest::new(Method::Get, "/api/2.0/people/@self")
}

pub fn parse_me(body: &str) -> Result<String, ApiError> {
    let r = unwrap_envelope(body)?;
    let name = json_str(&r, "displayName").filter(|s| !s.is_empty());
    let user = json_str(&r, "userName").or_else(|| json_str(&r, "email"));
    match (name, user) {
        (Some(n), Some(u)) => Ok(format!("{n} ({u})")),
        (Some(n), None) => Ok(n),
        (None, Some(u)) => Ok(u),
        (None, None) => Err(ApiError::BadResponse {
            status: 200,
            why: "the /people/@self answer names nobody".into(),
        }),
    }
}

pub fn list() -> ApiRequest {
    ApiRequest::new(Method::Get, BASE).permission(ADMIN_RIGHT)
}

/// `response.items`, newest first; `date` may be an ISO string or
/// `{utcTime, timeZoneOffset}`.
pub fn parse_list(body: &str) -> Result<ListPage, ApiError> {
    let r = unwrap_envelope(body)?;
    let Some(items) = r.get("items").and_then(Value::as_array) else {
        return Err(ApiError::BadResponse {
            status: 200,
            why: "the answer has no response.items list".into(),
        });
    };
    let login_event = r.get("loginEvent").and_then(Value::as_i64).unwrap_or(0);
    Ok(page_of(items, Some(items.len()), |i| {
        session_from(i, login_event)
    }))
}

fn date(v: &Value) -> Option<Timestamp> {
    match v {
        Value::String(s) => Some(Timestamp::parse(s)),
        Value::Object(_) => json_str(v, "utcTime").map(|t| Timestamp::parse(&t)),
        _ => None,
    }
}

pub fn session_from(item: &Value, login_event: i64) -> Option<Session> {
    let id = json_str(item, "id").filter(|s| !s.is_empty())?;
    let location = [json_str(item, "city"), json_str(item, "country")]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let mobile = item.get("mobile").and_then(Value::as_bool);
    Some(Session {
        current: login_event != 0 && item.get("id").and_then(Value::as_i64) == Some(login_event),
        id,
        user_id: json_text(item, "userId"),
        user_name: json_str(item, "displayName")
            .filter(|s| !s.is_empty())
            .map(Into::into),
        client: json_text(item, "browser"),
        os: json_text(item, "platform"),
        device_type: mobile.map(|m| if m { "mobile" } else { "desktop" }.into()),
        ip: json_text(item, "ip"),
        location: (!location.is_empty()).then_some(location.into()),
        login_at: item.get("date").and_then(date),
        extra: flatten_fields(item),
        ..Default::default()
    })
}

/// `PUT …/logout/{loginEventId}`.
pub fn logout(id: &str) -> ApiRequest {
    ApiRequest::new(Method::Put, format!("{BASE}/logout/{}", path_segment(id)))
        .permission(ADMIN_RIGHT)
}

/// `response: true` is success; `false` (which DocSpace also answers for an
/// unknown connection, swallowing the error) is a failure to report.
/// DocSpace's `false`, in one sentence with one thing to do.
pub const FALSE_SAID: &str = "DocSpace answered false (the connection was not closed); refresh the list to see whether it is still open.";

pub fn logout_outcome(result: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
    let resp = result?;
    let r = api_response(&resp)?;
    match r.as_bool() {
        Some(true) => Ok(Revoked::Now),
        Some(false) => Err(ApiError::NotDone {
            status: resp.status,
            said: FALSE_SAID.into(),
        }),
        None => Err(ApiError::BadResponse {
            status: resp.status,
            why: "the logout answer is neither true nor false".into(),
        }),
    }
}

/// The `response` of a 2xx answer in DocSpace's own envelope (`{response,
/// status: 0, statusCode: 200}`): an error envelope sent with 200 (`status`
/// 1, an `error`, a `statusCode` that is no success) is the server's
/// failure; no envelope at all is not DocSpace's answer.
pub fn api_response(resp: &RawResponse) -> Result<Value<'_>, ApiError> {
    let Ok(Value::Object(mut map)) = crate::json::parse(&resp.body) else {
        return Err(super::not_from_api(API, resp));
    };
    let status_code = map.get("statusCode").and_then(Value::as_u64);
    let failed = map.get("error").is_some_and(|e| !matches!(e, Value::Null))
        || map
            .get("status")
            .and_then(Value::as_i64)
            .is_some_and(|s| s != 0)
        || status_code.is_some_and(|c| !(200..300).contains(&c));
    if failed {
        return Err(ApiError::Server {
            status: status_code
                .and_then(|c| u16::try_from(c).ok())
                .filter(|c| !(200..300).contains(c))
                .unwrap_or(resp.status),
            message: error_message(&resp.body),
        });
    }
    match map.remove("response") {
        Some(r) => Ok(r),
        None => Err(super::not_from_api(API, resp)),
    }
}

/// `logoutall/{userId}` and `logoutallexceptthis`: done only on DocSpace's
/// success envelope; `response: false` (DocSpace swallowing a failure) is
/// not done.
pub fn done_outcome(result: Result<RawResponse, ApiError>) -> Result<(), ApiError> {
    let resp = result?;
    match api_response(&resp)? {
        Value::Bool(false) => Err(ApiError::NotDone {
            status: resp.status,
            said: "DocSpace answered false (nothing was closed); refresh the list to see which connections are still open.".into(),
        }),
        _ => Ok(()),
    }
}

/// `PUT …/logoutall/{userId}`: every connection of one user (DocSpace admin only).
pub fn logout_user(user_id: &str) -> ApiRequest {
    ApiRequest::new(
        Method::Put,
        format!("{BASE}/logoutall/{}", path_segment(user_id)),
    )
    .permission(ADMIN_RIGHT)
}

/// `PUT …/logoutallexceptthis`: with an API key this closes EVERY connection.
pub fn logout_all_except_this() -> ApiRequest {
    ApiRequest::new(Method::Put, format!("{BASE}/logoutallexceptthis"))
}

/// `{response: …}`; a missing envelope or invalid JSON is a bad answer.
pub fn unwrap_envelope(body: &str) -> Result<Value<'_>, ApiError> {
    match parse_json(200, body)? {
        Value::Object(mut map) if map.contains_key("response") => {
            Ok(map.remove("response").unwrap_or(Value::Null))
        }
        _ => Err(ApiError::BadResponse {
            status: 200,
            why: "the answer is not wrapped in DocSpace's {response: …} envelope".into(),
        }),
    }
}

fn error_message(body: &str) -> String {
    let v: Value = crate::json::parse(body).unwrap_or(Value::Null);
    json_str(&v["error"], "message")
        .or_else(|| json_str(&v, "error"))
        .or_else(|| json_str(&v, "message"))
        .map(|m| clip(&m, 300))
        .unwrap_or_else(|| clip(body, 160))
}

pub fn classify(req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
    if resp.is_success() {
        return Ok(());
    }
    // DocSpace's errors come in its envelope; a 404 without one is a
    // proxy's or a gateway's, never "not found" in DocSpace's words.
    let enveloped = matches!(crate::json::parse(&resp.body), Ok(Value::Object(m))
        if m.contains_key("error") || m.contains_key("statusCode") || m.contains_key("response"));
    if resp.status == 404 && !enveloped {
        return Err(super::not_from_api(API, resp));
    }
    let message = error_message(&resp.body);
    Err(status_to_error(resp.status, message, forbidden_what(req)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_looked_up_by_what_was_typed() {
        let r = DocSpace.find_people(" dana.ross ").unwrap();
        assert_eq!(
            r.path_and_query(),
            "/api/2.0/people/filter?filterValue=dana.ross&count=25"
        );
        assert!(DocSpace.find_people("d").is_none(), "too short to look up");
        let people = DocSpace
            .parse_people(
                r#"{"response":[{"id":"u-1","userName":"dana.ross","displayName":"Dana Ross","email":"dana.ross@x.test"},{"userName":"no-id"}],"status":0}"#,
            )
            .unwrap();
        assert_eq!(
            people,
            [super::super::Account {
                user_id: "u-1".into(),
                login: Some("dana.ross".into()),
                email: Some("dana.ross@x.test".into()),
                name: Some("Dana Ross".into()),
            }]
        );
        assert!(DocSpace.parse_people("<html>").is_err());
    }

    #[test]
    fn envelope_is_required_and_unwrapped() {
        assert_eq!(
            unwrap_envelope(r#"{"response":true,"status":0}"#).unwrap(),
            Value::Bool(true)
        );
        assert!(unwrap_envelope("true").is_err());
        assert!(unwrap_envelope("<html>").is_err());
    }

    #[test]
    fn false_is_a_failure() {
        let ok = |b: &str| RawResponse {
            status: 200,
            body: b.into(),
            ..Default::default()
        };
        assert_eq!(
            logout_outcome(Ok(ok(r#"{"response":true}"#))),
            Ok(Revoked::Now)
        );
        // One sentence, one thing to do.
        let e = logout_outcome(Ok(ok(r#"{"response":false}"#))).unwrap_err();
        assert!(matches!(e, ApiError::NotDone { .. }), "{e:?}");
        assert_eq!(e.to_string(), format!("200 OK: {FALSE_SAID}"));
        assert_eq!(e.to_string().matches(". ").count(), 0, "{e}");
        assert!(matches!(
            logout_outcome(Ok(ok(r#"{"response":"x"}"#))),
            Err(ApiError::BadResponse { .. })
        ));
        assert_eq!(
            logout_outcome(Ok(ok("<html><body>Proxy error</body></html>"))),
            Err(ApiError::HtmlPage { status: 200 })
        );
        assert!(matches!(
            logout_outcome(Ok(ok("true"))),
            Err(ApiError::NotFromApi { .. })
        ));
    }

    /// "Everything of a user" and "all other connections" are done only on
    /// DocSpace's own success envelope.
    #[test]
    fn one_call_logouts_are_done_only_on_docspaces_success_envelope() {
        let ok = |status: u16, b: &str| done_outcome(Ok(RawResponse::of(status, b)));
        assert_eq!(
            ok(
                200,
                r#"{"response":null,"count":1,"links":[],"status":0,"statusCode":200}"#
            ),
            Ok(())
        );
        assert_eq!(ok(200, r#"{"response":"Dora Admin","status":0}"#), Ok(()));
        assert!(matches!(
            ok(200, r#"{"response":false,"status":0,"statusCode":200}"#),
            Err(ApiError::NotDone { .. })
        ));
        // An error envelope sent with 200: the server's failure, with its status.
        let e = ok(
            200,
            r#"{"error":{"message":"Access denied"},"status":1,"statusCode":403}"#,
        )
        .unwrap_err();
        assert!(
            matches!(&e, ApiError::Server { status: 403, message } if message == "Access denied"),
            "{e:?}"
        );
        assert!(matches!(
            ok(200, r#"{"response":null,"status":1}"#),
            Err(ApiError::Server { status: 200, .. })
        ));
        for foreign in ["", "{}", r#"{"ok":true}"#, "OK", "[]"] {
            assert!(
                matches!(ok(200, foreign), Err(ApiError::NotFromApi { .. })),
                "{foreign:?}"
            );
        }
        assert_eq!(ok(200, "<html>"), Err(ApiError::HtmlPage { status: 200 }));
        // A 404 without DocSpace's envelope came from something in between.
        assert!(matches!(
            classify(&logout("1"), &RawResponse::of(404, "default backend - 404")),
            Err(ApiError::NotFromApi { status: 404, .. })
        ));
        assert!(matches!(
            classify(
                &logout("1"),
                &RawResponse::of(
                    404,
                    r#"{"error":{"message":"Not found"},"status":1,"statusCode":404}"#
                )
            ),
            Err(ApiError::NotFound { .. })
        ));
    }

    #[test]
    fn requests() {
        assert_eq!(
            logout("12").path,
            "/api/2.0/security/activeconnections/logout/12"
        );
        assert_eq!(
            logout("../x").path,
            "/api/2.0/security/activeconnections/logout/..%2Fx"
        );
        assert_eq!(logout_user("u-1").method, Method::Put);
        assert_eq!(
            logout_all_except_this().path,
            "/api/2.0/security/activeconnections/logoutallexceptthis"
        );
    }

    #[test]
    fn errors_name_the_admin_right() {
        let e = classify(
            &list(),
            &RawResponse {
                status: 403,
                body: r#"{"error":{"message":"Access denied"},"status":1,"statusCode":403}"#.into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("DocSpace administrator"), "{e}");
        assert!(e.to_string().contains("Access denied"));
    }
}
