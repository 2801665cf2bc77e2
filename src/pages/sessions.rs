//! The Sessions screen: load every session, then filter / sort / page on the
//! client; details; revoke one, selected, or all of a user.

use crate::app::{Api, AppCtx};
use crate::backends::{
    action_outcome, load_all, rocketchat, BackendKind, LoadReport, PerUser, Scope,
};
use crate::browser;
use crate::bulk::{run_bulk, Stop, REVOKE_CONCURRENCY};
use crate::components::bulk_report::{BulkReport, BulkState};
use crate::components::confirm_dialog::{ConfirmDialog, ConfirmSpec};
use crate::components::details_panel::DetailsPanel;
use crate::components::pagination::Pagination;
use crate::components::progress::Progress;
use crate::components::session_table::SessionTable;
use crate::components::user_groups::UserGroups;
use crate::http::request::{ApiError, ForbiddenWhat};
use crate::list::{ListQuery, SessionList, SortKey};
use crate::revoke::{RevokeQueue, RevokeReport, Submitted};
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

/// Rows are handed to the table in batches while pages arrive: the first
/// batch at once, then at most every this many milliseconds, and the last.
const FLUSH_EVERY_MS: f64 = 1500.0;
/// The progress bar is updated at most this often while loading.
const PROGRESS_EVERY_MS: f64 = 120.0;

/// Starts a confirmed action (set once the runners exist).
type Starter = Rc<dyn Fn(Action)>;

/// Resolves when the first page of a load has been painted.
type PaintGate = Shared<LocalBoxFuture<'static, ()>>;

/// A revocation beyond single sessions, confirmed first.
#[derive(Clone, Debug, PartialEq)]
enum Action {
    /// These sessions, one call each (`batch`: progress and a report).
    Sessions { ids: Vec<String>, batch: bool },
    /// The server's own call for every session of one user.
    UserEndpoint { user_id: String, ids: Vec<String> },
    /// Every session but this one ("Revoke all other sessions").
    Others,
    /// Every session of the account, the panel's own included.
    All,
}

/// "alice — Chrome 113 on Windows 10".
fn describe(l: &SessionList, id: &str) -> String {
    match l.find(id) {
        Some(s) => {
            let mut d = s.user_label().to_string();
            let client = s.client_label();
            let os = s.os_label();
            if !client.is_empty() {
                d.push_str(&format!(" — {client}"));
            }
            if !os.is_empty() {
                d.push_str(&format!(" on {os}"));
            }
            if let Some(ip) = &s.ip {
                d.push_str(&format!(", {ip}"));
            }
            d
        }
        None => id.to_string(),
    }
}

impl Action {
    /// The listed sessions it names (none for "others" / "all").
    fn ids(&self) -> &[String] {
        match self {
            Action::Sessions { ids, .. } | Action::UserEndpoint { ids, .. } => ids,
            Action::Others | Action::All => &[],
        }
    }
}

