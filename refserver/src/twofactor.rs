//! Rocket.Chat's second-factor check, as its server does it: remembered →
//! pass; no code → "totp-required" (e-mailing a code for the email method);
//! wrong code → "totp-invalid", too many → "totp-max-attempts".

use crate::data::{User, TOTP_SECRET};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// An e-mailed code is valid this long; a new one is sent only when the
/// newest has less than `RESEND_AFTER_LEFT_MS` left.
pub const EMAIL_CODE_TTL_MS: i64 = 10 * 60_000;
pub const RESEND_AFTER_LEFT_MS: i64 = 5 * 60_000;
/// How long a user stays locked out after too many wrong codes.
pub const LOCK_MS: i64 = 60_000;

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) for the given step.
pub fn totp_at(step: u64) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(TOTP_SECRET).expect("any key length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[19] & 0xf) as usize;
    let bin = u32::from_be_bytes([h[off] & 0x7f, h[off + 1], h[off + 2], h[off + 3]]);
    format!("{:06}", bin % 1_000_000)
}

pub fn totp_now(now_ms: i64) -> String {
    totp_at((now_ms / 1000 / 30) as u64)
}

/// Per-user second-factor state kept by the server.
#[derive(Default, Debug)]
pub struct UserState {
    /// (code, expires epoch ms)
    pub email_codes: Vec<(String, i64)>,
    pub failed: u32,
    pub locked_until: i64,
}

/// The outcome of a check, as the server answers it.
#[derive(Debug, PartialEq)]
pub enum Check {
    Pass,
    Required {
        details: Value,
        emailed: Option<String>,
    },
    Invalid {
        method: String,
    },
    MaxAttempts,
}

/// The method used: the one named in the request if the user has it, else
/// the user's first; `password` for users with none.
pub fn select_method(user: &User, asked: Option<&str>) -> String {
    match asked {
        Some(m) if user.two_factor.iter().any(|x| x == m) => m.to_string(),
        _ => user
            .two_factor
            .first()
            .cloned()
            .unwrap_or_else(|| "password".into()),
    }
}

/// Checks a code (or its absence) for `user`. `code_seed` picks e-mail codes.
pub fn check(
    user: &User,
    st: &mut UserState,
    method: &str,
    code: Option<&str>,
    now_ms: i64,
    max_attempts: u32,
    code_seed: u64,
) -> Check {
    if st.locked_until > now_ms {
        return Check::MaxAttempts;
    }
    if st.locked_until != 0 {
        st.locked_until = 0;
        st.failed = 0;
    }
    st.email_codes.retain(|(_, exp)| *exp > now_ms);
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        let mut details = json!({
            "method": method,
            "codeGenerated": false,
            "availableMethods": user.two_factor,
        });
        let mut emailed = None;
        if method == "email" {
            let newest_left = st
                .email_codes
                .iter()
                .map(|(_, e)| e - now_ms)
                .max()
                .unwrap_or(0);
            if newest_left < RESEND_AFTER_LEFT_MS {
                let c = format!("{:06}", code_seed % 1_000_000);
                st.email_codes.push((c.clone(), now_ms + EMAIL_CODE_TTL_MS));
                details["codeGenerated"] = json!(true);
                emailed = Some(c);
            }
            details["codeCount"] = json!(st.email_codes.len());
            details["codeExpires"] = json!(st
                .email_codes
                .iter()
                .map(|(_, e)| crate::data::iso(*e))
                .collect::<Vec<_>>());
            details["emailOrUsername"] = json!(user.email);
        }
        return Check::Required { details, emailed };
    };
    let ok = match method {
        "password" => code == sha256_hex(&user.password),
        "totp" => {
            let step = (now_ms / 1000 / 30) as u64;
            (step.saturating_sub(1)..=step + 1).any(|s| totp_at(s) == code)
        }
        "email" => {
            if let Some(i) = st.email_codes.iter().position(|(c, _)| c == code) {
                st.email_codes.remove(i);
                true
            } else {
                false
            }
        }
        _ => false,
    };
    if ok {
        st.failed = 0;
        return Check::Pass;
    }
    st.failed += 1;
    if st.failed >= max_attempts {
        st.locked_until = now_ms + LOCK_MS;
        st.email_codes.clear();
        return Check::MaxAttempts;
    }
    Check::Invalid {
        method: method.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(methods: &[&str]) -> User {
        User {
            id: "u".into(),
            username: "u".into(),
            name: None,
            email: "u@x".into(),
            password: "pw".into(),
            roles: vec![],
            two_factor: methods.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn rfc6238_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s → 94287082 (8 digits) → 287082.
        assert_eq!(totp_at(1), "287082");
    }

    #[test]
    fn password_method_wants_sha256_of_password() {
        let u = user(&[]);
        let mut st = UserState::default();
        assert!(matches!(
            check(&u, &mut st, "password", None, 0, 5, 1),
            Check::Required { .. }
        ));
        assert_eq!(
            check(&u, &mut st, "password", Some(&sha256_hex("pw")), 0, 5, 1),
            Check::Pass
        );
        assert_eq!(
            check(&u, &mut st, "password", Some("pw"), 0, 5, 1),
            Check::Invalid {
                method: "password".into()
            }
        );
    }

    #[test]
    fn email_codes_not_resent_while_fresh_and_single_use() {
        let u = user(&["email"]);
        let mut st = UserState::default();
        let Check::Required {
            emailed: Some(code),
            details,
        } = check(&u, &mut st, "email", None, 0, 5, 123_456)
        else {
            panic!()
        };
        assert_eq!(details["codeGenerated"], true);
        let Check::Required { emailed, .. } = check(&u, &mut st, "email", None, 60_000, 5, 654_321)
        else {
            panic!()
        };
        assert_eq!(emailed, None, "fresh code: no second e-mail");
        assert!(matches!(
            check(&u, &mut st, "email", None, 6 * 60_000, 5, 7),
            Check::Required {
                emailed: Some(_),
                ..
            }
        ));
        assert_eq!(
            check(&u, &mut st, "email", Some(&code), 6 * 60_000, 5, 1),
            Check::Pass
        );
        assert!(matches!(
            check(&u, &mut st, "email", Some(&code), 6 * 60_000, 5, 1),
            Check::Invalid { .. }
        ));
    }

    #[test]
    fn max_attempts_locks_then_resets() {
        let u = user(&[]);
        let mut st = UserState::default();
        for _ in 0..2 {
            assert!(matches!(
                check(&u, &mut st, "password", Some("x"), 0, 3, 1),
                Check::Invalid { .. }
            ));
        }
        assert_eq!(
            check(&u, &mut st, "password", Some("x"), 0, 3, 1),
            Check::MaxAttempts
        );
        assert_eq!(
            check(&u, &mut st, "password", Some(&sha256_hex("pw")), 1, 3, 1),
            Check::MaxAttempts
        );
        assert_eq!(
            check(
                &u,
                &mut st,
                "password",
                Some(&sha256_hex("pw")),
                LOCK_MS + 1,
                3,
                1
            ),
            Check::Pass
        );
    }

    #[test]
    fn method_selection() {
        let u = user(&["totp", "email"]);
        assert_eq!(select_method(&u, Some("email")), "email");
        assert_eq!(select_method(&u, Some("password")), "totp");
        assert_eq!(select_method(&user(&[]), None), "password");
    }
}
