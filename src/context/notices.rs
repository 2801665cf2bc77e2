//! The app's messages: a few at a time, the same words once, a success
//! said and then gone, an error kept until dismissed.

use leptos::prelude::*;

/// The most messages shown at once (the newest).
pub const MAX_NOTICES: usize = 3;
/// How long a success message stays (an error stays until dismissed).
const STATUS_FOR_MS: u64 = 8_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    /// Polite: role=status.
    Status,
    /// Assertive: role=alert.
    Alert,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    pub kind: NoticeKind,
    pub text: String,
}

/// `list` with `n` added: the same words earlier go, the newest
/// [`MAX_NOTICES`] stay.
pub fn add(list: &mut Vec<Notice>, n: Notice) {
    list.retain(|x| x.text != n.text);
    list.push(n);
    let len = list.len();
    if len > MAX_NOTICES {
        list.drain(..len - MAX_NOTICES);
    }
}

/// The messages shown now. `Copy`: arena handles.
#[derive(Clone, Copy)]
pub struct Notices {
    list: RwSignal<Vec<Notice>>,
    next_id: StoredValue<u64>,
}

impl Notices {
    pub fn new() -> Self {
        Notices {
            list: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(1),
        }
    }

    /// What is shown (tracked).
    pub fn list(&self) -> ReadSignal<Vec<Notice>> {
        self.list.read_only()
    }

    fn push(&self, kind: NoticeKind, text: String) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.list.update(|l| add(l, Notice { id, kind, text }));
        if kind == NoticeKind::Status {
            let me = *self;
            set_timeout(
                move || me.dismiss(id),
                std::time::Duration::from_millis(STATUS_FOR_MS),
            );
        }
    }

    /// A polite message, gone after a few seconds.
    pub fn status(&self, text: impl Into<String>) {
        self.push(NoticeKind::Status, text.into());
    }

    /// An assertive message, kept until dismissed.
    pub fn alert(&self, text: impl Into<String>) {
        self.push(NoticeKind::Alert, text.into());
    }

    pub fn dismiss(&self, id: u64) {
        self.list.update(|n| n.retain(|x| x.id != id));
    }

    pub fn clear(&self) {
        self.list.set(Vec::new());
    }
}

impl Default for Notices {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_words_once_and_the_newest_three() {
        let n = |id, text: &str| Notice {
            id,
            kind: NoticeKind::Status,
            text: text.into(),
        };
        let mut l = Vec::new();
        for (i, t) in ["a", "b", "a", "c", "d"].iter().enumerate() {
            add(&mut l, n(i as u64, t));
        }
        let texts: Vec<&str> = l.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(texts, ["a", "c", "d"]);
        assert_eq!(l[0].id, 2, "the repeat replaced the earlier one");
    }
}
