//! Paging and grouping of an ordered, filtered list.

use super::SessionList;
use crate::lowercase::lower;

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
    /// The account the panel is signed in with.
    pub own_account: bool,
}

impl UserGroup {
    /// Whether "Revoke all sessions of ‹user›" may be offered: only for a
    /// known user, never for the sessions nobody is named for.
    pub fn revocable(&self) -> bool {
        !self.key.is_empty()
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

impl SessionList {
    /// Sessions per owner, most sessions first: (user key, label, count).
    pub fn groups(&self) -> Vec<UserGroup> {
        let mut map: std::collections::HashMap<&str, UserGroup> = std::collections::HashMap::new();
        for s in &self.sessions {
            map.entry(s.user_key())
                .or_insert_with(|| UserGroup {
                    key: s.user_key().to_string(),
                    label: s.account_label(),
                    username: s.username.as_deref().map(str::to_string),
                    count: 0,
                    own_account: s.own_account,
                })
                .count += 1;
        }
        let mut v: Vec<UserGroup> = map.into_values().collect();
        // Each label lower-cased once, not once per comparison.
        v.sort_by_cached_key(|g| (std::cmp::Reverse(g.count), lower(&g.label), g.key.clone()));
        v
    }
}
