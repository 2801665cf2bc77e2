//! After the panel stopped on an internal error (`crash.js` writes the
//! marker), the next start reconnects nothing by itself, so one hostile
//! server cannot crash it in a loop: it lists what could be reconnected,
//! names what was loading, and waits for the admin.

use crate::browser::{storage_get, storage_remove, storage_set, Store};
use crate::connection::Connection;
use crate::json::{self, Value};
use crate::server::ServerId;
use leptos::prelude::*;

/// Written by `crash.js` (sessionStorage and localStorage) when the panel
/// stops on an internal error.
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

/// Whether the last run of the panel crashed (a marker in either store).
pub fn crashed() -> bool {
    [Store::Session, Store::Local]
        .into_iter()
        .any(|s| storage_get(s, CRASHED_KEY).is_some())
}

/// The labels of what was loading when it crashed.
pub fn loading_when_crashed() -> Vec<String> {
    storage_get(Store::Session, LOADING_KEY)
        .or_else(|| storage_get(Store::Local, LOADING_KEY))
        .map(|s| labels_from_json(&s))
        .unwrap_or_default()
}

/// Reads [`write_loading`]'s form; damage reads as none, each label cut.
pub fn labels_from_json(s: &str) -> Vec<String> {
    match json::parse(s) {
        Ok(Value::Array(a)) => a
            .iter()
            .filter_map(|l| l.as_str().map(|l| l.chars().take(200).collect()))
            .take(20)
            .collect(),
        _ => Vec::new(),
    }
}

/// The crash was answered: the next start reconnects as usual.
pub fn seen() {
    for store in [Store::Session, Store::Local] {
        storage_remove(store, CRASHED_KEY);
        storage_remove(store, LOADING_KEY);
    }
}

/// Keeps the labels of the servers loading now (none: the marker goes).
pub fn write_loading(labels: Vec<String>) {
    let text = (!labels.is_empty())
        .then(|| Value::Array(labels.into_iter().map(Value::from).collect()).to_string());
    for store in [Store::Session, Store::Local] {
        match &text {
            Some(t) => storage_set(store, LOADING_KEY, t),
            None => storage_remove(store, LOADING_KEY),
        }
    }
}

/// What a start after a crash offers, and what is loading now. `Copy`:
/// arena handles.
#[derive(Clone, Copy)]
pub struct Crash {
    after: RwSignal<Option<AfterCrash>>,
    /// The connections loading now (named by the marker).
    loading: StoredValue<Vec<ServerId>>,
}

impl Crash {
    pub fn new() -> Self {
        Crash {
            after: RwSignal::new(None),
            loading: StoredValue::new(Vec::new()),
        }
    }

    /// What could be reconnected (tracked; `None` once decided).
    pub fn offered(&self) -> ReadSignal<Option<AfterCrash>> {
        self.after.read_only()
    }

    /// At the start: `stored` to connect now — or, after a crash, nothing
    /// (they are offered instead).
    pub fn at_start(&self, stored: Vec<Connection>) -> Vec<Connection> {
        if !crashed() {
            return stored;
        }
        if stored.is_empty() {
            seen();
        } else {
            let loading = loading_when_crashed();
            self.after.set(Some(AfterCrash { stored, loading }));
        }
        Vec::new()
    }

    /// The admin chose to reconnect the one at `only` (or all): those, to
    /// connect. The others stay offered.
    pub fn take(&self, only: Option<usize>) -> Vec<Connection> {
        let Some(mut a) = self.after.get_untracked() else {
            return Vec::new();
        };
        let chosen = match only {
            Some(i) if i < a.stored.len() => vec![a.stored.remove(i)],
            Some(_) => Vec::new(),
            None => std::mem::take(&mut a.stored),
        };
        if a.stored.is_empty() {
            seen();
        }
        self.after.set((!a.stored.is_empty()).then_some(a));
        chosen
    }

    /// What stays offered (kept stored until the admin decides).
    pub fn left(&self) -> Vec<Connection> {
        self.after
            .with_untracked(|a| a.as_ref().map(|a| a.stored.clone()))
            .unwrap_or_default()
    }

    /// The admin forgets what was offered.
    pub fn forget(&self) {
        self.after.set(None);
        seen();
    }

    /// Connection `server` began (`on`) or ended loading; the marker names
    /// what loads now by `label`.
    pub fn loading(&self, server: ServerId, on: bool, label: impl Fn(ServerId) -> Option<String>) {
        self.loading.update_value(|l| {
            l.retain(|s| *s != server);
            if on {
                l.push(server);
            }
        });
        write_loading(
            self.loading
                .get_value()
                .into_iter()
                .filter_map(label)
                .collect(),
        );
    }

    /// Nothing loads (everything was signed out).
    pub fn none_loading(&self) {
        self.loading.set_value(Vec::new());
        write_loading(Vec::new());
    }
}

impl Default for Crash {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loading_labels_are_read_bounded_and_damage_is_none() {
        assert_eq!(
            labels_from_json(r#"["Rocket.Chat · a", 7, "DocSpace · b"]"#),
            ["Rocket.Chat · a", "DocSpace · b"]
        );
        let long = format!("[\"{}\"]", "x".repeat(500));
        assert_eq!(labels_from_json(&long)[0].len(), 200);
        assert!(labels_from_json("<html>").is_empty());
    }
}
