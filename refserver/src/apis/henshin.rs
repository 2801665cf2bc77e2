//! Henshin admin "Core - Authenticated Sessions" (api-notes §3): users with
//! session counts as a bare array, each user's sessions in a paged envelope,
//! revoke by int ID, and `err_…` error codes.

use crate::data::{iso, Rng, HOSTILE_NAME};
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

pub const TOKEN: &str = "demo-henshin-token-Kp3Vw8";
const BASE: &str = "/api/admin/v1/authenticated-sessions";

#[derive(Clone, Debug)]
pub struct HUser {
    pub guid: String,
    pub name: String,
    pub operator: bool,
}

#[derive(Clone, Debug)]
pub struct HSession {
    pub id: i64,
    pub user_index: usize,
    pub last_updated: i64,
    pub expiration: i64,
    pub smartphone: String,
    pub os: String,
    pub app: String,
}

#[derive(Default)]
pub struct Henshin {
    pub users: Vec<HUser>,
    pub sessions: Vec<HSession>,
}

pub fn seed(rng: &mut Rng, now: i64) -> Henshin {
    let mut users: Vec<HUser> = (0..24)
        .map(|i| HUser {
            guid: format!(
                "{:08x}-ec08-4cee-b635-{:012x}",
                0x83bd_e819u32.wrapping_add(i * 7919),
                0x8841_4563_0d0bu64 + i as u64
            ),
            name: if i == 0 {
                "user".into()
            } else if i == 22 {
                // The demo person, also on Rocket.Chat and DocSpace.
                crate::data::DEMO_PERSON_USERNAME.into()
            } else if i == 20 || i == 21 {
                // Two people whose names contain each other.
                crate::data::NEAR_NAMES[i as usize - 20].1.into()
            } else {
                format!("operator{i:02}")
            },
            operator: i % 3 == 0,
        })
        .collect();
    users.push(HUser {
        guid: "90b10bb2-8c70-456f-b960-2251ae6d8778".into(),
        name: "user2".into(),
        operator: false,
    });
    users.push(HUser {
        guid: "deadbeef-0000-4000-8000-00000000bad1".into(),
        name: HOSTILE_NAME.into(),
        operator: false,
    });
    users.push(HUser {
        guid: "0ff11e00-0000-4000-8000-000000000000".into(),
        name: "idle".into(),
        operator: false,
    });
    let apps = [
        ("-", "Other- v. ", "Other- v. "),
        // As Henshin writes them: "Name- v. Version".
        ("iPhone", "iOS- v. 17.4", "Henshin Mobile- v. 3.2"),
        ("-", "Windows- v. 11", "Chrome- v. 126"),
        ("Pixel 8", "Android- v. 14", "Henshin Mobile- v. 3.2"),
        ("-", "Linux- v.", "Firefox- v. 133"),
    ];
    let mut sessions = Vec::new();
    let mut id = 275;
    for (ui, _) in users.iter().enumerate() {
        if users[ui].name == "idle" {
            continue;
        }
        let n = 1 + rng.below(4) as usize;
        for _ in 0..n {
            let (smartphone, os, app) = apps[rng.below(apps.len() as u64) as usize];
            let last = now - (rng.unit() * 3.0 * 86_400_000.0) as i64;
            sessions.push(HSession {
                id,
                user_index: ui,
                last_updated: last,
                expiration: last + 2 * 86_400_000,
                smartphone: smartphone.into(),
                os: os.into(),
                app: app.into(),
            });
            id += 1 + rng.below(3) as i64;
        }
    }
    Henshin { users, sessions }
}

impl crate::state::ApiData for Henshin {
    fn session_ids(&self) -> (&'static str, Vec<String>) {
        let ids = self.sessions.iter().map(|s| s.id.to_string());
        ("henshinIds", ids.collect())
    }
    fn remove(&mut self, ids: &[String]) {
        self.sessions.retain(|s| !ids.contains(&s.id.to_string()));
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": code, "message": message })),
    )
        .into_response()
}

/// Auth, and the query: only `allowed` parameters (none for most calls).
fn guard(
    h: &HeaderMap,
    raw: &Option<String>,
    allowed: &[&str],
) -> Result<Vec<(String, String)>, Response> {
    let ok = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        == Some(TOKEN);
    if !ok {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "err_Unauthorized",
            "A valid admin token is required",
        ));
    }
    let mut query = Vec::new();
    for pair in raw
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if !allowed.contains(&k) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "err_InvalidParameters",
                &format!("Unexpected query parameter {k:?}"),
            ));
        }
        query.push((k.to_string(), v.to_string()));
    }
    Ok(query)
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route(&format!("{BASE}/list"), get(list))
        .route(
            &format!("{BASE}/user-sessions/{{guid}}"),
            get(user_sessions),
        )
        .route(&format!("{BASE}/revoke"), post(revoke))
}

