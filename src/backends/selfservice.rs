//! Self-service `/auth/sessions` (seed 003; api-notes §4): the signed-in
//! user's own sessions, with a Bearer JWT.

use super::common::{json_str, json_text, page_of, parse_json, path_segment, status_to_error};
use super::{
    Backend, Caps, Credential, Input, ListPage, LoadPlan, PerUser, Revoked, Scope, Settings,
    SignInMethod,
};
use crate::http::request::{clip, ApiError, ApiRequest, ForbiddenWhat, Method, RawResponse};
use crate::json::Value;
use crate::list::SortKey;
use crate::model::{flatten_fields, Session};

/// Self-service `/auth/sessions`: the signed-in user's own sessions.
pub struct SelfService;

impl Backend for SelfService {
    /// The list does not mark it; the access token (a JWT) may name it.
    fn own_source(&self, _scope: Scope) -> super::OwnSource {
        super::OwnSource::Token
    }
    fn own_session_in_token(&self, token: &str) -> Option<String> {
        jwt_session(token)
    }
    fn key(&self) -> &'static str {
        "selfservice"
    }
    fn label(&self) -> &'static str {
        "Self-service /auth/sessions"
    }
    fn sign_in_methods(&self) -> &'static [SignInMethod] {
        const METHODS: &[SignInMethod] = &[SignInMethod::token(
                "Access token",
                &[Input::secret(super::credential::TOKEN, "Access token")],
                "The signed-in user's access token (JWT); sent as Authorization: Bearer. Only that user's own sessions are shown.",
            )];
        METHODS
    }
    fn whoami(&self) -> ApiRequest {
        count()
    }
    fn parse_whoami(
        &self,
        body: &str,
        _settings: &Settings,
        credential: &Credential,
    ) -> Result<String, ApiError> {
        let n = parse_count(body)?;
        let who = jwt_subject(&credential.access).unwrap_or_else(|| "your account".into());
        Ok(format!(
            "{who} ({n} active session{})",
            if n == 1 { "" } else { "s" }
        ))
    }
    fn first_scope(&self) -> Scope {
        Scope::Own
    }
    fn caps(&self, _scope: Scope) -> Caps {
        use SortKey::*;
        Caps {
            columns: &[Client, Os, Ip, Location, Login, LastActive],
            default_sort: Login,
            per_user: PerUser::No,
            revoke_others: true,
            revoke_all: true,
            many_users: false,
        }
    }
    fn load_plan(&self, _scope: Scope) -> LoadPlan {
        LoadPlan::One {
            request: list(),
            parse: parse_list,
        }
    }
    /// `DELETE /auth/sessions/all` and `/count` are the API's own paths.
    fn reserved_ids(&self) -> &'static [&'static str] {
        &["all", "count"]
    }
    fn revoke_request(&self, _scope: Scope, id: &str) -> ApiRequest {
        revoke(id)
    }
    fn revoke_outcome(&self, r: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
        revoke_outcome(r)
    }
    fn revoke_others(&self) -> Option<ApiRequest> {
        Some(revoke_others())
    }
    fn revoke_all(&self) -> Option<ApiRequest> {
        Some(revoke_all())
    }
    /// "200, empty body" (seed 003): nothing else counts.
    fn done_outcome(&self, r: Result<RawResponse, ApiError>) -> Result<(), ApiError> {
        super::empty_success(API, &r?)
    }
    fn classify(&self, req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
        classify(req, resp)
    }
}

pub fn count() -> ApiRequest {
    ApiRequest::new(Method::Get, "/auth/sessions/count")
}

pub fn parse_count(body: &str) -> Result<u64, ApiError> {
    let v: Value = parse_json(200, body)?;
    v.get("activeSessions")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::BadResponse {
            status: 200,
            why: "the count answer has no activeSessions number".into(),
        })
}

pub fn list() -> ApiRequest {
    ApiRequest::new(Method::Get, "/auth/sessions")
}

