//! One row slot of the sessions table: what a row shows ([`RowView`]) and
//! the slot that shows it, built once with every text and attribute bound.

use crate::list::SortKey;
use crate::model::Session;
use crate::time::Timestamp;
use leptos::prelude::*;

/// A time as a cell shows it: the full date is formatted once per row change.
#[derive(Clone, Debug, Default, PartialEq)]
struct TimeText {
    /// The server's text (`datetime` attribute, or shown when unreadable).
    raw: Option<String>,
    epoch_ms: Option<f64>,
    /// The full date in the admin's locale.
    full: String,
}

impl TimeText {
    fn of(t: &Option<Timestamp>) -> Self {
        match t {
            Some(t) => TimeText {
                raw: Some(t.raw().into_owned()),
                epoch_ms: t.epoch_ms(),
                full: t
                    .epoch_ms()
                    .map(crate::browser::format_datetime)
                    .unwrap_or_default(),
            },
            None => TimeText::default(),
        }
    }

    /// The relative age ("3 days ago"); the server's text when unreadable.
    fn age(&self, now: f64) -> String {
        match (&self.raw, self.epoch_ms) {
            (Some(_), Some(ms)) => crate::browser::format_relative(ms, now),
            (Some(raw), None) => raw.clone(),
            (None, _) => "—".to_string(),
        }
    }

    /// The full date under the age (empty when unreadable or missing).
    fn full_text(&self) -> String {
        match (&self.raw, self.epoch_ms) {
            (Some(_), Some(_)) => self.full.clone(),
            _ => String::new(),
        }
    }

    fn title(&self) -> Option<String> {
        match (&self.raw, self.epoch_ms) {
            (Some(_), Some(_)) => Some(self.full.clone()),
            (Some(_), None) => Some("The server's date could not be read".to_string()),
            (None, _) => None,
        }
    }
}

/// Everything one row shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowView {
    pub id: String,
    user: String,
    /// The login name, when it differs from the label.
    username: Option<String>,
    operator: bool,
    current: bool,
    own_account: bool,
    client: String,
    device_type: Option<String>,
    os: String,
    ip: String,
    host: String,
    location: String,
    login: TimeText,
    last_active: TimeText,
    expires: TimeText,
    /// Selected, and with a revoke under way (set by the table).
    pub checked: bool,
    pub pending: bool,
    /// New since the previous load (set by the table).
    pub fresh: bool,
}

fn text_or_dash(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("—").to_string()
}

impl RowView {
    pub fn of(s: &Session) -> Self {
        let user = s.user_label().to_string();
        RowView {
            id: s.id.clone(),
            // What tells the account apart under its name: the login, else
            // the user ID (DocSpace lists names and IDs only).
            username: s
                .username
                .as_deref()
                .filter(|u| Some(*u) != s.user_name.as_deref() && *u != user)
                .map(str::to_string)
                .or_else(|| {
                    s.user_id
                        .as_deref()
                        .filter(|i| !i.is_empty() && *i != user)
                        .map(|i| format!("ID {i}"))
                }),
            user,
            operator: s.operator,
            current: s.current,
            own_account: s.own_account,
            client: text_or_dash(Some(&s.client_label())),
            device_type: s.device_type.as_deref().map(str::to_string),
            os: text_or_dash(Some(&s.os_label())),
            ip: text_or_dash(s.ip.as_deref()),
            host: text_or_dash(s.host.as_deref()),
            location: text_or_dash(s.location.as_deref()),
            login: TimeText::of(&s.login_at),
            last_active: TimeText::of(&s.last_active),
            expires: TimeText::of(&s.expires_at),
            checked: false,
            pending: false,
            fresh: false,
        }
    }
}

/// A text of the slot's row, as a reactive closure. One closure type for
/// every text (a plain `fn` picks the field), so the wasm carries one copy.
fn text(slot: Memo<RowView>, pick: fn(&RowView) -> String) -> impl Fn() -> String + Copy {
    move || slot.with(pick)
}

/// A yes/no of the slot's row, as a reactive closure.
fn flag(slot: Memo<RowView>, pick: fn(&RowView) -> bool) -> impl Fn() -> bool + Copy {
    move || slot.with(pick)
}

/// A badge present while `on` holds for the slot's row: added or removed
/// when that changes, untouched otherwise.
fn badge(
    slot: Memo<RowView>,
    class: &'static str,
    label: &'static str,
    on: fn(&RowView) -> bool,
) -> impl IntoView {
    let on = Memo::new(move |_| slot.with(on));
    move || on.get().then(|| view! { <span class=class>{label}</span> })
}

