//! The list logic's tests (one file: they share their sample rows).

use super::index::find_from;
use super::order::id_order;
use super::query::DEFAULT_PAGE_SIZE;
use super::*;
use crate::lowercase::lower;
use crate::time::Timestamp;

/// Filter, sort and cut out one page, as the Sessions screen's memos do.
fn view(l: &SessionList, q: &ListQuery) -> PageView {
    paginate(
        &l.filter_order(&l.sorted(q.sort, q.dir), &q.filter),
        q.page,
        q.page_size,
    )
}

fn from_query_string(qs: &str) -> ListQuery {
    ListQuery::from_query_string_or(qs, ListQuery::default())
}

fn row(id: &str, user: &str, client: &str, ip: &str, login: &str) -> Session {
    Session {
        id: id.into(),
        user_id: Some(format!("u-{user}").into()),
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
        let v = view(
            &l,
            &ListQuery {
                filter: f.into(),
                sort: SortKey::User,
                dir: SortDir::Asc,
                ..Default::default()
            },
        );
        ids(&l, &v)
    };
    assert_eq!(q("FIREFOX"), ["d", "a"]);
    assert_eq!(q("alice firefox"), ["d"]);
    assert_eq!(q("192.168"), ["c"]);
    assert_eq!(q("nobody"), Vec::<String>::new());
    assert_eq!(q("  "), ["b", "d", "c", "a"]);
}

#[test]
fn several_words_match_the_columns_shown_one_word_also_the_id() {
    let l = SessionList::new(vec![
        row(
            "sess-03-xyz",
            "staff",
            "Chrome",
            "10.0.0.1",
            "2023-05-01T00:00:00Z",
        ),
        row(
            "sess-77",
            "staff 03",
            "Chrome",
            "10.0.0.2",
            "2023-05-01T00:00:00Z",
        ),
        row(
            "s-staff",
            "carol",
            "Firefox",
            "10.0.0.3",
            "2023-05-01T00:00:00Z",
        ),
    ]);
    // "staff 03": the user staff 03 only, never a row through its ID.
    assert_eq!(matching(&l, "staff 03"), [1]);
    assert_eq!(matching(&l, "03 staff"), [1]);
    // One word (a pasted ID) finds the row by its ID.
    assert_eq!(matching(&l, "sess-03-xyz"), [0]);
    assert_eq!(matching(&l, "staff"), [0, 1, 2]);
    // Typing on from one word to two: the ID-only hits drop out.
    let typed = l.clone();
    assert_eq!(matching(&typed, "03"), [0, 1]);
    assert_eq!(matching(&typed, "03 chrome"), [1]);
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
        s.client.as_deref() == Some("Chrome") && s.username.as_deref().unwrap().starts_with("user3")
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
fn id_order_is_byte_order_past_a_shared_prefix() {
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
    let mut expected: Vec<&str> = ids.to_vec();
    expected.sort();
    let got: Vec<&str> = id_order(&sessions)
        .into_iter()
        .map(|i| ids[i as usize])
        .collect();
    assert_eq!(got, expected);
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
            &view(
                &l,
                &ListQuery {
                    sort: k,
                    dir: d,
                    ..Default::default()
                },
            ),
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
        let v = view(
            &l,
            &ListQuery {
                sort: k,
                dir: d,
                ..Default::default()
            },
        );
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
    assert_eq!(matching(&l, "ALICE").len(), 2);
    // A word never matches across two fields or two rows.
    assert_eq!(matching(&l, "alice10").len(), 0);
    assert_eq!(matching(&l, "1a").len(), 0);
    // Broad single letters hit each row once.
    assert_eq!(matching(&l, "a").len(), l.len());
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
        crit: Criteria {
            idle_days: "30".into(),
            net: "10.0.0.0/8".into(),
            ..Default::default()
        },
    };
    let s = q.to_query_string_against(&ListQuery::default());
    assert_eq!(
        s,
        "?q=a%26b%3Dc%20%C3%BC%2F%25&sort=ip&dir=asc&page=3&size=50&idle=30&net=10.0.0.0%2F8"
    );
    assert_eq!(from_query_string(&s), q);
    assert_eq!(
        ListQuery::default().to_query_string_against(&ListQuery::default()),
        ""
    );
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
    let q = from_query_string("?sort=evil&dir=up&page=-3&size=7&q=%ZZ&x=1");
    assert_eq!(q.sort, SortKey::Login);
    assert_eq!(q.dir, SortDir::Desc);
    assert_eq!(q.page, 1);
    assert_eq!(q.page_size, DEFAULT_PAGE_SIZE);
    assert_eq!(q.filter, "%ZZ");
    assert_eq!(from_query_string("page=0").page, 1);
    assert_eq!(from_query_string("q=a+b").filter, "a b");
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
    assert_eq!(matching(&l, "edge").len(), 1);
    assert_eq!(matching(&l, "chrome").len(), 0);
    assert_eq!(l, SessionList::new(l.sessions.clone()));
}

