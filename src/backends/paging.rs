//! How a list is loaded, as each backend plans it ([`LoadPlan`]): one
//! answer, pages by offset, or users then each user's pages. One executor
//! ([`run`]) carries out every plan — the first page alone (it tells the
//! total), the rest a few at a time, never forever — and watches for a list
//! that moves while it is read.

use super::common::{Call, Capped, ChangeWatch, ListPage, LoadReport, LoadStep, Scope};
use crate::bulk::bounded;
use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::model::Session;
use futures::stream::StreamExt;
use std::collections::HashMap;
use std::future::Future;

/// Page number and page size of a paged envelope.
pub type PageNo = (u64, u64);

/// A page of a paged envelope, and its paging.
pub type PagedPage = (ListPage, Option<PageNo>);

/// How one backend's list is loaded.
pub enum LoadPlan {
    /// One answer holds the whole list (DocSpace, self-service).
    One {
        request: ApiRequest,
        parse: fn(&str) -> Result<ListPage, ApiError>,
    },
    /// Pages of `size` by offset, until the total (Rocket.Chat); `filter`
    /// narrows them where the API can ("" = every session).
    Offsets {
        scope: Scope,
        size: usize,
        filter: String,
        request: fn(Scope, usize, &str) -> ApiRequest,
        parse: fn(&str) -> Result<ListPage, ApiError>,
    },
    /// The users — page by page where the list is paged — then each
    /// user's sessions page by page (Henshin). A user who answers 404
    /// (their sessions ended after the users were read) has none: that is
    /// not a failed load.
    PerUser {
        /// The users' first page (`None`), or the one given.
        users: fn(Option<PageNo>) -> ApiRequest,
        /// The users worth asking about on a page, and the page after it.
        parse_users: fn(&str, Option<PageNo>) -> Result<UserPage, ApiError>,
        sessions: fn(&str, Option<PageNo>) -> ApiRequest,
        /// A page and its paging.
        parse_sessions: fn(&str) -> Result<PagedPage, ApiError>,
        /// The page after one, given the rows collected so far.
        next: fn(&ListPage, Option<PageNo>, usize) -> Option<PageNo>,
    },
    /// Several lists, each read page by page by offset (Keycloak: each
    /// client's online and offline sessions, as its session statistics
    /// name them). A session listed in more than one is one: the first
    /// read keeps it, the others are not counted again.
    Lists {
        index: ApiRequest,
        /// The lists worth reading, each by its key.
        parse_index: fn(&str) -> Result<Vec<String>, ApiError>,
        /// One list's page: its key, the first row, how many rows.
        page: fn(&str, usize, usize) -> ApiRequest,
        size: usize,
        /// One list's page read (its key given).
        parse_page: fn(&str, &str) -> Result<ListPage, ApiError>,
        /// What the lists are, for progress ("clients").
        unit: &'static str,
    },
    /// One session looked up by its ID (a check after a revoke, where the
    /// API answers for one session without looking at every other): the
    /// answer lists it, or is the API's own "not found" — `parse` reads the
    /// answer, the backend's `classify` (in the transport) tells its own
    /// not-found from a proxy's, and an answer about any other session is a
    /// bad answer, never "gone". Only for a backend whose `classify` says
    /// `NotFound` for its API's documented not-found answer alone.
    Lookup {
        id: String,
        request: ApiRequest,
        parse: fn(&RawResponse) -> Result<ListPage, ApiError>,
    },
    /// These users' sessions only, page by page (a check after a revoke).
    Users {
        users: Vec<String>,
        sessions: fn(&str, Option<PageNo>) -> ApiRequest,
        parse_sessions: fn(&str) -> Result<PagedPage, ApiError>,
        next: fn(&ListPage, Option<PageNo>, usize) -> Option<PageNo>,
    },
}

/// One page of a paged user list: the users worth asking about, and the
/// page after it (`None`: the last).
pub type UserPage = (Vec<String>, Option<PageNo>);

/// The most narrow reads one check makes; more sessions than this are
/// read through the whole list (or said not checked).
pub const MAX_PROBES: usize = 2_000;

/// The most pages of users read (a server that always says "more" stops
/// here).
const MAX_USER_PAGES: usize = 10_000;

