//! The revoke pipeline, without a browser: what an action is, running it
//! through a backend and a `call`, what it did ([`report`]), the queue of
//! confirmed actions ([`queue`]), and what to tell the admin. The Sessions
//! screen binds these to its signals; everything here is tested natively.

pub mod queue;
pub mod report;
pub mod verify;

pub use queue::{RevokeQueue, Submitted};
pub use report::{BulkState, Failure, RevokeReport};

use crate::backends::{Backend, Call, Scope};
use crate::bulk::{run_bulk, ItemResult, NotSent, Stop};
use crate::http::request::ApiError;
use verify::Early;

/// A revocation, as confirmed by the admin.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// These sessions, one call each (`batch`: progress, Stop and a report).
    Sessions { ids: Vec<String>, batch: bool },
    /// The server's own call for every session of one user.
    UserEndpoint { user_id: String, ids: Vec<String> },
    /// A sweep across servers, on this one: whole users by the server's own
    /// call (their listed sessions), then single sessions one call each.
    /// `all` lists every session it names.
    Sweep {
        users: Vec<(String, Vec<String>)>,
        ids: Vec<String>,
        all: Vec<String>,
    },
    /// Every session but this one ("Revoke all other sessions").
    Others,
    /// Every session of the account, the panel's own included.
    All,
}

impl Action {
    /// The listed sessions it names (none for "others" / "all").
    pub fn ids(&self) -> &[String] {
        match self {
            Action::Sessions { ids, .. } | Action::UserEndpoint { ids, .. } => ids,
            Action::Sweep { all, .. } => all,
            Action::Others | Action::All => &[],
        }
    }
}

/// What the admin did and why, as the confirmation had it: kept with
/// every attempt in the activity record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Purpose {
    /// "one session", "selected", "all of a user", "everywhere", …
    pub operation: String,
    /// What chose the sessions (the filter and criteria, the person).
    pub detail: String,
    /// The reason or ticket typed in the confirmation (may be empty).
    pub reason: String,
}

impl Purpose {
    pub fn new(operation: &str, detail: impl Into<String>) -> Purpose {
        Purpose {
            operation: operation.into(),
            detail: detail.into(),
            reason: String::new(),
        }
    }
}

/// A confirmed revocation and why: what the queue holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub action: Action,
    pub purpose: Purpose,
}

/// What to tell the admin: a success (role status) or a failure (role alert).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevokeMessage {
    Done(String),
    Failed(String),
}

/// Revokes `ids` one call each, at most `in_flight()` at once (the first
/// alone: its answer tells the server's protocol), until done or `stop` is
/// pressed; `label` says how each session is shown. A session `early` has a
/// lookup for is read again as soon as its revoke is answered, before its
/// place is given to the next.
#[allow(clippy::too_many_arguments)]
pub async fn revoke_sessions(
    backend: &dyn Backend,
    scope: Scope,
    call: &Call<'_>,
    in_flight: &dyn Fn() -> usize,
    ids: Vec<String>,
    label: impl Fn(&str) -> String,
    stop: &Stop,
    early: &Early,
    on_progress: impl FnMut(usize, usize),
) -> RevokeReport {
    let results = run_bulk(
        ids,
        in_flight,
        |id| async move {
            // Refused before sending when the ID could reach more.
            let req = backend
                .revoke(scope, &id)?
                .resend_if_lost()
                .stop_with(stop.token());
            let outcome = backend.revoke_outcome(call(req).await);
            // Not sent, stopped, or its answer lost (checked after the run,
            // with the rest): no check now.
            if !matches!(&outcome, Err(e) if e.is_fatal()) {
                early.check(&id, call, stop).await;
            }
            outcome
        },
        stop,
        on_progress,
    )
    .await;
    RevokeReport::from_results(results, label)
}

