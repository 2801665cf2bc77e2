//! The start after a crash: the servers that could be reconnected, which
//! one was loading when the panel stopped, and nothing reconnected until
//! the admin chooses — so one hostile server cannot crash it in a loop.

use crate::context::AppCtx;
use leptos::prelude::*;

#[component]
pub fn AfterCrash() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    move || {
        ctx.after_crash().get().map(|a| {
            let why = if a.loading.is_empty() {
                "It stopped on an internal error. Reconnect the servers you need.".to_string()
            } else {
                format!(
                    "It stopped while loading {}: that server's answer may be what stopped it. Reconnect the others first, or check that server before reconnecting it.",
                    a.loading.join(", ")
                )
            };
            let rows = a
                .stored
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let label = c.label();
                    let was_loading = a.loading.iter().any(|l| l.starts_with(&label));
                    view! {
                        <li>
                            <span>
                                <strong>{label.clone()}</strong>
                                {format!(" · signed in as {}", c.display_name)}
                                {was_loading.then(|| view! { <span class="badge badge-warn">"was loading"</span> })}
                            </span>
                            <button
                                type="button"
                                class="btn btn-small"
                                aria-label=format!("Reconnect {label}")
                                on:click=move |_| ctx.reconnect_after_crash(Some(i))
                            >
                                "Reconnect"
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="panel panel-warn after-crash" aria-labelledby="after-crash-title">
                    <h2 id="after-crash-title">"sessiondeck stopped last time — nothing was reconnected"</h2>
                    <p>{why}</p>
                    <ul class="after-crash-servers">{rows}</ul>
                    <div class="dialog-actions">
                        <button type="button" class="btn" on:click=move |_| ctx.forget_after_crash()>
                            "Forget them"
                        </button>
                        <span class="spacer"></span>
                        <button type="button" class="btn btn-primary" on:click=move |_| ctx.reconnect_after_crash(None)>
                            "Reconnect all"
                        </button>
                    </div>
                </section>
            }
        })
    }
}