/// One session a revocation attempted, as the list knew it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    /// Its owner's user ID, where the list said (a read of one user's
    /// sessions can then check it).
    pub user_id: Option<String>,
    /// How many sessions the list holds of that owner (0: not known) — a
    /// read of someone with 50,000 sessions is 500 pages, not one.
    pub user_rows: usize,
}

/// A read that decides, for the sessions it covers, whether each is still
/// listed: a session it does not list, once it is read whole, is gone.
pub struct Probe {
    pub plan: LoadPlan,
    pub covers: Vec<String>,
}

/// What a narrow read costs and covers: the targets grouped by their
/// owner, for backends that can read one user's sessions.
pub fn by_user(targets: &[Target]) -> (Vec<(String, Vec<String>)>, Vec<String>) {
    let mut users: Vec<(String, Vec<String>)> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut none = Vec::new();
    for t in targets {
        match t.user_id.as_deref().filter(|u| !u.is_empty()) {
            Some(u) => match at.get(u) {
                Some(&i) => users[i].1.push(t.id.clone()),
                None => {
                    at.insert(u, users.len());
                    users.push((u.to_string(), vec![t.id.clone()]));
                }
            },
            None => none.push(t.id.clone()),
        }
    }
    (users, none)
}

/// The reads that check `targets` on a backend that can read one user's
/// sessions: each owner's own (`pages`), or — when a target has no known
/// owner, or `whole` says so — the whole list (`list`).
pub fn user_probes(
    targets: &[Target],
    whole: bool,
    list: impl FnOnce() -> LoadPlan,
    (sessions, parse_sessions, next): UserPages,
) -> Vec<Probe> {
    let (users, anyone) = by_user(targets);
    if whole || !anyone.is_empty() {
        return vec![Probe {
            plan: list(),
            covers: targets.iter().map(|t| t.id.clone()).collect(),
        }];
    }
    let covers = users
        .iter()
        .flat_map(|(_, ids)| ids.iter().cloned())
        .collect();
    vec![Probe {
        plan: LoadPlan::Users {
            users: users.into_iter().map(|(u, _)| u).collect(),
            sessions,
            parse_sessions,
            next,
        },
        covers,
    }]
}

/// The sessions one load reads at most, unless the admin raises it: about
/// 300 MB of this tab at the ~310 bytes a session measured at a million
/// (README → Performance → At scale).
pub const DEFAULT_MAX_SESSIONS: usize = 1_000_000;
/// What the answers in flight at once may hold together: each of a
/// fanned-out load's requests reads at most its share (and at most
/// [`crate::http::request::MAX_BODY_BYTES`]).
pub const BYTES_IN_FLIGHT: u64 = 256 * 1024 * 1024;
/// The least a fanned-out request may read (a page of 100 sessions is
/// about 60 KB).
const MIN_SHARE: u64 = 2 * 1024 * 1024;

/// What bounds one load, so that no server — however large or hostile — can
/// make it endless or fill the tab's memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Sessions read at most; then the load stops and says so
    /// ([`LoadReport::capped`]).
    pub max_sessions: usize,
    /// Bytes the answers in flight at once may hold together.
    pub bytes_in_flight: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sessions: DEFAULT_MAX_SESSIONS,
            bytes_in_flight: BYTES_IN_FLIGHT,
        }
    }
}

impl Limits {
    /// The body cap of each request when `in_flight` run at once.
    fn share(&self, in_flight: usize) -> u64 {
        (self.bytes_in_flight / in_flight.max(1) as u64).max(MIN_SHARE)
    }
}

/// Carries out `plan` through `call`, reporting each step to `sink`; after
/// the first request, at most `in_flight()` at once (asked then: the first
/// answer tells the server's protocol). Within the default [`Limits`].
pub async fn run(
    plan: LoadPlan,
    call: &Call<'_>,
    in_flight: &dyn Fn() -> usize,
    sink: &mut dyn FnMut(LoadStep),
) -> Result<LoadReport, ApiError> {
    run_within(plan, call, in_flight, Limits::default(), sink).await
}

