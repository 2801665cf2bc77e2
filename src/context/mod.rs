//! The app-wide context: the signed-in connections, the messages, the
//! two-factor dialog's gate — and handles to the smaller stores beside
//! them (the view, the activity record, rate-limit waits). Components
//! reach it with `expect_context::<AppCtx>()`; it knows no component.
//! How one connection is assembled is `server::connect`, not here.

mod activity;
mod crash;
mod host;
mod nav;
mod notices;
mod prompts;
mod rate_waits;
mod servers;

pub use activity::Activity;
pub use crash::{AfterCrash, Crash, CRASHED_KEY, LOADING_KEY};
pub use host::MAX_SESSIONS_KEY;
pub use nav::{Nav, PresetStep, View};
pub use notices::{Notice, NoticeKind, Notices};
pub use prompts::{PromptSource, Prompts};
pub use rate_waits::{RateWait, RateWaits};
pub use servers::{Connected, ServerInfo, Servers};

use crate::backends::Credential;
use crate::connection::{stored, Connection};
use crate::server::connect;
use crate::server::{Server, ServerId};
use leptos::prelude::*;
use std::rc::Rc;

/// Written (then removed) in localStorage at sign-out: other tabs of this
/// panel see the `storage` event and sign out too. It holds no secret.
pub const SIGNOUT_KEY: &str = "sessiondeck.signout";

/// Written (then removed) in localStorage when the admin disconnects one
/// server: its [`Connection::account_key`], so the panel's other tabs drop
/// that connection too (and never store its credentials again).
pub const DISCONNECT_KEY: &str = "sessiondeck.disconnect";

/// Said when the browser refuses to keep the connections.
const STORAGE_REFUSED: &str = "This browser refused to store the connection (its storage is full or disabled): it works in this tab until you close or reload it, and is not remembered. Free some site data, or allow storage for this site, then connect again.";

/// Which server tab this browser tab shows (its place in the list).
const ACTIVE_KEY: &str = "sessiondeck.shown";

/// Shared app state. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct AppCtx {
    /// The signed-in connections, in the order they were added.
    servers: Servers,
    notices: Notices,
    prompts: Prompts,
    rate_waits: RateWaits,
    nav: Nav,
    activity: Activity,
    /// Why the admin was sent back to Connect (401, signed out).
    signout_reason: RwSignal<Option<String>>,
    /// What a start after a crash offers; what loads now.
    crash: Crash,
    /// The app's root: every [`Server`] is created under it, so its state
    /// lives as long as the work it starts.
    root: StoredValue<Option<Owner>>,
}

impl AppCtx {
    pub fn new() -> Self {
        let notices = Notices::new();
        AppCtx {
            servers: Servers::new(),
            notices,
            prompts: Prompts::new(),
            rate_waits: RateWaits::new(),
            nav: Nav::new(),
            activity: Activity::new(notices),
            signout_reason: RwSignal::new(None),
            crash: Crash::new(),
            root: StoredValue::new(Owner::current()),
        }
    }

    /// The signed-in connections, in tab order (tracked).
    pub fn servers(&self) -> ReadSignal<Vec<ServerInfo>> {
        self.servers.list()
    }
    pub fn notices(&self) -> Notices {
        self.notices
    }
    pub fn prompts(&self) -> Prompts {
        self.prompts
    }
    pub fn rate_waits(&self) -> RateWaits {
        self.rate_waits
    }
    pub fn nav(&self) -> Nav {
        self.nav
    }
    pub fn activity(&self) -> Activity {
        self.activity
    }
    /// Why Connect is shown again (tracked).
    pub fn signout_reason(&self) -> ReadSignal<Option<String>> {
        self.signout_reason.read_only()
    }
    /// After a crash: the servers that could be reconnected (`None`
    /// otherwise, or once the admin decided).
    pub fn after_crash(&self) -> ReadSignal<Option<AfterCrash>> {
        self.crash.offered()
    }
    pub fn status(&self, text: impl Into<String>) {
        self.notices.status(text);
    }
    pub fn alert(&self, text: impl Into<String>) {
        self.notices.alert(text);
    }

