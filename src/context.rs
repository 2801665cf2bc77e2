//! The app-wide context: the signed-in connection (its [`Connected`]), messages,
//! the two-factor dialog's gate, sign-in and sign-out. Components reach it
//! with `expect_context::<AppCtx>()`; it knows no component.

use crate::audit::{self, AuditLog};
use crate::backends::{Backend, BackendKind};
use crate::connection::{stored, Connection, Preset, Target};
use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::http::transport::{browser, RateLimitEvent, Stopper, Transport};
use crate::http::two_factor::{Prompt, PromptQueue, TwoFactorGate};
use crate::server::{Caller, Host, Link, Server, ServerIdentity};
use futures::FutureExt;
use leptos::prelude::*;
use std::rc::Rc;

/// Written (then removed) in localStorage at sign-out: other tabs of this
/// panel see the `storage` event and sign out too. It holds no secret.
pub const SIGNOUT_KEY: &str = "sessiondeck.signout";

/// Said when the browser refuses to keep the connections.
const STORAGE_REFUSED: &str = "This browser refused to store the connection (its storage is full or disabled): it works in this tab until you close or reload it, and is not remembered. Free some site data, or allow storage for this site, then connect again.";

/// Written (then removed) in localStorage when the admin disconnects one
/// server: its [`Connection::account_key`], so the panel's other tabs drop
/// that connection too (and never store its credentials again).
pub const DISCONNECT_KEY: &str = "sessiondeck.disconnect";

/// The most messages shown at once (the newest).
const MAX_NOTICES: usize = 3;
/// How long a success message stays (an error stays until dismissed).
const STATUS_FOR_MS: u64 = 8_000;

/// Which server tab this browser tab shows (its place in the list).
const ACTIVE_KEY: &str = "sessiondeck.shown";

/// Written by `crash.js` (sessionStorage and localStorage) when the panel
/// stops on an internal error: the next start reconnects nothing by
/// itself, so one hostile server cannot crash it in a loop.
pub const CRASHED_KEY: &str = "sessiondeck.crashed";
/// The servers loading now (their labels, JSON), kept so that the start
/// after a crash can name the one that was loading.
pub const LOADING_KEY: &str = "sessiondeck.loading";

/// What the start after a crash shows instead of reconnecting: the
/// servers this tab (or, remembered, this browser) had, and which were
/// loading when it stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AfterCrash {
    pub stored: Vec<Connection>,
    pub loading: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    /// Polite: role=status.
    Status,
    /// Assertive: role=alert.
    Alert,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    pub kind: NoticeKind,
    pub text: String,
}

pub use crate::server::ServerId;

/// One signed-in connection: its transport, and the [`Server`] holding what
/// it loaded and revokes. Work captures the `Connected` it started with,
/// so it goes to that server with those credentials — or, once that
/// connection is disconnected, nowhere.
#[derive(Clone)]
pub struct Connected {
    pub id: ServerId,
    pub conn: Rc<Connection>,
    pub server: Server,
    transport: Transport,
}

impl Connected {
    pub fn backend(&self) -> &'static dyn Backend {
        self.conn.kind.backend()
    }
}

/// A connection as the header and the server tabs show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerInfo {
    pub id: ServerId,
    pub conn: Connection,
}

impl ServerInfo {
    /// "Rocket.Chat · chat.example.com": the server, whoever is signed in.
    pub fn label(&self) -> String {
        self.conn.label()
    }

    /// How the tabs, messages, reports and the activity record name each
    /// of `all`: its label, and who is signed in where two connections
    /// share a label (two accounts on one server).
    pub fn labels(all: &[ServerInfo]) -> Vec<String> {
        let labels: Vec<String> = all.iter().map(ServerInfo::label).collect();
        all.iter()
            .zip(&labels)
            .map(|(s, label)| {
                if labels.iter().filter(|l| *l == label).count() > 1 {
                    format!("{label} · {}", s.conn.display_name)
                } else {
                    label.clone()
                }
            })
            .collect()
    }
}

/// Connecting the servers of a preset one after another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresetStep {
    pub preset: Preset,
    /// The server the Connect form is filled for now.
    pub at: usize,
}

impl PresetStep {
    pub fn target(&self) -> Option<&Target> {
        self.preset.servers.get(self.at)
    }

    /// The next server, if the preset names more.
    pub fn next(&self) -> Option<PresetStep> {
        (self.at + 1 < self.preset.servers.len()).then(|| PresetStep {
            preset: self.preset.clone(),
            at: self.at + 1,
        })
    }
}