/// [`run`] within `limits`: it stops at `limits.max_sessions` and says so
/// ([`LoadReport::capped`]), never reading on forever; fanned-out requests
/// share `limits.bytes_in_flight`.
pub async fn run_within(
    plan: LoadPlan,
    call: &Call<'_>,
    in_flight: &dyn Fn() -> usize,
    limits: Limits,
    sink: &mut dyn FnMut(LoadStep),
) -> Result<LoadReport, ApiError> {
    let max = limits.max_sessions.max(1);
    let mut watch = ChangeWatch::default();
    // A fanned-out request reads at most its share of the budget.
    let shared = |req: ApiRequest| call(req.max_body(limits.share(in_flight())));
    let mut capped = None;
    match plan {
        LoadPlan::One { request, parse } => {
            let mut page = parse(&call(request).await?.body)?;
            if page.sessions.len() > max {
                capped = Some(Capped {
                    loaded: max,
                    total: Some(page.sessions.len()),
                    limit: max,
                });
                page.sessions.truncate(max);
            }
            watch.page(&page.sessions, page.skipped, page.total.map(|t| t.min(max)));
            sink(LoadStep {
                done: page.sessions.len(),
                total: page.sessions.len(),
                skipped: page.skipped,
                sessions: page.sessions,
                unit: "sessions",
            });
        }
        LoadPlan::Offsets {
            scope,
            size,
            filter,
            request,
            parse,
        } => {
            let mut loaded = 0;
            let mut last_total = None;
            let filter = filter.as_str();
            let full = walk_pages(
                size,
                max,
                in_flight,
                |offset, first| {
                    let req = request(scope, offset, filter);
                    let r = if first { call(req) } else { shared(req) };
                    async move { parse(&r.await?.body) }
                },
                |page, _, _| {
                    watch.page(&page.sessions, page.skipped, page.total);
                    loaded += page.sessions.len() + page.skipped;
                    last_total = page.total.or(last_total);
                    let total = page.total.unwrap_or(0).max(loaded);
                    sink(LoadStep {
                        done: loaded,
                        total: total.min(max.max(loaded)),
                        skipped: page.skipped,
                        sessions: page.sessions,
                        unit: "sessions",
                    });
                },
            )
            .await?;
            if !full {
                capped = Some(Capped {
                    loaded,
                    total: last_total,
                    limit: max,
                });
            }
        }
        LoadPlan::PerUser {
            users,
            parse_users,
            sessions,
            parse_sessions,
            next,
        } => {
            let (mut users, more) = read_users(users, parse_users, call, max).await?;
            // Each user listed has a session at least: more users than the
            // limit can never all be read.
            let listed = users.len();
            if listed > max {
                users.truncate(max);
            }
            let report = per_user(
                users,
                (sessions, parse_sessions, next),
                &shared,
                in_flight,
                max,
                &mut watch,
                sink,
            )
            .await?;
            capped = report.or((listed > max || more).then_some(Capped {
                loaded: max,
                total: None,
                limit: max,
            }));
        }
        LoadPlan::Lists {
            index,
            parse_index,
            page,
            size,
            parse_page,
            unit,
        } => {
            let lists = parse_index(&call(index).await?.body)?;
            let plan = ListPlan {
                page,
                size,
                parse_page,
                unit,
            };
            capped = read_lists(lists, plan, &shared, in_flight, max, &mut watch, sink).await?;
        }
        LoadPlan::Lookup { id, request, parse } => {
            let page = match call(request).await.and_then(|resp| parse(&resp)) {
                Ok(page) => page,
                Err(ApiError::NotFound { .. }) => ListPage::default(),
                Err(e) => return Err(e),
            };
            if page.sessions.iter().any(|s| s.id != id) {
                return Err(ApiError::BadResponse {
                    status: 200,
                    why: format!("the answer for session {id} is about another session"),
                });
            }
            sink(LoadStep {
                done: page.sessions.len(),
                total: page.sessions.len(),
                skipped: 0,
                sessions: page.sessions,
                unit: "sessions",
            });
        }
        LoadPlan::Users {
            users,
            sessions,
            parse_sessions,
            next,
        } => {
            capped = per_user(
                users,
                (sessions, parse_sessions, next),
                &shared,
                in_flight,
                max,
                &mut watch,
                sink,
            )
            .await?;
        }
    }
    let mut report = watch.report();
    if capped.is_some() {
        // Stopped on purpose: fewer rows than the total is no moving list.
        report.list_changed = watch.moved();
        report.capped = capped;
    }
    Ok(report)
}