    /// Every signed-in connection.
    pub fn connections(&self) -> Vec<Connected> {
        self.servers.all()
    }

    /// The server of connection `id`, while it is signed in.
    pub fn server(&self, id: ServerId) -> Option<Server> {
        self.servers.get(id).map(|c| c.server)
    }

    /// Every connected server, in tab order (tracked).
    pub fn each_server(&self) -> Vec<Server> {
        self.servers.each()
    }

    /// How connection `id` is named now; `None` once it is gone.
    pub fn server_label(&self, id: ServerId) -> Option<String> {
        self.servers.label(id)
    }

    /// Signs in again to the connections this tab (or, remembered, this
    /// browser) had, and shows the tab that was shown. After a crash,
    /// nothing by itself: the admin sees what could be reconnected.
    pub fn restore(&self) {
        let stored = stored::load_all(crate::browser::now_ms() as i64);
        let now = self.crash.at_start(stored);
        if now.is_empty() {
            return;
        }
        for conn in now {
            self.connect(conn);
        }
        // Written once: what was read, less any duplicate or broken entry.
        self.save();
        let shown = crate::browser::storage_get(crate::browser::Store::Session, ACTIVE_KEY)
            .and_then(|i| i.parse::<usize>().ok())
            .unwrap_or(0);
        let ids = self.servers.ids();
        if let Some(&id) = ids.get(shown).or(ids.first()) {
            self.nav.set_view(View::Server(id));
        }
    }

    /// The admin reconnects servers after a crash (all of them, or the
    /// one at `only`); the others stay stored, listed, unconnected.
    pub fn reconnect_after_crash(&self, only: Option<usize>) {
        let ids: Vec<ServerId> = self
            .crash
            .take(only)
            .into_iter()
            .map(|c| self.connect(c))
            .collect();
        self.save();
        if let Some(&id) = ids.first() {
            self.show(View::Server(id));
        }
    }

    /// The admin forgets the servers listed after a crash.
    pub fn forget_after_crash(&self) {
        self.crash.forget();
        self.save();
    }

    /// Shows `view`, and remembers which server tab this browser tab shows.
    pub fn show(&self, view: View) {
        if let View::Server(id) = view {
            if let Some(at) = self.servers.position(id) {
                let at = at.to_string();
                crate::browser::storage_set(crate::browser::Store::Session, ACTIVE_KEY, &at);
            }
        }
        self.nav.set_view(view);
    }

    /// Adds a signed-in connection (or renews the same account on the same
    /// server) and shows its sessions; the other connections stay.
    pub fn sign_in(&self, conn: Connection) {
        // A new screen starts from its own default view, not another's URL.
        crate::browser::discard_scheduled_query();
        crate::browser::set_query_string("", false);
        let id = self.connect(conn);
        self.save();
        self.show(View::Server(id));
    }

    /// Opens `conn` (closing an earlier connection of the same account)
    /// and starts loading it; not written to storage.
    fn connect(&self, conn: Connection) -> ServerId {
        if let Some(id) = self.servers.find(|c| c.same_account(&conn)) {
            self.close(id);
        }
        let id = self.servers.fresh_id();
        let line = connect::open(&conn, self.wiring(conn.kind, &conn.base_url, Some(id)));
        let who = connect::identity(id, &conn, &crate::browser::origin());
        let ctx = *self;
        let make = || Server::new(who, line.link(), Rc::new(ctx));
        let server = match self.root.get_value() {
            Some(root) => root.with(make),
            None => make(),
        };
        self.servers.add(Connected {
            id,
            conn: Rc::new(conn),
            server,
            line,
        });
        self.signout_reason.set(None);
        server.load();
        id
    }