/// What the main area shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// One connection's Sessions screen.
    Server(ServerId),
    /// Every connection at once: a person everywhere, criteria across servers.
    Everywhere,
    /// The record of revocations.
    Activity,
    /// The Connect form, for one more server.
    AddServer,
}

/// The server whose second-factor question the dialog shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptSource {
    /// Its gate's number in the prompt queue.
    pub gate: u32,
    /// Its label ("Rocket.Chat · chat.example.com").
    pub label: String,
}

/// Shared app state. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct AppCtx {
    /// The signed-in connections, in the order they were added.
    pub servers: RwSignal<Vec<ServerInfo>>,
    pub view: RwSignal<View>,
    pub notices: RwSignal<Vec<Notice>>,
    /// What the two-factor dialog shows (`None` = closed).
    pub prompt: RwSignal<Option<Prompt>>,
    /// Which server's verification the dialog shows.
    pub prompt_from: RwSignal<Option<PromptSource>>,
    /// The rate limits being waited out, one per server that hit one.
    pub rate_waits: RwSignal<Vec<RateWait>>,
    /// Why the admin was sent back to Connect (401, signed out).
    pub signout_reason: RwSignal<Option<String>>,
    /// A several-server preset being connected: which, and the next server.
    pub preset_step: RwSignal<Option<PresetStep>>,
    /// What this browser revoked (kept in localStorage).
    pub audit: RwSignal<AuditLog>,
    connections: StoredValue<Vec<Connected>, LocalStorage>,
    /// Every gate that asks for a second factor, first asked first shown.
    asking: StoredValue<PromptQueue<Rc<TwoFactorGate>>, LocalStorage>,
    next_id: StoredValue<u64>,
    /// The app's root: every [`Server`] is created under it, so its state
    /// lives as long as the work it starts.
    root: StoredValue<Option<Owner>>,
    /// Set at a start after a crash: what could be reconnected.
    after_crash: RwSignal<Option<AfterCrash>>,
    /// The connections loading now (for [`LOADING_KEY`]).
    loading: StoredValue<Vec<ServerId>>,
    /// The revocation runs under way in this page (their batch names):
    /// leaving the page asks first; their intents are not "interrupted".
    running: RwSignal<Vec<String>>,
}

/// One server's rate limit being waited out, for the banner.
#[derive(Clone)]
pub struct RateWait {
    /// The transport waiting.
    pub id: u32,
    /// Ends its waits (the banner's Stop); used on the page's thread only.
    pub stop: send_wrapper::SendWrapper<Stopper>,
    /// The server, as its tab names it.
    pub server: String,
    /// Until when (epoch ms): the server's own figure, never shortened.
    pub until_ms: f64,
}

impl AppCtx {
    pub fn new() -> Self {
        AppCtx {
            servers: RwSignal::new(Vec::new()),
            view: RwSignal::new(View::AddServer),
            notices: RwSignal::new(Vec::new()),
            prompt: RwSignal::new(None),
            prompt_from: RwSignal::new(None),
            rate_waits: RwSignal::new(Vec::new()),
            signout_reason: RwSignal::new(None),
            preset_step: RwSignal::new(None),
            audit: RwSignal::new(Self::stored_audit()),
            connections: StoredValue::new_local(Vec::new()),
            asking: StoredValue::new_local(PromptQueue::default()),
            next_id: StoredValue::new(1),
            root: StoredValue::new(Owner::current()),
            after_crash: RwSignal::new(None),
            loading: StoredValue::new(Vec::new()),
            running: RwSignal::new(Vec::new()),
        }
    }

    /// The revocation runs under way in this page (tracked).
    pub fn running(&self) -> Vec<String> {
        self.running.get()
    }

    /// Whether a revocation runs in this page now (leaving asks first).
    pub fn revoking(&self) -> bool {
        self.running.with_untracked(|r| !r.is_empty())
    }

