//! The session APIs sessiondeck speaks. Each backend module only builds
//! requests and parses answers (no browser calls), so all of it is tested
//! natively against the seed documents' samples.

pub mod docspace;
pub mod henshin;
pub mod rocketchat;
pub mod selfservice;

use crate::bulk::{walk_pages, PAGE_CONCURRENCY};
use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::json::{self, Value};
use crate::list::SortKey;
use crate::model::Session;
use futures::stream::{self, StreamExt};
use std::future::Future;

/// The kinds of server the Connect screen offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackendKind {
    RocketChat,
    DocSpace,
    Henshin,
    SelfService,
}

impl BackendKind {
    pub const ALL: [BackendKind; 4] = [
        BackendKind::RocketChat,
        BackendKind::DocSpace,
        BackendKind::Henshin,
        BackendKind::SelfService,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BackendKind::RocketChat => "Rocket.Chat",
            BackendKind::DocSpace => "DocSpace (ONLYOFFICE)",
            BackendKind::Henshin => "Henshin admin",
            BackendKind::SelfService => "Self-service /auth/sessions",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            BackendKind::RocketChat => "rocketchat",
            BackendKind::DocSpace => "docspace",
            BackendKind::Henshin => "henshin",
            BackendKind::SelfService => "selfservice",
        }
    }

    pub fn from_key(k: &str) -> Option<BackendKind> {
        BackendKind::ALL.into_iter().find(|b| b.key() == k)
    }

    /// The Connect screen's label for the credential of bearer-token backends.
    pub fn token_label(self) -> &'static str {
        match self {
            BackendKind::RocketChat => "Auth token",
            BackendKind::DocSpace => "API key",
            BackendKind::Henshin => "Token",
            BackendKind::SelfService => "Access token",
        }
    }
}

/// How "Revoke all sessions of <user>" is done, where it is offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PerUser {
    /// Not offered.
    No,
    /// One logout per loaded session of the user (bounded concurrency).
    EachSession,
    /// One call the server offers (DocSpace `logoutall/{userId}`).
    Endpoint,
}

/// What a backend can do: the screens show exactly these actions and columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    pub columns: &'static [SortKey],
    /// The column sorted by (descending) when the URL names none.
    pub default_sort: SortKey,
    /// A per-session details endpoint (else the listed record is shown).
    pub details_endpoint: bool,
    pub revoke_selected: bool,
    pub per_user: PerUser,
    /// "Revoke all other sessions".
    pub revoke_others: bool,
    /// "Revoke all sessions" (own sessions: ends the panel's too).
    pub revoke_all: bool,
    /// Whether the list holds several users (grouping, user counts).
    pub many_users: bool,
}

impl BackendKind {
    pub fn caps(self, scope: Scope) -> Caps {
        use SortKey::*;
        match (self, scope) {
            (BackendKind::RocketChat, Scope::All) => Caps {
                columns: &[User, Client, Os, Ip, Host, Login],
                default_sort: Login,
                details_endpoint: true,
                revoke_selected: true,
                per_user: PerUser::EachSession,
                revoke_others: false,
                revoke_all: false,
                many_users: true,
            },
            (BackendKind::RocketChat, Scope::Own) => Caps {
                columns: &[Client, Os, Ip, Host, Login],
                default_sort: Login,
                details_endpoint: true,
                revoke_selected: true,
                per_user: PerUser::No,
                revoke_others: false,
                revoke_all: false,
                many_users: false,
            },
            (BackendKind::DocSpace, _) => Caps {
                columns: &[User, Client, Os, Ip, Location, Login],
                default_sort: Login,
                details_endpoint: false,
                revoke_selected: true,
                per_user: PerUser::Endpoint,
                revoke_others: true,
                revoke_all: false,
                many_users: true,
            },
            (BackendKind::Henshin, _) => Caps {
                columns: &[User, Client, Os, Ip, Login, LastActive, Expires],
                default_sort: LastActive,
                details_endpoint: false,
                revoke_selected: true,
                per_user: PerUser::EachSession,
                revoke_others: false,
                revoke_all: false,
                many_users: true,
            },
            (BackendKind::SelfService, _) => Caps {
                columns: &[Client, Os, Ip, Location, Login, LastActive],
                default_sort: Login,
                details_endpoint: false,
                revoke_selected: true,
                per_user: PerUser::No,
                revoke_others: true,
                revoke_all: true,
                many_users: false,
            },
        }
    }