/// Runs a sweep on one server: each whole user by the server's own call
/// (its listed sessions reported together), then the single sessions a few
/// at a time — one report for all of it. Stop, or an error that makes the
/// rest pointless (401, sign-out), leaves what is left not sent.
#[allow(clippy::too_many_arguments)]
pub async fn revoke_sweep(
    backend: &dyn Backend,
    scope: Scope,
    call: &Call<'_>,
    in_flight: &dyn Fn() -> usize,
    users: Vec<(String, Vec<String>)>,
    ids: Vec<String>,
    label: impl Fn(&str) -> String,
    stop: &Stop,
    early: &Early,
    mut on_progress: impl FnMut(usize, usize),
) -> RevokeReport {
    let total = users.iter().map(|(_, u)| u.len()).sum::<usize>() + ids.len();
    let mut report = RevokeReport::default();
    let mut done = 0;
    let mut halted: Option<NotSent> = None;
    let unsent = |ids: Vec<String>, why: NotSent| {
        RevokeReport::from_results(
            ids.into_iter()
                .map(|id| (id, ItemResult::NotSent(why)))
                .collect(),
            &label,
        )
    };
    for (user_id, user_ids) in users {
        if stop.is_pressed() {
            halted = Some(NotSent::Stopped);
        }
        if let Some(why) = halted {
            report.merge(unsent(user_ids, why));
            continue;
        }
        let one = Action::UserEndpoint {
            user_id,
            ids: user_ids.clone(),
        };
        let result = revoke_in_one_call(backend, &one, call).await;
        if matches!(&result, Err(e) if e.is_fatal()) {
            halted = Some(NotSent::AfterError);
        }
        report.merge(RevokeReport::from_one_call(&user_ids, &result, &label));
        done += user_ids.len();
        on_progress(done, total);
    }
    if stop.is_pressed() {
        halted = Some(NotSent::Stopped);
    }
    match halted {
        Some(why) => report.merge(unsent(ids, why)),
        None => {
            let rest = revoke_sessions(
                backend,
                scope,
                call,
                in_flight,
                ids,
                &label,
                stop,
                early,
                |d, _| on_progress(done + d, total),
            )
            .await;
            report.merge(rest);
        }
    }
    report
}

/// Runs an action the server does in one call (a user's sessions, all
/// others, all); done only when the server answered as its API does.
pub async fn revoke_in_one_call(
    backend: &dyn Backend,
    action: &Action,
    call: &Call<'_>,
) -> Result<(), ApiError> {
    let req = match action {
        Action::UserEndpoint { user_id, .. } => backend.revoke_user(user_id),
        Action::Others => backend.revoke_others().map(Ok),
        Action::All => backend.revoke_all().map(Ok),
        Action::Sessions { .. } | Action::Sweep { .. } => None,
    };
    let req = req.ok_or_else(|| ApiError::BadResponse {
        status: 0,
        why: "this server offers no such call".into(),
    })??;
    backend.done_outcome(call(req.resend_if_lost()).await)
}

/// What one session's revocation did (`what`: how it is shown), with what
/// the fresh read afterwards found.
pub fn one_said(report: &RevokeReport, id: &str, what: &str) -> RevokeMessage {
    if let Some((_, answer)) = report.gone_despite.iter().find(|(i, _)| i == id) {
        return RevokeMessage::Done(format!(
            "Session {id} ({what}) is gone: a fresh read no longer lists it, though its answer was not a success ({answer})"
        ));
    }
    let unchecked = report.unchecked.iter().find(|(i, _)| i == id);
    if let (true, Some((_, why))) = (report.failed.is_empty(), unchecked) {
        let said = if report.revoked.is_empty() {
            "The server says it no longer knows"
        } else {
            "Revoked"
        };
        return RevokeMessage::Done(format!(
            "{said} session {id} ({what}), but it could not be checked: {why}."
        ));
    }
    if !report.revoked.is_empty() {
        RevokeMessage::Done(if report.verified {
            format!("Revoked session {id} ({what}): confirmed gone, the server no longer lists it. It has to sign in again.")
        } else {
            format!("Revoked session {id} ({what}). It has to sign in again.")
        })
    } else if !report.already_gone.is_empty() {
        RevokeMessage::Done(format!(
            "Session {id} ({what}) was already gone; it was removed from the list."
        ))
    } else if let Some(f) = report.failed.first() {
        RevokeMessage::Failed(format!(
            "Could not revoke session {id} ({what}): {} Use its Revoke button to try again.",
            f.reason
        ))
    } else if let Some(f) = report.not_sent.first() {
        RevokeMessage::Failed(format!(
            "Session {id} ({what}) was not revoked: {}",
            f.reason
        ))
    } else {
        RevokeMessage::Failed(format!("Session {id} ({what}) was not revoked."))
    }
}

