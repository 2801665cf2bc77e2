//! Verified revocation: after every revoke the panel reads again what it
//! concerned — only what it needs where the API can narrow the read
//! ([`Backend::verify_probes`]), bounded — and marks each session it
//! attempted **gone** (a complete, fresh read no longer lists it), **still
//! listed**, or **not checked** (and why). A session still listed is read
//! once more after a short pause before it counts. Pure: the reads go
//! through the connection's `call`, so this is tested natively.

use crate::backends::common::LoadReport;
use crate::backends::paging::{self, Limits, LoadPlan};
pub use crate::backends::paging::{by_user, Probe, Target, MAX_PROBES};
use crate::backends::{Backend, Call, Scope};
use crate::bulk::{bounded, Stop};
use crate::http::request::ApiError;
use futures::future::LocalBoxFuture;
use futures::StreamExt;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// What a fresh read found of one attempted session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A complete, fresh read no longer lists it.
    Gone,
    /// Still listed after the re-check.
    StillListed,
    /// Not checked: why (the read failed, was cut short, or the list moved).
    Unchecked(String),
}

/// The pause before a session still listed is read once more (a server
/// whose list lags its logouts by a moment).
pub const RECHECK_AFTER_MS: f64 = 2_000.0;

/// Why a session was not checked when the list moved while it was read
/// (it is read again in the re-check).
const MOVED: &str = "the list changed while it was read again, so its absence proves nothing";

/// Checks `targets` on a server with `backend` (`listed`: how many sessions
/// its list holds, for choosing the cheapest read), re-checking after
/// [`RECHECK_AFTER_MS`] (`sleep`) the ones still listed or read while the
/// list moved. `found`: what was already read of some of them (the
/// [`Early`] lookups made as their revokes were answered) — those are not
/// read again here, only re-checked. Every target gets a verdict.
#[allow(clippy::too_many_arguments)]
pub async fn verify(
    backend: &dyn Backend,
    scope: Scope,
    call: &Call<'_>,
    in_flight: &dyn Fn() -> usize,
    targets: &[Target],
    listed: usize,
    sleep: &dyn Fn(f64) -> LocalBoxFuture<'static, ()>,
    found: HashMap<String, Verdict>,
) -> HashMap<String, Verdict> {
    let unread: Vec<Target> = targets
        .iter()
        .filter(|t| !found.contains_key(&t.id))
        .cloned()
        .collect();
    let mut verdicts = found;
    verdicts.extend(check(backend, scope, call, in_flight, &unread, listed).await);
    let again: Vec<Target> = targets
        .iter()
        .filter(|t| match verdicts.get(&t.id) {
            Some(Verdict::StillListed) => true,
            Some(Verdict::Unchecked(why)) => why == MOVED,
            _ => false,
        })
        .cloned()
        .collect();
    if !again.is_empty() {
        sleep(RECHECK_AFTER_MS).await;
        verdicts.extend(check(backend, scope, call, in_flight, &again, listed).await);
    }
    verdicts
}

/// One pass: the backend's reads for `targets`, at most `in_flight()` at
/// once; a read that fails leaves what it covers not checked.
pub async fn check(
    backend: &dyn Backend,
    scope: Scope,
    call: &Call<'_>,
    in_flight: &dyn Fn() -> usize,
    targets: &[Target],
    listed: usize,
) -> HashMap<String, Verdict> {
    let mut out = HashMap::with_capacity(targets.len());
    if targets.is_empty() {
        return out;
    }
    let probes = backend.verify_probes(scope, targets, listed);
    if probes.len() > MAX_PROBES {
        let why = format!(
            "checking {} sessions one read each would take more than {MAX_PROBES} requests; Refresh to see which are still listed",
            targets.len()
        );
        for t in targets {
            out.insert(t.id.clone(), Verdict::Unchecked(why.clone()));
        }
        return out;
    }
    let mut reads = bounded(probes, in_flight, |probe| read(probe, call, in_flight));
    while let Some(read) = reads.next().await {
        judge(&mut out, read);
    }
    out
}

