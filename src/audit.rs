//! The record of what was revoked: every attempt — who was signed in, on
//! which server, which session of whom, from which client and IP, what the
//! server answered, when. Kept in this browser's localStorage (bounded,
//! never a secret: no token, no code, no password), shown on the Activity
//! view and exported as CSV or JSON. Plain Rust; the screens record into
//! it, the browser keeps it.

use crate::csv::{cell, push_row};
use crate::json::{self, Value};
use crate::model::Session;
use crate::revoke::RevokeReport;

/// Where the record lives in localStorage.
pub const KEY: &str = "sessiondeck.activity";

/// The newest entries kept; older ones drop off the end.
pub const MAX_ENTRIES: usize = 5000;

/// How one attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Revoked,
    /// The server no longer knew the session.
    AlreadyGone,
    /// Sent, and the server (or the network) said no: why.
    Failed(String),
    /// Never sent (Stop, an earlier error): why.
    NotSent(String),
    /// Written before its request leaves (the intent); completed with its
    /// outcome when the batch ends. Still pending after a reload or a
    /// crash: interrupted, outcome unknown.
    Pending,
    /// Its batch was interrupted (a reload, a crash) and what happened was
    /// checked against the server afterwards (see `verified`).
    Interrupted,
}

impl Outcome {
    pub fn key(&self) -> &'static str {
        match self {
            Outcome::Revoked => "revoked",
            Outcome::AlreadyGone => "already gone",
            Outcome::Failed(_) => "failed",
            Outcome::NotSent(_) => "not sent",
            Outcome::Pending => "pending",
            Outcome::Interrupted => "interrupted",
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            Outcome::Failed(r) | Outcome::NotSent(r) => r,
            _ => "",
        }
    }

    fn from_parts(key: &str, reason: String) -> Option<Outcome> {
        Some(match key {
            "revoked" => Outcome::Revoked,
            "already gone" => Outcome::AlreadyGone,
            "failed" => Outcome::Failed(reason),
            "not sent" => Outcome::NotSent(reason),
            "pending" => Outcome::Pending,
            "interrupted" => Outcome::Interrupted,
            _ => return None,
        })
    }
}

/// One revocation attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// When the answer came (epoch ms).
    pub at_ms: f64,
    /// Who the panel was signed in as on that server.
    pub admin: String,
    /// "Rocket.Chat · chat.example.com".
    pub server: String,
    /// Where the server is: its kind and address ("rocketchat
    /// https://chat.example.com"; the panel's origin for an empty Server
    /// URL) — what an interrupted batch is checked against.
    pub address: String,
    /// The session ID, or what a one-call action ended ("all other sessions").
    pub session: String,
    pub user: String,
    /// The owner's login name and user ID, as the list had them.
    pub login: String,
    pub user_id: String,
    pub client: String,
    pub ip: String,
    pub outcome: Outcome,
    /// What a fresh read of the list said afterwards: "confirmed gone",
    /// "still listed", "not checked: why"; empty when none was made (not
    /// sent, or recorded before verification existed).
    pub verified: String,
    /// What the admin did: "one session", "selected", "all of a user",
    /// "everywhere", "all other sessions", "all sessions", "retry".
    pub operation: String,
    /// What chose the sessions: the filter and criteria, the person.
    pub detail: String,
    /// The reason or ticket the admin gave in the confirmation.
    pub reason: String,
    /// The run it belonged to (every entry of one confirmation).
    pub batch: String,
}

/// The longest text an entry keeps of one field (a hostile server can send
/// megabytes of device name; the record must stay small and readable).
pub const MAX_FIELD_CHARS: usize = 200;
/// The longest reason kept (the server's message is inside it).
pub const MAX_REASON_CHARS: usize = 600;

