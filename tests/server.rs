//! A `Server`'s control flow, natively: load, quiet refresh, a revoke during
//! a load, Stop, 401 and 429 — through the real transport and the real
//! Rocket.Chat backend, against a scripted server that answers as the
//! reference server does (pages computed when asked, delivered when the
//! test lets them), with the browser replaced by a recording `Host`.

use futures::channel::oneshot;
use futures::executor::{LocalPool, LocalSpawner};
use futures::future::LocalBoxFuture;
use futures::task::LocalSpawnExt;
use leptos::prelude::*;
use sessiondeck::audit;
use sessiondeck::backends::{BackendKind, Credential, Settings};
use sessiondeck::connection::Connection;
use sessiondeck::http::request::{ApiError, ApiRequest, Body, RawResponse};
use sessiondeck::http::transport::{Io, Transport};
use sessiondeck::model::OwnSession;
use sessiondeck::revoke::{Action, BulkState};
use sessiondeck::server::connect::{self, Wiring};
use sessiondeck::server::{Host, Server, ServerId};
use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

const NOW: f64 = 1_796_000_000_000.0;
/// The panel's own session on the scripted server.
const OWN: &str = "s0";

/// An answer with `status` and `body`.
fn resp(status: u16, body: &str) -> RawResponse {
    RawResponse {
        status,
        body: body.into(),
        ..Default::default()
    }
}

/// Holds answers back until opened (a slow network, under the test's control).
#[derive(Default)]
struct Valve {
    shut: Cell<bool>,
    /// While shut, this many more still pass.
    allow: Cell<usize>,
    waiting: RefCell<Vec<oneshot::Sender<()>>>,
}

impl Valve {
    fn shut(&self) {
        self.shut.set(true);
    }

    fn open(&self) {
        self.shut.set(false);
        for w in self.waiting.borrow_mut().drain(..) {
            let _ = w.send(());
        }
    }

    /// Shut, but for the next `n`.
    fn shut_after(&self, n: usize) {
        self.shut.set(true);
        self.allow.set(n);
    }

    /// How many answers it holds back now.
    fn held(&self) -> usize {
        self.waiting.borrow().len()
    }

    fn pass(&self) -> LocalBoxFuture<'static, ()> {
        if !self.shut.get() {
            return Box::pin(async {});
        }
        if self.allow.get() > 0 {
            self.allow.set(self.allow.get() - 1);
            return Box::pin(async {});
        }
        let (tx, rx) = oneshot::channel();
        self.waiting.borrow_mut().push(tx);
        Box::pin(async move {
            let _ = rx.await;
        })
    }
}

/// A Rocket.Chat server as far as these tests need: `list.all` pages of
/// 100 (computed when asked), `info.admin` by exact ID, the own list
/// marking the panel's session, `sessions/logout` with 404 for an unknown
/// ID. `next` answers the next
/// requests instead, in order (a 401, a 429).
struct Scripted {
    sessions: RefCell<Vec<String>>,
    /// The protocol its answers say they came over.
    protocol: RefCell<Option<String>>,
    log: RefCell<Vec<String>>,
    next: RefCell<VecDeque<RawResponse>>,
    lists: Valve,
    logouts: Valve,
    /// Logouts of these answer success and keep the session.
    ghosts: RefCell<HashSet<String>>,
    /// Logouts of these end the session but answer as a proxy would: a
    /// bare 404 (the answer lost on the way).
    lost: RefCell<HashSet<String>>,
}

impl Scripted {
    fn new(n: usize) -> Rc<Scripted> {
        Rc::new(Scripted {
            sessions: RefCell::new((0..n).map(|i| format!("s{i}")).collect()),
            protocol: RefCell::default(),
            log: RefCell::default(),
            next: RefCell::default(),
            lists: Valve::default(),
            logouts: Valve::default(),
            ghosts: RefCell::default(),
            lost: RefCell::default(),
        })
    }

