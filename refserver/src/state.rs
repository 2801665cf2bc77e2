//! Everything the server remembers, behind one mutex.

use crate::config::Config;
use crate::data::{self, Rng, SessionRec, User};
use crate::twofactor::UserState;
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub type Shared = Arc<App>;

pub struct App {
    pub cfg: Config,
    pub store: Mutex<Store>,
}

#[derive(Default)]
pub struct Faults {
    pub fail_rate: f64,
    pub latency_ms: u64,
    /// Logouts of these sessions fail with 500, once each.
    pub fail_ids: HashSet<String>,
    /// Every API call answers 307 to this base (a misconfigured proxy).
    pub redirect_to: Option<String>,
    /// Every API action (not GET, not login) answers 200 with a web page.
    pub html_actions: bool,
    /// Rocket.Chat: this many new sessions appear at the top before each
    /// list page after the first (the list moves while it is paged).
    pub churn: usize,
    /// Henshin: these users' sessions end right after the user list is read.
    pub henshin_vanish: Vec<String>,
    /// Rocket.Chat: logouts of these sessions answer success and keep them
    /// (a revocation that did not take effect).
    pub ghost_ids: HashSet<String>,
    /// Rocket.Chat: the first this many rows of a list answer come without
    /// their `sessionId` (rows the panel cannot use and must count).
    pub broken_rows: usize,
    /// Every GET answers this many MB of JSON-looking bytes (0: off),
    /// streamed without a length unless `huge_body_length`.
    pub huge_body_mb: u64,
    pub huge_body_length: bool,
    /// Every API action answers 404 with a web page (a proxy's, not the API's).
    pub not_found_html: bool,
    /// Rocket.Chat: list pages at this offset answer 502 (a sick upstream).
    pub fail_list_offset: Option<u64>,
    /// Rocket.Chat: the caller's own list (`sessions/list`) answers 502.
    pub fail_own_list: bool,
    /// Every API action (not GET, not login) whose path contains
    /// `path` is answered this way instead of the API's own answer — as a
    /// proxy, gateway or a broken server in between would: a foreign 404,
    /// `{"response": false}`, an error envelope with 200 … With `perform`
    /// the action is done first (its answer lost on the way).
    pub action_answer: Option<ActionAnswer>,
    /// DocSpace: the first this many connections carry a record built to
    /// explode when flattened (long keys nested deep, many leaves).
    pub explode_rows: usize,
}

/// See [`Faults::action_answer`].
#[derive(Clone, Debug, Default)]
pub struct ActionAnswer {
    pub status: u16,
    pub body: String,
    pub content_type: String,
    pub path: String,
    pub perform: bool,
}

#[derive(Default, serde::Serialize)]
pub struct Stats {
    pub requests: u64,
    /// Every sessionId a logout / logout.me call was made for, in order.
    pub logout_calls: Vec<String>,
    /// API calls answered "totp-required" (each e-mails with the email method).
    pub two_factor_required: u64,
    pub emails_sent: u64,
    /// API actions answered with a web page (fault `htmlActions`).
    pub html_answers: u64,
    /// Every API action (not GET), in order: "POST /path {body}" — what
    /// the panel really asked the server to end.
    pub actions: Vec<String>,
}

pub struct Store {
    pub users: Vec<User>,
    /// user ID → index in `users` (lookups per listed row must be cheap).
    pub user_index: HashMap<String, usize>,
    /// Kept newest first (loginAt desc, then ID), found by ID as the real
    /// server's index on `sessionId` finds them.
    pub sessions: Sessions,
    /// auth token → user ID
    pub tokens: HashMap<String, String>,
    pub two_factor: HashMap<String, UserState>,
    /// (token, client fingerprint) → remembered until (epoch ms)
    pub remembered: HashMap<(String, String), i64>,
    /// (token, route) → (window start, calls)
    pub rate: HashMap<(String, String), (i64, u32)>,
    pub faults: Faults,
    pub stats: Stats,
    pub rng: Rng,
    pub license: bool,
    pub deny: Vec<String>,
    /// Each further API's own data (DocSpace, Henshin, self-service, …),
    /// registered in `main.rs`; the store does not know their types.
    apis: Vec<Box<dyn ApiData>>,
}

/// One API's own data, kept in the store without the store knowing it: an
/// API module is then one file plus its line in `main.rs`.
pub trait ApiData: AsAny + Send {
    /// Its session IDs for the test statistics, under this key.
    fn session_ids(&self) -> (&'static str, Vec<String>);
    /// Ends these sessions behind the panel's back (another admin did).
    fn remove(&mut self, ids: &[String]);
    /// Every access token it issued stops working (`/__ref/expire-tokens`).
    fn expire_tokens(&mut self) {}
    /// More figures for `/__ref/stats`, under this key.
    fn extra_stats(&self) -> Option<(&'static str, serde_json::Value)> {
        None
    }
}

/// What lets the store hand an API its own data back, typed.
pub trait AsAny: Any {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Seeds one API's data from its own random stream, at `now` (ms).
pub type Seed = fn(&mut Rng, i64) -> Box<dyn ApiData>;

/// One API the reference server speaks (`src/apis/<name>.rs` declares it as
/// `pub const API: Api`): its name (the banner lists it), where its paths
/// start — any number of prefixes; faults, latency and CORS apply there —,
/// its routes, the paths whose request bodies hold a secret (never logged),
/// its own data (none for Rocket.Chat, whose data is the store's own),
/// seeded from a stream of its own (a new API never shifts another's
/// data), and its lines of the demo banner.
pub struct Api {
    pub name: &'static str,
    pub prefixes: &'static [&'static str],
    pub routes: fn() -> axum::Router<Shared>,
    /// Path endings whose request bodies are a password or a secret.
    pub secret_paths: &'static [&'static str],
    pub data: Option<Seed>,
    pub demo: fn(&Config) -> String,
}

