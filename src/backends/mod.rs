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

    /// Words of this backend's API that an ID must never be, because a
    /// path with them means more than one session (self-service
    /// `DELETE /auth/sessions/all`).
    fn reserved_ids(self) -> &'static [&'static str] {
        match self {
            BackendKind::SelfService => &["all", "count"],
            BackendKind::RocketChat | BackendKind::DocSpace | BackendKind::Henshin => &[],
        }
    }

    /// The request that revokes one session; an ID that could reach more
    /// than that session is refused here, before anything is sent.
    pub fn revoke(self, scope: Scope, id: &str) -> Result<ApiRequest, ApiError> {
        check_id(id, self.reserved_ids())?;
        Ok(match self {
            BackendKind::RocketChat => rocketchat::logout(scope, id),
            BackendKind::DocSpace => docspace::logout(id),
            BackendKind::Henshin => henshin::revoke(id),
            BackendKind::SelfService => selfservice::revoke(id),
        })
    }

    /// Whether a revocation happened: only when the server said so.
    pub fn revoke_outcome(self, r: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError> {
        match self {
            BackendKind::RocketChat => rocketchat::logout_outcome(r),
            BackendKind::DocSpace => docspace::logout_outcome(r),
            BackendKind::Henshin => henshin::revoke_outcome(r),
            BackendKind::SelfService => selfservice::revoke_outcome(r),
        }
    }

    /// The server's own "log out this user everywhere" call, if it has one.
    pub fn revoke_user(self, user_id: &str) -> Option<Result<ApiRequest, ApiError>> {
        (self == BackendKind::DocSpace).then(|| {
            check_id(user_id, self.reserved_ids())?;
            Ok(docspace::logout_user(user_id))
        })
    }

    pub fn revoke_others(self) -> Option<ApiRequest> {
        match self {
            BackendKind::DocSpace => Some(docspace::logout_all_except_this()),
            BackendKind::SelfService => Some(selfservice::revoke_others()),
            BackendKind::RocketChat | BackendKind::Henshin => None,
        }
    }

    pub fn revoke_all(self) -> Option<ApiRequest> {
        (self == BackendKind::SelfService).then(selfservice::revoke_all)
    }

    /// The call that ends a login token the panel obtained itself (at
    /// sign-out), where the backend has a login.
    pub fn end_token(self) -> Option<ApiRequest> {
        (self == BackendKind::RocketChat).then(rocketchat::logout_token)
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

/// What a finished load noticed beyond its rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// The server's list changed while it was being paged: rows may be
    /// missing or doubled, so the admin is told to refresh.
    pub list_changed: bool,
}

/// Watches a paging walk for signs that the list moved under it: a total
/// that changes, a page that brings no new session, fewer distinct sessions
/// than the last total said.
#[derive(Default)]
struct ChangeWatch {
    seen: std::collections::HashSet<u64>,
    skipped: usize,
    first_total: Option<usize>,
    last_total: Option<usize>,
    changed: bool,
}

impl ChangeWatch {
    /// One page's rows; `total`: what it says the whole list holds.
    fn page(&mut self, sessions: &[Session], skipped: usize, total: Option<usize>) {
        use std::hash::{Hash, Hasher};
        let mut new = 0;
        for s in sessions {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            s.id.hash(&mut h);
            new += usize::from(self.seen.insert(h.finish()));
        }
        self.skipped += skipped;
        if !sessions.is_empty() && new == 0 {
            self.changed = true;
        }
        if let Some(t) = total {
            if self.first_total.is_some_and(|f| f != t) {
                self.changed = true;
            }
            self.first_total.get_or_insert(t);
            self.last_total = Some(t);
        }
    }

    fn report(&self) -> LoadReport {
        let short = self
            .last_total
            .is_some_and(|t| self.seen.len() + self.skipped < t);
        LoadReport {
            list_changed: self.changed || short,
        }
    }
}

/// Loads every session a backend lists, reporting each step to `sink`:
/// Rocket.Chat walks pages; DocSpace and self-service answer in one call;
/// Henshin lists users, then each user's sessions (following their pages)
/// with bounded concurrency.
pub async fn load_all<C, Fut>(
    kind: BackendKind,
    scope: Scope,
    call: C,
    mut sink: impl FnMut(LoadStep),
) -> Result<LoadReport, ApiError>
where
    C: Fn(ApiRequest) -> Fut,
    Fut: Future<Output = Result<RawResponse, ApiError>>,
{
    let mut watch = ChangeWatch::default();
    let mut one = |page: ListPage, sink: &mut dyn FnMut(LoadStep)| {
        watch.page(&page.sessions, page.skipped, page.total);
        sink(LoadStep {
            done: page.sessions.len(),
            total: page.sessions.len(),
            skipped: page.skipped,
            sessions: page.sessions,
            unit: "sessions",
        });
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
                    watch.page(&page.sessions, page.skipped, page.total);
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
            .await?;
        }
        BackendKind::DocSpace => {
            let r = call(docspace::list()).await?;
            one(docspace::parse_list(&r.body)?, &mut sink);
        }
        BackendKind::SelfService => {
            let r = call(selfservice::list()).await?;
            one(selfservice::parse_list(&r.body)?, &mut sink);
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
            let call = &call;
            let mut users = stream::iter(guids)
                .map(|g| async move { henshin_user(call, &g).await })
                .buffer_unordered(PAGE_CONCURRENCY);
            let mut done = 0;
            while let Some(pages) = users.next().await {
                done += 1;
                let mut step = LoadStep {
                    sessions: Vec::new(),
                    skipped: 0,
                    done,
                    total,
                    unit: "users",
                };
                for page in pages? {
                    // Each user's total is their own: only new rows count here.
                    watch.page(&page.sessions, page.skipped, None);
                    step.skipped += page.skipped;
                    step.sessions.extend(page.sessions);
                }
                sink(step);
            }
        }
    }
    Ok(watch.report())
}