    fn row(id: &str) -> String {
        let n: usize = id[1..].parse().unwrap_or(0);
        format!(
            r#"{{"sessionId":"{id}","_id":"{id}","userId":"u{u}","device":{{"name":"Firefox","os":{{"name":"Linux"}}}},"ip":"10.0.0.{n}","loginAt":"2026-12-01T00:00:00.000Z","_user":{{"username":"user{u}","name":"User {u}"}}{cur}}}"#,
            u = n % 7,
            cur = if id == OWN { r#","current":true"# } else { "" }
        )
    }

    fn answer(&self, r: &ApiRequest) -> RawResponse {
        let param = |k: &str| {
            r.query
                .iter()
                .find(|(q, _)| q == k)
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0)
        };
        self.log
            .borrow_mut()
            .push(format!("{:?} {}", r.method, r.path));
        if let Some(forced) = self.next.borrow_mut().pop_front() {
            return forced;
        }
        if let Some(refused) = Scripted::unsigned(r) {
            return refused;
        }
        let all = self.sessions.borrow();
        let filter = r
            .query
            .iter()
            .find(|(q, _)| q == "filter")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        // As the server filters: a part of a session ID or user ID.
        let all: Vec<&String> = all
            .iter()
            .filter(|id| {
                let user = format!("u{}", id[1..].parse::<usize>().unwrap_or(0) % 7);
                id.contains(&filter) || user.contains(&filter)
            })
            .collect();
        match r.path.as_str() {
            "/api/v1/sessions/list.all" => {
                let (offset, count) = (param("offset"), param("count"));
                let page: Vec<String> = all
                    .iter()
                    .skip(offset)
                    .take(count)
                    .map(|id| Scripted::row(id))
                    .collect();
                resp(
                    200,
                    &format!(
                        r#"{{"sessions":[{}],"count":{},"offset":{offset},"total":{},"success":true}}"#,
                        page.join(","),
                        page.len(),
                        all.len()
                    ),
                )
            }
            "/api/v1/sessions/info.admin" => {
                let id = r
                    .query
                    .iter()
                    .find(|(q, _)| q == "sessionId")
                    .map(|(_, v)| v.as_str());
                match id.filter(|id| self.sessions.borrow().iter().any(|s| s == id)) {
                    Some(id) => resp(
                        200,
                        &Scripted::row(id).replacen('{', r#"{"success":true,"#, 1),
                    ),
                    None => resp(404, r#"{"success":false,"error":"Session not found"}"#),
                }
            }
            "/api/v1/sessions/list" => resp(
                200,
                &format!(
                    r#"{{"sessions":[{}],"count":1,"offset":0,"total":1,"success":true}}"#,
                    Scripted::row(OWN)
                ),
            ),
            _ => resp(404, r#"{"success":false,"error":"Not found"}"#),
        }
    }

    /// A 401 unless `r` carries the connection's credential, as documented.
    fn unsigned(r: &ApiRequest) -> Option<RawResponse> {
        let has = |k: &str, v: &str| r.headers.iter().any(|(hk, hv)| hk == k && hv == v);
        (!(has("X-User-Id", "u3") && has("X-Auth-Token", "pat"))).then(|| {
            resp(
                401,
                r#"{"status":"error","message":"You must be logged in to do this."}"#,
            )
        })
    }

    fn logout(&self, r: &ApiRequest) -> RawResponse {
        let id = match &r.body {
            Some(Body::Json(v)) => v.get("sessionId").and_then(|s| s.as_str()).unwrap_or(""),
            _ => "",
        }
        .to_string();
        self.log.borrow_mut().push(format!("logout {id}"));
        if let Some(forced) = self.next.borrow_mut().pop_front() {
            return forced;
        }
        if let Some(refused) = Scripted::unsigned(r) {
            return refused;
        }
        let mut all = self.sessions.borrow_mut();
        if self.ghosts.borrow().contains(&id) {
            return resp(200, &format!(r#"{{"sessionId":"{id}","success":true}}"#));
        }
        match all.iter().position(|s| *s == id) {
            Some(at) if self.lost.borrow().contains(&id) => {
                all.remove(at);
                resp(404, "")
            }
            Some(at) => {
                all.remove(at);
                resp(200, &format!(r#"{{"sessionId":"{id}","success":true}}"#))
            }
            None => resp(404, r#"{"success":false,"error":"Session not found"}"#),
        }
    }

    fn logged(&self, prefix: &str) -> Vec<String> {
        self.log
            .borrow()
            .iter()
            .filter(|l| l.starts_with(prefix))
            .cloned()
            .collect()
    }
}

/// The browser, as a `Server` sees it, recorded.
struct World {
    spawner: LocalSpawner,
    slept: RefCell<Vec<f64>>,
    max_sessions: Cell<usize>,
    loading: RefCell<Vec<(ServerId, bool)>>,
    said: RefCell<Vec<String>>,
    records: RefCell<Vec<audit::Entry>>,
    ended: RefCell<Vec<ServerId>>,
    marks: RefCell<Vec<String>>,
}

impl Host for World {
    fn now_ms(&self) -> f64 {
        NOW
    }
    fn mark(&self, name: &str) {
        self.marks.borrow_mut().push(name.into());
    }
    fn after_paint(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(async {})
    }
    fn keeping_focus(&self, swap: &mut dyn FnMut()) {
        swap();
    }
    fn spawn(&self, task: LocalBoxFuture<'static, ()>) {
        self.spawner.spawn_local(task).expect("the pool runs");
    }
    fn label(&self, _: ServerId) -> Option<String> {
        Some("Rocket.Chat · chat.test".into())
    }
    fn several_servers(&self) -> bool {
        false
    }
    fn status(&self, text: String) {
        self.said.borrow_mut().push(text);
    }
    fn alert(&self, text: String) {
        self.said.borrow_mut().push(format!("ALERT {text}"));
    }
    fn record(&self, entries: Vec<audit::Entry>) {
        self.records.borrow_mut().extend(entries);
    }
    fn complete(&self, batch: &str, entries: Vec<audit::Entry>) {
        let mut r = self.records.borrow_mut();
        r.retain(|e| !(e.batch == batch && e.outcome == audit::Outcome::Pending));
        r.extend(entries);
    }
    fn all_revoked(&self, server: ServerId) {
        self.ended.borrow_mut().push(server);
    }
    fn sleep(&self, ms: f64) -> LocalBoxFuture<'static, ()> {
        self.slept.borrow_mut().push(ms);
        Box::pin(async {})
    }
    fn max_sessions(&self) -> usize {
        self.max_sessions.get()
    }
    fn set_max_sessions(&self, n: usize) {
        self.max_sessions.set(n);
    }
    fn loading(&self, server: ServerId, on: bool) {
        self.loading.borrow_mut().push((server, on));
    }
}

struct Rig {
    _owner: Owner,
    pool: LocalPool,
    fake: Rc<Scripted>,
    world: Rc<World>,
    transport: Transport,
    server: Server,
}

impl Rig {
    fn new(n: usize) -> Rig {
        let owner = Owner::new();
        owner.set();
        let pool = LocalPool::new();
        let fake = Scripted::new(n);
        let world = Rc::new(World {
            spawner: pool.spawner(),
            slept: RefCell::default(),
            max_sessions: Cell::new(sessiondeck::backends::paging::DEFAULT_MAX_SESSIONS),
            loading: RefCell::default(),
            said: RefCell::default(),
            records: RefCell::default(),
            ended: RefCell::default(),
            marks: RefCell::default(),
        });
        let f = fake.clone();
        let io = Io {
            send: Rc::new(move |r: ApiRequest| {
                let f = f.clone();
                Box::pin(async move {
                    // Answered as the server is now; delivered when let through.
                    let protocol = f.protocol.borrow().clone();
                    if r.path.ends_with("/logout") {
                        let a = f.logout(&r);
                        f.logouts.pass().await;
                        Ok(RawResponse { protocol, ..a })
                    } else {
                        let a = f.answer(&r);
                        f.lists.pass().await;
                        Ok(RawResponse { protocol, ..a })
                    }
                })
            }),
            // A rate-limit wait lasts until Stop.
            sleep: Rc::new(|_| Box::pin(futures::future::pending())),
            now: Rc::new(|| NOW),
        };
        // Opened as the panel opens every connection.
        let conn = Connection {
            kind: BackendKind::RocketChat,
            base_url: "https://chat.test".into(),
            settings: Settings(vec![("user_id".into(), "u3".into())]),
            credential: Credential::token("pat"),
            remember_until: None,
            since: NOW as i64,
            display_name: "Ada Admin".into(),
            issued_by_panel: false,
        };
        let w = world.clone();
        let line = connect::open(
            &conn,
            Wiring {
                unauthorized: Rc::new(move |e| w.said.borrow_mut().push(format!("ENDED {e}"))),
                ..Wiring::quiet(io)
            },
        );
        let transport = line.transport().clone();
        let server = Server::new(
            connect::identity(7, &conn, "https://panel.test"),
            line.link(),
            world.clone(),
        );
        Rig {
            _owner: owner,
            pool,
            fake,
            world,
            transport,
            server,
        }
    }

    fn settle(&mut self) {
        self.pool.run_until_stalled();
    }

    fn listed(&self) -> HashSet<String> {
        self.server
            .list()
            .with_untracked(|l| l.sessions.iter().map(|s| s.id.clone()).collect())
    }

    fn said(&self) -> String {
        self.world.said.borrow().join("\n")
    }
}

#[test]
fn a_load_reads_every_page_then_learns_its_own_session() {
    let mut rig = Rig::new(250);
    rig.server.load();
    assert!(rig.server.loading().get_untracked().is_some());
    rig.settle();
    assert_eq!(rig.listed().len(), 250);
    assert!(rig.server.loading().get_untracked().is_none());
    assert_eq!(rig.server.load_error().get_untracked(), None);
    assert_eq!(
        rig.fake.logged("Get"),
        [
            "Get /api/v1/sessions/list.all",
            "Get /api/v1/sessions/list.all",
            "Get /api/v1/sessions/list.all",
            "Get /api/v1/sessions/list",
        ]
    );
    assert_eq!(
        rig.server.own().get_untracked(),
        OwnSession::Known(Some(OWN.into()))
    );
    let current: Vec<String> = rig.server.list().with_untracked(|l| {
        l.sessions
            .iter()
            .filter(|s| s.current)
            .map(|s| s.id.clone())
            .collect()
    });
    assert_eq!(current, [OWN]);
    let marks = rig.world.marks.borrow().clone();
    assert_eq!(
        marks,
        [
            "sessiondeck:first-page",
            "sessiondeck:loaded",
            "sessiondeck:own-session"
        ]
    );
}

#[test]
fn a_quiet_refresh_keeps_what_is_still_listed_selected_and_marks_what_is_new() {
    let mut rig = Rig::new(30);
    rig.server.load();
    rig.settle();
    rig.server
        .selection()
        .set(&["s3", "s4"].map(String::from), true);
    rig.fake.sessions.borrow_mut().retain(|s| s != "s4");
    rig.fake.sessions.borrow_mut().push("s99".into());
    assert!(rig.server.refresh_quietly());
    // The table stays as it was while the refresh runs.
    assert!(rig.server.loading().get_untracked().is_none());
    rig.settle();
    assert!(!rig.listed().contains("s4"));
    assert!(rig.listed().contains("s99"));
    assert_eq!(rig.server.selection().ids(), ["s3"]);
    assert_eq!(
        rig.server.fresh().get_untracked(),
        HashSet::from(["s99".to_string()])
    );
}

#[test]
fn a_revoke_during_a_load_stays_revoked_and_is_not_said_again() {
    let mut rig = Rig::new(50);
    rig.server.load();
    rig.settle();
    // The revoke is under way (its answer held back)…
    rig.fake.logouts.shut();
    rig.server.submit(Action::Sessions {
        ids: vec!["s5".into()],
        batch: false,
    });
    rig.settle();
    assert!(rig.server.pending().get_untracked().contains("s5"));
    // …when the admin reloads, and the server's list answer (from a
    // replica that has not heard of the revoke yet) still names s5; the
    // revoke's answer arrives first, the list's after it.
    rig.fake.sessions.borrow_mut().insert(5, "s5".into());
    rig.fake.lists.shut();
    rig.server.load();
    rig.settle();
    // The replica catches up before the revoke's check reads the list.
    rig.fake.sessions.borrow_mut().retain(|s| s != "s5");
    rig.fake.logouts.open();
    rig.settle();
    rig.fake.lists.open();
    rig.settle();
    // Revoked: gone from the list although the load's answer had it, and
    // no "the server still lists … revoke again".
    assert_eq!(rig.listed().len(), 49);
    assert!(!rig.listed().contains("s5"));
    assert!(!rig.said().contains("still lists"), "{}", rig.said());
    assert!(rig.server.pending().get_untracked().is_empty());
    assert_eq!(rig.fake.logged("logout"), ["logout s5"]);
    // A load that begins after the revoke and still sees s5 says so.
    rig.fake.sessions.borrow_mut().insert(5, "s5".into());
    rig.server.load();
    rig.settle();
    assert!(
        rig.said()
            .contains("still lists 1 session revoked earlier: s5"),
        "{}",
        rig.said()
    );
    rig.world.said.borrow_mut().clear();
    // A quiet refresh that starts before a revoke is dropped by it: its
    // answer (computed before the revoke) never brings the row back.
    rig.fake.lists.shut();
    assert!(rig.server.refresh_quietly());
    rig.settle();
    rig.server.submit(Action::Sessions {
        ids: vec!["s6".into()],
        batch: false,
    });
    rig.settle();
    rig.fake.lists.open();
    rig.settle();
    assert!(!rig.listed().contains("s6"));
    assert!(!rig.server.refreshing().get_untracked());
    assert!(!rig.said().contains("still lists"), "{}", rig.said());
}

#[test]
fn stop_sends_nothing_more_and_reports_what_waited_as_not_started() {
    let mut rig = Rig::new(60);
    rig.server.load();
    rig.settle();
    rig.fake.logouts.shut();
    let first: Vec<String> = (1..=20).map(|i| format!("s{i}")).collect();
    rig.server.submit(Action::Sessions {
        ids: first,
        batch: true,
    });
    rig.server.submit(Action::Sessions {
        ids: vec!["s40".into(), "s41".into()],
        batch: true,
    });
    rig.settle();
    assert_eq!(untrack(|| rig.server.waiting()), 1);
    assert!(rig.said().contains("Queued: 2 sessions"), "{}", rig.said());
    rig.server.stop_batch();
    rig.fake.logouts.open();
    rig.settle();
    let sent = rig.fake.logged("logout").len();
    assert!(sent < 20, "Stop ended the batch early ({sent} sent)");
    let Some(BulkState::Finished(report)) = rig.server.batch().get_untracked() else {
        panic!("a report once the batch ended");
    };
    assert_eq!(report.revoked.len(), sent);
    // Not sent: the rest of the batch and both sessions that waited.
    let retry = report.retry_ids();
    assert_eq!(retry.len(), 20 - sent + 2);
    assert!(retry.contains(&"s40".to_string()) && retry.contains(&"s41".to_string()));
    assert!(!rig
        .fake
        .logged("logout")
        .contains(&"logout s40".to_string()));
    assert_eq!(untrack(|| rig.server.waiting()), 0);
    // Each attempt is in the activity record.
    assert_eq!(rig.world.records.borrow().len(), report.requested);
    // "Retry failed" sends exactly what was not sent.
    rig.server.retry(retry.clone());
    rig.settle();
    assert_eq!(rig.fake.logged("logout").len(), sent + retry.len());
    assert!(rig.listed().is_disjoint(&retry.into_iter().collect()));
}

#[test]
fn a_401_fails_the_load_and_pauses_auto_refresh_until_resumed() {
    let mut rig = Rig::new(10);
    rig.server.load();
    rig.settle();
    rig.server.set_auto_refresh(30);
    rig.fake.next.borrow_mut().push_back(resp(
        401,
        r#"{"status":"error","message":"You must be logged in to do this."}"#,
    ));
    rig.server.auto_tick();
    rig.settle();
    let why = rig.server.auto_paused().get_untracked().expect("paused");
    assert!(why.contains("401"), "{why}");
    // The connection hands the 401 on (the panel disconnects that server).
    assert!(
        rig.said().lines().any(|l| l.starts_with("ENDED 401")),
        "{}",
        rig.said()
    );
    assert!(matches!(
        rig.server.load_error().get_untracked(),
        Some(ApiError::Unauthorized { .. })
    ));
    // Ticks send nothing while paused.
    let asked = rig.fake.log.borrow().len();
    rig.server.auto_tick();
    rig.server.auto_tick();
    rig.settle();
    assert_eq!(rig.fake.log.borrow().len(), asked);
    // Resumed: one refresh now, and the pause is over when it succeeds.
    rig.server.resume_auto_refresh();
    rig.settle();
    assert!(rig.fake.log.borrow().len() > asked);
    assert_eq!(rig.server.auto_paused().get_untracked(), None);
    assert_eq!(rig.server.load_error().get_untracked(), None);
}

#[test]
fn a_429_is_waited_out_until_stop_then_the_load_says_so_and_auto_refresh_pauses() {
    let mut rig = Rig::new(10);
    rig.server.set_auto_refresh(60);
    rig.fake.next.borrow_mut().push_back(RawResponse {
        status: 429,
        body: r#"{"success":false,"error":"Error, too many requests."}"#.into(),
        retry_after: Some("600".into()),
        ..Default::default()
    });
    rig.server.load();
    rig.settle();
    // Waiting: still loading, nothing failed, nothing asked again.
    assert!(rig.server.loading().get_untracked().is_some());
    assert_eq!(rig.fake.log.borrow().len(), 1);
    rig.transport.stopper().stop();
    rig.settle();
    assert!(rig.server.loading().get_untracked().is_none());
    let err = rig.server.load_error().get_untracked().expect("failed");
    assert!(err.needs_the_admin(), "{err}");
    assert!(rig.server.auto_paused().get_untracked().is_some());
    // Retry loads it.
    rig.server.load();
    rig.settle();
    assert_eq!(rig.listed().len(), 10);
}

#[test]
fn a_refresh_waits_for_the_revoke_the_confirmation_and_a_hold() {
    let mut rig = Rig::new(10);
    rig.server.load();
    rig.settle();
    rig.server.ask_one("s3".into());
    assert!(!rig.server.refresh_quietly(), "an open confirmation");
    rig.server.cancel_confirm();
    rig.server.hold(true);
    assert!(!rig.server.refresh_quietly(), "Everywhere's confirmation");
    rig.server.hold(false);
    rig.fake.logouts.shut();
    rig.server.ask_one("s3".into());
    rig.server.confirmed(String::new());
    rig.settle();
    assert!(!rig.server.refresh_quietly(), "a revoke under way");
    rig.fake.logouts.open();
    rig.settle();
    assert!(rig.server.refresh_quietly());
    rig.settle();
    assert!(!rig.listed().contains("s3"));
}

#[test]
fn sweeps_are_refused_until_the_own_session_is_known() {
    let mut rig = Rig::new(10);
    rig.fake.next.borrow_mut().extend([
        // The list answers, the own-session call does not.
        resp(
            200,
            r#"{"sessions":[],"count":0,"offset":0,"total":0,"success":true}"#,
        ),
        resp(500, "{}"),
    ]);
    rig.server.load();
    rig.settle();
    assert_eq!(rig.server.own().get_untracked(), OwnSession::Unknown);
    assert!(rig.server.sweep_refused().is_some());
    rig.server.select_matching(&[0, 1]);
    assert!(rig.server.selection().ids().is_empty());
    assert!(
        rig.said().contains("Nothing was selected"),
        "{}",
        rig.said()
    );
    // The next load asks again, and then the sweep may run — without the
    // panel's own session.
    rig.server.load();
    rig.settle();
    assert!(rig.server.sweep_refused().is_none());
    let all: Vec<u32> = (0..10).collect();
    rig.server.select_matching(&all);
    let chosen = rig.server.selection().ids();
    assert_eq!(chosen.len(), 9);
    assert!(!chosen.iter().any(|id| id == OWN));
}

#[test]
fn closing_abandons_the_load_under_way_and_forgets_the_list() {
    let mut rig = Rig::new(250);
    rig.server.load();
    rig.settle();
    rig.server.selection().set(&["s1".to_string()], true);
    rig.fake.lists.shut();
    rig.server.load();
    rig.settle();
    rig.server.close();
    rig.fake.lists.open();
    rig.settle();
    // The answers that arrive after the close are not read into the list.
    assert!(rig.listed().is_empty());
    assert!(rig.server.selection().ids().is_empty());
    assert_eq!(rig.server.load_error().get_untracked(), None);
}

#[test]
fn requests_in_flight_follow_the_protocol_the_server_answered_over() {
    for (protocol, bound) in [
        (None, 6),
        (Some("http/1.1"), 6),
        (Some("h2"), 48),
        (Some("h3"), 48),
    ] {
        let mut rig = Rig::new(6000);
        *rig.fake.protocol.borrow_mut() = protocol.map(String::from);
        // A load: the first page alone, then at most `bound` pages at once.
        rig.fake.lists.shut_after(1);
        rig.server.load();
        rig.settle();
        assert_eq!(
            rig.fake.lists.held(),
            bound,
            "pages in flight over {protocol:?}"
        );
        rig.fake.lists.open();
        rig.settle();
        assert_eq!(rig.listed().len(), 6000);
        // A bulk revoke: the first alone, then at most `bound` at once.
        rig.fake.logouts.shut_after(1);
        rig.server.submit(Action::Sessions {
            ids: (1..=100).map(|i| format!("s{i}")).collect(),
            batch: true,
        });
        rig.settle();
        assert_eq!(
            rig.fake.logouts.held(),
            bound,
            "revokes in flight over {protocol:?}"
        );
        rig.fake.logouts.open();
        rig.settle();
        assert_eq!(rig.fake.logged("logout").len(), 100);
    }
}

/// The finished report of the last batch.
fn report_of(rig: &Rig) -> sessiondeck::revoke::RevokeReport {
    match rig.server.batch().get_untracked() {
        Some(BulkState::Finished(r)) => *r,
        other => panic!("no finished report: {other:?}"),
    }
}

#[test]
fn every_revoke_is_checked_by_a_fresh_read_and_the_report_says_what_ended() {
    let mut rig = Rig::new(50);
    rig.server.load();
    rig.settle();
    // s3's logout answers success and keeps it; s4's ends it but its answer
    // is lost on the way (a bare 404 from something in between).
    rig.fake.ghosts.borrow_mut().insert("s3".into());
    rig.fake.lost.borrow_mut().insert("s4".into());
    let before = rig.fake.log.borrow().len();
    rig.server.submit(Action::Sessions {
        ids: ["s2", "s3", "s4"].map(String::from).to_vec(),
        batch: true,
    });
    rig.settle();
    let report = report_of(&rig);
    let mut gone = report.confirmed_gone.clone();
    gone.sort();
    assert_eq!(gone, ["s2", "s4"]);
    assert_eq!(report.still_listed, ["s3"]);
    assert!(
        report
            .summary()
            .contains("(2 confirmed gone, 1 still listed)"),
        "{}",
        report.summary()
    );
    assert_eq!(report.retry_ids(), ["s3"], "Retry for what is still listed");
    let s3 = report.failed.iter().find(|f| f.id == "s3").unwrap();
    assert!(
        s3.reason.contains("still lists it after a re-check"),
        "{}",
        s3.reason
    );
    assert!(s3.label.starts_with("User 3"), "{}", s3.label);
    // Gone only when a fresh read no longer lists it.
    let listed = rig.listed();
    assert!(listed.contains("s3") && !listed.contains("s2") && !listed.contains("s4"));
    // The list was read again (and s3 once more after the pause).
    let reads = rig.fake.log.borrow()[before..]
        .iter()
        .filter(|l| l.starts_with("Get"))
        .count();
    assert_eq!(reads, 2, "{:?}", &rig.fake.log.borrow()[before..]);
    // One pause before the re-check (a 0 ms sleep only lets the page
    // paint between two steps of a load's end).
    let paused: Vec<f64> = rig
        .world
        .slept
        .borrow()
        .iter()
        .copied()
        .filter(|&ms| ms > 0.0)
        .collect();
    assert_eq!(paused, [sessiondeck::revoke::verify::RECHECK_AFTER_MS]);
    // The record says per session what the fresh read found.
    let records = rig.world.records.borrow();
    let verified = |id: &str| {
        records
            .iter()
            .find(|e| e.session == id)
            .map(|e| (e.outcome.key(), e.verified.clone()))
            .unwrap()
    };
    assert_eq!(verified("s2"), ("revoked", "confirmed gone".to_string()));
    assert_eq!(verified("s3"), ("failed", "still listed".to_string()));
    let (outcome, s4) = verified("s4");
    assert_eq!(outcome, "revoked");
    assert!(
        s4.starts_with("confirmed gone (its answer had failed: 404 Not Found: this answer did not come from Rocket.Chat's API"),
        "{s4}"
    );
    drop(records);
    // One session: the message says it was confirmed.
    rig.server.ask_one("s7".into());
    rig.server.confirmed(String::new());
    rig.settle();
    assert!(
        rig.said()
            .contains("Revoked session s7 (User 0 (user0) — Firefox on Linux, 10.0.0.7): confirmed gone, the server no longer lists it."),
        "{}",
        rig.said()
    );
    assert!(!rig.listed().contains("s7"));
}

#[test]
fn stop_during_a_rate_limit_wait_sends_nothing_more_not_even_the_check() {
    let mut rig = Rig::new(30);
    rig.server.load();
    rig.settle();
    // Every logout meets a 429 asking for an hour (the wait lasts until Stop).
    let limited = RawResponse {
        status: 429,
        body: r#"{"success":false,"error":"Error, too many requests."}"#.into(),
        retry_after: Some("3600".into()),
        ..Default::default()
    };
    rig.fake
        .next
        .borrow_mut()
        .extend(std::iter::repeat_n(limited, 50));
    rig.server.submit(Action::Sessions {
        ids: (1..=20).map(|i| format!("s{i}")).collect(),
        batch: true,
    });
    rig.settle();
    let sent = rig.fake.log.borrow().len();
    assert_eq!(
        rig.fake.logged("logout"),
        ["logout s1"],
        "the first alone, waiting"
    );
    rig.server.stop_batch();
    rig.settle();
    assert_eq!(
        rig.fake.log.borrow().len(),
        sent,
        "zero requests after Stop: {:?}",
        &rig.fake.log.borrow()[sent..]
    );
    let report = report_of(&rig);
    assert!(report.stopped);
    assert_eq!(
        report.retry_ids().len(),
        20,
        "none was sent: all can be sent again"
    );
    assert!(
        report.summary().starts_with("Stopped: revoked 0 of 20"),
        "{}",
        report.summary()
    );
}

#[test]
fn the_own_session_is_unknown_from_the_start_of_every_reload_until_the_new_list_marks_it() {
    let mut rig = Rig::new(20);
    rig.server.load();
    rig.settle();
    assert_eq!(
        rig.server.own().get_untracked(),
        OwnSession::Known(Some(OWN.into()))
    );
    // A quiet refresh under way: the new rows arrive unmarked.
    rig.fake.lists.shut();
    assert!(rig.server.refresh_quietly());
    rig.settle();
    assert_eq!(rig.server.own().get_untracked(), OwnSession::Unknown);
    let all: Vec<u32> = (0..20).collect();
    rig.server.select_matching(&all);
    let ids: Vec<String> = (0..20).map(|i| format!("s{i}")).collect();
    rig.server.select_page(ids.clone(), true);
    assert!(rig.server.selection().ids().is_empty());
    // Ticked one by one, "Revoke selected" is refused too.
    rig.server.selection().set(&["s3".to_string()], true);
    rig.server.ask_selected(Vec::new(), String::new());
    assert!(rig.server.confirm().get_untracked().is_none());
    assert!(
        rig.said()
            .contains("Not asked: sessiondeck does not know yet"),
        "{}",
        rig.said()
    );
    // The new list marks it: sweeps may run again, without it. The call
    // that tells was made once per connection.
    rig.fake.lists.open();
    rig.settle();
    assert_eq!(
        rig.server.own().get_untracked(),
        OwnSession::Known(Some(OWN.into()))
    );
    assert_eq!(
        rig.fake.logged("Get /api/v1/sessions/list").len()
            - rig.fake.logged("Get /api/v1/sessions/list.all").len(),
        1
    );
    rig.server.selection().clear();
    rig.server.select_page(ids, true);
    let chosen = rig.server.selection().ids();
    assert_eq!(chosen.len(), 19);
    assert!(!chosen.iter().any(|id| id == OWN));
    // A session the own-session call names that the list does not show:
    // which listed one is the panel's cannot be told.
    rig.fake.sessions.borrow_mut().retain(|s| s != OWN);
    rig.server.load();
    rig.settle();
    assert_eq!(
        rig.server.own().get_untracked(),
        OwnSession::Unmatched(OWN.into())
    );
    assert!(rig.server.sweep_refused().is_some());
}

#[test]
fn a_list_over_the_limit_loads_up_to_it_and_says_so_never_that_it_changed() {
    let mut rig = Rig::new(450);
    rig.world.max_sessions.set(200);
    rig.server.load();
    rig.settle();
    assert_eq!(rig.listed().len(), 200);
    let report = rig.server.load_report().get_untracked();
    assert_eq!(
        report.capped,
        Some(sessiondeck::backends::Capped {
            loaded: 200,
            total: Some(450),
            limit: 200
        })
    );
    assert!(!report.list_changed);
    assert_eq!(*rig.world.loading.borrow(), [(7, true), (7, false)]);
}

#[test]
fn each_attempt_is_recorded_before_its_request_leaves_and_completed_after() {
    let mut rig = Rig::new(30);
    rig.server.load();
    rig.settle();
    rig.fake.logouts.shut();
    rig.server.submit_job(sessiondeck::revoke::Job {
        action: Action::Sessions {
            ids: ["s1", "s2"].map(String::from).to_vec(),
            batch: true,
        },
        purpose: sessiondeck::revoke::Purpose {
            operation: "selected".into(),
            detail: "filter \u{201c}firefox\u{201d}".into(),
            reason: "INC-7".into(),
        },
    });
    rig.settle();
    // Under way: the intent is in the record already, one entry a session.
    {
        let r = rig.world.records.borrow();
        assert_eq!(r.len(), 2);
        assert!(r.iter().all(|e| e.outcome == audit::Outcome::Pending));
        assert!(r
            .iter()
            .all(|e| e.reason == "INC-7" && e.operation == "selected"));
        assert!(r
            .iter()
            .all(|e| e.address == "rocketchat https://chat.test"));
        assert_eq!(r[0].login, "user1");
        assert_eq!(r[0].user_id, "u1");
    }
    rig.fake.logouts.open();
    rig.settle();
    let r = rig.world.records.borrow();
    assert_eq!(r.len(), 2, "the outcome replaced the intent");
    assert!(r.iter().all(|e| e.outcome == audit::Outcome::Revoked));
    assert!(r
        .iter()
        .all(|e| e.batch == r[0].batch && !e.batch.is_empty()));
}
