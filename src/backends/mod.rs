//! The session APIs sessiondeck speaks. Each backend is one module that
//! owns everything it knows — its credentials, capabilities, who-am-I,
//! login, how its list loads, details, revoke calls and how their answers
//! read, how its statuses map to errors, and its warnings — behind the
//! [`Backend`] trait. This module only registers them ([`BackendKind`]).
//! No browser calls: all of it is tested natively against the seed samples.

pub mod common;
pub mod credential;
pub mod docspace;
pub mod henshin;
pub mod keycloak;
pub mod paging;
pub mod rocketchat;
pub mod selfservice;

pub use common::{
    check_id, empty_success, json_str, json_text, not_from_api, page_of, parse_json, Call, Capped,
    Caps, ListPage, LoadReport, LoadStep, PerUser, Revoked, Scope,
};
pub use credential::{
    Credential, Input, InputKind, Renewal, Settings, SignInMethod, SignInStep, SignedIn, Typed,
};
pub use paging::LoadPlan;

use crate::http::request::{ApiError, ApiRequest, RawResponse};
use crate::model::{Field, OwnSession};
pub use paging::{Probe, Target};

/// The kinds of server the Connect screen offers: the key a connection is
/// stored with. Its [`Backend`] does everything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackendKind {
    RocketChat,
    DocSpace,
    Henshin,
    SelfService,
    Keycloak,
}

impl BackendKind {
    pub const ALL: [BackendKind; 5] = [
        BackendKind::RocketChat,
        BackendKind::DocSpace,
        BackendKind::Henshin,
        BackendKind::SelfService,
        BackendKind::Keycloak,
    ];

    /// The registration: the one place a kind meets its implementation.
    pub fn backend(self) -> &'static dyn Backend {
        match self {
            BackendKind::RocketChat => &rocketchat::RocketChat,
            BackendKind::DocSpace => &docspace::DocSpace,
            BackendKind::Henshin => &henshin::Henshin,
            BackendKind::SelfService => &selfservice::SelfService,
            BackendKind::Keycloak => &keycloak::Keycloak,
        }
    }

    pub fn from_key(k: &str) -> Option<BackendKind> {
        BackendKind::ALL
            .into_iter()
            .find(|b| b.backend().key() == k)
    }
}

/// An account a server's people API found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub user_id: String,
    pub login: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// How a backend tells which listed session is the panel's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnSource {
    /// The panel's credential is no listed session (an API key, an admin
    /// token): none of them is its own.
    NotListed,
    /// The list marks it (`current`); none marked: the credential is no
    /// listed session (e.g. a personal access token).
    Marked,
    /// Another call tells ([`Backend::own_session`]).
    Call,
    /// The token names it ([`Backend::own_session_in_token`]).
    Token,
    /// The token names it where it is a person's session (an OAuth password
    /// grant's `sid`); a token that names none (a service account's) is no
    /// listed session.
    TokenIfAny,
}

impl OwnSource {
    /// What a finished load tells of the panel's own session: `asked` what
    /// [`Backend::own_session`] answered (once per connection), `marked`
    /// the row the list marks, `in_token` what the token names. `None`: ask
    /// [`Backend::own_session`] (not asked yet). The caller then checks it
    /// against the new list ([`OwnSession::checked`]).
    pub fn after_load(
        self,
        asked: Option<Option<String>>,
        marked: Option<String>,
        in_token: Option<String>,
    ) -> Option<OwnSession> {
        Some(match self {
            OwnSource::NotListed => OwnSession::Known(None),
            // A list that marks the caller's session and marks none: the
            // credential is no listed session (a personal access token).
            OwnSource::Marked => OwnSession::Known(marked),
            OwnSource::Token => match in_token {
                Some(id) => OwnSession::Known(Some(id)),
                None => OwnSession::Unknowable,
            },
            OwnSource::TokenIfAny => OwnSession::Known(in_token),
            // The token, and so its session, stay the same: asked once.
            OwnSource::Call => OwnSession::Known(asked?),
        })
    }
}

