//! What the Sessions screen holds: one struct of signals (arena handles, so
//! `Copy`), and the staged memos that turn the loaded list and the URL's
//! query into the page of rows shown.

use crate::backends::{Backend, LoadReport, Scope};
use crate::browser;
use crate::bulk::Stop;
use crate::components::bulk_report::BulkState;
use crate::confirm::PendingConfirm;
use crate::context::{AppCtx, Connected, ServerId};
use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::list::{paginate, ListQuery, PageView, SessionList, UserGroup};
use crate::load::{LoadProgress, Loads, RevokeMarks};
use crate::model::{OwnSession, Session};
use crate::revoke::{Action, RevokeQueue};
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use std::collections::HashSet;

/// The Sessions screen's state.
#[derive(Clone, Copy)]
pub struct Screen {
    pub ctx: AppCtx,
    /// The connection this screen was opened for: all it sends goes there.
    pub connected: StoredValue<Connected, LocalStorage>,
    pub backend: &'static dyn Backend,
    pub scope: RwSignal<Scope>,
    pub list: RwSignal<SessionList, LocalStorage>,
    /// The view (filter, sort, page), mirrored in the URL.
    pub query: RwSignal<ListQuery>,
    /// What the URL leaves out: the backend's default sort.
    pub default_query: StoredValue<ListQuery>,
    pub selected: RwSignal<HashSet<String>>,
    /// Sessions a revocation is under way for.
    pub pending: RwSignal<HashSet<String>>,
    pub loading: RwSignal<Option<LoadProgress>>,
    /// A background refresh is under way (the table stays as it is).
    pub refreshing: RwSignal<bool>,
    /// Sessions new since the previous load.
    pub fresh: RwSignal<HashSet<String>>,
    /// Every session ID of the last complete load.
    pub known: StoredValue<HashSet<String>>,
    /// What was revoked, and when relative to loads: a refresh neither
    /// brings it back nor says "revoke again" for a revoke it raced.
    pub revokes: StoredValue<RevokeMarks>,
    /// A confirmation elsewhere (Everywhere's) covers these sessions: no
    /// quiet refresh until it is answered.
    pub held: RwSignal<bool>,
    /// Auto-refresh is paused, and why (a cancelled verification, a 401 or
    /// 403): nothing is asked each tick until the admin resumes it.
    pub auto_paused: RwSignal<Option<String>>,
    /// Which session is the panel's own here (sweeps wait for it).
    pub own: RwSignal<OwnSession>,
    /// Auto-refresh period in seconds (0 = off).
    pub auto_refresh: RwSignal<u32>,
    pub load_error: RwSignal<Option<ApiError>>,
    pub load_report: RwSignal<LoadReport>,
    /// Malformed rows left out of the list.
    pub skipped: RwSignal<usize>,
    /// The session whose details are open.
    pub details: RwSignal<Option<String>>,
    pub confirm: RwSignal<Option<PendingConfirm>>,
    pub bulk: RwSignal<Option<BulkState>>,
    /// Revocations run one at a time; those confirmed meanwhile wait here.
    pub queue: RwSignal<RevokeQueue<Action>>,
    /// The running batch's Stop button.
    pub stop: StoredValue<Stop, LocalStorage>,
    pub loads: StoredValue<Loads, LocalStorage>,
    /// This server's tab is the one shown: only then does the screen read
    /// and write the URL.
    pub active: Signal<bool>,
}

/// Every mounted Sessions screen, for the views that work across servers.
#[derive(Clone, Copy)]
pub struct Screens(StoredValue<Vec<Screen>, LocalStorage>);

impl Screens {
    pub fn new() -> Self {
        Screens(StoredValue::new_local(Vec::new()))
    }

    pub fn register(&self, s: Screen) {
        self.0.update_value(|v| v.push(s));
    }

    pub fn unregister(&self, server: ServerId) {
        let _ = self
            .0
            .try_update_value(|v| v.retain(|s| s.server() != server));
    }

    /// The screens of the servers still connected, in tab order.
    pub fn all(&self) -> Vec<Screen> {
        self.0.get_value()
    }
}

impl Default for Screens {
    fn default() -> Self {
        Self::new()
    }
}