    /// Checks an interrupted run against its server, when that server is
    /// connected: each of its sessions is read again, and the record says
    /// what happened. Says why when it cannot be checked.
    pub fn check_interrupted(&self, batch: &str) {
        let (address, targets) = self.audit.with_untracked(|a| {
            let mine: Vec<&audit::Entry> = a
                .entries
                .iter()
                .filter(|e| e.batch == batch && e.outcome == audit::Outcome::Pending)
                .collect();
            (
                mine.first().map(|e| e.address.clone()).unwrap_or_default(),
                mine.iter()
                    .map(|e| crate::revoke::verify::Target {
                        id: e.session.clone(),
                        user_id: Some(e.user_id.clone()).filter(|u| !u.is_empty()),
                    })
                    .collect::<Vec<_>>(),
            )
        });
        let Some(server) = self
            .each_server_untracked()
            .into_iter()
            .find(|s| !address.is_empty() && s.address() == address)
        else {
            self.alert("Not checked: connect to that server (the same address) first, then press Check again.");
            return;
        };
        let ctx = *self;
        let batch = batch.to_string();
        server.check_sessions(
            targets,
            Box::new(move |found: Vec<(String, String)>| {
                let mut log = Self::stored_audit();
                log.settle_interrupted(&batch, &found);
                let _ = log.keep(|json| {
                    crate::browser::storage_try_set(crate::browser::Store::Local, audit::KEY, json)
                });
                ctx.audit.set(log);
                let gone = found
                    .iter()
                    .filter(|(_, v)| v.starts_with("confirmed gone"))
                    .count();
                let listed = found.iter().filter(|(_, v)| v == "still listed").count();
                ctx.status(format!(
                    "Checked the interrupted run: {gone} confirmed gone, {listed} still listed."
                ));
            }),
        );
    }

    /// Every connected server, not tracked.
    fn each_server_untracked(&self) -> Vec<Server> {
        untrack(|| self.each_server())
    }

    /// After a crash: the servers that could be reconnected (`None`
    /// otherwise, or once the admin decided).
    pub fn after_crash(&self) -> ReadSignal<Option<AfterCrash>> {
        self.after_crash.read_only()
    }

    /// The admin reconnects these servers after a crash (all of them, or
    /// the one at `only`); the others stay stored, listed, unconnected.
    pub fn reconnect_after_crash(&self, only: Option<usize>) {
        let Some(mut a) = self.after_crash.get_untracked() else {
            return;
        };
        let chosen: Vec<Connection> = match only {
            Some(i) if i < a.stored.len() => vec![a.stored.remove(i)],
            Some(_) => Vec::new(),
            None => std::mem::take(&mut a.stored),
        };
        self.after_crash
            .set((!a.stored.is_empty()).then_some(a.clone()));
        if a.stored.is_empty() {
            Self::crash_seen();
        }
        let mut first = None;
        for conn in chosen {
            first = first.or(Some(self.connect(conn)));
        }
        // Those left unconnected stay stored until the admin decides.
        let mut keep: Vec<Connection> = self
            .servers
            .with_untracked(|s| s.iter().map(|s| s.conn.clone()).collect());
        keep.extend(a.stored);
        stored::save_all(&keep, crate::browser::now_ms() as i64);
        if let Some(id) = first {
            self.show(View::Server(id));
        }
    }

    /// The admin forgets the servers listed after a crash.
    pub fn forget_after_crash(&self) {
        self.after_crash.set(None);
        Self::crash_seen();
        let keep: Vec<Connection> = self
            .servers
            .with_untracked(|s| s.iter().map(|s| s.conn.clone()).collect());
        stored::save_all(&keep, crate::browser::now_ms() as i64);
    }

    /// The crash was answered: the next start reconnects as usual.
    fn crash_seen() {
        use crate::browser::{storage_remove, Store};
        for store in [Store::Session, Store::Local] {
            storage_remove(store, CRASHED_KEY);
            storage_remove(store, LOADING_KEY);
        }
    }

    fn stored_audit() -> AuditLog {
        crate::browser::storage_get(crate::browser::Store::Local, audit::KEY)
            .map(|s| AuditLog::from_json(&s))
            .unwrap_or_default()
    }

    /// Another tab recorded (or cleared) activity: read it again.
    pub fn reload_audit(&self) {
        self.audit.set(Self::stored_audit());
    }

    /// Adds a run's attempts to the record and keeps it. When the browser's
    /// storage is full the oldest half goes, and the admin is told.
    pub fn record(&self, entries: Vec<audit::Entry>) {
        if entries.is_empty() {
            return;
        }
        self.keep_audit(|log| log.record(entries));
    }

    /// A run ended: its outcome replaces its intent in the record.
    pub fn complete(&self, batch: &str, entries: Vec<audit::Entry>) {
        self.keep_audit(|log| log.complete(batch, entries));
    }

    /// Changes the stored record (as another tab may have left it) and
    /// keeps it.
    fn keep_audit(&self, change: impl FnOnce(&mut AuditLog)) {
        // Another tab may have recorded meanwhile.
        let mut log = Self::stored_audit();
        change(&mut log);
        let kept = log.keep(|json| {
            crate::browser::storage_try_set(crate::browser::Store::Local, audit::KEY, json)
        });
        match kept {
            audit::Kept::All => {}
            audit::Kept::NewestHalf => self.alert(
                "The activity record filled this browser's storage: its oldest half was dropped. Export it regularly to keep it all.",
            ),
            audit::Kept::Nothing => self.alert(
                "The activity record could not be saved (this browser's storage is full or off). It is shown until this tab closes; export it now.",
            ),
        }
        self.audit.set(log);
    }

