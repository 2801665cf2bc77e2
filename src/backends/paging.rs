//! Paging policy: how a paged list is walked — the first page alone (it
//! tells the total), then the rest a few at a time, never forever.

use super::common::ListPage;
use crate::http::request::ApiError;
use futures::stream::{self, StreamExt};
use std::future::Future;

/// List pages in flight at once.
pub const PAGE_CONCURRENCY: usize = 6;
/// A hostile `total` must not make us walk forever.
pub const MAX_PAGES: usize = 5_000;

/// Loads every page of a paged list: the first alone (it tells the total),
/// then the remaining offsets with bounded concurrency. `on_page` sees each
/// page as it arrives, with how many pages are done and expected.
pub async fn walk_pages<F, Fut>(
    page_size: usize,
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
            let mut pages = stream::iter(offsets)
                .map(&fetch)
                .buffer_unordered(PAGE_CONCURRENCY);
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
                page = fetch(offset).await?;
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
            |off| async move {
                if off == 0 {
                    Ok(page(100, Some(1000)))
                } else {
                    Err(ApiError::Server {
                        status: 500,
                        message: "x".into(),
                    })
                }
            },
            |_, _, _| {},
        ));
        assert!(r.is_err());
    }

    #[test]
    fn hostile_total_is_capped() {
        let n = Cell::new(0);
        block_on(walk_pages(
            100,
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