/// A time cell: relative age over the full date. Built once per slot; its
/// texts and attributes follow the slot's row.
fn time_cell(
    slot: Memo<RowView>,
    pick: fn(&RowView) -> &TimeText,
    now: Signal<f64>,
    label: &'static str,
) -> impl IntoView {
    let full = move || slot.with(|r| pick(r).full_text());
    let age = move || slot.with(|r| pick(r).age(now.get()));
    let title = move || slot.with(|r| pick(r).title());
    view! {
        <td class="col-time" data-label=label>
            <time
                datetime=move || slot.with(|r| pick(r).epoch_ms.and(pick(r).raw.clone()))
                title=title
                class:muted=move || slot.with(|r| pick(r).raw.is_none())
            >
                <span class="age">{age}</span>
                <span class="abs">{full}</span>
            </time>
        </td>
    }
}

/// One row slot, built once: every text, attribute and badge reads `slot`,
/// so a page flip, sort or filter sets only what changed (no element is
/// rebuilt; an optional line is empty rather than absent, badges come and go).
pub fn row_slot(
    slot: Memo<RowView>,
    columns: &'static [SortKey],
    now: Signal<f64>,
) -> impl IntoView {
    let has_user_column = columns.contains(&SortKey::User);
    let id = text(slot, |r| r.id.clone());
    let cells = columns
        .iter()
        .map(|&k| match k {
            SortKey::User => view! {
                <td class="col-user">
                    <span class="user-name">{text(slot, |r| r.user.clone())}</span>
                    <span class="sub mono">{text(slot, |r| r.username.clone().unwrap_or_default())}</span>
                    {badge(slot, "badge badge-quiet", "operator", |r| r.operator)}
                    {badge(slot, "badge", "This session", |r| r.current)}
                    {badge(slot, "badge badge-quiet", "your account", |r| r.own_account && !r.current)}
                    {badge(slot, "badge badge-new", "New", |r| r.fresh)}
                </td>
            }
            .into_any(),
            SortKey::Client => view! {
                <td data-label="Client">
                    <span>{text(slot, |r| r.client.clone())}</span>
                    <span class="sub">{text(slot, |r| r.device_type.clone().unwrap_or_default())}</span>
                    {(!has_user_column).then(|| badge(slot, "badge", "This session", |r| r.current))}
                    {(!has_user_column).then(|| badge(slot, "badge badge-new", "New", |r| r.fresh))}
                </td>
            }
            .into_any(),
            SortKey::Os => view! { <td data-label="OS">{text(slot, |r| r.os.clone())}</td> }.into_any(),
            SortKey::Ip => view! { <td class="mono" data-label="IP">{text(slot, |r| r.ip.clone())}</td> }.into_any(),
            SortKey::Host => {
                view! { <td class="mono col-host" data-label="Host">{text(slot, |r| r.host.clone())}</td> }.into_any()
            }
            SortKey::Location => view! { <td data-label="Location">{text(slot, |r| r.location.clone())}</td> }.into_any(),
            SortKey::Login => time_cell(slot, |r| &r.login, now, "Login").into_any(),
            SortKey::LastActive => time_cell(slot, |r| &r.last_active, now, "Last active").into_any(),
            SortKey::Expires => time_cell(slot, |r| &r.expires, now, "Expires").into_any(),
        })
        .collect_view();
    view! {
        <tr
            class:row-current=flag(slot, |r| r.current)
            class:row-pending=flag(slot, |r| r.pending)
            class:row-selected=flag(slot, |r| r.checked)
            class:row-new=flag(slot, |r| r.fresh)
            tabindex="-1"
            data-row=id
        >
            <td class="col-check">
                <input
                    type="checkbox"
                    data-id=id
                    aria-label=text(slot, |r| format!("Select session {} of {}", r.id, r.user))
                    prop:checked=flag(slot, |r| r.checked)
                />
            </td>
            {cells}
            <td class="col-actions">
                <button
                    type="button"
                    class="btn btn-small"
                    data-act="details"
                    data-id=id
                    aria-label=text(slot, |r| format!("Details of session {}", r.id))
                >
                    "Details"
                </button>
                <button
                    type="button"
                    class="btn btn-small btn-danger-quiet"
                    data-act="revoke"
                    data-id=id
                    aria-label=text(slot, |r| format!("Revoke session {} of {}", r.id, r.user))
                    disabled=flag(slot, |r| r.pending)
                >
                    "Revoke"
                </button>
            </td>
        </tr>
    }
}