impl Entry {
    /// The entry with every field within [`MAX_FIELD_CHARS`] (the reason
    /// within [`MAX_REASON_CHARS`]); what is cut ends with "…".
    pub fn clipped(self) -> Entry {
        let c = |s: String| clip_chars(s, MAX_FIELD_CHARS);
        Entry {
            at_ms: self.at_ms,
            admin: c(self.admin),
            server: c(self.server),
            address: c(self.address),
            session: c(self.session),
            user: c(self.user),
            login: c(self.login),
            user_id: c(self.user_id),
            client: c(self.client),
            ip: c(self.ip),
            verified: clip_chars(self.verified, MAX_REASON_CHARS),
            operation: c(self.operation),
            detail: clip_chars(self.detail, MAX_REASON_CHARS),
            reason: clip_chars(self.reason, MAX_REASON_CHARS),
            batch: c(self.batch),
            outcome: match self.outcome {
                Outcome::Failed(r) => Outcome::Failed(clip_chars(r, MAX_REASON_CHARS)),
                Outcome::NotSent(r) => Outcome::NotSent(clip_chars(r, MAX_REASON_CHARS)),
                o => o,
            },
        }
    }
}

fn clip_chars(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        s
    } else {
        let mut c: String = s.chars().take(max - 1).collect();
        c.push('…');
        c
    }
}

/// Who and where, the same for every entry of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub admin: String,
    pub server: String,
    /// Kind and address (see [`Entry::address`]).
    pub address: String,
    /// Why and how (see [`Purpose`]), and the run's own name.
    pub purpose: Purpose,
    pub batch: String,
}

pub use crate::revoke::Purpose;

impl Origin {
    /// The entry for session `id` (`row`: what the list knew of it).
    pub fn entry(&self, at_ms: f64, id: &str, row: Option<&Session>, outcome: Outcome) -> Entry {
        let text = |f: fn(&Session) -> String| row.map(f).unwrap_or_default();
        Entry {
            at_ms,
            admin: self.admin.clone(),
            server: self.server.clone(),
            address: self.address.clone(),
            session: id.to_string(),
            user: text(|s| s.user_label().to_string()),
            login: text(|s| s.username.clone().unwrap_or_default().to_string()),
            user_id: text(|s| s.user_id.clone().unwrap_or_default().to_string()),
            client: text(Session::client_label),
            ip: text(|s| s.ip.clone().unwrap_or_default().to_string()),
            outcome,
            verified: String::new(),
            operation: self.purpose.operation.clone(),
            detail: self.purpose.detail.clone(),
            reason: self.purpose.reason.clone(),
            batch: self.batch.clone(),
        }
    }

    /// One entry per session a batch named, in the report's words, with
    /// what the fresh read afterwards said of it.
    pub fn from_report<'a>(
        &self,
        at_ms: f64,
        report: &RevokeReport,
        row: impl Fn(&str) -> Option<&'a Session>,
    ) -> Vec<Entry> {
        let mut out = Vec::with_capacity(report.requested);
        let with = |mut e: Entry| {
            e.verified = verified(report, &e.session);
            e
        };
        for id in &report.revoked {
            out.push(with(self.entry(at_ms, id, row(id), Outcome::Revoked)));
        }
        for id in &report.already_gone {
            out.push(with(self.entry(at_ms, id, row(id), Outcome::AlreadyGone)));
        }
        for f in &report.failed {
            out.push(with(self.entry(
                at_ms,
                &f.id,
                row(&f.id),
                Outcome::Failed(f.reason.clone()),
            )));
        }
        for f in &report.not_sent {
            out.push(self.entry(at_ms, &f.id, row(&f.id), Outcome::NotSent(f.reason.clone())));
        }
        out
    }
}

/// What the fresh read said of session `id` after `report`'s run.
pub fn verified(report: &RevokeReport, id: &str) -> String {
    if !report.verified {
        return String::new();
    }
    if let Some((_, answer)) = report.gone_despite.iter().find(|(i, _)| i == id) {
        return format!("confirmed gone (its answer had failed: {answer})");
    }
    if report.confirmed_gone.iter().any(|i| i == id) {
        return "confirmed gone".into();
    }
    if report.still_listed.iter().any(|i| i == id) {
        return "still listed".into();
    }
    match report.unchecked.iter().find(|(i, _)| i == id) {
        Some((_, why)) => format!("not checked: {why}"),
        None => String::new(),
    }
}

/// What [`AuditLog::keep`] got the browser to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    All,
    /// Storage was full: the newest half was kept, the rest dropped.
    NewestHalf,
    /// Not even that: it lives in this tab only.
    Nothing,
}

/// The record, newest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditLog {
    pub entries: Vec<Entry>,
}

