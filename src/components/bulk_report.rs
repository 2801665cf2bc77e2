//! Progress of a running batch of revocations, then its report with
//! "Retry failed".

use crate::components::progress::Progress;
use crate::plural::{plural_s, verb_s};
use crate::revoke::BulkState;
use leptos::prelude::*;

/// The running batch (progress, Stop, what waits behind it), then its report.
///
/// * `waiting` — confirmed actions queued behind the running one.
/// * `on_stop` — send nothing more of the running batch (and drop what waits).
/// * `on_retry` — send these sessions again (failed and not sent).
/// * `on_dismiss` — the admin has read the report.
#[component]
pub fn BulkReport(
    #[prop(into)] state: Signal<Option<BulkState>>,
    #[prop(into)] waiting: Signal<usize>,
    #[prop(into)] on_stop: Callback<()>,
    #[prop(into)] on_retry: Callback<Vec<String>>,
    #[prop(into)] on_dismiss: Callback<()>,
) -> impl IntoView {
    move || {
        state.get().map(|s| match s {
            BulkState::Running { done, total, checking } => view! {
                <section class="panel" aria-label="Revocation progress">
                    <Progress
                        label=if checking { "Revoking and checking sessions" } else { "Revoking sessions" }
                        done=Signal::derive(move || done)
                        total=Signal::derive(move || total)
                        unit="sessions"
                    />
                    <div class="dialog-actions">
                        {move || {
                            let n = waiting.get();
                            (n > 0)
                                .then(|| {
                                    view! {
                                        <span class="muted">
                                            {format!("{n} more confirmed action{} wait{} behind this one.", plural_s(n), verb_s(n))}
                                        </span>
                                    }
                                })
                        }}
                        <span class="spacer"></span>
                        <button type="button" class="btn btn-danger-quiet" on:click=move |_| on_stop.run(())>
                            "Stop"
                        </button>
                    </div>
                </section>
            }
            .into_any(),
            BulkState::Verifying { total } => view! {
                <section class="panel" aria-label="Revocation progress">
                    <p role="status" class="verifying">
                        {format!(
                            "Sent. Reading the list again to confirm which of {total} session{} ended…",
                            plural_s(total)
                        )}
                    </p>
                </section>
            }
            .into_any(),
            BulkState::Finished(report) => {
                let retry = report.retry_ids();
                let n_retry = retry.len();
                let clean = report.is_clean();
                let rows = report
                    .failed
                    .iter()
                    .chain(report.not_sent.iter())
                    .cloned()
                    .collect::<Vec<_>>();
                view! {
                    <section
                        class=if clean { "panel report report-ok" } else { "panel report report-failed" }
                        aria-label="Revocation report"
                    >
                        <p class="report-summary">
                            <strong>{report.summary()}</strong>
                        </p>
                        {(!rows.is_empty())
                            .then(|| {
                                view! {
                                    <table class="report-table">
                                        <caption>"Not revoked"</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Session"</th>
                                                <th scope="col">"Why"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {rows
                                                .into_iter()
                                                .map(|f| {
                                                    view! {
                                                        <tr>
                                                            <td>
                                                                <span>{f.label}</span>
                                                                <span class="sub mono">{f.id}</span>
                                                            </td>
                                                            <td>{f.reason}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                }
                            })}
                        <div class="dialog-actions">
                            {(n_retry > 0)
                                .then(|| {
                                    let retry = retry.clone();
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn-primary"
                                            on:click=move |_| on_retry.run(retry.clone())
                                        >
                                            {format!("Retry failed ({n_retry})")}
                                        </button>
                                    }
                                })}
                            <button type="button" class="btn" on:click=move |_| on_dismiss.run(())>
                                "Dismiss report"
                            </button>
                        </div>
                    </section>
                }
                .into_any()
            }
        })
    }
}