fn selected_ids(l: &SessionList) -> Vec<String> {
    l.selected_sessions().map(|s| s.id.clone()).collect()
}

#[test]
fn a_selection_the_filter_hides_is_named() {
    let mut l = sample();
    l.select_ids(&["a", "c", "gone"], true);
    assert_eq!(l.selected_count(), 2, "an ID not listed is never selected");
    let named = |l: &SessionList, rows: Vec<u32>| -> Vec<String> {
        rows.iter()
            .map(|&i| l.sessions[i as usize].id.clone())
            .collect()
    };
    // "firefox" shows a and d: c is selected but not shown.
    let shown = l.filter_order(&l.sorted(SortKey::User, SortDir::Asc), "firefox");
    assert_eq!(named(&l, l.selected_not_shown(&shown)), ["c"]);
    // Nothing shown (a subnet that matches nothing): every selected row hidden.
    assert_eq!(named(&l, l.selected_not_shown(&[])), ["a", "c"]);
    l.unselect_rows(&l.selected_not_shown(&shown));
    assert_eq!(selected_ids(&l), ["a"]);
    l.clear_selection();
    assert!(l.selected_not_shown(&[]).is_empty());
}

#[test]
fn the_selection_moves_with_its_rows_and_is_never_of_a_look_alike() {
    let mut l = SessionList::new(vec![
        row("s1", "ann", "Firefox", "10.0.0.1", "2023-05-01T00:00:00Z"),
        row("s10", "ann", "Firefox", "10.0.0.10", "2023-05-01T00:00:00Z"),
        row("s2", "bob", "Chrome", "10.0.0.2", "2023-05-01T00:00:00Z"),
        row("s3", "cy", "Chrome", "10.0.0.3", "2023-05-01T00:00:00Z"),
    ]);
    // Exactly these IDs: "s1" is not "s10".
    l.select_ids(&["s1", "s3"], true);
    assert!(l.is_selected("s1") && !l.is_selected("s10") && l.is_selected("s3"));
    // Rows before and between go: the selection stays on s1 and s3.
    assert_eq!(l.remove_ids(&["s10", "s2"]), 2);
    assert_eq!(selected_ids(&l), ["s1", "s3"]);
    // A selected row that goes is no longer selected.
    l.remove_ids(&["s1"]);
    assert_eq!(selected_ids(&l), ["s3"]);
    assert_eq!(l.selected_count(), 1);
    // Rows that arrive later are not selected.
    l.extend_unique(vec![row(
        "s4",
        "dee",
        "Edge",
        "10.0.0.4",
        "2023-05-01T00:00:00Z",
    )]);
    assert_eq!(selected_ids(&l), ["s3"]);
    // A reload in another order keeps what it still lists.
    let mut fresh = SessionList::new(vec![
        row("s4", "dee", "Edge", "10.0.0.4", "2023-05-01T00:00:00Z"),
        row("s3", "cy", "Chrome", "10.0.0.3", "2023-05-01T00:00:00Z"),
    ]);
    fresh.keep_selection_of(&l);
    assert_eq!(selected_ids(&fresh), ["s3"]);
    let mut empty = SessionList::default();
    empty.keep_selection_of(&l);
    assert_eq!(empty.selected_count(), 0);
}