pub fn parse_list(body: &str) -> Result<ListPage, ApiError> {
    let v: Value = parse_json(200, body)?;
    let Some(items) = v.as_array() else {
        return Err(ApiError::BadResponse {
            status: 200,
            why: "the answer is not a list of sessions".into(),
        });
    };
    Ok(page_of(items, Some(items.len()), session_from))
}

pub fn session_from(item: &Value) -> Option<Session> {
    let id = json_str(item, "sessionId").filter(|s| !s.is_empty())?;
    let ua = json_str(item, "userAgent").unwrap_or_default();
    let (client, client_version, os, os_version) = parse_user_agent(&ua);
    Some(Session {
        id,
        user_name: json_text(item, "email"),
        client: client.map(Into::into),
        client_version: client_version.map(Into::into),
        os: os.map(Into::into),
        os_version: os_version.map(Into::into),
        device_type: json_text(item, "deviceType"),
        ip: json_text(item, "ipAddress"),
        location: json_str(item, "location")
            .filter(|l| !l.is_empty())
            .map(Into::into),
        login_at: super::common::epoch(item, "loginTime"),
        last_active: super::common::epoch(item, "lastAccessed"),
        extra: flatten_fields(item),
        ..Default::default()
    })
}

/// (client, version, OS, OS version) from a User-Agent string, for the
/// common browsers and systems; anything else is left out, not guessed.
pub fn parse_user_agent(
    ua: &str,
) -> (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
) {
    let version_after = |marker: &str| -> Option<String> {
        let i = ua.find(marker)? + marker.len();
        let v: String = ua[i..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        (!v.is_empty()).then_some(v)
    };
    let client = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
        ("curl/", "curl"),
        ("okhttp/", "okhttp"),
    ]
    .iter()
    .find_map(|(m, name)| version_after(m).map(|v| (name.to_string(), v)));
    let os = if let Some(v) = version_after("Windows NT ") {
        Some((
            "Windows".to_string(),
            Some(if v == "10.0" { "10/11".to_string() } else { v }),
        ))
    } else if let Some(v) = version_after("Android ") {
        Some(("Android".to_string(), Some(v)))
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        Some((
            "iOS".to_string(),
            version_after("OS ").map(|v| v.replace('_', ".")),
        ))
    } else if ua.contains("Mac OS X") {
        Some((
            "macOS".to_string(),
            version_after("Mac OS X ").map(|v| v.replace('_', ".")),
        ))
    } else if ua.contains("Linux") {
        Some(("Linux".to_string(), None))
    } else {
        None
    };
    // iOS/macOS versions use underscores: take them before the generic scan.
    let os = match os {
        Some((name, _)) if name == "iOS" || name == "macOS" => {
            let marker = if name == "iOS" { " OS " } else { "Mac OS X " };
            let v = ua.find(marker).map(|i| {
                ua[i + marker.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '_' || *c == '.')
                    .collect::<String>()
                    .replace('_', ".")
            });
            Some((name, v.filter(|v| !v.is_empty())))
        }
        other => other,
    };
    let (c, cv) = client.map_or((None, None), |(c, v)| (Some(c), Some(v)));
    let (o, ov) = os.map_or((None, None), |(o, v)| (Some(o), v));
    (c, cv, o, ov)
}

pub fn revoke(id: &str) -> ApiRequest {
    ApiRequest::new(
        Method::Delete,
        format!("/auth/sessions/{}", path_segment(id)),
    )
}

/// `DELETE /auth/sessions`: every session but the one of this token.
pub fn revoke_others() -> ApiRequest {
    ApiRequest::new(Method::Delete, "/auth/sessions")
}

/// `DELETE /auth/sessions/all`: every session, this panel's included.
pub fn revoke_all() -> ApiRequest {
    ApiRequest::new(Method::Delete, "/auth/sessions/all")
}

/// How answers that are not the self-service API's are named.
pub const API: &str = "the self-service /auth/sessions API";