/// What a batch did, in one sentence (details are in the report).
pub fn batch_said(report: &RevokeReport) -> RevokeMessage {
    if report.is_clean() {
        RevokeMessage::Done(report.summary())
    } else {
        RevokeMessage::Failed(format!(
            "{} See the report for what failed and why.",
            report.summary()
        ))
    }
}

/// What a one-call action did (`who`: the user of "all of a user";
/// `others_done`: the backend's words for "all others" done), as its
/// answer and the fresh read afterwards (`report`) say. "All" ends the
/// panel's own session: that connection closes with [`ALL_REVOKED`].
pub fn call_said(
    action: &Action,
    result: &Result<(), ApiError>,
    report: &RevokeReport,
    who: &str,
    others_done: &str,
) -> RevokeMessage {
    let checked = report.verification();
    let checked = if checked.is_empty() {
        String::new()
    } else {
        format!(" ({checked})")
    };
    if !report.is_clean() {
        let read = report.verification();
        return RevokeMessage::Failed(match result {
            Err(e) if read.is_empty() => format!("Nothing was confirmed revoked: {e}"),
            Err(e) => format!("Nothing was confirmed revoked: {e} Read again: {read}."),
            Ok(()) => format!(
                "The server answered that it ended them, but a fresh read disagrees: {read}. See the report; Retry sends each one again."
            ),
        });
    }
    let despite = match result {
        Err(_) => " Its answer was not the API's, but the fresh read shows it happened.",
        Ok(()) => "",
    };
    let read = report.verification();
    RevokeMessage::Done(match action {
        Action::Others if read.is_empty() => {
            format!("{others_done}{despite} The list was reloaded.")
        }
        Action::Others => {
            format!("{others_done} Read again: {read}.{despite} The list was reloaded.")
        }
        Action::All => format!("{ALL_REVOKED}{despite}"),
        a => format!(
            "Revoked all {} sessions of {who}{checked}.{despite}",
            a.ids().len()
        ),
    })
}