/// What one read found: the sessions it covers, those of them it listed,
/// and how the read ended.
type Read = (
    HashSet<String>,
    HashSet<String>,
    Result<LoadReport, ApiError>,
);

/// Reads `probe` whole.
async fn read(probe: Probe, call: &Call<'_>, in_flight: &dyn Fn() -> usize) -> Read {
    let covers: HashSet<String> = probe.covers.into_iter().collect();
    let mut seen = HashSet::new();
    let result = paging::run_within(
        probe.plan,
        call,
        in_flight,
        Limits::default(),
        &mut |step| {
            for s in step.sessions {
                // Exactly this ID, never a part of another.
                if covers.contains(&s.id) {
                    seen.insert(s.id);
                }
            }
        },
    )
    .await;
    (covers, seen, result)
}

/// Adds to `out` the verdict of `read` on each session it covers.
fn judge(out: &mut HashMap<String, Verdict>, (covers, seen, result): Read) {
    for id in covers {
        let verdict = match &result {
            _ if seen.contains(&id) => Verdict::StillListed,
            Ok(report) if report.capped.is_some() => Verdict::Unchecked(
                "the list is longer than the panel reads, so its absence proves nothing; narrow the list on the server".into(),
            ),
            Ok(report) if report.list_changed => Verdict::Unchecked(MOVED.into()),
            Ok(_) => Verdict::Gone,
            Err(e) => Verdict::Unchecked(unchecked_because(e)),
        };
        // A session two reads cover is listed if either lists it.
        match out.get(&id) {
            Some(Verdict::StillListed) => {}
            _ => {
                out.insert(id, verdict);
            }
        }
    }
}

/// Lookups begun as the revokes are answered. Where the backend's cheapest
/// check of a run reads a session by its own ID, that read is made as soon
/// as the session's revoke is answered, in the revoke's place among those
/// in flight: a server busy ending sessions answers lookups meanwhile, so
/// the check no longer waits for the last revoke. Sessions a list read
/// checks wait for [`verify`], which is handed what was found here.
#[derive(Default)]
pub struct Early {
    lookups: RefCell<HashMap<String, Probe>>,
    found: RefCell<HashMap<String, Verdict>>,
}

impl Early {
    /// The lookups by ID the backend would make to check `targets` (none
    /// where a list read is cheaper, or where the reads would be more than
    /// [`MAX_PROBES`]).
    pub fn plan(backend: &dyn Backend, scope: Scope, targets: &[Target], listed: usize) -> Early {
        let probes = backend.verify_probes(scope, targets, listed);
        if probes.len() > MAX_PROBES {
            return Early::default();
        }
        let lookups = probes
            .into_iter()
            .filter_map(|p| match (&p.plan, p.covers.as_slice()) {
                (LoadPlan::Lookup { .. }, [id]) => Some((id.clone(), p)),
                _ => None,
            })
            .collect();
        Early {
            lookups: RefCell::new(lookups),
            found: RefCell::default(),
        }
    }

    /// Whether any session is looked up as its revoke is answered.
    pub fn is_planned(&self) -> bool {
        !self.lookups.borrow().is_empty()
    }

    /// Reads session `id` again, if it has a lookup of its own and `stop`
    /// was not pressed (the lookup stops with the batch, too).
    pub async fn check(&self, id: &str, call: &Call<'_>, stop: &Stop) {
        if stop.is_pressed() {
            return;
        }
        let Some(mut probe) = self.lookups.borrow_mut().remove(id) else {
            return;
        };
        if let LoadPlan::Lookup { request, .. } = &mut probe.plan {
            request.stop = Some(stop.token().clone());
        }
        let read = read(probe, call, &|| 1).await;
        // Stopped while it waited (a rate limit): never sent, so no verdict.
        if !matches!(read.2, Err(ApiError::BatchStopped)) {
            judge(&mut self.found.borrow_mut(), read);
        }
    }

    /// What the lookups found.
    pub fn found(self) -> HashMap<String, Verdict> {
        self.found.into_inner()
    }
}

