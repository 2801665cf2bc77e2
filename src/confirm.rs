//! What each confirmation says before anything is revoked (pure): the
//! title, the consequence in one sentence, the button, and the warnings —
//! including the panel's own session when it is among those chosen.

use crate::backends::{AllText, OthersText};
use crate::plural::{counted, plural_s};
use crate::revoke::Action;

/// What a confirmation asks.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfirmSpec {
    pub title: String,
    /// One plain sentence on the consequence.
    pub message: String,
    /// The sessions concerned, as shown to the admin (first few listed).
    pub items: Vec<String>,
    /// The confirm button's text, e.g. "Revoke 3 sessions".
    pub confirm_label: String,
    /// Extra warning shown in bold (e.g. the panel's own session ends).
    pub warning: Option<String>,
    /// The people whose sessions end, each with their server: every one
    /// is listed (never "…and N more").
    pub people: Vec<String>,
    /// Ask for an optional reason or ticket (kept in the activity record):
    /// every revocation does.
    pub ask_reason: bool,
    /// The confirm button stays disabled until this is typed (exactly):
    /// for what reaches further than any list shows (a realm's sign-out).
    pub type_to_confirm: Option<String>,
}

/// A confirmation on screen and the action it would start (and why).
#[derive(Clone, Debug, PartialEq)]
pub struct PendingConfirm {
    pub spec: ConfirmSpec,
    pub action: Action,
    pub purpose: crate::revoke::Purpose,
}

/// Why "Revoke all sessions of (unknown user)" is never offered.
pub const UNKNOWN_USER: &str = "Not offered: these sessions have no known user, so they are not one person's sessions. Select them one by one instead.";

const OWN_SESSION: &str =
    "This includes the session sessiondeck itself is using: you will be signed out.";

fn spec(title: String, message: String, confirm_label: String) -> ConfirmSpec {
    ConfirmSpec {
        title,
        message,
        items: Vec::new(),
        confirm_label,
        warning: None,
        people: Vec::new(),
        ask_reason: false,
        type_to_confirm: None,
    }
}

impl ConfirmSpec {
    /// Says first that some of the sessions are not on screen (the filter
    /// or criteria hide them), and names each.
    pub fn not_shown(mut self, hidden: Vec<String>) -> Self {
        let n = hidden.len();
        let said = format!(
            "{} of these {} not shown by the current filter and criteria: {}.",
            counted(n, "session"),
            if n == 1 { "is" } else { "are" },
            hidden.join("; ")
        );
        self.warning = Some(match self.warning.take() {
            Some(w) => format!("{said} {w}"),
            None => said,
        });
        self
    }

    /// Names the server the sessions are on (several may be connected).
    pub fn on_server(mut self, server: &str) -> Self {
        self.message = format!("On {server}: {}", self.message);
        self
    }
}

/// A sweep across servers. `people`: the people ticked, as "‹person› on
/// ‹server›" and their sessions in the sweep (empty for criteria alone); `whole`: everything of
/// them (no criteria); per server its label, count and how they end; `own`
/// of the panel's own sessions among them (said, never silent). The
/// sessions are listed by the caller.
pub fn sweep(
    people: &[(String, usize)],
    whole: bool,
    per_server: &[(String, usize, String)],
    own: usize,
) -> ConfirmSpec {
    let n: usize = per_server.iter().map(|p| p.1).sum();
    let who = match (people.len(), whole) {
        (0, _) => "the matching sessions".to_string(),
        (1, true) => format!("everything of {}", people[0].0),
        (k, true) => format!("everything of {k} people"),
        (1, false) => format!("the matching sessions of {}", people[0].0),
        (k, false) => format!("the matching sessions of {k} people"),
    };
    let parts: Vec<String> = per_server
        .iter()
        .map(|(label, count, how)| format!("{label}: {} ({how})", counted(*count, "session")))
        .collect();
    let mut s = spec(
        format!("Revoke {who}?"),
        format!(
            "{} on {} will be logged out: {}. Nothing else is touched{}.",
            counted(n, "session"),
            counted(per_server.len(), "server"),
            parts.join("; "),
            if people.is_empty() {
                ""
            } else {
                " — no one but the people listed"
            }
        ),
        format!("Revoke {}", counted(n, "session")),
    );
    s.items = parts;
    s.people = people
        .iter()
        .map(|(who, n)| format!("{who}: {}", counted(*n, "session")))
        .collect();
    s.ask_reason = true;
    s.warning = (own > 0).then(|| {
        format!(
            "This includes {} sessiondeck itself is using: that server's connection ends too.",
            if own == 1 {
                "the session".to_string()
            } else {
                format!("{own} sessions")
            }
        )
    });
    s
}

/// Forgetting the activity record (nothing is revoked).
pub fn clear_activity(n: usize) -> ConfirmSpec {
    spec(
        "Clear the activity record?".into(),
        format!(
            "{} of what this browser revoked will be forgotten. Export the record first if you need it. No session is touched.",
            counted(n, "recorded attempt")
        ),
        "Clear activity".into(),
    )
}

/// One session (`what`: how it is shown).
pub fn one(id: &str, what: &str) -> ConfirmSpec {
    spec(
        "Revoke this session?".into(),
        format!("Session {id} of {what} will be logged out. It has to sign in again."),
        "Revoke 1 session".into(),
    )
}

