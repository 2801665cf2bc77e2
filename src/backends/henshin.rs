//! Henshin admin "Core - Authenticated Sessions" (seed 002; api-notes §3).
//!
//! The documented examples are not valid JSON (`{ [ … ] }`): every list is
//! accepted as a bare array or as a paged envelope holding the array.

use super::common::{
    check_id, json_str, json_text, page_of, parse_json, path_segment, status_to_error,
};
use super::paging::PageNo;
use super::paging::{user_probes, Probe, Target};
use super::{
    Backend, Caps, Credential, Input, ListPage, LoadPlan, PerUser, Revoked, Scope, Settings,
    SignInMethod,
};
use crate::http::request::{clip, ApiError, ApiRequest, ForbiddenWhat, Method, RawResponse};
use crate::json::Value;
use crate::list::SortKey;
use crate::model::{flatten_fields, Field, Session};
use crate::time::Timestamp;

/// Henshin admin "Core - Authenticated Sessions".
pub struct Henshin;

impl Backend for Henshin {
    /// The panel signs in with a key or token that is no listed session.
    fn own_source(&self, _scope: Scope) -> super::OwnSource {
        super::OwnSource::NotListed
    }
    fn key(&self) -> &'static str {
        "henshin"
    }
    fn label(&self) -> &'static str {
        "Henshin admin"
    }
    fn sign_in_methods(&self) -> &'static [SignInMethod] {
        const METHODS: &[SignInMethod] = &[SignInMethod::token(
            "Token",
            &[Input::secret(super::credential::TOKEN, "Token")],
            "An admin API token; sent as Authorization: Bearer.",
        )];
        METHODS
    }
    fn whoami(&self) -> ApiRequest {
        list_users()
    }
    fn parse_whoami(
        &self,
        body: &str,
        _settings: &Settings,
        _credential: &Credential,
    ) -> Result<String, ApiError> {
        parse_users(body).map(|_| "Henshin administrator (token)".to_string())
    }
    fn caps(&self, _scope: Scope) -> Caps {
        use SortKey::*;
        Caps {
            // Henshin reports no IP and no login time: no empty columns.
            columns: &[User, Client, Os, LastActive, Expires],
            default_sort: LastActive,
            per_user: PerUser::EachSession,
            revoke_others: false,
            revoke_all: false,
            many_users: true,
        }
    }
    fn load_plan(&self, _scope: Scope) -> LoadPlan {
        LoadPlan::PerUser {
            users: users_page,
            parse_users: users_with_sessions,
            sessions: user_sessions,
            parse_sessions,
            next: next_page,
        }
    }
    fn revoke_request(&self, _scope: Scope, id: &str) -> ApiRequest {
        revoke(id)
    }
    fn revoke(&self, _scope: Scope, id: &str) -> Result<ApiRequest, ApiError> {
        check_id(id, self.reserved_ids())?;
        exact_int(id)?;
        Ok(revoke(id))
    }
    fn revoke_outcome(&self, r: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
        revoke_outcome(r)
    }
    /// The sessions of the users concerned only; a session of no known
    /// user needs the whole list.
    fn verify_probes(&self, scope: Scope, targets: &[Target], _listed: usize) -> Vec<Probe> {
        user_probes(
            targets,
            false,
            || self.load_plan(scope),
            (user_sessions, parse_sessions, next_page),
        )
    }
    fn classify(&self, req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
        classify(req, resp)
    }
}

const BASE: &str = "/api/admin/v1/authenticated-sessions";

/// The GUIDs of the users worth asking about on a page of the user list
/// (users listed with zero sessions need no request), and the page after
/// it where a paged envelope says there is more.
fn users_with_sessions(body: &str, _asked: Option<PageNo>) -> Result<UserPagePair, ApiError> {
    let listing = list_items(body)?;
    let next = listing.page.and_then(|(number, size)| {
        let read = number.saturating_mul(size);
        let more = listing.total.is_some_and(|t| (read as usize) < t);
        let full = size > 0 && listing.items.len() as u64 >= size;
        (more && full).then(|| (number.saturating_add(1), size))
    });
    let users = users_of(&listing)
        .into_iter()
        .filter(|u| u.session_count != Some(0))
        .map(|u| u.guid)
        .collect();
    Ok((users, next))
}

