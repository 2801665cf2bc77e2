//! Who the panel is signed in as, and where that is kept.
//!
//! Credentials live in memory and in sessionStorage (this tab only); in
//! localStorage only when the admin ticked "Remember on this device". Signing
//! out removes both. Nothing secret ever goes into a URL or a log line.

use crate::backends::{BackendKind, Credential, Renewal, Settings};
use crate::json::{self, Value};
use std::fmt;

const KEY: &str = "sessiondeck.connection";

#[derive(Clone, PartialEq, Eq)]
pub struct Connection {
    pub kind: BackendKind,
    /// "" = the panel's own origin.
    pub base_url: String,
    /// The sign-in method's settings (Rocket.Chat's user ID, a Keycloak
    /// realm and client ID; none for a bearer token): see
    /// [`crate::backends::SignInMethod`]. Never a secret.
    pub settings: Settings,
    /// What every call is signed with (renewed in place).
    pub credential: Credential,
    /// "Remember on this device" until this instant (epoch ms): kept in
    /// localStorage until then, never after. `None`: this tab only.
    pub remember_until: Option<i64>,
    /// When this connection was made (epoch ms): a sign-out after it (the
    /// stored marker) means a reopened tab must not bring it back.
    pub since: i64,
    /// Who the server says we are (filled after /me).
    pub display_name: String,
    /// The token was obtained by the panel (a login, an OAuth grant), so
    /// sign-out ends it on the server.
    pub issued_by_panel: bool,
}

/// How long a tab's own stored copy (sessionStorage) may bring a
/// connection back: a working day after it was made. Remembered ones last
/// until their `remember_until`.
pub const TAB_COPY_MS: i64 = 12 * 3_600_000;
/// The longest display name, setting or Server URL stored (a hostile
/// server's name must not fill the browser's storage); cut with "…".
pub const MAX_STORED_CHARS: usize = 200;
/// The longest Server URL or setting value stored.
pub const MAX_STORED_URL_CHARS: usize = 2048;
/// A token longer than this is never stored (a cut token would be
/// another credential): it works in this tab until it is closed.
pub const MAX_STORED_TOKEN_BYTES: usize = 16 * 1024;

impl Connection {
    /// Kept in localStorage ("Remember on this device").
    pub fn remembered(&self) -> bool {
        self.remember_until.is_some()
    }

    /// Until when (epoch ms) a stored copy may bring it back: every copy
    /// expires — a remembered one at `remember_until`, a tab's own
    /// [`TAB_COPY_MS`] after it was made.
    pub fn stored_until(&self) -> i64 {
        self.remember_until
            .unwrap_or_else(|| self.since.saturating_add(TAB_COPY_MS))
    }

    /// Whether it may be written to storage at `now`.
    pub fn storable(&self, now: i64) -> bool {
        self.stored_until() > now && self.credential.secret_bytes() <= MAX_STORED_TOKEN_BYTES
    }
}

/// `s` cut to `max` characters, "…" at the cut.
fn clipped(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

impl fmt::Debug for Connection {
    // Keep the token out of any debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("settings", &self.settings)
            .field("credential", &self.credential)
            .field("remember_until", &self.remember_until)
            .field("issued_by_panel", &self.issued_by_panel)
            .finish()
    }
}

impl Connection {
    /// The auth headers every call of this connection carries.
    pub fn auth_headers(&self) -> Vec<(String, String)> {
        self.kind
            .backend()
            .auth_headers(&self.settings, &self.credential)
    }

    /// What the admin typed as Server URL, with `https://` put in front when
    /// it names no scheme ("chat.example.com", "127.0.0.1:3000"), and whether
    /// it was (the Connect screen says so). Empty stays empty (this origin).
    pub fn with_scheme(url: &str) -> (String, bool) {
        let t = url.trim();
        if t.is_empty() || t.contains("://") || t.starts_with("javascript:") || t.contains(' ') {
            return (t.to_string(), false);
        }
        (format!("https://{t}"), true)
    }