impl AuditLog {
    /// Adds a run's entries at the top; the oldest beyond [`MAX_ENTRIES`] go.
    pub fn record(&mut self, new: Vec<Entry>) {
        let mut new: Vec<Entry> = new.into_iter().map(Entry::clipped).collect();
        new.reverse();
        new.append(&mut self.entries);
        new.truncate(MAX_ENTRIES);
        self.entries = new;
    }

    /// A run's outcome replaces its intent: the pending entries of `batch`
    /// go, `done` is added (a session named in both is recorded once).
    pub fn complete(&mut self, batch: &str, done: Vec<Entry>) {
        self.entries
            .retain(|e| !(e.batch == batch && e.outcome == Outcome::Pending));
        self.record(done);
    }

    /// The runs still pending that are not `running` now: interrupted (a
    /// reload, a crash) — their batch names, newest first.
    pub fn interrupted(&self, running: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for e in &self.entries {
            if e.outcome == Outcome::Pending
                && !running.contains(&e.batch)
                && !out.contains(&e.batch)
            {
                out.push(e.batch.clone());
            }
        }
        out
    }

    /// An interrupted run checked afterwards: each of its pending entries
    /// becomes [`Outcome::Interrupted`] with what the check found (`found`:
    /// session → "confirmed gone", "still listed", "not checked: …").
    pub fn settle_interrupted(&mut self, batch: &str, found: &[(String, String)]) {
        for e in self
            .entries
            .iter_mut()
            .filter(|e| e.batch == batch && e.outcome == Outcome::Pending)
        {
            e.outcome = Outcome::Interrupted;
            e.verified = found
                .iter()
                .find(|(id, _)| *id == e.session)
                .map(|(_, v)| clip_chars(v.clone(), MAX_REASON_CHARS))
                .unwrap_or_else(|| "not checked".into());
        }
    }

