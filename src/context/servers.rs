//! The signed-in connections as the app holds them: in tab order, each
//! with its line and its [`Server`].

use crate::connection::Connection;
use crate::server::connect::Line;
use crate::server::{Server, ServerId};
use leptos::prelude::*;
use std::rc::Rc;

/// One signed-in connection: its line, and the [`Server`] holding what it
/// loaded and revokes. Work captures the `Connected` it started with, so
/// it goes to that server with those credentials — or, once that
/// connection is disconnected, nowhere.
#[derive(Clone)]
pub struct Connected {
    pub id: ServerId,
    pub conn: Rc<Connection>,
    pub server: Server,
    pub(super) line: Line,
}

/// A connection as the header and the server tabs show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerInfo {
    pub id: ServerId,
    pub conn: Connection,
}

impl ServerInfo {
    /// How the tabs, messages, reports and the activity record name each
    /// of `all`: its label, and who is signed in where two connections
    /// share a label (two accounts on one server).
    pub fn labels(all: &[ServerInfo]) -> Vec<String> {
        let labels: Vec<String> = all.iter().map(|s| s.conn.label()).collect();
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

/// The registry. `Copy`: arena handles.
#[derive(Clone, Copy)]
pub struct Servers {
    /// What the header and tabs show, in the order added (tracked).
    shown: RwSignal<Vec<ServerInfo>>,
    connected: StoredValue<Vec<Connected>, LocalStorage>,
    next_id: StoredValue<ServerId>,
}

impl Servers {
    pub fn new() -> Self {
        Servers {
            shown: RwSignal::new(Vec::new()),
            connected: StoredValue::new_local(Vec::new()),
            next_id: StoredValue::new(1),
        }
    }

    /// The connections as shown (tracked).
    pub fn list(&self) -> ReadSignal<Vec<ServerInfo>> {
        self.shown.read_only()
    }

    /// A number no connection of this page had.
    pub fn fresh_id(&self) -> ServerId {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    pub fn all(&self) -> Vec<Connected> {
        self.connected.get_value()
    }

    pub fn get(&self, id: ServerId) -> Option<Connected> {
        self.connected
            .with_value(|a| a.iter().find(|a| a.id == id).cloned())
    }

    /// The connection `holds` says yes to.
    pub fn find(&self, holds: impl Fn(&Connection) -> bool) -> Option<ServerId> {
        self.connected
            .with_value(|a| a.iter().find(|a| holds(&a.conn)).map(|a| a.id))
    }

    /// Every connected server, in tab order (tracked).
    pub fn each(&self) -> Vec<Server> {
        let ids: Vec<ServerId> = self.shown.with(|s| s.iter().map(|s| s.id).collect());
        ids.into_iter()
            .filter_map(|id| self.get(id).map(|c| c.server))
            .collect()
    }

    /// How connection `id` is named now ([`ServerInfo::labels`]); `None`
    /// once it is gone. Not tracked.
    pub fn label(&self, id: ServerId) -> Option<String> {
        self.shown.with_untracked(|all| {
            let at = all.iter().position(|s| s.id == id)?;
            ServerInfo::labels(all).into_iter().nth(at)
        })
    }

    /// Connection `id`'s place in tab order.
    pub fn position(&self, id: ServerId) -> Option<usize> {
        self.shown
            .with_untracked(|s| s.iter().position(|s| s.id == id))
    }

    /// Every connection's ID, in tab order (not tracked).
    pub fn ids(&self) -> Vec<ServerId> {
        self.shown
            .with_untracked(|s| s.iter().map(|s| s.id).collect())
    }

    /// Every connection as it is to be stored.
    pub fn stored(&self) -> Vec<Connection> {
        self.shown
            .with_untracked(|s| s.iter().map(|s| s.conn.clone()).collect())
    }

    pub fn add(&self, c: Connected) {
        let info = ServerInfo {
            id: c.id,
            conn: (*c.conn).clone(),
        };
        self.connected.update_value(|a| a.push(c));
        self.shown.update(|s| s.push(info));
    }

    /// Connection `id` goes (returned, to be closed).
    pub fn remove(&self, id: ServerId) -> Option<Connected> {
        let c = self.get(id)?;
        self.connected.update_value(|a| a.retain(|a| a.id != id));
        self.shown.update(|s| s.retain(|s| s.id != id));
        Some(c)
    }

    /// Connection `id` is now `conn` (a renewed credential).
    pub fn replace(&self, id: ServerId, conn: Connection) {
        self.connected.update_value(|all| {
            if let Some(c) = all.iter_mut().find(|c| c.id == id) {
                c.conn = Rc::new(conn.clone());
            }
        });
        self.shown.update(|all| {
            if let Some(s) = all.iter_mut().find(|s| s.id == id) {
                s.conn = conn;
            }
        });
    }

    /// Nothing is shown (everything was closed).
    pub fn clear(&self) {
        self.shown.set(Vec::new());
    }
}

impl Default for Servers {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::{BackendKind, Credential};

    fn server(id: ServerId, kind: BackendKind, name: &str) -> ServerInfo {
        ServerInfo {
            id,
            conn: Connection {
                kind,
                base_url: "https://chat.example.com".into(),
                settings: crate::backends::Settings(vec![("user_id".into(), name.into())]),
                credential: Credential::token("t"),
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
