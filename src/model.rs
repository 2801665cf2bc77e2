//! The common session model every backend parses into.
//!
//! Rows are plain data; the list (`list::SessionList`) keeps their lower-cased
//! search text in one index so filtering tens of thousands of rows is one scan.

use crate::json::Value;
use crate::time::Timestamp;

/// A text a row holds: shared, not copied — the list keeps one copy of each
/// repeated text (a client, a system, a person's name is the same in
/// thousands of rows), every row that has it points at that copy. One
/// pointer wide (its length is kept with the text), and so is an `Option`
/// of it: 4 bytes a field on wasm32, not the 8 of an `Arc<str>`.
pub type Text = arcstr::ArcStr;

/// One active login session, whatever server it came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    /// The identifier the server uses to revoke this session.
    pub id: String,
    pub user_id: Option<Text>,
    /// Display name of the owner ("Rocket Agent").
    pub user_name: Option<Text>,
    /// Login name of the owner ("rocket.agent").
    pub username: Option<Text>,
    /// Client / browser / app name ("Chrome").
    pub client: Option<Text>,
    pub client_version: Option<Text>,
    /// "browser", "mobile", "desktop"…
    pub device_type: Option<Text>,
    pub os: Option<Text>,
    pub os_version: Option<Text>,
    pub ip: Option<Text>,
    pub host: Option<Text>,
    /// "Riga, Latvia" where the server reports a location.
    pub location: Option<Text>,
    pub login_at: Option<Timestamp>,
    /// Last activity (self-service lastAccessed, Henshin LastUpdated).
    pub last_active: Option<Timestamp>,
    /// When the session expires (Henshin ExpirationDate).
    pub expires_at: Option<Timestamp>,
    /// Every field of the server's record, for the details view, where the
    /// backend has no per-session details endpoint.
    pub extra: Vec<Field>,
    /// The session the panel itself is using (only some backends know).
    pub current: bool,
    /// A session of the account the panel is signed in with (where the
    /// server says which user that is).
    pub own_account: bool,
    /// The owner is an operator (Henshin's IsOperator).
    pub operator: bool,
}

/// Appends `s` to `out` as the filter searches it: lower-cased, on one line
/// (a line break reads as a space).
pub fn push_search_lower(out: &mut String, s: &str) {
    let one_line = |c: char| if c == '\n' || c == '\r' { ' ' } else { c };
    if s.is_ascii() {
        out.extend(
            s.bytes()
                .map(|b| one_line(char::from(b.to_ascii_lowercase()))),
        );
    } else {
        for c in s.chars() {
            crate::lowercase::push_lower(out, one_line(c));
        }
    }
}

/// The longest text a listed session keeps of one field (a hostile server
/// can send megabytes of device name); cut with "…".
pub const MAX_TEXT_CHARS: usize = 500;
/// The longest session ID the panel takes: an ID is never cut (a cut one
/// would name another session), so a longer one makes the row unusable.
pub const MAX_ID_BYTES: usize = 1024;

impl Session {
    /// The session with every text field within [`MAX_TEXT_CHARS`];
    /// `None` when its ID is longer than [`MAX_ID_BYTES`] (the row is then
    /// counted as malformed, never shortened).
    pub fn bounded(mut self) -> Option<Session> {
        if self.id.len() > MAX_ID_BYTES {
            return None;
        }
        for f in [
            &mut self.user_id,
            &mut self.user_name,
            &mut self.username,
            &mut self.client,
            &mut self.client_version,
            &mut self.device_type,
            &mut self.os,
            &mut self.os_version,
            &mut self.ip,
            &mut self.host,
            &mut self.location,
        ] {
            if let Some(t) = f.take() {
                *f = Some(clip_text(t, MAX_TEXT_CHARS));
            }
        }
        Some(self)
    }

    /// The searched texts a row shares with the other sessions of its owner:
    /// display name and login name.
    pub fn person_texts(&self) -> [&Option<Text>; 2] {
        [&self.user_name, &self.username]
    }

    /// The searched texts a row shares with other sessions from the same
    /// kind of device: client and version, system and version, host,
    /// location, device type.
    pub fn device_texts(&self) -> [&Option<Text>; 7] {
        [
            &self.client,
            &self.client_version,
            &self.os,
            &self.os_version,
            &self.host,
            &self.location,
            &self.device_type,
        ]
    }