    /// Forgets the record (the Activity view's "Clear activity").
    pub fn clear_audit(&self) {
        crate::browser::storage_remove(crate::browser::Store::Local, audit::KEY);
        self.audit.set(AuditLog::default());
    }

    fn fresh_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// Every signed-in connection.
    pub fn connections(&self) -> Vec<Connected> {
        self.connections.get_value()
    }

    /// The connection `id`, while it is signed in.
    pub fn connection(&self, id: ServerId) -> Option<Connected> {
        self.connections
            .with_value(|a| a.iter().find(|a| a.id == id).cloned())
    }

    /// The server of connection `id`, while it is signed in.
    pub fn server(&self, id: ServerId) -> Option<Server> {
        self.connection(id).map(|c| c.server)
    }

    /// Every connected server, in tab order (tracked: changes as servers
    /// come and go).
    pub fn each_server(&self) -> Vec<Server> {
        let ids: Vec<ServerId> = self.servers.with(|s| s.iter().map(|s| s.id).collect());
        ids.into_iter().filter_map(|id| self.server(id)).collect()
    }

    /// How connection `id` is named now ([`ServerInfo::labels`]); `None`
    /// once it is gone. Not tracked.
    pub fn server_label(&self, id: ServerId) -> Option<String> {
        self.servers.with_untracked(|all| {
            let at = all.iter().position(|s| s.id == id)?;
            ServerInfo::labels(all).into_iter().nth(at)
        })
    }

    /// The gate the two-factor dialog answers.
    pub fn dialog_gate(&self) -> Option<Rc<TwoFactorGate>> {
        self.asking
            .with_value(|q| q.shown().map(|(_, g, _)| g.clone()))
    }

    /// Shows what the first gate still asking asks (or closes the dialog).
    fn show_first_prompt(&self) {
        let first = self
            .asking
            .with_value(|q| q.shown().map(|(id, _, p)| (*id, p.clone())));
        match first {
            Some((id, p)) => {
                if self
                    .prompt_from
                    .with_untracked(|f| f.as_ref().map(|f| f.gate))
                    != Some(id)
                {
                    let label = self
                        .asking
                        .with_value(|q| q.label(id).map(str::to_string))
                        .unwrap_or_default();
                    self.prompt_from.set(Some(PromptSource { gate: id, label }));
                }
                self.prompt.set(Some(p));
            }
            None => {
                self.prompt.set(None);
                self.prompt_from.set(None);
            }
        }
    }

    /// A transport against `base` with these auth headers and its own
    /// two-factor gate (shown by the dialog while it asks, which names the
    /// server: connection `server`'s name at that moment, or before there
    /// is a connection, kind and host).
    pub fn transport(
        &self,
        kind: BackendKind,
        base: &str,
        auth: browser::Auth,
        server: Option<ServerId>,
    ) -> Transport {
        let ctx = *self;
        let gate_id = self.fresh_id() as u32;
        let host_label = Connection::label_of(kind, base);
        let label = Rc::new(move || {
            server
                .and_then(|id| ctx.server_label(id))
                .unwrap_or_else(|| host_label.clone())
        });
        let label2 = label.clone();
        let gate = Rc::new_cyclic(|me: &std::rc::Weak<TwoFactorGate>| {
            let me = me.clone();
            TwoFactorGate::new(move |p: Option<Prompt>| {
                let name = p.as_ref().map(|_| label());
                ctx.asking.update_value(|q| match (p, me.upgrade(), name) {
                    (Some(p), Some(g), Some(name)) => q.ask(gate_id, g, name, p),
                    _ => q.done(gate_id),
                });
                ctx.show_first_prompt();
            })
        });
        let backend = kind.backend();
        let rate_waits = self.rate_waits;
        // The transport's own Stop, known once it exists.
        let stopper: Rc<std::cell::OnceCell<Stopper>> = Rc::default();
        let stopper2 = stopper.clone();
        let t = Transport::new(
            browser::io(base.to_string(), auth),
            Rc::new(move |req: &ApiRequest, resp: &RawResponse| backend.classify(req, resp)),
            gate,
            Rc::new(move |e| match e {
                RateLimitEvent::Waiting { until_ms } => {
                    let server = label2();
                    let Some(stop) = stopper2.get().cloned() else {
                        return;
                    };
                    rate_waits.update(|w| match w.iter_mut().find(|w| w.id == gate_id) {
                        Some(w) => w.until_ms = w.until_ms.max(until_ms),
                        None => w.push(RateWait {
                            id: gate_id,
                            stop: send_wrapper::SendWrapper::new(stop),
                            server,
                            until_ms,
                        }),
                    })
                }
                RateLimitEvent::Resumed => rate_waits.update(|w| {
                    w.retain(|w| w.id != gate_id || w.until_ms > crate::browser::now_ms() + 50.0)
                }),
            }),
        );
        let _ = stopper.set(t.stopper());
        t
    }

