//! What a server's revoke buttons do: confirm first (texts from
//! [`confirm`]), then revoke through the pure pipeline in [`crate::revoke`]
//! — one action at a time, the next one waiting visibly — and bind the
//! outcome to the list, the selection, the report and the messages.

use super::Server;
use crate::audit::{Origin, Outcome};
use crate::backends::{Call, Scope};
use crate::bulk::Stop;
use crate::confirm::{self, ConfirmSpec, PendingConfirm};
use crate::http::request::{ApiError, ApiRequest};
use crate::load::PROGRESS_EVERY_MS;
use crate::model::{OwnSession, Session};
use crate::plural::counted;
use crate::revoke::verify::{self, Early, Target, Verdict};
use crate::revoke::{
    self, Action, BulkState, Job, Purpose, RevokeMessage, RevokeReport, Submitted,
};
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use std::collections::{HashMap, HashSet};

impl Server {
    /// Tells the admin what happened; with several servers connected, on
    /// which one.
    fn say(self, said: RevokeMessage) {
        let on = |text: String| {
            if self.host().several_servers() {
                format!("{}: {text}", self.label())
            } else {
                text
            }
        };
        match said {
            RevokeMessage::Done(text) => self.host().status(on(text)),
            RevokeMessage::Failed(text) => self.host().alert(on(text)),
        }
    }

    /// Who and where, what and why, for the activity record of one run.
    fn origin(self, purpose: Purpose) -> Origin {
        let n = self.runs.get_value() + 1;
        self.runs.set_value(n);
        Origin {
            admin: self.admin.get_value(),
            server: self.label(),
            address: self.address.get_value(),
            purpose,
            batch: format!("{}-{}-{n}", self.host().now_ms() as i64, self.id),
        }
    }

    /// Opens the confirmation of `action`, listing the sessions it names
    /// and warning when the panel's own session is among them.
    fn ask(self, action: Action, spec: ConfirmSpec, purpose: Purpose) {
        let ids = action.ids();
        let rows = self.rows_of(ids);
        let items = ids
            .iter()
            .map(|i| {
                let what = rows.get(i).map_or_else(|| i.clone(), Session::describe);
                format!("{what} · {i}")
            })
            .collect();
        let own = rows.values().any(|s| s.current);
        let spec = spec.listing(items, own);
        self.confirm.set(Some(PendingConfirm {
            spec,
            action,
            purpose,
        }));
    }

