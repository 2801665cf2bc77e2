//! How a list is loaded, as each backend plans it ([`LoadPlan`]): one
//! answer, pages by offset, or users then each user's pages. One executor
//! ([`run`]) carries out every plan — the first page alone (it tells the
//! total), the rest a few at a time, never forever — and watches for a list
//! that moves while it is read.

use super::common::{Call, ChangeWatch, ListPage, LoadReport, LoadStep, Scope};
use crate::bulk::bounded;
use crate::http::request::{ApiError, ApiRequest};
use futures::stream::StreamExt;
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
    /// Pages of `size` by offset, until the total (Rocket.Chat).
    Offsets {
        scope: Scope,
        size: usize,
        request: fn(Scope, usize) -> ApiRequest,
        parse: fn(&str) -> Result<ListPage, ApiError>,
    },
    /// The users, then each user's sessions page by page (Henshin). A user
    /// who answers 404 (their sessions ended after the users were read) has
    /// none: that is not a failed load.
    PerUser {
        users: ApiRequest,
        /// The users worth asking about.
        parse_users: fn(&str) -> Result<Vec<String>, ApiError>,
        sessions: fn(&str, Option<PageNo>) -> ApiRequest,
        /// A page and its paging.
        parse_sessions: fn(&str) -> Result<PagedPage, ApiError>,
        /// The page after one, given the rows collected so far.
        next: fn(&ListPage, Option<PageNo>, usize) -> Option<PageNo>,
    },
}

/// Carries out `plan` through `call`, reporting each step to `sink`; after
/// the first request, at most `in_flight()` at once (asked then: the first
/// answer tells the server's protocol).
pub async fn run(
    plan: LoadPlan,
    call: &Call<'_>,
    in_flight: &dyn Fn() -> usize,
    sink: &mut dyn FnMut(LoadStep),
) -> Result<LoadReport, ApiError> {
    let mut watch = ChangeWatch::default();
    match plan {
        LoadPlan::One { request, parse } => {
            let page = parse(&call(request).await?.body)?;
            watch.page(&page.sessions, page.skipped, page.total);
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
            request,
            parse,
        } => {
            let mut loaded = 0;
            walk_pages(
                size,
                in_flight,
                |offset| {
                    let r = call(request(scope, offset));
                    async move { parse(&r.await?.body) }
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
        LoadPlan::PerUser {
            users,
            parse_users,
            sessions,
            parse_sessions,
            next,
        } => {
            let users = parse_users(&call(users).await?.body)?;
            let total = users.len();
            sink(LoadStep {
                sessions: Vec::new(),
                skipped: 0,
                done: 0,
                total,
                unit: "users",
            });
            let one_user = |user: String| async move {
                let mut pages = Vec::new();
                let (mut collected, mut paging) = (0, None);
                loop {
                    let at = || format!("the sessions of user {user}");
                    let answer = match call(sessions(&user, paging)).await {
                        Ok(r) => r,
                        Err(ApiError::NotFound { .. }) => break,
                        Err(e) => return Err(at_step(e, at())),
                    };
                    let (page, this) =
                        parse_sessions(&answer.body).map_err(|e| at_step(e, at()))?;
                    collected += page.returned;
                    let following = next(&page, this, collected);
                    let empty = page.returned == 0;
                    pages.push(page);
                    match following {
                        Some(n) if !empty && pages.len() < MAX_PAGES => paging = Some(n),
                        _ => break,
                    }
                }
                Ok::<_, ApiError>(pages)
            };
            let mut all = bounded(users, in_flight, one_user);
            let mut done = 0;
            while let Some(pages) = all.next().await {
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

/// Says which step of a long load failed ("page 7 of 12 (sessions
/// 601–700)"), for the failures a Retry may mend; the others (sign-out,
/// a cancelled verification, a missing right) stay as they are.
pub fn at_step(e: ApiError, at: String) -> ApiError {
    match e {
        ApiError::Server { .. }
        | ApiError::HtmlPage { .. }
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

/// A hostile `total` must not make us walk forever.
pub const MAX_PAGES: usize = 5_000;

/// Loads every page of a paged list: the first alone (it tells the total),
/// then the remaining offsets, at most `in_flight()` at once. `on_page` sees each
/// page as it arrives, with how many pages are done and expected.
pub async fn walk_pages<F, Fut>(
    page_size: usize,
    in_flight: &dyn Fn() -> usize,
    fetch: F,
    mut on_page: impl FnMut(ListPage, usize, usize),
) -> Result<(), ApiError>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<ListPage, ApiError>>,
{
    let first = fetch(0).await?;
    match first.total {
        Some(total) => {
            let offsets: Vec<usize> = (page_size..total)
                .step_by(page_size.max(1))
                .take(MAX_PAGES)
                .collect();
            let expected = offsets.len() + 1;
            on_page(first, 1, expected);
            let fetch = &fetch;
            let mut pages = bounded(offsets, in_flight, |offset| async move {
                fetch(offset)
                    .await
                    .map_err(|e| at_step(e, page_name(offset, page_size, Some(expected))))
            });
            let mut done = 1;
            while let Some(p) = pages.next().await {
                done += 1;
                on_page(p?, done, expected);
            }
        }
        None => {
            // No total: walk one page after another until a short page.
            let mut offset = 0;
            let mut page = first;
            let mut done = 1;
            loop {
                let full = page.returned >= page_size && page.returned > 0;
                on_page(page, done, done + usize::from(full));
                if !full || done >= MAX_PAGES {
                    break;
                }
                offset += page_size;
                page = fetch(offset)
                    .await
                    .map_err(|e| at_step(e, page_name(offset, page_size, None)))?;
                done += 1;
            }
        }
    }
    Ok(())
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
            &|| 6,
            |off| {
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
            &|| 6,
            |off| {
                asked.borrow_mut().push(off);
                async move { Ok(page(if off < 300 { 100 } else { 7 }, None)) }
            },
            |_, _, _| {},
        ))
        .unwrap();
        assert_eq!(*asked.borrow(), [0, 100, 200, 300]);
        let r = block_on(walk_pages(
            100,
            &|| 6,
            |off| async move {
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
            &|| 6,
            |off| async move {
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
    fn hostile_total_is_capped() {
        let n = Cell::new(0);
        block_on(walk_pages(
            100,
            &|| 6,
            |_| {
                n.set(n.get() + 1);
                async { Ok(page(0, Some(usize::MAX))) }
            },
            |_, _, _| {},
        ))
        .unwrap();
        assert_eq!(n.get(), MAX_PAGES + 1);
    }
}
