//! What every backend shares: the scope and capabilities of a list, what a
//! load reports, how a revocation ended, and the helpers that read answers,
//! check IDs and map statuses to errors. Pure.

use crate::http::request::{foreign_shape, ApiError, ApiRequest, ForbiddenWhat, RawResponse};
use crate::json::{self, Value};
use crate::list::SortKey;
use crate::model::Session;
use futures::future::LocalBoxFuture;

/// How a backend sends a request while it loads: the connection's
/// transport, behind whatever the caller adds (waiting for the first paint,
/// cancellation).
pub type Call<'a> = dyn Fn(ApiRequest) -> LocalBoxFuture<'a, Result<RawResponse, ApiError>> + 'a;

/// Whose sessions a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every user's sessions (needs admin permissions).
    All,
    /// The signed-in account's own sessions.
    Own,
}

/// One page of a list answer, parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListPage {
    pub sessions: Vec<Session>,
    /// What the server says the whole list holds, when it says.
    pub total: Option<usize>,
    /// Items the server returned on this page (usable or not).
    pub returned: usize,
    /// Items without a usable session ID, left out.
    pub skipped: usize,
}

/// Parses an answer's JSON; invalid JSON is a bad answer, never a panic.
pub fn parse_json(status: u16, body: &str) -> Result<Value<'_>, ApiError> {
    json::parse(body).map_err(|e| ApiError::BadResponse {
        status,
        why: if crate::http::request::looks_like_html(body) {
            format!("not valid JSON but a web page, {e}")
        } else {
            format!("not valid JSON: {e}")
        },
    })
}

/// The error for an answer `api` never sends (see [`ApiError::NotFromApi`]):
/// a web page is said as such, anything else by what it looked like.
pub fn not_from_api(api: &'static str, resp: &RawResponse) -> ApiError {
    if resp.is_html() {
        return ApiError::HtmlPage {
            status: resp.status,
        };
    }
    ApiError::NotFromApi {
        status: resp.status,
        api,
        seen: foreign_shape(&resp.body),
    }
}

/// A 2xx answer whose documented body is empty (self-service's deletes):
/// done only when it is; a body — a proxy's page, someone's JSON — is not
/// the API's answer.
pub fn empty_success(api: &'static str, resp: &RawResponse) -> Result<(), ApiError> {
    if resp.is_success() && resp.body.trim().is_empty() {
        Ok(())
    } else {
        Err(not_from_api(api, resp))
    }
}

/// Refuses an ID that could make a request reach more than the one session
/// (or user) it names: empty, `.`/`..` (also percent-encoded, which browsers
/// resolve as path steps), separators, or one of the API's own path words.
pub fn check_id(id: &str, reserved: &[&str]) -> Result<(), ApiError> {
    let refuse = |why| {
        Err(ApiError::UnsafeId {
            id: id.to_string(),
            why,
        })
    };
    if id.trim().is_empty() {
        return refuse("is empty");
    }
    // Decode until stable: `%252e` is `%2e` is `.` to some server on the way.
    let mut decoded = id.to_string();
    for _ in 0..4 {
        let next = crate::url::percent_decode(&decoded.replace('+', "%2B"));
        if next == decoded {
            break;
        }
        decoded = next;
    }
    for form in [id, decoded.as_str()] {
        if form.trim() == "." || form.trim() == ".." {
            return refuse("is a path step (. or ..)");
        }
        if form.contains(['/', '\\', '?', '#']) {
            return refuse("contains a path or query separator");
        }
        if form.chars().any(char::is_control) {
            return refuse("contains control characters");
        }
        if reserved.iter().any(|r| form.trim().eq_ignore_ascii_case(r)) {
            return refuse("is a word the API uses for its own paths");
        }
    }
    Ok(())
}

/// A page from list items: rows `row` can read (their texts cut to size,
/// see [`Session::bounded`]), and how many it could not.
pub fn page_of(
    items: &[Value],
    total: Option<usize>,
    row: impl Fn(&Value) -> Option<Session>,
) -> ListPage {
    let sessions: Vec<Session> = items.iter().filter_map(|i| row(i)?.bounded()).collect();
    ListPage {
        returned: items.len(),
        skipped: items.len() - sessions.len(),
        total,
        sessions,
    }
}