/// Every loaded session of one user.
pub fn all_of_user(who: &str, n: usize) -> ConfirmSpec {
    spec(
        format!("Revoke all sessions of {who}?"),
        format!(
            "All {n} loaded session{} of {who} will be logged out, on every device. Sessions of other users are not touched.",
            plural_s(n)
        ),
        format!("Revoke {}", counted(n, "session")),
    )
}

/// The selected sessions, of `users` users.
pub fn selected(n: usize, users: usize) -> ConfirmSpec {
    spec(
        format!("Revoke {n} selected session{}?", plural_s(n)),
        format!(
            "{} of {} will be logged out. Nothing else is touched.",
            counted(n, "session"),
            counted(users, "user")
        ),
        format!("Revoke {}", counted(n, "session")),
    )
}

/// "Revoke all other sessions", as the backend words it.
pub fn others(text: OthersText) -> ConfirmSpec {
    ConfirmSpec {
        warning: text.warning,
        ..spec(
            "Revoke all other sessions?".into(),
            text.message,
            "Revoke all other sessions".into(),
        )
    }
}

/// "Revoke all sessions", as the backend words it.
pub fn all(text: AllText) -> ConfirmSpec {
    ConfirmSpec {
        warning: text.warning,
        type_to_confirm: text.type_to_confirm,
        ..spec(text.title, text.message, text.button)
    }
}

impl ConfirmSpec {
    /// Lists the sessions concerned; when the panel's own session is among
    /// them, says so (unless a warning already says more).
    pub fn listing(mut self, items: Vec<String>, includes_own: bool) -> ConfirmSpec {
        self.items = items;
        self.ask_reason = true;
        if includes_own {
            self.warning = Some(match self.warning.take() {
                Some(w) => format!("{w} {OWN_SESSION}"),
                None => OWN_SESSION.into(),
            });
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn self_service_all(listed: usize) -> AllText {
        crate::backends::BackendKind::SelfService
            .backend()
            .all_text(listed, &Default::default())
    }

    #[test]
    fn a_sweep_names_the_count_per_server_and_the_own_session() {
        let parts = [
            (
                "Rocket.Chat · chat".to_string(),
                3,
                "one call per session".to_string(),
            ),
            (
                "DocSpace · docs".to_string(),
                1,
                "1 whole user by the server's per-user call".to_string(),
            ),
        ];
        let people = [
            ("Grace Kim (grace.kim) on Rocket.Chat · chat".to_string(), 3),
            ("Grace Kim (ID g1) on DocSpace · docs".to_string(), 1),
        ];
        let s = sweep(&people, true, &parts, 0);
        assert_eq!(s.title, "Revoke everything of 2 people?");
        assert_eq!(
            s.message,
            "4 sessions on 2 servers will be logged out: Rocket.Chat · chat: 3 sessions (one call per session); DocSpace · docs: 1 session (1 whole user by the server's per-user call). Nothing else is touched — no one but the people listed."
        );
        assert_eq!(
            s.people,
            [
                "Grace Kim (grace.kim) on Rocket.Chat · chat: 3 sessions",
                "Grace Kim (ID g1) on DocSpace · docs: 1 session"
            ],
            "every person, with their server"
        );
        assert_eq!(s.confirm_label, "Revoke 4 sessions");
        assert!(s.warning.is_none());
        let one = sweep(&people[..1], true, &parts[..1], 0);
        assert_eq!(
            one.title,
            "Revoke everything of Grace Kim (grace.kim) on Rocket.Chat · chat?"
        );
        let s = sweep(&[], false, &parts[..1], 1);
        assert_eq!(s.title, "Revoke the matching sessions?");
        assert!(s.warning.unwrap().contains("sessiondeck itself is using"));
    }

    #[test]
    fn counts_and_consequences_are_spelled_out() {
        let s = selected(3, 1);
        assert_eq!(s.title, "Revoke 3 selected sessions?");
        assert_eq!(
            s.message,
            "3 sessions of 1 user will be logged out. Nothing else is touched."
        );
        assert_eq!(s.confirm_label, "Revoke 3 sessions");
        let u = all_of_user("Test", 1);
        assert_eq!(u.confirm_label, "Revoke 1 session");
        assert!(u.message.starts_with("All 1 loaded session of Test"));
        let o = one("s1", "alice — Chrome");
        assert_eq!(
            o.message,
            "Session s1 of alice — Chrome will be logged out. It has to sign in again."
        );
        assert!(all(self_service_all(5))
            .warning
            .unwrap()
            .contains("this connection closes"));
    }

    #[test]
    fn the_panels_own_session_is_named_when_included() {
        let s = one("s1", "me").listing(vec!["me · s1".into()], true);
        assert_eq!(s.warning.as_deref(), Some(OWN_SESSION));
        assert_eq!(s.items, ["me · s1"]);
        assert_eq!(one("s2", "bob").listing(vec![], false).warning, None);
        // A stronger warning is kept.
        let a = all(self_service_all(2)).listing(vec![], true);
        assert!(a
            .warning
            .unwrap()
            .contains("your other servers stay connected"));
    }
}