/// Every page of one Henshin user's sessions. A user who answers 404 or
/// `err_NoActiveSession` (their sessions ended after the user list was
/// read) has none: that is not a failed load.
async fn henshin_user<C, Fut>(call: &C, guid: &str) -> Result<Vec<ListPage>, ApiError>
where
    C: Fn(ApiRequest) -> Fut,
    Fut: Future<Output = Result<RawResponse, ApiError>>,
{
    let mut pages = Vec::new();
    let (mut collected, mut paging) = (0, None);
    loop {
        let answer = match call(henshin::user_sessions(guid, paging)).await {
            Ok(r) => r,
            Err(ApiError::NotFound { .. }) => break,
            Err(e) => return Err(e),
        };
        let (page, this) = henshin::parse_sessions(&answer.body)?;
        collected += page.returned;
        let next = henshin::next_page(&page, this, collected);
        let empty = page.returned == 0;
        pages.push(page);
        match next {
            Some(n) if !empty && pages.len() < crate::bulk::MAX_PAGES => paging = Some(n),
            _ => break,
        }
    }
    Ok(pages)
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
        why: if crate::http::request::looks_like_html(body) {
            format!("not valid JSON but a web page, {e}")
        } else {
            format!("not valid JSON: {e}")
        },
    })
}

/// The body of a 2xx answer to an action: empty, or the API's JSON. A web
/// page (a sign-in page, a proxy's error page) or other text is never taken
/// as the server having done it.
pub fn action_answer(resp: &RawResponse) -> Result<Option<Value>, ApiError> {
    if resp.body.trim().is_empty() {
        return Ok(None);
    }
    if resp.is_html() {
        return Err(ApiError::HtmlPage {
            status: resp.status,
        });
    }
    parse_json(resp.status, &resp.body).map(Some)
}

/// Success of an action whose answer means nothing beyond "done" (2xx with
/// an empty or JSON body).
pub fn action_outcome(result: Result<RawResponse, ApiError>) -> Result<(), ApiError> {
    action_answer(&result?).map(|_| ())
}

