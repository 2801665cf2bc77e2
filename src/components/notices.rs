//! Status (role=status) and error (role=alert) messages.

use crate::context::{AppCtx, NoticeKind};
use leptos::prelude::*;

#[component]
pub fn Notices() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let of = move |kind: NoticeKind| {
        move || {
            ctx.notices()
                .list()
                .get()
                .into_iter()
                .filter(|n| n.kind == kind)
                .collect::<Vec<_>>()
        }
    };
    let item = move |n: crate::context::Notice| {
        let id = n.id;
        view! {
            <div class="notice">
                <span class="notice-text">{n.text}</span>
                <button
                    type="button"
                    class="btn btn-icon"
                    aria-label="Dismiss message"
                    on:click=move |_| ctx.notices().dismiss(id)
                >
                    "×"
                </button>
            </div>
        }
    };
    view! {
        <div class="notices">
            <div role="status" aria-live="polite" class="notice-region notice-status">
                <For each=of(NoticeKind::Status) key=|n| n.id children=item />
            </div>
            <div role="alert" aria-live="assertive" class="notice-region notice-alert">
                <For each=of(NoticeKind::Alert) key=|n| n.id children=item />
            </div>
        </div>
    }
}