/// A paged user list, page after page, up to `max` users: the users, and
/// whether it stopped with more to read.
async fn read_users(
    request: fn(Option<PageNo>) -> ApiRequest,
    parse: fn(&str, Option<PageNo>) -> Result<UserPage, ApiError>,
    call: &Call<'_>,
    max: usize,
) -> Result<(Vec<String>, bool), ApiError> {
    let mut users: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut at: Option<PageNo> = None;
    for n in 0..MAX_USER_PAGES {
        let body = call(request(at)).await?.body;
        let (page, next) =
            parse(&body, at).map_err(|e| at_step(e, format!("page {} of the users", n + 1)))?;
        let before = users.len();
        users.extend(page.into_iter().filter(|u| seen.insert(u.clone())));
        // A page that brings no one new ends it (a server repeating itself).
        match next {
            Some(_) if users.len() > max => return Ok((users, true)),
            Some(p) if users.len() > before => at = Some(p),
            _ => return Ok((users, false)),
        }
    }
    Ok((users, true))
}

/// How each list of a [`LoadPlan::Lists`] is read.
struct ListPlan {
    page: fn(&str, usize, usize) -> ApiRequest,
    size: usize,
    parse_page: fn(&str, &str) -> Result<ListPage, ApiError>,
    unit: &'static str,
}

/// Each of `lists` page by page, at most `in_flight()` lists at once,
/// until `max` sessions are read (then `Some(Capped)`); a session already
/// read from another list is dropped.
async fn read_lists<C, Fut>(
    lists: Vec<String>,
    plan: ListPlan,
    call: &C,
    in_flight: &dyn Fn() -> usize,
    max: usize,
    watch: &mut ChangeWatch,
    sink: &mut dyn FnMut(LoadStep),
) -> Result<Option<Capped>, ApiError>
where
    C: Fn(ApiRequest) -> Fut,
    Fut: Future<Output = Result<crate::http::request::RawResponse, ApiError>>,
{
    let budget = Budget::new(max);
    let (budget, plan) = (&budget, &plan);
    let one_list = |key: String| async move {
        let size = plan.size.max(1);
        let mut pages = Vec::new();
        let mut first = 0;
        while !budget.spent() {
            let at = || format!("{} {key}, from row {}", plan.unit, first + 1);
            let answer = call((plan.page)(&key, first, size))
                .await
                .map_err(|e| at_step(e, at()))?;
            let page = (plan.parse_page)(&answer.body, &key).map_err(|e| at_step(e, at()))?;
            budget.add(page.returned);
            let full = page.returned >= size;
            pages.push(page);
            if !full {
                break;
            }
            first += size;
        }
        Ok::<_, ApiError>(pages)
    };
    // Listed already by another list: the same session.
    let mut seen = std::collections::HashSet::new();
    let keep = |s: &Session| seen.insert(s.id.clone());
    fan_out(
        lists, plan.unit, in_flight, budget, watch, sink, one_list, keep,
    )
    .await
}

/// What a fanned-out load has read so far, against its limit.
struct Budget {
    read: std::cell::Cell<usize>,
    stopped: std::cell::Cell<bool>,
    max: usize,
}

impl Budget {
    fn new(max: usize) -> Budget {
        Budget {
            read: Default::default(),
            stopped: Default::default(),
            max,
        }
    }

    /// Whether the limit is reached (the load then says it stopped there).
    fn spent(&self) -> bool {
        let spent = self.read.get() >= self.max;
        if spent {
            self.stopped.set(true);
        }
        spent
    }

    fn add(&self, rows: usize) {
        self.read.set(self.read.get() + rows);
    }
}

