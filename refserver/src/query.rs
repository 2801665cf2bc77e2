//! Strict query strings: the real servers refuse parameters they do not
//! take (api-notes), and so does the reference server.

/// The query's pairs, decoded, in order; `Err(name)` for the first
/// parameter `allowed` does not name.
pub fn strict(raw: Option<&str>, allowed: &[&str]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if !allowed.contains(&k.as_ref()) {
            return Err(k.into_owned());
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_allowed_decoded() {
        assert!(strict(Some("offset=0&count=100"), &["offset", "count"]).is_ok());
        assert_eq!(
            strict(Some("offset=0&userId=x"), &["offset", "count"]),
            Err("userId".into())
        );
        let q = strict(Some("filter=a%20b+c"), &["filter"]).unwrap();
        assert_eq!(q[0].1, "a b c");
        assert_eq!(strict(None, &[]), Ok(vec![]));
    }
}