impl Api {
    /// Whether `path` is one of this API's.
    pub fn serves(&self, path: &str) -> bool {
        self.prefixes.iter().any(|p| path.starts_with(p))
    }

    /// Whether a request to `path` carries a secret in its body.
    pub fn secret(&self, path: &str) -> bool {
        self.secret_paths.iter().any(|p| path.ends_with(p))
    }

    /// Its own random stream: the run's seed mixed with its name.
    pub fn stream(&self, seed: u64) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.name.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng::new(seed ^ h)
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl App {
    /// The store, with the data of each of `apis` seeded from its own
    /// stream.
    pub fn new(cfg: Config, apis: &[(Seed, Rng)]) -> Shared {
        // "password" is the fallback of users with no 2FA method, not a method.
        let methods: Vec<String> = cfg
            .two_factor
            .iter()
            .filter(|m| *m != "password")
            .cloned()
            .collect();
        let seeded = data::seed(cfg.sessions, cfg.seed, &methods, now_ms());
        let mut sessions = seeded.sessions;
        sort_newest_first(&mut sessions);
        let mut tokens = HashMap::new();
        tokens.insert(data::ADMIN_PAT.to_string(), data::ADMIN_ID.to_string());
        tokens.insert(data::USER_PAT.to_string(), data::USER_ID.to_string());
        let now = now_ms();
        let apis = apis
            .iter()
            .map(|(seed, rng)| seed(&mut rng.clone(), now))
            .collect();
        let user_index = seeded
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        let store = Store {
            user_index,
            users: seeded.users,
            sessions: Sessions::new(sessions),
            tokens,
            two_factor: HashMap::new(),
            remembered: HashMap::new(),
            rate: HashMap::new(),
            faults: Faults {
                fail_rate: cfg.fail_rate,
                latency_ms: cfg.latency_ms,
                ..Faults::default()
            },
            stats: Stats::default(),
            rng: Rng::new(cfg.seed ^ 0x5eed),
            license: cfg.license,
            deny: cfg.deny.clone(),
            apis,
        };
        Arc::new(App {
            cfg,
            store: Mutex::new(store),
        })
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panicked handler must not take the whole server down with it.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Rocket.Chat's sessions, in list order, with the set of their IDs: a
/// lookup by ID (`info.admin`, `logout`) answers "not found" without
/// reading every session, as Rocket.Chat's index on `sessionId` does.
/// Read as a slice; changed only through these methods, which keep the set.
pub struct Sessions {
    rows: Vec<SessionRec>,
    /// How many rows have each ID (one, unless a fault repeats it).
    ids: HashMap<String, u32>,
}

impl Sessions {
    pub fn new(rows: Vec<SessionRec>) -> Sessions {
        let mut ids = HashMap::with_capacity(rows.len());
        for s in &rows {
            *ids.entry(s.id.clone()).or_insert(0) += 1;
        }
        Sessions { rows, ids }
    }

    /// Whether a session with this ID is listed.
    pub fn has(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// Where the first session with this ID meeting `also` is.
    pub fn find(&self, id: &str, also: impl Fn(&SessionRec) -> bool) -> Option<usize> {
        if !self.has(id) {
            return None;
        }
        self.rows.iter().position(|s| s.id == id && also(s))
    }

    /// A new session, at the top (the newest).
    pub fn push_front(&mut self, s: SessionRec) {
        *self.ids.entry(s.id.clone()).or_insert(0) += 1;
        self.rows.insert(0, s);
    }

    pub fn remove(&mut self, at: usize) -> SessionRec {
        let s = self.rows.remove(at);
        if let Some(n) = self.ids.get_mut(&s.id) {
            *n -= 1;
            if *n == 0 {
                self.ids.remove(&s.id);
            }
        }
        s
    }

    pub fn retain(&mut self, keep: impl Fn(&SessionRec) -> bool) {
        self.rows.retain(|s| keep(s));
        *self = Sessions::new(std::mem::take(&mut self.rows));
    }
}

impl std::ops::Deref for Sessions {
    type Target = [SessionRec];
    fn deref(&self) -> &[SessionRec] {
        &self.rows
    }
}

pub fn sort_newest_first(s: &mut [SessionRec]) {
    s.sort_by(|a, b| b.login_at.cmp(&a.login_at).then_with(|| a.id.cmp(&b.id)));
}

impl Store {
    pub fn user(&self, id: &str) -> Option<&User> {
        self.user_index.get(id).map(|&i| &self.users[i])
    }

    /// `n` Rocket.Chat sessions begin now (devices and users of existing
    /// ones, fresh IDs), newest first. Their IDs.
    pub fn begin_sessions(&mut self, n: usize) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            let len = self.sessions.len() as u64;
            if len == 0 {
                break;
            }
            let pick = self.rng.below(len) as usize;
            let mut s = self.sessions[pick].clone();
            s.id = self.rng.id();
            s.login_at = now_ms();
            s.login_token = None;
            ids.push(s.id.clone());
            self.sessions.push_front(s);
        }
        ids
    }

    /// Whether this revoke call fails on purpose (failIds once each, or the fail rate).
    pub fn inject_failure(&mut self, id: &str) -> bool {
        self.faults.fail_ids.remove(id) || {
            let rate = self.faults.fail_rate;
            rate > 0.0 && self.rng.unit() < rate
        }
    }

    /// Deletes sessions of any kind behind the panel's back (another admin).
    pub fn remove_anywhere(&mut self, ids: &[String]) {
        self.sessions.retain(|s| !ids.contains(&s.id));
        for api in &mut self.apis {
            api.remove(ids);
        }
    }

    /// The data of the API whose type is `T` (registered in `main.rs`).
    /// Every API's access tokens stop working.
    pub fn expire_api_tokens(&mut self) {
        for api in &mut self.apis {
            api.expire_tokens();
        }
    }

    /// Every API's own figures.
    pub fn api_stats(&self) -> Vec<(&'static str, serde_json::Value)> {
        self.apis.iter().filter_map(|a| a.extra_stats()).collect()
    }

    pub fn api<T: ApiData>(&self) -> &T {
        self.apis
            .iter()
            // `(**a)`: the data inside the box, not the box itself.
            .find_map(|a| (**a).as_any().downcast_ref())
            .expect("every API module is registered in main.rs")
    }

    pub fn api_mut<T: ApiData>(&mut self) -> &mut T {
        self.apis
            .iter_mut()
            .find_map(|a| (**a).as_any_mut().downcast_mut())
            .expect("every API module is registered in main.rs")
    }

    /// Every further API's session IDs, by its statistics key.
    pub fn api_session_ids(&self) -> Vec<(&'static str, Vec<String>)> {
        self.apis.iter().map(|a| a.session_ids()).collect()
    }

    pub fn has_permission(&self, user: &User, perm: &str) -> bool {
        user.roles.iter().any(|r| r == "admin") && !self.deny.iter().any(|d| d == perm)
    }
}

#[cfg(test)]
mod api_data_tests {
    use super::*;

    #[test]
    fn each_api_gets_its_own_data_back_typed() {
        let app = App::new(
            Config::default(),
            &[(
                |r, now| Box::new(crate::apis::henshin::seed(r, now)),
                Rng::new(1),
            )],
        );
        let mut st = app.lock();
        let n = st.api::<crate::apis::henshin::Henshin>().sessions.len();
        assert!(n > 0);
        let first = st.api::<crate::apis::henshin::Henshin>().sessions[0]
            .id
            .to_string();
        st.remove_anywhere(&[first]);
        assert_eq!(
            st.api_mut::<crate::apis::henshin::Henshin>().sessions.len(),
            n - 1
        );
        assert_eq!(st.api_session_ids()[0].0, "henshinIds");
    }
}

#[cfg(test)]
mod sessions_tests {
    use super::*;

    fn rec(id: &str, user: &str) -> SessionRec {
        SessionRec {
            id: id.into(),
            user_id: user.into(),
            device: data::Device {
                kind: String::new(),
                name: String::new(),
                version: String::new(),
                long_version: String::new(),
                os_name: String::new(),
                os_version: String::new(),
            },
            host: String::new(),
            ip: String::new(),
            login_at: 0,
            login_token: None,
            instance_id: String::new(),
        }
    }

    #[test]
    fn sessions_are_found_by_exact_id_through_every_change() {
        let mut s = Sessions::new(vec![rec("s1", "u1"), rec("s10", "u2"), rec("s1", "u3")]);
        assert!(s.has("s1") && s.has("s10") && !s.has("s"));
        // The first meeting the condition, by exact ID.
        assert_eq!(s.find("s1", |r| r.user_id == "u3"), Some(2));
        assert_eq!(s.find("s1", |r| r.user_id == "u2"), None);
        // A repeated ID stays found until its last row goes.
        let gone = s.remove(0);
        assert_eq!(gone.user_id, "u1");
        assert!(s.has("s1"));
        s.remove(s.find("s1", |_| true).unwrap());
        assert!(!s.has("s1") && s.find("s1", |_| true).is_none());
        s.push_front(rec("s2", "u4"));
        assert_eq!(s.find("s2", |_| true), Some(0));
        assert_eq!(s.find("s10", |_| true), Some(1));
        s.retain(|r| r.id != "s10");
        assert!(!s.has("s10") && s.has("s2"));
        assert_eq!(s.len(), 1);
    }
}