/// Done only on the documented "200, empty body". 404 means "not found or
/// not yours": reported as such, never as success.
pub fn revoke_outcome(result: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
    match result {
        Ok(resp) => super::empty_success(API, &resp).map(|()| Revoked::Now),
        Err(ApiError::NotFound { .. }) => Err(ApiError::NotFound {
            message: "the session was not found, or it is not one of this account's sessions"
                .into(),
        }),
        Err(e) => Err(e),
    }
}

pub fn classify(_req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
    if resp.is_success() {
        return Ok(());
    }
    let v: Value = crate::json::parse(&resp.body).unwrap_or(Value::Null);
    // Its errors are JSON with a message; a 404 that is not came from
    // something in between.
    if resp.status == 404
        && json_str(&v, "message")
            .or_else(|| json_str(&v, "error"))
            .is_none()
    {
        return Err(super::not_from_api(API, resp));
    }
    let message = json_str(&v, "message")
        .or_else(|| json_str(&v, "error"))
        .map(|m| clip(&m, 300))
        .unwrap_or_else(|| clip(&resp.body, 160));
    let message = if message.is_empty() {
        "no message".to_string()
    } else {
        message
    };
    Err(status_to_error(
        resp.status,
        message,
        ForbiddenWhat::Unknown,
    ))
}

/// Who a JWT says it is (`email`, `preferred_username`, or `sub`), read
/// without verifying it — only to show "signed in as".
pub fn jwt_subject(token: &str) -> Option<String> {
    super::common::jwt_claim(token, &["email", "preferred_username", "name", "sub"])
        .map(|s| clip(&s, 80))
}

