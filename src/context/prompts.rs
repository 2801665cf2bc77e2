//! The two-factor dialog's gate: every connection asks through its own
//! [`TwoFactorGate`]; the dialog shows the first still asking, naming its
//! server, and the others wait their turn.

use crate::http::two_factor::{Prompt, PromptQueue, TwoFactorGate};
use leptos::prelude::*;
use std::rc::Rc;

/// The server whose second-factor question the dialog shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptSource {
    /// Its gate's number.
    pub gate: u32,
    /// Its label ("Rocket.Chat · chat.example.com").
    pub label: String,
}

/// The dialog's state. `Copy`: arena handles.
#[derive(Clone, Copy)]
pub struct Prompts {
    /// What the dialog shows (`None` = closed).
    prompt: RwSignal<Option<Prompt>>,
    /// Which server's verification it shows.
    from: RwSignal<Option<PromptSource>>,
    /// Every gate that asks, first asked first shown.
    asking: StoredValue<PromptQueue<Rc<TwoFactorGate>>, LocalStorage>,
    next_id: StoredValue<u32>,
}

impl Prompts {
    pub fn new() -> Self {
        Prompts {
            prompt: RwSignal::new(None),
            from: RwSignal::new(None),
            asking: StoredValue::new_local(PromptQueue::default()),
            next_id: StoredValue::new(1),
        }
    }

    /// What the dialog shows (tracked).
    pub fn prompt(&self) -> ReadSignal<Option<Prompt>> {
        self.prompt.read_only()
    }

    /// Whose question it is (tracked).
    pub fn source(&self) -> ReadSignal<Option<PromptSource>> {
        self.from.read_only()
    }

    /// The gate the dialog answers.
    pub fn dialog_gate(&self) -> Option<Rc<TwoFactorGate>> {
        self.asking
            .with_value(|q| q.shown().map(|(_, g, _)| g.clone()))
    }

    /// A new gate, numbered, whose questions the dialog shows naming the
    /// server as `label` says at that moment.
    pub fn gate(&self, label: Rc<dyn Fn() -> String>) -> (u32, Rc<TwoFactorGate>) {
        let me = *self;
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let gate = Rc::new_cyclic(|weak: &std::rc::Weak<TwoFactorGate>| {
            let weak = weak.clone();
            TwoFactorGate::new(move |p: Option<Prompt>| {
                let name = p.as_ref().map(|_| label());
                me.asking.update_value(|q| match (p, weak.upgrade(), name) {
                    (Some(p), Some(g), Some(name)) => q.ask(id, g, name, p),
                    _ => q.done(id),
                });
                me.show_first();
            })
        });
        (id, gate)
    }

    /// Shows what the first gate still asking asks (or closes the dialog).
    fn show_first(&self) {
        let first = self
            .asking
            .with_value(|q| q.shown().map(|(id, _, p)| (*id, p.clone())));
        let Some((id, p)) = first else {
            return self.close();
        };
        if self.from.with_untracked(|f| f.as_ref().map(|f| f.gate)) != Some(id) {
            let label = self
                .asking
                .with_value(|q| q.label(id).map(str::to_string))
                .unwrap_or_default();
            self.from.set(Some(PromptSource { gate: id, label }));
        }
        self.prompt.set(Some(p));
    }

    /// The dialog closes (everything was signed out).
    pub fn close(&self) {
        self.prompt.set(None);
        self.from.set(None);
    }
}

impl Default for Prompts {
    fn default() -> Self {
        Self::new()
    }
}