    /// The one call that confirms the credentials at Connect.
    pub fn whoami(self) -> ApiRequest {
        match self {
            BackendKind::RocketChat => rocketchat::me(),
            BackendKind::DocSpace => docspace::me(),
            BackendKind::Henshin => henshin::list_users(),
            BackendKind::SelfService => selfservice::count(),
        }
    }

    /// Whom the panel is signed in as, from the whoami answer.
    pub fn parse_whoami(self, body: &str, token: &str) -> Result<String, ApiError> {
        match self {
            BackendKind::RocketChat => rocketchat::parse_me(body).map(|me| match me.name {
                Some(n) if !n.is_empty() => format!("{n} (@{})", me.username),
                _ => format!("@{}", me.username),
            }),
            BackendKind::DocSpace => docspace::parse_me(body),
            BackendKind::Henshin => {
                henshin::parse_users(body).map(|_| "Henshin administrator (token)".to_string())
            }
            BackendKind::SelfService => {
                let n = selfservice::parse_count(body)?;
                let who = selfservice::jwt_subject(token).unwrap_or_else(|| "your account".into());
                Ok(format!(
                    "{who} ({n} active session{})",
                    if n == 1 { "" } else { "s" }
                ))
            }
        }
    }

    /// The request that revokes one session.
    pub fn revoke(self, scope: Scope, id: &str) -> ApiRequest {
        match self {
            BackendKind::RocketChat => rocketchat::logout(scope, id),
            BackendKind::DocSpace => docspace::logout(id),
            BackendKind::Henshin => henshin::revoke(id),
            BackendKind::SelfService => selfservice::revoke(id),
        }
    }

    pub fn revoke_outcome(self, r: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
        match self {
            BackendKind::RocketChat => rocketchat::logout_outcome(r),
            BackendKind::DocSpace => docspace::logout_outcome(r),
            BackendKind::Henshin => henshin::revoke_outcome(r),
            BackendKind::SelfService => selfservice::revoke_outcome(r),
        }
    }

    /// The server's own "log out this user everywhere" call, if it has one.
    pub fn revoke_user(self, user_id: &str) -> Option<ApiRequest> {
        (self == BackendKind::DocSpace).then(|| docspace::logout_user(user_id))
    }

    pub fn revoke_others(self) -> Option<ApiRequest> {
        match self {
            BackendKind::DocSpace => Some(docspace::logout_all_except_this()),
            BackendKind::SelfService => Some(selfservice::revoke_others()),
            _ => None,
        }
    }

    pub fn revoke_all(self) -> Option<ApiRequest> {
        (self == BackendKind::SelfService).then(selfservice::revoke_all)
    }
}

/// How a revocation ended when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revoked {
    Now,
    /// The server no longer knew the session: it was already gone.
    AlreadyGone,
}

/// What loading reports as it goes.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadStep {
    pub sessions: Vec<Session>,
    pub skipped: usize,
    /// Units done and expected, and what they are ("sessions", "users").
    pub done: usize,
    pub total: usize,
    pub unit: &'static str,
}