    /// Connection `id` has a renewed credential: kept as the old one was.
    fn renewed(&self, id: ServerId, credential: Credential) {
        let Some(c) = self.servers.get(id) else {
            return;
        };
        let own = c
            .conn
            .kind
            .backend()
            .own_session_in_token(&credential.access);
        c.server.token_renewed(own);
        let conn = Connection {
            credential,
            ..(*c.conn).clone()
        };
        self.servers.replace(id, conn);
        self.save();
    }

    /// Stores the signed-in connections, and those a crash left offered.
    fn save(&self) {
        let mut all = self.servers.stored();
        all.extend(self.crash.left());
        if !stored::save_all(&all, crate::browser::now_ms() as i64) {
            self.alert(STORAGE_REFUSED);
        }
    }

    /// Stops connection `id`: nothing more is sent with it, and a token
    /// the panel obtained is ended on the server.
    fn close(&self, id: ServerId) {
        let Some(c) = self.servers.remove(id) else {
            return;
        };
        c.server.close();
        if let Some(end) = c.line.close() {
            leptos::task::spawn_local(end);
        }
    }

    /// Disconnects one server in this tab; the others stay. "Disconnected
    /// from <server>: `reason`" is said — on Connect when none is left, else
    /// as an alert (no reason: a status).
    pub fn disconnect(&self, id: ServerId, reason: Option<String>) {
        let Some(label) = self.server_label(id) else {
            return;
        };
        // A marker no reopened tab can undo: its stored copies stay out.
        if let Some(c) = self.servers.get(id) {
            stored::mark_disconnected(&c.conn.account_key(), crate::browser::now_ms() as i64);
        }
        self.close(id);
        self.save();
        let first = self.servers.ids().first().copied();
        let reason = reason.map(|r| format!("Disconnected from {label}: {r}"));
        let Some(other) = first else {
            return self.end_view(reason);
        };
        if self.nav.view().get_untracked() == View::Server(id) {
            self.show(View::Server(other));
        }
        match reason {
            Some(r) => self.alert(r),
            None => self.status(format!(
                "Disconnected from {label}. Its credentials were removed from this browser."
            )),
        }
    }

    /// The admin's Disconnect: connection `id` goes, here and in this
    /// panel's other tabs that hold the same account.
    pub fn disconnect_everywhere(&self, id: ServerId, reason: Option<String>) {
        let Some(key) = self.servers.get(id).map(|a| a.conn.account_key()) else {
            return;
        };
        self.disconnect(id, reason);
        crate::browser::tell_other_tabs(DISCONNECT_KEY, &key);
    }

    /// Another tab of this panel disconnected the account `key` names.
    pub fn disconnected_elsewhere(&self, key: &str) {
        if let Some(id) = self.servers.find(|c| c.account_key() == key) {
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
        let now = crate::browser::now_ms() as i64;
        // Kept: a tab reopened later does not sign in again with its copy.
        stored::forget_after_sign_out(now);
        crate::browser::tell_other_tabs(SIGNOUT_KEY, &now.to_string());
    }

    /// Signs out of every server in this tab only (another tab signed out).
    pub fn end(&self, reason: Option<String>) {
        for id in self.servers.ids() {
            self.close(id);
        }
        stored::forget();
        self.end_view(reason);
    }

    /// Back to Connect with nothing signed in.
    fn end_view(&self, reason: Option<String>) {
        self.nav.set_preset(None);
        crate::browser::storage_remove(crate::browser::Store::Session, ACTIVE_KEY);
        self.crash.none_loading();
        self.signout_reason.set(reason);
        self.servers.clear();
        self.nav.set_view(View::AddServer);
        self.prompts.close();
        self.rate_waits.clear();
        self.notices.clear();
        crate::browser::discard_scheduled_query();
        crate::browser::set_query_string("", false);
    }
}

impl Default for AppCtx {
    fn default() -> Self {
        Self::new()
    }
}