type UserPagePair = super::paging::UserPage;

/// One user of the overview list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserEntry {
    pub guid: String,
    pub name: Option<String>,
    pub session_count: Option<u64>,
    pub is_operator: bool,
}

pub fn list_users() -> ApiRequest {
    ApiRequest::new(Method::Get, format!("{BASE}/list"))
}

/// The user list's first page, or page `(number, size)` of a paged one.
pub fn users_page(page: Option<PageNo>) -> ApiRequest {
    match page {
        Some((number, size)) => list_users()
            .query("PageNumber", number.to_string())
            .query("PageSize", size.to_string()),
        None => list_users(),
    }
}

/// One user's sessions; `page`: (page number, page size) after the first
/// page of a paged envelope.
pub fn user_sessions(guid: &str, page: Option<PageNo>) -> ApiRequest {
    let r = ApiRequest::new(
        Method::Get,
        format!("{BASE}/user-sessions/{}", path_segment(guid)),
    );
    match page {
        Some((number, size)) => r
            .query("PageNumber", number.to_string())
            .query("PageSize", size.to_string()),
        None => r,
    }
}

/// `Session` is an int: an ID is sent as the number it is, written as it
/// was listed. One that no int writes the same way ("0275", "2.75e2",
/// "x") is refused: sent as 275 it could end someone else's session.
pub fn exact_int(id: &str) -> Result<i64, ApiError> {
    // The number's own writing is the only one that round-trips.
    id.parse::<i64>()
        .ok()
        .filter(|n| n.to_string() == id)
        .ok_or_else(|| ApiError::UnsafeId {
            id: id.to_string(),
            why: "is not a whole number written as Henshin's API takes it, so it cannot be sent exactly",
        })
}

/// The revoke call for a session listed with ID `id` (see [`exact_int`]).
pub fn revoke(id: &str) -> ApiRequest {
    let session = exact_int(id).map_or_else(|_| Value::from(id), Value::from);
    ApiRequest::new(Method::Post, format!("{BASE}/revoke"))
        .json(Value::object([("Session", session)]))
}

/// A list answer: its items, and the paging an envelope reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listing<'a> {
    pub items: Vec<Value<'a>>,
    /// How many items the whole list holds, when the envelope says.
    pub total: Option<usize>,
    /// This page's number and the page size, when the envelope says.
    pub page: Option<(u64, u64)>,
}

fn first_number(map: &crate::json::Map, keys: &[&str]) -> Option<u64> {
    keys.iter().find_map(|k| map.get(k).and_then(Value::as_u64))
}

/// The array of a list answer: a bare array, or the first array in an
/// envelope (`Items`, `items`, `Data`, `Results`…) with optional paging fields.
pub fn list_items(body: &str) -> Result<Listing<'_>, ApiError> {
    match parse_json(200, body)? {
        Value::Array(items) => Ok(Listing {
            items,
            ..Default::default()
        }),
        Value::Object(map) => {
            let total = first_number(
                &map,
                &[
                    "TotalCount",
                    "totalCount",
                    "Total",
                    "total",
                    "TotalItems",
                    "totalItems",
                ],
            )
            .map(|t| usize::try_from(t).unwrap_or(usize::MAX));
            let number = first_number(&map, &["PageNumber", "pageNumber", "Page", "page"]);
            let size = first_number(&map, &["PageSize", "pageSize"]);
            let preferred = [
                "Items", "items", "Data", "data", "Results", "results", "Value", "value",
            ];
            let array = preferred
                .iter()
                .find_map(|k| map.get(k).and_then(Value::as_array))
                .or_else(|| map.values().find_map(Value::as_array))
                .cloned();
            array
                .map(|items| Listing {
                    items,
                    total,
                    page: number.zip(size),
                })
                .ok_or_else(|| ApiError::BadResponse {
                    status: 200,
                    why: "the answer holds no list".into(),
                })
        }
        _ => Err(ApiError::BadResponse {
            status: 200,
            why: "the answer is neither a list nor an object holding one".into(),
        }),
    }
}