    /// Why a sweep (every matching session, every session of a user) may
    /// not run yet: the panel's own session here is not known.
    pub fn sweep_refused(self) -> Option<&'static str> {
        self.own.with_untracked(|o| o.sweep_refusal())
    }

    pub fn ask_one(self, id: String) {
        let spec = confirm::one(&id, &self.session_label(&id));
        self.ask(
            Action::Sessions {
                ids: vec![id],
                batch: false,
            },
            spec,
            Purpose::new("one session", ""),
        );
    }

    /// Every loaded session of the user `user_key` (never of "no user").
    pub fn ask_user(self, user_key: String) {
        if user_key.is_empty() {
            self.host().alert(confirm::UNKNOWN_USER.into());
            return;
        }
        if let Some(why) = self.sweep_refused() {
            self.host().alert(format!("Not asked: {why}"));
            return;
        }
        let ids = self.list.with_untracked(|l| l.ids_of_user(&user_key));
        let (who, mine) = self
            .list
            .with_untracked(|l| {
                l.find(ids.first()?)
                    .map(|s| (s.account_label(), s.own_account))
            })
            .unwrap_or_else(|| (user_key.clone(), false));
        let mut spec = confirm::all_of_user(&who, ids.len());
        if mine {
            spec.warning = Some(
                "This is your own account — the one signed in here: its sessions on other devices end too.".into(),
            );
        }
        let action = if self.backend.revoke_user(&user_key).is_some() {
            Action::UserEndpoint {
                user_id: user_key,
                ids,
            }
        } else {
            Action::Sessions { ids, batch: true }
        };
        self.ask(action, spec, Purpose::new("all of a user", who));
    }

    /// Selects exactly the rows `matched` (indices into the list) — but the
    /// panel's own session, which is ended only when chosen by itself.
    pub fn select_matching(self, matched: &[u32]) {
        if let Some(why) = self.sweep_refused() {
            self.host().alert(format!("Nothing was selected: {why}"));
            return;
        }
        let (own, n) = self.selection().change(|l| {
            let own = l.select_only_rows(matched);
            (own, l.selected_count())
        });
        self.host().status(format!(
            "Selected {} matching the filter and criteria{}. Revoke selected asks before anything ends.",
            counted(n, "session"),
            if own {
                "; your own session is not selected"
            } else {
                ""
            }
        ));
    }

    /// "Select all on this page": `ids` (the page's rows) ticked — but the
    /// panel's own session, and nothing while it is not known — or
    /// unticked (`on` false, always allowed).
    pub fn select_page(self, ids: Vec<String>, on: bool) {
        if !on {
            self.selection().set(&ids, false);
            return;
        }
        if let Some(why) = self.sweep_refused() {
            self.host().alert(format!("Nothing was selected: {why}"));
            return;
        }
        let ids: Vec<String> = self.list.with_untracked(|l| {
            ids.into_iter()
                .filter(|id| !l.find(id).is_some_and(|s| s.current))
                .collect()
        });
        self.selection().set(&ids, true);
    }

    /// The selected sessions (all listed: the selection is of rows) —
    /// refused while the panel's own session here is not known (a ticked
    /// row could be it, unmarked). `not_shown`: the rows the filter and
    /// criteria hide now — the confirmation says so, and names them, first.
    /// `chosen_by`: the filter and criteria the admin had set.
    pub fn ask_selected(self, not_shown: Vec<u32>, chosen_by: String) {
        if let Some(why) = self.sweep_refused() {
            self.host().alert(format!(
                "Not asked: {why} Use a row's own Revoke button to end one session."
            ));
            return;
        }
        let (ids, users, hidden) = self.list.with_untracked(|l| {
            let mut users = HashSet::new();
            let ids: Vec<String> = l
                .selected_sessions()
                .map(|s| {
                    users.insert(s.user_key());
                    s.id.clone()
                })
                .collect();
            let hidden: Vec<String> = not_shown
                .iter()
                .filter_map(|&i| l.sessions.get(i as usize))
                .filter(|s| l.is_selected(&s.id))
                .map(|s| s.id.clone())
                .collect();
            (ids, users.len(), hidden)
        });
        let mut spec = confirm::selected(ids.len(), users).on_server(&self.label());
        let hidden: Vec<String> = hidden
            .iter()
            .map(|id| format!("{} · {id}", self.session_label(id)))
            .collect();
        if !hidden.is_empty() {
            spec = spec.not_shown(hidden);
        }
        self.ask(
            Action::Sessions { ids, batch: true },
            spec,
            Purpose::new("selected", chosen_by),
        );
    }

    pub fn ask_others(self) {
        let listed = self.list.with_untracked(|l| l.len());
        self.ask(
            Action::Others,
            confirm::others(self.backend.others_text(listed)),
            Purpose::new("all other sessions", ""),
        );
    }

    pub fn ask_all(self) {
        self.ask(
            Action::All,
            confirm::all(self.all_text()).on_server(&self.label()),
            Purpose::new("all sessions", ""),
        );
    }

    /// A confirmed action starts now, or waits (visibly) behind the
    /// running one (with no purpose recorded: see [`Server::submit_job`]).
    pub fn submit(self, action: Action) {
        self.submit_job(Job {
            action,
            purpose: Purpose::default(),
        });
    }

    /// A confirmed action and why: it starts now, or waits (visibly)
    /// behind the running one.
    pub fn submit_job(self, job: Job) {
        let n = job.action.ids().len();
        let submitted = self.queue.write().submit(job);
        match submitted {
            Submitted::Start(a) => self.run(a),
            Submitted::Queued { ahead } => self.host().status(format!(
                "Queued: {} will be revoked when the revocation running now is done ({ahead} ahead of it).",
                if n == 0 {
                    "this action's sessions".to_string()
                } else {
                    counted(n, "session")
                },
            )),
        }
    }

    fn run(self, job: Job) {
        // A quiet refresh under way would answer with the list as it was
        // before this revoke: it is dropped (the next one sees the result).
        if self.refreshing.get_untracked() {
            self.loads.write_value().stop();
            self.refreshing.set(false);
        }
        let origin = self.origin(job.purpose);
        match job.action {
            Action::Sessions { ids, batch } => self.run_sessions(Vec::new(), ids, batch, origin),
            Action::Sweep { users, ids, .. } => self.run_sessions(users, ids, true, origin),
            other => self.run_one_call(other, origin),
        }
    }

    /// The run's intent, in the record before any of its requests leaves:
    /// after a reload or a crash it shows as interrupted, outcome unknown.
    fn intend(self, origin: &Origin, ids: &[String], rows: &HashMap<String, Session>) {
        let host = self.host();
        let at = host.now_ms();
        host.running(&origin.batch, true);
        host.record(
            ids.iter()
                .map(|id| origin.entry(at, id, rows.get(id), Outcome::Pending))
                .collect(),
        );
    }

    /// The running action ended: start the next one, if any waits.
    fn next(self) {
        let next = self.queue.write().finished();
        if let Some(job) = next {
            self.run(job);
        }
    }

    /// Reads again what `report`'s run attempted (but what `found` already
    /// holds) and marks each session confirmed gone, still listed (a
    /// failure) or not checked.
    async fn verify(
        self,
        report: &mut RevokeReport,
        rows: &HashMap<String, Session>,
        scope: Scope,
        call: &Call<'_>,
        in_flight: &dyn Fn() -> usize,
        found: HashMap<String, Verdict>,
    ) {
        let targets = self
            .list
            .with_untracked(|l| targets(&report.attempted(), rows, l));
        if targets.is_empty() {
            return;
        }
        let listed = self.list.with_untracked(|l| l.len());
        let host = self.host();
        let sleep = move |ms: f64| host.sleep(ms);
        let verdicts = verify::verify(
            self.backend,
            scope,
            call,
            in_flight,
            &targets,
            listed,
            &sleep,
            found,
        )
        .await;
        report.verified_by(&verdicts);
    }

    /// Reads `targets` again (an interrupted run, after a reload) and hands
    /// `done` what was found of each: "confirmed gone", "still listed",
    /// "not checked: why". Nothing is revoked.
    pub fn check_sessions(self, targets: Vec<Target>, done: Checked) {
        let (scope, call, host) = (self.scope.get_untracked(), self.caller(), self.host());
        let in_flight = self.in_flight();
        let listed = self.list.with_untracked(|l| l.len());
        let task = async move {
            let call = |r| call(r);
            let sleep = |ms: f64| host.sleep(ms);
            let verdicts = verify::verify(
                self.backend,
                scope,
                &call,
                &*in_flight,
                &targets,
                listed,
                &sleep,
                HashMap::new(),
            )
            .await;
            let found = targets
                .iter()
                .map(|t| {
                    let said = match verdicts.get(&t.id) {
                        Some(Verdict::Gone) => "confirmed gone".to_string(),
                        Some(Verdict::StillListed) => "still listed".to_string(),
                        Some(Verdict::Unchecked(why)) => format!("not checked: {why}"),
                        None => "not checked".to_string(),
                    };
                    (t.id.clone(), said)
                })
                .collect();
            done(found);
        };
        self.host().spawn(Box::pin(task));
    }

    /// What a finished run leaves: sessions confirmed gone leave the list
    /// and the selection (and no refresh brings them back); those the server
    /// said it ended but that were not checked stay listed, and a refresh
    /// that still shows them says so.
    fn settle(self, report: &RevokeReport) {
        self.forget(&report.gone_ids());
        if report.verified {
            let said: Vec<String> = report
                .unchecked
                .iter()
                .map(|(id, _)| id.clone())
                .filter(|id| report.revoked.contains(id) || report.already_gone.contains(id))
                .collect();
            self.revokes.write_value().record(&said);
        }
    }

    /// Sessions `gone` are no longer listed nor selected, and no refresh
    /// brings them back.
    fn forget(self, gone: &[String]) {
        self.revokes.write_value().record(gone);
        // The selection keeps the rows that stay.
        self.list.update(|l| {
            l.remove_ids(gone);
        });
    }

    /// `batch`: progress, Stop and a report; else one session and a message.
    fn run_sessions(
        self,
        users: Vec<(String, Vec<String>)>,
        ids: Vec<String>,
        batch: bool,
        origin: Origin,
    ) {
        let every: Vec<String> = users
            .iter()
            .flat_map(|(_, u)| u.iter().cloned())
            .chain(ids.iter().cloned())
            .collect();
        self.pending.update(|p| p.extend(every.iter().cloned()));
        let halt = Stop::default();
        self.stop.set_value(halt.clone());
        let (scope, call, host) = (self.scope.get_untracked(), self.caller(), self.host());
        let in_flight = self.in_flight();
        let rows = self.rows_of(&every);
        self.intend(&origin, &every, &rows);
        // The single sessions a lookup by ID checks are read again as each
        // revoke is answered.
        let early = self.list.with_untracked(|l| {
            Early::plan(self.backend, scope, &targets(&ids, &rows, l), l.len())
        });
        let checking = early.is_planned();
        if batch {
            self.batch.set(Some(BulkState::Running {
                done: 0,
                total: every.len(),
                checking,
            }));
        }
        let task = async move {
            let call = |r| call(r);
            let first = every.first().cloned().unwrap_or_default();
            let every: HashSet<String> = every.into_iter().collect();
            let mut last_progress = 0.0;
            let label = |id: &str| {
                rows.get(id)
                    .map_or_else(|| id.to_string(), Session::describe)
            };
            let progress = |done, total| {
                // The bar moves at most every PROGRESS_EVERY_MS, not per request.
                let now = host.now_ms();
                if batch && (now - last_progress >= PROGRESS_EVERY_MS || done == total) {
                    last_progress = now;
                    self.batch.set(Some(BulkState::Running {
                        done,
                        total,
                        checking,
                    }));
                }
            };
            // Sessions one by one; a sweep also ends whole users by the
            // server's own call.
            let mut report = if users.is_empty() {
                revoke::revoke_sessions(
                    self.backend,
                    scope,
                    &call,
                    &*in_flight,
                    ids,
                    &label,
                    &halt,
                    &early,
                    progress,
                )
                .await
            } else {
                revoke::revoke_sweep(
                    self.backend,
                    scope,
                    &call,
                    &*in_flight,
                    users,
                    ids,
                    &label,
                    &halt,
                    &early,
                    progress,
                )
                .await
            };
            host.mark("sessiondeck:revoked");
            if halt.is_pressed() {
                // What waited behind the stopped batch was not sent either.
                let waiting = self.queue.write().drain();
                report.add_not_started(
                    waiting
                        .iter()
                        .flat_map(|j| j.action.ids())
                        .map(|id| (id.clone(), self.session_label(id))),
                );
                // Stop means nothing more is sent, not even the check; what
                // the lookups made before it found stands.
                report.checked_before_stop(&early.found(), STOPPED_UNCHECKED);
            } else {
                if batch {
                    self.batch.set(Some(BulkState::Verifying {
                        total: report.attempted().len(),
                    }));
                }
                let found = early.found();
                self.verify(&mut report, &rows, scope, &call, &*in_flight, found)
                    .await;
                host.mark("sessiondeck:verified");
            }
            report.label_with(label);
            host.complete(
                &origin.batch,
                origin.from_report(host.now_ms(), &report, |id| rows.get(id)),
            );
            host.running(&origin.batch, false);
            self.settle(&report);
            self.pending.update(|p| p.retain(|id| !every.contains(id)));
            if batch {
                // The report is on the page: a message only where it is not.
                if !host.report_in_view(self.id) {
                    self.say(revoke::batch_said(&report));
                }
                self.batch.set(Some(BulkState::Finished(Box::new(report))));
            } else {
                self.say(revoke::one_said(&report, &first, &label(&first)));
            }
            self.next();
        };
        self.host().spawn(Box::pin(task));
    }

    /// One call that ends several sessions at once (a user's, the others,
    /// all), then a fresh read of what it concerned: its report says what
    /// ended, with Retry for what is still listed.
    fn run_one_call(self, action: Action, origin: Origin) {
        // The listed sessions it concerns: the user's, every other one, all.
        let ids: Vec<String> = match &action {
            Action::Others => self.list.with_untracked(|l| {
                l.sessions
                    .iter()
                    .filter(|s| !s.current)
                    .map(|s| s.id.clone())
                    .collect()
            }),
            Action::All => self
                .list
                .with_untracked(|l| l.sessions.iter().map(|s| s.id.clone()).collect()),
            other => other.ids().to_vec(),
        };
        let own = self.own.with_untracked(|o| match o {
            OwnSession::Known(Some(id)) => Some(id.clone()),
            _ => None,
        });
        let who = ids.first().map(|i| {
            self.list
                .with_untracked(|l| l.find(i).map(Session::account_label))
                .unwrap_or_default()
        });
        self.pending.update(|p| p.extend(ids.iter().cloned()));
        self.batch.set(Some(BulkState::Running {
            done: 0,
            total: ids.len(),
            checking: false,
        }));
        let (call, host, scope) = (self.caller(), self.host(), self.scope.get_untracked());
        let in_flight = self.in_flight();
        let rows = self.rows_of(&ids);
        self.intend(&origin, &ids, &rows);
        let task = async move {
            let call = |r| call(r);
            let label = |id: &str| {
                rows.get(id)
                    .map_or_else(|| id.to_string(), Session::describe)
            };
            let result = revoke::revoke_in_one_call(self.backend, &action, &call).await;
            let mut report = RevokeReport::from_one_call(&ids, &result, label);
            self.batch
                .set(Some(BulkState::Verifying { total: ids.len() }));
            let mut token_refused = false;
            if action == Action::All {
                // Its own session ends too: a 401 to the check is the
                // expected answer, not a lost credential.
                let refused = std::cell::Cell::new(false);
                let expecting = |r: ApiRequest| {
                    let sent = call(r.expecting_unauthorized());
                    let refused = &refused;
                    Box::pin(async move {
                        let answer = sent.await;
                        if matches!(answer, Err(ApiError::Unauthorized { .. })) {
                            refused.set(true);
                        }
                        answer
                    }) as LocalBoxFuture<'_, _>
                };
                let targets = self
                    .list
                    .with_untracked(|l| targets(&report.attempted(), &rows, l));
                let listed = self.list.with_untracked(|l| l.len());
                let sleep = |ms: f64| host.sleep(ms);
                let mut verdicts = verify::verify(
                    self.backend,
                    scope,
                    &expecting,
                    &*in_flight,
                    &targets,
                    listed,
                    &sleep,
                    HashMap::new(),
                )
                .await;
                token_refused = refused.get();
                if token_refused {
                    for (id, v) in verdicts.iter_mut() {
                        *v = if own.as_deref() == Some(id.as_str()) {
                            Verdict::Gone
                        } else {
                            Verdict::Unchecked(ALL_UNCHECKED.into())
                        };
                    }
                }
                report.verified_by(&verdicts);
            } else {
                self.verify(
                    &mut report,
                    &rows,
                    scope,
                    &call,
                    &*in_flight,
                    HashMap::new(),
                )
                .await;
            }
            report.label_with(label);
            let at = host.now_ms();
            let mut entries = origin.from_report(at, &report, |id| rows.get(id));
            if entries.is_empty() {
                // Nothing was listed: the call itself is the record.
                let what = match &action {
                    Action::Others => "all other sessions",
                    Action::All => "all sessions",
                    _ => "every session of a user",
                };
                let outcome = match &result {
                    Ok(()) => Outcome::Revoked,
                    Err(e) => Outcome::Failed(e.to_string()),
                };
                entries.push(origin.entry(at, what, None, outcome));
            }
            host.complete(&origin.batch, entries);
            host.running(&origin.batch, false);
            self.pending.update(|p| p.retain(|id| !ids.contains(id)));
            // Every session ended — the API said so and the read agrees, or
            // the server now refuses this panel's token.
            if action == Action::All && report.is_clean() && (result.is_ok() || token_refused) {
                // This server's token is gone: close this connection
                // only; the others (and their bulk runs) go on.
                host.all_revoked(self.id);
                return;
            }
            self.settle(&report);
            if action == Action::Others && report.is_clean() {
                self.load();
            }
            let said = revoke::call_said(
                &action,
                &result,
                &report,
                &who.unwrap_or_default(),
                &self.backend.others_text(0).done,
            );
            // Failures are in the report on the page; the outcome is said
            // once, briefly, where the report is not seen.
            if !host.report_in_view(self.id) || matches!(said, RevokeMessage::Done(_)) {
                self.say(said);
            }
            self.batch.set(Some(BulkState::Finished(Box::new(report))));
            self.next();
        };
        self.host().spawn(Box::pin(task));
    }
}

