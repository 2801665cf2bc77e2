//! Plurals, the same way everywhere (pure): "1 session", "3 sessions",
//! "1 request waits", "2 requests wait".

/// "1 session", "3 sessions": `n` and `noun`, plural with an `s`.
pub fn counted(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural_s(n))
}

/// The `s` of a plural noun ("" for one).
pub fn plural_s(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The `s` of a verb in the present with a counted subject: "1 request
/// waits", "2 requests wait".
pub fn verb_s(n: usize) -> &'static str {
    if n == 1 {
        "s"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_many() {
        assert_eq!(counted(1, "session"), "1 session");
        assert_eq!(counted(0, "session"), "0 sessions");
        assert_eq!(counted(12, "user"), "12 users");
        assert_eq!(
            format!("{} wait{}", counted(1, "request"), verb_s(1)),
            "1 request waits"
        );
        assert_eq!(
            format!("{} wait{}", counted(3, "request"), verb_s(3)),
            "3 requests wait"
        );
    }
}
