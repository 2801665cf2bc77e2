//! The view query — filter, sort, page — and its codec for the URL, so
//! reload and Back keep what the admin was looking at.

use super::criteria::{Criteria, URL_KEYS};
use crate::url::{percent_decode, percent_encode};

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
    /// Revoke-by-criteria conditions beyond the filter.
    pub crit: Criteria,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            filter: String::new(),
            sort: SortKey::Login,
            dir: SortDir::Desc,
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            crit: Criteria::default(),
        }
    }
}

impl ListQuery {
    /// Reads `?q=…&sort=…&dir=…&page=…&size=…`; anything unknown or invalid
    /// falls back to `default` for that part (a backend's own default sort).
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
                k => {
                    if let Some(f) = q.crit.field_mut(k) {
                        *f = v;
                    }
                }
            }
        }
        q
    }

    /// The inverse of [`ListQuery::from_query_string_or`] with that default:
    /// what equals the default is left out.
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
        for (k, v) in URL_KEYS.iter().zip(self.crit.fields()) {
            if !v.is_empty() {
                parts.push(format!("{k}={}", percent_encode(v)));
            }
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