/// Users whose GUID is usable in a path; the others are left out.
pub fn parse_users(body: &str) -> Result<Vec<UserEntry>, ApiError> {
    Ok(users_of(&list_items(body)?))
}

fn users_of(listing: &Listing) -> Vec<UserEntry> {
    listing
        .items
        .iter()
        .filter_map(|u| {
            Some(UserEntry {
                guid: json_str(u, "UserGuid").filter(|g| super::check_id(g, &[]).is_ok())?,
                name: json_str(u, "UserName"),
                session_count: u.get("SessionCount").and_then(Value::as_u64),
                is_operator: u.get("IsOperator").and_then(Value::as_bool) == Some(true),
            })
        })
        .collect()
}

/// One page of a user's sessions, and the next page to ask for after
/// `collected` rows (this page's included), if the envelope says there is one.
pub fn parse_sessions(body: &str) -> Result<(ListPage, Option<(u64, u64)>), ApiError> {
    let listing = list_items(body)?;
    let page = page_of(&listing.items, listing.total, session_from);
    Ok((page, listing.page))
}

/// The page to ask for after `page` (whose paging [`parse_sessions`] gave),
/// with `collected` items so far: only while the envelope's total says
/// there is more and this page was full.
pub fn next_page(
    page: &ListPage,
    paging: Option<(u64, u64)>,
    collected: usize,
) -> Option<(u64, u64)> {
    let (number, size) = paging?;
    let more = page.total.is_some_and(|t| collected < t);
    let full = size > 0 && page.returned as u64 >= size;
    (more && full).then(|| (number.saturating_add(1), size))
}

/// Henshin writes a client as "Name- v. Version" ("Firefox- v. 133",
/// "Linux- v."): shown as "Firefox 133", "Linux". "-" and "Other" mean
/// "not known".
pub fn meaningful(s: Option<String>) -> Option<String> {
    let raw = s?;
    let (name, version) = match raw.split_once("- v.") {
        Some((n, v)) => (n.trim(), v.trim()),
        None => (raw.trim(), ""),
    };
    if name.is_empty() || name == "-" || name.eq_ignore_ascii_case("other") {
        return None;
    }
    Some(if version.is_empty() {
        name.to_string()
    } else {
        format!("{name} {version}")
    })
}

pub fn session_from(item: &Value) -> Option<Session> {
    let id = json_str(item, "ID").filter(|s| !s.is_empty())?;
    let operator = item.get("IsOperator").and_then(Value::as_bool) == Some(true);
    let mut extra = flatten_fields(item);
    extra.push(Field {
        name: "operator".into(),
        value: if operator { "yes" } else { "no" }.into(),
    });
    Some(Session {
        id,
        user_id: json_text(item, "UserGuid"),
        username: json_text(item, "UserName"),
        client: meaningful(json_str(item, "Application")).map(Into::into),
        os: meaningful(json_str(item, "OperatingSystem")).map(Into::into),
        device_type: meaningful(json_str(item, "Smartphone")).map(Into::into),
        last_active: json_str(item, "LastUpdated").map(|t| Timestamp::parse(&t)),
        expires_at: json_str(item, "ExpirationDate").map(|t| Timestamp::parse(&t)),
        operator,
        extra,
        ..Default::default()
    })
}

/// How answers that are not Henshin's are named.
pub const API: &str = "Henshin's admin API";

/// The error code that means "no such session" (already gone).
pub const NO_ACTIVE_SESSION: &str = "err_NoActiveSession";
/// The error code of a user the server does not know (their sessions, if
/// any, are gone with them).
const USER_NOT_FOUND: &str = "err_UserNotFound";

/// Done only on "a plain Json positive response" (the document's words:
/// `{"Result":"OK"}`, `true`, `"OK"`) — classify has already turned a
/// top-level error code into an error. Already gone only on
/// `err_NoActiveSession`. An empty body, text, a web page or JSON that says
/// nothing positive is not Henshin's answer.
pub fn revoke_outcome(result: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
    match result {
        Ok(resp) => match crate::json::parse(&resp.body) {
            Ok(v) if positive(&v) => Ok(Revoked::Now),
            Ok(Value::Bool(false)) => Err(ApiError::NotDone {
                status: resp.status,
                said: "Henshin answered false (the session was not revoked); refresh the list to see whether it is still open.".into(),
            }),
            _ => Err(super::not_from_api(API, &resp)),
        },
        Err(ApiError::NotFound { message }) if message.starts_with(NO_ACTIVE_SESSION) => {
            Ok(Revoked::AlreadyGone)
        }
        Err(e) => Err(e),
    }
}

