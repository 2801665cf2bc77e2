//! Thin wrappers over browser APIs used by the components: storage, the
//! URL's query string, locale-aware time, file download, performance marks.
//! Every call tolerates a missing API (private mode, old browser): no panic.

use wasm_bindgen::{JsCast, JsValue};

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Which storage: per tab (default) or remembered on this device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    Session,
    Local,
}

fn storage(which: Store) -> Option<web_sys::Storage> {
    let w = window()?;
    match which {
        Store::Session => w.session_storage().ok().flatten(),
        Store::Local => w.local_storage().ok().flatten(),
    }
}

pub fn storage_get(which: Store, key: &str) -> Option<String> {
    storage(which)?.get_item(key).ok().flatten()
}

pub fn storage_set(which: Store, key: &str, value: &str) {
    if let Some(s) = storage(which) {
        let _ = s.set_item(key, value);
    }
}

/// Like [`storage_set`], but says whether the browser kept it (a full
/// storage refuses).
pub fn storage_try_set(which: Store, key: &str, value: &str) -> bool {
    storage(which).is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn storage_remove(which: Store, key: &str) {
    if let Some(s) = storage(which) {
        let _ = s.remove_item(key);
    }
}

/// Tells this origin's other tabs `value` under `key`: their `storage`
/// event fires. Written to localStorage and removed at once, so nothing
/// stays behind.
pub fn tell_other_tabs(key: &str, value: &str) {
    storage_set(Store::Local, key, value);
    storage_remove(Store::Local, key);
}

thread_local! {
    /// Origins the page's Content-Security-Policy refused a connection to.
    static POLICY_BLOCKED: std::cell::RefCell<Vec<String>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Notes every origin the page's Content-Security-Policy refuses a
/// connection to (`securitypolicyviolation`, `connect-src`), so a request
/// that failed for that reason can say so. Once, at start-up.
pub fn watch_policy_blocks() {
    // Kept for the page's lifetime (not removed): the policy does not change.
    let _listening = leptos::prelude::window_event_listener_untyped(
        "securitypolicyviolation",
        |e: web_sys::Event| {
            let field = |k: &str| {
                js_sys::Reflect::get(&e, &JsValue::from_str(k))
                    .ok()
                    .and_then(|v| v.as_string())
            };
            if field("effectiveDirective").as_deref() != Some("connect-src") {
                return;
            }
            let Some(uri) = field("blockedURI") else {
                return;
            };
            let origin = crate::url::origin_of(&uri);
            POLICY_BLOCKED.with(|b| {
                let mut b = b.borrow_mut();
                if !origin.is_empty() && !b.contains(&origin) && b.len() < 32 {
                    b.push(origin);
                }
            });
        },
    );
}

/// Whether the page's policy refused a connection to `url`'s origin.
pub fn blocked_by_policy(url: &str) -> bool {
    let origin = crate::url::origin_of(url);
    POLICY_BLOCKED.with(|b| b.borrow().contains(&origin))
}

/// The page's current `?query` (with the leading `?`, or empty).
pub fn query_string() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

thread_local! {
    /// A view change waiting to be written into the URL: (query, push).
    static PENDING_QUERY: std::cell::RefCell<Option<(String, bool)>> =
        const { std::cell::RefCell::new(None) };
}

/// Writes the view into the URL once the next frame is painted, so a page
/// flip or keystroke repaints the table first (the History API is slow).
/// Changes before then become one history entry, a push if any was one.
pub fn schedule_query_string(qs: String, push: bool) {
    let first = PENDING_QUERY.with(|p| {
        let mut p = p.borrow_mut();
        let first = p.is_none();
        let push = push || p.as_ref().is_some_and(|(_, was_push)| *was_push);
        *p = Some((qs, push));
        first
    });
    if first {
        leptos::prelude::request_animation_frame(|| {
            leptos::prelude::set_timeout(
                || {
                    if let Some((qs, push)) = PENDING_QUERY.with(|p| p.borrow_mut().take()) {
                        set_query_string(&qs, push);
                    }
                },
                std::time::Duration::ZERO,
            )
        });
    }
}

/// Resolves once the next frame has been painted (a frame callback, then a
/// task after it), or after `fallback_ms` if no frame comes first (a hidden
/// tab gets no frames).
pub async fn after_paint(fallback_ms: u64) {
    use futures::channel::oneshot;
    use std::{cell::RefCell, rc::Rc, time::Duration};
    type Slot = Rc<RefCell<Option<oneshot::Sender<()>>>>;
    fn fire(slot: &Slot) {
        if let Some(tx) = slot.borrow_mut().take() {
            let _ = tx.send(());
        }
    }
    let (tx, rx) = oneshot::channel();
    let slot: Slot = Rc::new(RefCell::new(Some(tx)));
    let on_frame = slot.clone();
    leptos::prelude::request_animation_frame(move || {
        leptos::prelude::set_timeout(move || fire(&on_frame), Duration::ZERO)
    });
    leptos::prelude::set_timeout(move || fire(&slot), Duration::from_millis(fallback_ms));
    let _ = rx.await;
}

/// Forgets a scheduled URL change (Back/Forward or sign-out came first).
pub fn discard_scheduled_query() {
    PENDING_QUERY.with(|p| p.borrow_mut().take());
}

/// Writes the view into the URL now: `push` adds a history entry (Back
/// returns to the previous view), otherwise the current entry is replaced.
pub fn set_query_string(qs: &str, push: bool) {
    let Some(w) = window() else { return };
    if query_string() == qs {
        return;
    }
    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
    let hash = w.location().hash().unwrap_or_default();
    let url = format!("{path}{qs}{hash}");
    if let Ok(h) = w.history() {
        let _ = if push {
            h.push_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            h.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        };
    }
}

pub fn origin() -> String {
    window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

thread_local! {
    static DATE_FMT: js_sys::Intl::DateTimeFormat = {
        let opts = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&opts, &"dateStyle".into(), &"medium".into());
        let _ = js_sys::Reflect::set(&opts, &"timeStyle".into(), &"short".into());
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &opts)
    };
    static REL_FMT: js_sys::Intl::RelativeTimeFormat = {
        let opts = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&opts, &"numeric".into(), &"auto".into());
        js_sys::Intl::RelativeTimeFormat::new(&js_sys::Array::new(), &opts)
    };
}

