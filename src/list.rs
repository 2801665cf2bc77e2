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
    /// Empty for sessions whose owner the server did not say.
    pub key: String,
    pub label: String,
    pub username: Option<String>,
    pub count: usize,
}

impl UserGroup {
    /// Whether "Revoke all sessions of <user>" may be offered: only for a
    /// known user, never for the sessions nobody is named for.
    pub fn revocable(&self) -> bool {
        !self.key.is_empty()
    }
}

/// An ascending order and how many of its rows have a value.
type Ordered = std::sync::Arc<(Vec<u32>, usize)>;

/// The last filter's words and which rows matched them.
type LastFilter = (Vec<String>, std::sync::Arc<Vec<bool>>, usize);

/// What was computed from the rows and can be reused until they change:
/// ascending orders per column, and the last filter's matches (a longer
/// filter only looks at the rows the shorter one matched).
#[derive(Default)]
struct Computed {
    sorts: std::collections::HashMap<SortKey, Ordered>,
    filter: Option<LastFilter>,
    id_ranks: Option<std::sync::Arc<Vec<u32>>>,
}

#[derive(Default)]
struct ListCache(std::sync::Mutex<Computed>);

impl Clone for ListCache {
    fn clone(&self) -> Self {
        ListCache::default()
    }
}

impl PartialEq for ListCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for ListCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListCache")
    }
}

impl ListCache {
    fn clear(&self) {
        if let Ok(mut c) = self.0.lock() {
            *c = Computed::default();
        }
    }

    /// What `get` finds in the cache, or else `make`'s answer, stored with
    /// `put` until the rows change.
    fn get_or<T: Clone>(
        &self,
        get: impl FnOnce(&Computed) -> Option<T>,
        make: impl FnOnce() -> T,
        put: impl FnOnce(&mut Computed, T),
    ) -> T {
        if let Some(v) = self.0.lock().ok().and_then(|c| get(&c)) {
            return v;
        }
        let v = make();
        if let Ok(mut c) = self.0.lock() {
            put(&mut c, v.clone());
        }
        v
    }
}