/// A string at `key` of a JSON object; numbers and booleans are shown as text,
/// anything else (objects, arrays, null) counts as missing.
/// [`json_str`] as a row's text.
pub fn json_text(v: &Value, key: &str) -> Option<crate::model::Text> {
    match v.get(key)? {
        Value::String(s) => Some((&**s).into()),
        _ => json_str(v, key).map(Into::into),
    }
}

pub fn json_str(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// How "Revoke all sessions of ‹user›" is done, where it is offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PerUser {
    /// Not offered.
    No,
    /// One logout per loaded session of the user (bounded concurrency).
    EachSession,
    /// One call the server offers (DocSpace `logoutall/{userId}`).
    Endpoint,
}

/// What a backend can do: the screens show exactly these actions and columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    pub columns: &'static [SortKey],
    /// The column sorted by (descending) when the URL names none.
    pub default_sort: SortKey,
    pub per_user: PerUser,
    /// "Revoke all other sessions".
    pub revoke_others: bool,
    /// "Revoke all sessions" (own sessions: ends the panel's too).
    pub revoke_all: bool,
    /// Whether the list holds several users (grouping, user counts).
    pub many_users: bool,
}

/// How a revocation ended when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revoked {
    Now,
    /// The server no longer knew the session: it was already gone.
    AlreadyGone,
}

/// What loading reports as it goes.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadStep {
    pub sessions: Vec<Session>,
    pub skipped: usize,
    /// Units done and expected, and what they are ("sessions", "users").
    pub done: usize,
    pub total: usize,
    pub unit: &'static str,
}

/// What a finished load noticed beyond its rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// The server's list changed while it was being paged: rows may be
    /// missing or doubled, so the admin is told to refresh.
    pub list_changed: bool,
    /// The load stopped at the panel's limit before the end of the list.
    pub capped: Option<Capped>,
}

/// A load that stopped at the panel's limit (see
/// [`crate::backends::paging::Limits`]): how much it read of how many.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capped {
    /// Sessions (rows) read.
    pub loaded: usize,
    /// What the server says the whole list holds, when it says.
    pub total: Option<usize>,
    /// The limit that stopped it.
    pub limit: usize,
}

impl Capped {
    /// What a count over the loaded rows is out of, when the load stopped
    /// short: " of the 200 loaded (450 on the server)".
    pub fn of_loaded(&self) -> String {
        match self.total {
            Some(t) => format!(" of the {} loaded ({t} on the server)", self.loaded),
            None => format!(" of the {} loaded (the server has more)", self.loaded),
        }
    }
}

/// Watches a paging walk for signs that the list moved under it: a total
/// that changes, a page that brings no new session, fewer distinct sessions
/// than the last total said.
#[derive(Default)]
pub struct ChangeWatch {
    /// The hashes of the IDs seen ([`crate::list::id_hash`]), each its own
    /// key: growing past half a million re-places them without hashing
    /// anything again (SipHash twice over, ID then hash, held a million's
    /// load for 56 ms at that step).
    seen: hashbrown::HashTable<u64>,
    skipped: usize,
    first_total: Option<usize>,
    last_total: Option<usize>,
    changed: bool,
}

impl ChangeWatch {
    /// One page's rows; `total`: what it says the whole list holds.
    pub fn page(&mut self, sessions: &[Session], skipped: usize, total: Option<usize>) {
        let mut new = 0;
        for s in sessions {
            let h = crate::list::id_hash(&s.id);
            if let hashbrown::hash_table::Entry::Vacant(v) = self.seen.entry(h, |&k| k == h, |&k| k)
            {
                v.insert(h);
                new += 1;
            }
        }
        self.skipped += skipped;
        if !sessions.is_empty() && new == 0 {
            self.changed = true;
        }
        if let Some(t) = total {
            if self.first_total.is_some_and(|f| f != t) {
                self.changed = true;
            }
            self.first_total.get_or_insert(t);
            self.last_total = Some(t);
        }
    }

    pub fn report(&self) -> LoadReport {
        let short = self
            .last_total
            .is_some_and(|t| self.seen.len() + self.skipped < t);
        LoadReport {
            list_changed: self.changed || short,
            capped: None,
        }
    }

    /// Whether the list moved while it was read, leaving out "fewer rows
    /// than the total" (a load that stopped at its limit has fewer).
    pub fn moved(&self) -> bool {
        self.changed
    }
}