async fn list(State(app): State<Shared>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    if let Err(r) = guard(&h, &raw, &[]) {
        return r;
    }
    let mut st = app.lock();
    let vanish = std::mem::take(&mut st.faults.henshin_vanish);
    let hs = st.api::<Henshin>();
    // A bare array, as the (invalid) documented example suggests.
    let users: Vec<Value> = hs
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            json!({
                "UserGuid": u.guid, "UserName": u.name,
                "SessionCount": hs.sessions.iter().filter(|s| s.user_index == i).count(),
                "IsOperator": u.operator,
            })
        })
        .collect();
    // Fault `henshinVanish`: these users' sessions end just after this list.
    let hs = st.api_mut::<Henshin>();
    let gone: Vec<usize> = (0..hs.users.len())
        .filter(|&i| vanish.contains(&hs.users[i].guid))
        .collect();
    hs.sessions.retain(|s| !gone.contains(&s.user_index));
    axum::Json(Value::Array(users)).into_response()
}

async fn user_sessions(
    State(app): State<Shared>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
    Path(guid): Path<String>,
) -> Response {
    let query = match guard(&h, &raw, &["PageNumber", "PageSize"]) {
        Ok(q) => q,
        Err(r) => return r,
    };
    let number = |k: &str, default: usize| -> Result<usize, Response> {
        match query.iter().find(|(n, _)| n == k) {
            None => Ok(default),
            Some((_, v)) => v.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    "err_InvalidParameters",
                    &format!("{k} must be a positive integer"),
                )
            }),
        }
    };
    let (page, size) = match (
        number("PageNumber", 1),
        number("PageSize", app.cfg.henshin_page_size),
    ) {
        (Ok(p), Ok(s)) => (p, s.min(app.cfg.henshin_page_size)),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let st = app.lock();
    let hs = st.api::<Henshin>();
    let Some(ui) = hs.users.iter().position(|u| u.guid == guid) else {
        return error(
            StatusCode::NOT_FOUND,
            "err_UserNotFound",
            "No user with this guid",
        );
    };
    let u = &hs.users[ui];
    let mine: Vec<&HSession> = hs.sessions.iter().filter(|s| s.user_index == ui).collect();
    if mine.is_empty() {
        return error(
            StatusCode::NOT_FOUND,
            "err_NoActiveSession",
            "The user has no active session",
        );
    }
    let n = mine.len();
    let items: Vec<Value> = mine
        .into_iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|s| {
            json!({
                "ID": s.id, "UserID": ui + 4, "UserGuid": u.guid,
                "LastUpdated": iso(s.last_updated).replace(".000Z", "Z"),
                "ExpirationDate": iso(s.expiration),
                "UserName": u.name, "IsOperator": u.operator,
                "Smartphone": s.smartphone, "OperatingSystem": s.os, "Application": s.app,
            })
        })
        .collect();
    // A paged envelope here, so the panel meets both shapes.
    axum::Json(json!({ "Items": items, "TotalCount": n, "PageNumber": page, "PageSize": size }))
        .into_response()
}

async fn revoke(
    State(app): State<Shared>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    if let Err(r) = guard(&h, &raw, &[]) {
        return r;
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(id) = v.get("Session").and_then(Value::as_i64) else {
        return error(
            StatusCode::BAD_REQUEST,
            "err_InvalidParameters",
            "Session must be an integer session ID",
        );
    };
    let mut st = app.lock();
    st.stats.logout_calls.push(id.to_string());
    let Some(pos) = st.api::<Henshin>().sessions.iter().position(|s| s.id == id) else {
        return error(
            StatusCode::BAD_REQUEST,
            "err_NoActiveSession",
            "No active session was found for the provided session ID",
        );
    };
    if st.inject_failure(&id.to_string()) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "err_Internal",
            "Internal error [injected fault]",
        );
    }
    st.api_mut::<Henshin>().sessions.remove(pos);
    axum::Json(json!({ "Result": "OK" })).into_response()
}

/// This API, as the server registers it (`build.rs`).
pub const API: crate::state::Api = crate::state::Api {
    name: "Henshin",
    prefixes: &["/api/admin/"],
    routes,
    secret_paths: &[],
    data: Some(|r, now| Box::new(seed(r, now))),
    demo,
};

/// The demo banner's line for Henshin.
fn demo(_: &crate::config::Config) -> String {
    format!("Henshin:       Token {TOKEN}\n")
}

#[cfg(test)]
mod tests {
    use crate::data::{DEMO_PERSON, DEMO_PERSON_USERNAME};

    /// The demo's person has sessions on DocSpace and Henshin (and, see
    /// `data`, on Rocket.Chat) with the demo's default seed.
    #[test]
    fn the_demo_person_is_on_docspace_and_henshin() {
        let seed = crate::config::Config::default().seed;
        let ds = crate::apis::docspace::seed(
            &mut crate::apis::docspace::API.stream(seed),
            1_700_000_000_000,
        );
        let hs = super::seed(&mut super::API.stream(seed), 1_700_000_000_000);
        assert!(ds
            .conns
            .iter()
            .any(|c| c.display_name.as_deref() == Some(DEMO_PERSON)));
        let at = hs
            .users
            .iter()
            .position(|u| u.name == DEMO_PERSON_USERNAME)
            .expect("on Henshin");
        assert!(hs.sessions.iter().any(|s| s.user_index == at));
    }
}