#[test]
fn select_all_matching_takes_the_rows_given_but_the_panels_own_session() {
    let mut l = sample();
    l.select_ids(&["d"], true);
    // "Select all matching" replaces the selection.
    assert!(!l.select_only_rows(&[0, 2, 99]));
    assert_eq!(
        selected_ids(&l),
        ["a", "c"],
        "a row past the list is no row"
    );
    // The server marks its own session (as the list arrives, or after).
    l.mark_current("c");
    assert!(l.select_only_rows(&[0, 1, 2]));
    assert_eq!(selected_ids(&l), ["a", "b"]);
    let mut own = SessionList::new(vec![
        Session {
            current: true,
            ..row("me", "ann", "Firefox", "10.0.0.1", "2023-05-01T00:00:00Z")
        },
        row("x", "bob", "Chrome", "10.0.0.2", "2023-05-01T00:00:00Z"),
    ]);
    assert!(own.select_only_rows(&[0, 1]));
    assert_eq!(selected_ids(&own), ["x"]);
    // Its row moves up when rows before it go; it is still left out.
    own.remove_ids(&["x"]);
    own.extend_unique(vec![row(
        "y",
        "cy",
        "Edge",
        "10.0.0.3",
        "2023-05-01T00:00:00Z",
    )]);
    assert!(own.select_only_rows(&[0, 1]));
    assert_eq!(selected_ids(&own), ["y"]);
}

#[test]
fn repeated_texts_are_kept_once_and_rows_are_found_by_id_after_any_change() {
    let mut l = sample();
    l.extend_unique(vec![
        row("e", "carol", "Firefox", "10.0.0.11", "2023-05-04T00:00:00Z"),
        // A page that overlaps the last one: its known row is not added again.
        row("a", "carol", "Firefox", "10.0.0.10", "2023-05-01T00:00:00Z"),
        row("e", "carol", "Firefox", "10.0.0.11", "2023-05-04T00:00:00Z"),
    ]);
    assert_eq!(l.len(), 5);
    let text = |id: &str| l.find(id).unwrap().client.clone().unwrap();
    // Rows from two batches share one copy of "Firefox" and of carol's ID.
    assert!(arcstr::ArcStr::ptr_eq(&text("a"), &text("d")));
    assert!(arcstr::ArcStr::ptr_eq(&text("a"), &text("e")));
    let uid = |id: &str| l.find(id).unwrap().user_id.clone().unwrap();
    assert!(arcstr::ArcStr::ptr_eq(&uid("a"), &uid("e")));
    assert!(!arcstr::ArcStr::ptr_eq(&text("a"), &text("b")));

    assert_eq!(l.find("c").unwrap().username.as_deref(), Some("Bob"));
    assert!(l.contains("e") && !l.contains("ee") && !l.contains(""));
    assert_eq!(l.remove_ids(&["b", "zz"]), 1);
    assert!(!l.contains("b"));
    assert_eq!(l.find("e").unwrap().ip.as_deref(), Some("10.0.0.11"));
    assert!(l.mark_current("d"));
    assert!(l.find("d").unwrap().current);
    // Reserved room changes nothing the list shows.
    l.reserve(1000);
    assert_eq!(l.len(), 4);
    assert_eq!(l.filter_order(&[0, 1, 2, 3], "firefox").len(), 3);
}