/// "24 May 2023, 02:25" in the admin's locale and time zone.
pub fn format_datetime(epoch_ms: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(epoch_ms));
    DATE_FMT.with(|f| {
        f.format()
            .call1(f, &date)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    })
}

/// "3 days ago" in the admin's locale.
pub fn format_relative(epoch_ms: f64, now: f64) -> String {
    let (n, unit) = crate::time::relative_parts(epoch_ms, now);
    REL_FMT.with(|f| f.format(n as f64, unit).as_string().unwrap_or_default())
}

/// Offers `text` as a file download.
pub fn download(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "the browser could not create the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not create a download link".to_string())?;
    let doc = window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "no anchor")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// `performance.mark(name)`, read by the benchmark.
pub fn mark(name: &str) {
    if let Some(p) = window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Focuses the element with this id, if any (after dialogs close).
pub fn focus_id(id: &str) {
    if let Some(el) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The element that has focus now, to give it back later.
pub fn active_element() -> Option<web_sys::HtmlElement> {
    window()?
        .document()?
        .active_element()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// Where focus is in a sessions table: the row's session ID and which of
/// its controls ("row", "check", or a button's `data-act`).
pub struct RowFocus {
    table: web_sys::Element,
    row: String,
    act: String,
}

/// The focused row of a sessions table, if focus is in one.
pub fn focused_row() -> Option<RowFocus> {
    let el: web_sys::Element = active_element()?.into();
    let tr = el.closest("tr[data-row]").ok()??;
    let table = tr.closest("table").ok()??;
    let act = if el.tag_name() == "TR" {
        "row".to_string()
    } else if let Some(a) = el.get_attribute("data-act") {
        a
    } else {
        "check".to_string()
    };
    Some(RowFocus {
        table,
        row: tr.get_attribute("data-row")?,
        act,
    })
}

/// The rows of the sessions table inside `container` (by id).
fn rows_of(container: &str) -> Vec<web_sys::HtmlElement> {
    let Some(root) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(container))
    else {
        return Vec::new();
    };
    let Ok(list) = root.query_selector_all("tbody tr[data-row]") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// One control of a row: the row itself, its checkbox, or a button by its
/// `data-act` (one of ours: "details", "revoke").
fn control_of(tr: &web_sys::Element, act: &str) -> Option<web_sys::HtmlElement> {
    let selector = match act {
        "row" => return tr.clone().dyn_into().ok(),
        "details" => "button[data-act=\"details\"]",
        "revoke" => "button[data-act=\"revoke\"]",
        _ => "input[type=\"checkbox\"]",
    };
    tr.query_selector(selector).ok()??.dyn_into().ok()
}

impl RowFocus {
    /// This session's row, if the table shows it now.
    fn row_element(&self) -> Option<web_sys::Element> {
        let list = self.table.query_selector_all("tbody tr[data-row]").ok()?;
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
            .find(|tr| tr.get_attribute("data-row").as_deref() == Some(self.row.as_str()))
    }

    /// Focuses the same control of the same session again, if its row is
    /// still shown (after the rows under it changed).
    pub fn restore(&self) {
        if let Some(el) = self.row_element().and_then(|tr| control_of(&tr, &self.act)) {
            let _ = el.focus();
        }
    }
}

/// Moves focus one row down (`down`) or up in the table inside
/// `container`; from outside the table, to its first row.
pub fn move_row_focus(container: &str, down: bool) {
    let rows = rows_of(container);
    let at = focused_row().and_then(|f| {
        rows.iter()
            .position(|r| r.get_attribute("data-row").as_deref() == Some(f.row.as_str()))
    });
    let next = match at {
        None => 0,
        Some(i) if down => (i + 1).min(rows.len().saturating_sub(1)),
        Some(i) => i.saturating_sub(1),
    };
    if let Some(r) = rows.get(next) {
        let _ = r.focus();
    }
}

/// Clicks a control ("check" or "details") of the focused row.
pub fn press_in_focused_row(act: &str) -> bool {
    let Some(f) = focused_row() else { return false };
    match f.row_element().and_then(|tr| control_of(&tr, act)) {
        Some(el) => {
            el.click();
            true
        }
        None => false,
    }
}

/// Whether a modal dialog is open (shortcuts then belong to it).
pub fn dialog_open() -> bool {
    window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("dialog[open]").ok().flatten())
        .is_some()
}