    /// Hands the record to `store` (which says whether the browser kept
    /// it). Refused — the storage is full — the oldest half goes and it is
    /// tried once more; refused again, nothing is dropped from this copy.
    pub fn keep(&mut self, mut store: impl FnMut(&str) -> bool) -> Kept {
        if store(&self.to_json()) {
            return Kept::All;
        }
        let older = self.entries.split_off(self.len() / 2);
        if store(&self.to_json()) {
            Kept::NewestHalf
        } else {
            self.entries.extend(older);
            Kept::Nothing
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The stored (and exported) JSON: `{"entries": [{at, admin, server,
    /// session, user, client, ip, outcome, reason, verified}]}` with `at`
    /// in ISO 8601.
    pub fn to_json(&self) -> String {
        let items = self.entries.iter().map(|e| {
            Value::object([
                ("at", crate::time::format_iso(e.at_ms).into()),
                ("at_ms", Value::from(e.at_ms as i64)),
                ("admin", e.admin.as_str().into()),
                ("server", e.server.as_str().into()),
                ("address", e.address.as_str().into()),
                ("session", e.session.as_str().into()),
                ("user", e.user.as_str().into()),
                ("login", e.login.as_str().into()),
                ("user_id", e.user_id.as_str().into()),
                ("client", e.client.as_str().into()),
                ("ip", e.ip.as_str().into()),
                ("outcome", e.outcome.key().into()),
                ("reason", e.outcome.reason().into()),
                ("verified", e.verified.as_str().into()),
                ("operation", e.operation.as_str().into()),
                ("detail", e.detail.as_str().into()),
                ("reason_given", e.reason.as_str().into()),
                ("batch", e.batch.as_str().into()),
            ])
        });
        Value::object([("entries", Value::Array(items.collect()))]).to_string()
    }

    /// Reads [`AuditLog::to_json`]'s form; a damaged entry is skipped, a
    /// damaged record reads as empty.
    pub fn from_json(s: &str) -> AuditLog {
        let Ok(v) = json::parse(s) else {
            return AuditLog::default();
        };
        let entries = v
            .get("entries")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|e| {
                        let t = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
                        Some(
                            Entry {
                                at_ms: e.get("at_ms")?.as_f64()?,
                                admin: t("admin").unwrap_or_default(),
                                server: t("server").unwrap_or_default(),
                                address: t("address").unwrap_or_default(),
                                session: t("session")?,
                                user: t("user").unwrap_or_default(),
                                login: t("login").unwrap_or_default(),
                                user_id: t("user_id").unwrap_or_default(),
                                client: t("client").unwrap_or_default(),
                                ip: t("ip").unwrap_or_default(),
                                outcome: Outcome::from_parts(
                                    &t("outcome")?,
                                    t("reason").unwrap_or_default(),
                                )?,
                                verified: t("verified").unwrap_or_default(),
                                operation: t("operation").unwrap_or_default(),
                                detail: t("detail").unwrap_or_default(),
                                reason: t("reason_given").unwrap_or_default(),
                                batch: t("batch").unwrap_or_default(),
                            }
                            .clipped(),
                        )
                    })
                    .take(MAX_ENTRIES)
                    .collect()
            })
            .unwrap_or_default();
        AuditLog { entries }
    }

    /// CSV (UTF-8 with a byte-order mark, cells quoted as the sessions
    /// export quotes them), newest first.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        let header = [
            "Time",
            "Signed in as",
            "Server",
            "Session",
            "User",
            "Client",
            "IP",
            "Outcome",
            "Reason",
            "Verified",
            "Address",
            "Login",
            "User ID",
            "Operation",
            "Chosen by",
            "Reason given",
            "Batch",
        ];
        push_row(&mut out, header.iter().map(|h| cell(h)));
        for e in &self.entries {
            push_row(
                &mut out,
                [
                    cell(&crate::time::format_iso(e.at_ms)),
                    cell(&e.admin),
                    cell(&e.server),
                    cell(&e.session),
                    cell(&e.user),
                    cell(&e.client),
                    cell(&e.ip),
                    cell(e.outcome.key()),
                    cell(e.outcome.reason()),
                    cell(&e.verified),
                    cell(&e.address),
                    cell(&e.login),
                    cell(&e.user_id),
                    cell(&e.operation),
                    cell(&e.detail),
                    cell(&e.reason),
                    cell(&e.batch),
                ]
                .into_iter(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revoke::Failure;

    fn origin() -> Origin {
        Origin {
            admin: "Ada Admin".into(),
            server: "Rocket.Chat · chat.example".into(),
            address: "rocketchat https://chat.example".into(),
            purpose: Purpose {
                operation: "selected".into(),
                detail: "filter \u{201c}chrome\u{201d}".into(),
                reason: "INC-42".into(),
            },
            batch: "b1".into(),
        }
    }

    #[test]
    fn intent_first_then_outcome_and_an_interrupted_run_is_found_and_settled() {
        let o = origin();
        let mut log = AuditLog::default();
        log.record(vec![
            o.entry(1.0, "a", Some(&row("a")), Outcome::Pending),
            o.entry(1.0, "b", Some(&row("b")), Outcome::Pending),
        ]);
        assert_eq!(
            log.interrupted(&["b1".into()]),
            Vec::<String>::new(),
            "running, not interrupted"
        );
        assert_eq!(log.interrupted(&[]), ["b1"]);
        // Completed: the intent is replaced, each session once.
        let mut done = log.clone();
        done.complete(
            "b1",
            vec![o.entry(2.0, "a", Some(&row("a")), Outcome::Revoked)],
        );
        assert_eq!(done.len(), 1);
        assert_eq!(done.entries[0].outcome, Outcome::Revoked);
        // Interrupted (a reload): checked afterwards against the server.
        log.settle_interrupted("b1", &[("a".into(), "confirmed gone".into())]);
        let got: Vec<(&str, &str, &str)> = log
            .entries
            .iter()
            .map(|e| (e.session.as_str(), e.outcome.key(), e.verified.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("b", "interrupted", "not checked"),
                ("a", "interrupted", "confirmed gone")
            ]
        );
        assert!(log.interrupted(&[]).is_empty());
        // Every field of the audit record travels through JSON and CSV.
        let back = AuditLog::from_json(&log.to_json());
        assert_eq!(back, log);
        let e = &back.entries[0];
        assert_eq!(
            (
                e.address.as_str(),
                e.login.as_str(),
                e.user_id.as_str(),
                e.operation.as_str(),
                e.reason.as_str(),
                e.batch.as_str()
            ),
            (
                "rocketchat https://chat.example",
                "user-b",
                "",
                "selected",
                "INC-42",
                "b1"
            )
        );
        let csv = log.to_csv();
        assert!(csv
            .lines()
            .next()
            .unwrap()
            .ends_with(",Verified,Address,Login,User ID,Operation,Chosen by,Reason given,Batch"));
        assert!(csv.contains("INC-42"));
    }

    fn row(id: &str) -> Session {
        Session {
            id: id.into(),
            username: Some(format!("user-{id}").into()),
            client: Some("Chrome".into()),
            client_version: Some("120".into()),
            ip: Some("10.0.0.9".into()),
            ..Default::default()
        }
    }

    /// A log of `n` entries, newest (`s{n-1}`) first.
    fn log_of(n: usize) -> AuditLog {
        let mut log = AuditLog::default();
        let rows: Vec<Session> = (0..n).map(|i| row(&format!("s{i}"))).collect();
        let entries = rows
            .iter()
            .map(|r| origin().entry(1_700_000_000_000.0, &r.id, Some(r), Outcome::Revoked))
            .collect();
        log.record(entries);
        log
    }

    #[test]
    fn a_full_storage_keeps_the_newest_half_or_at_least_this_tab_s_copy() {
        let mut stored = None;
        let mut log = log_of(10);
        assert_eq!(
            log.keep(|j| {
                stored = Some(j.len());
                true
            }),
            Kept::All
        );
        let whole = stored.unwrap();

        // Room for a bit more than half: the newest half is kept and stored.
        let mut log = log_of(10);
        let mut kept = String::new();
        let room = whole * 6 / 10;
        let outcome = log.keep(|j| {
            let fits = j.len() <= room;
            if fits {
                kept = j.to_string();
            }
            fits
        });
        assert_eq!(outcome, Kept::NewestHalf);
        let ids: Vec<&str> = log.entries.iter().map(|e| e.session.as_str()).collect();
        assert_eq!(ids, ["s9", "s8", "s7", "s6", "s5"]);
        assert_eq!(
            AuditLog::from_json(&kept),
            log,
            "what is stored is what is shown"
        );

        // No room at all: nothing is dropped from the tab's copy.
        let mut log = log_of(10);
        let mut tries = 0;
        assert_eq!(
            log.keep(|_| {
                tries += 1;
                false
            }),
            Kept::Nothing
        );
        assert_eq!((log.len(), tries), (10, 2));
        assert_eq!(log, log_of(10));
    }

    #[test]
    fn a_report_becomes_one_entry_per_session_with_its_outcome() {
        let report = RevokeReport {
            requested: 4,
            revoked: vec!["a".into()],
            already_gone: vec!["b".into()],
            failed: vec![Failure {
                id: "c".into(),
                label: String::new(),
                reason: "500 Internal Server Error".into(),
                retryable: true,
                sent: true,
            }],
            not_sent: vec![Failure {
                id: "d".into(),
                label: String::new(),
                reason: "Not sent: you stopped the batch.".into(),
                retryable: true,
                sent: false,
            }],
            verified: true,
            confirmed_gone: vec!["a".into()],
            still_listed: vec!["c".into()],
            unchecked: vec![("b".into(), "the list could not be read again".into())],
            ..Default::default()
        };
        let rows = [row("a"), row("b"), row("c")];
        let find = |id: &str| rows.iter().find(|r| r.id == id);
        let entries = origin().from_report(1_700_000_000_000.0, &report, find);
        let got: Vec<(&str, &str, &str)> = entries
            .iter()
            .map(|e| (e.session.as_str(), e.outcome.key(), e.user.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "revoked", "user-a"),
                ("b", "already gone", "user-b"),
                ("c", "failed", "user-c"),
                ("d", "not sent", ""),
            ]
        );
        assert_eq!(entries[0].client, "Chrome 120");
        assert_eq!(entries[0].ip, "10.0.0.9");
        let verified: Vec<&str> = entries.iter().map(|e| e.verified.as_str()).collect();
        assert_eq!(
            verified,
            [
                "confirmed gone",
                "not checked: the list could not be read again",
                "still listed",
                ""
            ]
        );
        // The record and its exports carry it.
        let mut log = AuditLog::default();
        log.record(entries.clone());
        assert!(log.to_json().contains(r#""verified":"still listed""#));
        assert_eq!(AuditLog::from_json(&log.to_json()), log);
        assert!(log.to_csv().lines().next().unwrap().contains(",Verified,"));
        assert!(log.to_csv().contains(",confirmed gone"));
        assert_eq!(entries[2].outcome.reason(), "500 Internal Server Error");
        assert!(entries.iter().all(|e| e.admin == "Ada Admin"));
    }

    #[test]
    fn newest_first_bounded_and_round_trips_through_json() {
        let mut log = AuditLog::default();
        let o = origin();
        log.record(vec![o.entry(1.0, "first", None, Outcome::Revoked)]);
        log.record(vec![
            o.entry(
                2.0,
                "x",
                Some(&row("x")),
                Outcome::Failed("403 \"no\"".into()),
            ),
            o.entry(2.0, "y", None, Outcome::NotSent("stopped".into())),
        ]);
        let order: Vec<&str> = log.entries.iter().map(|e| e.session.as_str()).collect();
        assert_eq!(order, ["y", "x", "first"]);
        assert_eq!(AuditLog::from_json(&log.to_json()), log);
        // Bounded: the oldest go.
        let many: Vec<Entry> = (0..MAX_ENTRIES + 10)
            .map(|i| o.entry(i as f64, &i.to_string(), None, Outcome::Revoked))
            .collect();
        log.record(many);
        assert_eq!(log.len(), MAX_ENTRIES);
        assert_eq!(log.entries[0].session, (MAX_ENTRIES + 9).to_string());
        // Damage reads as empty or skips the entry, never panics.
        assert!(AuditLog::from_json("<html>").is_empty());
        let one_bad = r#"{"entries":[{"at_ms":5,"session":"s","outcome":"revoked"},{"session":"t"},
            {"at_ms":6,"session":"u","outcome":"exploded"}]}"#;
        assert_eq!(AuditLog::from_json(one_bad).len(), 1);
    }

    #[test]
    fn every_field_is_clipped_so_a_hostile_server_cannot_fill_the_record() {
        let huge = "<img src=x onerror=alert(1)>".repeat(10_000);
        let mut log = AuditLog::default();
        log.record(vec![origin().entry(
            0.0,
            &huge,
            Some(&Session {
                user_name: Some(huge.clone().into()),
                client: Some(huge.clone().into()),
                ip: Some(huge.clone().into()),
                ..row("x")
            }),
            Outcome::Failed(huge.clone()),
        )]);
        let e = &log.entries[0];
        for (name, v, max) in [
            ("session", &e.session, MAX_FIELD_CHARS),
            ("user", &e.user, MAX_FIELD_CHARS),
            ("client", &e.client, MAX_FIELD_CHARS),
            ("ip", &e.ip, MAX_FIELD_CHARS),
            ("reason", &e.outcome.reason().to_string(), MAX_REASON_CHARS),
        ] {
            assert_eq!(v.chars().count(), max, "{name}");
            assert!(v.ends_with('…'), "{name}");
        }
        assert!(log.to_json().len() < 3 * 1024, "{}", log.to_json().len());
        // A record stored by an older build (or edited) is clipped on reading.
        let stored = format!(
            r#"{{"entries":[{{"at_ms":1,"session":"{}","outcome":"revoked"}}]}}"#,
            "s".repeat(5000)
        );
        assert_eq!(
            AuditLog::from_json(&stored).entries[0]
                .session
                .chars()
                .count(),
            MAX_FIELD_CHARS
        );
    }

    #[test]
    fn json_never_holds_a_secret_and_csv_is_quoted() {
        let mut log = AuditLog::default();
        log.record(vec![origin().entry(
            0.0,
            "-2tT;x",
            Some(&Session {
                user_name: Some("=cmd|' /C calc'!A0".into()),
                ..row("-2tT;x")
            }),
            Outcome::Revoked,
        )]);
        let json = log.to_json();
        for k in ["token", "password", "code", "authorization"] {
            assert!(!json.to_ascii_lowercase().contains(k), "{k} in {json}");
        }
        assert!(json.contains("\"at\":\"1970-01-01T00:00:00"));
        let csv = log.to_csv();
        assert!(csv.starts_with("\u{feff}Time,Signed in as,Server,Session"));
        let line = csv.lines().nth(1).unwrap();
        assert!(line.contains(",\"'-2tT;x\","), "ID inert, quoted: {line}");
        assert!(
            line.contains("\"'=cmd|' /C calc'!A0\""),
            "formula neutralised: {line}"
        );
    }
}