#[test]
fn an_order_by_time_merged_batch_by_batch_is_the_order_a_full_sort_gives() {
    // Times with ties and gaps, IDs out of order, rows without a time.
    let mut seed = 7_u64;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        seed >> 33
    };
    let rows: Vec<Session> = (0..600)
        .map(|i| {
            let r = next();
            let login = match r % 5 {
                0 => "never".to_string(),
                _ => format!("2024-05-{:02}T10:00:00Z", 1 + r % 9),
            };
            row(
                &format!("id{}", (r * 7919 + i) % 100_000),
                "u",
                "Firefox",
                "10.0.0.1",
                &login,
            )
        })
        .collect();
    let mut l = SessionList::default();
    for batch in rows.chunks(97) {
        l.extend_unique(batch.to_vec());
        let full = SessionList::new(l.sessions.clone());
        for key in [SortKey::Login, SortKey::LastActive] {
            for dir in [SortDir::Asc, SortDir::Desc] {
                assert_eq!(
                    l.sorted(key, dir),
                    full.sorted(key, dir),
                    "{key:?} {dir:?} at {}",
                    l.len()
                );
            }
        }
    }
    assert!(l.len() > 500);
}

#[test]
fn a_client_column_sorts_by_name_and_version_as_shown() {
    let with = |id: &str, client: Option<&str>, version: Option<&str>| Session {
        id: id.into(),
        client: client.map(Into::into),
        client_version: version.map(Into::into),
        ..Default::default()
    };
    let l = SessionList::new(vec![
        with("a", Some("Firefox"), Some("99.0")),
        with("b", None, None),
        with("c", Some("Firefox"), Some("125.0")),
        with("d", Some("Chrome"), None),
        with("e", Some("Firefox"), Some("99.0")),
        with("f", None, Some("3.1")),
    ]);
    let order: Vec<&str> = l
        .sorted(SortKey::Client, SortDir::Asc)
        .iter()
        .map(|&i| l.sessions[i as usize].id.as_str())
        .collect();
    // "3.1" (a version alone), "chrome", "firefox 125.0", "firefox 99.0" ×2
    // by ID, and the row with nothing last.
    assert_eq!(order, ["f", "d", "c", "a", "e", "b"]);
}

/// What a filter should find, the slow way: each word in some searched
/// field of the row (the ID only for a one-word filter), any case.
fn matching_by_hand(l: &SessionList, filter: &str) -> Vec<u32> {
    let words: Vec<String> = filter.split_whitespace().map(lower).collect();
    let fold = |t: &str| {
        let mut out = String::new();
        crate::model::push_search_lower(&mut out, t);
        out
    };
    (0..l.len() as u32)
        .filter(|&i| {
            let s = &l.sessions[i as usize];
            let mut fields: Vec<String> = s
                .person_texts()
                .into_iter()
                .chain(s.device_texts())
                .chain([&s.ip])
                .flatten()
                .map(|t| fold(t))
                .collect();
            if words.len() == 1 {
                fields.push(fold(&s.id));
            }
            words
                .iter()
                .all(|w| fields.iter().any(|f| f.contains(w.as_str())))
        })
        .collect()
}

#[test]
fn the_index_finds_what_a_search_of_every_row_finds() {
    let (names, clients, places) = (
        [
            "Élodie Müller",
            "ÆSIR admin",
            "dana ross",
            "Dana Rossi",
            "staff 03",
        ],
        ["Firefox", "Chrome", "Rocket.Chat Desktop"],
        ["Riga, Latvia", "Line\nbreak", ""],
    );
    let mut seed = 7_u64;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize % n
    };
    let rows: Vec<Session> = (0..600)
        .map(|i| Session {
            id: format!("Sess{i:04}X"),
            user_name: (next(4) > 0).then(|| names[next(names.len())].into()),
            username: Some(format!("user{}", next(40)).into()),
            client: Some(clients[next(clients.len())].into()),
            client_version: Some(format!("{}.0", next(5) + 100).into()),
            os: (next(3) > 0).then(|| "Windows".into()),
            location: Some(places[next(places.len())].into()),
            ip: (next(5) > 0).then(|| format!("10.0.{}.{}", next(3), next(250)).into()),
            ..Default::default()
        })
        .collect();
    let filters = [
        "e",
        "élodie",
        "ÉLODIE MÜL",
        "dana ross",
        "ross",
        "rossi dana",
        "03",
        "staff 03",
        "sess0042x",
        "sess004",
        "user3 chrome",
        "user3 chr",
        "10.0.1",
        "10.0.1. firefox",
        "line break",
        "101.0 windows",
        "desktop 104",
        "riga 10.0.2.1",
        "x",
        "nothing",
    ];
    let typed = SessionList::new(rows.clone());
    for f in filters {
        let want = matching_by_hand(&typed, f);
        assert_eq!(matching(&SessionList::new(rows.clone()), f), want, "{f:?}");
        // The same list typed into, one character at a time.
        for end in (1..=f.len()).filter(|&e| f.is_char_boundary(e)) {
            matching(&typed, &f[..end]);
        }
        assert_eq!(matching(&typed, f), want, "{f:?} typed");
    }
}

