//! Keyboard shortcuts of the Sessions screen: which key means what (pure),
//! the list shown by `?`, and the listener that carries them out.

use super::screen::Screen;
use crate::browser;
use crate::server::ServerId;
use leptos::prelude::*;

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyCommand {
    /// `/`: to the filter.
    FocusFilter,
    /// `j`, ArrowDown: the next row.
    Next,
    /// `k`, ArrowUp: the previous row.
    Prev,
    /// `x`: select or unselect the focused row.
    Toggle,
    /// Enter (on a row or its checkbox): the row's details.
    Open,
    /// `?`: the list of shortcuts.
    Help,
}

/// What the keys do, as `?` lists them.
pub const SHORTCUTS: [(&str, &str); 6] = [
    ("/", "Focus the filter"),
    ("j or ↓", "Next row"),
    ("k or ↑", "Previous row"),
    ("x", "Select or unselect the focused row"),
    ("Enter", "Details of the focused row"),
    ("?", "Show these shortcuts"),
];

/// The command for `key` (a `KeyboardEvent.key`). `typing`: focus is in a
/// field that takes text (then no shortcut fires); `modified`: Ctrl, Alt or
/// Meta is held (the browser's and the system's shortcuts stay theirs);
/// `on_row`: focus is on a table row or its checkbox (Enter elsewhere
/// presses what is focused).
pub fn command(key: &str, typing: bool, modified: bool, on_row: bool) -> Option<KeyCommand> {
    if typing || modified {
        return None;
    }
    Some(match key {
        "/" => KeyCommand::FocusFilter,
        "j" | "ArrowDown" => KeyCommand::Next,
        "k" | "ArrowUp" => KeyCommand::Prev,
        "x" => KeyCommand::Toggle,
        "Enter" if on_row => KeyCommand::Open,
        "?" => KeyCommand::Help,
        _ => return None,
    })
}

/// Whether an element with this tag (and `type`, for inputs) takes typed
/// text, so letters typed there are text, not shortcuts.
pub fn takes_text(tag: &str, input_type: Option<&str>, editable: bool) -> bool {
    editable
        || matches!(tag, "TEXTAREA" | "SELECT")
        || (tag == "INPUT"
            && !matches!(
                input_type.unwrap_or("text"),
                "checkbox" | "radio" | "button" | "submit" | "reset"
            ))
}

/// Listens for the shortcuts while `s`'s tab is shown and no dialog is
/// open. `container`: the id of the screen's element; `help`: opens the list.
pub fn listen(
    s: Screen,
    server: ServerId,
    container: String,
    help: RwSignal<bool>,
) -> WindowListenerHandle {
    window_event_listener(leptos::ev::keydown, move |ev| {
        if !s.active.get_untracked() || browser::dialog_open() {
            return;
        }
        let target = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok());
        let (typing, on_row) = target.as_ref().map_or((false, false), |t| {
            let tag = t.tag_name();
            let kind = t.get_attribute("type");
            let typing = takes_text(&tag, kind.as_deref(), t.is_content_editable());
            let in_row = t.closest("tr[data-row]").ok().flatten().is_some();
            (typing, tag == "TR" || (tag == "INPUT" && in_row))
        });
        let modified = ev.ctrl_key() || ev.alt_key() || ev.meta_key();
        let Some(cmd) = command(&ev.key(), typing, modified, on_row) else {
            return;
        };
        ev.prevent_default();
        match cmd {
            KeyCommand::FocusFilter => browser::focus_id(&format!("filter-{server}")),
            KeyCommand::Next => browser::move_row_focus(&container, true),
            KeyCommand::Prev => browser::move_row_focus(&container, false),
            KeyCommand::Toggle => {
                browser::press_in_focused_row("check");
            }
            KeyCommand::Open => {
                browser::press_in_focused_row("details");
            }
            KeyCommand::Help => help.set(true),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_commands_only_outside_text_fields_and_without_modifiers() {
        assert_eq!(
            command("/", false, false, false),
            Some(KeyCommand::FocusFilter)
        );
        assert_eq!(command("j", false, false, true), Some(KeyCommand::Next));
        assert_eq!(
            command("ArrowUp", false, false, true),
            Some(KeyCommand::Prev)
        );
        assert_eq!(command("x", false, false, true), Some(KeyCommand::Toggle));
        assert_eq!(command("?", false, false, false), Some(KeyCommand::Help));
        assert_eq!(command("Enter", false, false, true), Some(KeyCommand::Open));
        // Enter on a button presses the button.
        assert_eq!(command("Enter", false, false, false), None);
        // Typing in the filter: "j" is a letter.
        assert_eq!(command("j", true, false, true), None);
        assert_eq!(command("/", true, false, false), None);
        // Ctrl+K, Alt+ArrowDown and friends stay the browser's.
        assert_eq!(command("k", false, true, true), None);
        assert_eq!(command("J", false, false, true), None);
    }

    #[test]
    fn text_fields_are_recognised() {
        assert!(takes_text("INPUT", Some("search"), false));
        assert!(takes_text("INPUT", None, false));
        assert!(takes_text("INPUT", Some("date"), false));
        assert!(takes_text("TEXTAREA", None, false));
        assert!(takes_text("SELECT", None, false));
        assert!(takes_text("DIV", None, true));
        assert!(!takes_text("INPUT", Some("checkbox"), false));
        assert!(!takes_text("BUTTON", None, false));
        assert!(!takes_text("TR", None, false));
    }
}