/// The Sessions screen of one signed-in connection: everything it loads or
/// revokes goes through `api`, captured when it was created.
#[component]
pub fn SessionsPage(api: Api) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let kind = api.kind();
    let api = StoredValue::new_local(api);
    let scope = RwSignal::new(if kind == BackendKind::SelfService {
        Scope::Own
    } else {
        Scope::All
    });
    let caps = Memo::new(move |_| kind.caps(scope.get()));
    let list = RwSignal::new(SessionList::default());
    // The view from the URL; what it leaves out is the backend's default.
    let default_sort = kind.caps(Scope::All).default_sort;
    let default_query = StoredValue::new(ListQuery {
        sort: default_sort,
        dir: default_sort.default_dir(),
        ..Default::default()
    });
    let from_url = move || {
        ListQuery::from_query_string_or(&browser::query_string(), default_query.get_value())
    };
    let query = RwSignal::new(from_url());
    let selected = RwSignal::new(HashSet::<String>::new());
    let pending = RwSignal::new(HashSet::<String>::new());
    // (done, expected, unit) while loading.
    let loading = RwSignal::new(None::<(usize, usize, &'static str)>);
    let load_error = RwSignal::new(None::<ApiError>);
    let load_report = RwSignal::new(LoadReport::default());
    let skipped = RwSignal::new(0usize);
    let details = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(None::<(ConfirmSpec, Action)>);
    let bulk = RwSignal::new(None::<BulkState>);
    // Revocations run one at a time; those confirmed meanwhile wait here.
    let queue = RwSignal::new(RevokeQueue::<Action>::default());
    // The running batch's Stop button.
    let stop = StoredValue::new_local(Stop::default());
    let now = RwSignal::new(browser::now_ms());
    let generation = StoredValue::new(0u64);

    if let Ok(h) = set_interval_with_handle(
        move || now.set(browser::now_ms()),
        std::time::Duration::from_secs(30),
    ) {
        on_cleanup(move || h.clear());
    }
    let popstate = window_event_listener(leptos::ev::popstate, move |_| {
        browser::discard_scheduled_query();
        query.set(from_url());
    });
    on_cleanup(move || popstate.remove());

    // The URL holds the view; sort/page changes add history entries so Back
    // returns to the previous view, filter typing replaces the current one.
    let set_query = move |q: ListQuery, push: bool| {
        let qs = default_query.with_value(|d| q.to_query_string_against(d));
        browser::schedule_query_string(qs, push);
        query.set(q);
    };

    // Each stage recomputes only when its own inputs change: a keystroke in
    // the filter re-filters the sorted order (one pass), a page flip only
    // slices, and only a sort change (or new rows) sorts again.
    let sort_by = Memo::new(move |_| query.with(|q| (q.sort, q.dir)));
    let filter = Memo::new(move |_| query.with(|q| q.filter.clone()));
    let paging = Memo::new(move |_| query.with(|q| (q.page, q.page_size)));
    let order = Memo::new(move |_| {
        let (k, d) = sort_by.get();
        list.with(|l| l.sorted(k, d))
    });
    let matched =
        Memo::new(move |_| filter.with(|f| order.with(|o| list.with(|l| l.filter_order(o, f)))));
    let page_view = Memo::new(move |_| {
        let (page, size) = paging.get();
        matched.with(|m| crate::list::paginate(m, page, size))
    });
    let page_rows = Memo::new(move |_| {
        page_view.with(|v| {
            list.with(|l| {
                v.rows
                    .iter()
                    .map(|&i| l.sessions[i].clone())
                    .collect::<Vec<_>>()
            })
        })
    });
    let groups = Memo::new(move |_| list.with(|l| l.groups()));
    let users = Memo::new(move |_| groups.with(|g| g.len()));

    let load = move || {
        let gen = generation.get_value() + 1;
        generation.set_value(gen);
        load_error.set(None);
        load_report.set(LoadReport::default());
        skipped.set(0);
        list.set(SessionList::default());
        selected.set(HashSet::new());
        loading.set(Some((0, 0, "sessions")));
        let sc = scope.get_untracked();
        // The first page is painted before the rest is requested: starting a
        // request costs the main thread 1–2 ms, and six of them (plus their
        // answers) would otherwise hold up the first rows.
        let first_paint: Rc<RefCell<Option<PaintGate>>> = Rc::default();
        let gate = first_paint.clone();
        let api = api.get_value();
        let call = move |req| {
            let wait = gate.borrow().clone();
            let api = api.clone();
            async move {
                if let Some(wait) = wait {
                    wait.await;
                }
                api.call(req).await
            }
        };
        spawn_local(async move {
            let current = move || generation.try_get_value() == Some(gen);
            let mut buffer = Vec::new();
            let mut steps = 0usize;
            let (mut last_flush, mut last_progress) = (0.0, 0.0);
            let mut skipped_rows = 0;
            let result = load_all(kind, sc, call, |step| {
                if !current() {
                    return;
                }
                steps += 1;
                skipped_rows += step.skipped;
                buffer.extend(step.sessions);
                let now = browser::now_ms();
                let last = step.done >= step.total;
                if steps == 1 || now - last_flush >= FLUSH_EVERY_MS || last {
                    last_flush = now;
                    let rows = std::mem::take(&mut buffer);
                    list.update(|l| {
                        l.extend_unique(rows);
                    });
                    if steps == 1 {
                        browser::mark("sessiondeck:first-page");
                        *first_paint.borrow_mut() =
                            Some(browser::after_paint(50).boxed_local().shared());
                    }
                }
                // Each page must not cost a repaint: the bar moves at
                // most every PROGRESS_EVERY_MS.
                if steps == 1 || now - last_progress >= PROGRESS_EVERY_MS || last {
                    last_progress = now;
                    skipped.set(skipped_rows);
                    loading.set(Some((step.done, step.total, step.unit)));
                }
            })
            .await;
            if !current() {
                return;
            }
            if !buffer.is_empty() {
                list.update(|l| {
                    l.extend_unique(std::mem::take(&mut buffer));
                });
            }
            loading.set(None);
            browser::mark("sessiondeck:loaded");
            match result {
                Ok(report) => load_report.set(report),
                Err(e) => load_error.set(Some(e)),
            }
        });
    };
    load();

    let label_of = move |id: &str| list.with_untracked(|l| describe(l, id));

    // Ends the running action and starts the next confirmed one, if any.
    // (A StoredValue breaks the cycle: starting an action finishes it.)
    let start: StoredValue<Option<Starter>, LocalStorage> = StoredValue::new_local(None);
    let next = move || {
        if let Some(job) = queue.try_update(|q| q.finished()).flatten() {
            if let Some(start) = start.get_value() {
                start(job);
            }
        }
    };

    // `batch`: show progress, Stop and a report (selected, all of a user,
    // retry); otherwise one session, answered with a message.
    let run_revoke = move |ids: Vec<String>, batch: bool| {
        let n = ids.len();
        let labels: Vec<(String, String)> = ids.iter().map(|i| (i.clone(), label_of(i))).collect();
        pending.update(|p| p.extend(ids.iter().cloned()));
        let halt = Stop::default();
        stop.set_value(halt.clone());
        if batch {
            bulk.set(Some(BulkState::Running { done: 0, total: n }));
        }
        let sc = scope.get_untracked();
        let api = api.get_value();
        spawn_local(async move {
            let mut last_progress = 0.0;
            let results = run_bulk(
                ids.clone(),
                REVOKE_CONCURRENCY,
                |id| {
                    let api = api.clone();
                    async move {
                        let req = kind.revoke(sc, &id)?;
                        kind.revoke_outcome(api.call(req).await)
                    }
                },
                &halt,
                |done, total| {
                    // Repaint the bar at most every PROGRESS_EVERY_MS, not per request.
                    let now = browser::now_ms();
                    if batch && (now - last_progress >= PROGRESS_EVERY_MS || done == total) {
                        last_progress = now;
                        let _ = bulk.try_set(Some(BulkState::Running { done, total }));
                    }
                },
            )
            .await;
            let label = |id: &str| {
                labels
                    .iter()
                    .find(|(i, _)| i == id)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(|| id.to_string())
            };
            let mut report = RevokeReport::from_results(results, label);
            if halt.is_pressed() {
                // What waited behind the stopped batch was not sent either.
                let waiting = queue.try_update(|q| q.drain()).unwrap_or_default();
                report.add_not_started(
                    waiting
                        .iter()
                        .flat_map(|a| a.ids())
                        .map(|id| (id.clone(), label_of(id))),
                );
            }
            let gone = report.gone_ids();
            let _ = list.try_update(|l| l.remove_ids(&gone));
            let _ = selected.try_update(|s| s.retain(|id| !gone.contains(id)));
            let _ = pending.try_update(|p| p.retain(|id| !ids.contains(id)));
            if details
                .try_get_untracked()
                .flatten()
                .is_some_and(|d| gone.contains(&d))
            {
                let _ = details.try_set(None);
            }
            if !batch {
                let id = &ids[0];
                let what = label(id);
                if !report.revoked.is_empty() {
                    ctx.status(format!(
                        "Revoked session {id} ({what}). It has to sign in again."
                    ));
                } else if !report.already_gone.is_empty() {
                    ctx.status(format!(
                        "Session {id} ({what}) was already gone; it was removed from the list."
                    ));
                } else if let Some(f) = report.failed.first() {
                    ctx.alert(format!("Could not revoke session {id} ({what}): {} Use its Revoke button to try again.", f.reason));
                } else if let Some(f) = report.not_sent.first() {
                    ctx.alert(format!(
                        "Session {id} ({what}) was not revoked: {}",
                        f.reason
                    ));
                }
            } else {
                if report.is_clean() {
                    ctx.status(report.summary());
                } else {
                    ctx.alert(format!(
                        "{} See the report for what failed and why.",
                        report.summary()
                    ));
                }
                let _ = bulk.try_set(Some(BulkState::Finished(report)));
            }
            next();
        });
    };

    // One call that ends several sessions at once (a user's, the others, all).
    let run_single_call = move |action: Action| {
        let req = match &action {
            Action::UserEndpoint { user_id, .. } => kind.revoke_user(user_id),
            Action::Others => kind.revoke_others().map(Ok),
            Action::All => kind.revoke_all().map(Ok),
            Action::Sessions { .. } => None,
        };
        let req = match req {
            Some(Ok(req)) => req,
            Some(Err(e)) => {
                ctx.alert(e.to_string());
                return next();
            }
            None => return next(),
        };
        let ids = action.ids().to_vec();
        let who = ids
            .first()
            .and_then(|i| list.with_untracked(|l| l.find(i).map(|s| s.user_label().to_string())))
            .unwrap_or_default();
        pending.update(|p| p.extend(ids.iter().cloned()));
        let api = api.get_value();
        spawn_local(async move {
            // Done only when the server answered as its API does.
            let result = action_outcome(api.call(req).await);
            let _ = pending.try_update(|p| p.retain(|id| !ids.contains(id)));
            match (result, &action) {
                (Ok(()), Action::All) => ctx.sign_out(Some(
                    "All sessions of this account were revoked, including the one this panel used. Sign in again to continue.".into(),
                )),
                (Ok(()), Action::Others) => {
                    ctx.status("Revoked all other sessions. The list was reloaded.");
                    load();
                }
                (Ok(()), _) => {
                    let _ = list.try_update(|l| l.remove_ids(&ids));
                    let _ = selected.try_update(|s| s.retain(|id| !ids.contains(id)));
                    let _ = details.try_set(None);
                    ctx.status(format!("Revoked all {} sessions of {who}.", ids.len()));
                }
                (Err(e), _) => ctx.alert(format!("Nothing was confirmed revoked: {e}")),
            }
            next();
        });
    };

    let run = move |action: Action| match action {
        Action::Sessions { ids, batch } => run_revoke(ids, batch),
        other => run_single_call(other),
    };
    start.set_value(Some(Rc::new(run)));
    // A confirmed action starts now, or waits (visibly) behind the running one.
    let submit = move |action: Action| {
        let n = action.ids().len();
        match queue.try_update(|q| q.submit(action)) {
            Some(Submitted::Start(a)) => run(a),
            Some(Submitted::Queued { ahead }) => ctx.status(format!(
                "Queued: {} will be revoked when the revocation running now is done ({ahead} ahead of it).",
                match n {
                    0 => "this action's sessions".to_string(),
                    1 => "1 session".to_string(),
                    n => format!("{n} sessions"),
                },
            )),
            None => {}
        }
    };

    let ask = move |action: Action,
                    title: String,
                    message: String,
                    confirm_label: String,
                    warning: Option<String>| {
        let ids = match &action {
            Action::Sessions { ids, .. } | Action::UserEndpoint { ids, .. } => ids.clone(),
            Action::Others | Action::All => Vec::new(),
        };
        let items = ids
            .iter()
            .map(|i| format!("{} · {i}", label_of(i)))
            .collect();
        let own_current = scope.get_untracked() == Scope::Own
            && list.with_untracked(|l| ids.iter().any(|i| l.find(i).is_some_and(|s| s.current)));
        let warning = warning.or_else(|| {
            own_current.then(|| {
                "This includes the session sessiondeck itself is using: you will be signed out."
                    .to_string()
            })
        });
        confirm.set(Some((
            ConfirmSpec {
                title,
                message,
                items,
                confirm_label,
                warning,
            },
            action,
        )));
    };
    let ask_one = move |id: String| {
        let what = label_of(&id);
        ask(
            Action::Sessions {
                ids: vec![id.clone()],
                batch: false,
            },
            "Revoke this session?".into(),
            format!("Session {id} of {what} will be logged out. It has to sign in again."),
            "Revoke 1 session".into(),
            None,
        );
    };
    let ask_user = move |user_key: String| {
        // Sessions with no known owner are not one person's: never offered
        // as "all of (unknown user)".
        if user_key.is_empty() {
            ctx.alert("Not offered: these sessions have no known user, so they are not one person's sessions. Select them one by one instead.");
            return;
        }
        let ids = list.with_untracked(|l| l.ids_of_user(&user_key));
        let who = ids
            .first()
            .and_then(|i| list.with_untracked(|l| l.find(i).map(|s| s.user_label().to_string())))
            .unwrap_or_else(|| user_key.clone());
        let n = ids.len();
        let action = if caps.get_untracked().per_user == PerUser::Endpoint {
            Action::UserEndpoint {
                user_id: user_key,
                ids,
            }
        } else {
            Action::Sessions { ids, batch: true }
        };
        ask(
            action,
            format!("Revoke all sessions of {who}?"),
            format!("All {n} loaded session{} of {who} will be logged out, on every device. Sessions of other users are not touched.", if n == 1 { "" } else { "s" }),
            format!("Revoke {n} session{}", if n == 1 { "" } else { "s" }),
            None,
        );
    };
    let ask_selected = move || {
        // Only sessions still in the list: nothing outside the admin's choice.
        let ids: Vec<String> = list.with_untracked(|l| {
            selected.with_untracked(|sel| {
                l.sessions
                    .iter()
                    .filter(|s| sel.contains(&s.id))
                    .map(|s| s.id.clone())
                    .collect()
            })
        });
        let n = ids.len();
        let users: HashSet<String> = list.with_untracked(|l| {
            ids.iter()
                .filter_map(|i| l.find(i).map(|s| s.user_key().to_string()))
                .collect()
        });
        ask(
            Action::Sessions { ids, batch: true },
            format!(
                "Revoke {n} selected session{}?",
                if n == 1 { "" } else { "s" }
            ),
            format!(
                "{n} session{} of {} user{} will be logged out. Nothing else is touched.",
                if n == 1 { "" } else { "s" },
                users.len(),
                if users.len() == 1 { "" } else { "s" }
            ),
            format!("Revoke {n} session{}", if n == 1 { "" } else { "s" }),
            None,
        );
    };
    let ask_others = move || {
        let n = list.with_untracked(|l| l.len());
        let (message, warning) = match kind {
            BackendKind::DocSpace => (
                format!("DocSpace logs out every connection except \u{201c}this\u{201d} one ({n} listed)."),
                Some("With an API key there is no \u{201c}this\u{201d} connection: this closes EVERY connection of the portal, including your own browser sessions. Everyone, you included, has to sign in again.".to_string()),
            ),
            _ => (
                format!("Every session of your account except the one this panel uses will end ({} of {n} listed).", n.saturating_sub(1)),
                None,
            ),
        };
        ask(
            Action::Others,
            "Revoke all other sessions?".into(),
            message,
            "Revoke all other sessions".into(),
            warning,
        );
    };
    let ask_all = move || {
        let n = list.with_untracked(|l| l.len());
        ask(
            Action::All,
            "Revoke all sessions?".into(),
            format!("All {n} sessions of your account will end, on every device."),
            "Revoke all sessions".into(),
            Some("This includes the session this panel uses: you will be signed out and returned to Connect.".into()),
        );
    };

    let export = move || {
        let csv = list.with_untracked(|l| {
            query.with_untracked(|q| {
                let idx = l.filter_order(&l.sorted(q.sort, q.dir), &q.filter);
                crate::csv::to_csv(idx.iter().map(|&i| &l.sessions[i as usize]))
            })
        });
        let date = js_sys::Date::new_0()
            .to_iso_string()
            .as_string()
            .unwrap_or_default();
        let name = format!("sessions-{}.csv", date.get(..10).unwrap_or("export"));
        match browser::download(&name, "text/csv;charset=utf-8", &csv) {
            Ok(()) => ctx.status(format!(
                "Exported {} sessions to {name}.",
                page_view.with_untracked(|v| v.matched)
            )),
            Err(e) => ctx.alert(format!(
                "Export failed: {e}. Try again, or copy the rows from the table."
            )),
        }
    };

    // The selection is cleared on load and pruned on revoke, so it holds
    // listed sessions only (ask_selected intersects again before sending).
    let n_selected = move || selected.with(|s| s.len());
    let waiting = Signal::derive(move || queue.with(|q| q.waiting().count()));

    view! {
        <section class="sessions-page" aria-labelledby="sessions-title">
            <div class="page-head">
                <h1 id="sessions-title">
                    {move || if scope.get() == Scope::All { "All sessions" } else { "My sessions" }}
                    <span class="kind">{kind.label()}</span>
                </h1>
                <p class="muted summary">
                    {move || {
                        let n = list.with(|l| l.len());
                        let u = users.get();
                        format!(
                            "{n} active session{} · {u} user{}",
                            if n == 1 { "" } else { "s" },
                            if u == 1 { "" } else { "s" },
                        )
                    }}
                    {move || {
                        let s = skipped.get();
                        (s > 0).then(|| format!(" · {s} malformed row{} skipped", if s == 1 { "" } else { "s" }))
                    }}
                </p>
            </div>
            {move || {
                loading
                    .get()
                    .map(|_| {
                        view! {
                            <Progress
                                label="Loading sessions"
                                done=Signal::derive(move || loading.get().map(|l| l.0).unwrap_or(0))
                                total=Signal::derive(move || loading.get().map(|l| l.1).unwrap_or(0))
                                unit=loading.get_untracked().map(|l| l.2).unwrap_or("sessions")
                            />
                        }
                    })
            }}
            {move || {
                load_error
                    .get()
                    .map(|e| {
                        let offer_own = scope.get() == Scope::All
                            && matches!(&e, ApiError::Forbidden { what: ForbiddenWhat::Permission(p), .. } if p == rocketchat::PERM_VIEW);
                        view! {
                            <div class="panel panel-error">
                                <p role="alert">{e.to_string()}</p>
                                <div class="dialog-actions">
                                    {offer_own
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="btn btn-primary"
                                                    on:click=move |_| {
                                                        scope.set(Scope::Own);
                                                        load();
                                                    }
                                                >
                                                    "Show my own sessions instead"
                                                </button>
                                            }
                                        })}
                                    <button type="button" class="btn" on:click=move |_| load()>
                                        "Try again"
                                    </button>
                                </div>
                            </div>
                        }
                    })
            }}
            <div class="toolbar" role="toolbar" aria-label="Session actions">
                <label class="field-inline filter">
                    <span>"Filter"</span>
                    <input
                        type="search"
                        placeholder="User, client, OS, IP, host or session ID"
                        spellcheck="false"
                        prop:value=move || query.with(|q| q.filter.clone())
                        on:input=move |ev| {
                            let f = event_target_value(&ev);
                            let q = ListQuery { filter: f, page: 1, ..query.get_untracked() };
                            set_query(q, false);
                        }
                    />
                </label>
                <span class="spacer"></span>
                <Show when=move || caps.get().revoke_others>
                    <button type="button" class="btn btn-danger-quiet" on:click=move |_| ask_others()>
                        "Revoke all other sessions"
                    </button>
                </Show>
                <Show when=move || caps.get().revoke_all>
                    <button type="button" class="btn btn-danger-quiet" on:click=move |_| ask_all()>
                        "Revoke all sessions"
                    </button>
                </Show>
                <button
                    type="button"
                    class="btn btn-danger"
                    disabled=move || n_selected() == 0
                    on:click=move |_| ask_selected()
                >
                    {move || format!("Revoke selected ({})", n_selected())}
                </button>
                <button
                    type="button"
                    class="btn"
                    disabled=move || n_selected() == 0
                    on:click=move |_| selected.set(HashSet::new())
                >
                    "Clear selection"
                </button>
                <button type="button" class="btn" disabled=move || loading.get().is_some() on:click=move |_| load()>
                    "Refresh"
                </button>
                <button type="button" class="btn" on:click=move |_| export()>
                    "Export CSV"
                </button>
            </div>
            <BulkReport
                state=bulk
                waiting=waiting
                on_stop=move |_| stop.get_value().press()
                on_retry={move |ids: Vec<String>| submit(Action::Sessions { ids, batch: true })}
            />
            {move || {
                load_report
                    .get()
                    .list_changed
                    .then(|| {
                        view! {
                            <div class="panel panel-warn" role="status">
                                <p>
                                    <strong>"The list changed while loading — Refresh. "</strong>
                                    "Sessions began or ended on the server while its pages were read, so some may be missing or out of date here."
                                </p>
                                <button type="button" class="btn" on:click=move |_| load()>
                                    "Refresh"
                                </button>
                            </div>
                        }
                    })
            }}
            <Show when=move || caps.get().many_users && !list.with(|l| l.is_empty())>
                <UserGroups
                    groups=groups
                    on_show=move |who: String| set_query(ListQuery { filter: who, page: 1, ..query.get_untracked() }, true)
                    revoke_user=caps.get_untracked().per_user != PerUser::No
                    on_revoke_user=move |k: String| ask_user(k)
                />
            </Show>
            {move || {
                let columns = caps.get().columns;
                view! {
                    <SessionTable
                        columns=columns
                        rows=page_rows
                        query=query
                        on_sort=move |k: SortKey| set_query(query.get_untracked().toggle_sort(k), true)
                        selected=selected
                        pending=pending
                        on_details=move |id: String| details.set(Some(id))
                        on_revoke=move |id: String| ask_one(id)
                        now=now
                    />
                }
            }}
            {move || {
                (page_view.with(|v| v.matched) == 0 && loading.get().is_none() && load_error.get().is_none())
                    .then(|| {
                        let f = query.with(|q| q.filter.clone());
                        view! {
                            <p class="empty">
                                {if f.is_empty() {
                                    "No active sessions.".to_string()
                                } else {
                                    format!("No session matches \u{201c}{f}\u{201d}.")
                                }}
                            </p>
                        }
                    })
            }}
            <Pagination
                view=page_view
                page_size=Signal::derive(move || query.with(|q| q.page_size))
                on_page=move |p: usize| set_query(ListQuery { page: p, ..query.get_untracked() }, true)
                on_page_size=move |n: usize| set_query(ListQuery { page_size: n, page: 1, ..query.get_untracked() }, true)
            />
            {move || {
                details
                    .get()
                    .map(|id| {
                        let row = list.with_untracked(|l| l.find(&id).cloned());
                        let user_sessions = row
                            .as_ref()
                            .map(|r| list.with_untracked(|l| l.ids_of_user(r.user_key()).len()))
                            .unwrap_or(0);
                        view! {
                            <DetailsPanel
                                session_id=id
                                row=row
                                api=api.get_value()
                                scope=scope.get_untracked()
                                user_sessions=user_sessions
                                on_close=move |_| details.set(None)
                                on_revoke=move |id: String| ask_one(id)
                                on_revoke_user=move |k: String| ask_user(k)
                            />
                        }
                    })
            }}
            {move || {
                confirm
                    .get()
                    .map(|(spec, action)| {
                        view! {
                            <ConfirmDialog
                                spec=spec
                                on_confirm=move |_| {
                                    confirm.set(None);
                                    submit(action.clone());
                                }
                                on_cancel=move |_| confirm.set(None)
                            />
                        }
                    })
            }}
        </section>
    }
}