#[test]
fn criteria_asked_once_per_device_meet_the_rows_each_one_meets() {
    let (clients, systems, places) = (
        ["Firefox", "Chrome", "Rocket.Chat Desktop"],
        ["Windows", "macOS", "Ubuntu"],
        ["Riga, Latvia", "Oslo, Norway"],
    );
    let rows: Vec<Session> = (0..300)
        .map(|i| Session {
            id: format!("s{i:03}"),
            client: Some(clients[i % 3].into()),
            client_version: Some(format!("{}.0", 100 + i % 4).into()),
            os: (i % 7 > 0).then(|| systems[i % 3 / 2 + i % 2].into()),
            location: Some(places[i / 150].into()),
            ip: Some(format!("10.{}.0.{}", i % 2, i % 200).into()),
            login_at: Some(Timestamp::parse(&format!(
                "2023-05-{:02}T00:00:00Z",
                1 + i % 28
            ))),
            ..Default::default()
        })
        .collect();
    let l = SessionList::new(rows);
    let now = crate::time::parse_iso8601("2023-06-01T00:00:00Z").unwrap();
    for (client, os, net, loc, before) in [
        ("chrome", "", "", "", ""),
        ("", "mac", "", "riga", ""),
        ("fire", "win", "10.1.", "", "2023-05-15"),
        ("desktop 101", "", "", "", ""),
        ("", "", "10.0.0.7", "oslo", ""),
        ("nothing", "", "", "", ""),
    ] {
        let c = Criteria {
            client: client.into(),
            os: os.into(),
            net: net.into(),
            location: loc.into(),
            login_before: before.into(),
            ..Default::default()
        }
        .compile(now)
        .unwrap();
        let each: Vec<bool> = l.sessions.iter().map(|s| c.matches(s)).collect();
        assert_eq!(l.meeting(&c), each, "{client} {os} {net} {loc} {before}");
        if client == "chrome" {
            assert_eq!(each.iter().filter(|&&m| m).count(), 100);
        }
    }
}

/// Every column's order the slow way: each row's value compared whole
/// (rows without one last), ties by session ID.
fn sorted_by_hand(l: &SessionList, key: SortKey) -> Vec<u32> {
    let text = |s: &Session| -> Option<String> {
        match key {
            SortKey::User => Some(s.user_label().to_string()),
            SortKey::Client => Some(s.client_label()),
            SortKey::Os => Some(s.os_label()),
            SortKey::Host => s.host.as_deref().map(str::to_string),
            SortKey::Location => s.location.as_deref().map(str::to_string),
            _ => s.ip.as_deref().map(str::to_string),
        }
        .filter(|t| !t.is_empty())
    };
    let time = |s: &Session| super::order::time_of(s, key);
    let mut order: Vec<u32> = (0..l.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&l.sessions[a as usize], &l.sessions[b as usize]);
        let by_value = if super::order::is_time(key) {
            match (time(a), time(b)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (x, y) => y.is_some().cmp(&x.is_some()),
            }
        } else {
            match (text(a), text(b)) {
                (Some(x), Some(y)) if key == SortKey::Ip => {
                    super::order::ip_key(&x).cmp(&super::order::ip_key(&y))
                }
                (Some(x), Some(y)) => lower(&x).cmp(&lower(&y)).then_with(|| x.cmp(&y)),
                (x, y) => y.is_some().cmp(&x.is_some()),
            }
        };
        by_value.then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
    });
    order
}