    /// The banner's Stop: the requests waiting out this rate limit fail
    /// ("you stopped waiting") and the banner goes.
    pub fn stop_rate_wait(&self, id: u32) {
        let stop = self
            .rate_waits
            .with_untracked(|w| w.iter().find(|w| w.id == id).map(|w| (*w.stop).clone()));
        if let Some(stop) = stop {
            stop.stop();
        }
        self.rate_waits.update(|w| w.retain(|w| w.id != id));
    }

    /// Signs in again to the connections this tab (or, remembered, this
    /// browser) had, and shows the tab that was shown, with the view its
    /// URL holds.
    pub fn restore(&self) {
        use crate::browser::{storage_get, Store};
        let stored = stored::load_all(crate::browser::now_ms() as i64);
        let crashed = [Store::Session, Store::Local]
            .into_iter()
            .any(|s| storage_get(s, CRASHED_KEY).is_some());
        if crashed {
            // Nothing by itself: the admin sees what could be reconnected
            // (and what was loading) and chooses.
            let loading = storage_get(Store::Session, LOADING_KEY)
                .or_else(|| storage_get(Store::Local, LOADING_KEY))
                .and_then(|s| crate::json::parse(&s).ok())
                .and_then(|v| {
                    v.as_array().map(|a| {
                        a.iter()
                            .filter_map(|l| l.as_str().map(|l| l.chars().take(200).collect()))
                            .take(20)
                            .collect()
                    })
                })
                .unwrap_or_default();
            if stored.is_empty() {
                Self::crash_seen();
            } else {
                self.after_crash.set(Some(AfterCrash { stored, loading }));
            }
            return;
        }
        let any = !stored.is_empty();
        for conn in stored {
            self.connect(conn);
        }
        if any {
            // Written once: what was read, less any duplicate or broken entry.
            self.save();
        }
        let shown = crate::browser::storage_get(crate::browser::Store::Session, ACTIVE_KEY)
            .and_then(|i| i.parse::<usize>().ok())
            .unwrap_or(0);
        let ids: Vec<ServerId> = self
            .servers
            .with_untracked(|s| s.iter().map(|s| s.id).collect());
        if let Some(&id) = ids.get(shown).or(ids.first()) {
            self.view.set(View::Server(id));
        }
    }

    /// Shows `view`; a server's screen brings its own filter into the URL.
    pub fn show(&self, view: View) {
        if let View::Server(id) = view {
            let at = self
                .servers
                .with_untracked(|s| s.iter().position(|s| s.id == id));
            if let Some(at) = at {
                crate::browser::storage_set(
                    crate::browser::Store::Session,
                    ACTIVE_KEY,
                    &at.to_string(),
                );
            }
        }
        self.view.set(view);
    }

    /// Adds a signed-in connection (or renews the same account on the same
    /// server) and shows its sessions; the other connections stay.
    pub fn sign_in(&self, conn: Connection) {
        // A new screen starts from its own default view, not another's URL.
        crate::browser::discard_scheduled_query();
        crate::browser::set_query_string("", false);
        let id = self.add(conn);
        self.show(View::Server(id));
    }

    fn add(&self, conn: Connection) -> ServerId {
        let id = self.connect(conn);
        self.save();
        id
    }

    /// [`AppCtx::add`] without writing the stored list.
    fn connect(&self, conn: Connection) -> ServerId {
        let same = self
            .connections
            .with_value(|a| a.iter().find(|a| a.conn.same_account(&conn)).map(|a| a.id));
        if let Some(id) = same {
            self.close(id);
        }
        let id = self.fresh_id() as ServerId;
        let auth: browser::Auth = Rc::new(std::cell::RefCell::new(conn.auth_headers()));
        let transport = self.transport(conn.kind, &conn.base_url, auth.clone(), Some(id));
        if conn
            .kind
            .backend()
            .renew(&conn.settings, &conn.token)
            .is_some()
        {
            transport.set_renew(self.renewal(id, auth));
        }
        let server = self.new_server(id, &conn, transport.clone());
        self.connections.update_value(|a| {
            a.push(Connected {
                id,
                conn: Rc::new(conn.clone()),
                server,
                transport,
            })
        });
        self.signout_reason.set(None);
        self.servers.update(|s| s.push(ServerInfo { id, conn }));
        server.load();
        id
    }