/// A positive answer: `true`, "OK"/"Success", or an object whose result
/// or success field (if it has one) says so — and that has at least one of
/// them or is empty.
fn positive(v: &Value) -> bool {
    let yes = |v: &Value| match v {
        Value::Bool(b) => *b,
        Value::String(s) => ["ok", "success", "true", "revoked"]
            .contains(&crate::lowercase::lower(s.trim()).as_str()),
        _ => false,
    };
    match v {
        Value::Object(map) => {
            let flags: Vec<&Value> = ["Result", "result", "Success", "success"]
                .iter()
                .filter_map(|k| map.get(k))
                .collect();
            !flags.is_empty() && flags.into_iter().all(yes)
        }
        other => yes(other),
    }
}

/// `err_Something`: Henshin's error codes.
fn is_error_code(s: &str) -> bool {
    s.len() > 4
        && s.starts_with("err_")
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// An error code the answer states at its top level: the whole answer is a
/// code (`"err_NoActiveSession"`), or an object's error field holds one.
/// Codes inside data (a user named `kerr_j`) are data.
fn top_level_code(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if is_error_code(s) => Some(s.to_string()),
        Value::Object(_) => ["error", "Error", "code", "Code", "errorCode", "ErrorCode"]
            .iter()
            .find_map(|k| json_str(v, k).filter(|c| is_error_code(c))),
        _ => None,
    }
}

