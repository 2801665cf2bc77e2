//! One [`Server`] per connection: that server's list and how it loads, the
//! admin's selection, the revocations confirmed, queued and running, their
//! reports, what is new since the last load, the rate-limit-aware refresh,
//! and which session is the panel's own.
//!
//! `AppCtx` creates one per connection under the app's root owner, so work
//! under way never outlives the state it writes to (no component owns it);
//! the Sessions tab and Everywhere are views over `Server`s. The browser is
//! reached only through [`Host`], so the control flow here — load, refresh,
//! a revoke during a load, Stop, 401, 429 — is tested natively
//! (`tests/server.rs`) with the same fake calls the backend tests use.

pub mod connect;
mod loading;
mod revoking;
mod selection;

pub use selection::Selection;

use crate::audit;
use crate::backends::{Backend, LoadReport, Scope};
use crate::bulk::Stop;
use crate::confirm::PendingConfirm;
use crate::http::request::{ApiError, ApiRequest, Cancel, RawResponse};
use crate::list::SessionList;
use crate::load::{LoadProgress, Loads, RevokeMarks};
use crate::model::{Field, OwnSession, Session};
use crate::revoke::{Action, BulkState, Job, Purpose, RevokeQueue};
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Which connection of this panel (unique for the page's lifetime).
pub type ServerId = u32;

/// Sends one request through the connection (its transport: headers,
/// two-factor, rate limits, token renewal; a 401 disconnects).
pub type Caller = Rc<dyn Fn(ApiRequest) -> LocalBoxFuture<'static, Result<RawResponse, ApiError>>>;

/// How a server is reached: the call, and how many requests may be in
/// flight at once (what its protocol allows, asked when a fan-out starts).
#[derive(Clone)]
pub struct Link {
    pub call: Caller,
    pub in_flight: Rc<dyn Fn() -> usize>,
}

/// Fetches a session's full record (every field the server returns),
/// given up when the `Cancel` is.
pub type FetchDetails =
    Rc<dyn Fn(&Cancel) -> LocalBoxFuture<'static, Result<Vec<Field>, ApiError>>>;

/// What a [`Server`] needs from around it: the clock, the page, the
/// messages, the activity record and the other connections. `AppCtx`
/// implements it in the browser; the tests implement it natively.
pub trait Host {
    /// Milliseconds since the epoch.
    fn now_ms(&self) -> f64;
    /// A performance mark (the benchmark reads them).
    fn mark(&self, name: &str);
    /// Resolves once what was just rendered has been painted.
    fn after_paint(&self) -> LocalBoxFuture<'static, ()>;
    /// Runs `swap` (which replaces the rows shown) so that the keyboard
    /// focus stays on the same session's control.
    fn keeping_focus(&self, swap: &mut dyn FnMut());
    /// Runs `task` on the page's thread.
    fn spawn(&self, task: LocalBoxFuture<'static, ()>);
    /// How connection `server` is named now; `None` once it is gone.
    fn label(&self, server: ServerId) -> Option<String>;
    /// Whether more than one server is connected (then messages say which).
    fn several_servers(&self) -> bool;
    /// Whether the admin sees connection `server`'s revocation report now
    /// (its tab, or Everywhere): then no message repeats it.
    fn report_in_view(&self, _server: ServerId) -> bool {
        false
    }
    /// A polite message (role=status).
    fn status(&self, text: String);
    /// An assertive message (role=alert).
    fn alert(&self, text: String);
    /// Adds these attempts to the activity record (intents, written before
    /// their requests leave, included).
    fn record(&self, entries: Vec<audit::Entry>);
    /// Run `batch` ended: its outcome replaces its intent in the record.
    fn complete(&self, batch: &str, entries: Vec<audit::Entry>) {
        let _ = batch;
        self.record(entries);
    }
    /// Run `batch` started (`true`) or ended: while any runs, leaving the
    /// page asks first, and its intents are not "interrupted".
    fn running(&self, _batch: &str, _on: bool) {}
    /// Every session of connection `server` was revoked, the panel's own
    /// included: that connection (only) ends.
    fn all_revoked(&self, server: ServerId);
    /// Resolves after `ms` milliseconds (the pause before a re-check).
    fn sleep(&self, ms: f64) -> LocalBoxFuture<'static, ()>;
    /// The sessions one load reads at most (the admin may raise it).
    fn max_sessions(&self) -> usize;
    /// The admin raised the limit (kept in this browser).
    fn set_max_sessions(&self, n: usize);
    /// A load of `server` began (`true`) or ended: kept where a restart
    /// after a crash can name what was loading.
    fn loading(&self, _server: ServerId, _on: bool) {}
}

/// One connected server's state. `Copy`: every field is an arena handle,
/// living as long as the app (its list is emptied when it closes).
#[derive(Clone, Copy)]
pub struct Server {
    id: ServerId,
    backend: &'static dyn Backend,
    /// Kind and address ("rocketchat https://chat.example.com"): two
    /// connections with the same are two accounts on one server.
    address: StoredValue<String>,
    /// The server's name while no label is known (kind and host).
    fallback_label: StoredValue<String>,
    /// Who is signed in there, for the activity record.
    admin: StoredValue<String>,
    /// The session the connection's token names, where it names one.
    own_in_token: StoredValue<Option<String>>,
    /// The user ID of the account signed in, where it is known: its
    /// sessions are marked "your account".
    admin_user_id: StoredValue<Option<String>>,
    /// The connection's settings (never a secret): what realm-wide words
    /// name.
    settings: StoredValue<crate::backends::Settings>,
    link: StoredValue<Link, LocalStorage>,
    host: StoredValue<Rc<dyn Host>, LocalStorage>,
    scope: RwSignal<Scope>,
    list: RwSignal<SessionList, LocalStorage>,
    /// Wakes what shows the selection (kept in `list`) when it changes.
    ticks: Trigger,
    /// Sessions a revocation is under way for.
    pending: RwSignal<HashSet<String>>,
    loading: RwSignal<Option<LoadProgress>>,
    /// A background refresh is under way (the table stays as it is).
    refreshing: RwSignal<bool>,
    /// Sessions new since the previous load.
    fresh: RwSignal<HashSet<String>>,
    /// Every session ID of the last complete load, as sorted hashes
    /// ([`crate::list::id_hash`]).
    known: StoredValue<Vec<u64>>,
    /// What was revoked, and when relative to loads: a refresh neither
    /// brings it back nor says "revoke again" for a revoke it raced.
    revokes: StoredValue<RevokeMarks>,
    /// A confirmation elsewhere (Everywhere's) covers these sessions: no
    /// quiet refresh until it is answered.
    held: RwSignal<bool>,
    /// Auto-refresh is paused, and why (a cancelled verification, a 401,
    /// 403 or a stopped rate-limit wait): nothing is asked each tick until
    /// the admin resumes it.
    auto_paused: RwSignal<Option<String>>,
    /// Which session is the panel's own here (sweeps wait for it; unknown
    /// again from the start of every reload until the new list marks it).
    own: RwSignal<OwnSession>,
    /// What the call that tells the panel's own session answered, once
    /// (the token, and so its session, stay the same).
    own_asked: StoredValue<Option<Option<String>>>,
    /// Auto-refresh period in seconds (0 = off).
    auto_refresh: RwSignal<u32>,
    load_error: RwSignal<Option<ApiError>>,
    load_report: RwSignal<LoadReport>,
    /// Malformed rows left out of the list.
    skipped: RwSignal<usize>,
    /// The confirmation asked on this server's tab.
    confirm: RwSignal<Option<PendingConfirm>>,
    /// The running batch's progress, then its report.
    batch: RwSignal<Option<BulkState>>,
    /// Revocations run one at a time; those confirmed meanwhile wait here.
    queue: RwSignal<RevokeQueue<Job>>,
    /// The running batch's Stop.
    stop: StoredValue<Stop, LocalStorage>,
    loads: StoredValue<Loads, LocalStorage>,
    /// Runs started so far (names each run's batch in the record).
    runs: StoredValue<u32>,
}

/// Who a server is, for [`Server::new`].
pub struct ServerIdentity {
    pub id: ServerId,
    pub backend: &'static dyn Backend,
    /// Kind and address, compared to find two accounts on one server.
    pub address: String,
    /// Kind and host, said while the app has no label for it.
    pub label: String,
    /// Who is signed in.
    pub admin: String,
    /// The session its token names ([`Backend::own_session_in_token`]).
    pub own_in_token: Option<String>,
    /// The signed-in account's user ID, where known.
    pub admin_user_id: Option<String>,
    /// The connection's settings (a realm; never a secret).
    pub settings: crate::backends::Settings,
}

impl Server {
    /// A server with nothing loaded yet; `link` reaches it, `host` is the
    /// world around. Create it under an owner that outlives its work (the
    /// app's root).
    pub fn new(who: ServerIdentity, link: Link, host: Rc<dyn Host>) -> Server {
        let backend = who.backend;
        Server {
            id: who.id,
            backend,
            address: StoredValue::new(who.address),
            fallback_label: StoredValue::new(who.label),
            admin: StoredValue::new(who.admin),
            own_in_token: StoredValue::new(who.own_in_token),
            admin_user_id: StoredValue::new(who.admin_user_id),
            settings: StoredValue::new(who.settings),
            link: StoredValue::new_local(link),
            host: StoredValue::new_local(host),
            scope: RwSignal::new(backend.first_scope()),
            list: RwSignal::new_local(SessionList::default()),
            ticks: Trigger::new(),
            pending: RwSignal::new(HashSet::new()),
            loading: RwSignal::new(None),
            refreshing: RwSignal::new(false),
            fresh: RwSignal::new(HashSet::new()),
            known: StoredValue::new(Vec::new()),
            revokes: StoredValue::new(RevokeMarks::default()),
            held: RwSignal::new(false),
            auto_paused: RwSignal::new(None),
            own: RwSignal::new(OwnSession::Unknown),
            own_asked: StoredValue::new(None),
            auto_refresh: RwSignal::new(0),
            load_error: RwSignal::new(None),
            load_report: RwSignal::new(LoadReport::default()),
            skipped: RwSignal::new(0),
            confirm: RwSignal::new(None),
            batch: RwSignal::new(None),
            queue: RwSignal::new(RevokeQueue::default()),
            stop: StoredValue::new_local(Stop::default()),
            loads: StoredValue::new_local(Loads::default()),
            runs: StoredValue::new(0),
        }
    }

    pub fn id(self) -> ServerId {
        self.id
    }

    pub fn backend(self) -> &'static dyn Backend {
        self.backend
    }

    /// Kind and address: equal for two accounts on one server.
    /// What "Revoke all sessions" is called and says here.
    pub fn all_text(self) -> crate::backends::AllText {
        let listed = self.list.with_untracked(|l| l.len());
        self.settings
            .with_value(|s| self.backend.all_text(listed, s))
    }

    pub fn address(self) -> String {
        self.address.get_value()
    }

    /// How the tabs, messages and reports name this server now.
    pub fn label(self) -> String {
        self.host()
            .label(self.id)
            .unwrap_or_else(|| self.fallback_label.get_value())
    }

    fn host(self) -> Rc<dyn Host> {
        self.host.get_value()
    }

    fn caller(self) -> Caller {
        self.link.with_value(|l| l.call.clone())
    }

    /// How many requests to this server may be in flight now.
    fn in_flight(self) -> Rc<dyn Fn() -> usize> {
        self.link.with_value(|l| l.in_flight.clone())
    }

    /// Its sessions as loaded (tracked).
    pub fn list(self) -> ReadSignal<SessionList, LocalStorage> {
        self.list.read_only()
    }

    /// Whose sessions it lists (all, or the admin's own).
    pub fn scope(self) -> ReadSignal<Scope> {
        self.scope.read_only()
    }

    /// The admin's ticks (the table's checkboxes write them).
    pub fn selection(self) -> Selection {
        Selection {
            list: self.list,
            changed: self.ticks,
        }
    }

    /// Sessions a revocation is under way for.
    pub fn pending(self) -> ReadSignal<HashSet<String>> {
        self.pending.read_only()
    }

    /// How far a load from an empty table is (`None`: not loading).
    pub fn loading(self) -> ReadSignal<Option<LoadProgress>> {
        self.loading.read_only()
    }

    /// A quiet refresh is under way.
    pub fn refreshing(self) -> ReadSignal<bool> {
        self.refreshing.read_only()
    }

    /// Sessions new since the previous load.
    pub fn fresh(self) -> ReadSignal<HashSet<String>> {
        self.fresh.read_only()
    }

    /// Which session is the panel's own here.
    pub fn own(self) -> ReadSignal<OwnSession> {
        self.own.read_only()
    }

    /// The auto-refresh period in seconds (0 = off).
    pub fn auto_refresh(self) -> ReadSignal<u32> {
        self.auto_refresh.read_only()
    }

    /// Why auto-refresh is paused, when it is.
    pub fn auto_paused(self) -> ReadSignal<Option<String>> {
        self.auto_paused.read_only()
    }

    /// Why the last load failed.
    pub fn load_error(self) -> ReadSignal<Option<ApiError>> {
        self.load_error.read_only()
    }

    /// What the last load noticed (the list moved under it).
    pub fn load_report(self) -> ReadSignal<LoadReport> {
        self.load_report.read_only()
    }

    /// Malformed rows left out of the list.
    pub fn skipped(self) -> ReadSignal<usize> {
        self.skipped.read_only()
    }

    /// The confirmation open on this server's tab.
    pub fn confirm(self) -> ReadSignal<Option<PendingConfirm>> {
        self.confirm.read_only()
    }

    /// The running batch's progress, then its report.
    pub fn batch(self) -> ReadSignal<Option<BulkState>> {
        self.batch.read_only()
    }

    /// How many confirmed revocations wait behind the running one (tracked).
    pub fn waiting(self) -> usize {
        self.queue.with(|q| q.waiting().count())
    }

    /// Turns auto-refresh to every `secs` seconds (0 = off).
    pub fn set_auto_refresh(self, secs: u32) {
        self.auto_refresh.set(secs);
    }

    /// One tick of auto-refresh: a quiet refresh, unless it is paused or
    /// something else is under way.
    pub fn auto_tick(self) {
        if self.auto_refresh.get_untracked() > 0 && self.auto_paused.with_untracked(Option::is_none)
        {
            self.refresh_quietly();
        }
    }

    /// The admin resumes a paused auto-refresh: one refresh now.
    pub fn resume_auto_refresh(self) {
        self.auto_paused.set(None);
        self.refresh_quietly();
    }

    /// The admin raised the load limit (kept in this browser) to `n`: the
    /// list loads again, up to it.
    pub fn raise_limit(self, n: usize) {
        self.host().set_max_sessions(n);
        self.load();
    }

    /// Lists `scope` instead (from an empty table).
    pub fn show_scope(self, scope: Scope) {
        self.scope.set(scope);
        self.load();
    }

    /// A confirmation elsewhere covers this server's sessions (`on`) or was
    /// answered: meanwhile no quiet refresh changes what it shows.
    pub fn hold(self, on: bool) {
        self.held.set(on);
    }

    /// The admin closed the confirmation without confirming.
    pub fn cancel_confirm(self) {
        self.confirm.set(None);
    }

    /// The admin confirmed (giving `reason`, maybe empty): exactly what
    /// the confirmation said is submitted.
    pub fn confirmed(self, reason: String) {
        if let Some(p) = self.confirm.get_untracked() {
            self.confirm.set(None);
            let purpose = Purpose {
                reason: reason.trim().to_string(),
                ..p.purpose
            };
            self.submit_job(Job {
                action: p.action,
                purpose,
            });
        }
    }

    /// The batch's Stop: nothing more of it is sent, nor what waits.
    pub fn stop_batch(self) {
        self.stop.with_value(Stop::press);
    }

    /// The admin has read the batch's report.
    pub fn dismiss_report(self) {
        self.batch.set(None);
    }

    /// "Retry failed": these sessions again, as a batch.
    pub fn retry(self, ids: Vec<String>) {
        self.submit_job(Job {
            action: Action::Sessions { ids, batch: true },
            purpose: Purpose::new("retry", "Retry failed, from the last report"),
        });
    }

    /// The connection's token was renewed; `own_in_token` is the session
    /// the new one names.
    pub fn token_renewed(self, own_in_token: Option<String>) {
        self.own_in_token.set_value(own_in_token);
    }

    /// The connection ended: what it still loads is abandoned, and the list
    /// (and everything derived from it) goes, so no view shows it and no
    /// memory holds it.
    pub fn close(self) {
        self.loads.write_value().stop();
        self.list.set(SessionList::default());
        self.known.set_value(Vec::new());
        self.fresh.set(HashSet::new());
        self.confirm.set(None);
        self.held.set(false);
        self.auto_refresh.set(0);
    }

    /// How a session is named to the admin ("alice — Chrome on Windows").
    pub fn session_label(self, id: &str) -> String {
        self.list
            .with_untracked(|l| l.find(id).map(Session::describe))
            .unwrap_or_else(|| id.to_string())
    }

    /// The listed rows of `ids`, as they are now (kept by the work that
    /// starts, for the activity record and the report).
    fn rows_of(self, ids: &[String]) -> HashMap<String, Session> {
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        self.list.with_untracked(|l| {
            l.sessions
                .iter()
                .filter(|s| wanted.contains(s.id.as_str()))
                .map(|s| (s.id.clone(), s.clone()))
                .collect()
        })
    }

    /// How the details panel gets session `id`'s full record: the backend's
    /// details call, else the listed record (which then holds every field
    /// the server returned).
    pub fn details_of(self, id: String) -> FetchDetails {
        let (backend, scope, call) = (self.backend, self.scope.get_untracked(), self.caller());
        let listed = self
            .list
            .with_untracked(|l| l.find(&id).map(Session::detail_fields))
            .unwrap_or_default();
        Rc::new(move |cancel| {
            let req = backend.details(scope, &id).map(|r| r.cancel_with(cancel));
            let listed = listed.clone();
            let sent = req.map(|r| call(r));
            Box::pin(async move {
                match sent {
                    Some(sent) => backend.parse_details(&sent.await?.body),
                    None => Ok(listed),
                }
            })
        })
    }

    /// Looks up accounts by what the admin typed, where this server's API
    /// can (DocSpace's people search: its list names display names only);
    /// `None` where it cannot.
    pub fn find_people(
        self,
        typed: &str,
    ) -> Option<LocalBoxFuture<'static, Result<Vec<crate::backends::Account>, ApiError>>> {
        let req = self.backend.find_people(typed)?;
        let (backend, call) = (self.backend, self.caller());
        Some(Box::pin(async move {
            backend.parse_people(&call(req).await?.body)
        }))
    }

    /// The sessions at `matched` (indices into the list, in the order
    /// shown) as CSV, and how many.
    pub fn csv_of(self, matched: &[u32]) -> (String, usize) {
        self.list.with_untracked(|l| {
            let rows = matched.iter().filter_map(|&i| l.sessions.get(i as usize));
            (crate::csv::to_csv(rows), matched.len())
        })
    }
}