    /// The [`Server`] of connection `id`, sending through `transport`: a
    /// 401 that renewal could not cure disconnects it (the others stay).
    fn new_server(&self, id: ServerId, conn: &Connection, transport: Transport) -> Server {
        let ctx = *self;
        let settings = conn.settings.0.clone();
        let learnt = transport.clone();
        let in_flight = Rc::new(move || learnt.in_flight());
        let call: Caller = Rc::new(move |req: ApiRequest| {
            let req = req.with_settings(&settings);
            let transport = transport.clone();
            Box::pin(async move {
                let r = transport.call(&req).await;
                if let Err(e @ ApiError::Unauthorized { .. }) = &r {
                    // Unless the 401 is the answer asked for (the check
                    // after "revoke all sessions").
                    if transport.is_open() && !req.unauthorized_is_answer {
                        ctx.disconnect(id, Some(e.to_string()));
                    }
                }
                r
            })
        });
        let backend = conn.kind.backend();
        let who = ServerIdentity {
            id,
            backend,
            // One server reached as "" (this origin) and by its full URL
            // is one server: its sessions are counted and revoked once.
            address: format!(
                "{} {}",
                backend.key(),
                crate::url::server_address(&conn.base_url, &crate::browser::origin())
            ),
            label: conn.label(),
            admin: conn.display_name.clone(),
            own_in_token: backend.own_session_in_token(&conn.token),
            // Where the credential names its user (Rocket.Chat's user ID).
            admin_user_id: Some(conn.settings.get("user_id").to_string()).filter(|u| !u.is_empty()),
        };
        let make = move || Server::new(who, Link { call, in_flight }, Rc::new(ctx));
        match self.root.get_value() {
            Some(root) => root.with(make),
            None => make(),
        }
    }

    /// How connection `id` renews its token after a 401: its backend's
    /// call (sent without the expired credentials), the new token put in
    /// the headers every later request carries, and stored as the old one
    /// was.
    fn renewal(&self, id: ServerId, auth: browser::Auth) -> crate::http::transport::RenewFn {
        let ctx = *self;
        Rc::new(move || {
            let conn = ctx.connection(id).map(|c| (*c.conn).clone());
            let auth = auth.clone();
            Box::pin(async move {
                let expired = || ApiError::Unauthorized {
                    message: "the token expired and could not be renewed".into(),
                };
                let mut conn = conn.ok_or(ApiError::SignedOut)?;
                let backend = conn.kind.backend();
                let req = backend
                    .renew(&conn.settings, &conn.token)
                    .ok_or_else(expired)?;
                let send = browser::fetch_sender(conn.base_url.clone(), Default::default());
                let resp = send(req).await?;
                if !resp.is_success() {
                    return Err(expired());
                }
                conn.token = backend.parse_renewed(&resp.body)?;
                *auth.borrow_mut() = conn.auth_headers();
                ctx.renewed(id, conn);
                Ok(())
            })
        })
    }

    /// Connection `id` has a renewed token: kept as the old one was.
    fn renewed(&self, id: ServerId, conn: Connection) {
        self.connections.update_value(|all| {
            if let Some(c) = all.iter_mut().find(|c| c.id == id) {
                c.server
                    .token_renewed(conn.kind.backend().own_session_in_token(&conn.token));
                c.conn = Rc::new(conn.clone());
            }
        });
        self.servers.update(|all| {
            if let Some(s) = all.iter_mut().find(|s| s.id == id) {
                s.conn = conn;
            }
        });
        self.save();
    }

    fn save(&self) {
        let all: Vec<Connection> = self
            .servers
            .with_untracked(|s| s.iter().map(|s| s.conn.clone()).collect());
        if !stored::save_all(&all, crate::browser::now_ms() as i64) {
            self.alert(STORAGE_REFUSED);
        }
    }

    /// Stops connection `id`: nothing more is sent with it, and a login
    /// token the panel created is ended on the server.
    fn close(&self, id: ServerId) {
        let Some(api) = self.connection(id) else {
            return;
        };
        api.transport.close();
        api.server.close();
        if let Some(req) = api
            .conn
            .issued_by_panel
            .then(|| api.backend().end_token())
            .flatten()
        {
            leptos::task::spawn_local(async move {
                let _ = api.transport.send_raw(req).await;
            });
        }
        self.connections.update_value(|a| a.retain(|a| a.id != id));
        self.servers.update(|s| s.retain(|s| s.id != id));
    }