    /// Appends the lower-cased searched texts nearly every row has its own
    /// of: the IP address, U+001F (a word never matches across two fields),
    /// then the session ID — on one line, no newline inside. No string per
    /// field: the list index is built from a million of these.
    pub fn push_own_search_text(&self, out: &mut String) {
        if let Some(ip) = &self.ip {
            push_search_lower(out, ip);
            out.push('\u{1f}');
        }
        push_search_lower(out, &self.id);
    }

    /// Best human label for the owner: display name, else username, else user ID.
    pub fn user_label(&self) -> &str {
        self.user_name
            .as_deref()
            .filter(|s| !s.is_empty())
            .or(self.username.as_deref().filter(|s| !s.is_empty()))
            .or(self.user_id.as_deref())
            .unwrap_or("unknown user")
    }

    /// The owner as an account — the name and what tells it apart: "Dana
    /// Ross (dana.ross)", "Dana Ross (ID 5f0c…)", "dana.ross", "unknown user".
    pub fn account_label(&self) -> String {
        let label = self.user_label();
        let other = |v: &Option<Text>| {
            v.as_deref()
                .filter(|v| !v.trim().is_empty() && *v != label)
                .map(str::to_string)
        };
        match (other(&self.username), other(&self.user_id)) {
            (Some(login), _) => format!("{label} ({login})"),
            (None, Some(id)) => format!("{label} (ID {id})"),
            _ => label.to_string(),
        }
    }

    /// Key grouping sessions by owner.
    pub fn user_key(&self) -> &str {
        self.user_id
            .as_deref()
            .or(self.username.as_deref())
            .unwrap_or("")
    }

    /// Every field to show in the details view when no endpoint gives more:
    /// the server's own record.
    pub fn detail_fields(&self) -> Vec<Field> {
        self.extra.clone()
    }

    /// "alice — Chrome 113 on Windows 10, 10.0.0.1": how a session is named
    /// in confirmations and reports.
    pub fn describe(&self) -> String {
        let mut d = self.account_label();
        let client = self.client_label();
        let os = self.os_label();
        if !client.is_empty() {
            d.push_str(&format!(" — {client}"));
        }
        if !os.is_empty() {
            d.push_str(&format!(" on {os}"));
        }
        if let Some(ip) = &self.ip {
            d.push_str(&format!(", {ip}"));
        }
        d
    }

    /// "Chrome 113.0.0".
    pub fn client_label(&self) -> String {
        join_nonempty(&self.client, &self.client_version)
    }

    /// "Windows 10".
    pub fn os_label(&self) -> String {
        join_nonempty(&self.os, &self.os_version)
    }
}