    /// Normalises what the admin typed as Server URL. `http://` is only for
    /// a server on this machine: anything else would carry the token in
    /// clear text.
    pub fn normalise_base(url: &str) -> Result<String, String> {
        let u = url.trim().trim_end_matches('/');
        if u.is_empty() {
            return Ok(String::new());
        }
        let lower = u.to_ascii_lowercase();
        let Some((scheme, rest)) = lower.split_once("://") else {
            return Err(format!(
                "Server URL must start with https:// (or http:// for a server on this machine), or be empty for this panel's own origin — got \u{201c}{u}\u{201d}."
            ));
        };
        if u.contains(['?', '#', ' ', '@', '\\']) {
            return Err(
                "Server URL must be the server's base address, without ?, #, @, \\ or spaces."
                    .into(),
            );
        }
        let authority = rest.split('/').next().unwrap_or("");
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6
                .split(']')
                .next()
                .map(|h| format!("[{h}]"))
                .unwrap_or_default(),
            None => authority.split(':').next().unwrap_or("").to_string(),
        };
        match scheme {
            "https" if !host.is_empty() => Ok(u.to_string()),
            "http" if ["localhost", "127.0.0.1", "[::1]"].contains(&host.as_str()) => {
                Ok(u.to_string())
            }
            "http" => Err(format!(
                "Server URL must use https:// — http:// would send the token unencrypted. It is allowed only for localhost, 127.0.0.1 and [::1] (got \u{201c}{host}\u{201d})."
            )),
            _ => Err(format!(
                "Server URL must start with https:// (or http:// for a server on this machine), or be empty for this panel's own origin — got \u{201c}{u}\u{201d}."
            )),
        }
    }

    /// The server's host as the tabs show it (the panel's own origin when
    /// the Server URL is empty).
    pub fn host(&self) -> String {
        Self::host_of(&self.base_url)
    }

    /// "Rocket.Chat · chat.example.com": how tabs, prompts, reports and the
    /// activity record name a server.
    pub fn label(&self) -> String {
        let label = Self::label_of(self.kind, &self.base_url);
        match self.kind.backend().label_detail(&self.settings) {
            Some(detail) => format!("{label} · {detail}"),
            None => label,
        }
    }

    /// [`Connection::label`] of a server not (yet) connected.
    pub fn label_of(kind: BackendKind, base_url: &str) -> String {
        format!("{} · {}", kind.backend().label(), Self::host_of(base_url))
    }

    /// `https://chat.example.com/x` → `chat.example.com`; "" → this origin.
    pub fn host_of(base_url: &str) -> String {
        if base_url.is_empty() {
            return "this origin".into();
        }
        let rest = base_url.split_once("://").map_or(base_url, |r| r.1);
        rest.to_string()
    }

    /// The same account on the same server (a second Connect renews it).
    pub fn same_account(&self, other: &Connection) -> bool {
        self.account_key() == other.account_key()
    }

    /// Names the account on its server without saying who or where (a
    /// SHA-256 of kind, server, user ID and name; no secret goes in): the
    /// panel's other tabs are told by it which connection was disconnected.
    pub fn account_key(&self) -> String {
        let key = self.kind.backend().key();
        let mut fields = vec![key, &self.base_url];
        fields.extend(self.settings.0.iter().map(|(_, v)| v.as_str()));
        fields.push(&self.display_name);
        crate::http::request::sha256_hex(&fields.join("\u{1f}"))
    }

    /// The stored form: `{"kind", "base_url", "settings", "token",
    /// "refresh_token", "client_secret", "expires_at", "remember_until",
    /// "since", "display_name", "issued_by_panel"}`.
    pub fn to_json(&self) -> String {
        let url = |s: &str| Value::from(clipped(s, MAX_STORED_URL_CHARS));
        Value::object([
            ("kind", self.kind.backend().key().into()),
            ("base_url", url(&self.base_url)),
            (
                "settings",
                Value::object(
                    self.settings
                        .0
                        .iter()
                        .take(16)
                        .map(|(k, v)| (k.as_str(), url(v))),
                ),
            ),
            ("token", self.credential.access.as_str().into()),
            (
                "refresh_token",
                match &self.credential.renewal {
                    Some(Renewal::RefreshToken(t)) => t.as_str().into(),
                    _ => Value::Null,
                },
            ),
            (
                "client_secret",
                match &self.credential.renewal {
                    Some(Renewal::ClientSecret(t)) => t.as_str().into(),
                    _ => Value::Null,
                },
            ),
            (
                "expires_at",
                self.credential.expires_at.map_or(Value::Null, Value::from),
            ),
            (
                "remember_until",
                self.remember_until.map_or(Value::Null, Value::from),
            ),
            ("since", self.since.into()),
            (
                "display_name",
                clipped(&self.display_name, MAX_STORED_CHARS).into(),
            ),
            ("issued_by_panel", self.issued_by_panel.into()),
        ])
        .to_string()
    }

    /// Reads [`Connection::to_json`]'s form; `None` unless kind, base URL and
    /// a non-empty token are there (the other fields default).
    pub fn from_json(s: &str) -> Option<Connection> {
        Self::from_value(&json::parse(s).ok()?)
    }

    /// [`Connection::from_json`] of JSON already read.
    fn from_value(v: &Value) -> Option<Connection> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Some(Connection {
            kind: BackendKind::from_key(v.get("kind")?.as_str()?)?,
            base_url: text("base_url")?,
            settings: Settings(match v.get("settings").and_then(Value::as_object) {
                Some(map) => map
                    .iter()
                    .filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string())))
                    .collect(),
                // Stored before settings: Rocket.Chat's user ID on its own.
                None => text("user_id")
                    .filter(|u| !u.is_empty())
                    .map(|u| vec![("user_id".to_string(), u)])
                    .unwrap_or_default(),
            }),
            credential: Credential {
                access: text("token").filter(|t| !t.is_empty())?,
                renewal: text("refresh_token")
                    .map(Renewal::RefreshToken)
                    .or_else(|| text("client_secret").map(Renewal::ClientSecret)),
                expires_at: v.get("expires_at").and_then(Value::as_i64),
            },
            // An entry stored before remembering expired has no end: it
            // is read as ended (never as "forever").
            remember_until: v.get("remember_until").and_then(Value::as_i64).or_else(|| {
                (v.get("remember").and_then(Value::as_bool) == Some(true)).then_some(0)
            }),
            since: v.get("since").and_then(Value::as_i64).unwrap_or(0),
            display_name: text("display_name").unwrap_or_default(),
            issued_by_panel: v.get("issued_by_panel").and_then(Value::as_bool) == Some(true),
        })
    }
}

