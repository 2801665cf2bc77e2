//! What the main area shows, and a several-server preset being connected.

use crate::connection::{Preset, Target};
use crate::server::ServerId;
use leptos::prelude::*;

/// What the main area shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// One connection's Sessions screen.
    Server(ServerId),
    /// Every connection at once: a person everywhere, criteria across servers.
    Everywhere,
    /// The record of revocations.
    Activity,
    /// The Connect form, for one more server.
    AddServer,
}

/// Connecting the servers of a preset one after another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresetStep {
    pub preset: Preset,
    /// The server the Connect form is filled for now.
    pub at: usize,
}

impl PresetStep {
    pub fn target(&self) -> Option<&Target> {
        self.preset.servers.get(self.at)
    }

    /// The next server, if the preset names more.
    pub fn next(&self) -> Option<PresetStep> {
        (self.at + 1 < self.preset.servers.len()).then(|| PresetStep {
            preset: self.preset.clone(),
            at: self.at + 1,
        })
    }
}

/// The view shown and the preset under way. `Copy`: arena handles.
#[derive(Clone, Copy)]
pub struct Nav {
    view: RwSignal<View>,
    preset: RwSignal<Option<PresetStep>>,
}

impl Nav {
    pub fn new() -> Self {
        Nav {
            view: RwSignal::new(View::AddServer),
            preset: RwSignal::new(None),
        }
    }

    /// The view shown (tracked).
    pub fn view(&self) -> ReadSignal<View> {
        self.view.read_only()
    }

    pub(super) fn set_view(&self, v: View) {
        self.view.set(v);
    }

    /// The preset being connected (tracked).
    pub fn preset(&self) -> ReadSignal<Option<PresetStep>> {
        self.preset.read_only()
    }

    pub fn set_preset(&self, step: Option<PresetStep>) {
        self.preset.set(step);
    }

    /// On to the preset's next server: whether there is one.
    pub fn advance_preset(&self) -> bool {
        let next = self.preset.get_untracked().and_then(|s| s.next());
        let more = next.is_some();
        self.preset.set(next);
        more
    }
}

impl Default for Nav {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::BackendKind;

    #[test]
    fn a_preset_steps_through_its_servers_then_ends() {
        let t = |k| Target {
            kind: k,
            base_url: String::new(),
            settings: Default::default(),
        };
        let step = PresetStep {
            preset: Preset {
                name: "Incident".into(),
                servers: vec![t(BackendKind::RocketChat), t(BackendKind::DocSpace)],
            },
            at: 0,
        };
        assert_eq!(step.target().unwrap().kind, BackendKind::RocketChat);
        let next = step.next().unwrap();
        assert_eq!(next.target().unwrap().kind, BackendKind::DocSpace);
        assert!(next.next().is_none());
    }
}
