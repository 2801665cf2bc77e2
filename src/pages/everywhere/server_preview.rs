//! One server's part of the Everywhere preview, and how its line reads
//! (plain Rust, tested natively).

use crate::backends::Capped;
use crate::everywhere::{calls_in_words, Found, Person};
use crate::plural::counted;
use crate::revoke::Action;
use crate::server::ServerId;

/// One server's part of the preview.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerPreview {
    pub server: ServerId,
    pub label: String,
    pub found: Found,
    /// What would be sent: the sweep on this server.
    pub action: Action,
    /// Still loading (the preview covers what is loaded).
    pub loading: bool,
    /// Loading again in the background (the preview shows the last load).
    pub refreshing: bool,
    /// The load stopped at the panel's limit: the preview covers the
    /// sessions loaded, not the server's whole list.
    pub capped: Option<Capped>,
    pub error: Option<String>,
    /// The people the sweep covers here (ticked, with sessions in it).
    pub people: Vec<(Person, usize)>,
    /// Why nothing is taken from this server yet (its own session is not
    /// known), if so.
    pub refused: Option<&'static str>,
    /// Why the person typed is not found here although they may be (a
    /// login on a server that lists display names only).
    pub not_found: Option<String>,
}

impl ServerPreview {
    pub fn count(&self) -> usize {
        self.found.chosen.len()
    }

    /// "Rocket.Chat · chat.example.com — 3 sessions (one call per session)",
    /// and whether the admin's own session is in or left out.
    pub fn line(&self) -> String {
        let mut text = format!("{} — {}", self.label, counted(self.count(), "session"));
        if let Some(c) = &self.capped {
            text.push_str(&c.of_loaded());
        }
        if self.count() > 0 {
            text.push_str(&format!(" ({})", calls_in_words(&self.action)));
        }
        if self.found.own_matching > self.found.own_chosen {
            text.push_str(" · your own session matches and is left out");
        } else if self.found.own_chosen > 0 {
            text.push_str(" · includes your own session");
        }
        text
    }

    /// Why the line may not be the whole truth yet.
    pub fn note(&self) -> Option<String> {
        if let Some(why) = self.refused {
            Some(format!("Left out: {why}"))
        } else if let (0, Some(why)) = (self.count(), &self.not_found) {
            Some(format!("Not covered: {why}"))
        } else if let Some(e) = &self.error {
            Some(format!("Could not load all of this server's sessions: {e}"))
        } else if self.loading {
            Some("Still loading: the preview covers what is loaded so far.".into())
        } else if self.refreshing {
            Some("Refreshing: the preview shows the previous load until the new one is in.".into())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(chosen: usize, own_matching: usize, own_chosen: usize) -> ServerPreview {
        ServerPreview {
            server: 1,
            label: "Rocket.Chat · chat.example.com".into(),
            found: Found {
                chosen: (0..chosen).collect(),
                own_matching,
                own_chosen,
            },
            action: Action::Sessions {
                ids: (0..chosen).map(|i| format!("s{i}")).collect(),
                batch: true,
            },
            loading: false,
            refreshing: false,
            capped: None,
            error: None,
            people: Vec::new(),
            refused: None,
            not_found: None,
        }
    }

    #[test]
    fn the_line_counts_the_sessions_and_says_what_happens_to_the_own_one() {
        assert_eq!(
            part(0, 0, 0).line(),
            "Rocket.Chat · chat.example.com — 0 sessions"
        );
        let left_out = part(2, 1, 0).line();
        assert!(
            left_out.starts_with("Rocket.Chat · chat.example.com — 2 sessions ("),
            "{left_out}"
        );
        assert!(
            left_out.ends_with(" · your own session matches and is left out"),
            "{left_out}"
        );
        assert!(part(2, 1, 1)
            .line()
            .ends_with(" · includes your own session"));
    }

    #[test]
    fn a_server_loaded_short_of_its_list_is_counted_of_what_was_loaded() {
        let mut p = part(3, 0, 0);
        p.capped = Some(Capped {
            loaded: 200,
            total: Some(450),
            limit: 200,
        });
        assert!(
            p.line().starts_with(
                "Rocket.Chat · chat.example.com — 3 sessions of the 200 loaded (450 on the server) ("
            ),
            "{}",
            p.line()
        );
        p.capped = Some(Capped {
            loaded: 200,
            total: None,
            limit: 200,
        });
        assert!(p
            .line()
            .contains("3 sessions of the 200 loaded (the server has more)"));
    }

    #[test]
    fn the_note_says_why_the_preview_may_change_worst_first() {
        let mut p = part(1, 0, 0);
        assert_eq!(p.note(), None);
        p.refreshing = true;
        assert!(p
            .note()
            .unwrap()
            .starts_with("Refreshing: the preview shows the previous load"));
        p.loading = true;
        assert!(p.note().unwrap().starts_with("Still loading"));
        p.error = Some("500 Internal Server Error".into());
        assert_eq!(
            p.note().as_deref(),
            Some("Could not load all of this server's sessions: 500 Internal Server Error")
        );
        p.refused = crate::model::OwnSession::Unknown.sweep_refusal();
        assert!(p
            .note()
            .unwrap()
            .starts_with("Left out: sessiondeck does not know yet"));
    }
}
