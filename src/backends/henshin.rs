//! Henshin admin "Core - Authenticated Sessions" (seed 002; api-notes §3).
//!
//! The documented examples are not valid JSON (`{ [ … ] }`): every list is
//! accepted as a bare array or as a paged envelope holding the array.

use super::{json_str, page_of, parse_json, ListPage, Revoked};
use crate::http::request::{clip, ApiError, ApiRequest, ForbiddenWhat, Method, RawResponse};
use crate::json::Value;
use crate::model::{flatten_fields, Field, Session};
use crate::time::Timestamp;

const BASE: &str = "/api/admin/v1/authenticated-sessions";

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

pub fn user_sessions(guid: &str) -> ApiRequest {
    ApiRequest::new(
        Method::Get,
        format!(
            "{BASE}/user-sessions/{}",
            super::docspace::path_segment(guid)
        ),
    )
}

pub fn revoke(id: &str) -> ApiRequest {
    // `Session` is an int; keep a non-numeric ID as a string rather than lose it.
    let session = id
        .parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(id));
    ApiRequest::new(Method::Post, format!("{BASE}/revoke"))
        .json(Value::object([("Session", session)]))
}

/// The array of a list answer: a bare array, or the first array in an
/// envelope (`Items`, `items`, `Data`, `Results`…) with optional paging fields.
/// Returns the items and the envelope's total, when it gives one.
pub fn list_items(body: &str) -> Result<(Vec<Value>, Option<usize>), ApiError> {
    match parse_json(200, body)? {
        Value::Array(items) => Ok((items, None)),
        Value::Object(map) => {
            let total = [
                "TotalCount",
                "totalCount",
                "Total",
                "total",
                "TotalItems",
                "totalItems",
            ]
            .iter()
            .find_map(|k| map.get(k).and_then(Value::as_u64))
            .map(|t| t as usize);
            let preferred = [
                "Items", "items", "Data", "data", "Results", "results", "Value", "value",
            ];
            let array = preferred
                .iter()
                .find_map(|k| map.get(k).and_then(Value::as_array))
                .or_else(|| map.values().find_map(Value::as_array))
                .cloned();
            array
                .map(|a| (a, total))
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

pub fn parse_users(body: &str) -> Result<Vec<UserEntry>, ApiError> {
    let (items, _) = list_items(body)?;
    Ok(items
        .iter()
        .filter_map(|u| {
            Some(UserEntry {
                guid: json_str(u, "UserGuid").filter(|g| !g.is_empty())?,
                name: json_str(u, "UserName"),
                session_count: u.get("SessionCount").and_then(Value::as_u64),
                is_operator: u.get("IsOperator").and_then(Value::as_bool) == Some(true),
            })
        })
        .collect())
}

pub fn parse_sessions(body: &str) -> Result<ListPage, ApiError> {
    let (items, total) = list_items(body)?;
    Ok(page_of(&items, total, session_from))
}

/// "-" and "Other- v. " mean "not known" in Henshin's answers.
fn meaningful(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty() && v != "-" && !v.starts_with("Other- v."))
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
        user_id: json_str(item, "UserGuid"),
        username: json_str(item, "UserName"),
        client: meaningful(json_str(item, "Application")),
        os: meaningful(json_str(item, "OperatingSystem")),
        device_type: meaningful(json_str(item, "Smartphone")),
        last_active: json_str(item, "LastUpdated").map(|t| Timestamp::parse(&t)),
        expires_at: json_str(item, "ExpirationDate").map(|t| Timestamp::parse(&t)),
        operator,
        extra,
        ..Default::default()
    })
}

/// 2xx is done; `err_NoActiveSession` means the session is already gone.
pub fn revoke_outcome(result: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
    match result {
        Ok(_) => Ok(Revoked::Now),
        Err(ApiError::NotFound { .. }) => Ok(Revoked::AlreadyGone),
        Err(e) => Err(e),
    }
}

pub fn classify(_req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError> {
    let body = &resp.body;
    let code = body.find("err_").map(|i| {
        body[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
    });
    if resp.is_success() && code.is_none() {
        return Ok(());
    }
    let v: Value = crate::json::parse(body).unwrap_or(Value::Null);
    let text = json_str(&v, "message")
        .or_else(|| json_str(&v, "Message"))
        .or_else(|| json_str(&v, "error"))
        .unwrap_or_else(|| clip(body, 160));
    let message = match &code {
        Some(c) if !text.contains(c.as_str()) => format!("{c}: {text}"),
        _ => text,
    };
    if code.as_deref() == Some("err_NoActiveSession") {
        return Err(ApiError::NotFound { message });
    }
    Err(match resp.status {
        401 => ApiError::Unauthorized { message },
        403 => ApiError::Forbidden {
            what: ForbiddenWhat::Permission("Henshin administrator".into()),
            message,
        },
        404 => ApiError::NotFound { message },
        429 => ApiError::RateLimited { message },
        s if (200..300).contains(&s) => ApiError::Server {
            status: 400,
            message,
        },
        status => ApiError::Server { status, message },
    })
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
    fn revoke_body_keeps_the_int() {
        assert_eq!(
            revoke("275").body.unwrap().to_string(),
            r#"{"Session":275}"#
        );
        assert_eq!(revoke("x").body.unwrap().to_string(), r#"{"Session":"x"}"#);
    }

    #[test]
    fn no_active_session_is_already_gone() {
        let resp = RawResponse {
            status: 400,
            body: r#"{"error":"err_NoActiveSession","message":"No active session was found for the provided session ID"}"#.into(),
            rate_limit_reset: None,
        };
        let e = classify(&revoke("1"), &resp).unwrap_err();
        assert_eq!(revoke_outcome(Err(e)), Ok(Revoked::AlreadyGone));
        let plain = RawResponse {
            status: 200,
            body: "\"err_NoActiveSession\"".into(),
            rate_limit_reset: None,
        };
        assert!(matches!(
            classify(&revoke("1"), &plain),
            Err(ApiError::NotFound { .. })
        ));
        let forbidden = RawResponse {
            status: 403,
            body: "{}".into(),
            rate_limit_reset: None,
        };
        assert!(classify(&list_users(), &forbidden)
            .unwrap_err()
            .to_string()
            .contains("Henshin administrator"));
    }

    #[test]
    fn dashes_mean_unknown() {
        let s = session_from(&crate::json::parse(r#"{"ID": 1, "Smartphone": "-", "OperatingSystem": "Other- v. ", "Application": "Chrome 120"}"#).unwrap()).unwrap();
        assert_eq!(s.device_type, None);
        assert_eq!(s.os, None);
        assert_eq!(s.client.as_deref(), Some("Chrome 120"));
    }
}
