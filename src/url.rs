//! The percent codec of URLs: query strings the panel writes and reads,
//! and IDs put into request paths.

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

/// "https://chat.example.com" of "https://Chat.example.com/api?x": scheme
/// and host (with port), lower-cased; "" for a URL without a scheme.
pub fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return String::new();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    )
}

/// Where a server is, so that one server reached two ways is one: `base`
/// ("" = the panel's own origin, `page_origin`) with scheme and host
/// lower-cased, the scheme's default port and any trailing slash dropped;
/// the path kept as written.
pub fn server_address(base: &str, page_origin: &str) -> String {
    let b = base.trim();
    let b = if b.is_empty() { page_origin.trim() } else { b };
    let Some((scheme, rest)) = b.split_once("://") else {
        return b.trim_end_matches('/').to_ascii_lowercase();
    };
    let scheme = scheme.to_ascii_lowercase();
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = host.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => "",
    };
    let host = match host.strip_suffix(default) {
        Some(h) if !default.is_empty() => h.to_string(),
        _ => host,
    };
    format!("{scheme}://{host}{}", path.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_server_reached_two_ways_has_one_address() {
        let here = "https://panel.example";
        let same = [
            "",
            "https://panel.example",
            "HTTPS://Panel.Example/",
            "https://panel.example:443",
            " https://PANEL.example:443/ ",
        ];
        for b in same {
            assert_eq!(server_address(b, here), "https://panel.example", "{b:?}");
        }
        assert_eq!(
            server_address("http://127.0.0.1:80/", "x"),
            "http://127.0.0.1"
        );
        // Another port, scheme or path is another server.
        for other in [
            "https://panel.example:8443",
            "http://panel.example",
            "https://panel.example/chat",
            "https://panel.example.evil",
        ] {
            assert_ne!(
                server_address(other, here),
                server_address("", here),
                "{other}"
            );
        }
        assert_eq!(
            server_address("https://x.example/Chat/", here),
            "https://x.example/Chat",
            "the path is kept as written"
        );
    }
}
