//! How the load of the list stands: its progress bar, its error (with what
//! to do), and the notice that the list changed while it was read.

use crate::backends::Scope;
use crate::components::progress::Progress;
use crate::http::request::ApiError;
use crate::load::LoadProgress;
use leptos::prelude::*;

/// * `fallback` — a scope to offer after the error ("Show my own sessions
///   instead"), where the backend has one.
/// * `on_reload` — load again ("Try again", "Refresh").
/// * `on_fallback` — load the offered scope.
#[component]
pub fn LoadStatus(
    #[prop(into)] loading: Signal<Option<LoadProgress>>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(into)] changed: Signal<bool>,
    #[prop(into)] fallback: Signal<Option<Scope>>,
    #[prop(into)] on_reload: Callback<()>,
    #[prop(into)] on_fallback: Callback<Scope>,
) -> impl IntoView {
    let of = move |f: fn(LoadProgress) -> usize| {
        Signal::derive(move || loading.get().map(f).unwrap_or(0))
    };
    view! {
        {move || {
            loading
                .get()
                .map(|l| {
                    view! {
                        <Progress
                            label="Loading sessions"
                            done=of(|l| l.done)
                            total=of(|l| l.total)
                            unit=l.unit
                        />
                    }
                })
        }}
        {move || {
            error
                .get()
                .map(|e| {
                    view! {
                        <div class="panel panel-error">
                            <p role="alert">{e.to_string()}</p>
                            <div class="dialog-actions">
                                {move || {
                                    fallback
                                        .get()
                                        .map(|scope| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="btn btn-primary"
                                                    on:click=move |_| on_fallback.run(scope)
                                                >
                                                    "Show my own sessions instead"
                                                </button>
                                            }
                                        })
                                }}
                                <button type="button" class="btn" on:click=move |_| on_reload.run(())>
                                    "Try again"
                                </button>
                            </div>
                        </div>
                    }
                })
        }}
        <Show when=move || changed.get()>
            <div class="panel panel-warn" role="status">
                <p>
                    <strong>"The list changed while loading — Refresh. "</strong>
                    "Sessions began or ended on the server while its pages were read, so some may be missing or out of date here."
                </p>
                <button type="button" class="btn" on:click=move |_| on_reload.run(())>
                    "Refresh"
                </button>
            </div>
        </Show>
    }
}