/// The first `err_…` word anywhere in a non-2xx body (a plain-text error).
fn code_in_text(body: &str) -> Option<String> {
    body.match_indices("err_").find_map(|(i, _)| {
        let before_ok = body[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        let word: String = body[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        (before_ok && is_error_code(&word)).then_some(word)
    })
}

pub fn classify(_req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
    let body = &resp.body;
    let v: Value = crate::json::parse(body).unwrap_or(Value::Null);
    let code = top_level_code(&v);
    if resp.is_success() && code.is_none() {
        return Ok(());
    }
    let code = code.or_else(|| code_in_text(body));
    let text = json_str(&v, "message")
        .or_else(|| json_str(&v, "Message"))
        .or_else(|| json_str(&v, "error"))
        .map(|m| clip(&m, 300))
        .unwrap_or_else(|| clip(body, 160));
    let message = match &code {
        Some(c) if !text.starts_with(c.as_str()) => format!("{c}: {text}"),
        _ => text,
    };
    // "Not found" only in Henshin's own words (the message starts with the
    // code); a 404 without one came from something in between.
    if matches!(code.as_deref(), Some(NO_ACTIVE_SESSION | USER_NOT_FOUND)) {
        return Err(ApiError::NotFound { message });
    }
    if resp.status == 404 {
        // Another code, or none: not "not found" in Henshin's words.
        return Err(match code {
            Some(_) => ApiError::Server {
                status: 404,
                message,
            },
            None => super::not_from_api(API, resp),
        });
    }
    Err(status_to_error(
        resp.status,
        message,
        ForbiddenWhat::Permission("Henshin administrator".into()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_array_and_envelope() {
        let bare = r#"[{"UserGuid":"g1","UserName":"user","SessionCount":1,"IsOperator":true}]"#;
        let env = r#"{"Items":[{"UserGuid":"g1","UserName":"user","SessionCount":1,"IsOperator":true}],"TotalCount":1,"PageNumber":1,"PageSize":50}"#;
        assert_eq!(parse_users(bare).unwrap(), parse_users(env).unwrap());
        let odd = r#"{"page":1,"rows":[{"UserGuid":"g2"}]}"#;
        assert_eq!(parse_users(odd).unwrap()[0].guid, "g2");
        assert!(
            parse_users("{ [ ] }").is_err(),
            "the documents' pseudo-JSON is not JSON"
        );
        assert!(parse_users(r#"{"a":1}"#).is_err());
    }

    #[test]
    fn paged_envelopes_say_when_there_is_more() {
        let body = r#"{"Items":[{"ID":1},{"ID":2}],"TotalCount":5,"PageNumber":1,"PageSize":2}"#;
        let (page, paging) = parse_sessions(body).unwrap();
        assert_eq!(paging, Some((1, 2)));
        assert_eq!(next_page(&page, paging, 2), Some((2, 2)));
        assert_eq!(next_page(&page, paging, 5), None, "all collected");
        let last = r#"{"Items":[{"ID":5}],"TotalCount":5,"PageNumber":3,"PageSize":2}"#;
        let (page, paging) = parse_sessions(last).unwrap();
        assert_eq!(
            next_page(&page, paging, 4),
            None,
            "a short page is the last"
        );
        let (bare, paging) = parse_sessions(r#"[{"ID":1}]"#).unwrap();
        assert_eq!(next_page(&bare, paging, 1), None);
        assert_eq!(
            user_sessions("g", Some((2, 50))).path_and_query(),
            "/api/admin/v1/authenticated-sessions/user-sessions/g?PageNumber=2&PageSize=50"
        );
        // A GUID that would be a path step is left out of the users.
        let users =
            parse_users(r#"[{"UserGuid":".."},{"UserGuid":"a/b"},{"UserGuid":"ok"}]"#).unwrap();
        assert_eq!(users.len(), 1);
    }

    #[test]
    fn client_strings_are_tidied_and_unknowns_dropped() {
        let m = |s: &str| meaningful(Some(s.into()));
        assert_eq!(m("Firefox- v. 133").as_deref(), Some("Firefox 133"));
        assert_eq!(m("Linux- v.").as_deref(), Some("Linux"));
        assert_eq!(
            m("Mac OS X- v. 10.15.7").as_deref(),
            Some("Mac OS X 10.15.7")
        );
        assert_eq!(m("Chrome 126").as_deref(), Some("Chrome 126"));
        for unknown in ["Other- v. ", "Other- v.", "-", "  ", "- v. 3"] {
            assert_eq!(m(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn revoke_sends_the_id_exactly_or_not_at_all() {
        let b = Henshin;
        let body = |id: &str| {
            b.revoke(Scope::All, id)
                .map(|r| r.body.unwrap().to_string())
        };
        assert_eq!(body("275").unwrap(), r#"{"Session":275}"#);
        assert_eq!(body("0").unwrap(), r#"{"Session":0}"#);
        assert_eq!(body("-3").unwrap(), r#"{"Session":-3}"#);
        // Never sent as another number than the one listed.
        for id in [
            "0275",
            "2.75e2",
            "275.0",
            "+275",
            " 275",
            "x",
            "-",
            "-0",
            "99999999999999999999",
        ] {
            let e = body(id).unwrap_err();
            assert!(matches!(e, ApiError::UnsafeId { .. }), "{id}: {e:?}");
            assert!(
                !e.retry_can_help(),
                "{id}: Retry failed would refuse it again"
            );
        }
    }

    #[test]
    fn no_active_session_is_already_gone() {
        let resp = RawResponse {
            status: 400,
            body: r#"{"error":"err_NoActiveSession","message":"No active session was found for the provided session ID"}"#.into(),
            ..Default::default()
        };
        let e = classify(&revoke("1"), &resp).unwrap_err();
        assert_eq!(revoke_outcome(Err(e)), Ok(Revoked::AlreadyGone));
        let plain = RawResponse {
            status: 200,
            body: "\"err_NoActiveSession\"".into(),
            ..Default::default()
        };
        assert!(matches!(
            classify(&revoke("1"), &plain),
            Err(ApiError::NotFound { .. })
        ));
        let forbidden = RawResponse {
            status: 403,
            body: "{}".into(),
            ..Default::default()
        };
        assert!(classify(&list_users(), &forbidden)
            .unwrap_err()
            .to_string()
            .contains("Henshin administrator"));
    }

    fn ok(body: &str) -> RawResponse {
        RawResponse {
            status: 200,
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn error_codes_in_data_are_data() {
        // A user named kerr_j with the application err_ops: a list, not an error.
        let list = r#"[{"UserGuid":"g1","UserName":"kerr_j","SessionCount":1},{"UserGuid":"g2","UserName":"err_ops"}]"#;
        assert_eq!(classify(&list_users(), &ok(list)), Ok(()));
        let sessions = r#"{"Items":[{"ID":1,"UserName":"kerr_j","Application":"err_ops","OperatingSystem":"err_NoActiveSession"}],"TotalCount":1}"#;
        assert_eq!(classify(&user_sessions("g1", None), &ok(sessions)), Ok(()));
        assert_eq!(
            parse_sessions(sessions).unwrap().0.sessions[0]
                .client
                .as_deref(),
            Some("err_ops")
        );
        // A top-level error field on a 2xx is an error.
        let e = classify(
            &list_users(),
            &ok(r#"{"error":"err_Internal","message":"boom"}"#),
        )
        .unwrap_err();
        assert!(
            matches!(e, ApiError::Server { status: 200, ref message } if message.contains("err_Internal")),
            "{e:?}"
        );
        // Non-2xx plain text: the code is read from the text, as a whole word.
        let e = classify(
            &list_users(),
            &RawResponse {
                status: 400,
                body: "failed: err_NoActiveSession".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(matches!(e, ApiError::NotFound { .. }));
        assert_eq!(code_in_text("kerr_j"), None);
    }

    #[test]
    fn a_revoke_counts_only_when_the_server_said_so() {
        for yes in [
            r#"{"Result":"OK"}"#,
            "true",
            r#""OK""#,
            r#"{"success":true}"#,
        ] {
            assert_eq!(revoke_outcome(Ok(ok(yes))), Ok(Revoked::Now), "{yes}");
        }
        assert_eq!(
            revoke_outcome(Ok(ok("<!doctype html><title>Sign in</title>"))),
            Err(ApiError::HtmlPage { status: 200 })
        );
        for not in [
            "",
            "revoked, probably",
            "{}",
            r#"{"Result":"Fail"}"#,
            r#"{"status":"queued"}"#,
            r#"{"Result":"OK","success":false}"#,
        ] {
            assert!(
                matches!(
                    revoke_outcome(Ok(ok(not))),
                    Err(ApiError::NotFromApi { .. })
                ),
                "{not:?}"
            );
        }
        assert!(matches!(
            revoke_outcome(Ok(ok("false"))),
            Err(ApiError::NotDone { .. })
        ));
    }

    /// Already gone only on `err_NoActiveSession`; a 404 of a proxy, a
    /// gateway or an empty one is a failure that says where it came from.
    #[test]
    fn only_henshins_own_code_is_already_gone() {
        let revoke_with = |status: u16, body: &str| {
            let resp = RawResponse {
                status,
                body: body.into(),
                ..Default::default()
            };
            revoke_outcome(classify(&revoke("1"), &resp).map(|()| resp))
        };
        assert_eq!(
            revoke_with(
                400,
                r#"{"error":"err_NoActiveSession","message":"No active session"}"#
            ),
            Ok(Revoked::AlreadyGone)
        );
        assert_eq!(
            revoke_with(404, r#"{"error":"err_NoActiveSession"}"#),
            Ok(Revoked::AlreadyGone)
        );
        for body in [
            "default backend - 404",
            "404 page not found",
            "",
            r#"{"message":"no Route matched"}"#,
        ] {
            let e = revoke_with(404, body).unwrap_err();
            assert!(
                matches!(e, ApiError::NotFromApi { status: 404, .. }),
                "{body:?}: {e:?}"
            );
        }
        // A user the server does not know is "not found" for a list, never
        // "already gone" for a revoke.
        assert!(matches!(
            revoke_with(404, r#"{"error":"err_UserNotFound","message":"No user"}"#),
            Err(ApiError::NotFound { .. })
        ));
    }

    #[test]
    fn dashes_mean_unknown() {
        let s = session_from(&crate::json::parse(r#"{"ID": 1, "Smartphone": "-", "OperatingSystem": "Other- v. ", "Application": "Chrome 120"}"#).unwrap()).unwrap();
        assert_eq!(s.device_type, None);
        assert_eq!(s.os, None);
        assert_eq!(s.client.as_deref(), Some("Chrome 120"));
    }
}