/// Reads every one of `keys` with `one` (its pages), at most `in_flight()`
/// at once, and hands each key's pages to `sink` as one step of `unit`s;
/// the rows `keep` refuses do not count. `Some(Capped)` when `budget` ran
/// out before the end.
#[allow(clippy::too_many_arguments)]
async fn fan_out<F, Fut>(
    keys: Vec<String>,
    unit: &'static str,
    in_flight: &dyn Fn() -> usize,
    budget: &Budget,
    watch: &mut ChangeWatch,
    sink: &mut dyn FnMut(LoadStep),
    one: F,
    mut keep: impl FnMut(&Session) -> bool,
) -> Result<Option<Capped>, ApiError>
where
    F: FnMut(String) -> Fut + Unpin,
    Fut: Future<Output = Result<Vec<ListPage>, ApiError>>,
{
    let total = keys.len();
    let step = |done| LoadStep {
        sessions: Vec::new(),
        skipped: 0,
        done,
        total,
        unit,
    };
    sink(step(0));
    let mut all = bounded(keys, in_flight, one);
    let mut done = 0;
    while let Some(pages) = all.next().await {
        done += 1;
        let mut step = step(done);
        for mut page in pages? {
            page.sessions.retain(|s| keep(s));
            // A key's own total is not the list's: only new rows count here.
            watch.page(&page.sessions, page.skipped, None);
            step.skipped += page.skipped;
            step.sessions.extend(page.sessions);
        }
        sink(step);
    }
    Ok(budget.stopped.get().then(|| Capped {
        loaded: budget.read.get(),
        total: None,
        limit: budget.max,
    }))
}

/// One user's pages: how to ask, read, and go on.
pub type UserPages = (
    fn(&str, Option<PageNo>) -> ApiRequest,
    fn(&str) -> Result<PagedPage, ApiError>,
    fn(&ListPage, Option<PageNo>, usize) -> Option<PageNo>,
);

/// Each of `users`' sessions page by page, at most `in_flight()` users at
/// once, until `max` sessions are read (then `Some(Capped)`).
async fn per_user<C, Fut>(
    users: Vec<String>,
    (sessions, parse_sessions, next): UserPages,
    call: &C,
    in_flight: &dyn Fn() -> usize,
    max: usize,
    watch: &mut ChangeWatch,
    sink: &mut dyn FnMut(LoadStep),
) -> Result<Option<Capped>, ApiError>
where
    C: Fn(ApiRequest) -> Fut,
    Fut: Future<Output = Result<crate::http::request::RawResponse, ApiError>>,
{
    let budget = Budget::new(max);
    let budget = &budget;
    let one_user = |user: String| async move {
        let mut pages = Vec::new();
        let (mut collected, mut paging) = (0, None);
        while !budget.spent() {
            let at = || format!("the sessions of user {user}");
            let answer = match call(sessions(&user, paging)).await {
                Ok(r) => r,
                Err(ApiError::NotFound { .. }) => break,
                Err(e) => return Err(at_step(e, at())),
            };
            let (page, this) = parse_sessions(&answer.body).map_err(|e| at_step(e, at()))?;
            collected += page.returned;
            budget.add(page.returned);
            let following = next(&page, this, collected);
            let empty = page.returned == 0;
            pages.push(page);
            match following {
                Some(n) if !empty => paging = Some(n),
                _ => break,
            }
        }
        Ok::<_, ApiError>(pages)
    };
    fan_out(
        users,
        "users",
        in_flight,
        budget,
        watch,
        sink,
        one_user,
        |_| true,
    )
    .await
}

/// Says which step of a long load failed ("page 7 of 12 (sessions
/// 601–700)"), for the failures a Retry may mend; the others (sign-out,
/// a cancelled verification, a missing right) stay as they are.
pub fn at_step(e: ApiError, at: String) -> ApiError {
    match e {
        ApiError::Server { .. }
        | ApiError::HtmlPage { .. }
        | ApiError::NotFromApi { .. }
        | ApiError::BadResponse { .. }
        | ApiError::Network { .. }
        | ApiError::TooLarge { .. } => ApiError::LoadStep {
            at,
            cause: Box::new(e),
        },
        e => e,
    }
}

/// "page 7 of 12 (sessions 601–700)", or without a total "page 7
/// (from session 601)".
fn page_name(offset: usize, size: usize, pages: Option<usize>) -> String {
    let n = offset / size.max(1) + 1;
    match pages {
        Some(of) => format!(
            "page {n} of {of} (sessions {}\u{2013}{})",
            offset + 1,
            offset + size
        ),
        None => format!("page {n} (from session {})", offset + 1),
    }
}