/// Refuses an ID that could make a request reach more than the one session
/// (or user) it names: empty, `.`/`..` (also percent-encoded, which browsers
/// resolve as path steps), separators, or one of the API's own path words.
pub fn check_id(id: &str, reserved: &[&str]) -> Result<(), ApiError> {
    let refuse = |why| {
        Err(ApiError::UnsafeId {
            id: id.to_string(),
            why,
        })
    };
    if id.trim().is_empty() {
        return refuse("is empty");
    }
    // Decode until stable: `%252e` is `%2e` is `.` to some server on the way.
    let mut decoded = id.to_string();
    for _ in 0..4 {
        let next = crate::list::percent_decode(&decoded.replace('+', "%2B"));
        if next == decoded {
            break;
        }
        decoded = next;
    }
    for form in [id, decoded.as_str()] {
        if form.trim() == "." || form.trim() == ".." {
            return refuse("is a path step (. or ..)");
        }
        if form.contains(['/', '\\', '?', '#']) {
            return refuse("contains a path or query separator");
        }
        if form.chars().any(char::is_control) {
            return refuse("contains control characters");
        }
        if reserved.iter().any(|r| form.trim().eq_ignore_ascii_case(r)) {
            return refuse("is a word the API uses for its own paths");
        }
    }
    Ok(())
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
            ..Default::default()
        })
    }

    #[test]
    fn ids_that_could_widen_a_revoke_are_refused_before_any_request() {
        let ss = BackendKind::SelfService;
        for bad in [
            "",
            " ",
            ".",
            "..",
            "%2e",
            "%2E%2e",
            "%252e%252e",
            "a/b",
            "a%2Fb",
            "a%252Fb",
            "a\\b",
            "x?all=1",
            "x#y",
            "all",
            "ALL",
            " all ",
            "count",
            "%61ll",
            "a\nb",
        ] {
            let e = ss.revoke(Scope::Own, bad).unwrap_err();
            assert!(matches!(e, ApiError::UnsafeId { .. }), "{bad:?}: {e:?}");
            assert!(e.to_string().contains("Nothing was revoked"), "{e}");
        }
        assert_eq!(
            ss.revoke(Scope::Own, "s-1.2_3~x").unwrap().path,
            "/auth/sessions/s-1.2_3~x"
        );
        // `all` is only reserved where it is a path of the API.
        assert!(BackendKind::Henshin.revoke(Scope::All, "all").is_ok());
        for k in BackendKind::ALL {
            assert!(k.revoke(Scope::All, "..").is_err(), "{k:?}");
            assert!(k.revoke(Scope::All, "").is_err(), "{k:?}");
        }
        let ds = BackendKind::DocSpace;
        assert!(matches!(
            ds.revoke_user("%2e%2e"),
            Some(Err(ApiError::UnsafeId { .. }))
        ));
        assert!(matches!(ds.revoke_user("u-1"), Some(Ok(_))));
    }

    #[test]
    fn a_bulk_of_unsafe_ids_sends_nothing() {
        let sent = std::cell::RefCell::new(Vec::new());
        let out = futures::executor::block_on(crate::bulk::run_bulk(
            vec!["ok-1".into(), "all".into(), "../x".into(), "ok-2".into()],
            2,
            |id| {
                let sent = &sent;
                async move {
                    let req = BackendKind::SelfService.revoke(Scope::Own, &id)?;
                    sent.borrow_mut().push(req.path.clone());
                    BackendKind::SelfService.revoke_outcome(ok(""))
                }
            },
            &crate::bulk::Stop::default(),
            |_, _| {},
        ));
        assert_eq!(
            *sent.borrow(),
            ["/auth/sessions/ok-1", "/auth/sessions/ok-2"]
        );
        let refused = out
            .iter()
            .filter(|(_, r)| {
                matches!(
                    r,
                    crate::bulk::ItemResult::Failed(ApiError::UnsafeId { .. })
                )
            })
            .count();
        assert_eq!(refused, 2);
    }

    #[test]
    fn actions_count_only_on_an_api_answer() {
        assert_eq!(action_outcome(ok("")), Ok(()));
        assert_eq!(
            action_outcome(ok(r#"{"response":null,"status":0}"#)),
            Ok(())
        );
        assert_eq!(
            action_outcome(ok("  <html><body>Log in</body></html>")),
            Err(ApiError::HtmlPage { status: 200 })
        );
        assert!(matches!(
            action_outcome(ok("OK")),
            Err(ApiError::BadResponse { .. })
        ));
    }

    /// A Rocket.Chat list whose pages come from `pages(offset)`.
    fn rc_load(pages: impl Fn(usize) -> String) -> (usize, LoadReport) {
        let mut rows = 0;
        let report = futures::executor::block_on(load_all(
            BackendKind::RocketChat,
            Scope::All,
            |req: ApiRequest| {
                let offset: usize = req.query[0].1.parse().unwrap();
                let body = pages(offset);
                async move { ok(&body) }
            },
            |s| rows += s.sessions.len(),
        ))
        .unwrap();
        (rows, report)
    }

    fn rc_page(ids: std::ops::Range<usize>, total: usize) -> String {
        let items: Vec<String> = ids.map(|i| format!(r#"{{"_id":"s{i}"}}"#)).collect();
        format!(r#"{{"sessions":[{}],"total":{total}}}"#, items.join(","))
    }

    #[test]
    fn a_list_that_changes_while_paging_is_said_to_have_changed() {
        let steady = rc_load(|o| rc_page(o..(o + 100).min(250), 250));
        assert_eq!(
            steady,
            (
                250,
                LoadReport {
                    list_changed: false
                }
            )
        );
        // Five new sessions at the top between pages: later pages repeat rows
        // and the distinct rows end below the last total.
        let growing = rc_load(|o| {
            if o == 0 {
                rc_page(0..100, 250)
            } else {
                rc_page(o - 5..(o + 95).min(250), 255)
            }
        });
        assert!(growing.1.list_changed);
        // A page that brings nothing new.
        let stuck = rc_load(|o| rc_page(0..100.min(250 - o), 250));
        assert!(stuck.1.list_changed);
        // Sessions ended at the top between pages: the total shrinks.
        let shrinking = rc_load(|o| {
            if o == 0 {
                rc_page(0..100, 250)
            } else {
                rc_page(o + 10..(o + 110).min(250), 240)
            }
        });
        assert!(shrinking.1.list_changed);
    }

    #[test]
    fn docspace_listing_the_same_connection_twice_is_a_changed_list() {
        let load = |body: &'static str| {
            futures::executor::block_on(load_all(
                BackendKind::DocSpace,
                Scope::All,
                |_| async move { ok(body) },
                |_| {},
            ))
            .unwrap()
        };
        let twice = load(
            r#"{"response":{"loginEvent":0,"items":[{"id":1,"userId":"u"},{"id":1,"userId":"u"},{"id":2}]}}"#,
        );
        assert!(twice.list_changed);
        let once =
            load(r#"{"response":{"loginEvent":0,"items":[{"id":1,"userId":"u"},{"id":2}]}}"#);
        assert!(!once.list_changed);
    }

    #[test]
    fn henshin_follows_each_users_pages_and_a_vanished_user_is_empty() {
        let asked = std::cell::RefCell::new(Vec::new());
        let mut rows = Vec::new();
        let report = futures::executor::block_on(load_all(
            BackendKind::Henshin,
            Scope::All,
            |req: ApiRequest| {
                asked.borrow_mut().push(req.path_and_query());
                let r = match req.path_and_query().rsplit('/').next().unwrap() {
                    "list" => ok(r#"[{"UserGuid":"a","SessionCount":3},{"UserGuid":"gone","SessionCount":1}]"#),
                    "a" => ok(r#"{"Items":[{"ID":1},{"ID":2}],"TotalCount":3,"PageNumber":1,"PageSize":2}"#),
                    "a?PageNumber=2&PageSize=2" => ok(r#"{"Items":[{"ID":3}],"TotalCount":3,"PageNumber":2,"PageSize":2}"#),
                    "gone" => Err(ApiError::NotFound { message: "err_NoActiveSession".into() }),
                    other => panic!("unexpected request {other}"),
                };
                async move { r }
            },
            |s| rows.extend(s.sessions.into_iter().map(|s| s.id)),
        ))
        .expect("a user whose sessions ended is not a failed load");
        rows.sort();
        assert_eq!(rows, ["1", "2", "3"]);
        assert_eq!(asked.borrow().len(), 4);
        assert!(!report.list_changed);
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