/// Where `needle` next occurs in `hay` at or after `from`: a scan for its
/// first byte, then a comparison. Unlike `str::find` it sets nothing up per
/// call, which matters when a short, common word hits in every row.
fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, tail) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = from;
    while i <= last_start {
        let at = i + hay[i..=last_start].iter().position(|&b| b == first)?;
        if &hay[at + 1..at + needle.len()] == tail {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Each session's rank in byte order of IDs. IDs often share a long
/// prefix ("session-0000…"), so rows are first sorted by the 8 bytes after
/// the prefix all IDs share (an integer compare), and only rows equal there
/// compare whole IDs.
fn id_ranks(sessions: &[Session]) -> Vec<u32> {
    let ids: Vec<&[u8]> = sessions.iter().map(|s| s.id.as_bytes()).collect();
    let shared = ids
        .iter()
        .skip(1)
        .fold(ids.first().map_or(0, |f| f.len()), |n, id| {
            ids[0][..n]
                .iter()
                .zip(id.iter())
                .take_while(|(a, b)| a == b)
                .count()
        });
    let word = |id: &[u8]| {
        let mut w = [0u8; 8];
        let tail = id.get(shared..).unwrap_or_default();
        let k = tail.len().min(8);
        w[..k].copy_from_slice(&tail[..k]);
        u64::from_be_bytes(w)
    };
    let mut order: Vec<(u64, u32)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (word(id), i as u32))
        .collect();
    order.sort_unstable();
    let mut start = 0;
    while start < order.len() {
        let end = start
            + order[start..]
                .iter()
                .take_while(|(w, _)| *w == order[start].0)
                .count();
        if end - start > 1 {
            order[start..end].sort_unstable_by(|a, b| ids[a.1 as usize].cmp(ids[b.1 as usize]));
        }
        start = end;
    }
    let mut rank = vec![0u32; ids.len()];
    for (r, &(_, i)) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
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
    cache: ListCache,
}

impl SessionList {
    pub fn new(sessions: Vec<Session>) -> Self {
        let mut l = SessionList {
            sessions: Vec::new(),
            text: String::new(),
            starts: Vec::new(),
            cache: ListCache::default(),
        };
        l.push_all(sessions);
        l
    }

    fn push_all(&mut self, rows: Vec<Session>) {
        self.cache.clear();
        for r in rows {
            self.starts.push(self.text.len());
            r.push_search_text(&mut self.text);
            self.text.push('\n');
            self.sessions.push(r);
        }
    }

    fn row_text(&self, row: usize) -> &str {
        let end = self.starts.get(row + 1).copied().unwrap_or(self.text.len());
        &self.text[self.starts[row]..end]
    }

    /// Which rows match every word of `filter` (`None`: no filter).
    fn matches(&self, filter: &str) -> Option<std::sync::Arc<Vec<bool>>> {
        let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return None;
        }
        let previous = self.cache.0.lock().ok().and_then(|c| c.filter.clone());
        let hit = match previous {
            Some((w, hit, _)) if w == words => return Some(hit),
            // Typing on: every row the new words match, the old ones matched
            // too. Worth it while the old filter left few rows.
            Some((w, hit, hits))
                if hits <= self.sessions.len() / 8
                    && w.iter()
                        .all(|o| words.iter().any(|n| n.contains(o.as_str()))) =>
            {
                hit.iter()
                    .enumerate()
                    .map(|(row, &h)| {
                        h && {
                            let line = self.row_text(row);
                            words.iter().all(|w| line.contains(w.as_str()))
                        }
                    })
                    .collect()
            }
            _ => self.scan(&words),
        };
        let hits = hit.iter().filter(|&&h| h).count();
        let hit = std::sync::Arc::new(hit);
        if let Ok(mut c) = self.cache.0.lock() {
            c.filter = Some((words, hit.clone(), hits));
        }
        Some(hit)
    }

    /// One pass over the whole index for the first word; a hit jumps to the
    /// next row, so a row is looked at once at most.
    fn scan(&self, words: &[String]) -> Vec<bool> {
        let mut hit = vec![false; self.sessions.len()];
        let Some((first, rest)) = words.split_first() else {
            return hit;
        };
        let hay = self.text.as_bytes();
        let (mut row, mut from) = (0, 0);
        while let Some(p) = find_from(hay, first.as_bytes(), from) {
            // Hits come in order: walk forward to the row holding `p`.
            while self.starts.get(row + 1).is_some_and(|&s| s <= p) {
                row += 1;
            }
            if rest.iter().all(|w| self.row_text(row).contains(w.as_str())) {
                hit[row] = true;
            }
            from = self.starts.get(row + 1).copied().unwrap_or(hay.len());
        }
        hit
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
        self.cache.clear();
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
        let asc = self.cache.get_or(
            |c| c.sorts.get(&key).cloned(),
            || std::sync::Arc::new(self.sort_ascending(key)),
            |c, a| {
                c.sorts.insert(key, a);
            },
        );
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
        // Every row gets an integer with the column's order (None: no value),
        // so the sort compares two integers: (that key, ID rank).
        let keys: Vec<Option<u64>> = match column_times(&self.sessions, key) {
            Some(times) => times.into_iter().map(|t| t.map(ordered_bits)).collect(),
            None => {
                let (vals, ranks) = ranked_values(&self.sessions, key);
                vals.into_iter()
                    .map(|v| v.map(|v| u64::from(ranks[v as usize])))
                    .collect()
            }
        };
        let ids = self.id_ranks();
        let (mut present, mut missing): (Vec<u32>, Vec<u32>) =
            (0..keys.len() as u32).partition(|&i| keys[i as usize].is_some());
        present.sort_unstable_by_key(|&i| (keys[i as usize], ids[i as usize]));
        missing.sort_unstable_by_key(|&i| ids[i as usize]);
        let n = present.len();
        present.append(&mut missing);
        (present, n)
    }

    /// Each row's place in session-ID order (ties in a column go by ID),
    /// computed once until the rows change.
    fn id_ranks(&self) -> std::sync::Arc<Vec<u32>> {
        self.cache.get_or(
            |c| c.id_ranks.clone(),
            || std::sync::Arc::new(id_ranks(&self.sessions)),
            |c, r| c.id_ranks = Some(r),
        )
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
    /// Lower-cased, then as written (stable for case-only differences).
    Text(String, String),
    /// IPv4 numerically first, then anything else as text.
    Ip(u8, u32, String),
}

impl KeyVal {
    fn cmp_val(&self, other: &KeyVal) -> Ordering {
        match (self, other) {
            (KeyVal::Text(a, ra), KeyVal::Text(b, rb)) => a.cmp(b).then_with(|| ra.cmp(rb)),
            (KeyVal::Ip(a, b, c), KeyVal::Ip(x, y, z)) => (a, b, c).cmp(&(x, y, z)),
            _ => Ordering::Equal,
        }
    }
}

fn text_key(s: &str) -> KeyVal {
    KeyVal::Text(s.to_lowercase(), s.to_string())
}

/// A time column's values (`None` for other columns).
fn column_times(ss: &[Session], key: SortKey) -> Option<Vec<Option<f64>>> {
    fn pick(s: &Session, key: SortKey) -> &Option<crate::time::Timestamp> {
        match key {
            SortKey::Login => &s.login_at,
            SortKey::LastActive => &s.last_active,
            _ => &s.expires_at,
        }
    }
    if !matches!(key, SortKey::Login | SortKey::LastActive | SortKey::Expires) {
        return None;
    }
    Some(
        ss.iter()
            .map(|s| pick(s, key).as_ref().and_then(|t| t.epoch_ms))
            .collect(),
    )
}

/// An f64 as an integer with the same order (for integer-keyed sorts).
fn ordered_bits(t: f64) -> u64 {
    let b = t.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// Each row's value in one text or IP column, as an index into the
/// distinct values (`None`: the row has none). Equal texts share one value,
/// so lower-casing and parsing happen once per distinct value, not per row.
fn column_values(ss: &[Session], key: SortKey) -> (Vec<Option<u32>>, Vec<KeyVal>) {
    let mut distinct = Vec::new();
    let mut seen: std::collections::HashMap<std::borrow::Cow<str>, u32> = Default::default();
    let vals = ss
        .iter()
        .map(|s| {
            let text: Option<std::borrow::Cow<str>> = match key {
                SortKey::User => Some(s.user_label().into()),
                SortKey::Client => Some(s.client_label().into()),
                SortKey::Os => Some(s.os_label().into()),
                SortKey::Host => s.host.as_deref().map(Into::into),
                SortKey::Location => s.location.as_deref().map(Into::into),
                _ => s.ip.as_deref().map(Into::into),
            };
            let text = text.filter(|t| !t.is_empty())?;
            if let Some(&v) = seen.get(&text) {
                return Some(v);
            }
            distinct.push(if key == SortKey::Ip {
                let (a, b, c) = ip_key(&text);
                KeyVal::Ip(a, b, c)
            } else {
                text_key(&text)
            });
            let v = distinct.len() as u32 - 1;
            seen.insert(text, v);
            Some(v)
        })
        .collect();
    (vals, distinct)
}

/// A text or IP column as value indices (see [`column_values`]) and each
/// distinct value's rank in the column's order. Distinct values are few next
/// to rows (clients, systems, users), so only they are compared as text.
fn ranked_values(ss: &[Session], key: SortKey) -> (Vec<Option<u32>>, Vec<u32>) {
    let (vals, distinct) = column_values(ss, key);
    let mut by_val: Vec<u32> = (0..distinct.len() as u32).collect();
    by_val.sort_unstable_by(|&a, &b| distinct[a as usize].cmp_val(&distinct[b as usize]));
    let mut rank = vec![0u32; distinct.len()];
    let mut r = 0u32;
    for w in 1..by_val.len() {
        let (prev, this) = (by_val[w - 1] as usize, by_val[w] as usize);
        if distinct[prev].cmp_val(&distinct[this]) != Ordering::Equal {
            r += 1;
        }
        rank[this] = r;
    }
    (vals, rank)
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
    fn find_from_scans_bytes() {
        let hay = b"abcab\nxab";
        assert_eq!(find_from(hay, b"ab", 0), Some(0));
        assert_eq!(find_from(hay, b"ab", 1), Some(3));
        assert_eq!(find_from(hay, b"ab", 4), Some(7));
        assert_eq!(find_from(hay, b"ab", 8), None);
        assert_eq!(find_from(hay, b"xab", 0), Some(6));
        assert_eq!(find_from(hay, b"abx", 0), None);
        assert_eq!(find_from(hay, b"", 0), None);
        assert_eq!(find_from(b"a", b"ab", 0), None);
        assert_eq!(find_from(hay, b"b", 99), None);
    }

    /// Many rows whose text shares short, common words.
    fn crowd(n: usize) -> SessionList {
        let clients = ["Firefox", "Chrome", "Safari", "Edge"];
        SessionList::new(
            (0..n)
                .map(|i| {
                    row(
                        &format!("s{i:05}"),
                        &format!("user{}", i % 37),
                        clients[i % 4],
                        &format!("10.0.{}.{}", i / 250, i % 250),
                        "2023-05-01T00:00:00Z",
                    )
                })
                .collect(),
        )
    }

    fn matching(l: &SessionList, filter: &str) -> Vec<u32> {
        l.filter_order(&(0..l.len() as u32).collect::<Vec<_>>(), filter)
    }

    #[test]
    fn typing_on_narrows_the_previous_matches_to_the_same_rows() {
        let typed = crowd(2000);
        let mut filter = String::new();
        for c in "user3 chr".chars() {
            filter.push(c);
            // A fresh list has no previous filter: the whole index is scanned.
            assert_eq!(
                matching(&typed, &filter),
                matching(&crowd(2000), &filter),
                "{filter:?}"
            );
        }
        // Every row whose user contains "user3" (user3, user30..36) on Chrome.
        let hits = matching(&typed, "user3 chr");
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|&i| {
            let s = &typed.sessions[i as usize];
            s.client.as_deref() == Some("Chrome")
                && s.username.as_deref().unwrap().starts_with("user3")
        }));
        // Back to a shorter filter, then a different one: not narrowed wrongly.
        assert_eq!(matching(&typed, "user3"), matching(&crowd(2000), "user3"));
        assert_eq!(matching(&typed, "safari"), matching(&crowd(2000), "safari"));
    }

    #[test]
    fn a_filter_sees_rows_removed_after_it_ran() {
        let mut l = crowd(100);
        assert_eq!(matching(&l, "s00042").len(), 1);
        l.remove_ids(&["s00042"]);
        assert!(matching(&l, "s00042").is_empty());
        assert_eq!(matching(&l, "s0004").len(), 9);
    }

    #[test]
    fn id_ranks_follow_byte_order_past_a_shared_prefix() {
        let ids = [
            "session-000000010",
            "session-00000001",
            "session-000000009",
            "session-0000000100",
            "session-00000000z",
            "session-000000010\u{0}",
        ];
        let sessions: Vec<Session> = ids
            .iter()
            .map(|i| Session {
                id: i.to_string(),
                ..Default::default()
            })
            .collect();
        let ranks = id_ranks(&sessions);
        let mut expected: Vec<&str> = ids.to_vec();
        expected.sort();
        let mut by_rank: Vec<(u32, &str)> = ranks.iter().copied().zip(ids).collect();
        by_rank.sort();
        assert_eq!(
            by_rank.into_iter().map(|(_, i)| i).collect::<Vec<_>>(),
            expected
        );
    }

    #[test]
    fn equal_values_sort_by_session_id_in_the_sort_direction() {
        let l = SessionList::new(
            ["k2", "k10", "k1", "k3"]
                .iter()
                .map(|id| row(id, "same", "Chrome", "10.0.0.1", "2023-05-01T00:00:00Z"))
                .collect(),
        );
        let order = |k, d| {
            ids(
                &l,
                &l.view(&ListQuery {
                    sort: k,
                    dir: d,
                    ..Default::default()
                }),
            )
        };
        for k in [SortKey::User, SortKey::Client, SortKey::Ip, SortKey::Login] {
            assert_eq!(order(k, SortDir::Asc), ["k1", "k10", "k2", "k3"], "{k:?}");
            assert_eq!(order(k, SortDir::Desc), ["k3", "k2", "k10", "k1"], "{k:?}");
        }
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
        assert!(
            g.iter().all(UserGroup::revocable),
            "every sample row names its user"
        );
        let nobody = SessionList::new(vec![
            Session {
                id: "n1".into(),
                ..Default::default()
            },
            Session {
                id: "n2".into(),
                ..Default::default()
            },
        ]);
        let ng = nobody.groups();
        assert_eq!((ng.len(), ng[0].label.as_str()), (1, "unknown user"));
        assert!(!ng[0].revocable(), "never \"Revoke all of (unknown user)\"");
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