/// Loads the pages of a paged list up to `max` sessions: the first alone
/// (it tells the total), then the remaining offsets, at most `in_flight()`
/// at once. `fetch(offset, first)` asks for one; `on_page` sees each page
/// as it arrives, with how many pages are done and expected. Whether it
/// read the whole list (`false`: it stopped at `max`).
pub async fn walk_pages<F, Fut>(
    page_size: usize,
    max: usize,
    in_flight: &dyn Fn() -> usize,
    fetch: F,
    mut on_page: impl FnMut(ListPage, usize, usize),
) -> Result<bool, ApiError>
where
    F: Fn(usize, bool) -> Fut,
    Fut: Future<Output = Result<ListPage, ApiError>>,
{
    let size = page_size.max(1);
    let first = fetch(0, true).await?;
    match first.total {
        Some(total) => {
            let end = total.min(max);
            let offsets: Vec<usize> = (size..end).step_by(size).collect();
            let expected = offsets.len() + 1;
            on_page(first, 1, expected);
            let fetch = &fetch;
            let mut pages = bounded(offsets, in_flight, |offset| async move {
                fetch(offset, false)
                    .await
                    .map_err(|e| at_step(e, page_name(offset, size, Some(expected))))
            });
            let mut done = 1;
            while let Some(p) = pages.next().await {
                done += 1;
                on_page(p?, done, expected);
            }
            Ok(total <= max)
        }
        None => {
            // No total: walk one page after another until a short page.
            let mut offset = 0;
            let mut page = first;
            let mut done = 1;
            loop {
                let full = page.returned >= size && page.returned > 0;
                on_page(page, done, done + usize::from(full));
                if !full {
                    return Ok(true);
                }
                offset += size;
                if offset >= max {
                    return Ok(false);
                }
                page = fetch(offset, false)
                    .await
                    .map_err(|e| at_step(e, page_name(offset, size, None)))?;
                done += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Session;
    use futures::executor::block_on;
    use std::cell::{Cell, RefCell};

    fn page(n: usize, total: Option<usize>) -> ListPage {
        ListPage {
            sessions: (0..n)
                .map(|i| Session {
                    id: format!("{i}"),
                    ..Default::default()
                })
                .collect(),
            total,
            returned: n,
            skipped: 0,
        }
    }

    #[test]
    fn walks_pages_to_total() {
        let asked = RefCell::new(vec![]);
        let mut got = 0;
        let mut last = (0, 0);
        block_on(walk_pages(
            100,
            usize::MAX,
            &|| 6,
            |off, _| {
                asked.borrow_mut().push(off);
                async move { Ok(page(if off == 200 { 40 } else { 100 }, Some(240))) }
            },
            |p, d, e| {
                got += p.sessions.len();
                last = (d, e);
            },
        ))
        .unwrap();
        let mut a = asked.borrow().clone();
        a.sort();
        assert_eq!(a, [0, 100, 200]);
        assert_eq!(got, 240);
        assert_eq!(last, (3, 3));
    }

    #[test]
    fn without_total_walks_until_short_page_and_errors_stop() {
        let asked = RefCell::new(vec![]);
        block_on(walk_pages(
            100,
            usize::MAX,
            &|| 6,
            |off, _| {
                asked.borrow_mut().push(off);
                async move { Ok(page(if off < 300 { 100 } else { 7 }, None)) }
            },
            |_, _, _| {},
        ))
        .unwrap();
        assert_eq!(*asked.borrow(), [0, 100, 200, 300]);
        let r = block_on(walk_pages(
            100,
            usize::MAX,
            &|| 6,
            |off, _| async move {
                if off != 600 {
                    Ok(page(100, Some(1200)))
                } else {
                    Err(ApiError::Server {
                        status: 500,
                        message: "x".into(),
                    })
                }
            },
            |_, _, _| {},
        ));
        let e = r.unwrap_err();
        // Which page failed, and the server's own failure.
        assert_eq!(e.status(), Some(500));
        let text = e.to_string();
        assert!(
            text.starts_with("Could not load page 7 of 12 (sessions 601\u{2013}700): "),
            "{text}"
        );
        // A sign-out mid-load is no page's failure.
        let r = block_on(walk_pages(
            100,
            usize::MAX,
            &|| 6,
            |off, _| async move {
                if off == 0 {
                    Ok(page(100, Some(300)))
                } else {
                    Err(ApiError::SignedOut)
                }
            },
            |_, _, _| {},
        ));
        assert_eq!(r.unwrap_err(), ApiError::SignedOut);
    }

    #[test]
    fn a_hostile_total_is_walked_only_up_to_the_limit_and_said() {
        let n = Cell::new(0);
        let whole = block_on(walk_pages(
            100,
            5_000,
            &|| 6,
            |_, _| {
                n.set(n.get() + 1);
                async { Ok(page(100, Some(usize::MAX))) }
            },
            |_, _, _| {},
        ))
        .unwrap();
        assert_eq!(n.get(), 50, "pages up to the limit, never the total");
        assert!(!whole, "it says it stopped short");
        // Without a total: full pages until the limit.
        n.set(0);
        let whole = block_on(walk_pages(
            100,
            1_000,
            &|| 6,
            |_, _| {
                n.set(n.get() + 1);
                async { Ok(page(100, None)) }
            },
            |_, _, _| {},
        ))
        .unwrap();
        assert_eq!((n.get(), whole), (10, false));
    }

    /// A list larger than the limit is loaded up to it and said to be
    /// capped — with the server's own total — never "the list changed".
    #[test]
    fn a_load_over_the_limit_says_how_much_it_read_of_how_many() {
        let limits = Limits {
            max_sessions: 250,
            ..Limits::default()
        };
        let bodies = RefCell::new(Vec::new());
        let call = |r: ApiRequest| -> futures::future::LocalBoxFuture<'_, _> {
            bodies.borrow_mut().push(r.max_body);
            let offset: usize = r.query[0].1.parse().unwrap();
            let rows: Vec<String> = (offset..offset + 100)
                .map(|i| format!(r#"{{"_id":"s{i}"}}"#))
                .collect();
            let body = format!(r#"{{"sessions":[{}],"total":1000}}"#, rows.join(","));
            Box::pin(async move { Ok(crate::http::request::RawResponse::of(200, &body)) })
        };
        let plan = crate::backends::BackendKind::RocketChat
            .backend()
            .load_plan(Scope::All);
        let mut rows = 0;
        let report = block_on(run_within(plan, &call, &|| 48, limits, &mut |s| {
            rows += s.sessions.len()
        }))
        .unwrap();
        assert_eq!(rows, 300, "three pages of 100 reach the limit");
        assert_eq!(
            report.capped,
            Some(Capped {
                loaded: 300,
                total: Some(1000),
                limit: 250
            })
        );
        assert!(
            !report.list_changed,
            "stopping on purpose is no moving list"
        );
        // The first request alone reads up to the whole cap; the fanned-out
        // ones share the budget.
        let bodies = bodies.into_inner();
        assert_eq!(bodies[0], None);
        assert!(bodies[1..].iter().all(|b| *b == Some(BYTES_IN_FLIGHT / 48)));
    }

    /// Henshin's users are read up to the limit: a list of a million users
    /// asks for no more than the limit's sessions.
    #[test]
    fn per_user_loads_stop_at_the_limit() {
        let asked = Cell::new(0);
        let call = |r: ApiRequest| -> futures::future::LocalBoxFuture<'_, _> {
            let body = if r.path.ends_with("/list") {
                let users: Vec<String> = (0..10_000)
                    .map(|i| format!(r#"{{"UserGuid":"g{i}","SessionCount":2}}"#))
                    .collect();
                format!("[{}]", users.join(","))
            } else {
                asked.set(asked.get() + 1);
                let g = r.path.rsplit('/').next().unwrap().to_string();
                format!(r#"[{{"ID":1{n}}},{{"ID":2{n}}}]"#, n = &g[1..])
            };
            Box::pin(async move { Ok(crate::http::request::RawResponse::of(200, &body)) })
        };
        let plan = crate::backends::BackendKind::Henshin
            .backend()
            .load_plan(Scope::All);
        let limits = Limits {
            max_sessions: 100,
            ..Limits::default()
        };
        let mut rows = 0;
        let report = block_on(run_within(plan, &call, &|| 6, limits, &mut |s| {
            rows += s.sessions.len()
        }))
        .unwrap();
        assert!(asked.get() <= 50 + 6, "{} users asked", asked.get());
        assert!((100..=112).contains(&rows), "{rows}");
        assert!(report.capped.is_some());
    }
}