/// One server of a preset: which API, where, and the settings its
/// sign-in is filled with (a realm; never a secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub kind: BackendKind,
    pub base_url: String,
    pub settings: Settings,
}

/// A ready-made choice on the Connect screen, from `config.json` next to
/// `index.html`: `{"presets": [{"name", "backend", "serverUrl",
/// "settings"?}]}` (`settings`: the backend's non-secret sign-in fields,
/// e.g. `{"realm": "demo"}`; any other key is ignored), or one
/// naming several servers, connected one after another:
/// `{"name", "servers": [{"backend", "serverUrl"}, …]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preset {
    pub name: String,
    pub servers: Vec<Target>,
}

/// Reads presets leniently: unknown backends and malformed entries are
/// skipped (a server of a several-server preset: that server; none left:
/// the preset).
pub fn parse_presets(body: &str) -> Vec<Preset> {
    let Ok(v) = json::parse(body) else {
        return Vec::new();
    };
    let target = |p: &Value| -> Option<Target> {
        let kind = BackendKind::from_key(p.get("backend")?.as_str()?)?;
        let base_url = p.get("serverUrl").and_then(|u| u.as_str()).unwrap_or("");
        // Only settings some sign-in method of this backend has: a preset
        // never fills in a secret.
        let known = |k: &str| {
            kind.backend()
                .sign_in_methods()
                .iter()
                .any(|m| m.settings().any(|i| i.key == k))
        };
        let settings = p
            .get("settings")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| known(k))
                    .filter_map(|(k, v)| {
                        Some((k.to_string(), v.as_str()?.chars().take(200).collect()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Target {
            kind,
            base_url: Connection::normalise_base(base_url).ok()?,
            settings: Settings(settings),
        })
    };
    v.get("presets")
        .and_then(|p| p.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|p| {
                    let servers: Vec<Target> = match p.get("servers").and_then(Value::as_array) {
                        Some(list) => list.iter().filter_map(target).take(20).collect(),
                        None => target(p).into_iter().collect(),
                    };
                    let name = p.get("name")?.as_str()?.chars().take(120).collect();
                    (!servers.is_empty()).then_some(Preset { name, servers })
                })
                .take(50)
                .collect()
        })
        .unwrap_or_default()
}