fn join_nonempty(a: &Option<Text>, b: &Option<Text>) -> String {
    match (a.as_deref(), b.as_deref()) {
        (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => format!("{a} {b}"),
        (Some(a), _) if !a.is_empty() => a.to_string(),
        (_, Some(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// One field of a session's full record, as shown in the details panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
}

impl Field {
    /// The name as a reader says it: `_user.username` → "User › Username",
    /// `device.os.name` → "Device › OS › Name", `tenantId` → "Tenant ID",
    /// `list[0].x` → "List › 1 › X". The raw name is shown beside it.
    pub fn label(&self) -> String {
        let parts = self
            .name
            .split(['.', '['])
            .map(|p| p.trim_end_matches(']'))
            .filter(|p| !p.is_empty())
            .map(|p| match p.parse::<usize>() {
                Ok(i) => (i + 1).to_string(),
                Err(_) => words(p.trim_start_matches(['_', '$'])),
            })
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>();
        if parts.is_empty() {
            self.name.clone()
        } else {
            parts.join(" \u{203a} ")
        }
    }
}

/// `loginAt` → "Login at", `user_agent` → "User agent", `ipAddress` → "IP
/// address": words split at case changes and underscores, the first
/// capitalised, the usual abbreviations in capitals. Case is read in ASCII
/// only (the APIs' keys are): a key in another script is shown as written,
/// and the wasm carries no Unicode upper-case tables for it (13 KB).
fn words(s: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c == '_' || c == '-' || c == ' ' {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c);
    }
    if !word.is_empty() {
        out.push(word);
    }
    out.iter()
        .enumerate()
        .map(|(i, w)| {
            let lower = crate::lowercase::lower(w);
            match lower.as_str() {
                "id" | "ip" | "os" | "utc" | "url" | "guid" | "uid" | "jwt" | "sid" => {
                    lower.to_ascii_uppercase()
                }
                _ if i == 0 => {
                    let mut w = lower;
                    if let Some(f) = w.get_mut(..1) {
                        f.make_ascii_uppercase();
                    }
                    w
                }
                _ => lower,
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The most fields one record's details show; the rest are summed up in
/// one last field, never dropped silently.
pub const MAX_DETAIL_FIELDS: usize = 200;
/// The most bytes (names and values) one record's details keep: at most
/// this, and at most [`DETAIL_BYTES_PER_RAW_BYTE`] times the record's own
/// size — so no record, however nested, costs more than a few times what
/// it took to send.
pub const MAX_DETAIL_BYTES: usize = 16 * 1024;
/// See [`MAX_DETAIL_BYTES`].
pub const DETAIL_BYTES_PER_RAW_BYTE: usize = 4;
/// A field's name is cut here (a nested record repeats its path in every
/// name: unbounded, 43 KB of JSON became 60 MB of names).
pub const MAX_NAME_CHARS: usize = 120;
/// A field's value is cut here.
pub const MAX_VALUE_CHARS: usize = 1000;

/// Flattens a JSON record into `a.b.c = value` pairs, in the server's order
/// — bounded: at most [`MAX_DETAIL_FIELDS`] fields and [`MAX_DETAIL_BYTES`]
/// (or 4× the record's size), names and values cut with "…"; what does not
/// fit is said in a last field ("… 1,234 more fields not shown"). Work and
/// memory stay linear in the record, whatever its shape.
pub fn flatten_fields(value: &Value) -> Vec<Field> {
    struct Walk {
        out: Vec<Field>,
        bytes: usize,
        budget: usize,
        /// Leaves left out once the bounds were reached.
        more: usize,
    }
    impl Walk {
        fn push(&mut self, name: &str, value: String) {
            let size = name.len() + value.len();
            if self.more > 0
                || self.out.len() >= MAX_DETAIL_FIELDS
                || self.bytes + size > self.budget
            {
                self.more += 1;
                return;
            }
            self.bytes += size;
            self.out.push(Field {
                name: name.to_string(),
                value,
            });
        }
    }
    /// `prefix` + `part`, cut at [`MAX_NAME_CHARS`] (a cut name stays cut).
    fn join(prefix: &str, part: &str, sep: &str) -> String {
        if prefix.ends_with('…') {
            return prefix.to_string();
        }
        let mut name =
            String::with_capacity(prefix.len() + sep.len() + part.len().min(MAX_NAME_CHARS));
        name.push_str(prefix);
        if !prefix.is_empty() {
            name.push_str(sep);
        }
        for (n, c) in (name.chars().count()..).zip(part.chars()) {
            if n >= MAX_NAME_CHARS {
                name.push('…');
                break;
            }
            name.push(c);
        }
        name
    }
    fn walk(prefix: &str, v: &Value, w: &mut Walk) {
        // Past the bounds only the count goes on (no names are built).
        if w.more > 0 {
            w.more += leaves(v);
            return;
        }
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter() {
                    walk(&join(prefix, k, "."), v, w);
                }
            }
            Value::Array(items) => {
                if items.iter().all(|i| !i.is_object() && !i.is_array()) {
                    let mut joined = String::new();
                    for (n, item) in items.iter().enumerate() {
                        if joined.chars().count() > MAX_VALUE_CHARS {
                            break;
                        }
                        if n > 0 {
                            joined.push_str(", ");
                        }
                        joined.push_str(&scalar_text(item));
                    }
                    w.push(prefix, clip_chars(joined, MAX_VALUE_CHARS));
                } else {
                    for (i, item) in items.iter().enumerate() {
                        walk(&join(prefix, &format!("[{i}]"), ""), item, w);
                    }
                }
            }
            other => w.push(prefix, clip_chars(scalar_text(other), MAX_VALUE_CHARS)),
        }
    }
    /// How many fields `v` would give.
    fn leaves(v: &Value) -> usize {
        match v {
            Value::Object(map) => map.values().map(leaves).sum(),
            Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
                items.iter().map(leaves).sum()
            }
            _ => 1,
        }
    }
    let budget = MAX_DETAIL_BYTES.min(
        raw_size(value)
            .saturating_mul(DETAIL_BYTES_PER_RAW_BYTE)
            .max(1024),
    );
    let mut w = Walk {
        out: Vec::new(),
        bytes: 0,
        budget,
        more: 0,
    };
    walk("", value, &mut w);
    if w.more > 0 {
        w.out.push(Field {
            name: "…".into(),
            value: format!(
                "{} more field{} not shown: this record is larger than sessiondeck shows ({MAX_DETAIL_FIELDS} fields or {} KB at most)",
                w.more,
                if w.more == 1 { "" } else { "s" },
                MAX_DETAIL_BYTES / 1024
            ),
        });
    }
    w.out
}

/// About how many bytes `v` took as JSON (keys, strings, numbers).
fn raw_size(v: &Value) -> usize {
    match v {
        Value::Object(map) => {
            map.iter()
                .map(|(k, v)| k.len() + 4 + raw_size(v))
                .sum::<usize>()
                + 2
        }
        Value::Array(items) => items.iter().map(|i| raw_size(i) + 1).sum::<usize>() + 2,
        Value::String(s) => s.len() + 2,
        Value::Null => 4,
        Value::Bool(_) => 5,
        other => other.to_string().len(),
    }
}

/// `s` cut to `max` characters, "…" at the cut.
/// `t`, or its first `max` characters and "…" (a new copy only then).
fn clip_text(t: Text, max: usize) -> Text {
    match clipped(&t, max) {
        Some(c) => c.into(),
        None => t,
    }
}

fn clip_chars(s: String, max: usize) -> String {
    clipped(&s, max).unwrap_or(s)
}

/// The first `max` characters of `s` and "…", when it has more.
fn clipped(s: &str, max: usize) -> Option<String> {
    let (at, _) = s.char_indices().nth(max)?;
    Some(format!("{}…", &s[..at]))
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Null => "—".to_string(),
        other => other.to_string(),
    }
}

/// Which listed session is sessiondeck's own on one server: what every
/// sweep ("Select all matching", criteria, Everywhere) must know first, so
/// that it never ends the panel's own session unseen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum OwnSession {
    /// Not known yet: the list, or the call that tells, is still to come.
    #[default]
    Unknown,
    /// The call that tells failed, with this error (the next load asks
    /// again).
    Failed(String),
    /// Known: this session, or none (the panel's credential is no listed
    /// session, e.g. an API key).
    Known(Option<String>),
    /// The server does not say which it is.
    Unknowable,
    /// The token (or the call that tells) names a session the list does not
    /// show: which listed session is the panel's own cannot be told.
    Unmatched(String),
}

impl OwnSession {
    /// What a finished load knows: `own` (what the backend says is the
    /// panel's session) stands only if `listed` shows it; a session it names
    /// that the list does not show is [`OwnSession::Unmatched`].
    pub fn checked(self, listed: impl Fn(&str) -> bool) -> OwnSession {
        match self {
            OwnSession::Known(Some(id)) if !listed(&id) => OwnSession::Unmatched(id),
            other => other,
        }
    }

    /// Why a sweep over this server's sessions is refused, if it is.
    pub fn sweep_refusal(&self) -> Option<&'static str> {
        match self {
            OwnSession::Known(_) => None,
            OwnSession::Unknown => Some(
                "sessiondeck does not know yet which of this server's sessions is its own (the list, or the call that tells, is still on its way), so a sweep could end it unseen. Wait for it; select sessions one by one meanwhile.",
            ),
            OwnSession::Failed(_) => Some(
                "the call that tells which of this server's sessions is sessiondeck's own failed, so a sweep could end it unseen. Refresh to ask again; select sessions one by one meanwhile.",
            ),
            OwnSession::Unknowable => Some(
                "this server does not say which session is sessiondeck's own (its token names none), so a sweep could end it unseen. Select sessions one by one instead.",
            ),
            OwnSession::Unmatched(_) => Some(
                "the session sessiondeck's token names is not in this server's list, so which listed session is its own cannot be told and a sweep could end it unseen. Refresh; select sessions one by one meanwhile.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_field_is_one_pointer_wide_even_when_absent() {
        assert_eq!(
            std::mem::size_of::<Option<Text>>(),
            std::mem::size_of::<usize>()
        );
    }

    /// Every text the filter searches in `s`, as the list's index holds
    /// them: the shared ones, then the row's own.
    fn search_text(s: &Session) -> String {
        let mut text = String::new();
        let shared = s.person_texts().into_iter().chain(s.device_texts());
        for t in shared.flatten() {
            push_search_lower(&mut text, t);
            text.push('\u{1f}');
        }
        s.push_own_search_text(&mut text);
        text
    }

    #[test]
    fn user_label_falls_back_name_username_id() {
        let mut s = Session {
            user_id: Some("uid".into()),
            ..Default::default()
        };
        assert_eq!(s.user_label(), "uid");
        s.username = Some("bob".into());
        assert_eq!(s.user_label(), "bob");
        s.user_name = Some(String::new().into());
        assert_eq!(s.user_label(), "bob");
        s.user_name = Some("Bob B".into());
        assert_eq!(s.user_label(), "Bob B");
    }

    #[test]
    fn search_text_is_lowercase_one_line_and_holds_every_searchable_field() {
        let s = Session {
            id: "AbC".into(),
            user_name: Some("Rocket Agent".into()),
            client: Some("Chrome".into()),
            ip: Some("10.0.0.1".into()),
            host: Some("Chat.Example".into()),
            location: Some("Line\nbreak".into()),
            ..Default::default()
        };
        let t = search_text(&s);
        for needle in [
            "rocket agent",
            "chrome",
            "10.0.0.1",
            "chat.example",
            "abc",
            "line break",
        ] {
            assert!(t.contains(needle), "{needle} missing");
        }
        assert!(!t.contains("Chrome"));
        assert!(!t.contains('\n'));
        let accented = Session {
            id: "X".into(),
            user_name: Some("ÉLODIE\r\nMÜLLER".into()),
            ..Default::default()
        };
        assert_eq!(search_text(&accented), "élodie  müller\u{1f}x");
    }

    #[test]
    fn field_names_read_as_words_beside_the_raw_key() {
        let l = |n: &str| {
            Field {
                name: n.into(),
                value: String::new(),
            }
            .label()
        };
        assert_eq!(l("_user.username"), "User \u{203a} Username");
        assert_eq!(l("device.os.name"), "Device \u{203a} OS \u{203a} Name");
        assert_eq!(l("tenantId"), "Tenant ID");
        assert_eq!(l("ipAddress"), "IP address");
        assert_eq!(l("loginAt"), "Login at");
        assert_eq!(l("user_agent"), "User agent");
        assert_eq!(l("list[0].x"), "List \u{203a} 1 \u{203a} X");
        assert_eq!(l("UserGuid"), "User GUID");
        assert_eq!(l("…"), "…");
        // Another script: as written, lower-cased as the filter does.
        assert_eq!(l("ÉtatConnexion"), "état connexion");
        assert_eq!(l("время_входа"), "время входа");
    }

    #[test]
    fn flatten_nested_record() {
        let v = crate::json::parse(
            r#"{"a": 1, "device": {"os": {"name": "Windows"}}, "roles": ["user", "admin"],
                "list": [{"x": true}], "n": null}"#,
        )
        .unwrap();
        let f = flatten_fields(&v);
        let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "device.os.name", "roles", "list[0].x", "n"]);
        assert_eq!(f[2].value, "user, admin");
        assert_eq!(f[4].value, "—");
    }

    /// A record built to explode — long keys nested as deep as JSON may go,
    /// with many leaves at the bottom — flattens within the bounds, and
    /// says how much it left out.
    #[test]
    fn a_record_built_to_explode_stays_within_the_bounds() {
        let key = "k".repeat(300);
        let leaves: Vec<String> = (0..5000)
            .map(|i| format!(r#""l{i}":"{}""#, "v".repeat(50)))
            .collect();
        let mut text = format!("{{{}}}", leaves.join(","));
        for _ in 0..120 {
            text = format!(r#"{{"{key}":{text}}}"#);
        }
        let v = crate::json::parse(&text).expect("within JSON's depth limit");
        let f = flatten_fields(&v);
        let bytes: usize = f.iter().map(|f| f.name.len() + f.value.len()).sum();
        assert!(f.len() <= MAX_DETAIL_FIELDS + 1, "{} fields", f.len());
        assert!(bytes <= MAX_DETAIL_BYTES + 200, "{bytes} bytes");
        assert!(f
            .iter()
            .all(|f| f.name.chars().count() <= MAX_NAME_CHARS + 1));
        let last = f.last().unwrap();
        assert_eq!(last.name, "…");
        let shown = f.len() - 1;
        assert!(
            last.value
                .starts_with(&format!("{} more fields not shown", 5000 - shown)),
            "{}",
            last.value
        );
        // Tiny keys nested deep: names are longer than the record; the
        // record's own size bounds them too.
        let mut tiny = String::from(r#"{"a":1,"b":2}"#);
        for _ in 0..100 {
            tiny = format!(r#"{{"x":{tiny},"y":[{{"z":1}}]}}"#);
        }
        let v = crate::json::parse(&tiny).unwrap();
        let f = flatten_fields(&v);
        let bytes: usize = f.iter().map(|f| f.name.len() + f.value.len()).sum();
        assert!(
            bytes <= DETAIL_BYTES_PER_RAW_BYTE * tiny.len() * 5 / 4,
            "{bytes} for {}",
            tiny.len()
        );
        // A huge value is cut, a huge list of scalars too.
        let text = format!(
            r#"{{"a":"{}","b":[{}]}}"#,
            "x".repeat(100_000),
            vec!["1"; 20_000].join(",")
        );
        let v = crate::json::parse(&text).unwrap();
        let f = flatten_fields(&v);
        assert_eq!(f[0].value.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(f[0].value.ends_with('…'));
        assert!(f[1].value.chars().count() <= MAX_VALUE_CHARS + 1);
    }

    #[test]
    fn listed_fields_are_cut_and_an_overlong_id_is_refused_never_cut() {
        let s = Session {
            id: "s1".into(),
            user_name: Some("A".repeat(1_000_000).into()),
            ..Default::default()
        }
        .bounded()
        .unwrap();
        assert_eq!(s.user_name.unwrap().chars().count(), MAX_TEXT_CHARS + 1);
        let long = Session {
            id: "x".repeat(MAX_ID_BYTES + 1),
            ..Default::default()
        };
        assert_eq!(long.bounded(), None);
    }

    #[test]
    fn describe_names_user_client_os_and_ip() {
        let s = Session {
            username: Some("alice".into()),
            client: Some("Chrome".into()),
            client_version: Some("113".into()),
            os: Some("Windows".into()),
            ip: Some("10.0.0.1".into()),
            ..Default::default()
        };
        assert_eq!(s.describe(), "alice — Chrome 113 on Windows, 10.0.0.1");
        assert_eq!(Session::default().describe(), "unknown user");
        // The account, not just a name: "Test" and "test" are told apart.
        let named = |name: &str, login: Option<&str>, id: &str| Session {
            user_name: Some(name.into()),
            username: login.map(Into::into),
            user_id: Some(id.into()),
            ..Default::default()
        };
        assert_eq!(
            named("Test", Some("testroxie"), "u1").account_label(),
            "Test (testroxie)"
        );
        assert_eq!(named("test", None, "u2").account_label(), "test (ID u2)");
        assert_eq!(named("Dana", Some("Dana"), "Dana").account_label(), "Dana");
    }

    #[test]
    fn labels_join_only_present_parts() {
        let s = Session {
            client: Some("Chrome".into()),
            os_version: Some("10".into()),
            ..Default::default()
        };
        assert_eq!(s.client_label(), "Chrome");
        assert_eq!(s.os_label(), "10");
    }
}