/// Why the admin is back at Connect after "Revoke all sessions".
/// Why a connection was closed after "Revoke all sessions" (the panel's
/// other connections go on).
pub const ALL_REVOKED: &str = "all sessions of this account were revoked, including the one this panel used. Connect again to continue with this server.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::BackendKind;
    use crate::http::request::{ApiRequest, RawResponse};
    use futures::executor::block_on;
    use futures::future::LocalBoxFuture;
    use std::cell::RefCell;

    fn answer(status: u16, body: &str) -> Result<RawResponse, ApiError> {
        Ok(RawResponse::of(status, body))
    }

    #[test]
    fn a_batch_sends_only_the_chosen_and_refuses_unsafe_ids_unsent() {
        let sent = RefCell::new(Vec::new());
        let call = |r: ApiRequest| -> LocalBoxFuture<'_, _> {
            assert!(
                r.resend_if_lost,
                "a revoke is sent again if its connection is lost"
            );
            sent.borrow_mut().push(r.path.clone());
            Box::pin(async { answer(200, "") })
        };
        let ids = ["ok-1", "all", "../x", "ok-2"].map(String::from).to_vec();
        let report = block_on(revoke_sessions(
            BackendKind::SelfService.backend(),
            Scope::Own,
            &call,
            &|| 6,
            ids,
            |id| format!("label {id}"),
            &Stop::default(),
            &Early::default(),
            |_, _| {},
        ));
        let mut paths = sent.borrow().clone();
        paths.sort();
        assert_eq!(paths, ["/auth/sessions/ok-1", "/auth/sessions/ok-2"]);
        assert_eq!(report.revoked.len(), 2);
        assert_eq!(report.failed.len(), 2);
        assert!(report.failed[0].reason.starts_with("Not sent: the ID"));
        assert_eq!(
            report.failed[0].label,
            format!("label {}", report.failed[0].id)
        );
    }

    #[test]
    fn a_sweep_ends_whole_users_in_one_call_then_single_sessions_one_report() {
        let ds = BackendKind::DocSpace.backend();
        let sent = RefCell::new(Vec::new());
        let call = |r: ApiRequest| -> LocalBoxFuture<'_, _> {
            assert!(
                r.resend_if_lost,
                "{} is sent again if its connection is lost",
                r.path
            );
            let path = r.path.clone();
            sent.borrow_mut().push(path.clone());
            Box::pin(async move {
                if path.ends_with("/logoutall/u-bad") {
                    Err(ApiError::Server {
                        status: 500,
                        message: "boom".into(),
                    })
                } else if path.contains("/logoutall/") {
                    answer(200, r#"{"response":null,"status":0}"#)
                } else {
                    answer(200, r#"{"response":true,"status":0}"#)
                }
            })
        };
        let mut progress = Vec::new();
        let report = block_on(revoke_sweep(
            ds,
            Scope::All,
            &call,
            &|| 6,
            vec![
                ("u-1".into(), vec!["1".into(), "2".into()]),
                ("u-bad".into(), vec!["3".into()]),
            ],
            vec!["7".into()],
            |id| format!("#{id}"),
            &Stop::default(),
            &Early::default(),
            |d, t| progress.push((d, t)),
        ));
        assert_eq!(
            *sent.borrow(),
            [
                "/api/2.0/security/activeconnections/logoutall/u-1",
                "/api/2.0/security/activeconnections/logoutall/u-bad",
                "/api/2.0/security/activeconnections/logout/7",
            ]
        );
        assert_eq!(report.requested, 4);
        assert_eq!(report.revoked, ["1", "2", "7"]);
        assert_eq!(report.retry_ids(), ["3"]);
        assert_eq!(report.failed[0].label, "#3");
        assert_eq!(progress.last(), Some(&(4, 4)));

        // Stopped before it began: nothing is sent, everything is retryable.
        sent.borrow_mut().clear();
        let stop = Stop::default();
        stop.press();
        let report = block_on(revoke_sweep(
            ds,
            Scope::All,
            &call,
            &|| 6,
            vec![("u-1".into(), vec!["1".into()])],
            vec!["7".into()],
            |id| id.to_string(),
            &stop,
            &Early::default(),
            |_, _| {},
        ));
        assert!(sent.borrow().is_empty());
        assert!(report.stopped);
        assert_eq!(report.retry_ids(), ["1", "7"]);
    }

    #[test]
    fn one_call_actions_count_only_on_an_api_answer() {
        let ds = BackendKind::DocSpace.backend();
        let user = Action::UserEndpoint {
            user_id: "u-1".into(),
            ids: vec!["1".into(), "2".into()],
        };
        let ok = |_: ApiRequest| -> LocalBoxFuture<'static, _> {
            Box::pin(async { answer(200, r#"{"response":null,"status":0}"#) })
        };
        let page = |_: ApiRequest| -> LocalBoxFuture<'static, _> {
            Box::pin(async { answer(200, "<html>Sign in</html>") })
        };
        let done = block_on(revoke_in_one_call(ds, &user, &ok));
        assert_eq!(done, Ok(()));
        let ids = user.ids().to_vec();
        let report = RevokeReport::from_one_call(&ids, &done, |i| i.to_string());
        assert_eq!(
            call_said(&user, &done, &report, "Irina", ""),
            RevokeMessage::Done("Revoked all 2 sessions of Irina.".into())
        );
        // The fresh read says.
        let mut checked = report.clone();
        checked.verified_by(
            &ids.iter()
                .map(|i| (i.clone(), verify::Verdict::Gone))
                .collect(),
        );
        assert_eq!(
            call_said(&user, &done, &checked, "Irina", ""),
            RevokeMessage::Done(
                "Revoked all 2 sessions of Irina (2 confirmed gone, 0 still listed).".into()
            )
        );
        let mut stale = report.clone();
        stale.verified_by(
            &ids.iter()
                .map(|i| (i.clone(), verify::Verdict::StillListed))
                .collect(),
        );
        assert!(
            matches!(call_said(&user, &done, &stale, "Irina", ""), RevokeMessage::Failed(m) if m.contains("a fresh read disagrees: 0 confirmed gone, 2 still listed.")),
        );
        let html = block_on(revoke_in_one_call(ds, &Action::Others, &page));
        assert_eq!(html, Err(ApiError::HtmlPage { status: 200 }));
        let failed = RevokeReport::from_one_call(&ids, &html, |i| i.to_string());
        assert!(
            matches!(call_said(&Action::Others, &html, &failed, "", ""), RevokeMessage::Failed(m) if m.starts_with("Nothing was confirmed revoked: 200 OK"))
        );
        // The answer was lost, the fresh read shows it happened.
        let mut after = failed.clone();
        after.verified_by(
            &ids.iter()
                .map(|i| (i.clone(), verify::Verdict::Gone))
                .collect(),
        );
        assert!(
            matches!(call_said(&Action::Others, &html, &after, "", "Closed."), RevokeMessage::Done(m) if m.contains("fresh read shows it happened")),
        );
        // Not offered by this backend: refused, nothing sent.
        let none = |_: ApiRequest| -> LocalBoxFuture<'static, _> { panic!("nothing may be sent") };
        assert!(block_on(revoke_in_one_call(ds, &Action::All, &none)).is_err());
        let unsafe_user = Action::UserEndpoint {
            user_id: "..".into(),
            ids: vec![],
        };
        assert!(matches!(
            block_on(revoke_in_one_call(ds, &unsafe_user, &none)),
            Err(ApiError::UnsafeId { .. })
        ));
    }

    #[test]
    fn messages_for_one_session() {
        let report = |r: crate::bulk::ItemResult<crate::backends::Revoked>| {
            RevokeReport::from_results(vec![("s1".into(), r)], |_| "alice".into())
        };
        use crate::backends::Revoked;
        use crate::bulk::{ItemResult, NotSent};
        assert_eq!(
            one_said(&report(ItemResult::Done(Revoked::Now)), "s1", "alice"),
            RevokeMessage::Done("Revoked session s1 (alice). It has to sign in again.".into())
        );
        assert!(matches!(
            one_said(&report(ItemResult::Done(Revoked::AlreadyGone)), "s1", "alice"),
            RevokeMessage::Done(m) if m.contains("already gone")
        ));
        assert!(matches!(
            one_said(&report(ItemResult::Failed(ApiError::Server { status: 500, message: "x".into() })), "s1", "alice"),
            RevokeMessage::Failed(m) if m.starts_with("Could not revoke session s1 (alice): 500")
        ));
        assert!(matches!(
            one_said(&report(ItemResult::NotSent(NotSent::Stopped)), "s1", "alice"),
            RevokeMessage::Failed(m) if m.contains("you stopped the batch")
        ));
        let clean = report(ItemResult::Done(Revoked::Now));
        assert_eq!(
            batch_said(&clean),
            RevokeMessage::Done("Revoked 1 of 1 session.".into())
        );
    }
}