impl Screen {
    pub fn new(ctx: AppCtx, api: Connected, active: Signal<bool>) -> Screen {
        let backend = api.backend();
        let default_sort = backend.caps(Scope::All).default_sort;
        let default_query = StoredValue::new(ListQuery {
            sort: default_sort,
            dir: default_sort.default_dir(),
            ..Default::default()
        });
        Screen {
            ctx,
            connected: StoredValue::new_local(api),
            backend,
            scope: RwSignal::new(backend.first_scope()),
            list: RwSignal::new_local(SessionList::default()),
            // A screen opened behind another tab starts from its defaults.
            query: RwSignal::new(if active.get_untracked() {
                ListQuery::from_query_string_or(&browser::query_string(), default_query.get_value())
            } else {
                default_query.get_value()
            }),
            default_query,
            selected: RwSignal::new(HashSet::new()),
            pending: RwSignal::new(HashSet::new()),
            loading: RwSignal::new(None),
            refreshing: RwSignal::new(false),
            fresh: RwSignal::new(HashSet::new()),
            known: StoredValue::new(HashSet::new()),
            revokes: StoredValue::new(RevokeMarks::default()),
            held: RwSignal::new(false),
            auto_paused: RwSignal::new(None),
            own: RwSignal::new(OwnSession::Unknown),
            auto_refresh: RwSignal::new(0),
            load_error: RwSignal::new(None),
            load_report: RwSignal::new(LoadReport::default()),
            skipped: RwSignal::new(0),
            details: RwSignal::new(None),
            confirm: RwSignal::new(None),
            bulk: RwSignal::new(None),
            queue: RwSignal::new(RevokeQueue::default()),
            stop: StoredValue::new_local(Stop::default()),
            loads: StoredValue::new_local(Loads::default()),
            active,
        }
    }

    /// Which connection this screen shows.
    /// The server this connection reaches (kind and URL): two connections
    /// with the same are two accounts on one server.
    pub fn server_url(&self) -> String {
        self.connected.with_value(|a| {
            format!(
                "{} {}",
                a.conn.kind.backend().key(),
                a.conn.base_url.trim_end_matches('/').to_lowercase()
            )
        })
    }

    pub fn server(&self) -> ServerId {
        self.connected.with_value(|a| a.id)
    }

    /// How the tabs, messages and reports name this screen's server.
    pub fn server_label(&self) -> String {
        self.ctx
            .server_label(self.server())
            .unwrap_or_else(|| self.connected.with_value(|a| a.conn.label()))
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

    /// How a session is named to the admin ("alice — Chrome on Windows").
    pub fn session_label(&self, id: &str) -> String {
        self.list
            .with_untracked(|l| l.find(id).map(Session::describe))
            .unwrap_or_else(|| id.to_string())
    }

    /// How the details panel gets session `id`'s full record: the backend's
    /// details call, else the listed record (which then holds every field
    /// the server returned).
    pub fn details_of(&self, id: String) -> crate::components::details_panel::FetchDetails {
        let (backend, scope, call) = (self.backend, self.scope.get_untracked(), self.call());
        let listed = self
            .list
            .with_untracked(|l| l.find(&id).map(Session::detail_fields))
            .unwrap_or_default();
        std::rc::Rc::new(move |cancel| {
            let req = backend.details(scope, &id).map(|r| r.cancel_with(cancel));
            let listed = listed.clone();
            let sent = req.map(&call);
            Box::pin(async move {
                match sent {
                    Some(sent) => backend.parse_details(&sent.await?.body),
                    None => Ok(listed),
                }
            })
        })
    }

    /// Sends through this screen's connection.
    pub fn call(
        &self,
    ) -> impl Fn(ApiRequest) -> LocalBoxFuture<'static, Result<RawResponse, ApiError>> {
        let api = self.connected.get_value();
        move |req| {
            let api = api.clone();
            Box::pin(async move { api.call(req).await })
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
}

impl ShownRows {
    pub fn new(s: Screen) -> ShownRows {
        let (list, query) = (s.list, s.query);
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
                Ok(Some(list.with(|l| {
                    l.sessions
                        .iter()
                        .map(|s| compiled.matches(s))
                        .collect::<Vec<bool>>()
                })))
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
        ShownRows {
            crit_error,
            matched,
            page_view,
            page_rows,
            groups,
        }
    }
}
