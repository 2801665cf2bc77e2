//! How the load of the list stands: its progress bar, its error (with what
//! to do), and the notice that the list changed while it was read.

use super::screen::Screen;
use crate::components::progress::Progress;
use leptos::prelude::*;

#[component]
pub fn LoadStatus(s: Screen) -> impl IntoView {
    let count = move |f: fn(&crate::load::LoadProgress) -> usize| {
        Signal::derive(move || s.loading.with(|l| l.as_ref().map_or(0, f)))
    };
    // A scope to offer after the error ("Show my own sessions instead").
    let fallback = move || {
        s.load_error.with(|e| {
            e.as_ref()
                .and_then(|e| s.backend.fallback_scope(s.scope.get(), e))
        })
    };
    view! {
        {move || {
            s.loading
                .with(|l| l.map(|l| l.unit))
                .map(|unit| {
                    view! {
                        <Progress label="Loading sessions" done=count(|l| l.done) total=count(|l| l.total) unit=unit />
                    }
                })
        }}
        {move || {
            s.load_error
                .get()
                .map(|e| {
                    view! {
                        <div class="panel panel-error">
                            <p role="alert">{e.to_string()}</p>
                            <div class="dialog-actions">
                                {move || {
                                    fallback()
                                        .map(|scope| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="btn btn-primary"
                                                    on:click=move |_| {
                                                        s.scope.set(scope);
                                                        s.load();
                                                    }
                                                >
                                                    "Show my own sessions instead"
                                                </button>
                                            }
                                        })
                                }}
                                <button type="button" class="btn" on:click=move |_| s.load()>
                                    "Retry"
                                </button>
                            </div>
                        </div>
                    }
                })
        }}
        <Show when=move || s.load_report.with(|r| r.list_changed)>
            <div class="panel panel-warn" role="status">
                <p>
                    <strong>"The list changed while loading — Refresh. "</strong>
                    "Sessions began or ended on the server while its pages were read, so some may be missing or out of date here."
                </p>
                <button type="button" class="btn" on:click=move |_| s.load()>
                    "Refresh"
                </button>
            </div>
        </Show>
    }
}