/// The deployment's ready-made choices: `config.json` next to the panel
/// (none when it is missing or unreadable).
pub async fn fetch_presets() -> Vec<Preset> {
    let send = crate::http::transport::browser::fetch_sender(String::new());
    let req =
        crate::http::request::ApiRequest::new(crate::http::request::Method::Get, "config.json");
    match send(req).await {
        Ok(r) if r.is_success() => parse_presets(&r.body),
        _ => Vec::new(),
    }
}

/// Browser persistence.
pub mod stored {
    use super::*;
    use crate::browser::{storage_get, storage_remove, storage_try_set, Store};

    /// Where a sign-out is remembered (epoch ms), so that a tab reopened
    /// later never brings back, nor writes back, what was signed out.
    pub const SIGNED_OUT_KEY: &str = "sessiondeck.signed-out-at";

    /// Where each disconnected account is remembered (its
    /// [`Connection::account_key`] → epoch ms): a tab closed before the
    /// Disconnect and reopened later never brings that server back.
    pub const DISCONNECTED_KEY: &str = "sessiondeck.disconnected";

    /// The most disconnect markers kept (the newest).
    pub const MAX_MARKERS: usize = 100;

    /// Account `key` was disconnected at `now`.
    pub fn mark_disconnected(key: &str, now: i64) {
        let mut all = disconnected();
        all.retain(|(k, _)| k != key);
        all.push((key.to_string(), now));
        let text = markers_to_json(&all);
        let _ = storage_try_set(Store::Local, DISCONNECTED_KEY, &text);
    }

    /// The disconnect markers, oldest first (at most [`MAX_MARKERS`]).
    pub fn disconnected() -> Vec<(String, i64)> {
        storage_get(Store::Local, DISCONNECTED_KEY)
            .map(|s| markers_from_json(&s))
            .unwrap_or_default()
    }

    /// The stored form of the markers: the newest [`MAX_MARKERS`].
    pub fn markers_to_json(all: &[(String, i64)]) -> String {
        let newest = &all[all.len().saturating_sub(MAX_MARKERS)..];
        Value::Array(
            newest
                .iter()
                .map(|(k, at)| {
                    Value::object([("account", k.as_str().into()), ("at", (*at).into())])
                })
                .collect(),
        )
        .to_string()
    }