    /// Disconnects one server in this tab; the others stay. "Disconnected
    /// from <server>: `reason`" is said — on Connect when none is left, else
    /// as an alert (no reason: a status).
    pub fn disconnect(&self, id: ServerId, reason: Option<String>) {
        let Some(label) = self.server_label(id) else {
            return;
        };
        // A marker no reopened tab can undo: its stored copies stay out.
        if let Some(c) = self.connection(id) {
            stored::mark_disconnected(&c.conn.account_key(), crate::browser::now_ms() as i64);
        }
        self.close(id);
        self.save();
        let first = self.servers.with_untracked(|s| s.first().map(|s| s.id));
        let reason = reason.map(|r| format!("Disconnected from {label}: {r}"));
        match first {
            None => {
                self.end_view(reason);
            }
            Some(other) => {
                if self.view.get_untracked() == View::Server(id) {
                    self.show(View::Server(other));
                }
                match reason {
                    Some(r) => self.alert(r),
                    None => self.status(format!(
                        "Disconnected from {label}. Its credentials were removed from this browser."
                    )),
                }
            }
        }
    }

    /// The admin's Disconnect: connection `id` goes, here and in this
    /// panel's other tabs that hold the same account.
    pub fn disconnect_everywhere(&self, id: ServerId, reason: Option<String>) {
        let Some(key) = self.connection(id).map(|a| a.conn.account_key()) else {
            return;
        };
        self.disconnect(id, reason);
        crate::browser::tell_other_tabs(DISCONNECT_KEY, &key);
    }

    /// Another tab of this panel disconnected the account `key` names.
    pub fn disconnected_elsewhere(&self, key: &str) {
        let id = self
            .connections
            .with_value(|a| a.iter().find(|a| a.conn.account_key() == key).map(|a| a.id));
        if let Some(id) = id {
            self.disconnect(
                id,
                Some("you disconnected it in another tab of this browser, and its credentials were removed here too.".into()),
            );
        }
    }

    /// Signs out of every server, here and in this panel's other tabs:
    /// forgets every credential (memory, sessionStorage, localStorage),
    /// stops everything the connections were doing, and ends the tokens
    /// the panel itself obtained.
    pub fn sign_out(&self, reason: Option<String>) {
        self.end(reason);
        // Whole milliseconds: an f64's `to_string` would bring core's float
        // formatter (≈ 3 KB gzip) into the panel for this one line.
        let now = crate::browser::now_ms() as i64;
        // Kept: a tab reopened later does not sign in again with its copy.
        stored::forget_after_sign_out(now);
        crate::browser::tell_other_tabs(SIGNOUT_KEY, &now.to_string());
    }

    /// Signs out of every server in this tab only (another tab signed out).
    pub fn end(&self, reason: Option<String>) {
        let ids: Vec<ServerId> = self
            .connections
            .with_value(|a| a.iter().map(|a| a.id).collect());
        for id in ids {
            self.close(id);
        }
        stored::forget();
        self.end_view(reason);
    }

    /// Back to Connect with nothing signed in.
    fn end_view(&self, reason: Option<String>) {
        self.preset_step.set(None);
        crate::browser::storage_remove(crate::browser::Store::Session, ACTIVE_KEY);
        self.loading.set_value(Vec::new());
        for store in [crate::browser::Store::Session, crate::browser::Store::Local] {
            crate::browser::storage_remove(store, LOADING_KEY);
        }
        self.signout_reason.set(reason);
        self.servers.set(Vec::new());
        self.view.set(View::AddServer);
        self.prompt.set(None);
        self.prompt_from.set(None);
        self.rate_waits.set(Vec::new());
        self.notices.set(Vec::new());
        crate::browser::discard_scheduled_query();
        crate::browser::set_query_string("", false);
    }

    fn push(&self, kind: NoticeKind, text: String) {
        let id = self.fresh_id();
        self.notices.update(|n| {
            // The same words again replace the earlier ones.
            n.retain(|x| x.text != text);
            n.push(Notice { id, kind, text });
            // Few at a time: the newest three.
            let len = n.len();
            if len > MAX_NOTICES {
                n.drain(..len - MAX_NOTICES);
            }
        });
        // A success is said, then goes; an error stays until dismissed.
        if kind == NoticeKind::Status {
            let ctx = *self;
            set_timeout(
                move || ctx.dismiss(id),
                std::time::Duration::from_millis(STATUS_FOR_MS),
            );
        }
    }

    pub fn status(&self, text: impl Into<String>) {
        self.push(NoticeKind::Status, text.into());
    }

    pub fn alert(&self, text: impl Into<String>) {
        self.push(NoticeKind::Alert, text.into());
    }

    pub fn dismiss(&self, id: u64) {
        self.notices.update(|n| n.retain(|x| x.id != id));
    }
}

