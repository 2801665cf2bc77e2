//! DocSpace (seed 000), Henshin (seed 002) and self-service (seed 003)
//! adapters against samples built from the seeds and api-notes.md.

use sessiondeck::backends::{docspace, henshin, selfservice, BackendKind, Revoked, Scope};
use sessiondeck::http::request::ApiError;

mod common;
use common::{answer, fixture};

#[test]
fn docspace_envelope_items_dates_and_locations() {
    let page = docspace::parse_list(&fixture("docspace/activeconnections.json")).unwrap();
    assert_eq!((page.sessions.len(), page.skipped), (2, 1));
    let a = &page.sessions[0];
    assert_eq!(a.id, "4153");
    assert_eq!(a.user_name.as_deref(), Some("Dora Admin"));
    assert_eq!(a.client.as_deref(), Some("Chrome 126"));
    assert_eq!(a.os.as_deref(), Some("Windows 10"));
    assert_eq!(a.location.as_deref(), Some("Riga, Latvia"));
    assert_eq!(a.device_type.as_deref(), Some("desktop"));
    // ISO with a 7-digit fraction and an offset.
    assert_eq!(
        a.login_at.as_ref().unwrap().epoch_ms(),
        Some(1_748_841_291_000.0)
    );
    assert!(!a.current, "loginEvent 0: nothing is current");
    assert!(a
        .extra
        .iter()
        .any(|f| f.name == "page" && f.value == "/rooms/shared"));
    let b = &page.sessions[1];
    assert_eq!(
        b.user_label(),
        "d0c00001-0000-4000-8000-000000000001",
        "no displayName: the user ID"
    );
    assert_eq!(b.location, None);
    assert_eq!(b.device_type.as_deref(), Some("mobile"));
    assert_eq!(
        b.login_at.as_ref().unwrap().epoch_ms(),
        Some(1_748_814_000_000.0),
        "{{utcTime}} form"
    );
}

#[test]
fn docspace_logout_true_false_and_403() {
    let k = BackendKind::DocSpace.backend();
    assert_eq!(
        k.revoke_outcome(Ok(answer(200, "docspace/logout_true.json"))),
        Ok(Revoked::Now)
    );
    assert!(matches!(
        k.revoke_outcome(Ok(answer(200, "docspace/logout_false.json"))),
        Err(ApiError::NotDone { .. })
    ));
    let e =
        docspace::classify(&docspace::list(), &answer(403, "docspace/forbidden.json")).unwrap_err();
    assert!(e.to_string().contains("403 Forbidden") && e.to_string().contains("administrator"));
    assert_eq!(
        k.revoke_user("u1").unwrap().unwrap().path,
        "/api/2.0/security/activeconnections/logoutall/u1"
    );
    assert!(k.revoke_others().is_some());
}

#[test]
fn henshin_seed_pseudo_json_is_refused_cleanly_and_real_shapes_parse() {
    assert!(matches!(
        henshin::parse_users(&fixture("henshin/list_seed002.txt")),
        Err(ApiError::BadResponse { .. })
    ));
    let bare = henshin::parse_users(&fixture("henshin/list_bare.json")).unwrap();
    let env = henshin::parse_users(&fixture("henshin/list_envelope.json")).unwrap();
    assert_eq!(bare, env);
    assert_eq!(bare[1].session_count, Some(4));
    assert!(bare[0].is_operator);
    for f in [
        "henshin/user_sessions_bare.json",
        "henshin/user_sessions_envelope.json",
    ] {
        let (p, _) = henshin::parse_sessions(&fixture(f)).unwrap();
        let s = &p.sessions[0];
        assert_eq!(s.id, "275");
        assert_eq!(s.username.as_deref(), Some("user"));
        assert_eq!(
            s.last_active.as_ref().unwrap().epoch_ms(),
            Some(1_600_684_970_000.0)
        );
        assert_eq!(
            s.expires_at.as_ref().unwrap().epoch_ms(),
            Some(1_600_857_770_000.0)
        );
        assert_eq!(
            (s.os.clone(), s.client.clone(), s.device_type.clone()),
            (None, None, None)
        );
        assert!(s
            .extra
            .iter()
            .any(|f| f.name == "operator" && f.value == "yes"));
        assert!(s.operator, "IsOperator: true");
    }
}

#[test]
fn henshin_no_active_session_means_gone() {
    let k = BackendKind::Henshin.backend();
    let req = k.revoke(Scope::All, "275").unwrap();
    assert_eq!(req.body.as_ref().unwrap()["Session"].as_i64(), Some(275));
    let e =
        henshin::classify(&req, &answer(400, "henshin/revoke_no_active_session.json")).unwrap_err();
    assert_eq!(k.revoke_outcome(Err(e)), Ok(Revoked::AlreadyGone));
}

#[test]
fn selfservice_details_with_optional_fields_and_epoch_numbers() {
    let p = selfservice::parse_list(&fixture("selfservice/sessions.json")).unwrap();
    assert_eq!((p.sessions.len(), p.skipped), (2, 1));
    let s = &p.sessions[0];
    assert_eq!(s.client_label(), "Chrome 126.0.0.0");
    assert_eq!(s.os_label(), "Windows 10/11");
    assert_eq!(s.ip.as_deref(), Some("203.0.113.24"));
    assert_eq!(s.location.as_deref(), Some("Lisbon, Portugal"));
    assert_eq!(
        s.login_at.as_ref().unwrap().epoch_ms(),
        Some(1_717_400_000_000.0)
    );
    assert_eq!(
        s.last_active.as_ref().unwrap().epoch_ms(),
        Some(1_717_403_600_000.0)
    );
    assert!(s
        .extra
        .iter()
        .any(|f| f.name == "inactivityDuration" && f.value == "120"));
    // seconds are read as seconds
    assert_eq!(
        p.sessions[1].login_at.as_ref().unwrap().epoch_ms(),
        Some(1_717_300_000_000.0)
    );
    assert_eq!(
        selfservice::parse_count(&fixture("selfservice/count.json")).unwrap(),
        2
    );
    let k = BackendKind::SelfService.backend();
    assert_eq!(k.revoke_others().unwrap().path, "/auth/sessions");
    assert_eq!(k.revoke_all().unwrap().path, "/auth/sessions/all");
    assert!(k.revoke_user("x").is_none());
}