/// Why a read that failed leaves its sessions not checked.
fn unchecked_because(e: &ApiError) -> String {
    format!("the list could not be read again: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::paging::LoadPlan;
    use crate::backends::BackendKind;
    use crate::http::request::{ApiRequest, RawResponse};
    use futures::executor::block_on;
    use std::cell::RefCell;

    fn t(id: &str, user: &str) -> Target {
        Target {
            id: id.into(),
            user_id: Some(user.into()),
            user_rows: 0,
        }
    }

    fn no_sleep(_: f64) -> LocalBoxFuture<'static, ()> {
        Box::pin(async {})
    }

    /// `resp` as the connection hands it on: read by the backend's
    /// `classify` first, as the transport does.
    fn classified(
        backend: &dyn Backend,
        r: &ApiRequest,
        resp: RawResponse,
    ) -> Result<RawResponse, ApiError> {
        backend.classify(r, &resp).map(|()| resp)
    }

    /// A Rocket.Chat list of `rows` (id, user), answering `filter` as the
    /// server does (a part of a session ID or user ID), and `info.admin`
    /// by exact ID ("Session not found" in its envelope, 404, for none).
    fn rc(
        rows: &RefCell<Vec<(String, String)>>,
        asked: &RefCell<Vec<String>>,
        r: &ApiRequest,
    ) -> RawResponse {
        asked.borrow_mut().push(r.path_and_query());
        let q = |k: &str| r.query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if r.path.ends_with("/logout") {
            let body = r.body.as_ref().map(ToString::to_string).unwrap_or_default();
            let id = crate::json::parse(&body).unwrap()["sessionId"]
                .as_str()
                .unwrap()
                .to_string();
            // "stuck" sessions are said ended but stay listed.
            rows.borrow_mut()
                .retain(|(s, _)| *s != id || s.starts_with("stuck"));
            return RawResponse::of(200, r#"{"success":true}"#);
        }
        if r.path.ends_with("/info.admin") {
            let id = q("sessionId").unwrap();
            return match rows.borrow().iter().find(|(s, _)| *s == id) {
                Some((s, u)) => RawResponse::of(
                    200,
                    &format!(r#"{{"sessionId":"{s}","userId":"{u}","success":true}}"#),
                ),
                None => RawResponse::of(404, r#"{"success":false,"error":"Session not found"}"#),
            };
        }
        let offset: usize = q("offset").unwrap().parse().unwrap();
        let filter = q("filter").unwrap_or_default();
        let all: Vec<String> = rows
            .borrow()
            .iter()
            .filter(|(id, u)| id.contains(&filter) || u.contains(&filter))
            .map(|(id, u)| format!(r#"{{"_id":"{id}","sessionId":"{id}","userId":"{u}"}}"#))
            .collect();
        let page: Vec<String> = all.iter().skip(offset).take(100).cloned().collect();
        RawResponse::of(
            200,
            &format!(
                r#"{{"sessions":[{}],"total":{},"success":true}}"#,
                page.join(","),
                all.len()
            ),
        )
    }

    #[test]
    fn a_few_sessions_are_looked_up_by_their_ids_and_told_apart_exactly() {
        let rows = RefCell::new(
            ["s1", "s10", "s2", "s3"]
                .iter()
                .map(|s| (s.to_string(), format!("u-{s}")))
                .collect::<Vec<_>>(),
        );
        // s1 was revoked (gone); s10 — whose ID holds "s1" — was not; s2
        // is still listed.
        rows.borrow_mut().retain(|(id, _)| id != "s1");
        let asked = RefCell::new(Vec::new());
        let backend = BackendKind::RocketChat.backend();
        let call = |r: ApiRequest| -> LocalBoxFuture<'_, _> {
            let a = classified(backend, &r, rc(&rows, &asked, &r));
            Box::pin(async move { a })
        };
        let v = block_on(verify(
            backend,
            Scope::All,
            &call,
            &|| 6,
            &[
                Target {
                    id: "s1".into(),
                    user_id: None,
                    user_rows: 0,
                },
                Target {
                    id: "s2".into(),
                    user_id: None,
                    user_rows: 0,
                },
            ],
            10_000,
            &no_sleep,
            HashMap::new(),
        ));
        assert_eq!(v["s1"], Verdict::Gone, "s10 is not s1");
        assert_eq!(v["s2"], Verdict::StillListed);
        let asked = asked.into_inner();
        assert!(
            asked.iter().all(|q| q.contains("/info.admin?sessionId=")),
            "lookups by ID only: {asked:?}"
        );
        // s2 read twice (the re-check), s1 once.
        assert_eq!(asked.len(), 3, "{asked:?}");
    }

    #[test]
    fn a_lookup_answered_by_anyone_but_the_api_proves_nothing() {
        let backend = BackendKind::RocketChat.backend();
        // What one check of s1 finds when the lookup is answered so.
        let verdict = |status: u16, body: &'static str| {
            let call = move |r: ApiRequest| -> LocalBoxFuture<'static, _> {
                let a = classified(backend, &r, RawResponse::of(status, body));
                Box::pin(async move { a })
            };
            let v = block_on(check(
                backend,
                Scope::All,
                &call,
                &|| 6,
                &[t("s1", "u1")],
                1_000_000,
            ));
            v["s1"].clone()
        };
        let answers = [
            // A proxy's own 404 pages: not Rocket.Chat's "Session not found".
            (404, "default backend - 404"),
            (404, "<html><body>404 Not Found</body></html>"),
            (404, r#"{"message":"no Route matched with those values"}"#),
            (404, ""),
            // 200, but not Rocket.Chat's envelope, or about another session.
            (200, r#"{"ok":true}"#),
            (200, r#"{"sessionId":"other","success":true}"#),
            (200, "<html>sign in</html>"),
        ];
        for (status, body) in answers {
            let v = verdict(status, body);
            assert!(
                matches!(&v, Verdict::Unchecked(_)),
                "{status} {body:?} → {v:?}"
            );
        }
        // Rocket.Chat's own answers decide: gone, or still listed.
        assert_eq!(
            verdict(404, r#"{"success":false,"error":"Session not found"}"#),
            Verdict::Gone
        );
        assert_eq!(
            verdict(200, r#"{"sessionId":"s1","userId":"u1","success":true}"#),
            Verdict::StillListed
        );
    }

    #[test]
    fn many_sessions_of_few_people_are_read_per_person_and_a_small_list_whole() {
        let backend = BackendKind::RocketChat.backend();
        let targets: Vec<Target> = (0..1500)
            .map(|i| t(&format!("s{i}"), &format!("u{}", i % 3)))
            .collect();
        let probes = backend.verify_probes(Scope::All, &targets, 100_000);
        assert_eq!(probes.len(), 3, "one read per person");
        assert!(probes.iter().all(|p| p.covers.len() == 500));
        // A filtered read of a million costs the server more than 500
        // lookups by ID.
        let probes = backend.verify_probes(Scope::All, &targets, 1_000_000);
        assert_eq!(probes.len(), 1500);
        // A list of 200 is read whole (2 pages) rather than three times.
        let probes = backend.verify_probes(Scope::All, &targets, 200);
        assert_eq!(probes.len(), 1);
        assert_eq!(probes[0].covers.len(), 1500);
        // Two sessions of one person among a thousand of others: looked up
        // by ID too — their filtered read costs a tenth of the list, which
        // would make the whole list the cheaper read.
        let mixed: Vec<Target> = (0..1000)
            .map(|i| t(&format!("s{i}"), &format!("u{}", i.max(1))))
            .collect();
        let probes = backend.verify_probes(Scope::All, &mixed, 100_000);
        assert_eq!(probes.len(), 1000);
        // A thousand sessions of a thousand people on a list of 100,000:
        // a thousand lookups by ID, no more requests than the list's 1,000
        // pages and far smaller answers; on a million, not the million.
        let many: Vec<Target> = (0..1000)
            .map(|i| t(&format!("s{i}"), &format!("u{i}")))
            .collect();
        for listed in [100_000, 1_000_000] {
            let probes = backend.verify_probes(Scope::All, &many, listed);
            assert_eq!(probes.len(), 1000);
            assert!(probes.iter().all(
                |p| matches!(&p.plan, LoadPlan::Lookup { id, .. } if p.covers == [id.clone()])
            ));
        }
        // On a list of 10,000 (100 pages), the list is read whole.
        let probes = backend.verify_probes(Scope::All, &many, 10_000);
        assert_eq!(probes.len(), 1);
        assert_eq!(probes[0].covers.len(), 1000);
        // More than the reads one check makes: the whole list.
        let more: Vec<Target> = (0..MAX_PROBES + 1)
            .map(|i| t(&format!("s{i}"), &format!("u{i}")))
            .collect();
        assert_eq!(backend.verify_probes(Scope::All, &more, 1_000_000).len(), 1);
        // Someone the list holds 50,000 sessions of: 500 pages to read
        // them, so their five here are read by ID; another's thirty with
        // the one page of theirs (a list of 20,000: a filtered read costs
        // about 20 of its pages).
        let big: Vec<Target> = (0..35)
            .map(|i| Target {
                user_rows: if i < 5 { 50_000 } else { 30 },
                ..t(&format!("s{i}"), if i < 5 { "u0" } else { "u1" })
            })
            .collect();
        let probes = backend.verify_probes(Scope::All, &big, 20_000);
        assert_eq!(probes.len(), 5 + 1, "{}", probes.len());
        assert_eq!(probes.iter().filter(|p| p.covers.len() == 30).count(), 1);
        assert!(probes.iter().filter(|p| p.covers.len() == 1).all(|p| big
            .iter()
            .any(|t| t.id == p.covers[0] && t.user_id.as_deref() == Some("u0"))));
        // Henshin: the users concerned only.
        let hs = BackendKind::Henshin.backend();
        let probes = hs.verify_probes(Scope::All, &targets, 1_000_000);
        assert_eq!(probes.len(), 1);
        match &probes[0].plan {
            LoadPlan::Users { users, .. } => assert_eq!(users, &["u0", "u1", "u2"]),
            _ => panic!("the users concerned, not the whole list"),
        }
    }

    #[test]
    fn a_failed_read_leaves_its_sessions_unchecked_and_a_cut_read_proves_nothing() {
        let backend = BackendKind::DocSpace.backend();
        let fail = |_: ApiRequest| -> LocalBoxFuture<'static, _> {
            Box::pin(async {
                Err(ApiError::Server {
                    status: 502,
                    message: "bad gateway".into(),
                })
            })
        };
        let v = block_on(verify(
            backend,
            Scope::All,
            &fail,
            &|| 6,
            &[t("1", "u")],
            1,
            &no_sleep,
            HashMap::new(),
        ));
        assert!(
            matches!(&v["1"], Verdict::Unchecked(why) if why.contains("could not be read again: 502")),
            "{v:?}"
        );
        // A list that moved while it was read: read again; listed then.
        let reads = RefCell::new(0);
        let moving = |_: ApiRequest| -> LocalBoxFuture<'_, _> {
            *reads.borrow_mut() += 1;
            let body = if *reads.borrow() == 1 {
                // The same connection twice: the list moved.
                r#"{"response":{"loginEvent":0,"items":[{"id":2},{"id":2}]},"status":0}"#
            } else {
                r#"{"response":{"loginEvent":0,"items":[{"id":1},{"id":2}]},"status":0}"#
            };
            Box::pin(async move { Ok(RawResponse::of(200, body)) })
        };
        let v = block_on(verify(
            backend,
            Scope::All,
            &moving,
            &|| 6,
            &[t("1", "u")],
            2,
            &no_sleep,
            HashMap::new(),
        ));
        assert_eq!(v["1"], Verdict::StillListed);
        assert_eq!(*reads.borrow(), 2);
    }

    #[test]
    fn a_session_listed_once_more_after_the_pause_is_gone_if_the_second_read_says_so() {
        let backend = BackendKind::SelfService.backend();
        let reads = RefCell::new(0);
        let slept = RefCell::new(Vec::new());
        let lagging = |_: ApiRequest| -> LocalBoxFuture<'_, _> {
            *reads.borrow_mut() += 1;
            let body = if *reads.borrow() == 1 {
                r#"[{"sessionId":"a"},{"sessionId":"b"}]"#
            } else {
                r#"[{"sessionId":"b"}]"#
            };
            Box::pin(async move { Ok(RawResponse::of(200, body)) })
        };
        let sleep = |ms: f64| -> LocalBoxFuture<'static, ()> {
            slept.borrow_mut().push(ms);
            Box::pin(async {})
        };
        let v = block_on(verify(
            backend,
            Scope::Own,
            &lagging,
            &|| 6,
            &[t("a", "")],
            2,
            &sleep,
            HashMap::new(),
        ));
        assert_eq!(v["a"], Verdict::Gone);
        assert_eq!(*slept.borrow(), [RECHECK_AFTER_MS]);
    }

    /// Revokes `ids` on `rows` (Rocket.Chat, one in flight) with the early
    /// lookups, then verifies as the panel does: what was asked, in order,
    /// and the verdicts.
    fn revoke_then_verify(
        rows: Vec<&str>,
        ids: &[&str],
        stop_at: Option<&str>,
    ) -> (Vec<String>, HashMap<String, Verdict>) {
        let rows = RefCell::new(
            rows.iter()
                .map(|s| (s.to_string(), format!("u-{s}")))
                .collect(),
        );
        let asked = RefCell::new(Vec::new());
        let backend = BackendKind::RocketChat.backend();
        let stop = Stop::default();
        let call = |r: ApiRequest| -> LocalBoxFuture<'_, _> {
            let a = classified(backend, &r, rc(&rows, &asked, &r));
            if stop_at.is_some_and(|id| r.body.as_ref().is_some_and(|b| b.to_string().contains(id)))
            {
                stop.press();
            }
            Box::pin(async move { a })
        };
        let targets: Vec<Target> = ids
            .iter()
            .map(|id| Target {
                id: id.to_string(),
                user_id: None,
                user_rows: 0,
            })
            .collect();
        let early = Early::plan(backend, Scope::All, &targets, 10_000);
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        block_on(crate::revoke::revoke_sessions(
            backend,
            Scope::All,
            &call,
            &|| 1,
            ids,
            str::to_string,
            &stop,
            &early,
            |_, _| {},
        ));
        let found = early.found();
        let v = if stop.is_pressed() {
            found
        } else {
            block_on(verify(
                backend,
                Scope::All,
                &call,
                &|| 1,
                &targets,
                10_000,
                &no_sleep,
                found,
            ))
        };
        (asked.into_inner(), v)
    }

    #[test]
    fn each_session_is_looked_up_as_soon_as_its_revoke_is_answered_and_not_read_again() {
        let (asked, v) = revoke_then_verify(
            vec!["s1", "stuck2", "s3", "s30"],
            &["s1", "stuck2", "s3"],
            None,
        );
        let info = |id: &str| format!("/api/v1/sessions/info.admin?sessionId={id}");
        let logout = "/api/v1/sessions/logout".to_string();
        assert_eq!(
            asked,
            [
                logout.clone(),
                info("s1"),
                logout.clone(),
                info("stuck2"),
                logout,
                info("s3"),
                // Only the one still listed is read again, after the pause.
                info("stuck2"),
            ]
        );
        assert_eq!(v["s1"], Verdict::Gone);
        assert_eq!(v["s3"], Verdict::Gone, "s30 is not s3");
        assert_eq!(v["stuck2"], Verdict::StillListed);
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn after_stop_no_lookup_is_sent() {
        let (asked, v) = revoke_then_verify(vec!["s1", "s2"], &["s1", "s2"], Some("s1"));
        assert_eq!(asked, ["/api/v1/sessions/logout"], "nothing after the Stop");
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn sessions_a_list_read_checks_are_not_looked_up_early() {
        let backend = BackendKind::RocketChat.backend();
        let many: Vec<Target> = (0..50)
            .map(|i| Target {
                id: format!("s{i}"),
                user_id: None,
                user_rows: 0,
            })
            .collect();
        // 50 sessions on a list of 300: three pages read them all.
        let early = Early::plan(backend, Scope::All, &many, 300);
        assert!(!early.is_planned());
        let early = Early::plan(backend, Scope::All, &many, 100_000);
        assert_eq!(early.lookups.borrow().len(), 50);
        assert!(early.is_planned());
    }
}
