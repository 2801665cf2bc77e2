//! Pure list logic: the view query (filter, sort, page) that lives in the URL,
//! and the loaded sessions with filter / sort / page / group as methods.

use crate::model::Session;
use std::cmp::Ordering;

pub const PAGE_SIZES: [usize; 4] = [10, 25, 50, 100];
pub const DEFAULT_PAGE_SIZE: usize = 25;

/// A sortable column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKey {
    User,
    Client,
    Os,
    Ip,
    Host,
    Location,
    Login,
    LastActive,
    Expires,
}

impl SortKey {
    pub const ALL: [SortKey; 9] = [
        SortKey::User,
        SortKey::Client,
        SortKey::Os,
        SortKey::Ip,
        SortKey::Host,
        SortKey::Location,
        SortKey::Login,
        SortKey::LastActive,
        SortKey::Expires,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::User => "user",
            SortKey::Client => "client",
            SortKey::Os => "os",
            SortKey::Ip => "ip",
            SortKey::Host => "host",
            SortKey::Location => "location",
            SortKey::Login => "login",
            SortKey::LastActive => "active",
            SortKey::Expires => "expires",
        }
    }

    /// The column header.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::User => "User",
            SortKey::Client => "Client",
            SortKey::Os => "OS",
            SortKey::Ip => "IP",
            SortKey::Host => "Host",
            SortKey::Location => "Location",
            SortKey::Login => "Login",
            SortKey::LastActive => "Last active",
            SortKey::Expires => "Expires",
        }
    }

    pub fn parse(s: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The direction a first click on this column sorts in.
    pub fn default_dir(self) -> SortDir {
        match self {
            SortKey::Login | SortKey::LastActive => SortDir::Desc,
            _ => SortDir::Asc,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortDir {
    Asc,
    Desc,
}

impl SortDir {
    pub fn as_str(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }
    /// The value of `aria-sort` for a header sorted this way.
    pub fn aria(self) -> &'static str {
        match self {
            SortDir::Asc => "ascending",
            SortDir::Desc => "descending",
        }
    }
    pub fn flip(self) -> SortDir {
        match self {
            SortDir::Asc => SortDir::Desc,
            SortDir::Desc => SortDir::Asc,
        }
    }
}

/// What the admin is looking at: kept in the URL so reload and Back keep it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListQuery {
    pub filter: String,
    pub sort: SortKey,
    pub dir: SortDir,
    /// 1-based.
    pub page: usize,
    pub page_size: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            filter: String::new(),
            sort: SortKey::Login,
            dir: SortDir::Desc,
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl ListQuery {
    /// Reads `?q=…&sort=…&dir=…&page=…&size=…`; anything unknown or invalid
    /// falls back to the default for that part.
    pub fn from_query_string(qs: &str) -> ListQuery {
        ListQuery::from_query_string_or(qs, ListQuery::default())
    }

    /// Like [`ListQuery::from_query_string`], with `default` for what the
    /// string leaves out (a backend's own default sort).
    pub fn from_query_string_or(qs: &str, default: ListQuery) -> ListQuery {
        let mut q = default;
        for pair in qs.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v);
            match k {
                "q" => q.filter = v,
                "sort" => {
                    if let Some(k) = SortKey::parse(&v) {
                        q.sort = k
                    }
                }
                "dir" => {
                    q.dir = match v.as_str() {
                        "asc" => SortDir::Asc,
                        "desc" => SortDir::Desc,
                        _ => q.dir,
                    }
                }
                "page" => {
                    if let Ok(p) = v.parse::<usize>() {
                        q.page = p.max(1)
                    }
                }
                "size" => {
                    if let Ok(s) = v.parse::<usize>() {
                        if PAGE_SIZES.contains(&s) {
                            q.page_size = s
                        }
                    }
                }
                _ => {}
            }
        }
        q
    }

    /// The inverse of [`ListQuery::from_query_string`]; defaults are left out.
    pub fn to_query_string(&self) -> String {
        self.to_query_string_against(&ListQuery::default())
    }

    /// The inverse of [`ListQuery::from_query_string_or`] with that default.
    pub fn to_query_string_against(&self, d: &ListQuery) -> String {
        let mut parts = Vec::new();
        if !self.filter.is_empty() {
            parts.push(format!("q={}", percent_encode(&self.filter)));
        }
        if self.sort != d.sort || self.dir != d.dir {
            parts.push(format!("sort={}", self.sort.as_str()));
            parts.push(format!("dir={}", self.dir.as_str()));
        }
        if self.page != 1 {
            parts.push(format!("page={}", self.page));
        }
        if self.page_size != d.page_size {
            parts.push(format!("size={}", self.page_size));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// Clicking a column header: same column flips, another starts at its default.
    pub fn toggle_sort(&self, key: SortKey) -> ListQuery {
        let dir = if self.sort == key {
            self.dir.flip()
        } else {
            key.default_dir()
        };
        ListQuery {
            sort: key,
            dir,
            page: 1,
            ..self.clone()
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` and `+`; invalid escapes are kept as written.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// The rows shown on one page plus the numbers the pagination needs.
#[derive(Clone, Debug, PartialEq)]
pub struct PageView {
    /// Indices into [`SessionList::sessions`], in display order.
    pub rows: Vec<usize>,
    /// How many sessions match the filter.
    pub matched: usize,
    /// The page actually shown (the requested one clamped to the last page).
    pub page: usize,
    pub pages: usize,
    /// 1-based first and last row numbers on this page (0, 0 when empty).
    pub first: usize,
    pub last: usize,
}

impl PageView {
    /// "1–25 of 240".
    pub fn range_label(&self) -> String {
        if self.matched == 0 {
            "0 of 0".to_string()
        } else {
            format!("{}–{} of {}", self.first, self.last, self.matched)
        }
    }
}

/// One owner's sessions, for the grouped view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserGroup {
    pub key: String,
    pub label: String,
    pub username: Option<String>,
    pub count: usize,
}

/// Ascending orders already computed, per column, with how many rows have
/// a value (the rest sort last). Cleared whenever the rows change.
/// An ascending order and how many of its rows have a value.
type Ordered = std::sync::Arc<(Vec<u32>, usize)>;

#[derive(Default)]
struct SortCache(std::sync::Mutex<std::collections::HashMap<SortKey, Ordered>>);

impl Clone for SortCache {
    fn clone(&self) -> Self {
        SortCache::default()
    }
}

impl PartialEq for SortCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for SortCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SortCache")
    }
}

impl SortCache {
    fn clear(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.clear();
        }
    }
}

/// All loaded sessions of one connection, with a search index: every row's
/// lower-cased search text in one string, so a filter is one pass of one
/// searcher over it instead of one search per row.
///
/// Change `sessions` only through the methods: they keep the index in step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionList {
    pub sessions: Vec<Session>,
    /// Each row's search text followed by a newline.
    text: String,
    /// Byte offset where each row's line starts.
    starts: Vec<usize>,
    sort_cache: SortCache,
}

impl SessionList {
    pub fn new(sessions: Vec<Session>) -> Self {
        let mut l = SessionList {
            sessions: Vec::new(),
            text: String::new(),
            starts: Vec::new(),
            sort_cache: SortCache::default(),
        };
        l.push_all(sessions);
        l
    }

    fn push_all(&mut self, rows: Vec<Session>) {
        self.sort_cache.clear();
        for r in rows {
            self.starts.push(self.text.len());
            self.text.push_str(&r.search_text());
            self.text.push('\n');
            self.sessions.push(r);
        }
    }

    /// The row whose line holds byte `pos` of the index.
    fn row_at(&self, pos: usize) -> usize {
        self.starts.partition_point(|&s| s <= pos) - 1
    }

    fn row_text(&self, row: usize) -> &str {
        let end = self.starts.get(row + 1).copied().unwrap_or(self.text.len());
        &self.text[self.starts[row]..end]
    }

    /// Which rows match every word of `filter` (`None`: no filter).
    fn matches(&self, filter: &str) -> Option<Vec<bool>> {
        let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
        let (first, rest) = words.split_first()?;
        let mut hit = vec![false; self.sessions.len()];
        let mut from = 0;
        // One search for the first word through the whole index; a hit
        // jumps to the next row, so a row is looked at once at most.
        while let Some(p) = self.text[from..].find(first.as_str()) {
            let row = self.row_at(from + p);
            let line = self.row_text(row);
            if rest.iter().all(|w| line.contains(w.as_str())) {
                hit[row] = true;
            }
            from = self.starts.get(row + 1).copied().unwrap_or(self.text.len());
            if from >= self.text.len() {
                break;
            }
        }
        Some(hit)
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Adds rows, skipping IDs already present (pages can overlap while the
    /// server's list shifts under a paging walk). Returns how many were new.
    pub fn extend_unique(&mut self, rows: Vec<Session>) -> usize {
        let before = self.sessions.len();
        let fresh: Vec<Session> = {
            let mut seen: std::collections::HashSet<&str> =
                self.sessions.iter().map(|s| s.id.as_str()).collect();
            let mut keep = vec![false; rows.len()];
            for (i, r) in rows.iter().enumerate() {
                keep[i] = seen.insert(r.id.as_str());
            }
            rows.into_iter()
                .zip(keep)
                .filter_map(|(r, k)| k.then_some(r))
                .collect()
        };
        self.push_all(fresh);
        self.sessions.len() - before
    }

    pub fn find(&self, id: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }

    /// Removes the sessions with these IDs; returns how many were removed.
    pub fn remove_ids<S: AsRef<str>>(&mut self, ids: &[S]) -> usize {
        let set: std::collections::HashSet<&str> = ids.iter().map(|s| s.as_ref()).collect();
        let before = self.sessions.len();
        let all = std::mem::take(&mut self.sessions);
        self.sort_cache.clear();
        self.text.clear();
        self.starts.clear();
        self.push_all(
            all.into_iter()
                .filter(|s| !set.contains(s.id.as_str()))
                .collect(),
        );
        before - self.sessions.len()
    }

    /// IDs of every session of the owner identified by `user_key`.
    pub fn ids_of_user(&self, user_key: &str) -> Vec<String> {
        self.sessions
            .iter()
            .filter(|s| s.user_key() == user_key)
            .map(|s| s.id.clone())
            .collect()
    }

    /// Sessions per owner, most sessions first: (user key, label, count).
    pub fn groups(&self) -> Vec<UserGroup> {
        let mut map: std::collections::HashMap<&str, UserGroup> = std::collections::HashMap::new();
        for s in &self.sessions {
            map.entry(s.user_key())
                .or_insert_with(|| UserGroup {
                    key: s.user_key().to_string(),
                    label: s.user_label().to_string(),
                    username: s.username.clone(),
                    count: 0,
                })
                .count += 1;
        }
        let mut v: Vec<UserGroup> = map.into_values().collect();
        v.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.label.to_lowercase().cmp(&b.label.to_lowercase()))
                .then_with(|| a.key.cmp(&b.key))
        });
        v
    }

    /// Indices of the sessions matching `filter` (case-insensitive substring,
    /// every whitespace-separated word must match), in list order.
    pub fn matching(&self, filter: &str) -> Vec<u32> {
        let all: Vec<u32> = (0..self.sessions.len() as u32).collect();
        self.filter_order(&all, filter)
    }

    /// Keeps, in order, the indices of `order` whose session matches `filter`.
    pub fn filter_order(&self, order: &[u32], filter: &str) -> Vec<u32> {
        match self.matches(filter) {
            None => order.to_vec(),
            Some(hit) => order.iter().copied().filter(|&i| hit[i as usize]).collect(),
        }
    }

    /// Every index, ordered by a column; ties by session ID (in the same
    /// direction), and missing values last whichever the direction. A
    /// column is sorted once: its descending order is the ascending one
    /// reversed, and both are reused until the rows change.
    pub fn sorted(&self, key: SortKey, dir: SortDir) -> Vec<u32> {
        let cached = self
            .sort_cache
            .0
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned());
        let asc = match cached {
            Some(a) => a,
            None => {
                let a = std::sync::Arc::new(self.sort_ascending(key));
                if let Ok(mut m) = self.sort_cache.0.lock() {
                    m.insert(key, a.clone());
                }
                a
            }
        };
        let (order, present) = (&asc.0, asc.1);
        match dir {
            SortDir::Asc => order.clone(),
            SortDir::Desc => order[..present]
                .iter()
                .rev()
                .chain(order[present..].iter())
                .copied()
                .collect(),
        }
    }

    /// Ascending order and how many rows have a value (they come first).
    fn sort_ascending(&self, key: SortKey) -> (Vec<u32>, usize) {
        let ss = &self.sessions;
        let mut keyed: Vec<(Option<KeyVal>, u32)> = ss
            .iter()
            .enumerate()
            .map(|(i, s)| (key_of(s, key), i as u32))
            .collect();
        keyed.sort_by(|(ka, a), (kb, b)| {
            cmp_opt(ka.as_ref(), kb.as_ref(), SortDir::Asc, |x, y| x.cmp_val(y))
                .then_with(|| ss[*a as usize].id.cmp(&ss[*b as usize].id))
        });
        let present = keyed.iter().take_while(|(k, _)| k.is_some()).count();
        (keyed.into_iter().map(|(_, i)| i).collect(), present)
    }

    /// Filter, sort and cut out one page.
    pub fn view(&self, q: &ListQuery) -> PageView {
        let order = self.sorted(q.sort, q.dir);
        paginate(&self.filter_order(&order, &q.filter), q.page, q.page_size)
    }
}

/// A row's value in one column, ready to compare.
#[derive(Clone, Debug, PartialEq)]
enum KeyVal {
    Time(f64),
    /// Lower-cased, then as written (stable for case-only differences).
    Text(String, String),
    /// IPv4 numerically first, then anything else as text.
    Ip(u8, u32, String),
}

impl KeyVal {
    fn cmp_val(&self, other: &KeyVal) -> Ordering {
        match (self, other) {
            (KeyVal::Time(a), KeyVal::Time(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
            (KeyVal::Text(a, ra), KeyVal::Text(b, rb)) => a.cmp(b).then_with(|| ra.cmp(rb)),
            (KeyVal::Ip(a, b, c), KeyVal::Ip(x, y, z)) => (a, b, c).cmp(&(x, y, z)),
            _ => Ordering::Equal,
        }
    }
}

fn text_key(s: Option<&str>) -> Option<KeyVal> {
    s.filter(|s| !s.is_empty())
        .map(|s| KeyVal::Text(s.to_lowercase(), s.to_string()))
}

fn key_of(s: &Session, key: SortKey) -> Option<KeyVal> {
    let time =
        |t: &Option<crate::time::Timestamp>| t.as_ref().and_then(|t| t.epoch_ms).map(KeyVal::Time);
    match key {
        SortKey::Login => time(&s.login_at),
        SortKey::LastActive => time(&s.last_active),
        SortKey::Expires => time(&s.expires_at),
        SortKey::User => text_key(Some(s.user_label())),
        SortKey::Client => text_key(Some(&s.client_label())),
        SortKey::Os => text_key(Some(&s.os_label())),
        SortKey::Host => text_key(s.host.as_deref()),
        SortKey::Location => text_key(s.location.as_deref()),
        SortKey::Ip => s.ip.as_deref().map(|ip| {
            let (a, b, c) = ip_key(ip);
            KeyVal::Ip(a, b, c)
        }),
    }
}

/// Cuts one page out of ordered indices, clamping the page into range.
pub fn paginate(idx: &[u32], page: usize, page_size: usize) -> PageView {
    let size = page_size.max(1);
    let matched = idx.len();
    let pages = matched.div_ceil(size).max(1);
    let page = page.clamp(1, pages);
    let start = (page - 1) * size;
    let end = (start + size).min(matched);
    PageView {
        rows: idx[start.min(matched)..end]
            .iter()
            .map(|&i| i as usize)
            .collect(),
        matched,
        page,
        pages,
        first: if matched == 0 { 0 } else { start + 1 },
        last: end,
    }
}

fn cmp_opt<T>(
    a: Option<T>,
    b: Option<T>,
    dir: SortDir,
    f: impl Fn(&T, &T) -> Ordering,
) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => {
            let o = f(&x, &y);
            if dir == SortDir::Desc {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// IPv4 addresses sort numerically; anything else after them, as text.
fn ip_key(ip: &str) -> (u8, u32, String) {
    let octets: Vec<u32> = ip
        .split('.')
        .filter_map(|p| p.parse::<u8>().ok().map(u32::from))
        .collect();
    if octets.len() == 4 && ip.split('.').count() == 4 {
        (
            0,
            octets.iter().fold(0, |acc, o| acc << 8 | o),
            String::new(),
        )
    } else {
        (1, 0, ip.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn row(id: &str, user: &str, client: &str, ip: &str, login: &str) -> Session {
        Session {
            id: id.into(),
            user_id: Some(format!("u-{user}")),
            username: Some(user.into()),
            client: Some(client.into()),
            ip: Some(ip.into()),
            login_at: Some(Timestamp::parse(login)),
            ..Default::default()
        }
    }

    fn sample() -> SessionList {
        SessionList::new(vec![
            row("a", "carol", "Firefox", "10.0.0.10", "2023-05-01T00:00:00Z"),
            row("b", "alice", "Chrome", "10.0.0.9", "2023-05-03T00:00:00Z"),
            row("c", "Bob", "Safari", "192.168.1.1", "2023-05-02T00:00:00Z"),
            row("d", "alice", "Firefox", "::1", "bad date"),
        ])
    }

    fn ids(l: &SessionList, v: &PageView) -> Vec<String> {
        v.rows.iter().map(|&i| l.sessions[i].id.clone()).collect()
    }

    #[test]
    fn filter_is_case_insensitive_and_all_words_must_match() {
        let l = sample();
        let q = |f: &str| {
            let v = l.view(&ListQuery {
                filter: f.into(),
                sort: SortKey::User,
                dir: SortDir::Asc,
                ..Default::default()
            });
            ids(&l, &v)
        };
        assert_eq!(q("FIREFOX"), ["d", "a"]);
        assert_eq!(q("alice firefox"), ["d"]);
        assert_eq!(q("192.168"), ["c"]);
        assert_eq!(q("nobody"), Vec::<String>::new());
        assert_eq!(q("  "), ["b", "d", "c", "a"]);
    }

    #[test]
    fn sorts_by_every_column_with_missing_last() {
        let l = sample();
        let order = |k, d| {
            let v = l.view(&ListQuery {
                sort: k,
                dir: d,
                ..Default::default()
            });
            ids(&l, &v)
        };
        assert_eq!(order(SortKey::Login, SortDir::Desc), ["b", "c", "a", "d"]);
        assert_eq!(order(SortKey::Login, SortDir::Asc), ["a", "c", "b", "d"]);
        assert_eq!(order(SortKey::User, SortDir::Asc), ["b", "d", "c", "a"]);
        assert_eq!(order(SortKey::User, SortDir::Desc), ["a", "c", "d", "b"]);
        assert_eq!(order(SortKey::Client, SortDir::Asc), ["b", "a", "d", "c"]);
        // numeric IPv4 order: 10.0.0.9 < 10.0.0.10 < 192.168.1.1, IPv6 after
        assert_eq!(order(SortKey::Ip, SortDir::Asc), ["b", "a", "c", "d"]);
        // host is missing everywhere: stable by id
        assert_eq!(order(SortKey::Host, SortDir::Desc), ["a", "b", "c", "d"]);
        // Desc is asc reversed for rows with a value (cached), missing last.
        let l2 = sample();
        let asc = l2.sorted(SortKey::Login, SortDir::Asc);
        let desc = l2.sorted(SortKey::Login, SortDir::Desc);
        assert_eq!(
            desc[..3].iter().rev().copied().collect::<Vec<_>>(),
            asc[..3].to_vec()
        );
        assert_eq!(desc[3], asc[3], "the row without a date stays last");
    }

    #[test]
    fn filter_keeps_the_sorted_order() {
        let l = sample();
        let order = l.sorted(SortKey::Client, SortDir::Desc);
        let f = l.filter_order(&order, "firefox");
        let ids: Vec<&str> = f
            .iter()
            .map(|&i| l.sessions[i as usize].id.as_str())
            .collect();
        assert_eq!(ids, ["d", "a"], "ties follow the direction too");
        assert_eq!(l.matching("ALICE").len(), 2);
        // A word never matches across two fields or two rows.
        assert_eq!(l.matching("alice10").len(), 0);
        assert_eq!(l.matching("1a").len(), 0);
        // Broad single letters hit each row once.
        assert_eq!(l.matching("a").len(), l.len());
    }

    #[test]
    fn pages_clamp_and_label() {
        let idx: Vec<u32> = (0..240).collect();
        let v = paginate(&idx, 1, 25);
        assert_eq!((v.first, v.last, v.pages), (1, 25, 10));
        assert_eq!(v.range_label(), "1–25 of 240");
        let v = paginate(&idx, 10, 25);
        assert_eq!(v.range_label(), "226–240 of 240");
        assert_eq!(v.rows.len(), 15);
        let v = paginate(&idx, 99, 100);
        assert_eq!((v.page, v.first, v.last), (3, 201, 240));
        let v = paginate(&[], 3, 25);
        assert_eq!((v.page, v.pages, v.rows.len()), (1, 1, 0));
        assert_eq!(v.range_label(), "0 of 0");
    }

    #[test]
    fn query_string_round_trip() {
        let q = ListQuery {
            filter: "a&b=c ü/%".into(),
            sort: SortKey::Ip,
            dir: SortDir::Asc,
            page: 3,
            page_size: 50,
        };
        let s = q.to_query_string();
        assert_eq!(
            s,
            "?q=a%26b%3Dc%20%C3%BC%2F%25&sort=ip&dir=asc&page=3&size=50"
        );
        assert_eq!(ListQuery::from_query_string(&s), q);
        assert_eq!(ListQuery::default().to_query_string(), "");
    }

    #[test]
    fn query_string_against_a_backend_default() {
        let d = ListQuery {
            sort: SortKey::LastActive,
            ..Default::default()
        };
        let login = ListQuery::default();
        let qs = login.to_query_string_against(&d);
        assert_eq!(
            qs, "?sort=login&dir=desc",
            "the global default is spelled out"
        );
        assert_eq!(ListQuery::from_query_string_or(&qs, d.clone()), login);
        assert_eq!(d.to_query_string_against(&d), "");
        assert_eq!(ListQuery::from_query_string_or("", d.clone()), d);
    }

    #[test]
    fn query_string_ignores_garbage() {
        let q = ListQuery::from_query_string("?sort=evil&dir=up&page=-3&size=7&q=%ZZ&x=1");
        assert_eq!(q.sort, SortKey::Login);
        assert_eq!(q.dir, SortDir::Desc);
        assert_eq!(q.page, 1);
        assert_eq!(q.page_size, DEFAULT_PAGE_SIZE);
        assert_eq!(q.filter, "%ZZ");
        assert_eq!(ListQuery::from_query_string("page=0").page, 1);
        assert_eq!(ListQuery::from_query_string("q=a+b").filter, "a b");
    }

    #[test]
    fn toggle_sort_flips_and_resets_page() {
        let q = ListQuery {
            page: 4,
            ..Default::default()
        };
        let t = q.toggle_sort(SortKey::Login);
        assert_eq!((t.dir, t.page), (SortDir::Asc, 1));
        let t = t.toggle_sort(SortKey::User);
        assert_eq!((t.sort, t.dir), (SortKey::User, SortDir::Asc));
    }

    #[test]
    fn unique_extend_remove_and_group() {
        let mut l = sample();
        let added = l.extend_unique(vec![
            row("a", "x", "y", "1.1.1.1", ""),
            row("e", "alice", "Edge", "1.1.1.1", ""),
        ]);
        assert_eq!(added, 1);
        assert_eq!(l.len(), 5);
        let mut alice = l.ids_of_user("u-alice");
        alice.sort();
        assert_eq!(alice, ["b", "d", "e"]);
        let g = l.groups();
        assert_eq!((g[0].key.as_str(), g[0].count), ("u-alice", 3));
        assert_eq!(g.iter().map(|g| g.count).sum::<usize>(), 5);
        assert_eq!(l.remove_ids(&["b", "zzz"]), 1);
        assert!(l.find("b").is_none());
        assert_eq!(l.len(), 4);
        // The search index follows every change.
        assert_eq!(l.matching("edge").len(), 1);
        assert_eq!(l.matching("chrome").len(), 0);
        assert_eq!(l, SessionList::new(l.sessions.clone()));
    }
}
