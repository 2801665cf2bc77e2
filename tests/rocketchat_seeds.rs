//! The Rocket.Chat adapter against the samples of seeds 001 / 004 and the
//! OpenAPI excerpt (copied verbatim into tests/fixtures/rocketchat).

use sessiondeck::backends::rocketchat;
use sessiondeck::backends::{Revoked, Scope};
use sessiondeck::http::request::{ApiError, RawResponse};

mod common;

/// A Rocket.Chat fixture.
fn fixture(name: &str) -> String {
    common::fixture(&format!("rocketchat/{name}"))
}

fn answer(status: u16, name: &str) -> RawResponse {
    common::answer(status, &format!("rocketchat/{name}"))
}

#[test]
fn seed001_list_all_parses_every_row_with_missing_fields() {
    let page = rocketchat::parse_list(&fixture("list_all_seed001.json")).unwrap();
    assert_eq!(page.total, Some(13));
    assert_eq!(page.returned, 9);
    assert_eq!(page.sessions.len(), 9);
    let first = &page.sessions[0];
    assert_eq!(first.id, "o94SveQp6fyPsoiNC");
    assert_eq!(first.user_id.as_deref(), Some("2tTEqR7ZNMJ4HGGNa"));
    assert_eq!(first.user_name.as_deref(), Some("Test"));
    assert_eq!(first.username.as_deref(), Some("testroxie"));
    assert_eq!(first.client_label(), "Chrome 113.0.0");
    assert_eq!(first.os_label(), "Windows 10");
    assert_eq!(first.ip.as_deref(), Some("172.20.0.2"));
    assert_eq!(first.host.as_deref(), Some("localhost:3000"));
    assert_eq!(
        first.login_at.as_ref().unwrap().epoch_ms(),
        Some(1_684_887_954_234.0)
    );
    // seed 001 row 7: a _user without a name falls back to the username
    let user0 = page
        .sessions
        .iter()
        .find(|s| s.id == "fsfE772s78AmPxGKk")
        .unwrap();
    assert_eq!(user0.user_name, None);
    assert_eq!(user0.user_label(), "user-0");
    assert_eq!(user0.client_label(), "Firefox 112.0");
    assert!(page.sessions.iter().all(|s| !s.current));
}

#[test]
fn spec_own_list_marks_current_flag() {
    let page = rocketchat::parse_list(&fixture("list_own_spec.json")).unwrap();
    assert_eq!(page.sessions.len(), 2);
    assert_eq!(page.sessions[1].device_type.as_deref(), Some("mobile"));
    assert_eq!(page.sessions[1].os_label(), "Android 10");
    let mut with_current: serde_json::Value =
        serde_json::from_str(&fixture("list_own_spec.json")).unwrap();
    with_current["sessions"][1]["current"] = serde_json::Value::Bool(true);
    let page = rocketchat::parse_list(&with_current.to_string()).unwrap();
    assert!(!page.sessions[0].current);
    assert!(page.sessions[1].current);
}

#[test]
fn info_records_keep_every_field() {
    let (row, fields) = rocketchat::parse_info(&fixture("info_own_spec.json")).unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    for n in [
        "_id",
        "instanceId",
        "loginToken",
        "device.os.name",
        "roles",
        "lastActivityAt",
        "closedAt",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    assert!(!names.contains(&"success"));
    assert_eq!(row.unwrap().id, "QoYYFw2t9oKks2niG");
    let (row, fields) = rocketchat::parse_info(&fixture("info_admin_spec.json")).unwrap();
    assert_eq!(row.unwrap().user_name.as_deref(), Some("Rod"));
    assert!(fields
        .iter()
        .any(|f| f.name == "_user.username" && f.value == "Rod"));
}

#[test]
fn seed001_error_samples_map_to_errors() {
    let req = rocketchat::list(Scope::All, 0);
    match rocketchat::classify(&req, &answer(400, "totp_required_seed001.json")) {
        Err(ApiError::TwoFactorRequired(c)) => {
            assert_eq!(c.method, "password");
            assert!(c.available.is_empty());
            assert_eq!(c.methods(), ["password"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        rocketchat::classify(&req, &answer(401, "unauthorized_seed001.json")),
        Err(ApiError::Unauthorized { .. })
    ));
    let forbidden = rocketchat::classify(&req, &answer(403, "forbidden_seed001.json")).unwrap_err();
    assert!(forbidden.to_string().contains("view-device-management"));
    let logout_forbidden = rocketchat::classify(
        &rocketchat::logout(Scope::All, "x"),
        &answer(403, "forbidden_seed001.json"),
    )
    .unwrap_err();
    assert!(logout_forbidden
        .to_string()
        .contains("logout-device-management"));
}

#[test]
fn seed004_logout_samples() {
    let req = rocketchat::logout(Scope::All, "tTouumJMrHMjnedWf");
    assert_eq!(
        req.body.as_ref().unwrap()["sessionId"].as_str(),
        Some("tTouumJMrHMjnedWf")
    );
    assert_eq!(
        rocketchat::logout_outcome(Ok(answer(200, "logout_ok_seed004.json"))),
        Ok(Revoked::Now)
    );
    assert!(matches!(
        rocketchat::classify(&req, &answer(400, "logout_totp_required_seed004.json")),
        Err(ApiError::TwoFactorRequired(_))
    ));
    // The spec's 400 "Session not found" and the server's 404 both mean gone.
    for status in [400, 404] {
        let e =
            rocketchat::classify(&req, &answer(status, "info_not_found_spec.json")).unwrap_err();
        assert_eq!(rocketchat::logout_outcome(Err(e)), Ok(Revoked::AlreadyGone));
    }
    assert_eq!(
        rocketchat::logout_outcome(Ok(answer(200, "logout_me_ok_spec.json"))),
        Ok(Revoked::Now)
    );
}
