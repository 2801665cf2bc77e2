//! How the load of the list stands: its progress bar, its error (with what
//! to do), the notice that the list changed while it was read, and why
//! sweeps are off when the panel's own session cannot be told.

use crate::components::progress::Progress;
use crate::server::Server;
use leptos::prelude::*;

#[component]
pub fn LoadStatus(server: Server) -> impl IntoView {
    let count = move |f: fn(&crate::load::LoadProgress) -> usize| {
        Signal::derive(move || server.loading().with(|l| l.as_ref().map_or(0, f)))
    };
    // A scope to offer after the error ("Show my own sessions instead").
    let fallback = move || {
        server.load_error().with(|e| {
            e.as_ref()
                .and_then(|e| server.backend().fallback_scope(server.scope().get(), e))
        })
    };
    view! {
        {move || {
            server
                .loading()
                .with(|l| l.map(|l| l.unit))
                .map(|unit| {
                    view! {
                        <Progress label="Loading sessions" done=count(|l| l.done) total=count(|l| l.total) unit=unit />
                    }
                })
        }}
        {move || {
            server
                .load_error()
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
                                                    on:click=move |_| server.show_scope(scope)
                                                >
                                                    "Show my own sessions instead"
                                                </button>
                                            }
                                        })
                                }}
                                <button type="button" class="btn" on:click=move |_| server.load()>
                                    "Retry"
                                </button>
                            </div>
                        </div>
                    }
                })
        }}
        {move || {
            server
                .load_report()
                .with(|r| r.capped)
                .map(|c| {
                    let of = c
                        .total
                        .map(|t| format!(" of {t}"))
                        .unwrap_or_else(|| " (the server did not say of how many)".into());
                    let raised = c.limit.saturating_mul(2);
                    view! {
                        <div class="panel panel-warn" role="status">
                            <p>
                                <strong>{format!("Loaded {} sessions{of}: the panel's limit of {} sessions per server. ", c.loaded, c.limit)}</strong>
                                "The rest are not shown, searched, swept by criteria or included under Everywhere. Narrow the list on the server, or raise the limit for this browser (about 310 bytes of memory a session)."
                            </p>
                            <button type="button" class="btn" on:click=move |_| server.raise_limit(raised)>
                                {format!("Raise the limit to {raised} and reload")}
                            </button>
                        </div>
                    }
                })
        }}
        {move || own_note(server)}
        <Show when=move || server.load_report().with(|r| r.list_changed)>
            <div class="panel panel-warn" role="status">
                <p>
                    <strong>"The list changed while loading — Refresh. "</strong>
                    "Sessions began or ended on the server while its pages were read, so some may be missing or out of date here."
                </p>
                <button type="button" class="btn" on:click=move |_| server.load()>
                    "Refresh"
                </button>
            </div>
        </Show>
    }
}

/// After a load that went through, why Revoke selected and every sweep are
/// refused on this server, where that lasts beyond the moment the panel
/// looks its own session up (a failed lookup, a token naming no listed
/// session, a server that does not say), with a reload where that may
/// cure it.
fn own_note(server: Server) -> Option<impl IntoView> {
    use crate::model::OwnSession;
    if server.loading().with(Option::is_some) || server.load_error().with(Option::is_some) {
        return None;
    }
    server.own().with(|own| {
        let why = match own {
            OwnSession::Known(_) | OwnSession::Unknown => return None,
            OwnSession::Failed(e) => format!("{} What failed: {e}", own.sweep_refusal()?),
            other => other.sweep_refusal()?.to_string(),
        };
        let cure = !matches!(own, OwnSession::Unknowable);
        Some(view! {
            <div class="panel panel-warn" role="status">
                <p>
                    <strong>"Revoke selected and sweeps are off on this server: "</strong>
                    {why}
                </p>
                {cure.then(|| view! {
                    <button type="button" class="btn" on:click=move |_| server.load()>
                        "Reload and ask again"
                    </button>
                })}
            </div>
        })
    })
}