    /// Reads [`markers_to_json`]'s form; damage reads as none.
    pub fn markers_from_json(s: &str) -> Vec<(String, i64)> {
        match json::parse(s) {
            Ok(Value::Array(items)) => items
                .iter()
                .filter_map(|m| {
                    Some((
                        m.get("account")?.as_str()?.chars().take(64).collect(),
                        m.get("at")?.as_i64()?,
                    ))
                })
                .take(MAX_MARKERS)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Every connection in this tab's sessionStorage; those with
    /// "Remember on this device" also in localStorage — only those whose
    /// stored copy has not expired at `now` (an expired one is never written
    /// back). Whether the browser kept it all (a full or disabled storage
    /// refuses).
    pub fn save_all(all: &[Connection], now: i64) -> bool {
        let all: Vec<Connection> = all.iter().filter(|c| c.storable(now)).cloned().collect();
        let all = all.as_slice();
        if all.is_empty() {
            forget();
            return true;
        }
        let list = |keep: &dyn Fn(&Connection) -> bool| {
            let items: Vec<String> = all
                .iter()
                .filter(|c| keep(c))
                .map(Connection::to_json)
                .collect();
            format!("[{}]", items.join(","))
        };
        let mut kept = storage_try_set(Store::Session, KEY, &list(&|_| true));
        if all.iter().any(Connection::remembered) {
            kept &= storage_try_set(Store::Local, KEY, &list(&|c| c.remembered()));
        } else {
            storage_remove(Store::Local, KEY);
        }
        kept
    }

    /// This tab's connections, else the remembered ones — less any a later
    /// sign-out or Disconnect ended, and any past its time.
    pub fn load_all(now: i64) -> Vec<Connection> {
        let gone = Ended {
            signed_out: storage_get(Store::Local, SIGNED_OUT_KEY).and_then(|s| s.parse().ok()),
            disconnected: disconnected(),
        };
        let read = |store| {
            storage_get(store, KEY)
                .map(|s| restorable(parse_list(&s), store == Store::Local, now, &gone))
                .filter(|l| !l.is_empty())
        };
        read(Store::Session)
            .or_else(|| read(Store::Local))
            .unwrap_or_default()
    }

    /// What ended stored connections: the last sign-out, each Disconnect.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct Ended {
        pub signed_out: Option<i64>,
        pub disconnected: Vec<(String, i64)>,
    }

    /// Of `list` (read from localStorage when `remembered`), what may be
    /// signed in again at `now`: nothing connected before the last sign-out
    /// or before its own account's Disconnect; nothing past its stored
    /// time ([`Connection::stored_until`]); from localStorage, only what is
    /// remembered.
    pub fn restorable(
        list: Vec<Connection>,
        remembered: bool,
        now: i64,
        ended: &Ended,
    ) -> Vec<Connection> {
        list.into_iter()
            .filter(|c| ended.signed_out.is_none_or(|at| c.since > at))
            .filter(|c| {
                let key = c.account_key();
                !ended
                    .disconnected
                    .iter()
                    .any(|(k, at)| *k == key && c.since <= *at)
            })
            .filter(|c| !remembered || c.remember_until.is_some())
            .filter(|c| c.stored_until() > now)
            .collect()
    }

    /// Sign-out: every stored connection goes, and the moment is kept so a
    /// reopened tab's copy is not signed in again.
    pub fn forget_after_sign_out(now: i64) {
        forget();
        let _ = storage_try_set(Store::Local, SIGNED_OUT_KEY, &now.to_string());
    }

    /// A stored list (or one connection, as stored before several servers).
    pub fn parse_list(s: &str) -> Vec<Connection> {
        match json::parse(s) {
            Ok(Value::Array(items)) => items
                .iter()
                .filter_map(Connection::from_value)
                .take(20)
                .collect(),
            _ => Connection::from_json(s).into_iter().collect(),
        }
    }

    pub fn forget() {
        storage_remove(Store::Session, KEY);
        storage_remove(Store::Local, KEY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        Connection {
            kind: BackendKind::RocketChat,
            base_url: String::new(),
            settings: Settings(vec![("user_id".into(), "u1".into())]),
            credential: Credential::token("secret-token"),
            remember_until: None,
            since: 1_000,
            display_name: "Ada".into(),
            issued_by_panel: true,
        }
    }

    #[test]
    fn the_account_is_kind_server_user_and_name_never_the_token() {
        let a = conn();
        let renewed = Connection {
            credential: Credential::token("another-token"),
            remember_until: Some(9_000),
            issued_by_panel: false,
            ..conn()
        };
        assert!(a.same_account(&renewed));
        assert_eq!(a.account_key(), renewed.account_key());
        let others = [
            Connection {
                kind: BackendKind::DocSpace,
                ..conn()
            },
            Connection {
                base_url: "https://chat.example.com".into(),
                ..conn()
            },
            Connection {
                settings: Settings(vec![("user_id".into(), "u2".into())]),
                ..conn()
            },
            Connection {
                display_name: "Bob".into(),
                ..conn()
            },
        ];
        for other in &others {
            assert!(!a.same_account(other), "{other:?}");
        }
        let key = a.account_key();
        assert_eq!(key.len(), 64);
        assert!(
            key.bytes().all(|b| b.is_ascii_hexdigit()),
            "a digest, not the fields"
        );
    }

    #[test]
    fn every_stored_copy_ends_on_time_at_sign_out_and_at_its_disconnect() {
        use stored::{restorable, Ended};
        let at = |since, until| Connection {
            since,
            remember_until: until,
            ..conn()
        };
        let out = |t| Ended {
            signed_out: t,
            ..Ended::default()
        };
        let list = vec![at(1_000, Some(5_000)), at(3_000, None)];
        // From localStorage: only what is remembered, and only until its time.
        let r = |now, t| restorable(list.clone(), true, now, &out(t));
        assert_eq!(r(4_999, None), [at(1_000, Some(5_000))]);
        assert!(r(5_000, None).is_empty(), "expired at its time");
        // A tab's own copy (sessionStorage) ends too: TAB_COPY_MS after it
        // was made, the remembered one at its time.
        let tab = |now, t| restorable(list.clone(), false, now, &out(t));
        assert_eq!(tab(4_000, None).len(), 2);
        assert_eq!(tab(3_000 + TAB_COPY_MS - 1, None), [at(3_000, None)]);
        assert!(tab(3_000 + TAB_COPY_MS, None).is_empty());
        // Nothing connected before a later sign-out comes back.
        assert_eq!(tab(4_000, Some(2_000)), [at(3_000, None)]);
        assert!(tab(4_000, Some(3_000)).is_empty());
        assert!(r(4_000, Some(1_500)).is_empty());
        // One server's Disconnect: its marker keeps that account's earlier
        // copies out, in any tab; a later connection of it is new.
        let other = Connection {
            kind: BackendKind::DocSpace,
            since: 2_000,
            ..conn()
        };
        let list = vec![at(1_000, None), other.clone()];
        let marked = Ended {
            signed_out: None,
            disconnected: vec![(conn().account_key(), 1_500)],
        };
        assert_eq!(restorable(list.clone(), false, 4_000, &marked), [other]);
        let later = Ended {
            disconnected: vec![(conn().account_key(), 500)],
            ..marked
        };
        assert_eq!(restorable(list, false, 4_000, &later).len(), 2);
        // Markers round-trip and stay bounded (the newest kept).
        let many: Vec<(String, i64)> = (0..150).map(|i| (format!("k{i}"), i)).collect();
        let kept = stored::markers_from_json(&stored::markers_to_json(&many));
        assert_eq!(kept.len(), stored::MAX_MARKERS);
        assert_eq!(kept[0], ("k50".to_string(), 50));
        assert!(stored::markers_from_json("<html>").is_empty());
    }

    #[test]
    fn every_stored_field_is_cut_an_expired_copy_never_written_back_a_huge_token_never_stored() {
        let hostile = Connection {
            display_name: "<img src=x onerror=alert(1)>".repeat(10_000),
            settings: Settings(vec![("user_id".into(), "u".repeat(100_000))]),
            ..conn()
        };
        let stored = Connection::from_json(&hostile.to_json()).unwrap();
        assert_eq!(stored.display_name.chars().count(), MAX_STORED_CHARS + 1);
        assert!(stored.display_name.ends_with('…'));
        assert_eq!(
            stored.settings.get("user_id").chars().count(),
            MAX_STORED_URL_CHARS + 1
        );
        assert!(hostile.to_json().len() < 4 * 1024);
        let c = conn();
        assert!(c.storable(c.since + TAB_COPY_MS - 1));
        assert!(
            !c.storable(c.since + TAB_COPY_MS),
            "expired: not written back"
        );
        let huge = Connection {
            credential: Credential::token("t".repeat(MAX_STORED_TOKEN_BYTES + 1)),
            ..conn()
        };
        assert!(!huge.storable(huge.since));
    }

    #[test]
    fn settings_are_stored_with_the_connection_and_old_entries_read() {
        let c = conn();
        assert!(
            c.to_json().contains(r#""settings":{"user_id":"u1"}"#),
            "{}",
            c.to_json()
        );
        assert_eq!(
            Connection::from_json(&c.to_json()).unwrap().settings,
            c.settings
        );
        // Stored before settings: the user ID on its own.
        let old = Connection::from_json(
            r#"{"kind":"rocketchat","base_url":"","user_id":"u9","token":"t"}"#,
        )
        .unwrap();
        assert_eq!(old.settings.get("user_id"), "u9");
        assert_eq!(
            old.auth_headers()[0],
            ("X-User-Id".to_string(), "u9".to_string())
        );
    }

    #[test]
    fn debug_hides_the_token() {
        assert!(!format!("{:?}", conn()).contains("secret-token"));
    }

    #[test]
    fn json_round_trip_and_garbage() {
        let c = conn();
        assert_eq!(Connection::from_json(&c.to_json()), Some(c));
        assert_eq!(Connection::from_json("{\"kind\":\"rocketchat\"}"), None);
        assert_eq!(Connection::from_json("<html>"), None);
        let minimal = Connection::from_json(r#"{"kind":"docspace","base_url":"","token":"t"}"#)
            .expect("optional fields default");
        assert_eq!(
            (minimal.kind, minimal.remember_until),
            (BackendKind::DocSpace, None)
        );
        // Remembered before remembering expired: read as ended, never forever.
        let old = Connection::from_json(
            r#"{"kind":"docspace","base_url":"","token":"t","remember":true}"#,
        )
        .unwrap();
        assert_eq!(old.remember_until, Some(0));
        assert!(stored::restorable(vec![old], true, 5, &stored::Ended::default()).is_empty());
        assert_eq!(
            Connection::from_json(r#"{"kind":"docspace","base_url":"","token":""}"#),
            None
        );
        assert_eq!(
            Connection::from_json(r#"{"kind":"ldap","base_url":"","token":"t"}"#),
            None
        );
    }

    #[test]
    fn stored_list_round_trip_old_single_form_and_garbage() {
        let a = conn();
        let b = Connection {
            kind: BackendKind::DocSpace,
            base_url: "https://docs.example".into(),
            ..conn()
        };
        let text = format!("[{},{}]", a.to_json(), b.to_json());
        assert_eq!(stored::parse_list(&text), vec![a.clone(), b.clone()]);
        // The form kept before several servers: one object.
        assert_eq!(stored::parse_list(&a.to_json()), vec![a.clone()]);
        // A broken entry is skipped, not the list.
        let mixed = format!("[{},{{\"kind\":\"x\"}},7]", b.to_json());
        assert_eq!(stored::parse_list(&mixed), vec![b.clone()]);
        assert!(stored::parse_list("<html>").is_empty());
        assert!(a.same_account(&Connection {
            credential: Credential::token("other"),
            ..a.clone()
        }));
        assert!(!a.same_account(&b));
        assert_eq!(b.host(), "docs.example");
        assert_eq!(a.host(), "this origin");
    }

    #[test]
    fn auth_headers_by_kind() {
        let c = conn();
        assert_eq!(c.auth_headers()[0].0, "X-User-Id");
        let d = Connection {
            kind: BackendKind::DocSpace,
            ..conn()
        };
        assert_eq!(
            d.auth_headers(),
            [(
                "Authorization".to_string(),
                "Bearer secret-token".to_string()
            )]
        );
    }

    #[test]
    fn presets_are_read_leniently() {
        let p = parse_presets(
            r#"{"presets":[
            {"name":"Chat","backend":"rocketchat","serverUrl":"https://chat.example/"},
            {"name":"Bad URL","backend":"rocketchat","serverUrl":"javascript:alert(1)"},
            {"name":"Unknown","backend":"ldap"},
            {"backend":"docspace"},
            {"name":"Here","backend":"henshin"}
        ]}"#,
        );
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].servers[0].base_url, "https://chat.example");
        assert_eq!(p[1].servers[0].kind, BackendKind::Henshin);
        assert_eq!(p[1].servers[0].base_url, "");
        assert!(parse_presets("<html>").is_empty());
        // Settings a sign-in of that backend has are filled in; a secret never.
        let kc = parse_presets(
            r#"{"presets":[{"name":"IdP","backend":"keycloak","settings":{"realm":"demo","client_secret":"x","token":"t"}}]}"#,
        );
        assert_eq!(
            kc[0].servers[0].settings,
            Settings(vec![("realm".into(), "demo".into())])
        );
        // Several servers in one preset; a bad one is skipped, an empty
        // preset too.
        let p = parse_presets(
            r#"{"presets":[
            {"name":"Incident","servers":[
                {"backend":"rocketchat","serverUrl":""},
                {"backend":"ldap"},
                {"backend":"docspace","serverUrl":"http://docs.example"},
                {"backend":"docspace","serverUrl":"https://docs.example"}]},
            {"name":"Nothing usable","servers":[{"backend":"ldap"}]}
        ]}"#,
        );
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].servers,
            [
                Target {
                    kind: BackendKind::RocketChat,
                    base_url: String::new(),
                    settings: Settings::default(),
                },
                Target {
                    kind: BackendKind::DocSpace,
                    base_url: "https://docs.example".into(),
                    settings: Settings::default(),
                },
            ]
        );
    }

    #[test]
    fn an_address_without_a_scheme_gets_https() {
        assert_eq!(
            Connection::with_scheme(" chat.example.com "),
            ("https://chat.example.com".to_string(), true)
        );
        assert_eq!(
            Connection::with_scheme("127.0.0.1:18971"),
            ("https://127.0.0.1:18971".to_string(), true)
        );
        for kept in [
            "",
            "https://x.example",
            "http://localhost:3000",
            "javascript:alert(1)",
        ] {
            assert!(!Connection::with_scheme(kept).1, "{kept}");
        }
        assert!(Connection::normalise_base(&Connection::with_scheme("chat.example.com").0).is_ok());
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(Connection::normalise_base("  ").unwrap(), "");
        assert_eq!(
            Connection::normalise_base("https://chat.example/").unwrap(),
            "https://chat.example"
        );
        assert!(Connection::normalise_base("chat.example").is_err());
        assert!(Connection::normalise_base("https://x?a=1").is_err());
        // http:// only for this machine.
        for local in [
            "http://localhost:3000",
            "http://127.0.0.1:8080/",
            "http://[::1]:80",
            "HTTP://LOCALHOST",
        ] {
            assert!(Connection::normalise_base(local).is_ok(), "{local}");
        }
        for remote in [
            "http://chat.example",
            "http://10.0.0.5:3000",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example",
            "http://user@127.0.0.1",
            "ftp://chat.example",
            "javascript:alert(1)",
            "https://",
        ] {
            assert!(Connection::normalise_base(remote).is_err(), "{remote}");
        }
        assert!(Connection::normalise_base("http://chat.example")
            .unwrap_err()
            .contains("unencrypted"));
    }
}
