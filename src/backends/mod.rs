//! The session APIs sessiondeck speaks. Each backend module only builds
//! requests and parses answers (no browser calls), so all of it is tested
//! natively against the seed documents' samples.

pub mod rocketchat;

use crate::model::Session;
use serde_json::Value;

/// The kinds of server the Connect screen offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    RocketChat,
    DocSpace,
    Henshin,
    SelfService,
}

impl BackendKind {
    pub const ALL: [BackendKind; 4] = [
        BackendKind::RocketChat,
        BackendKind::DocSpace,
        BackendKind::Henshin,
        BackendKind::SelfService,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BackendKind::RocketChat => "Rocket.Chat",
            BackendKind::DocSpace => "DocSpace (ONLYOFFICE)",
            BackendKind::Henshin => "Henshin admin",
            BackendKind::SelfService => "Self-service /auth/sessions",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            BackendKind::RocketChat => "rocketchat",
            BackendKind::DocSpace => "docspace",
            BackendKind::Henshin => "henshin",
            BackendKind::SelfService => "selfservice",
        }
    }

    pub fn from_key(k: &str) -> Option<BackendKind> {
        BackendKind::ALL.into_iter().find(|b| b.key() == k)
    }

    /// Whether this build can talk to the backend yet.
    pub fn supported(self) -> bool {
        matches!(self, BackendKind::RocketChat)
    }
}

/// How a backend's answers map to errors (used by the transport).
/// Only Rocket.Chat is supported so far (see [`BackendKind::supported`]); the
/// other kinds get their own classifier with their adapters.
pub fn classifier(_kind: BackendKind) -> crate::http::transport::ClassifyFn {
    rocketchat::classify
}

/// Whose sessions a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every user's sessions (needs admin permissions).
    All,
    /// The signed-in account's own sessions.
    Own,
}

/// One page of a list answer, parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListPage {
    pub sessions: Vec<Session>,
    /// What the server says the whole list holds, when it says.
    pub total: Option<usize>,
    /// Items the server returned on this page (usable or not).
    pub returned: usize,
    /// Items without a usable session ID, left out.
    pub skipped: usize,
}

/// A string at `key` of a JSON object; numbers and booleans are shown as text,
/// anything else (objects, arrays, null) counts as missing.
pub fn json_str(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_their_keys() {
        for k in BackendKind::ALL {
            assert_eq!(BackendKind::from_key(k.key()), Some(k));
        }
        assert_eq!(BackendKind::from_key("x"), None);
    }

    #[test]
    fn json_str_tolerates_types() {
        let v = serde_json::json!({"a": "x", "n": 5, "b": true, "o": {}, "z": null});
        assert_eq!(json_str(&v, "a").as_deref(), Some("x"));
        assert_eq!(json_str(&v, "n").as_deref(), Some("5"));
        assert_eq!(json_str(&v, "b").as_deref(), Some("true"));
        assert_eq!(json_str(&v, "o"), None);
        assert_eq!(json_str(&v, "z"), None);
        assert_eq!(json_str(&serde_json::json!("str"), "a"), None);
    }
}