#[test]
fn every_column_sorts_as_comparing_whole_values_does() {
    let mut seed = 11_u64;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize % n
    };
    let names = ["alice", "Alice", "bob", "Élodie", "", "zoë"];
    let rows: Vec<Session> = (0..500)
        .map(|i| {
            let time = |n: usize| match n {
                0 => None,
                1 => Some(Timestamp::parse("not a time")),
                _ => Some(Timestamp::parse(&format!("2023-05-{:02}T00:00:00Z", n))),
            };
            Session {
                id: format!("id-{:03}", (i * 7919) % 1000),
                user_id: Some(format!("U{}", next(30)).into()),
                user_name: (next(3) > 0).then(|| names[next(names.len())].into()),
                username: (next(2) > 0).then(|| format!("user{}", next(9)).into()),
                client: (next(6) > 0).then(|| ["Chrome", "chrome", "Firefox"][next(3)].into()),
                client_version: (next(2) > 0).then(|| format!("{}.0", 99 + next(3)).into()),
                os: (next(5) > 0).then(|| ["Windows", "macOS"][next(2)].into()),
                os_version: (next(2) > 0).then(|| "10".into()),
                host: (next(4) > 0).then(|| ["a.test", "B.test"][next(2)].into()),
                location: (next(4) > 0).then(|| ["Riga", "oslo", ""][next(3)].into()),
                ip: (next(6) > 0).then(|| {
                    [
                        format!("10.0.{}.{}", next(3), next(20)),
                        format!("2001:db8::{:x}", next(50)),
                        "unknown".to_string(),
                    ][next(3)]
                    .clone()
                    .into()
                }),
                login_at: time(next(29)),
                last_active: time(next(29)),
                expires_at: time(next(3)),
                ..Default::default()
            }
        })
        .collect();
    let l = SessionList::new(rows);
    for key in SortKey::ALL {
        let want = sorted_by_hand(&l, key);
        assert_eq!(l.sorted(key, SortDir::Asc), want, "{key:?}");
    }
}

#[test]
fn the_users_counted_are_the_groups_listed() {
    let owner = |i: usize| -> (Option<&str>, Option<&str>) {
        match i % 7 {
            0 => (None, None),
            1 => (Some(""), Some("bob")),
            2 => (None, Some("bob")),
            3 => (Some("bob"), None),
            4 => (None, Some("")),
            5 => (Some("U1"), Some("carol")),
            _ => (Some("U2"), Some("carol")),
        }
    };
    let rows = |from: usize, to: usize| -> Vec<Session> {
        (from..to)
            .map(|i| {
                let (id, name) = owner(i);
                Session {
                    id: format!("s{i}"),
                    user_id: id.map(Into::into),
                    username: name.map(Into::into),
                    ..Default::default()
                }
            })
            .collect()
    };
    let mut l = SessionList::new(rows(0, 3));
    assert_eq!((l.user_count(), l.groups().len()), (2, 2));
    l.extend_unique(rows(3, 14));
    // "", "bob" (as ID or login name), "U1", "U2".
    assert_eq!((l.user_count(), l.groups().len()), (4, 4));
    l.remove_ids(&["s5", "s12"]);
    assert_eq!((l.user_count(), l.groups().len()), (3, 3));
    l.remove_ids(&["s0", "s1", "s4", "s7", "s8", "s11"]);
    assert_eq!((l.user_count(), l.groups().len()), (2, 2));
}

#[test]
fn text_hashes_differ_for_near_texts_and_the_hash_table_keeps_every_row() {
    // IDs that differ in one byte, in length only, or past eight bytes.
    let ids: Vec<String> = (0..50_000)
        .map(|i| format!("s{i}"))
        .chain((0..50_000).map(|i| format!("{:0>24}", i)))
        .chain(["", "\0", "\0\0", "a", "a\0"].map(String::from))
        .collect();
    let mut hashes: Vec<u64> = ids.iter().map(|id| id_hash(id)).collect();
    hashes.sort_unstable();
    hashes.dedup();
    assert_eq!(hashes.len(), ids.len(), "no two of these share a hash");
    // Buckets are chosen by the low bits: they must spread too.
    let mut low: Vec<u64> = ids.iter().map(|id| id_hash(id) & 0xFFFF).collect();
    low.sort_unstable();
    low.dedup();
    assert!(low.len() > 50_000, "{} of 65,536 low halves", low.len());
}

