//! The activity record as the app keeps it: in this browser's
//! localStorage (another tab may write it too), with the revocation runs
//! under way in this page — while any runs, leaving the page asks first,
//! and their intents are not "interrupted".

use super::notices::Notices;
use crate::audit::{self, AuditLog};
use crate::browser::{storage_get, storage_remove, storage_try_set, Store};
use crate::revoke::verify::Target;
use crate::server::Server;
use leptos::prelude::*;

/// The record and the runs. `Copy`: arena handles.
#[derive(Clone, Copy)]
pub struct Activity {
    log: RwSignal<AuditLog>,
    running: RwSignal<Vec<String>>,
    notices: Notices,
}

impl Activity {
    pub fn new(notices: Notices) -> Self {
        Activity {
            log: RwSignal::new(Self::stored()),
            running: RwSignal::new(Vec::new()),
            notices,
        }
    }

    /// The record (tracked).
    pub fn log(&self) -> ReadSignal<AuditLog> {
        self.log.read_only()
    }

    fn stored() -> AuditLog {
        storage_get(Store::Local, audit::KEY)
            .map(|s| AuditLog::from_json(&s))
            .unwrap_or_default()
    }

    /// Another tab recorded (or cleared) activity: read it again.
    pub fn reload(&self) {
        self.log.set(Self::stored());
    }

    /// Adds a run's attempts to the record and keeps it.
    pub fn record(&self, entries: Vec<audit::Entry>) {
        if !entries.is_empty() {
            self.change(|log| log.record(entries));
        }
    }

    /// A run ended: its outcome replaces its intent in the record.
    pub fn complete(&self, batch: &str, entries: Vec<audit::Entry>) {
        self.change(|log| log.complete(batch, entries));
    }

    /// An interrupted run was checked: what each session's fresh read found.
    pub fn settle(&self, batch: &str, found: &[(String, String)]) {
        self.change(|log| log.settle_interrupted(batch, found));
    }

    /// Changes the stored record (as another tab may have left it) and
    /// keeps it. When the browser's storage is full the oldest half goes,
    /// and the admin is told.
    fn change(&self, change: impl FnOnce(&mut AuditLog)) {
        let mut log = Self::stored();
        change(&mut log);
        match log.keep(|json| storage_try_set(Store::Local, audit::KEY, json)) {
            audit::Kept::All => {}
            audit::Kept::NewestHalf => self.notices.alert(
                "The activity record filled this browser's storage: its oldest half was dropped. Export it regularly to keep it all.",
            ),
            audit::Kept::Nothing => self.notices.alert(
                "The activity record could not be saved (this browser's storage is full or off). It is shown until this tab closes; export it now.",
            ),
        }
        self.log.set(log);
    }

    /// Forgets the record (the Activity view's "Clear activity").
    pub fn clear(&self) {
        storage_remove(Store::Local, audit::KEY);
        self.log.set(AuditLog::default());
    }

    /// Run `batch`'s server address and the sessions it had not finished.
    fn interrupted(&self, batch: &str) -> (String, Vec<Target>) {
        self.log.with_untracked(|a| {
            let mine: Vec<&audit::Entry> = a
                .entries
                .iter()
                .filter(|e| e.batch == batch && e.outcome == audit::Outcome::Pending)
                .collect();
            let address = mine.first().map(|e| e.address.clone()).unwrap_or_default();
            let targets = mine
                .iter()
                .map(|e| Target {
                    id: e.session.clone(),
                    user_id: Some(e.user_id.clone()).filter(|u| !u.is_empty()),
                    user_rows: 0,
                })
                .collect();
            (address, targets)
        })
    }

    /// Checks interrupted run `batch` against its server among `servers`
    /// (the same address): each of its sessions is read again, and the
    /// record says what happened. Says why when it cannot be checked.
    pub fn check_interrupted(&self, batch: &str, servers: &[Server]) {
        let (address, targets) = self.interrupted(batch);
        let server = servers
            .iter()
            .find(|s| !address.is_empty() && s.address() == address);
        let Some(server) = server else {
            return self.notices.alert("Not checked: connect to that server (the same address) first, then press Check again.");
        };
        let (me, batch) = (*self, batch.to_string());
        server.check_sessions(
            targets,
            Box::new(move |found: Vec<(String, String)>| {
                me.settle(&batch, &found);
                let gone = found
                    .iter()
                    .filter(|(_, v)| v.starts_with("confirmed gone"))
                    .count();
                let listed = found.iter().filter(|(_, v)| v == "still listed").count();
                me.notices.status(format!(
                    "Checked the interrupted run: {gone} confirmed gone, {listed} still listed."
                ));
            }),
        );
    }

    /// The revocation runs under way in this page (tracked).
    pub fn running(&self) -> Vec<String> {
        self.running.get()
    }

    /// Whether a revocation runs in this page now (leaving asks first).
    pub fn revoking(&self) -> bool {
        self.running.with_untracked(|r| !r.is_empty())
    }

    /// Run `batch` started (`true`) or ended.
    pub fn set_running(&self, batch: &str, on: bool) {
        self.running.update(|r| {
            r.retain(|b| b != batch);
            if on {
                r.push(batch.to_string());
            }
        });
    }
}
