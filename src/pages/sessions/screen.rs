//! What the Sessions tab keeps of its own: the server it shows (whose
//! state and control flow live in [`Server`]), the view (filter, sort, page
//! — mirrored in the URL while the tab is shown) and the details open; and
//! the staged memos that turn the server's list and the view into the page
//! of rows shown.

use crate::browser;
use crate::list::{paginate, ListQuery, PageView, UserGroup};
use crate::model::Session;
use crate::server::Server;
use leptos::prelude::*;

/// The Sessions tab of one server. `Copy`: arena handles.
#[derive(Clone, Copy)]
pub struct Screen {
    pub server: Server,
    /// The view (filter, sort, page), mirrored in the URL.
    pub query: RwSignal<ListQuery>,
    /// What the URL leaves out: the backend's default sort.
    default_query: StoredValue<ListQuery>,
    /// The session whose details are open.
    pub details: RwSignal<Option<String>>,
    /// This server's tab is the one shown: only then does the screen read
    /// and write the URL.
    pub active: Signal<bool>,
}

impl Screen {
    pub fn new(server: Server, active: Signal<bool>) -> Screen {
        let default_sort = server
            .backend()
            .caps(crate::backends::Scope::All)
            .default_sort;
        let default_query = StoredValue::new(ListQuery {
            sort: default_sort,
            dir: default_sort.default_dir(),
            ..Default::default()
        });
        Screen {
            server,
            // A screen opened behind another tab starts from its defaults.
            query: RwSignal::new(if active.get_untracked() {
                ListQuery::from_query_string_or(&browser::query_string(), default_query.get_value())
            } else {
                default_query.get_value()
            }),
            default_query,
            details: RwSignal::new(None),
            active,
        }
    }

    /// Writes this screen's view into the URL (its tab was just shown).
    pub fn write_url(&self) {
        let qs = self.query.with_untracked(|q| self.url_of(q));
        browser::discard_scheduled_query();
        browser::set_query_string(&qs, false);
    }

    /// The URL query string of view `q` (what equals this screen's default
    /// is left out).
    fn url_of(&self, q: &ListQuery) -> String {
        self.default_query
            .with_value(|d| q.to_query_string_against(d))
    }

    /// The view as the URL says it now (Back / Forward).
    pub fn query_from_url(&self) -> ListQuery {
        ListQuery::from_query_string_or(&browser::query_string(), self.default_query.get_value())
    }

    /// Shows `q` and writes it into the URL: sort and page changes add a
    /// history entry (Back returns to the previous view), filter typing
    /// replaces the current one.
    pub fn set_query(&self, q: ListQuery, push: bool) {
        if self.active.get_untracked() {
            browser::schedule_query_string(self.url_of(&q), push);
        }
        self.query.set(q);
    }

    /// Changes the view from what it is now.
    pub fn change_query(&self, change: impl FnOnce(&mut ListQuery), push: bool) {
        let mut q = self.query.get_untracked();
        change(&mut q);
        self.set_query(q, push);
    }

    /// The session whose details are open, while it is still listed (a
    /// revoke that ends it closes them).
    pub fn details_shown(&self) -> Option<String> {
        let id = self.details.get()?;
        self.server
            .list()
            .with(|l| l.find(&id).is_some())
            .then_some(id)
    }

    /// The sessions the filter and criteria keep (`matched`), in the order
    /// shown, as a CSV file.
    pub fn export(&self, matched: &[u32]) -> Result<String, String> {
        let (csv, n) = self.server.csv_of(matched);
        let date = js_sys::Date::new_0()
            .to_iso_string()
            .as_string()
            .unwrap_or_default();
        let name = format!("sessions-{}.csv", date.get(..10).unwrap_or("export"));
        match browser::download(&name, "text/csv;charset=utf-8", &csv) {
            Ok(()) => Ok(format!("Exported {n} sessions to {name}.")),
            Err(e) => Err(format!(
                "Export failed: {e}. Try again, or copy the rows from the table."
            )),
        }
    }
}

/// What the screen shows, each stage recomputed only when its own inputs
/// change: a keystroke in the filter re-filters the sorted order (one
/// pass), a page flip only slices, and only a sort change (or new rows)
/// sorts again.
#[derive(Clone, Copy)]
pub struct ShownRows {
    /// Why the criteria cannot be read (then nothing matches).
    pub crit_error: Memo<Option<String>>,
    pub page_view: Memo<PageView>,
    pub page_rows: Memo<Vec<Session>>,
    /// Every row the filter and the criteria keep, in display order.
    pub matched: Memo<Vec<u32>>,
    pub groups: Memo<Vec<UserGroup>>,
    /// Selected sessions the filter and criteria do not show (rows of the list, in its order).
    pub hidden_selected: Memo<Vec<u32>>,
}

impl ShownRows {
    pub fn new(s: Screen) -> ShownRows {
        let (list, query) = (s.server.list(), s.query);
        let sort_by = Memo::new(move |_| query.with(|q| (q.sort, q.dir)));
        let filter = Memo::new(move |_| query.with(|q| q.filter.clone()));
        let paging = Memo::new(move |_| query.with(|q| (q.page, q.page_size)));
        let order = Memo::new(move |_| {
            let (k, d) = sort_by.get();
            list.with(|l| l.sorted(k, d))
        });
        let crit = Memo::new(move |_| query.with(|q| q.crit.clone()));
        // Which rows meet the criteria: recomputed when they or the rows
        // change, not per filter keystroke. `Err`: unreadable, none match.
        let crit_hits = Memo::new(move |_| {
            crit.with(|c| {
                if c.is_empty() {
                    return Ok(None);
                }
                let compiled = c.compile(browser::now_ms())?;
                Ok(Some(list.with(|l| l.meeting(&compiled))))
            })
        });
        let crit_error = Memo::new(move |_| crit_hits.with(|h| h.as_ref().err().cloned()));
        let matched = Memo::new(move |_| {
            let mut m = filter.with(|f| order.with(|o| list.with(|l| l.filter_order(o, f))));
            crit_hits.with(|h| match h {
                Ok(None) => {}
                Ok(Some(hit)) => m.retain(|&i| hit.get(i as usize).copied().unwrap_or(false)),
                Err(_) => m.clear(),
            });
            m
        });
        let page_view = Memo::new(move |_| {
            let (page, size) = paging.get();
            matched.with(|m| paginate(m, page, size))
        });
        let page_rows = Memo::new(move |_| {
            page_view
                .with(|v| list.with(|l| v.rows.iter().map(|&i| l.sessions[i].clone()).collect()))
        });
        let groups = Memo::new(move |_| list.with(|l| l.groups()));
        let selection = s.server.selection();
        let hidden_selected = Memo::new(move |_| {
            selection.track();
            matched.with(|m| list.with(|l| l.selected_not_shown(m)))
        });
        ShownRows {
            crit_error,
            matched,
            page_view,
            page_rows,
            groups,
            hidden_selected,
        }
    }
}