#[test]
fn own_account_marks_exactly_that_user_id_and_moves_with_the_rows() {
    // "u-ann" and "u-ann2": a user ID is matched whole, never as a part.
    let mut l = SessionList::new(vec![
        row("s1", "ann", "Chrome", "10.0.0.1", "2024-01-01T00:00:00Z"),
        row("s2", "ann2", "Chrome", "10.0.0.2", "2024-01-01T00:00:00Z"),
        row("s3", "bob", "Firefox", "10.0.0.3", "2024-01-01T00:00:00Z"),
        row("s4", "ann", "Safari", "10.0.0.4", "2024-01-01T00:00:00Z"),
    ]);
    fn own(l: &SessionList) -> Vec<&str> {
        l.sessions
            .iter()
            .filter(|s| s.own_account)
            .map(|s| s.id.as_str())
            .collect()
    }
    assert_eq!(l.mark_own_account("u-ann"), 2);
    assert_eq!(own(&l), ["s1", "s4"]);
    // After rows are removed, the marks follow what is left.
    l.remove_ids(&["s1".to_string()]);
    assert_eq!(l.mark_own_account("u-ann"), 1);
    assert_eq!(own(&l), ["s4"]);
    // Marking another account clears the first; an unknown one marks none.
    assert_eq!(l.mark_own_account("u-bob"), 1);
    assert_eq!(own(&l), ["s3"]);
    assert_eq!(l.mark_own_account("u-an"), 0);
    assert!(own(&l).is_empty());
}

#[test]
fn rows_of_owners_are_exactly_the_rows_whose_key_is_one_of_them() {
    let mut rows = vec![
        row("s1", "ann", "Chrome", "10.0.0.1", "2024-01-01T00:00:00Z"),
        row("s2", "ann2", "Chrome", "10.0.0.2", "2024-01-01T00:00:00Z"),
        row("s3", "bob", "Firefox", "10.0.0.3", "2024-01-01T00:00:00Z"),
        row("s4", "ann", "Safari", "10.0.0.4", "2024-01-01T00:00:00Z"),
    ];
    // No user ID: the login is the key. An empty user ID is an empty key.
    let mut no_id = row("s5", "cat", "Edge", "10.0.0.5", "2024-01-01T00:00:00Z");
    no_id.user_id = None;
    let mut empty_id = row("s6", "dan", "Edge", "10.0.0.6", "2024-01-01T00:00:00Z");
    empty_id.user_id = Some("".into());
    // A display name equal to someone's key is not their key.
    let mut named = row("s7", "eve", "Edge", "10.0.0.7", "2024-01-01T00:00:00Z");
    named.user_name = Some("u-bob".into());
    rows.extend([no_id, empty_id, named]);
    let l = SessionList::new(rows);
    let by_hand = |keys: &[&str]| -> Vec<usize> {
        (0..l.sessions.len())
            .filter(|&i| {
                let k = l.sessions[i].user_key();
                !k.is_empty() && keys.contains(&k)
            })
            .collect()
    };
    for keys in [
        &["u-ann"][..],
        &["u-an"],
        &["u-ann", "u-bob"],
        &["cat"],
        &["u-cat"],
        &["dan", ""],
        &[""],
        &[],
        &["nobody"],
    ] {
        assert_eq!(
            l.rows_of_owners(keys.iter().copied()),
            by_hand(keys),
            "{keys:?}"
        );
    }
    assert_eq!(l.rows_of_owners(["u-ann"]), [0, 3]);
    assert_eq!(l.rows_of_owners(["u-bob"]), [2], "never by a display name");
}
