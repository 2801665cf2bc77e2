//! The common session model every backend parses into.
//!
//! Rows are plain data; the list (`list::SessionList`) keeps their lower-cased
//! search text in one index so filtering tens of thousands of rows is one scan.

use crate::json::Value;
use crate::time::Timestamp;

/// One active login session, whatever server it came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    /// The identifier the server uses to revoke this session.
    pub id: String,
    pub user_id: Option<String>,
    /// Display name of the owner ("Rocket Agent").
    pub user_name: Option<String>,
    /// Login name of the owner ("rocket.agent").
    pub username: Option<String>,
    /// Client / browser / app name ("Chrome").
    pub client: Option<String>,
    pub client_version: Option<String>,
    /// "browser", "mobile", "desktop"…
    pub device_type: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    pub ip: Option<String>,
    pub host: Option<String>,
    /// "Riga, Latvia" where the server reports a location.
    pub location: Option<String>,
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
    /// The owner is an operator (Henshin's IsOperator).
    pub operator: bool,
}

impl Session {
    /// Appends the lower-cased text the filter searches to `out`: every
    /// searchable field, separated by U+001F so a word never matches across
    /// two fields, on one line (no newline inside). No string per field: the
    /// list index is built from 100,000 of these.
    pub fn push_search_text(&self, out: &mut String) {
        fn push_lower(out: &mut String, s: &str) {
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
        let parts = [
            &self.user_name,
            &self.username,
            &self.client,
            &self.client_version,
            &self.os,
            &self.os_version,
            &self.ip,
            &self.host,
            &self.location,
            &self.device_type,
        ];
        for p in parts.into_iter().flatten() {
            push_lower(out, p);
            out.push('\u{1f}');
        }
        push_lower(out, &self.id);
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
        let mut d = self.user_label().to_string();
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

fn join_nonempty(a: &Option<String>, b: &Option<String>) -> String {
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

/// Flattens a JSON record into `a.b.c = value` pairs, in the server's order.
pub fn flatten_fields(value: &Value) -> Vec<Field> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<Field>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter() {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&name, v, out);
                }
            }
            Value::Array(items) => {
                let all_scalar = items.iter().all(|i| !i.is_object() && !i.is_array());
                if all_scalar {
                    let joined: Vec<String> = items.iter().map(scalar_text).collect();
                    out.push(Field {
                        name: prefix.to_string(),
                        value: joined.join(", "),
                    });
                } else {
                    for (i, item) in items.iter().enumerate() {
                        walk(&format!("{prefix}[{i}]"), item, out);
                    }
                }
            }
            other => out.push(Field {
                name: prefix.to_string(),
                value: scalar_text(other),
            }),
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".to_string(),
        other => other.to_string(),
    }
}

/// Which listed session is sessiondeck's own on one server: what every
/// sweep ("Select all matching", criteria, Everywhere) must know first, so
/// that it never ends the panel's own session unseen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum OwnSession {
    /// Not known yet: the list, or the call that tells, is still to come
    /// (or failed; the next load asks again).
    #[default]
    Unknown,
    /// Known: this session, or none (the panel's credential is no listed
    /// session, e.g. an API key).
    Known(Option<String>),
    /// The server does not say which it is.
    Unknowable,
}

impl OwnSession {
    /// Why a sweep over this server's sessions is refused, if it is.
    pub fn sweep_refusal(&self) -> Option<&'static str> {
        match self {
            OwnSession::Known(_) => None,
            OwnSession::Unknown => Some(
                "sessiondeck does not know yet which of this server's sessions is its own, so a sweep could end it unseen. Wait for the list to finish loading, or Refresh; select sessions one by one meanwhile.",
            ),
            OwnSession::Unknowable => Some(
                "this server does not say which session is sessiondeck's own (its token names none), so a sweep could end it unseen. Select sessions one by one instead.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search_text(s: &Session) -> String {
        let mut text = String::new();
        s.push_search_text(&mut text);
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
        s.user_name = Some(String::new());
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