impl Host for AppCtx {
    fn now_ms(&self) -> f64 {
        crate::browser::now_ms()
    }

    fn mark(&self, name: &str) {
        crate::browser::mark(name);
    }

    fn after_paint(&self) -> futures::future::LocalBoxFuture<'static, ()> {
        crate::browser::after_paint(50).boxed_local()
    }

    fn keeping_focus(&self, swap: &mut dyn FnMut()) {
        let focus = crate::browser::focused_row();
        swap();
        if let Some(f) = focus {
            request_animation_frame(move || f.restore());
        }
    }

    fn spawn(&self, task: futures::future::LocalBoxFuture<'static, ()>) {
        leptos::task::spawn_local(task);
    }

    fn label(&self, server: ServerId) -> Option<String> {
        self.server_label(server)
    }

    fn several_servers(&self) -> bool {
        self.servers.with_untracked(|s| s.len() > 1)
    }

    fn report_in_view(&self, server: ServerId) -> bool {
        matches!(self.view.get_untracked(), View::Server(id) if id == server)
            || self.view.get_untracked() == View::Everywhere
    }

    fn status(&self, text: String) {
        AppCtx::status(self, text);
    }

    fn alert(&self, text: String) {
        AppCtx::alert(self, text);
    }

    fn record(&self, entries: Vec<audit::Entry>) {
        AppCtx::record(self, entries);
    }

    fn complete(&self, batch: &str, entries: Vec<audit::Entry>) {
        AppCtx::complete(self, batch, entries);
    }

    fn running(&self, batch: &str, on: bool) {
        self.running.update(|r| {
            r.retain(|b| b != batch);
            if on {
                r.push(batch.to_string());
            }
        });
    }

    fn all_revoked(&self, server: ServerId) {
        self.disconnect_everywhere(server, Some(crate::revoke::ALL_REVOKED.into()));
    }

    fn sleep(&self, ms: f64) -> futures::future::LocalBoxFuture<'static, ()> {
        browser::sleep(ms).boxed_local()
    }

    fn max_sessions(&self) -> usize {
        crate::browser::storage_get(crate::browser::Store::Local, MAX_SESSIONS_KEY)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(crate::backends::paging::DEFAULT_MAX_SESSIONS)
    }

    fn loading(&self, server: ServerId, on: bool) {
        self.loading.update_value(|l| {
            l.retain(|s| *s != server);
            if on {
                l.push(server);
            }
        });
        let labels: Vec<crate::json::Value> = self
            .loading
            .get_value()
            .into_iter()
            .filter_map(|id| self.server_label(id))
            .map(crate::json::Value::from)
            .collect();
        let text = (!labels.is_empty()).then(|| crate::json::Value::Array(labels).to_string());
        for store in [crate::browser::Store::Session, crate::browser::Store::Local] {
            match &text {
                Some(t) => crate::browser::storage_set(store, LOADING_KEY, t),
                None => crate::browser::storage_remove(store, LOADING_KEY),
            }
        }
    }

    fn set_max_sessions(&self, n: usize) {
        crate::browser::storage_set(
            crate::browser::Store::Local,
            MAX_SESSIONS_KEY,
            &n.to_string(),
        );
    }
}

/// Where a raised load limit is kept (this browser; no secret).
pub const MAX_SESSIONS_KEY: &str = "sessiondeck.max-sessions";

impl Default for AppCtx {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(id: ServerId, kind: BackendKind, name: &str) -> ServerInfo {
        ServerInfo {
            id,
            conn: Connection {
                kind,
                base_url: "https://chat.example.com".into(),
                settings: crate::backends::Settings(vec![("user_id".into(), name.into())]),
                token: "t".into(),
                remember_until: None,
                since: 0,
                display_name: name.into(),
                issued_by_panel: false,
            },
        }
    }

    #[test]
    fn two_accounts_on_one_server_are_told_apart_by_who_is_signed_in() {
        let all = [
            server(1, BackendKind::RocketChat, "Ada Admin"),
            server(2, BackendKind::RocketChat, "Ursula"),
            server(3, BackendKind::DocSpace, "Dora"),
        ];
        assert_eq!(
            ServerInfo::labels(&all),
            [
                "Rocket.Chat · chat.example.com · Ada Admin",
                "Rocket.Chat · chat.example.com · Ursula",
                "DocSpace (ONLYOFFICE) · chat.example.com",
            ]
        );
        // Alone on its server, a connection is named by the server only.
        assert_eq!(
            ServerInfo::labels(&all[1..]),
            [
                "Rocket.Chat · chat.example.com",
                "DocSpace (ONLYOFFICE) · chat.example.com"
            ]
        );
    }
}