/// Hands on what a check found: each session with "confirmed gone",
/// "still listed" or "not checked: why".
pub type Checked = Box<dyn FnOnce(Vec<(String, String)>)>;

/// What a check is asked about `ids`: each with its owner, where the list
/// said (a read of that user's sessions can then check it), and how many
/// sessions `list` holds of that owner.
fn targets(
    ids: &[String],
    rows: &HashMap<String, Session>,
    list: &crate::list::SessionList,
) -> Vec<Target> {
    let owner = |id: &String| rows.get(id).and_then(|s| s.user_id.as_deref());
    let mut rows_of: HashMap<&str, usize> = ids.iter().filter_map(owner).map(|u| (u, 0)).collect();
    if !rows_of.is_empty() {
        for s in &list.sessions {
            if let Some(n) = s.user_id.as_deref().and_then(|u| rows_of.get_mut(u)) {
                *n += 1;
            }
        }
    }
    ids.iter()
        .map(|id| Target {
            id: id.clone(),
            user_id: owner(id).map(str::to_string),
            user_rows: owner(id).map_or(0, |u| rows_of[u]),
        })
        .collect()
}

/// Why a stopped batch's sessions were not read again.
const STOPPED_UNCHECKED: &str =
    "you pressed Stop, so nothing more was sent, not even the check; Refresh to see which ended";

/// Why the other sessions were not checked after "revoke all sessions".
const ALL_UNCHECKED: &str = "the server now refuses this panel's token — its own session ended, as ending all sessions does — so the others cannot be read; sign in again to check them";