/// What "Revoke all sessions" is called and says: its button, its
/// confirmation (and a word to type first, where it reaches further than
/// the list), and what is said once it is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllText {
    pub button: String,
    pub title: String,
    pub message: String,
    pub warning: Option<String>,
    /// The confirmation stays disabled until this is typed (a realm's name).
    pub type_to_confirm: Option<String>,
}

/// The texts of "Revoke all other sessions" for `listed` loaded sessions:
/// what happens, and a warning when it reaches further than it sounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OthersText {
    pub message: String,
    pub warning: Option<String>,
    /// What is said once it is done.
    pub done: String,
}

fn unsupported(what: &str) -> ApiError {
    ApiError::BadResponse {
        status: 0,
        why: format!("this backend has no {what}"),
    }
}

/// Everything one session API needs from the panel. Optional abilities
/// default to "not offered"; [`Caps`] tells the screens which ones a backend
/// has, and must agree with them (tested).
pub trait Backend: Sync {
    /// Stored with a connection and used in `config.json` presets.
    fn key(&self) -> &'static str;
    fn label(&self) -> &'static str;
    /// The ways Connect offers to sign in, the first preselected.
    fn sign_in_methods(&self) -> &'static [SignInMethod];
    /// A line under Server URL, where this API needs one (Rocket.Chat's
    /// two-factor headers and CORS).
    fn server_hint(&self) -> Option<&'static str> {
        None
    }
    /// How sign-in `method` gets a credential from what was typed (its
    /// settings already taken out): by default the typed token is it.
    fn sign_in(&self, _method: &str, _settings: &Settings, typed: &Typed) -> SignInStep {
        SignInStep::Have(Credential::token(typed.get(credential::TOKEN).trim()))
    }
    /// The credential in a sign-in call's answer (`now`: epoch ms, for
    /// its expiry).
    fn parse_sign_in(
        &self,
        _method: &str,
        _typed: &Typed,
        _body: &str,
        _now: i64,
    ) -> Result<SignedIn, ApiError> {
        Err(unsupported("login"))
    }
    /// The headers every call carries.
    fn auth_headers(&self, _settings: &Settings, credential: &Credential) -> Vec<(String, String)> {
        common::bearer(&credential.access)
    }
    /// The call that renews `credential` (an OAuth refresh or a new client
    /// grant), where it can be: before it expires, or after a 401, which
    /// then retries once before it disconnects. It carries its own
    /// credentials, never the expired token.
    fn renew(&self, _settings: &Settings, _credential: &Credential) -> Option<ApiRequest> {
        None
    }
    /// The credential in [`Backend::renew`]'s answer (`old`: the one it
    /// replaces, whose renewal it keeps when the answer gives none).
    fn parse_renewed(
        &self,
        _body: &str,
        _old: &Credential,
        _now: i64,
    ) -> Result<Credential, ApiError> {
        Err(unsupported("token renewal"))
    }
    /// Ends a credential the panel obtained itself (at sign-out, or after
    /// a Connect that failed after all).
    fn end_token(&self, _settings: &Settings, _credential: &Credential) -> Option<ApiRequest> {
        None
    }

    /// The one call that confirms the credentials at Connect.
    fn whoami(&self) -> ApiRequest;
    /// Whom the panel is signed in as, from the whoami answer (`settings`:
    /// those given with the token, checked where the answer names them).
    fn parse_whoami(
        &self,
        body: &str,
        settings: &Settings,
        credential: &Credential,
    ) -> Result<String, ApiError>;

    /// Whose sessions the screen opens with.
    fn first_scope(&self) -> Scope {
        Scope::All
    }
    /// After `error` loading `scope`, a scope to offer instead (Rocket.Chat:
    /// without view-device-management, the admin's own sessions).
    fn fallback_scope(&self, _scope: Scope, _error: &ApiError) -> Option<Scope> {
        None
    }
    fn caps(&self, scope: Scope) -> Caps;
    /// How every session `scope` holds is loaded (its paging or fan-out).
    fn load_plan(&self, scope: Scope) -> LoadPlan;

    /// A per-session details call, where there is one.
    fn details(&self, _scope: Scope, _id: &str) -> Option<ApiRequest> {
        None
    }
    /// Every field of a details answer.
    fn parse_details(&self, _body: &str) -> Result<Vec<Field>, ApiError> {
        Err(unsupported("details call"))
    }

    /// Words of this API that an ID must never be, because a path with them
    /// means more than one session (self-service `DELETE /auth/sessions/all`).
    fn reserved_ids(&self) -> &'static [&'static str] {
        &[]
    }
    /// How the panel learns which listed session is its own in `scope`.
    fn own_source(&self, _scope: Scope) -> OwnSource {
        OwnSource::Marked
    }
    /// The session the panel's token is, where the token says (a JWT's
    /// `sid`), for [`OwnSource::Token`].
    fn own_session_in_token(&self, _token: &str) -> Option<String> {
        None
    }
    /// Where the list in `scope` does not say which session is the panel's
    /// own but another call does (Rocket.Chat's own list marks `current`):
    /// that call, for [`OwnSource::Call`].
    fn own_session(&self, _scope: Scope) -> Option<ApiRequest> {
        None
    }

    /// The panel's own session ID in [`Backend::own_session`]'s answer.
    fn parse_own_session(&self, _body: &str) -> Option<String> {
        None
    }

    fn revoke_request(&self, scope: Scope, id: &str) -> ApiRequest;
    /// The request that revokes one session; an ID that could reach more
    /// than that session is refused here, before anything is sent.
    fn revoke(&self, scope: Scope, id: &str) -> Result<ApiRequest, ApiError> {
        check_id(id, self.reserved_ids())?;
        Ok(self.revoke_request(scope, id))
    }
    /// Whether a revocation happened: only when the server said so.
    fn revoke_outcome(&self, r: Result<RawResponse, ApiError>) -> Result<Revoked, ApiError>;
    /// The server's own "log out this user everywhere" call, if it has one.
    fn revoke_user(&self, _user_id: &str) -> Option<Result<ApiRequest, ApiError>> {
        None
    }
    /// "Revoke all other sessions", if offered.
    fn revoke_others(&self) -> Option<ApiRequest> {
        None
    }
    /// What "Revoke all other sessions" says before it runs.
    fn others_text(&self, listed: usize) -> OthersText {
        OthersText {
            message: format!(
                "Every session of your account except the one this panel uses will end ({} of {listed} listed).",
                listed.saturating_sub(1)
            ),
            warning: None,
            done: "Revoked all other sessions.".into(),
        }
    }
    /// "Revoke all sessions" (the panel's own included), if offered.
    fn revoke_all(&self) -> Option<ApiRequest> {
        None
    }
    /// What "Revoke all sessions" is called and says (`listed` loaded
    /// sessions; `settings` of the connection, to name what it reaches).
    fn all_text(&self, listed: usize, _settings: &Settings) -> AllText {
        AllText {
            button: "Revoke all sessions".into(),
            title: "Revoke all sessions?".into(),
            message: format!("All {listed} sessions of your account will end, on every device."),
            warning: Some("This includes the session this panel uses: this connection closes (connect again to go on with this server); your other servers stay connected.".into()),
            type_to_confirm: None,
        }
    }
    /// What a connection's name adds after its host, from its settings
    /// (Keycloak's realm): two connections that differ there are two
    /// servers.
    fn label_detail(&self, _settings: &Settings) -> Option<String> {
        None
    }
    /// Whether a call that ends several sessions at once ([`Backend::revoke_user`],
    /// [`Backend::revoke_others`], [`Backend::revoke_all`]) was done: only on
    /// the API's documented success answer, never on any 2xx.
    fn done_outcome(&self, r: Result<RawResponse, ApiError>) -> Result<(), ApiError> {
        r.and(Err(unsupported("call ending several sessions at once")))
    }

    /// The call that finds accounts by what the admin typed (a login, an
    /// e-mail), where the list names people by display name only
    /// (DocSpace): Everywhere then finds the person there too.
    fn find_people(&self, _typed: &str) -> Option<ApiRequest> {
        None
    }
    /// The accounts in [`Backend::find_people`]'s answer.
    fn parse_people(&self, _body: &str) -> Result<Vec<Account>, ApiError> {
        Err(unsupported("people search"))
    }

    /// The reads that tell whether `targets` are still listed after a
    /// revoke (`listed`: how many sessions the list holds): the cheapest
    /// the API allows. By default the whole list again ([`Backend::load_plan`]).
    fn verify_probes(&self, scope: Scope, targets: &[Target], _listed: usize) -> Vec<Probe> {
        vec![Probe {
            plan: self.load_plan(scope),
            covers: targets.iter().map(|t| t.id.clone()).collect(),
        }]
    }

    /// Maps an answer of any call to an error, or `Ok` for a success.
    fn classify(&self, req: &ApiRequest, resp: &RawResponse) -> Result<(), ApiError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads every session a backend lists (see [`Backend::load_plan`]) through
    /// a fake `call`, as the screen's load does through the transport.
    async fn load_all<'c, C, Fut>(
        kind: BackendKind,
        scope: Scope,
        call: C,
        mut sink: impl FnMut(LoadStep),
    ) -> Result<LoadReport, ApiError>
    where
        C: Fn(ApiRequest) -> Fut + 'c,
        Fut: std::future::Future<Output = Result<RawResponse, ApiError>> + 'c,
    {
        let call = move |r: ApiRequest| -> futures::future::LocalBoxFuture<'c, Result<RawResponse, ApiError>> {
            Box::pin(call(r))
        };
        paging::run(kind.backend().load_plan(scope), &call, &|| 6, &mut sink).await
    }

    #[test]
    fn the_own_session_is_known_before_any_sweep_or_refused() {
        let id = |s: &str| Some(s.to_string());
        // An API key or admin token is no listed session.
        assert_eq!(
            OwnSource::NotListed.after_load(None, None, None),
            Some(OwnSession::Known(None))
        );
        // The list marks it, or marks none (a personal access token).
        assert_eq!(
            OwnSource::Marked.after_load(None, id("s1"), None),
            Some(OwnSession::Known(id("s1")))
        );
        assert_eq!(
            OwnSource::Marked.after_load(None, None, None),
            Some(OwnSession::Known(None))
        );
        // The token names it — or does not, and then it cannot be told.
        assert_eq!(
            OwnSource::Token.after_load(None, None, id("s2")),
            Some(OwnSession::Known(id("s2")))
        );
        let unknowable = OwnSource::Token.after_load(None, None, None);
        assert_eq!(unknowable, Some(OwnSession::Unknowable));
        assert!(unknowable.unwrap().sweep_refusal().is_some());
        // Another call tells: asked until it answered, then kept.
        assert_eq!(OwnSource::Call.after_load(None, None, None), None);
        assert_eq!(
            OwnSource::Call.after_load(Some(id("s3")), None, None),
            Some(OwnSession::Known(id("s3")))
        );
        // A session named that the new list does not show: not known.
        let listed = |i: &str| i == "s1";
        assert_eq!(
            OwnSession::Known(id("s2")).checked(listed),
            OwnSession::Unmatched("s2".into())
        );
        assert!(OwnSession::Unmatched("s2".into()).sweep_refusal().is_some());
        assert_eq!(
            OwnSession::Known(id("s1")).checked(listed),
            OwnSession::Known(id("s1"))
        );
        assert_eq!(
            OwnSession::Known(None).checked(listed),
            OwnSession::Known(None)
        );
        assert!(OwnSession::Unknown.sweep_refusal().is_some());
        assert!(OwnSession::Known(None).sweep_refusal().is_none());
        // A failed call leaves it untold (and says so), never "none".
        let failed = OwnSession::Failed("502 Bad Gateway".into());
        assert_eq!(failed.clone().checked(listed), failed);
        assert!(failed.sweep_refusal().unwrap().contains("failed"));
        // Each backend says which it is.
        assert_eq!(
            BackendKind::DocSpace.backend().own_source(Scope::All),
            OwnSource::NotListed
        );
        assert_eq!(
            BackendKind::Henshin.backend().own_source(Scope::All),
            OwnSource::NotListed
        );
        assert_eq!(
            BackendKind::RocketChat.backend().own_source(Scope::All),
            OwnSource::Call
        );
        assert_eq!(
            BackendKind::RocketChat.backend().own_source(Scope::Own),
            OwnSource::Marked
        );
        assert_eq!(
            BackendKind::SelfService.backend().own_source(Scope::Own),
            OwnSource::Token
        );
    }
    use crate::list::SortKey;

    #[test]
    fn kinds_round_trip_their_keys() {
        for k in BackendKind::ALL {
            assert_eq!(BackendKind::from_key(k.backend().key()), Some(k));
        }
        assert_eq!(BackendKind::from_key("x"), None);
    }

    fn ok(body: &str) -> Result<RawResponse, ApiError> {
        Ok(RawResponse::of(200, body))
    }

    #[test]
    fn ids_that_could_widen_a_revoke_are_refused_before_any_request() {
        let ss = BackendKind::SelfService;
        for bad in [
            "",
            " ",
            ".",
            "..",
            "%2e",
            "%2E%2e",
            "%252e%252e",
            "a/b",
            "a%2Fb",
            "a%252Fb",
            "a\\b",
            "x?all=1",
            "x#y",
            "all",
            "ALL",
            " all ",
            "count",
            "%61ll",
            "a\nb",
        ] {
            let e = ss.backend().revoke(Scope::Own, bad).unwrap_err();
            assert!(matches!(e, ApiError::UnsafeId { .. }), "{bad:?}: {e:?}");
            assert!(e.to_string().contains("Nothing was revoked"), "{e}");
        }
        assert_eq!(
            ss.backend().revoke(Scope::Own, "s-1.2_3~x").unwrap().path,
            "/auth/sessions/s-1.2_3~x"
        );
        // `all` is only reserved where it is a path of the API.
        assert!(BackendKind::RocketChat
            .backend()
            .revoke(Scope::All, "all")
            .is_ok());
        for k in BackendKind::ALL {
            assert!(k.backend().revoke(Scope::All, "..").is_err(), "{k:?}");
            assert!(k.backend().revoke(Scope::All, "").is_err(), "{k:?}");
        }
        let ds = BackendKind::DocSpace;
        assert!(matches!(
            ds.backend().revoke_user("%2e%2e"),
            Some(Err(ApiError::UnsafeId { .. }))
        ));
        assert!(matches!(ds.backend().revoke_user("u-1"), Some(Ok(_))));
    }

    /// A Rocket.Chat list whose pages come from `pages(offset)`.
    fn rc_load(pages: impl Fn(usize) -> String) -> (usize, LoadReport) {
        let mut rows = 0;
        let report = futures::executor::block_on(load_all(
            BackendKind::RocketChat,
            Scope::All,
            |req: ApiRequest| {
                let offset: usize = req.query[0].1.parse().unwrap();
                let body = pages(offset);
                async move { ok(&body) }
            },
            |s| rows += s.sessions.len(),
        ))
        .unwrap();
        (rows, report)
    }

    fn rc_page(ids: std::ops::Range<usize>, total: usize) -> String {
        let items: Vec<String> = ids.map(|i| format!(r#"{{"_id":"s{i}"}}"#)).collect();
        format!(r#"{{"sessions":[{}],"total":{total}}}"#, items.join(","))
    }

    #[test]
    fn a_list_that_changes_while_paging_is_said_to_have_changed() {
        let steady = rc_load(|o| rc_page(o..(o + 100).min(250), 250));
        assert_eq!(
            steady,
            (
                250,
                LoadReport {
                    list_changed: false,
                    capped: None
                }
            )
        );
        // Five new sessions at the top between pages: later pages repeat rows
        // and the distinct rows end below the last total.
        let growing = rc_load(|o| {
            if o == 0 {
                rc_page(0..100, 250)
            } else {
                rc_page(o - 5..(o + 95).min(250), 255)
            }
        });
        assert!(growing.1.list_changed);
        // A page that brings nothing new.
        let stuck = rc_load(|o| rc_page(0..100.min(250 - o), 250));
        assert!(stuck.1.list_changed);
        // Sessions ended at the top between pages: the total shrinks.
        let shrinking = rc_load(|o| {
            if o == 0 {
                rc_page(0..100, 250)
            } else {
                rc_page(o + 10..(o + 110).min(250), 240)
            }
        });
        assert!(shrinking.1.list_changed);
    }

    #[test]
    fn docspace_listing_the_same_connection_twice_is_a_changed_list() {
        let load = |body: &'static str| {
            futures::executor::block_on(load_all(
                BackendKind::DocSpace,
                Scope::All,
                |_| async move { ok(body) },
                |_| {},
            ))
            .unwrap()
        };
        let twice = load(
            r#"{"response":{"loginEvent":0,"items":[{"id":1,"userId":"u"},{"id":1,"userId":"u"},{"id":2}]}}"#,
        );
        assert!(twice.list_changed);
        let once =
            load(r#"{"response":{"loginEvent":0,"items":[{"id":1,"userId":"u"},{"id":2}]}}"#);
        assert!(!once.list_changed);
    }

    #[test]
    fn henshin_follows_each_users_pages_and_a_vanished_user_is_empty() {
        let asked = std::cell::RefCell::new(Vec::new());
        let mut rows = Vec::new();
        let report = futures::executor::block_on(load_all(
            BackendKind::Henshin,
            Scope::All,
            |req: ApiRequest| {
                asked.borrow_mut().push(req.path_and_query());
                let r = match req.path_and_query().rsplit('/').next().unwrap() {
                    "list" => ok(r#"[{"UserGuid":"a","SessionCount":3},{"UserGuid":"gone","SessionCount":1}]"#),
                    "a" => ok(r#"{"Items":[{"ID":1},{"ID":2}],"TotalCount":3,"PageNumber":1,"PageSize":2}"#),
                    "a?PageNumber=2&PageSize=2" => ok(r#"{"Items":[{"ID":3}],"TotalCount":3,"PageNumber":2,"PageSize":2}"#),
                    "gone" => Err(ApiError::NotFound { message: "err_NoActiveSession".into() }),
                    other => panic!("unexpected request {other}"),
                };
                async move { r }
            },
            |s| rows.extend(s.sessions.into_iter().map(|s| s.id)),
        ))
        .expect("a user whose sessions ended is not a failed load");
        rows.sort();
        assert_eq!(rows, ["1", "2", "3"]);
        assert_eq!(asked.borrow().len(), 4);
        assert!(!report.list_changed);
    }

    #[test]
    fn a_paged_user_list_is_read_page_by_page_never_in_one_request() {
        let asked = std::cell::RefCell::new(Vec::new());
        let mut rows = Vec::new();
        futures::executor::block_on(load_all(
            BackendKind::Henshin,
            Scope::All,
            |req: ApiRequest| {
                asked.borrow_mut().push(req.path_and_query());
                let r = match req.path_and_query().rsplit('/').next().unwrap() {
                    "list" => ok(r#"{"Items":[{"UserGuid":"a","SessionCount":1},{"UserGuid":"b","SessionCount":1}],"TotalCount":3,"PageNumber":1,"PageSize":2}"#),
                    "list?PageNumber=2&PageSize=2" => ok(r#"{"Items":[{"UserGuid":"c","SessionCount":1}],"TotalCount":3,"PageNumber":2,"PageSize":2}"#),
                    u => ok(&format!(r#"[{{"ID":{},"UserGuid":"{u}"}}]"#, u.len() + u.as_bytes()[0] as usize)),
                };
                async move { r }
            },
            |s| rows.extend(s.sessions.into_iter().map(|s| s.user_id.unwrap_or_default().to_string())),
        ))
        .unwrap();
        rows.sort();
        assert_eq!(rows, ["a", "b", "c"], "the second page's user too");
        let lists = asked
            .borrow()
            .iter()
            .filter(|p| p.contains("/list"))
            .count();
        assert_eq!(lists, 2, "{:?}", asked.borrow());
    }

    #[test]
    fn henshin_loads_users_then_their_sessions() {
        let asked = std::cell::RefCell::new(Vec::new());
        let mut steps = Vec::new();
        futures::executor::block_on(load_all(
            BackendKind::Henshin,
            Scope::All,
            |req: ApiRequest| {
                asked.borrow_mut().push(req.path.clone());
                let body = if req.path.ends_with("/list") {
                    r#"[{"UserGuid":"a","SessionCount":2},{"UserGuid":"b","SessionCount":0},{"UserGuid":"c"}]"#.to_string()
                } else {
                    let g = req.path.rsplit('/').next().unwrap().to_string();
                    format!(r#"{{"Items":[{{"ID":1{g},"UserGuid":"{g}"}}],"TotalCount":1}}"#).replace("1a", "11").replace("1c", "13")
                };
                async move { ok(&body) }
            },
            |s| steps.push(s),
        ))
        .unwrap();
        let mut paths = asked.borrow().clone();
        paths.sort();
        assert_eq!(
            paths,
            [
                "/api/admin/v1/authenticated-sessions/list",
                "/api/admin/v1/authenticated-sessions/user-sessions/a",
                "/api/admin/v1/authenticated-sessions/user-sessions/c",
            ],
            "no request for a user with zero sessions"
        );
        let rows: usize = steps.iter().map(|s| s.sessions.len()).sum();
        assert_eq!(rows, 2);
        assert_eq!(
            (steps.last().unwrap().done, steps.last().unwrap().total),
            (2, 2)
        );
    }

    #[test]
    fn docspace_loads_in_one_call_and_errors_pass_through() {
        let mut got = 0;
        futures::executor::block_on(load_all(
            BackendKind::DocSpace,
            Scope::All,
            |_| async { ok(r#"{"response":{"loginEvent":0,"items":[{"id":1,"userId":"u"},{"id":2,"userId":"v"}]},"status":0}"#) },
            |s| got += s.sessions.len(),
        ))
        .unwrap();
        assert_eq!(got, 2);
        let r = futures::executor::block_on(load_all(
            BackendKind::SelfService,
            Scope::Own,
            |_| async {
                Err(ApiError::Unauthorized {
                    message: "x".into(),
                })
            },
            |_| {},
        ));
        assert!(matches!(r, Err(ApiError::Unauthorized { .. })));
    }

    #[test]
    fn caps_hide_what_a_backend_lacks() {
        let rc = BackendKind::RocketChat.backend().caps(Scope::All);
        assert!(!rc.revoke_others && !rc.revoke_all);
        assert_eq!(
            BackendKind::Henshin.backend().caps(Scope::All).default_sort,
            SortKey::LastActive
        );
        assert_eq!(rc.default_sort, SortKey::Login);
        let ds = BackendKind::DocSpace.backend().caps(Scope::All);
        assert_eq!(ds.per_user, PerUser::Endpoint);
        assert!(ds.revoke_others && ds.columns.contains(&SortKey::Location));
        let ss = BackendKind::SelfService.backend().caps(Scope::Own);
        assert!(ss.revoke_all && ss.revoke_others && ss.per_user == PerUser::No);
        for k in BackendKind::ALL {
            let c = k.backend().caps(Scope::All);
            assert_eq!(
                c.revoke_others,
                k.backend().revoke_others().is_some(),
                "{k:?}"
            );
            assert_eq!(c.revoke_all, k.backend().revoke_all().is_some(), "{k:?}");
            assert_eq!(
                c.per_user == PerUser::Endpoint,
                k.backend().revoke_user("u").is_some(),
                "{k:?}"
            );
        }
    }
}