/// The session a JWT access token is: its `sid` claim (OpenID Connect),
/// or `session_id` / `sessionId` where a server names it so.
pub fn jwt_session(token: &str) -> Option<String> {
    super::common::jwt_claim(token, &["sid", "session_id", "sessionId"])
        .filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
        assert_eq!(
            parse_user_agent(chrome),
            (
                Some("Chrome".into()),
                Some("124.0.0.0".into()),
                Some("Windows".into()),
                Some("10/11".into())
            )
        );
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
        assert_eq!(
            parse_user_agent(iphone),
            (
                Some("Safari".into()),
                Some("17.4".into()),
                Some("iOS".into()),
                Some("17.4".into())
            )
        );
        let ff = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0";
        assert_eq!(parse_user_agent(ff).0.as_deref(), Some("Firefox"));
        assert_eq!(parse_user_agent(ff).2.as_deref(), Some("Linux"));
        assert_eq!(parse_user_agent(""), (None, None, None, None));
        assert_eq!(parse_user_agent("<script>").0, None);
    }

    #[test]
    fn epoch_fields_and_optional_everything() {
        let p = parse_list(r#"[{"sessionId":"s1","loginTime":1700000000000,"lastAccessed":1700000300,"ipAddress":"10.0.0.1"},{"ipAddress":"x"},{}]"#).unwrap();
        assert_eq!(p.sessions.len(), 1);
        assert_eq!(p.skipped, 2);
        let s = &p.sessions[0];
        assert_eq!(
            s.login_at.as_ref().unwrap().epoch_ms(),
            Some(1_700_000_000_000.0)
        );
        assert_eq!(
            s.last_active.as_ref().unwrap().epoch_ms(),
            Some(1_700_000_300_000.0)
        );
        assert!(parse_list(r#"{"sessions":[]}"#).is_err());
        // Epochs written as strings: seconds or milliseconds, or ISO text.
        let p = parse_list(r#"[{"sessionId":"a","loginTime":"1700000000.5","lastAccessed":" 1700000300000 "},{"sessionId":"b","loginTime":"2024-01-02T03:04:05Z","lastAccessed":"-5"}]"#).unwrap();
        let at = |i: usize| p.sessions[i].login_at.as_ref().unwrap();
        assert_eq!(at(0).epoch_ms(), Some(1_700_000_000_500.0));
        assert_eq!(
            p.sessions[0].last_active.as_ref().unwrap().epoch_ms(),
            Some(1_700_000_300_000.0)
        );
        assert_eq!(at(1).epoch_ms(), Some(1_704_164_645_000.0));
        assert_eq!(p.sessions[1].last_active.as_ref().unwrap().epoch_ms(), None);
        assert_eq!(parse_count(r#"{"activeSessions":3}"#).unwrap(), 3);
        assert!(parse_count("{}").is_err());
    }

    #[test]
    fn not_found_is_worded_as_not_yours() {
        let e = revoke_outcome(Err(ApiError::NotFound {
            message: String::new(),
        }))
        .unwrap_err();
        assert!(e.to_string().contains("not one of this account's sessions"));
        assert_eq!(revoke("a/b").path, "/auth/sessions/a%2Fb");
        let page = RawResponse {
            status: 200,
            body: "<!DOCTYPE html><h1>Please sign in</h1>".into(),
            ..Default::default()
        };
        assert_eq!(
            revoke_outcome(Ok(page)),
            Err(ApiError::HtmlPage { status: 200 })
        );
        let empty = RawResponse {
            status: 200,
            ..Default::default()
        };
        assert_eq!(revoke_outcome(Ok(empty)), Ok(Revoked::Now));
    }

    /// The deletes answer "200, empty body": a body — `{"response":
    /// false}`, an error envelope with 200, text — is not the API's answer.
    #[test]
    fn deletes_are_done_only_on_an_empty_200() {
        let done = |b: &str| SelfService.done_outcome(Ok(RawResponse::of(200, b)));
        assert_eq!(done(""), Ok(()));
        for body in [
            r#"{"response":false}"#,
            r#"{"error":{"message":"boom"},"status":1,"statusCode":500}"#,
            "OK",
        ] {
            assert!(
                matches!(done(body), Err(ApiError::NotFromApi { .. })),
                "{body}"
            );
        }
        let e = classify(&revoke("a"), &RawResponse::of(404, "404 page not found")).unwrap_err();
        assert!(
            matches!(e, ApiError::NotFromApi { status: 404, .. }),
            "{e:?}"
        );
        let e = classify(
            &revoke("a"),
            &RawResponse::of(404, r#"{"status":404,"message":"Session not found"}"#),
        )
        .unwrap_err();
        assert!(matches!(e, ApiError::NotFound { .. }));
    }

    #[test]
    fn the_token_names_its_own_session_or_nothing() {
        // {"sub":"ada","email":"ada@sessiondeck.test","sid":"ada-7f3k9q2m4x8w"}
        let t = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGEiLCJlbWFpbCI6ImFkYUBzZXNzaW9uZGVjay50ZXN0Iiwic2lkIjoiYWRhLTdmM2s5cTJtNHg4dyJ9.ZGVtby1zaWduYXR1cmU";
        assert_eq!(
            SelfService.own_session_in_token(t).as_deref(),
            Some("ada-7f3k9q2m4x8w")
        );
        let no_sid = "eyJhbGciOiJub25lIn0.eyJzdWIiOiI0MiIsImVtYWlsIjoiYWRhQGV4YW1wbGUudGVzdCJ9.";
        assert_eq!(jwt_session(no_sid), None);
        assert_eq!(jwt_session("opaque-token"), None);
        assert_eq!(
            SelfService.own_source(Scope::Own),
            super::super::OwnSource::Token
        );
    }

    #[test]
    fn jwt_subject_reads_claims_only() {
        // {"alg":"none"}.{"sub":"42","email":"ada@example.test"}.
        let t = "eyJhbGciOiJub25lIn0.eyJzdWIiOiI0MiIsImVtYWlsIjoiYWRhQGV4YW1wbGUudGVzdCJ9.";
        assert_eq!(jwt_subject(t).as_deref(), Some("ada@example.test"));
        assert_eq!(jwt_subject("opaque-token"), None);
        assert_eq!(jwt_subject("a.!!!.c"), None);
    }
}