/// The error for a non-2xx status, once the backend has read the server's
/// message and knows what a 403 means on this call.
pub fn status_to_error(status: u16, message: String, forbidden: ForbiddenWhat) -> ApiError {
    match status {
        401 => ApiError::Unauthorized { message },
        403 => ApiError::Forbidden {
            what: forbidden,
            message,
        },
        404 => ApiError::NotFound { message },
        429 => ApiError::RateLimited {
            message,
            wait_secs: None,
        },
        status => ApiError::Server { status, message },
    }
}

/// What a 403 on `req` lacks: the permission it names, if it names one.
pub fn forbidden_what(req: &ApiRequest) -> ForbiddenWhat {
    req.permission
        .map(|p| ForbiddenWhat::Permission(p.to_string()))
        .unwrap_or(ForbiddenWhat::Unknown)
}

/// `Authorization: Bearer <token>`.
pub fn bearer(token: &str) -> Vec<(String, String)> {
    vec![("Authorization".into(), format!("Bearer {token}"))]
}

/// IDs go into paths: keep them to one segment.
pub fn path_segment(s: &str) -> String {
    crate::url::percent_encode(s)
}

/// A time an answer gives as an epoch number (seconds or milliseconds,
/// see [`Timestamp::from_epoch_number`]), a number in a string, or a date.
pub fn epoch(v: &Value, key: &str) -> Option<crate::time::Timestamp> {
    match v.get(key)? {
        Value::Number(n) => n
            .as_f64()
            .and_then(crate::time::Timestamp::from_epoch_number),
        // A number in a string reads as JSON reads it: `str::parse::<f64>`
        // would bring core's float parser (≈ 4 KB gzip) into the panel for
        // this one field.
        Value::String(s) => match crate::json::parse(s.trim()) {
            Ok(Value::Number(n)) => n
                .as_f64()
                .and_then(crate::time::Timestamp::from_epoch_number),
            _ => None,
        }
        .or_else(|| Some(crate::time::Timestamp::parse(s))),
        _ => None,
    }
}

/// The first of `claims` a JWT's payload holds as non-empty text, read
/// without checking its signature (what it says is only shown or matched,
/// never trusted for access: the server decides that).
pub fn jwt_claim(token: &str, claims: &[&str]) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64url_decode(payload)?;
    let v = json::parse_bytes(&bytes).ok()?;
    claims
        .iter()
        .find_map(|k| json_str(&v, k).filter(|s| !s.is_empty()))
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buf = buf << 6 | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_success_is_done_only_when_it_is_empty() {
        let api = "the test API";
        assert_eq!(empty_success(api, &RawResponse::of(200, " \n")), Ok(()));
        assert_eq!(empty_success(api, &RawResponse::of(204, "")), Ok(()));
        assert_eq!(
            empty_success(
                api,
                &RawResponse::of(200, "<html><body>Log in</body></html>")
            ),
            Err(ApiError::HtmlPage { status: 200 })
        );
        for (body, seen) in [
            (r#"{"response":false}"#, "JSON this API does not send"),
            ("OK", "plain text (\u{201c}OK\u{201d})"),
        ] {
            let e = empty_success(api, &RawResponse::of(200, body)).unwrap_err();
            assert!(
                matches!(&e, ApiError::NotFromApi { status: 200, seen: s, .. } if s.starts_with(seen)),
                "{e:?}"
            );
            assert!(
                e.to_string().contains("did not come from the test API"),
                "{e}"
            );
        }
        // A 404 that is not the API's: said by what it looked like.
        let e = not_from_api(api, &RawResponse::of(404, ""));
        assert_eq!(
            e.to_string(),
            "404 Not Found: this answer did not come from the test API but from something in between (a proxy, gateway or load balancer?): an empty answer. Nothing was confirmed, so it counts as not done: check the Server URL and the proxy, then refresh to see what the server lists."
        );
    }

    #[test]
    fn json_str_tolerates_types() {
        use crate::json::{self, Value};
        let v = json::parse(r#"{"a": "x", "n": 5, "b": true, "o": {}, "z": null}"#).unwrap();
        assert_eq!(json_str(&v, "a").as_deref(), Some("x"));
        assert_eq!(json_str(&v, "n").as_deref(), Some("5"));
        assert_eq!(json_str(&v, "b").as_deref(), Some("true"));
        assert_eq!(json_str(&v, "o"), None);
        assert_eq!(json_str(&v, "z"), None);
        assert_eq!(json_str(&Value::from("str"), "a"), None);
    }
}
