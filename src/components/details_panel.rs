//! Session details: every field the server returns for one session, with its
//! own Revoke and "Revoke all sessions of ‹user›".

use crate::components::modal::Modal;
use crate::http::request::Cancel;
use crate::model::{Field, Session};
use crate::server::FetchDetails;
use leptos::prelude::*;

#[component]
pub fn DetailsPanel(
    session_id: String,
    /// The row as listed (shown at once, before the full record arrives).
    row: Option<Session>,
    /// The full record (the screen's call: no request is built here).
    fetch: FetchDetails,
    /// Whether "Revoke all sessions of ‹user›" is offered.
    per_user: bool,
    /// How many loaded sessions the same user has.
    user_sessions: usize,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_revoke: Callback<String>,
    /// Revoke every session of the row's user (by user key).
    #[prop(into)]
    on_revoke_user: Callback<String>,
) -> impl IntoView {
    // Closing the panel aborts a details call still under way.
    let cancel = Cancel::default();
    let on_close_cancel = send_wrapper::SendWrapper::new(cancel.clone());
    on_cleanup(move || on_close_cancel.cancel());
    let record = LocalResource::new(move || fetch(&cancel));
    let user = row.as_ref().filter(|_| per_user).map(|r| r.account_label());
    let user_key = row
        .as_ref()
        .map(|r| r.user_key().to_string())
        .unwrap_or_default();
    let listed: Vec<Field> = row
        .as_ref()
        .map(|r| {
            vec![
                Field {
                    name: "sessionId".into(),
                    value: r.id.clone(),
                },
                Field {
                    name: "user".into(),
                    value: r.account_label(),
                },
                Field {
                    name: "client".into(),
                    value: r.client_label(),
                },
                Field {
                    name: "os".into(),
                    value: r.os_label(),
                },
                Field {
                    name: "ip".into(),
                    value: r.ip.clone().unwrap_or_default().to_string(),
                },
            ]
        })
        .unwrap_or_default();
    let now = crate::browser::now_ms();
    // A name as words, its key beside it; a time in the admin's own zone
    // and how long ago, as the server wrote it on hover.
    let fields_view = move |fields: Vec<Field>| {
        // The list scrolls on its own: reachable by keyboard as a region.
        view! {
            <div class="fields-scroll" tabindex="0" role="region" aria-label="Every field of the session">
            <dl class="fields">
                {fields
                    .into_iter()
                    .map(|f| {
                        let label = f.label();
                        let when = looks_like_time(&f.value)
                            .then(|| crate::time::parse_iso8601(&f.value))
                            .flatten();
                        let value = match when {
                            Some(ms) => format!(
                                "{} ({})",
                                crate::browser::format_datetime(ms),
                                crate::browser::format_relative(ms, now)
                            ),
                            None => f.value.clone(),
                        };
                        let raw = when.map(|_| f.value.clone());
                        view! {
                            <div class="field-row">
                                <dt>
                                    <span>{label}</span>
                                    <span class="sub mono">{f.name}</span>
                                </dt>
                                <dd title=raw>{value}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
            </div>
        }
    };
    let sid_revoke = session_id.clone();
    view! {
        <Modal label_id="details-title" on_cancel=on_close class="modal-wide">
            <div class="dialog-body">
                <h2 id="details-title">"Session details"</h2>
                <p class="muted mono">{session_id.clone()}</p>
                {move || match record.get() {
                    None => {
                        view! {
                            <p class="muted" aria-live="polite">"Loading the full record…"</p>
                            {fields_view(listed.clone())}
                        }
                            .into_any()
                    }
                    Some(Ok(fields)) => fields_view(fields).into_any(),
                    Some(Err(e)) => {
                        view! {
                            <p role="alert" class="form-error">{e.to_string()}</p>
                            <button type="button" class="btn" on:click=move |_| record.refetch()>
                                "Try again"
                            </button>
                            {fields_view(listed.clone())}
                        }
                            .into_any()
                    }
                }}
                <div class="dialog-actions">
                    {user
                        .clone()
                        .filter(|_| user_sessions > 0 && !user_key.is_empty())
                        .map(|u| {
                            let key = user_key.clone();
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-danger-quiet"
                                    on:click=move |_| on_revoke_user.run(key.clone())
                                >
                                    {format!(
                                        "Revoke all {} of {u}",
                                        crate::plural::counted(user_sessions, "session")
                                    )}
                                </button>
                            }
                        })}
                    <span class="spacer"></span>
                    <button type="button" class="btn" on:click=move |_| on_close.run(())>
                        "Close"
                    </button>
                    <button
                        type="button"
                        class="btn btn-danger"
                        on:click=move |_| on_revoke.run(sid_revoke.clone())
                    >
                        "Revoke this session"
                    </button>
                </div>
            </div>
        </Modal>
    }
}

/// Whether a value is written as an ISO 8601 date and time ("2026-12-01T10:42…").
fn looks_like_time(v: &str) -> bool {
    let b = v.trim().as_bytes();
    b.len() >= 16
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
}