/// Loads every session a backend lists, reporting each step to `sink`:
/// Rocket.Chat walks pages; DocSpace and self-service answer in one call;
/// Henshin lists users, then each user's sessions with bounded concurrency.
pub async fn load_all<C, Fut>(
    kind: BackendKind,
    scope: Scope,
    call: C,
    mut sink: impl FnMut(LoadStep),
) -> Result<(), ApiError>
where
    C: Fn(ApiRequest) -> Fut,
    Fut: Future<Output = Result<RawResponse, ApiError>>,
{
    let one = |page: ListPage, unit| LoadStep {
        done: page.sessions.len(),
        total: page.sessions.len(),
        skipped: page.skipped,
        sessions: page.sessions,
        unit,
    };
    match kind {
        BackendKind::RocketChat => {
            let mut loaded = 0;
            walk_pages(
                rocketchat::PAGE_SIZE,
                |offset| {
                    let r = call(rocketchat::list(scope, offset));
                    async move { rocketchat::parse_list(&r.await?.body) }
                },
                |page, _, _| {
                    loaded += page.sessions.len() + page.skipped;
                    let total = page.total.unwrap_or(0).max(loaded);
                    sink(LoadStep {
                        done: loaded,
                        total,
                        skipped: page.skipped,
                        sessions: page.sessions,
                        unit: "sessions",
                    });
                },
            )
            .await
        }
        BackendKind::DocSpace => {
            let r = call(docspace::list()).await?;
            sink(one(docspace::parse_list(&r.body)?, "sessions"));
            Ok(())
        }
        BackendKind::SelfService => {
            let r = call(selfservice::list()).await?;
            sink(one(selfservice::parse_list(&r.body)?, "sessions"));
            Ok(())
        }
        BackendKind::Henshin => {
            let users = henshin::parse_users(&call(henshin::list_users()).await?.body)?;
            // Users listed with zero sessions need no request.
            let guids: Vec<String> = users
                .into_iter()
                .filter(|u| u.session_count != Some(0))
                .map(|u| u.guid)
                .collect();
            let total = guids.len();
            sink(LoadStep {
                sessions: Vec::new(),
                skipped: 0,
                done: 0,
                total,
                unit: "users",
            });
            let mut pages = stream::iter(guids)
                .map(|g| {
                    let r = call(henshin::user_sessions(&g));
                    async move { henshin::parse_sessions(&r.await?.body) }
                })
                .buffer_unordered(PAGE_CONCURRENCY);
            let mut done = 0;
            while let Some(page) = pages.next().await {
                let page = page?;
                done += 1;
                sink(LoadStep {
                    skipped: page.skipped,
                    sessions: page.sessions,
                    done,
                    total,
                    unit: "users",
                });
            }
            Ok(())
        }
    }
}

/// How a backend's answers map to errors (used by the transport).
pub fn classifier(kind: BackendKind) -> crate::http::transport::ClassifyFn {
    match kind {
        BackendKind::RocketChat => rocketchat::classify,
        BackendKind::DocSpace => docspace::classify,
        BackendKind::Henshin => henshin::classify,
        BackendKind::SelfService => selfservice::classify,
    }
}

/// Whose sessions a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every user's sessions (needs admin permissions).
    All,
    /// The signed-in account's own sessions.
    Own,
}

/// One page of a list answer, parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListPage {
    pub sessions: Vec<Session>,
    /// What the server says the whole list holds, when it says.
    pub total: Option<usize>,
    /// Items the server returned on this page (usable or not).
    pub returned: usize,
    /// Items without a usable session ID, left out.
    pub skipped: usize,
}

/// Parses an answer's JSON; invalid JSON is a bad answer, never a panic.
pub fn parse_json(status: u16, body: &str) -> Result<Value, ApiError> {
    json::parse(body).map_err(|e| ApiError::BadResponse {
        status,
        why: format!("not valid JSON: {e}"),
    })
}

/// A page from list items: rows `row` can read, and how many it could not.
pub fn page_of(
    items: &[Value],
    total: Option<usize>,
    row: impl Fn(&Value) -> Option<Session>,
) -> ListPage {
    let sessions: Vec<Session> = items.iter().filter_map(row).collect();
    ListPage {
        returned: items.len(),
        skipped: items.len() - sessions.len(),
        total,
        sessions,
    }
}

/// A string at `key` of a JSON object; numbers and booleans are shown as text,
/// anything else (objects, arrays, null) counts as missing.
pub fn json_str(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_their_keys() {
        for k in BackendKind::ALL {
            assert_eq!(BackendKind::from_key(k.key()), Some(k));
        }
        assert_eq!(BackendKind::from_key("x"), None);
    }

    fn ok(body: &str) -> Result<RawResponse, ApiError> {
        Ok(RawResponse {
            status: 200,
            body: body.into(),
            rate_limit_reset: None,
        })
    }

    #[test]
    fn henshin_loads_users_then_their_sessions() {
        let asked = std::cell::RefCell::new(Vec::new());
        let mut steps = Vec::new();
        futures::executor::block_on(load_all(
            BackendKind::Henshin,
            Scope::All,
            |req: ApiRequest| {
                asked.borrow_mut().push(req.path.clone());
                let body = if req.path.ends_with("/list") {
                    r#"[{"UserGuid":"a","SessionCount":2},{"UserGuid":"b","SessionCount":0},{"UserGuid":"c"}]"#.to_string()
                } else {
                    let g = req.path.rsplit('/').next().unwrap().to_string();
                    format!(r#"{{"Items":[{{"ID":1{g},"UserGuid":"{g}"}}],"TotalCount":1}}"#).replace("1a", "11").replace("1c", "13")
                };
                async move { ok(&body) }
            },
            |s| steps.push(s),
        ))
        .unwrap();
        let mut paths = asked.borrow().clone();
        paths.sort();
        assert_eq!(
            paths,
            [
                "/api/admin/v1/authenticated-sessions/list",
                "/api/admin/v1/authenticated-sessions/user-sessions/a",
                "/api/admin/v1/authenticated-sessions/user-sessions/c",
            ],
            "no request for a user with zero sessions"
        );
        let rows: usize = steps.iter().map(|s| s.sessions.len()).sum();
        assert_eq!(rows, 2);
        assert_eq!(
            (steps.last().unwrap().done, steps.last().unwrap().total),
            (2, 2)
        );
    }

    #[test]
    fn docspace_loads_in_one_call_and_errors_pass_through() {
        let mut got = 0;
        futures::executor::block_on(load_all(
            BackendKind::DocSpace,
            Scope::All,
            |_| async { ok(r#"{"response":{"loginEvent":0,"items":[{"id":1,"userId":"u"},{"id":2,"userId":"v"}]},"status":0}"#) },
            |s| got += s.sessions.len(),
        ))
        .unwrap();
        assert_eq!(got, 2);
        let r = futures::executor::block_on(load_all(
            BackendKind::SelfService,
            Scope::Own,
            |_| async {
                Err(ApiError::Unauthorized {
                    message: "x".into(),
                })
            },
            |_| {},
        ));
        assert!(matches!(r, Err(ApiError::Unauthorized { .. })));
    }

    #[test]
    fn caps_hide_what_a_backend_lacks() {
        let rc = BackendKind::RocketChat.caps(Scope::All);
        assert!(rc.details_endpoint && !rc.revoke_others && !rc.revoke_all);
        assert_eq!(
            BackendKind::Henshin.caps(Scope::All).default_sort,
            SortKey::LastActive
        );
        assert_eq!(rc.default_sort, SortKey::Login);
        let ds = BackendKind::DocSpace.caps(Scope::All);
        assert_eq!(ds.per_user, PerUser::Endpoint);
        assert!(ds.revoke_others && ds.columns.contains(&SortKey::Location));
        let ss = BackendKind::SelfService.caps(Scope::Own);
        assert!(ss.revoke_all && ss.revoke_others && ss.per_user == PerUser::No);
        for k in BackendKind::ALL {
            let c = k.caps(Scope::All);
            assert_eq!(c.revoke_others, k.revoke_others().is_some(), "{k:?}");
            assert_eq!(c.revoke_all, k.revoke_all().is_some(), "{k:?}");
            assert_eq!(
                c.per_user == PerUser::Endpoint,
                k.revoke_user("u").is_some(),
                "{k:?}"
            );
        }
    }

    #[test]
    fn json_str_tolerates_types() {
        let v = json::parse(r#"{"a": "x", "n": 5, "b": true, "o": {}, "z": null}"#).unwrap();
        assert_eq!(json_str(&v, "a").as_deref(), Some("x"));
        assert_eq!(json_str(&v, "n").as_deref(), Some("5"));
        assert_eq!(json_str(&v, "b").as_deref(), Some("true"));
        assert_eq!(json_str(&v, "o"), None);
        assert_eq!(json_str(&v, "z"), None);
        assert_eq!(json_str(&Value::from("str"), "a"), None);
    }
}
